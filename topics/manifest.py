"""A bundle's manifest: what it records, how it is read and checked, and the files it vouches for.

``manifest.json`` lists each joblib file of a bundle with its SHA-256 and size, the
versions of the libraries it was saved with, and the training's metadata. Reading a
manifest never unpickles anything; :func:`verify_files` hashes the very bytes that will
be unpickled, so no file can be swapped between the check and the load.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from importlib import metadata
from pathlib import Path

from topics import __version__

from .fsutil import NotRegularFileError, open_regular

__all__ = ["BundleError", "MANIFEST", "FORMAT", "TOOLKIT", "read_manifest", "verify_files", "check_compatibility"]

TOOLKIT = "topics"
MANIFEST = "manifest.json"
FORMAT = 1
_FILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\.joblib$")
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_LIBRARIES = ("scikit-learn", "gensim", "numpy", "joblib", "scipy")
_CHECKED = ("scikit-learn", "gensim", "numpy", TOOLKIT)  # pickles may break across their majors


class BundleError(Exception):
    """A model bundle cannot be saved, found, trusted or loaded (message is for users)."""


def _valid_file(fname: object) -> bool:
    # The regex already excludes "/" and "\"; ".." is refused too so no name can climb out.
    return isinstance(fname, str) and bool(_FILE_RE.match(fname)) and ".." not in fname


def _library_versions() -> dict[str, str | None]:
    # Package metadata avoids importing gensim (slow) just to learn its version.
    versions: dict[str, str | None] = {}
    for lib in _LIBRARIES:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            versions[lib] = None
    return versions


def _manifest_problem(m: object) -> str | None:
    if not isinstance(m, dict):
        return "it is not a JSON object"
    if m.get("format") != FORMAT:
        return f"it has format {m.get('format')!r} but this topics reads format {FORMAT}"
    if m.get("toolkit") != TOOLKIT:
        return f"it was not written by {TOOLKIT}"
    for key in ("name", "version", "toolkit_version", "created"):
        if not isinstance(m.get(key), str):
            return f"{key!r} is missing or not a string"
    libs = m.get("libraries")
    if not isinstance(libs, dict) or not all(v is None or isinstance(v, str) for v in libs.values()):
        return "'libraries' is missing or malformed"
    files = m.get("files")
    if not isinstance(files, dict) or not files:
        return "'files' is missing or empty"
    for fname, entry in files.items():
        if not _valid_file(fname):
            return f"it lists the unsafe or non-joblib file name {fname!r}"
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("sha256"), str)
            and _SHA_RE.match(entry["sha256"])
            and type(entry.get("bytes")) is int
            and entry["bytes"] >= 0
        ):
            return f"the entry for {fname!r} needs a hex 'sha256' and an integer 'bytes'"
    return None


def _bundle_dir(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path.parent if path.name == MANIFEST and not path.is_dir() else path


def open_bundle_file(file: Path):
    """A bundle file opened for reading (:func:`topics.fsutil.open_regular`): never through a
    symbolic link, and only if it is a regular file."""
    try:
        return open_regular(file)
    except NotRegularFileError as exc:
        what = "a symbolic link" if exc.strerror == "is a symbolic link" else "not a regular file"
        raise BundleError(f"Bundle file {file} is {what}: refusing to load the bundle.") from None


def read_bundle_file(file: Path) -> bytes:
    with open_bundle_file(file) as f:
        return f.read()


def _read_manifest(path: Path) -> tuple[dict, bytes]:
    """The validated manifest of the version folder ``path`` and its exact bytes."""
    file = path / MANIFEST
    try:
        raw = read_bundle_file(file)
    except FileNotFoundError:
        raise BundleError(f"{path} is not a model bundle: it has no {MANIFEST}.") from None
    except OSError as exc:
        raise BundleError(f"Bundle manifest {file} is unreadable ({exc}).") from None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        raise BundleError(f"Bundle manifest {file} is unreadable or corrupt ({exc}).") from None
    if problem := _manifest_problem(manifest):
        raise BundleError(f"Bundle manifest {file} is invalid: {problem}.")
    return manifest, raw


def read_manifest(path: Path) -> dict:
    """Parse and validate a bundle's manifest (a version folder or its manifest file); never unpickles."""
    return _read_manifest(_bundle_dir(path))[0]


def verify_files(path: Path, manifest: dict, keep_data: bool) -> dict[str, bytes]:
    """Check that the version folder ``path`` holds exactly the files ``manifest`` lists, each
    with its size and SHA-256; return their bytes when ``keep_data`` (else an empty dict)."""
    files = manifest["files"]
    for extra in sorted(p for p in path.glob("*.joblib") if p.name not in files):
        raise BundleError(
            f"Bundle file {extra} is not listed in its manifest: refusing to load "
            "the bundle (it may have been tampered with)."
        )
    data = {}
    for fname, entry in files.items():
        file, digest, chunks = path / fname, hashlib.sha256(), []
        try:
            with open_bundle_file(file) as f:
                size = os.fstat(f.fileno()).st_size
                # A wrong size already fails the check, so skip reading a possibly huge file.
                while size == entry["bytes"] and (chunk := f.read(1 << 20)):
                    digest.update(chunk)
                    if keep_data:
                        chunks.append(chunk)
        except FileNotFoundError:
            raise BundleError(
                f"Bundle file {file} is listed in its manifest but missing: the bundle is incomplete."
            ) from None
        except OSError as exc:
            raise BundleError(f"Bundle file {file} cannot be read ({exc.strerror}).") from None
        if size != entry["bytes"] or digest.hexdigest() != entry["sha256"]:
            raise BundleError(
                f"Bundle file {file} does not match its manifest hash: refusing to load "
                "it (it may have been modified or corrupted)."
            )
        if keep_data:
            data[fname] = b"".join(chunks)
    return data


def _major_minor(version: str | None) -> tuple[int, int] | None:
    m = re.match(r"(\d+)(?:\.(\d+))?", version or "")
    return (int(m.group(1)), int(m.group(2) or 0)) if m else None


def check_compatibility(path: Path, manifest: dict) -> None:
    saved = {**manifest["libraries"], TOOLKIT: manifest["toolkit_version"]}
    installed = {**_library_versions(), TOOLKIT: __version__}
    needs, drifts = [], []
    for lib in _CHECKED:
        want, have = saved.get(lib), installed.get(lib)
        w, h = _major_minor(want), _major_minor(have)
        if w is None:  # not recorded or unparseable: nothing to compare
            continue
        if h is None or w[0] != h[0]:
            needs.append(f"{lib} {w[0]}.x (saved with {want}, installed: {have or 'none'})")
        elif w[1] != h[1]:
            drifts.append(f"{lib} {want} (installed: {have})")
    if needs:
        raise BundleError(
            f"Model bundle {path} needs {', '.join(needs)}: install matching versions or retrain the model."
        )
    if drifts:
        warnings.warn(
            f"Model bundle {path} was saved with {', '.join(drifts)}; it should still load, "
            "but retrain it if results look wrong.",
            UserWarning,
            stacklevel=3,
        )

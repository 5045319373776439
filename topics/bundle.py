"""Save and load trained model bundles safely.

A bundle is a folder of joblib files plus ``manifest.json``, which records each file's
SHA-256. Joblib files are pickles and run code when loaded, so every hash is verified
before anything is unpickled. Saves are atomic: files go to a temporary folder that is
renamed into place, then ``LATEST`` is replaced atomically.

Layout::

    <artifacts>/<name>/LATEST                    current version, e.g. 20261125T083012Z
    <artifacts>/<name>/<version>/manifest.json
    <artifacts>/<name>/<version>/<part>.joblib
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import re
import secrets
import shutil
import time
import warnings
from contextlib import suppress
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import joblib

from topics import __version__

TOOLKIT = "topics"
MANIFEST = "manifest.json"
LATEST = "LATEST"
FORMAT = 1
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_VERSION_RE = re.compile(r"^\d{8}T\d{6}Z(?:-(\d+))?$")
_FILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\.joblib$")
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_LIBRARIES = ("scikit-learn", "gensim", "numpy", "joblib", "scipy")
_CHECKED = ("scikit-learn", "gensim", "numpy", TOOLKIT)  # pickles may break across their majors
_STALE_SECONDS = 3600


class BundleError(Exception):
    """A model bundle cannot be saved, found, trusted or loaded (message is for users)."""


def default_artifacts_dir() -> Path:
    """Return ``$TOPICS_ARTIFACTS`` if set, else ``./artifacts``."""
    env = os.environ.get("TOPICS_ARTIFACTS")
    return Path(env).expanduser() if env else Path.cwd() / "artifacts"


def _artifacts(artifacts: str | os.PathLike | None) -> Path:
    return Path(artifacts).expanduser() if artifacts is not None else default_artifacts_dir()


def _check_name(name: object) -> None:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise BundleError(f"Invalid model name {name!r}: use 1-64 letters, digits, '.', '_' or '-', "
                          "starting with a letter or digit.")


def _valid_file(fname: object) -> bool:
    # The regex already excludes "/" and "\"; ".." is refused too so no name can climb out.
    return isinstance(fname, str) and bool(_FILE_RE.match(fname)) and ".." not in fname


def _version_key(version: str) -> tuple[str, int]:
    suffix = _VERSION_RE.match(version).group(1)  # "-2" etc. sorts after the bare timestamp
    return version[:16], int(suffix or 1)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _library_versions() -> dict[str, str | None]:
    # Package metadata avoids importing gensim (slow) just to learn its version.
    versions: dict[str, str | None] = {}
    for lib in _LIBRARIES:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            versions[lib] = None
    return versions


def _fsync_dir(path: Path) -> None:
    # Makes renames and new entries durable; Windows cannot open folders, so skip there.
    with suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".tmp-{path.name}-{secrets.token_hex(4)}")
    try:
        _write_synced(tmp, text)
        os.replace(tmp, path)
    finally:
        with suppress(FileNotFoundError):
            tmp.unlink()
    _fsync_dir(path.parent)


def _sync_and_hash(path: Path) -> dict:
    digest = hashlib.sha256()
    with open(path, "r+b") as f:
        os.fsync(f.fileno())
        while chunk := f.read(1 << 20):
            digest.update(chunk)
        return {"sha256": digest.hexdigest(), "bytes": os.fstat(f.fileno()).st_size}


def _reserve_version(root: Path, stamp: str) -> str:
    # os.mkdir is atomic, so concurrent saves can never claim the same version.
    version, n = stamp, 1
    while True:
        try:
            os.mkdir(root / version)
            return version
        except FileExistsError:
            n += 1
            version = f"{stamp}-{n}"


def _move_into_place(tmp: Path, final: Path) -> None:
    try:
        os.replace(tmp, final)  # POSIX atomically replaces the empty reservation folder
    except OSError:
        os.rmdir(final)  # Windows cannot rename onto a folder: free the name first
        os.rename(tmp, final)


def _remove(path: Path) -> None:
    # Rename first so a half-deleted folder never looks like a version; failures are harmless.
    with suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            trash = path.with_name(f".tmp-del-{secrets.token_hex(4)}")
            os.rename(path, trash)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            path.unlink()


def _versions(root: Path) -> list[str]:
    try:
        entries = list(root.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    complete = (e.name for e in entries if _VERSION_RE.match(e.name) and (e / MANIFEST).is_file())
    return sorted(complete, key=_version_key)


def _read_latest(root: Path) -> str | None:
    try:
        return (root / LATEST).read_text(encoding="utf-8").strip() or None
    except (FileNotFoundError, NotADirectoryError):
        return None


def _prune(root: Path, keep: int) -> None:
    latest = _read_latest(root)
    for version in _versions(root)[:-keep]:
        if version != latest:
            _remove(root / version)
    cutoff = time.time() - _STALE_SECONDS
    for entry in root.iterdir():
        with suppress(OSError):
            if entry.lstat().st_mtime >= cutoff:
                continue
            if entry.name.startswith(".tmp-"):
                _remove(entry)
            elif _VERSION_RE.match(entry.name):
                entry.rmdir()  # only succeeds for an empty reservation left by a killed save


def save_bundle(parts: dict[str, object], *, name: str = "default",
                artifacts: str | os.PathLike | None = None, meta: dict | None = None,
                keep: int = 3) -> Path:
    """Atomically save ``parts`` as a new version of model ``name`` and make it LATEST.

    Parameters
    ----------
    parts : dict of str to object
        Objects to save; ``parts[k]`` goes to ``<k>.joblib``.
    name : str
        Model name, the folder under ``artifacts``.
    artifacts : path-like, optional
        Artifacts folder; defaults to :func:`default_artifacts_dir`.
    meta : dict, optional
        JSON-serialisable extra information, stored under the manifest's ``"meta"`` key.
    keep : int
        Number of newest versions to keep; older ones are removed.

    Returns
    -------
    Path
        The new version folder.
    """
    _check_name(name)
    if not parts:
        raise BundleError("Nothing to save: a model bundle needs at least one part.")
    for key in parts:
        if not _valid_file(f"{key}.joblib"):
            raise BundleError(f"Invalid bundle part name {key!r}: use letters, digits, '.', '_' or '-'.")
    if not isinstance(keep, int) or keep < 1:
        raise BundleError(f"keep must be a whole number of at least 1, not {keep!r}.")
    try:
        meta = json.loads(json.dumps(meta or {}))
    except (TypeError, ValueError) as exc:
        raise BundleError(f"Bundle metadata must be JSON-serialisable ({exc}).") from None
    root = _artifacts(artifacts) / name
    root.mkdir(parents=True, exist_ok=True)
    now = _utcnow()
    version = _reserve_version(root, now.strftime("%Y%m%dT%H%M%SZ"))
    final, tmp = root / version, root / f".tmp-{version}-{secrets.token_hex(4)}"
    try:
        tmp.mkdir()
        files = {}
        for key, obj in parts.items():
            joblib.dump(obj, tmp / f"{key}.joblib", compress=3)
            files[f"{key}.joblib"] = _sync_and_hash(tmp / f"{key}.joblib")
        manifest = {"format": FORMAT, "toolkit": TOOLKIT, "toolkit_version": __version__,
                    "name": name, "version": version, "created": now.isoformat(timespec="seconds"),
                    "python": platform.python_version(), "libraries": _library_versions(),
                    "files": files, "meta": meta}
        _write_synced(tmp / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        _fsync_dir(tmp)
        _move_into_place(tmp, final)
        _fsync_dir(root)
        _write_atomic(root / LATEST, version + "\n")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        with suppress(OSError):
            final.rmdir()  # only removes the still-empty reservation
        raise
    _prune(root, keep)
    return final


def list_versions(name: str, artifacts: str | os.PathLike | None = None) -> list[str]:
    """Return the complete versions of model ``name``, sorted oldest to newest."""
    _check_name(name)
    return _versions(_artifacts(artifacts) / name)


def _resolve_version(root: Path, name: str, version: str | None) -> Path:
    versions = _versions(root)
    available = ", ".join(versions[-10:]) or "none"
    if version is None:
        version = _read_latest(root) or (versions[-1] if versions else None)
        if version is None:
            raise BundleError(f"Model {name!r} in {root.parent} has no complete version yet; "
                              "train one with `topics train`.")
        if version not in versions:
            raise BundleError(f"Model {name!r} names version {version!r} in its {LATEST} file, but that "
                              f"version is missing or incomplete; available: {available}.")
    elif version not in versions:
        raise BundleError(f"Model {name!r} has no version {version!r}; available: {available}.")
    return root / version


def _resolve_path(path: Path) -> Path:
    path = path.expanduser().absolute()
    if (path / MANIFEST).is_file():
        return path
    if (path / LATEST).is_file() or _versions(path):
        return _resolve_version(path, path.name, None)
    if not path.exists():
        raise BundleError(f"No model folder at {path}.")
    raise BundleError(f"{path} is not a model: it holds neither {MANIFEST} nor {LATEST}.")


def resolve_bundle(model: str | os.PathLike | None = None,
                   artifacts: str | os.PathLike | None = None) -> Path:
    """Return the version folder for ``model``.

    ``model`` may be a version folder, a model (name) folder, a name such as
    ``"default"`` (its LATEST version) or ``"name@version"``; None means ``"default"``.
    """
    model = "default" if model is None else model
    if isinstance(model, os.PathLike) or any(s and s in model for s in (os.sep, os.altsep)) \
            or model.startswith(("~", ".")):
        return _resolve_path(Path(model))
    name, _, version = model.partition("@")
    root = _artifacts(artifacts) / name
    if not _NAME_RE.match(name) or not root.is_dir():
        if Path(model).is_dir():  # a bare relative folder such as "mymodel"
            return _resolve_path(Path(model))
        if not _NAME_RE.match(name):
            raise BundleError(f"{model!r} is neither a model name, 'name@version' nor an existing folder.")
        raise BundleError(f"No model named {name!r} in {root.parent}; train one with `topics train`.")
    return _resolve_version(root, name, version or None)


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
        if not (isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
                and _SHA_RE.match(entry["sha256"]) and type(entry.get("bytes")) is int
                and entry["bytes"] >= 0):
            return f"the entry for {fname!r} needs a hex 'sha256' and an integer 'bytes'"
    return None


def read_manifest(path: Path) -> dict:
    """Parse and validate a bundle's manifest (a version folder or its manifest file); never unpickles."""
    path = Path(path)
    file = path if path.name == MANIFEST and not path.is_dir() else path / MANIFEST
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BundleError(f"{file.parent} is not a model bundle: it has no {MANIFEST}.") from None
    except (OSError, ValueError) as exc:
        raise BundleError(f"Bundle manifest {file} is unreadable or corrupt ({exc}).") from None
    if problem := _manifest_problem(manifest):
        raise BundleError(f"Bundle manifest {file} is invalid: {problem}.")
    return manifest


def _verified(path: Path, keep_data: bool) -> tuple[dict, dict[str, bytes]]:
    # Hashing the very bytes that will be unpickled leaves no window to swap a file after the check.
    path = Path(path)
    path = path.parent if path.name == MANIFEST and path.is_file() else path
    manifest = read_manifest(path)
    files = manifest["files"]
    for extra in sorted(p for p in path.glob("*.joblib") if p.name not in files):
        raise BundleError(f"Bundle file {extra} is not listed in its manifest: refusing to load "
                          "the bundle (it may have been tampered with).")
    data = {}
    for fname, entry in files.items():
        file, digest, chunks = path / fname, hashlib.sha256(), []
        try:
            with open(file, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                # A wrong size already fails the check, so skip reading a possibly huge file.
                while size == entry["bytes"] and (chunk := f.read(1 << 20)):
                    digest.update(chunk)
                    if keep_data:
                        chunks.append(chunk)
        except FileNotFoundError:
            raise BundleError(f"Bundle file {file} is listed in its manifest but missing: "
                              "the bundle is incomplete.") from None
        except OSError as exc:
            raise BundleError(f"Bundle file {file} cannot be read ({exc.strerror}).") from None
        if size != entry["bytes"] or digest.hexdigest() != entry["sha256"]:
            raise BundleError(f"Bundle file {file} does not match its manifest hash: refusing to load "
                              "it (it may have been modified or corrupted).")
        if keep_data:
            data[fname] = b"".join(chunks)
    return manifest, data


def verify_bundle(path: Path) -> dict:
    """Check every file of the bundle at ``path`` against its manifest and return the manifest."""
    return _verified(path, keep_data=False)[0]


def _major_minor(version: str | None) -> tuple[int, int] | None:
    m = re.match(r"(\d+)(?:\.(\d+))?", version or "")
    return (int(m.group(1)), int(m.group(2) or 0)) if m else None


def _check_compatibility(path: Path, manifest: dict) -> None:
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
        raise BundleError(f"Model bundle {path} needs {', '.join(needs)}: install matching versions "
                          "or retrain the model.")
    if drifts:
        warnings.warn(f"Model bundle {path} was saved with {', '.join(drifts)}; it should still load, "
                      "but retrain it if results look wrong.", UserWarning, stacklevel=3)


def load_bundle(model: str | os.PathLike | None = None,
                artifacts: str | os.PathLike | None = None) -> tuple[dict[str, object], dict]:
    """Resolve, verify and load a model bundle.

    Every file's hash is checked before anything is unpickled.

    Returns
    -------
    parts : dict of str to object
        The saved objects, keyed by part name.
    manifest : dict
        The bundle's manifest.
    """
    path = resolve_bundle(model, artifacts)
    manifest, data = _verified(path, keep_data=True)
    _check_compatibility(path, manifest)
    parts = {}
    for fname in list(data):
        try:
            parts[fname[:-len(".joblib")]] = joblib.load(io.BytesIO(data.pop(fname)))
        except Exception as exc:
            raise BundleError(f"Bundle file {path / fname} passed its hash check but cannot be "
                              f"loaded ({type(exc).__name__}: {exc}).") from exc
    return parts, manifest

"""Save and load trained model bundles safely.

A bundle is a folder of joblib files plus ``manifest.json``, which records each file's
SHA-256. Joblib files are pickles and run code when loaded, so every hash is verified
before anything is unpickled. Saves are atomic: files go to a temporary folder that is
renamed into place, then ``LATEST`` is replaced atomically.

Layout::

    <artifacts>/<name>/LATEST                    current version, e.g. 20261125T083012Z
    <artifacts>/<name>/<version>/manifest.json
    <artifacts>/<name>/<version>/manifest.sig    optional HMAC-SHA256 of manifest.json
    <artifacts>/<name>/<version>/<part>.joblib

A hash only shows that the files still match their manifest; anyone can write a new
manifest. A signature (HMAC-SHA256 with a secret key over the exact manifest bytes, which
hold every file's hash) shows that the bundle was made by someone holding the key.

Listing and removing versions is :mod:`topics.registry`.
"""
from __future__ import annotations

import errno
import hashlib
import hmac
import io
import json
import os
import platform
import re
import secrets
import shutil
import stat
import time
import warnings
from contextlib import contextmanager, suppress
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import joblib

from topics import __version__

TOOLKIT = "topics"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
LATEST = "LATEST"
SIGNING_KEY_ENV = "TOPICS_SIGNING_KEY"
REQUIRE_SIGNATURE_ENV = "TOPICS_REQUIRE_SIGNATURE"
_SIG_ALGORITHM = "hmac-sha256"
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


class UnsignedBundleWarning(UserWarning):
    """An unsigned bundle is being loaded: its pickle files run code, and nothing vouches for them.

    Filter it (``warnings.simplefilter("ignore", UnsignedBundleWarning)``) where unsigned
    bundles are expected; set ``$TOPICS_REQUIRE_SIGNATURE=1`` to refuse them instead.
    """


def signature_required(require: bool = False) -> bool:
    """``require``, or ``$TOPICS_REQUIRE_SIGNATURE`` set to 1/true/yes."""
    return require or os.environ.get(REQUIRE_SIGNATURE_ENV, "").strip().lower() in ("1", "true", "yes")


def default_artifacts_dir() -> Path:
    """Where models live when no folder is given.

    ``$TOPICS_ARTIFACTS`` if set; else ``./artifacts`` when that folder exists (a project's
    own models); else the user's folder, ``$XDG_DATA_HOME/topics/artifacts`` (by default
    ``~/.local/share/topics/artifacts``), so that models trained in one folder are found
    from any other.
    """
    env = os.environ.get("TOPICS_ARTIFACTS")
    if env:
        return Path(env).expanduser()
    local = Path.cwd() / "artifacts"
    return local if local.is_dir() else user_artifacts_dir()


def user_artifacts_dir() -> Path:
    """The user-level artifacts folder: ``$XDG_DATA_HOME/topics/artifacts`` or ``~/.local/share/topics/artifacts``."""
    data = os.environ.get("XDG_DATA_HOME") or os.path.join("~", ".local", "share")
    return Path(data).expanduser() / "topics" / "artifacts"


def _artifacts(artifacts: str | os.PathLike | None) -> Path:
    return Path(artifacts).expanduser() if artifacts is not None else default_artifacts_dir()


def check_name(name: object) -> None:
    """Raise BundleError unless ``name`` is a valid model name."""
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise BundleError(f"Invalid model name {name!r}: use 1-64 letters, digits, '.', '_' or '-', "
                          "starting with a letter or digit.")


# -- signing --------------------------------------------------------------------------------
def resolve_signing_key(key: str | bytes | None = None) -> bytes | None:
    """The key to sign and verify bundles with: ``key``, else ``$TOPICS_SIGNING_KEY``, else None.

    A ``str`` key is used as its UTF-8 bytes. An empty key is refused rather than used,
    since an HMAC with an empty key proves nothing.
    """
    if key is None:
        env = os.environ.get(SIGNING_KEY_ENV)
        if not env:
            return None
        key = os.fsencode(env)  # the variable's exact bytes, whatever the locale
    elif isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, bytes) or not key:
        raise BundleError("The signing key is empty or not text/bytes: give a secret of some length.")
    return key


def read_key_file(path: str | os.PathLike) -> bytes:
    """Read a signing key from ``path`` (its bytes, without a trailing newline)."""
    try:
        key = Path(path).expanduser().read_bytes().rstrip(b"\r\n")
    except OSError as exc:
        raise BundleError(f"Cannot read the signing key file {path} ({exc.strerror or exc}).") from None
    if not key:
        raise BundleError(f"The signing key file {path} is empty.")
    return key


def _key_id(key: bytes) -> str:
    # Tells "another key" from "modified manifest" without revealing anything about the key.
    return hmac.new(key, b"topics signing key id", hashlib.sha256).hexdigest()[:16]


def _signature(key: bytes, manifest_bytes: bytes) -> str:
    sig = {"algorithm": _SIG_ALGORITHM, "key_id": _key_id(key),
           "hmac": hmac.new(key, manifest_bytes, hashlib.sha256).hexdigest()}
    return json.dumps(sig, indent=2, sort_keys=True) + "\n"


def _check_signature(path: Path, manifest_bytes: bytes, key: bytes | None, require: bool) -> str:
    """Check ``manifest_bytes`` against ``path``/manifest.sig; return the signature status.

    The status is ``"verified"``, ``"unsigned"`` or ``"unverified"`` (signed, but no key to
    check it with). Raises BundleError when ``require`` and the signature is missing or
    cannot be checked, and whenever a key is available and the signature does not match.
    """
    if require and key is None:
        raise BundleError(f"Cannot check the signature of model bundle {path}: no signing key "
                          f"(set ${SIGNING_KEY_ENV} or pass --signing-key-file).")
    try:
        sig = json.loads(_read_regular(path / SIGNATURE).decode("utf-8"))
    except FileNotFoundError:
        if require:
            raise BundleError(f"Model bundle {path} is not signed: refusing to load it "
                              "(a signature is required).") from None
        return "unsigned"
    except (OSError, ValueError) as exc:
        raise BundleError(f"Bundle signature {path / SIGNATURE} is unreadable or corrupt ({exc}).") from None
    if not (isinstance(sig, dict) and sig.get("algorithm") == _SIG_ALGORITHM
            and isinstance(sig.get("hmac"), str) and _SHA_RE.match(sig["hmac"])):
        raise BundleError(f"Bundle signature {path / SIGNATURE} is malformed: expected an "
                          f"{_SIG_ALGORITHM} 'hmac' of 64 hex digits.")
    if key is None:
        return "unverified"
    if not hmac.compare_digest(hmac.new(key, manifest_bytes, hashlib.sha256).hexdigest(), sig["hmac"]):
        reason = ("it was signed with a different key" if sig.get("key_id") != _key_id(key)
                  else "its manifest was modified after signing")
        raise BundleError(f"Model bundle {path} fails its signature check ({reason}): refusing to load it.")
    return "verified"


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


@contextmanager
def _registry_lock(root: Path, shared: bool = False):
    """A lock on a model (``.NAME.lock`` beside its folder, flock): exclusive for repointing
    LATEST and pruning, so that concurrent saves and removals see each other's changes whole;
    shared for loading, so that no version is pruned while it is being read."""
    try:
        import fcntl

        f = open(root.parent / f".{root.name}.lock", "a+b")
    except (ImportError, OSError):  # Windows (no flock), or a read-only folder: unguarded
        yield
        return
    with f:
        fcntl.flock(f.fileno(), fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


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
                keep: int = 3, signing_key: str | bytes | None = None) -> Path:
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
    signing_key : str or bytes, optional
        Sign the manifest with this key (HMAC-SHA256, in ``manifest.sig``); defaults to
        ``$TOPICS_SIGNING_KEY``. Without a key the bundle is saved unsigned.

    Returns
    -------
    Path
        The new version folder.
    """
    check_name(name)
    if not parts:
        raise BundleError("Nothing to save: a model bundle needs at least one part.")
    for key in parts:
        if not _valid_file(f"{key}.joblib"):
            raise BundleError(f"Invalid bundle part name {key!r}: use letters, digits, '.', '_' or '-'.")
    if not isinstance(keep, int) or keep < 1:
        raise BundleError(f"keep must be a whole number of at least 1, not {keep!r}.")
    sign_key = resolve_signing_key(signing_key)
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
        manifest_text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        _write_synced(tmp / MANIFEST, manifest_text)
        if sign_key is not None:
            _write_synced(tmp / SIGNATURE, _signature(sign_key, manifest_text.encode("utf-8")))
        _fsync_dir(tmp)
        # Concurrent saves and removals of this model take turns from here: the version
        # appears, LATEST names it and old versions are pruned as one step, so pruning can
        # never remove a version another save is about to name.
        with _registry_lock(root):
            _move_into_place(tmp, final)
            _fsync_dir(root)
            _write_atomic(root / LATEST, version + "\n")
            _prune(root, keep)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        with suppress(OSError):
            final.rmdir()  # only removes the still-empty reservation
        raise
    return final


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


def _registry_of(model: str | os.PathLike | None, artifacts: str | os.PathLike | None) -> Path | None:
    """The model folder (of LATEST and versions) that ``model`` resolves within, if any: a
    model name's folder, a model folder given as a path, or a version folder's parent."""
    model = "default" if model is None else model
    name = str(model).partition("@")[0]
    path = Path(model).expanduser()
    if _NAME_RE.match(name) and (_artifacts(artifacts) / name).is_dir():
        return _artifacts(artifacts) / name
    if (path / LATEST).is_file() or (path.is_dir() and not (path / MANIFEST).is_file() and _versions(path)):
        return path
    if (path / MANIFEST).is_file() and (path.parent / LATEST).is_file():
        return path.parent
    return None


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
        where = ("the artifacts folder given" if artifacts is not None
                 else "$TOPICS_ARTIFACTS" if os.environ.get("TOPICS_ARTIFACTS")
                 else "./artifacts, the default: set $TOPICS_ARTIFACTS or pass --artifacts to look elsewhere"
                 if (Path.cwd() / "artifacts").is_dir()
                 else "the user's folder, the default where there is no ./artifacts: set $TOPICS_ARTIFACTS or pass "
                      "--artifacts to look elsewhere")
        raise BundleError(f"No model named {name!r} in {root.parent} ({where}); train one with `topics train`, "
                          "or point --model at a bundle folder.")
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


def _bundle_dir(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path.parent if path.name == MANIFEST and not path.is_dir() else path


def _open_regular(file: Path):
    """``file`` opened for reading, never through a symbolic link (to a FIFO it would hang,
    to another file it would swap what was checked), and only if it is a regular file."""
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BundleError(f"Bundle file {file} is a symbolic link: refusing to load the bundle.") from None
        raise
    f = open(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        f.close()
        raise BundleError(f"Bundle file {file} is not a regular file: refusing to load the bundle.")
    return f


def _read_regular(file: Path) -> bytes:
    with _open_regular(file) as f:
        return f.read()


def _read_manifest(path: Path) -> tuple[dict, bytes]:
    """The validated manifest of the version folder ``path`` and its exact bytes."""
    file = path / MANIFEST
    try:
        raw = _read_regular(file)
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


def check_signature(path: str | os.PathLike, key: str | bytes | None = None,
                    require_signature: bool = False) -> str:
    """Check the signature of the bundle at ``path`` (its manifest only; files are not hashed).

    Parameters
    ----------
    path : path-like
        A version folder or its manifest file.
    key : str or bytes, optional
        Defaults to ``$TOPICS_SIGNING_KEY``.
    require_signature : bool
        Refuse an unsigned bundle, and a signed one when there is no key to check it with.

    Returns
    -------
    str
        ``"verified"``, ``"unsigned"`` or ``"unverified"`` (signed; no key to check it).

    Raises
    ------
    BundleError
        If a key is available and the signature does not match, or ``require_signature``
        and the bundle is unsigned or there is no key.
    """
    path = _bundle_dir(path)
    _, raw = _read_manifest(path)
    return _check_signature(path, raw, resolve_signing_key(key), require_signature)


def sign_bundle(path: str | os.PathLike, key: str | bytes | None = None) -> Path:
    """Sign an existing bundle with ``key`` (default ``$TOPICS_SIGNING_KEY``) after verifying its files.

    Returns the signature file. Any previous signature is replaced (atomically).
    """
    path = _bundle_dir(path)
    if (key := resolve_signing_key(key)) is None:
        raise BundleError(f"No signing key to sign {path} with: set ${SIGNING_KEY_ENV} or pass a key file.")
    manifest = _read_manifest(path)
    _verified(path, keep_data=False, manifest=manifest)
    # Sign the bytes that were verified, so a manifest swapped meanwhile is not signed.
    _write_atomic(path / SIGNATURE, _signature(key, manifest[1]))
    return path / SIGNATURE


def _verified(path: Path, keep_data: bool, key: bytes | None = None, require_signature: bool = False,
              manifest: tuple[dict, bytes] | None = None, pin: str | None = None,
              warn_unsigned: bool | None = None) -> tuple[dict, dict[str, bytes]]:
    # Hashing the very bytes that will be unpickled leaves no window to swap a file after the check.
    path = _bundle_dir(path)
    manifest, raw = manifest or _read_manifest(path)
    if pin is not None:  # the manifest another process verified (signature included): the same bytes?
        if hashlib.sha256(raw).hexdigest() != pin:
            raise BundleError(f"Model bundle {path} changed after it was verified: refusing to load it.")
        status = "pinned"
    else:
        # The signature covers the manifest, which covers every file's hash: check it first.
        status = _check_signature(path, raw, key, signature_required(require_signature))
    _check_place(path, manifest)
    if status == "unsigned" and key is not None:  # a deleted signature must not downgrade a signed bundle silently
        raise BundleError(f"Model bundle {path} is not signed, but a signing key is set: refusing to load it "
                          f"(sign it with the key, or unset ${SIGNING_KEY_ENV} to load unsigned bundles).")
    if status == "unsigned" and (keep_data if warn_unsigned is None else warn_unsigned):
        warnings.warn(f"unsigned model bundle {path}: loading it runs the code in its pickle files, and nothing "
                      f"vouches for them (sign bundles with a key; ${REQUIRE_SIGNATURE_ENV}=1 refuses unsigned ones)",
                      UnsignedBundleWarning, stacklevel=4)
    files = manifest["files"]
    for extra in sorted(p for p in path.glob("*.joblib") if p.name not in files):
        raise BundleError(f"Bundle file {extra} is not listed in its manifest: refusing to load "
                          "the bundle (it may have been tampered with).")
    data = {}
    for fname, entry in files.items():
        file, digest, chunks = path / fname, hashlib.sha256(), []
        try:
            with _open_regular(file) as f:
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


def _check_place(path: Path, manifest: dict) -> None:
    """A version folder of a model registry (``NAME/VERSION`` beside a LATEST file) must hold
    the bundle its manifest (which the signature covers) names: a bundle copied into another
    model's folder, or renamed to another version, is refused."""
    if _VERSION_RE.match(path.name) and (path.parent / LATEST).exists():
        if (manifest["name"], manifest["version"]) != (path.parent.name, path.name):
            raise BundleError(f"Model bundle {path} is {manifest['name']}@{manifest['version']} by its manifest, "
                              f"not {path.parent.name}@{path.name}: refusing to load a bundle moved into "
                              "another model's place.")


def verify_bundle(path: Path, *, key: str | bytes | None = None, require_signature: bool = False) -> dict:
    """Check the bundle at ``path`` (signature, then every file's hash) and return its manifest.

    ``key`` and ``require_signature`` are as in :func:`load_bundle`.
    """
    return _verified(path, keep_data=False, key=resolve_signing_key(key),
                     require_signature=require_signature)[0]


def pin_bundle(model: str | os.PathLike | None = None, artifacts: str | os.PathLike | None = None, *,
               key: str | bytes | None = None, require_signature: bool = False) -> tuple[Path, str]:
    """Resolve and verify a bundle without unpickling it, for processes that will load it.

    Checks what :func:`load_bundle` checks (signature, every file's hash, library versions)
    and returns the version folder and the SHA-256 of the verified manifest bytes. Worker
    processes then load it with ``load_bundle(path, pin=digest)``: no signing key leaves this
    process, and a bundle changed in between is refused.
    """
    registry = _registry_of(model, artifacts)
    with _registry_lock(registry, shared=True) if registry is not None else suppress():
        path = resolve_bundle(model, artifacts).expanduser().absolute()  # workers may start elsewhere
        manifest, raw = _read_manifest(path)
        _verified(path, keep_data=False, key=resolve_signing_key(key), require_signature=require_signature,
                  manifest=(manifest, raw), warn_unsigned=True)
    _check_compatibility(path, manifest)
    return path, hashlib.sha256(raw).hexdigest()


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


def load_bundle(model: str | os.PathLike | None = None, artifacts: str | os.PathLike | None = None,
                *, key: str | bytes | None = None, require_signature: bool = False,
                pin: str | None = None) -> tuple[dict[str, object], dict]:
    """Resolve, verify and load a model bundle.

    The signature and then every file's hash are checked before anything is unpickled.

    Parameters
    ----------
    model, artifacts
        As in :func:`resolve_bundle`.
    key : str or bytes, optional
        Signing key; defaults to ``$TOPICS_SIGNING_KEY``. When there is a key, a signed
        bundle whose signature does not match it is refused.
    require_signature : bool
        Also refuse unsigned bundles, and signed ones when there is no key.
    pin : str, optional
        The SHA-256 of the manifest as :func:`pin_bundle` verified it (signature included):
        instead of the signature, the manifest must be those very bytes (and every file
        must match it, as always).

    Returns
    -------
    parts : dict of str to object
        The saved objects, keyed by part name.
    manifest : dict
        The bundle's manifest.
    """
    registry = _registry_of(model, artifacts)
    with _registry_lock(registry, shared=True) if registry is not None else suppress():
        path = resolve_bundle(model, artifacts)  # under the lock: LATEST cannot move meanwhile
        manifest, data = _verified(path, keep_data=True, key=resolve_signing_key(key),
                                   require_signature=require_signature, pin=pin)
    if pin is None:  # pin_bundle checked them, and said so
        _check_compatibility(path, manifest)
    parts = {}
    for fname in list(data):
        try:
            parts[fname[:-len(".joblib")]] = joblib.load(io.BytesIO(data.pop(fname)))
        except Exception as exc:
            raise BundleError(f"Bundle file {path / fname} passed its hash check but cannot be "
                              f"loaded ({type(exc).__name__}: {exc}).") from exc
    return parts, manifest

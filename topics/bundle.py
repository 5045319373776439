"""Save and load trained model bundles safely.

A bundle is a folder of joblib files plus ``manifest.json`` (:mod:`topics.manifest`), which
records each file's SHA-256. Joblib files are pickles and run code when loaded, so the
signature (:mod:`topics.signing`) and every hash are verified before anything is unpickled.
Saves are atomic: files go to a temporary folder that is renamed into place, then
``LATEST`` is replaced atomically (:mod:`topics.fsutil`).

Layout::

    <artifacts>/<name>/LATEST                    current version, e.g. 20261125T083012Z
    <artifacts>/<name>/<version>/manifest.json
    <artifacts>/<name>/<version>/manifest.sig    optional HMAC-SHA256 of manifest.json
    <artifacts>/<name>/<version>/<part>.joblib

The folder of versions, ``LATEST`` and the per-model lock are :mod:`topics.registry`'s.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import secrets
import shutil
import warnings
from contextlib import nullcontext, suppress
from datetime import UTC, datetime
from pathlib import Path

import joblib

from topics import __version__

from .fsutil import fsync_dir, write_synced, write_text_atomic
from .manifest import (
    FORMAT,
    MANIFEST,
    TOOLKIT,
    BundleError,
    _bundle_dir,
    _library_versions,
    _read_manifest,
    _valid_file,
    check_compatibility,
    read_manifest,
    verify_files,
)
from .registry import (
    _NAME_RE,
    _VERSION_RE,
    LATEST,
    _artifacts,
    _move_into_place,
    _prune,
    _read_latest,
    _registry_lock,
    _reserve_version,
    _versions,
    check_name,
    default_artifacts_dir,
)
from .signing import (
    REQUIRE_SIGNATURE_ENV,
    SIGNATURE,
    SIGNING_KEY_ENV,
    UnsignedBundleWarning,
    check_manifest_signature,
    read_key_file,
    resolve_signing_key,
    signature_required,
    signature_text,
)

# Names that moved out of this module and are still imported from here.
__all__ = [
    "save_bundle",
    "resolve_bundle",
    "verify_bundle",
    "pin_bundle",
    "load_bundle",
    "check_signature",
    "sign_bundle",
    "BundleError",
    "UnsignedBundleWarning",
    "read_manifest",
    "read_key_file",
    "resolve_signing_key",
    "signature_required",
    "default_artifacts_dir",
    "check_name",
    "MANIFEST",
    "SIGNATURE",
    "LATEST",
    "SIGNING_KEY_ENV",
    "REQUIRE_SIGNATURE_ENV",
    "FORMAT",
    "TOOLKIT",
]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _sync_and_hash(path: Path) -> dict:
    digest = hashlib.sha256()
    with open(path, "r+b") as f:
        os.fsync(f.fileno())
        while chunk := f.read(1 << 20):
            digest.update(chunk)
        return {"sha256": digest.hexdigest(), "bytes": os.fstat(f.fileno()).st_size}


def save_bundle(
    parts: dict[str, object],
    *,
    name: str = "default",
    artifacts: str | os.PathLike | None = None,
    meta: dict | None = None,
    keep: int = 3,
    signing_key: str | bytes | None = None,
) -> Path:
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
        manifest = {
            "format": FORMAT,
            "toolkit": TOOLKIT,
            "toolkit_version": __version__,
            "name": name,
            "version": version,
            "created": now.isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "libraries": _library_versions(),
            "files": files,
            "meta": meta,
        }
        manifest_text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        write_synced(tmp / MANIFEST, manifest_text)
        if sign_key is not None:
            write_synced(tmp / SIGNATURE, signature_text(sign_key, manifest_text.encode("utf-8")))
        fsync_dir(tmp)
        # Concurrent saves and removals of this model take turns from here: the version
        # appears, LATEST names it and old versions are pruned as one step, so pruning can
        # never remove a version another save is about to name.
        with _registry_lock(root):
            _move_into_place(tmp, final)
            fsync_dir(root)
            write_text_atomic(root / LATEST, version + "\n")
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
            raise BundleError(
                f"Model {name!r} in {root.parent} has no complete version yet; train one with `topics train`."
            )
        if version not in versions:
            raise BundleError(
                f"Model {name!r} names version {version!r} in its {LATEST} file, but that "
                f"version is missing or incomplete; available: {available}."
            )
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


def resolve_bundle(model: str | os.PathLike | None = None, artifacts: str | os.PathLike | None = None) -> Path:
    """Return the version folder for ``model``.

    ``model`` may be a version folder, a model (name) folder, a name such as
    ``"default"`` (its LATEST version) or ``"name@version"``; None means ``"default"``.
    """
    model = "default" if model is None else model
    if (
        isinstance(model, os.PathLike)
        or any(s and s in model for s in (os.sep, os.altsep))
        or model.startswith(("~", "."))
    ):
        return _resolve_path(Path(model))
    name, _, version = model.partition("@")
    root = _artifacts(artifacts) / name
    if not _NAME_RE.match(name) or not root.is_dir():
        if Path(model).is_dir():  # a bare relative folder such as "mymodel"
            return _resolve_path(Path(model))
        if not _NAME_RE.match(name):
            raise BundleError(f"{model!r} is neither a model name, 'name@version' nor an existing folder.")
        where = (
            "the artifacts folder given"
            if artifacts is not None
            else "$TOPICS_ARTIFACTS"
            if os.environ.get("TOPICS_ARTIFACTS")
            else "./artifacts, the default: set $TOPICS_ARTIFACTS or pass --artifacts to look elsewhere"
            if (Path.cwd() / "artifacts").is_dir()
            else "the user's folder, the default where there is no ./artifacts: set $TOPICS_ARTIFACTS or pass "
            "--artifacts to look elsewhere"
        )
        raise BundleError(
            f"No model named {name!r} in {root.parent} ({where}); train one with `topics train`, "
            "or point --model at a bundle folder."
        )
    return _resolve_version(root, name, version or None)


def check_signature(path: str | os.PathLike, key: str | bytes | None = None, require_signature: bool = False) -> str:
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
    return check_manifest_signature(path, raw, resolve_signing_key(key), require_signature)


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
    write_text_atomic(path / SIGNATURE, signature_text(key, manifest[1]))
    return path / SIGNATURE


def _verified(
    path: Path,
    keep_data: bool,
    key: bytes | None = None,
    require_signature: bool = False,
    manifest: tuple[dict, bytes] | None = None,
    pin: str | None = None,
    warn_unsigned: bool | None = None,
) -> tuple[dict, dict[str, bytes]]:
    # Hashing the very bytes that will be unpickled leaves no window to swap a file after the check.
    path = _bundle_dir(path)
    manifest, raw = manifest or _read_manifest(path)
    if pin is not None:  # the manifest another process verified (signature included): the same bytes?
        if hashlib.sha256(raw).hexdigest() != pin:
            raise BundleError(f"Model bundle {path} changed after it was verified: refusing to load it.")
        status = "pinned"
    else:
        # The signature covers the manifest, which covers every file's hash: check it first.
        status = check_manifest_signature(path, raw, key, signature_required(require_signature))
    _check_place(path, manifest)
    if status == "unsigned" and key is not None:  # a deleted signature must not downgrade a signed bundle silently
        raise BundleError(
            f"Model bundle {path} is not signed, but a signing key is set: refusing to load it "
            f"(sign it with the key, or unset ${SIGNING_KEY_ENV} to load unsigned bundles)."
        )
    if status == "unsigned" and (keep_data if warn_unsigned is None else warn_unsigned):
        warnings.warn(
            f"unsigned model bundle {path}: loading it runs the code in its pickle files, and nothing "
            f"vouches for them (sign bundles with a key; ${REQUIRE_SIGNATURE_ENV}=1 refuses unsigned ones)",
            UnsignedBundleWarning,
            stacklevel=4,
        )
    data = verify_files(path, manifest, keep_data)
    return manifest, data


def _check_place(path: Path, manifest: dict) -> None:
    """A version folder of a model registry (``NAME/VERSION`` beside a LATEST file) must hold
    the bundle its manifest (which the signature covers) names: a bundle copied into another
    model's folder, or renamed to another version, is refused."""
    if _VERSION_RE.match(path.name) and (path.parent / LATEST).exists():
        if (manifest["name"], manifest["version"]) != (path.parent.name, path.name):
            raise BundleError(
                f"Model bundle {path} is {manifest['name']}@{manifest['version']} by its manifest, "
                f"not {path.parent.name}@{path.name}: refusing to load a bundle moved into "
                "another model's place."
            )


def verify_bundle(path: Path, *, key: str | bytes | None = None, require_signature: bool = False) -> dict:
    """Check the bundle at ``path`` (signature, then every file's hash) and return its manifest.

    ``key`` and ``require_signature`` are as in :func:`load_bundle`.
    """
    return _verified(path, keep_data=False, key=resolve_signing_key(key), require_signature=require_signature)[0]


def pin_bundle(
    model: str | os.PathLike | None = None,
    artifacts: str | os.PathLike | None = None,
    *,
    key: str | bytes | None = None,
    require_signature: bool = False,
) -> tuple[Path, str]:
    """Resolve and verify a bundle without unpickling it, for processes that will load it.

    Checks what :func:`load_bundle` checks (signature, every file's hash, library versions)
    and returns the version folder and the SHA-256 of the verified manifest bytes. Worker
    processes then load it with ``load_bundle(path, pin=digest)``: no signing key leaves this
    process, and a bundle changed in between is refused.
    """
    registry = _registry_of(model, artifacts)
    with _registry_lock(registry, shared=True) if registry is not None else nullcontext():
        path = resolve_bundle(model, artifacts).expanduser().absolute()  # workers may start elsewhere
        manifest, raw = _read_manifest(path)
        _verified(
            path,
            keep_data=False,
            key=resolve_signing_key(key),
            require_signature=require_signature,
            manifest=(manifest, raw),
            warn_unsigned=True,
        )
    check_compatibility(path, manifest)
    return path, hashlib.sha256(raw).hexdigest()


def load_bundle(
    model: str | os.PathLike | None = None,
    artifacts: str | os.PathLike | None = None,
    *,
    key: str | bytes | None = None,
    require_signature: bool = False,
    pin: str | None = None,
) -> tuple[dict[str, object], dict]:
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
    with _registry_lock(registry, shared=True) if registry is not None else nullcontext():
        path = resolve_bundle(model, artifacts)  # under the lock: LATEST cannot move meanwhile
        manifest, data = _verified(
            path, keep_data=True, key=resolve_signing_key(key), require_signature=require_signature, pin=pin
        )
    if pin is None:  # pin_bundle checked them, and said so
        check_compatibility(path, manifest)
    parts = {}
    for fname in list(data):
        try:
            parts[fname[: -len(".joblib")]] = joblib.load(io.BytesIO(data.pop(fname)))
        except Exception as exc:
            raise BundleError(
                f"Bundle file {path / fname} passed its hash check but cannot be loaded ({type(exc).__name__}: {exc})."
            ) from exc
    return parts, manifest

"""The version registry: a model's folder of versions, its ``LATEST`` pointer and its lock;
listing a model's versions, telling which is latest, removing one.

Layout::

    <artifacts>/<name>/LATEST                    current version, e.g. 20261125T083012Z
    <artifacts>/<name>/<version>/                one saved bundle (see topics.bundle)
    <artifacts>/.<name>.lock                     flock: saves and removals take turns

Saving, resolving and loading a version is :mod:`topics.bundle`'s job; this module only
reads manifests (nothing is unpickled or hashed), claims version names and removes whole
version folders, under the per-model lock.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from .fsutil import write_text_atomic
from .manifest import MANIFEST, BundleError, _bundle_dir, read_manifest
from .signing import SIGNATURE

__all__ = [
    "VersionInfo",
    "list_versions",
    "list_models",
    "is_latest",
    "remove_version",
    "default_artifacts_dir",
    "user_artifacts_dir",
    "check_name",
    "LATEST",
]

LATEST = "LATEST"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_VERSION_RE = re.compile(r"^\d{8}T\d{6}Z(?:-(\d+))?$")
_STALE_SECONDS = 3600


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
        raise BundleError(
            f"Invalid model name {name!r}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit."
        )


def _version_key(version: str) -> tuple[str, int]:
    suffix = _VERSION_RE.match(version).group(1)  # "-2" etc. sorts after the bare timestamp
    return version[:16], int(suffix or 1)


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


def list_versions(name: str, artifacts: str | os.PathLike | None = None) -> list[str]:
    """Return the complete versions of model ``name``, sorted oldest to newest."""
    check_name(name)
    return _versions(_artifacts(artifacts) / name)


@dataclass(frozen=True)
class VersionInfo:
    """One saved version of a model, as listed by :func:`list_models` (read from its manifest).

    Attributes
    ----------
    name, version : str
    path : Path
    latest : bool
        Whether the model's LATEST file names this version.
    created : str or None
        ISO 8601 time of the save.
    documents : int or None
        Articles the model was trained on.
    themes : tuple of str
    signed : bool
        Whether it has a signature file (not whether the signature is valid).
    updates : tuple of dict
        The ``topics update`` runs this version went through, oldest first: ``corpus``,
        ``documents`` (read), ``added`` (after dropping repeats), ``date``, ``from_version``.
    problem : str or None
        Why the manifest could not be read; the other fields are then mostly empty.
    """

    name: str
    version: str
    path: Path
    latest: bool
    created: str | None = None
    documents: int | None = None
    themes: tuple[str, ...] = ()
    signed: bool = False
    updates: tuple[dict, ...] = ()
    problem: str | None = None


def _version_info(root: Path, version: str, latest: str | None) -> VersionInfo:
    path = root / version
    signed = (path / SIGNATURE).is_file()
    try:
        manifest = read_manifest(path)
    except BundleError as exc:
        return VersionInfo(root.name, version, path, version == latest, signed=signed, problem=str(exc))
    meta = manifest.get("meta") if isinstance(manifest.get("meta"), dict) else {}
    documents = (meta.get("corpus") or {}).get("documents") if isinstance(meta.get("corpus"), dict) else None
    themes = meta.get("themes") if isinstance(meta.get("themes"), list) else []
    updates = (meta.get("topics") or {}).get("updates") if isinstance(meta.get("topics"), dict) else None
    return VersionInfo(
        root.name,
        version,
        path,
        version == latest,
        manifest["created"],
        documents if type(documents) is int else None,
        tuple(str(t) for t in themes),
        signed,
        tuple(u for u in updates if isinstance(u, dict)) if isinstance(updates, list) else (),
    )


def _current(root: Path, versions: list[str]) -> str | None:
    # As _resolve_version: the LATEST file, or without one the newest version.
    return _read_latest(root) or (versions[-1] if versions else None)


def is_latest(path: str | os.PathLike) -> bool:
    """Whether the version folder ``path`` is the version its model resolves to by name."""
    path = _bundle_dir(path).absolute()
    return _current(path.parent, _versions(path.parent)) == path.name


def list_models(artifacts: str | os.PathLike | None = None, name: str | None = None) -> list[VersionInfo]:
    """Every complete version of every model in ``artifacts`` (or of model ``name``).

    Sorted by name, then oldest to newest. Reads manifests only: nothing is unpickled
    or hashed, so listing is quick and safe; a broken manifest is reported in
    :attr:`VersionInfo.problem` rather than raised.
    """
    base = _artifacts(artifacts)
    if name is not None:
        check_name(name)
        roots = [base / name]
    else:
        try:
            roots = sorted(p for p in base.iterdir() if p.is_dir() and _NAME_RE.match(p.name))
        except (FileNotFoundError, NotADirectoryError):
            roots = []
    infos = []
    for root in roots:
        versions = _versions(root)
        latest = _current(root, versions)
        infos.extend(_version_info(root, v, latest) for v in versions)
    return infos


def remove_version(
    name: str, version: str, artifacts: str | os.PathLike | None = None, *, force: bool = False
) -> str | None:
    """Remove version ``version`` of model ``name``.

    The LATEST version is only removed with ``force``; LATEST then names the newest
    remaining version (or is removed with the last version).

    Returns
    -------
    str or None
        The model's LATEST version afterwards.
    """
    check_name(name)
    root = _artifacts(artifacts) / name
    if not root.is_dir():
        raise BundleError(f"Model {name!r} has no version {version!r}; available: none.")
    with _registry_lock(root):
        return _remove_version(root, name, version, force)


def _remove_version(root: Path, name: str, version: str, force: bool) -> str | None:
    versions = _versions(root)
    if version not in versions:
        available = ", ".join(versions[-10:]) or "none"
        raise BundleError(f"Model {name!r} has no version {version!r}; available: {available}.")
    latest = _current(root, versions)
    if version == latest:
        if not force:
            raise BundleError(
                f"{name}@{version} is the model's latest version: pass --force "
                "(force=True) to remove it and make the newest remaining version latest."
            )
        remaining = [v for v in versions if v != version]
        # Repoint first, so that LATEST never names a version that is being removed.
        if remaining:
            latest = remaining[-1]
            write_text_atomic(root / LATEST, latest + "\n")
        else:
            latest = None
            with suppress(FileNotFoundError):
                (root / LATEST).unlink()
    _remove(root / version)
    if (root / version).exists():
        raise BundleError(f"Could not remove {root / version}; check its permissions.")
    if latest is None:
        with suppress(OSError):
            root.rmdir()  # only when nothing else (a concurrent save) is in it
    return latest

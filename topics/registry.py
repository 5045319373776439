"""The version registry: list a model's saved versions, tell which is latest, remove one.

Saving, resolving and loading a version is :mod:`topics.bundle`'s job; this module only
reads manifests (nothing is unpickled or hashed) and removes whole version folders, under
the same per-model lock as a save.
"""

from __future__ import annotations

import os
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from .bundle import (LATEST, SIGNATURE, _NAME_RE, BundleError, _artifacts, _bundle_dir, _read_latest,
                     _registry_lock, _remove, _versions, _write_atomic, check_name, read_manifest)

__all__ = ["VersionInfo", "list_versions", "list_models", "is_latest", "remove_version"]


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
    return VersionInfo(root.name, version, path, version == latest, manifest["created"],
                       documents if type(documents) is int else None,
                       tuple(str(t) for t in themes), signed,
                       tuple(u for u in updates if isinstance(u, dict)) if isinstance(updates, list) else ())


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


def remove_version(name: str, version: str, artifacts: str | os.PathLike | None = None,
                   *, force: bool = False) -> str | None:
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
            raise BundleError(f"{name}@{version} is the model's latest version: pass --force "
                              "(force=True) to remove it and make the newest remaining version latest.")
        remaining = [v for v in versions if v != version]
        # Repoint first, so that LATEST never names a version that is being removed.
        if remaining:
            latest = remaining[-1]
            _write_atomic(root / LATEST, latest + "\n")
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

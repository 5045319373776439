"""Files written whole or not at all, and files read without following links.

The one implementation of the toolkit's atomic writes: bundles and their ``LATEST``
pointer, signatures, ``topics tag -o``, reports and topic maps. A reader sees the old
file or the new one, never half of the new one, even if the writer is killed.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

__all__ = [
    "atomic_open",
    "write_text_atomic",
    "write_bytes_atomic",
    "write_synced",
    "fsync_dir",
    "open_regular",
    "read_regular",
    "NotRegularFileError",
]


class NotRegularFileError(OSError):
    """A path that should name a regular file names a link, a FIFO, a device or a folder."""


def fsync_dir(path: str | os.PathLike) -> None:
    """Make renames and new entries in folder ``path`` durable (a no-op where folders cannot be opened)."""
    with suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_synced(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to a new file and flush it to disk before returning."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


@contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
    """A file to write that replaces ``path`` only when the ``with`` block ends without an error.

    The data goes to a hidden temporary file beside ``path`` (same file system, so the final
    rename is atomic), is flushed to disk, gets the mode a plain ``open`` would give it (the
    umask applies), and is renamed over ``path``. On an error or an interrupt the temporary
    file is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : path-like
    mode : {"w", "wb"}
        Text (UTF-8) or binary.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', got {mode!r}")
    path = Path(path)
    # ".tmp-" names are what a model folder's pruning removes when a killed write left one.
    tmp = path.with_name(f".tmp-{path.name}-{secrets.token_hex(4)}")
    try:
        # "x": created here, never an existing file or a link planted under the temporary name.
        with open(tmp, mode.replace("w", "x"), **({"encoding": "utf-8"} if mode == "w" else {})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        with suppress(FileNotFoundError):
            tmp.unlink()
    fsync_dir(path.parent if str(path.parent) else ".")


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_open`) and return the path."""
    with atomic_open(path, "w") as f:
        f.write(text)
    return Path(path)


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_open`) and return the path."""
    with atomic_open(path, "wb") as f:
        f.write(data)
    return Path(path)


def open_regular(path: str | os.PathLike) -> IO[bytes]:
    """``path`` opened for binary reading, never through a symbolic link and only if it is a
    regular file: through a link to a FIFO a read would hang, through a link to another file it
    would read something other than what was checked.

    Raises
    ------
    NotRegularFileError
        ``path`` is a symbolic link or not a regular file.
    FileNotFoundError, OSError
        As ``open``.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotRegularFileError(errno.ELOOP, "is a symbolic link", str(path)) from None
        raise
    f = open(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        f.close()
        raise NotRegularFileError(errno.EINVAL, "is not a regular file", str(path))
    return f


def read_regular(path: str | os.PathLike) -> bytes:
    """The bytes of the regular file ``path`` (see :func:`open_regular`)."""
    with open_regular(path) as f:
        return f.read()

"""Where a corpus's bytes come from: local files, URLs (through fsspec) and standard input."""

from __future__ import annotations

import codecs
import contextlib
import itertools
import os
import shutil
import sys
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path

from .problems import CorpusError


# -- files and URLs ----------------------------------------------------------------------
def is_url(path: str | os.PathLike) -> bool:
    return isinstance(path, str) and "://" in path


def url_fs(url: str):
    """(fsspec file system, path within it) of ``url``."""
    try:
        from fsspec.core import url_to_fs
    except ImportError:  # pragma: no cover - fsspec comes with the dask extra
        from ..extras import install_hint

        raise ImportError(f"reading URLs needs fsspec: {install_hint('dask')}") from None
    return url_to_fs(url)


def open_binary(path: str | os.PathLike):
    """A local file or a URL (through fsspec), opened for reading bytes."""
    if is_url(path):
        fs, inner = url_fs(str(path))
        return fs.open(inner, "rb")
    return open(path, "rb")


def file_size(path: str | os.PathLike) -> int:
    """Bytes of a local file or a URL."""
    if is_url(path):
        fs, inner = url_fs(str(path))
        return fs.size(inner)
    return os.path.getsize(path)


def expand_url(pattern: str) -> list[str]:
    """The URLs a URL glob (``s3://bucket/archive/*.jsonl``) matches, sorted; the URL itself without magic."""
    import glob

    if not glob.has_magic(pattern):
        return [pattern]
    fs, inner = url_fs(pattern)
    return [fs.unstrip_protocol(p) for p in sorted(fs.glob(inner))]


def first_char(path: Path) -> bytes:
    """The first non-blank byte (b"" for none); reads chunks, as a line may be huge."""
    with open(path, "rb") as f:
        chunk = f.read(1 << 16).removeprefix(codecs.BOM_UTF8)
        while chunk:
            if head := chunk.lstrip():
                return head[:1]
            chunk = f.read(1 << 16)
    return b""


# -- standard input ----------------------------------------------------------------------
class Stdin:
    """Standard input as one corpus reads it: copied once to a temporary file (:meth:`spool`,
    so that the corpus is re-iterable), or read once as it arrives (:meth:`read_once`).

    Parameters
    ----------
    encoding : str
        Encoding of a text-only stand-in for ``sys.stdin`` (``io.StringIO``), to get bytes.
    """

    def __init__(self, encoding: str):
        self.encoding = encoding
        self._spooled: Path | None = None
        self._head: list[bytes] = []  # lines read to detect the format (see peek)
        self._consumed = False  # read once, by spool() or read_once()
        self._reader: Iterator[bytes] | None = None

    def spool(self) -> Path:
        """Copy standard input to a temporary file once, streaming, and return its path."""
        if self._spooled is None:
            _remove_stale_spools()
            self._consume()
            fd, name = tempfile.mkstemp(prefix=f"topics-stdin-{os.getpid()}-")
            weakref.finalize(self, _remove, name)
            with os.fdopen(fd, "wb") as out:
                out.writelines(self._head)
                if self._reader is not None:  # lines were read to detect the format: go on with them
                    out.writelines(self._reader)
                elif (buffer := getattr(sys.stdin, "buffer", None)) is not None:
                    shutil.copyfileobj(buffer, out)
                else:  # a text-only stream (e.g. io.StringIO)
                    for chunk in iter(lambda: sys.stdin.read(1 << 16), ""):
                        out.write(chunk.encode(self.encoding))
            self._spooled = Path(name)
        return self._spooled

    def peek(self) -> bytes:
        """Read standard input up to its first non-blank line (kept for the pass) and return it."""
        for line in self._lines():
            self._head.append(line)
            if line := line.removeprefix(codecs.BOM_UTF8).strip():
                return line
        return b""

    def read_once(self) -> Iterator[bytes]:
        """Standard input's lines, those :meth:`peek` read first; a second call raises CorpusError."""
        self._consume()
        return itertools.chain(self._head, self._lines())

    def _consume(self) -> None:
        if self._consumed:
            raise CorpusError("standard input was read already; it can be read once")
        self._consumed = True

    def _lines(self) -> Iterator[bytes]:
        """Standard input's lines as they arrive (a pipe's line is yielded without waiting for more);
        one iterator per corpus, so that lines read to detect the format are not lost."""
        if self._reader is None:
            try:
                self._reader = _fd_lines(sys.stdin.fileno())
            except (AttributeError, OSError, ValueError):  # a stand-in without a descriptor (tests, notebooks)
                buffer = getattr(sys.stdin, "buffer", None)
                self._reader = (
                    iter(buffer.readline, b"")
                    if buffer is not None
                    else (line.encode(self.encoding) for line in iter(sys.stdin.readline, ""))
                )
        return self._reader


def _fd_lines(fd: int) -> Iterator[bytes]:
    """Lines read from a file descriptor as they arrive. Read with os.read, not through
    ``sys.stdin``'s buffer: a thread left blocked here when the program exits holds no
    lock that the interpreter's shutdown would need (it aborts on a held buffer lock)."""
    parts: list[bytes] = []
    while chunk := os.read(fd, 1 << 16):
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            parts.append(chunk[start : end + 1])
            yield b"".join(parts)
            parts, start = [], end + 1
        if start < len(chunk):
            parts.append(chunk[start:])
    if parts:
        yield b"".join(parts)


def _remove_stale_spools() -> None:
    """Remove copies of standard input left by runs that were killed (their process is gone):
    a killed run cannot clean up after itself, so the next one does."""
    for path in Path(tempfile.gettempdir()).glob("topics-stdin-*-*"):
        pid = path.name.split("-")[2]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            _remove(str(path))
        except (PermissionError, OSError):
            pass  # alive (another user's), or unknowable: leave it


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(path)

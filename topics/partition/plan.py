"""Planning the parts of a tagging run: byte ranges of JSONL and lines files cut at line
starts, groups of a folder's files, whole CSV and ``.txt`` files; and the line each range
starts at, from line counts done by the workers (see :mod:`topics.partition`)."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..corpus import Corpus, file_size, open_binary

__all__ = ["Part", "count_lines", "number_lines", "plan_parts"]

_RANGED = ("jsonl", "lines")  # read line by line, with no record spanning lines: cut at any line start
_MIN_PART_BYTES = 64 << 10
_MAX_PART_BYTES = 64 << 20  # parts reach the output as they finish: not too big
_PARTS_PER_WORKER = 4  # enough to even out parts of unequal cost


@dataclass(frozen=True)
class Part:
    """A piece of the input one worker reads: a byte range or some files of one input."""

    index: int
    source: int  # which input (corpus) of the run
    path: str
    format: str
    start: int = 0
    stop: int | None = None
    files: tuple[str, ...] | None = None
    first_line: int = 1


def plan_parts(corpora: Sequence[Corpus], workers: int, part_bytes: int | None = None) -> list[Part]:
    """Cut the inputs into parts, in input order (line numbers not yet known: ``first_line`` 1).

    Parameters
    ----------
    corpora : sequence of Corpus
        Files or folders (not standard input).
    workers : int
        About ``4 × workers`` parts are made, so that parts of unequal cost even out.
    part_bytes : int, optional
        Bytes per range of a JSONL or lines file (default: the ranged input over the parts
        wanted, within 64 KiB-64 MiB). Folders are cut into as many groups of files.
    """
    ranged = [c for c in corpora if _ranged(c)]
    total = sum(file_size(_where(c)) for c in ranged)
    wanted = max(1, workers * _PARTS_PER_WORKER)
    if part_bytes is None:
        part_bytes = min(_MAX_PART_BYTES, max(_MIN_PART_BYTES, math.ceil(total / wanted)))
    parts: list[Part] = []
    for source, corpus in enumerate(corpora):
        base = Part(len(parts), source, _where(corpus), corpus.format)
        if _ranged(corpus):
            pieces = [{"start": a, "stop": b} for a, b in _byte_ranges(base.path, part_bytes)]
        elif corpus.limit is None and (files := corpus.files()):
            size = math.ceil(len(files) / wanted)
            pieces = [{"files": tuple(files[i : i + size])} for i in range(0, len(files), size)]
        else:  # CSV, one .txt file, a limited pass: read whole
            pieces = [{}]
        parts += [replace(base, index=len(parts) + i, **piece) for i, piece in enumerate(pieces)]
    return parts


def _where(corpus: Corpus) -> str:
    """The path or URL as given: workers open it, and messages name it so."""
    return corpus.url or str(corpus.path)


def _ranged(corpus: Corpus) -> bool:
    return corpus.format in _RANGED and corpus.limit is None and not corpus._stdin


def _byte_ranges(path: str | os.PathLike, part_bytes: int) -> list[tuple[int, int]]:
    """``[start, stop)`` ranges of about ``part_bytes``, each starting at a line start."""
    size = file_size(path)
    cuts = [0]
    with open_binary(path) as f:
        while (target := cuts[-1] + max(1, part_bytes)) < size:
            f.seek(target - 1)  # a line starts at `target` if the byte before it ends one
            while (chunk := f.read(1 << 16)) and (i := chunk.find(b"\n")) < 0:
                pass
            cut = f.tell() - len(chunk) + i + 1 if chunk else size
            if cut >= size:
                break
            cuts.append(cut)
    return list(zip(cuts, cuts[1:] + [size]))


def count_lines(path: str, start: int, stop: int) -> int:
    """Line ends in ``[start, stop)`` of ``path`` (run by a worker: the coordinator reads no input)."""
    n = 0
    with open_binary(path) as f:
        f.seek(start)
        left = stop - start
        while left > 0 and (chunk := f.read(min(1 << 20, left))):
            n += chunk.count(b"\n")
            left -= len(chunk)
    return n


def number_lines(executor, parts: list[Part]) -> list[Part]:
    """Give each range of a file the number of its first line, from line counts done by the workers."""
    later = [p for p, q in zip(parts, parts[1:]) if q.source == p.source and p.stop is not None]
    counts = {p.index: executor.submit(count_lines, p.path, p.start, p.stop) for p in later}
    numbered, line = [], 1
    for p in parts:
        if p.start == 0:
            line = 1
        numbered.append(replace(p, first_line=line))
        if p.index in counts:
            line += counts[p.index].result()
    return numbered

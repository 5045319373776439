"""What goes wrong while reading: :class:`CorpusError`, a record's place, and :class:`ReadReport`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

MAX_PROBLEMS = 100  # messages a report keeps (it counts them all)


class CorpusError(ValueError):
    """A corpus cannot be read; the message names the file (and line or record)."""


class Where(NamedTuple):
    """A record's place: prints as ``file:line`` (or ``file`` for a whole file)."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


class Problem(Protocol):
    """How a reader reports a bad record: skipped (the default) or repaired (``skipped=False``).

    Under ``on_error="fail"`` the call raises :class:`CorpusError` instead (see :class:`Corpus`)."""

    def __call__(self, where: Where, reason: str, skipped: bool = True) -> None: ...


@dataclass
class ReadReport:
    """What one pass over a corpus read and skipped.

    Attributes
    ----------
    n_read, n_skipped : int
        Articles yielded and records skipped.
    problems : list of str
        ``"file:line: reason"`` messages (skips and repaired records), at most 100.
    n_repaired : int
        Records read after a repair (bytes that were not UTF-8 replaced, ...).
    on_reject : callable, optional
        Called with ``{"file", "line", "reason"}`` for every skipped record (all of
        them, unlike ``problems``); ``line`` is None for a whole file.
    """

    n_read: int = 0
    n_skipped: int = 0
    problems: list[str] = field(default_factory=list)
    n_repaired: int = 0
    on_reject: Callable[[dict], None] | None = field(default=None, repr=False, compare=False)

    def _note(self, where: Where | str, reason: str, skipped: bool) -> None:
        self.n_skipped += skipped
        self.n_repaired += not skipped
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{where}: {reason}")
        if skipped and self.on_reject is not None:
            file, line = where if isinstance(where, tuple) else (str(where), None)
            self.on_reject({"file": file, "line": line, "reason": reason})

    def summary(self) -> str:
        """One line, e.g. ``"read 2,225 articles, skipped 3 (first: bbc/x.txt: empty text)"``."""
        text = f"read {self.n_read:,} article{'' if self.n_read == 1 else 's'}"
        if self.n_skipped:
            text += f", skipped {self.n_skipped:,}"
        if self.n_repaired:
            text += f", {self.n_repaired:,} repaired"
        return text + (f" (first: {self.problems[0]})" if self.problems else "")

    def __add__(self, other: ReadReport) -> ReadReport:
        """Combined report of two passes (e.g. the parts of a :class:`ChainCorpus`)."""
        problems = (self.problems + other.problems)[:MAX_PROBLEMS]
        return ReadReport(
            self.n_read + other.n_read, self.n_skipped + other.n_skipped, problems, self.n_repaired + other.n_repaired
        )

"""Progress of long stages on standard error: one live line per stage on a terminal, nothing elsewhere.

A :class:`Progress` is handed to the library's long-running functions (``train``,
``update``, ``write_report``...), which open one :meth:`Progress.stage` per step of
their work and tick it as they go. On a terminal each stage is a line that shows its
name, the count done (of the total, when known, with the percentage and an ETA), the
rate and the elapsed time, redrawn a few times a second (also while a stage has
nothing to count, so a long step never looks frozen); when the stage ends its line stays
with the final count and time. Elsewhere (a pipe, a log file, ``--quiet``) nothing is
written: scripts read results from standard output and errors from the exit status.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["Progress", "Stage", "as_progress", "plural"]

_IRREGULAR = {"pass": "passes", "measure": "measures", "batch": "batches"}
_RATED = ("article", "document")  # units whose rate is worth showing (not 2 figures/s)
_REDRAW = 0.1  # seconds between redraws when ticked
_TICK = 0.5  # seconds between redraws of a stage that is not ticked (elapsed time moves on)


def plural(unit: str, n: float) -> str:
    """``unit`` for ``n`` of them: ``1 article``, ``2 articles``, ``0 articles``, ``2 passes``."""
    if n == 1:
        return unit
    return _IRREGULAR.get(unit, unit + "s")


def _duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Stage:
    """One step of a long job; :meth:`update` it as work is done.

    Attributes
    ----------
    name : str
    total : int or None
        Units of work in the stage, when known.
    done : int
    unit : str
        What is counted (singular: ``article``, ``document``, ``fit``...).
    detail : str
        What the stage is doing right now (e.g. ``c_v``), shown after its name.
    """

    def __init__(self, progress: Progress, name: str, total: int | None, unit: str) -> None:
        self._progress = progress
        self.name, self.total, self.unit = name, total, unit
        self.done = 0
        self.detail = ""
        self.started = time.monotonic()
        self._drawn = 0.0

    def update(self, n: int = 1) -> None:
        """Count ``n`` more units done."""
        self.done += n
        if self._progress.enabled and time.monotonic() - self._drawn >= _REDRAW:
            self._progress._draw(self)

    def set(self, done: int, total: int | None = None, detail: str | None = None) -> None:
        """Set the count (and the total, and what is being done) outright."""
        self.done = done
        if total is not None:
            self.total = total
        if detail is not None:
            self.detail = detail
        if self._progress.enabled:
            self._progress._draw(self)

    def say(self, detail: str) -> None:
        """Show what the stage is doing now (a callable for code that reports in words)."""
        self.set(self.done, detail=detail)

    def line(self, final: bool = False) -> str:
        """The stage as one line of text."""
        elapsed = time.monotonic() - self.started
        parts = [self.name + (f": {self.detail}" if self.detail and not final else "")]
        if self.total is not None:
            parts.append(f"{self.done:,}/{self.total:,} {plural(self.unit, self.total)}")
            if self.total:
                parts.append(f"{min(1.0, self.done / self.total):4.0%}")
        elif self.done:
            parts.append(f"{self.done:,} {plural(self.unit, self.done)}")
        rate = self.done / elapsed if elapsed > 0 else 0.0
        if self.done and elapsed >= 0.5 and self.unit in _RATED:
            parts.append(f"{rate:,.0f} {plural(self.unit, 2)}/s" if rate >= 1 else f"{1 / rate:.1f} s/{self.unit}")
        if not final and self.total and self.done and rate > 0 and self.done < self.total:
            parts.append(f"ETA {_duration((self.total - self.done) / rate)}")
        parts.append(_duration(elapsed))
        return "  ".join(parts)


class Progress:
    """Stages of a long job, drawn on ``stream`` when it is a terminal.

    Parameters
    ----------
    enabled : bool, optional
        Draw progress; by default when ``stream`` is a terminal (and ``$TERM`` is not
        ``dumb``).
    stream : file, optional
        Where to draw (default: standard error).

    Examples
    --------
    >>> progress = Progress(enabled=False)
    >>> with progress.stage("Reading", total=3) as stage:
    ...     for _ in range(3):
    ...         stage.update()
    """

    def __init__(self, enabled: bool | None = None, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            enabled = _is_terminal(self.stream)
        self.enabled = bool(enabled)
        self._lock = threading.RLock()
        self._current: Stage | None = None
        self._width = 0

    @contextmanager
    def stage(self, name: str, total: int | None = None, unit: str = "article") -> Iterator[Stage]:
        """A stage of the job: drawn while the block runs, its final line left when it ends."""
        stage = Stage(self, name, total, unit)
        if not self.enabled:
            yield stage
            return
        stop = threading.Event()
        ticker = threading.Thread(target=self._tick, args=(stage, stop), daemon=True, name="topics-progress")
        ok = False
        try:  # (an interrupt may come at any point: the stage's line still says it stopped)
            with self._lock:
                self._current = stage
                self._draw(stage)
            ticker.start()
            yield stage
            ok = True
        finally:
            stop.set()
            if ticker.is_alive():
                ticker.join()
            with self._lock:
                self._current = None
                self._write(stage.line(final=True) + ("" if ok else "  (stopped)"), end="\n")

    def iter(self, iterable: Iterable, name: str, total: int | None = None, unit: str = "article") -> Iterator:
        """Iterate over ``iterable`` in a stage that counts its items."""
        with self.stage(name, total, unit) as stage:
            for item in iterable:
                yield item
                stage.update()

    def counting(self, corpus, name: str, unit: str = "article"):
        """``corpus`` (any iterable of articles), counted on a stage each time it is read.

        The total is ``corpus.size_hint()`` when the corpus knows it; other attributes
        (``report``, ``description``...) are the corpus's own.
        """
        return _CountedCorpus(corpus, self, name, unit) if self.enabled else corpus

    def message(self, text: str) -> None:
        """A line of its own (a note between stages), when progress is shown."""
        if self.enabled:
            self.write(text)

    def write(self, text: str) -> None:
        """Print ``text`` on the stream without garbling a live stage line (warnings, notes)."""
        with self._lock:
            if self._current is not None and self.enabled:
                self._write("", end="")  # clear the live line
                self.stream.write(text + "\n")
                self._draw(self._current)
            else:
                self.stream.write(text + "\n")
            self.stream.flush()

    # -- drawing ---------------------------------------------------------------------------
    def _tick(self, stage: Stage, stop: threading.Event) -> None:
        while not stop.wait(_TICK):
            with self._lock:
                if self._current is stage:
                    self._draw(stage)

    def _draw(self, stage: Stage) -> None:
        with self._lock:
            stage._drawn = time.monotonic()
            self._write(stage.line(), end="")

    def _write(self, text: str, end: str) -> None:
        columns = _columns(self.stream)
        if len(text) > columns - 1:
            text = text[: columns - 2] + "…"
        # \r and clear-to-end-of-line: the live line is redrawn in place
        self.stream.write("\r" + text + "\x1b[K" + end)
        self.stream.flush()


class _CountedCorpus:
    """A corpus whose passes are counted on a progress stage (see :meth:`Progress.counting`)."""

    def __init__(self, corpus, progress: Progress, name: str, unit: str) -> None:
        self._corpus, self._progress, self._name, self._unit = corpus, progress, name, unit

    def __iter__(self):
        hint = getattr(self._corpus, "size_hint", None)
        return self._progress.iter(self._corpus, self._name, hint() if hint else None, self._unit)

    def __getattr__(self, attr: str):
        return getattr(self._corpus, attr)


class _Messages(Progress):
    """A Progress for library callers that passed a plain ``callable(message)``: each stage's
    name (and what it reports doing) goes to the callable; nothing is drawn."""

    def __init__(self, say: Callable[[str], None]) -> None:
        super().__init__(enabled=False)
        self._say = say

    @contextmanager
    def stage(self, name: str, total: int | None = None, unit: str = "article") -> Iterator[Stage]:
        self._say(name)
        stage = Stage(self, name, total, unit)
        stage.say = self._say  # detail messages go to the callable as well
        yield stage

    def message(self, text: str) -> None:
        self._say(text)


def as_progress(progress: Progress | Callable[[str], None] | None, show_bar: bool = False) -> Progress:
    """A :class:`Progress` from what a library caller passed: a Progress, a callable taking
    messages (the older interface), or None (nothing shown, unless ``show_bar``)."""
    if isinstance(progress, Progress):
        return progress
    if callable(progress):
        return _Messages(progress)
    return Progress(enabled=show_bar and _is_terminal(sys.stderr))


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):  # closed or not a real stream
        return False


def _columns(stream) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or 100
    except (AttributeError, ValueError, OSError):
        return 100

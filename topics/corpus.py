"""Read news articles lazily from files, folders and standard input.

A :class:`Corpus` is re-iterable and streams: every pass re-opens its source and
yields :class:`Article` objects one at a time, so memory stays flat however big
the input is (a single ``.txt`` file is the only thing read whole). Bad records
are skipped and counted in :attr:`Corpus.report` (``on_error="skip"``) or raise
:class:`CorpusError` naming the file and line (``on_error="fail"``).

Examples
--------
>>> corpus = read_corpus("news.jsonl")                     # doctest: +SKIP
>>> for article in corpus:                                 # doctest: +SKIP
...     print(article.id, article.full_text[:60])
>>> print(corpus.report.summary())                         # doctest: +SKIP
read 2,225 articles, skipped 3 (first: news.jsonl:17: invalid JSON (...))
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import html
import itertools
import json
import os
import re
import shutil
import sys
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "FORMATS", "Article", "ChainCorpus", "Corpus", "CorpusError", "ReadReport", "UniqueIds",
    "default_corpus", "read_corpus", "reuters_common_labels",
]

FORMATS = ("auto", "txt", "dir", "lines", "jsonl", "csv", "labelled-dir", "reuters21578")
_DIR_FORMATS = ("dir", "labelled-dir", "reuters21578")
_SUFFIX_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "csv",
                   ".cor": "lines", ".txt": "txt"}
_MAX_PROBLEMS = 100
_SNIFF_BYTES = 8192
_HINT_BYTES = 256 << 20  # line files counted for a progress bar's total up to this size
MAX_CHARS = 1_000_000  # longest text read (characters); longer ones are cut and reported
_CSV_FIELD_LIMIT = 2**31 - 1  # csv stores the limit in a C long: sys.maxsize overflows on Windows
_MAX_TITLE = 120
# "key value" or "key: value"; the colon-less form only with a lowercase key, so
# that headlines such as "Title race heats up" or "Date set for poll" stay text.
_HEADER = re.compile(r"\s*(?P<key>date|title|source)(?P<sep>\s*:\s*|\s+)(?P<value>\S.*?)\s*", re.I)


class CorpusError(ValueError):
    """A corpus cannot be read; the message names the file (and line or record)."""


class _Part(NamedTuple):
    """What :meth:`Corpus.read_part` reads: a byte range of a file, or some files of a folder."""

    start: int = 0
    stop: int | None = None
    first_line: int = 1
    files: Sequence[str] | None = None


class _Where(NamedTuple):
    """A record's place: prints as ``file:line`` (or ``file`` for a whole file)."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Article:
    """One news article.

    Attributes
    ----------
    id : str
        Identifier, unique within a corpus.
    text : str
        Body text, stripped; never empty.
    title, date, source : str or None
        Optional metadata; ``date`` is kept as given (ISO 8601 preferred),
        ``source`` defaults to the file the article came from.
    labels : tuple of str or None
        ``None`` for an unlabelled article, ``()`` for a labelled one without labels.
    """

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    labels: tuple[str, ...] | None = None

    @property
    def full_text(self) -> str:
        """Title and text separated by a blank line (the text alone if it starts with the title)."""
        if self.title and not self.text.startswith(self.title):
            return f"{self.title}\n\n{self.text}"
        return self.text


@dataclass
class ReadReport:
    """What one pass over a corpus read and skipped.

    Attributes
    ----------
    n_read, n_skipped : int
        Articles yielded and records skipped.
    problems : list of str
        ``"file:line: reason"`` messages (skips and repaired records), at most 100.
    on_reject : callable, optional
        Called with ``{"file", "line", "reason"}`` for every skipped record (all of
        them, unlike ``problems``); ``line`` is None for a whole file.
    """

    n_read: int = 0
    n_skipped: int = 0
    problems: list[str] = field(default_factory=list)
    on_reject: Callable[[dict], None] | None = field(default=None, repr=False, compare=False)

    def _note(self, where: _Where | str, reason: str, skipped: bool) -> None:
        self.n_skipped += skipped
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(f"{where}: {reason}")
        if skipped and self.on_reject is not None:
            file, line = where if isinstance(where, tuple) else (str(where), None)
            self.on_reject({"file": file, "line": line, "reason": reason})

    def summary(self) -> str:
        """One line, e.g. ``"read 2,225 articles, skipped 3 (first: bbc/x.txt: empty text)"``."""
        text = f"read {self.n_read:,} article{'' if self.n_read == 1 else 's'}"
        if self.n_skipped:
            text += f", skipped {self.n_skipped:,}"
        elif self.problems:
            text += f", {len(self.problems):,} repaired"
        return text + (f" (first: {self.problems[0]})" if self.problems else "")

    def __add__(self, other: ReadReport) -> ReadReport:
        """Combined report of two passes (e.g. the parts of a :class:`ChainCorpus`)."""
        problems = (self.problems + other.problems)[:_MAX_PROBLEMS]
        return ReadReport(self.n_read + other.n_read, self.n_skipped + other.n_skipped, problems)


class Corpus:
    """Re-iterable lazy corpus of :class:`Article` objects.

    Parameters
    ----------
    path : str or os.PathLike
        File or folder, or ``"-"`` for standard input, which is spooled to a
        temporary file on first read (at construction when ``format="auto"``)
        so that the corpus stays re-iterable. A URL (``s3://bucket/news.jsonl``,
        ``file:///shared/news.jsonl``...) is opened with fsspec: JSONL, lines and CSV files.
    format : {"auto", "txt", "dir", "lines", "jsonl", "csv", "labelled-dir", "reuters21578"}
        ``"auto"`` picks the format from the folder layout, the file suffix or,
        for standard input, the first character (``{`` means JSON lines).
    text_field, id_field, title_field, date_field, labels_field : str
        Field (JSON lines) or column (CSV) names. Only ``text_field`` is required;
        a missing id defaults to ``"<file stem>-<line number>"``.
    label_sep : str
        Separator of labels given as one string.
    encoding : str
        Encoding of text files. Line-based formats split lines on the byte
        ``\\n``, so it must be ASCII-compatible (UTF-8, Latin-1, cp1252...).
        Undecodable bytes are replaced and reported. Reuters-21578 is always Latin-1.
    on_error : {"skip", "fail"}
        Skip bad records and count them in :attr:`report`, or raise
        :class:`CorpusError` at the first one. A file that cannot be read at
        all (binary, no text column in a CSV file) counts as one skipped record.
    split : {None, "train", "test"}
        Reuters-21578 only: the ModApte split (``LEWISSPLIT`` train or test,
        ``TOPICS="YES"`` and at least one topic). ``None`` reads every document.
    limit : int, optional
        Stop after this many articles.
    on_reject : callable, optional
        Called with ``{"file", "line", "reason"}`` for every record a pass skips
        (or, with ``on_error="fail"``, the one it stops at).
    max_chars : int or None, default=1,000,000
        Longer texts are cut to this many characters (about 150,000 words; reported, not
        skipped), so that one giant record cannot take a training run hostage. None: no cap.
    spool : bool, default=True
        Standard input only: copy it to a temporary file, so that the corpus is re-iterable
        (format ``"auto"`` then waits for the end of the input), or read it once, as it
        arrives (``False``: a pass yields each line's article as soon as the line is read, so
        a pipe that stays open is tagged line by line; a second pass raises CorpusError).

    Attributes
    ----------
    path : pathlib.Path
    format : str
        The resolved format, never ``"auto"``.
    report : ReadReport
        Reset when a pass starts, complete once a pass has finished.

    Examples
    --------
    >>> corpus = Corpus("bbc")                                  # doctest: +SKIP
    >>> corpus.format, corpus.has_labels()                      # doctest: +SKIP
    ('labelled-dir', True)
    """

    def __init__(self, path: str | os.PathLike, format: str = "auto", *, text_field: str = "text",
                 id_field: str = "id", title_field: str = "title", date_field: str = "date",
                 labels_field: str = "labels", label_sep: str = ";", encoding: str = "utf-8",
                 on_error: str = "skip", split: str | None = None, limit: int | None = None,
                 on_reject: Callable[[dict], None] | None = None, max_chars: int | None = MAX_CHARS,
                 spool: bool = True):
        if format not in FORMATS:
            raise ValueError(f"unknown format {format!r}; expected one of: {', '.join(FORMATS)}")
        if on_error not in ("skip", "fail"):
            raise ValueError(f"on_error must be 'skip' or 'fail', got {on_error!r}")
        if split not in (None, "train", "test"):
            raise ValueError(f"split must be None, 'train' or 'test', got {split!r}")
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be None or >= 0, got {limit!r}")
        if max_chars is not None and max_chars < 1:
            raise ValueError(f"max_chars must be None or >= 1, got {max_chars!r}")
        self.max_chars = max_chars
        try:
            codecs.lookup(encoding)  # fail now on a misspelt encoding, not mid-pass
        except LookupError:
            raise CorpusError(f"unknown text encoding {encoding!r} (e.g. utf-8, latin-1, cp1252, utf-16)") from None
        self.path = Path(path)
        self.url = str(path) if _is_url(path) else None  # opened with fsspec
        self.text_field, self.id_field, self.title_field = text_field, id_field, title_field
        self.date_field, self.labels_field, self.label_sep = date_field, labels_field, label_sep
        self.encoding, self.on_error, self.split, self.limit = encoding, on_error, split, limit
        self.on_reject = on_reject
        self.report = ReadReport()
        self._stdin = os.fspath(path) == "-"
        self._spooled: Path | None = None
        self.spool = spool
        self._head: list[bytes] = []  # lines of standard input read to detect its format (spool=False)
        self._consumed = False  # standard input read once (spool=False)
        self._stdin_reader: Iterator[bytes] | None = None
        self._id_format = "{stem}-{n}"  # id of "lines" articles; default_corpus() overrides it
        if self._stdin and format in _DIR_FORMATS:
            raise CorpusError(f"standard input ('-') holds one stream, not folders: format {format!r} cannot read it "
                              "(use jsonl, lines, csv or txt)")
        if self.url is not None:
            if not _url_fs(self.url)[0].isfile(_url_fs(self.url)[1]):
                raise CorpusError(f"{self.url}: no such file (a URL names one JSONL, lines or CSV file; "
                                  "for many, quote a glob such as 's3://bucket/archive/*.jsonl')")
        elif not self._stdin and not self.path.exists():
            raise CorpusError(f"{self.path}: no such file or directory")
        self.format = self._detect() if format == "auto" else format
        if self.format in ("lines", "jsonl", "csv") and codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):
            raise CorpusError(f"{path}: {self.format} is read line by line, which {encoding} cannot be; convert it "
                              f"to UTF-8 first (iconv -f {encoding} -t UTF-8), or keep one article per .txt file")
        if split is not None and self.format != "reuters21578":
            raise CorpusError(f"{self.path}: --split selects a Reuters-21578 ModApte split, but this corpus is "
                              f"read as {self.format!r}, not 'reuters21578'")
        self._check_layout()

    # -- public interface ------------------------------------------------------------
    def __iter__(self) -> Iterator[Article]:
        self.report = report = ReadReport(on_reject=self.on_reject)
        for article in itertools.islice(_unique_ids(self._valid(report)), self.limit):
            report.n_read += 1
            yield article

    @property
    def description(self) -> str:
        """``"<format>:<absolute path>"``, e.g. ``"jsonl:/data/news.jsonl"``."""
        return f"{self.format}:{'<stdin>' if self._stdin else self.url or self.path.resolve()}"

    def size_hint(self) -> int | None:
        """How many articles a pass will yield, when that is cheap to know, for progress bars.

        One per article file of a folder (skipped files make it an upper bound), the
        number of lines of a ``lines`` or ``jsonl`` file up to 256 MB (blank lines count
        too); None for other formats, larger files and standard input.
        """
        if self.format == "txt":
            n = 1
        elif self.format in ("dir", "labelled-dir"):
            n = sum(1 for _ in self._txt_files())
        elif (self.format in ("lines", "jsonl") and not self._stdin and self.url is None
              and self.path.stat().st_size <= _HINT_BYTES):
            with open(self.path, "rb") as f:
                n, last = 0, b"\n"
                while block := f.read(1 << 20):
                    n, last = n + block.count(b"\n"), block[-1:]
                n += last != b"\n"  # a last line without its newline
        else:
            return None
        return n if self.limit is None else min(n, self.limit)

    def has_labels(self) -> bool:
        """Whether any of the first 50 articles has labels (``labels is not None``)."""
        peek = self._valid(ReadReport())  # a private report: peeking must not clobber self.report
        try:
            return any(a.labels is not None for a in itertools.islice(peek, 50))
        finally:
            peek.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.description!r})"

    @property
    def options(self) -> dict:
        """The keyword arguments that open this corpus again (without ``on_reject``, ``limit``
        and ``spool``): what a worker process needs to read a part of it."""
        return {"text_field": self.text_field, "id_field": self.id_field, "title_field": self.title_field,
                "date_field": self.date_field, "labels_field": self.labels_field, "label_sep": self.label_sep,
                "encoding": self.encoding, "on_error": self.on_error, "split": self.split, "max_chars": self.max_chars}

    def files(self) -> list[str]:
        """The files of a folder corpus, in reading order, relative to :attr:`path`
        (``.sgm`` files for Reuters-21578); empty for a single-file corpus."""
        if self.format == "reuters21578":
            return sorted(p.name for p in self.path.glob("reut2-*.sgm"))
        if self.format in _DIR_FORMATS:
            # Sorting needs the whole listing, but that is paths, not contents.
            return sorted(p.relative_to(self.path).as_posix() for p in self._txt_files())
        return []

    def read_part(self, *, start: int = 0, stop: int | None = None, first_line: int = 1,
                  files: Sequence[str] | None = None) -> Iterator[Article]:
        """One part of a pass, for workers that read a corpus in parallel (:mod:`topics.partition`).

        Parameters
        ----------
        start, stop : int
            ``lines`` and ``jsonl`` files: the byte range ``[start, stop)`` to read; ``start``
            must be the start of a line, ``stop`` (None: the end) the start of another.
        first_line : int
            The line number of ``start``, for default ids and ``file:line`` messages.
        files : sequence of str, optional
            Folder corpora: these files of :meth:`files` only.

        Ids are left as read: the caller makes them unique across parts, in input order, with
        :class:`UniqueIds` (as a whole pass does). :attr:`report` is the part's. ``limit``
        applies to the part: split a limited corpus in one part only.
        """
        self.report = report = ReadReport(on_reject=self.on_reject)
        for article in itertools.islice(self._valid(report, _Part(start, stop, first_line, files)), self.limit):
            report.n_read += 1
            yield article

    # -- setup -----------------------------------------------------------------------
    def _detect(self) -> str:
        if self._stdin and not self.spool:
            return "jsonl" if self._peek_stdin().lstrip().startswith(b"{") else "txt"
        if self._stdin:
            return "jsonl" if self._starts_with_brace(self._spool()) else "txt"
        p = self.path
        if p.is_dir():
            if next(p.glob("reut2-*.sgm"), None):
                return "reuters21578"
            # README.TXT / LICENSE.txt next to label folders (as in BBC News) do not make a flat dir.
            top = [f for f in p.iterdir() if f.is_file() and _is_txt(f.name)]
            subs = [d for d in p.iterdir() if d.is_dir() and not d.name.startswith(".")]
            if not top and any(next(_walk_txt(d), None) for d in subs):
                return "labelled-dir"
            return "dir"
        suffix = p.suffix.lower()
        if suffix == ".json":
            raise CorpusError(f"{p}: a .json file is not supported; write one JSON object per "
                              "line to a .jsonl file (format 'jsonl')")
        if suffix not in _SUFFIX_FORMATS:
            raise CorpusError(f"{p}: cannot tell the format from suffix {suffix or '(none)'!r}; "
                              f"pass format=, one of: {', '.join(FORMATS[1:])}")
        return _SUFFIX_FORMATS[suffix]

    def _check_layout(self) -> None:
        if self.url is not None and self.format not in ("lines", "jsonl", "csv"):
            raise CorpusError(f"{self.url}: URLs are read as JSONL, lines or CSV files, not as {self.format!r}")
        if self._stdin or self.url is not None:
            return
        if self.format in _DIR_FORMATS:
            if not self.path.is_dir():
                raise CorpusError(f"{self.path}: format {self.format!r} expects a directory")
            pattern = ("reut2-*.sgm files" if self.format == "reuters21578"
                       else ".txt, .text, .md or suffix-less files")
            found = (next(self.path.glob("reut2-*.sgm"), None) if self.format == "reuters21578"
                     else next(self._txt_files(), None))
            if found is None:
                raise CorpusError(f"{self.path}: no articles ({pattern}) found")
        elif not self.path.is_file():
            raise CorpusError(f"{self.path}: format {self.format!r} expects a file")

    def _spool(self) -> Path:
        """Copy standard input to a temporary file once, streaming, and return its path."""
        if self._spooled is None:
            _remove_stale_spools()
            if self._consumed:
                raise CorpusError("standard input was read already; it can be read once")
            self._consumed = True
            fd, name = tempfile.mkstemp(prefix=f"topics-stdin-{os.getpid()}-")
            weakref.finalize(self, _remove, name)
            with os.fdopen(fd, "wb") as out:
                out.writelines(self._head)
                if self._stdin_reader is not None:  # lines were read to detect the format: go on with them
                    out.writelines(self._stdin_reader)
                elif (buffer := getattr(sys.stdin, "buffer", None)) is not None:
                    shutil.copyfileobj(buffer, out)
                else:  # a text-only stream (e.g. io.StringIO)
                    for chunk in iter(lambda: sys.stdin.read(1 << 16), ""):
                        out.write(chunk.encode(self.encoding))
            self._spooled = Path(name)
        return self._spooled

    def _peek_stdin(self) -> bytes:
        """Read standard input up to its first non-blank line (kept for the pass) and return it."""
        for line in self._stdin_lines():
            self._head.append(line)
            if line := line.removeprefix(codecs.BOM_UTF8).strip():
                return line
        return b""

    def _stdin_lines(self) -> Iterator[bytes]:
        """Standard input's lines as they arrive (a pipe's line is yielded without waiting for more);
        one iterator per corpus, so that lines read to detect the format are not lost."""
        if self._stdin_reader is None:
            try:
                self._stdin_reader = _fd_lines(sys.stdin.fileno())
            except (AttributeError, OSError, ValueError):  # a stand-in without a descriptor (tests, notebooks)
                buffer = getattr(sys.stdin, "buffer", None)
                self._stdin_reader = (iter(buffer.readline, b"") if buffer is not None else
                                      (line.encode(self.encoding) for line in iter(sys.stdin.readline, "")))
        return self._stdin_reader

    @contextlib.contextmanager
    def _opened(self, part: _Part | None = None):
        """(binary lines, name for messages, stem for default ids) of a single-file corpus,
        from the start of ``part``."""
        if self._stdin and not self.spool:
            if self._consumed:
                raise CorpusError("standard input was read already; it can be read once")
            self._consumed = True
            yield itertools.chain(self._head, self._stdin_lines()), "<stdin>", "stdin"
            return
        path, name, stem = self._source()
        with open_binary(self.url or path) as f:
            if part is not None and part.start:
                f.seek(part.start)
            yield f, name, stem

    @staticmethod
    def _starts_with_brace(path: Path) -> bool:
        """Whether the first non-blank character is "{"; reads chunks, as a line may be huge."""
        with open(path, "rb") as f:
            chunk = f.read(1 << 16).removeprefix(codecs.BOM_UTF8)
            while chunk:
                if head := chunk.lstrip():
                    return head.startswith(b"{")
                chunk = f.read(1 << 16)
        return False

    # -- reading ---------------------------------------------------------------------
    def _problem(self, report: ReadReport, where: _Where, reason: str, skipped: bool = True) -> None:
        if self.on_error == "fail":  # the record stops the pass, so it is rejected even if repairable
            if report.on_reject is not None:
                report.on_reject({"file": where.file, "line": where.line, "reason": reason})
            raise CorpusError(f"{where}: {reason}")
        report._note(where, reason, skipped)

    def _valid(self, report: ReadReport, part: _Part | None = None) -> Iterator[Article]:
        reader = {"txt": self._read_txt, "dir": self._read_dir, "labelled-dir": self._read_dir,
                  "lines": self._read_lines, "jsonl": self._read_jsonl, "csv": self._read_csv,
                  "reuters21578": self._read_reuters}[self.format]
        for where, article in reader(report, part):
            if not article.text:
                self._problem(report, where, "empty text")
                continue
            if self.max_chars is not None and len(article.text) > self.max_chars:
                self._problem(report, where, f"text of {len(article.text):,} characters cut to {self.max_chars:,}", False)
                article = dataclasses.replace(article, text=article.text[: self.max_chars])
            yield article

    def _source(self) -> tuple[Path, str, str]:
        """(path to open, name for messages, stem for default ids) of a single-file corpus."""
        if self._stdin:
            return self._spool(), "<stdin>", "stdin"
        return self.path, self.url or str(self.path), self.path.stem

    def _lines(self, report: ReadReport, f, name: str, part: _Part | None = None) -> Iterator[tuple[int, str]]:
        """Decode binary lines (of ``part``), keeping line endings; repair bad bytes."""
        first, left = (1, None) if part is None else (part.first_line, None if part.stop is None else part.stop - part.start)
        for lineno, raw in enumerate(f, first):
            if left is not None:
                if left <= 0:
                    break
                left -= len(raw)
            try:
                line = raw.decode(self.encoding)
            except UnicodeDecodeError:
                self._problem(report, _Where(name, lineno), f"invalid {self.encoding.upper()}, replaced", False)
                line = raw.decode(self.encoding, errors="replace")
            yield lineno, line.removeprefix("\ufeff") if lineno == 1 else line

    def _text_file(self, report: ReadReport, path: Path, name: str, id: str,
                   labels: tuple[str, ...] | None = None) -> tuple[_Where, Article] | None:
        try:
            data = path.read_bytes()  # one article: the only input read whole
        except OSError as e:  # unreadable, or a folder named *.txt: skip it like a bad record
            self._problem(report, _Where(name), f"cannot be read ({e.strerror or e})")
            return None
        wide = codecs.lookup(self.encoding).name.startswith(("utf-16", "utf-32"))  # NUL bytes are normal there
        if not wide and b"\0" in data[:_SNIFF_BYTES]:
            self._problem(report, _Where(name), "binary file")
            return None
        try:
            text = data.decode(self.encoding)
        except UnicodeDecodeError as e:
            if _looks_binary(data.decode(self.encoding, errors="replace")):
                self._problem(report, _Where(name), "binary file")
                return None
            line = data.count(b"\n", 0, e.start) + 1
            self._problem(report, _Where(name, line), f"invalid {self.encoding.upper()}, replaced", False)
            text = data.decode(self.encoding, errors="replace")
        if _looks_binary(text):
            self._problem(report, _Where(name), "binary file")
            return None
        meta, body = _parse_txt(_normalize(text))
        return _Where(name), Article(id=id, text=body, title=meta.get("title"), date=meta.get("date"),
                             source=meta.get("source", name), labels=labels)

    def _read_txt(self, report: ReadReport, part: _Part | None = None) -> Iterator[tuple[_Where, Article]]:
        path, name, stem = self._source()
        if item := self._text_file(report, path, name, stem):
            yield item

    def _txt_files(self) -> Iterator[Path]:
        if self.format == "dir":
            return _walk_txt(self.path)
        # labelled-dir: only files inside label folders count
        subs = sorted(d for d in self.path.iterdir() if d.is_dir() and not d.name.startswith("."))
        return itertools.chain.from_iterable(_walk_txt(d) for d in subs)

    def _read_dir(self, report: ReadReport, part: _Part | None = None) -> Iterator[tuple[_Where, Article]]:
        labelled = self.format == "labelled-dir"
        for rel in map(Path, self.files() if part is None or part.files is None else part.files):
            labels = (rel.parts[0],) if labelled else None
            if item := self._text_file(report, self.path / rel, str(self.path / rel),
                                       rel.with_suffix("").as_posix(), labels):
                yield item

    def _read_lines(self, report: ReadReport, part: _Part | None = None) -> Iterator[tuple[_Where, Article]]:
        with self._opened(part) as (f, name, stem):
            for n, line in self._lines(report, f, name, part):
                if text := line.strip():
                    yield _Where(name, n), Article(self._id_format.format(stem=stem, n=n), text, source=name)

    def _read_jsonl(self, report: ReadReport, part: _Part | None = None) -> Iterator[tuple[_Where, Article]]:
        with self._opened(part) as (f, name, stem):
            for n, line in self._lines(report, f, name, part):
                if not (line := line.strip()):
                    continue
                where = _Where(name, n)
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as e:
                    self._problem(report, where, f"invalid JSON ({e.msg} at column {e.colno})")
                    continue
                except RecursionError:
                    self._problem(report, where, "invalid JSON (nested too deeply)")
                    continue
                if not isinstance(record, dict):
                    self._problem(report, where, f"expected a JSON object, got {type(record).__name__}")
                elif article := self._record(report, where, record, f"{stem}-{n}", name):
                    yield where, article

    def _read_csv(self, report: ReadReport, part: _Part | None = None) -> Iterator[tuple[_Where, Article]]:
        csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
        delimiter = "\t" if self.path.suffix.lower() == ".tsv" else ","  # a quoted field may span lines: never split
        with self._opened() as (f, name, stem):
            # strict: a quote left open fails at the end of the file instead of silently
            # merging every later row into one field
            rows = csv.reader((line for _, line in self._lines(report, f, name)), delimiter=delimiter, strict=True)
            try:
                header = [column.strip() for column in next(rows, [])]
            except csv.Error as e:
                self._problem(report, _Where(name, 1), f"unreadable header row ({e})")
                return
            if self.text_field not in header:
                # Every row lacks its text: under "skip" that is one skipped file, not an abort.
                columns = ", ".join(map(repr, header))
                reason = (f"no {self.text_field!r} column (columns: {columns})" if header
                          else "no header row (empty file)")
                self._problem(report, _Where(name, 1 if header else None), reason)
                return
            next_line = rows.line_num + 1
            while True:
                # a quoted field may span lines: a record starts after the previous one ended
                n = next_line
                try:
                    row = next(rows)
                except StopIteration:
                    break
                except csv.Error as e:  # the reader resumes at the next line: skip this record
                    spanned = rows.line_num - n + 1
                    next_line = rows.line_num + 1
                    why = f"malformed CSV row ({e})"
                    if spanned > 1:
                        why = f"malformed CSV row ({e}; a quote opened here is never closed: lines {n}-{rows.line_num} skipped)"
                    self._problem(report, _Where(name, n), why)
                    continue
                next_line = rows.line_num + 1
                where = _Where(name, n)
                if not row:
                    continue
                if len(row) != len(header):
                    self._problem(report, where, f"expected {len(header)} fields, got {len(row)}")
                elif article := self._record(report, where, dict(zip(header, row)), f"{stem}-{n}", name):
                    yield where, article

    def _record(self, report: ReadReport, where: _Where, record: dict, default_id: str,
                name: str) -> Article | None:
        """Article from a JSON object or CSV row; None (after reporting) when invalid."""
        text = record.get(self.text_field)
        if not isinstance(text, str):
            reason = "missing" if text is None else "non-string"
            self._problem(report, where, f"{reason} {self.text_field!r} field")
            return None
        labels = record.get(self.labels_field)
        if isinstance(labels, str):
            labels = tuple(s for s in (p.strip() for p in labels.split(self.label_sep)) if s)
        elif isinstance(labels, list) and all(isinstance(s, str) for s in labels):
            labels = tuple(s.strip() for s in labels if s.strip())
        elif labels is not None:
            self._problem(report, where, f"{self.labels_field!r} must be a string or a list of strings")
            return None

        def get(key: str) -> str | None:
            value = record.get(key)
            if value is None:
                return None
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                # a list or an object is no id or title: dropped and reported, never its repr
                self._problem(report, where, f"{key!r} must be a string or a number, got {type(value).__name__}: ignored", False)
                return None
            return str(value).strip() or None  # blank is absent

        return Article(id=get(self.id_field) or default_id, text=_normalize(text).strip(),
                       title=get(self.title_field), date=get(self.date_field),
                       source=get("source") or name, labels=labels)

    def _read_reuters(self, report: ReadReport, part: _Part | None = None) -> Iterator[tuple[_Where, Article]]:
        for path in (self.path / f for f in (self.files() if part is None or part.files is None else part.files)):
            name, block, start = str(path), None, 0
            with open(path, "rb") as f:
                for n, raw in enumerate(f, 1):
                    line = raw.decode("latin-1")  # the distribution's encoding; never fails
                    if block is None:
                        if (i := line.find("<REUTERS")) < 0:
                            continue
                        block, start, line = [], n, line[i:]
                    block.append(line)
                    if "</REUTERS>" in line:
                        if article := _reuters_article("".join(block), self.split, name):
                            yield _Where(name, start), article
                        block = None
            if block is not None:
                self._problem(report, _Where(name, start), "unterminated <REUTERS> element")


class ChainCorpus:
    """Re-iterable concatenation of corpora, with the :class:`Corpus` interface.

    Ids stay unique across the chain (a repeated id gets ``"#2"``, ``"#3"``...).

    Parameters
    ----------
    *corpora : Corpus or ChainCorpus
    """

    format = "chain"

    def __init__(self, *corpora: Corpus | ChainCorpus):
        if not corpora:
            raise ValueError("ChainCorpus needs at least one corpus")
        self.corpora = list(corpora)

    def __iter__(self) -> Iterator[Article]:
        return _unique_ids(itertools.chain.from_iterable(self.corpora))

    @property
    def on_reject(self) -> Callable[[dict], None] | None:
        """Called for every skipped record of every part (see :class:`Corpus`)."""
        return self.corpora[0].on_reject

    @on_reject.setter
    def on_reject(self, callback: Callable[[dict], None] | None) -> None:
        for corpus in self.corpora:
            corpus.on_reject = callback

    @property
    def report(self) -> ReadReport:
        """Reports of the parts added up."""
        return sum((c.report for c in self.corpora), ReadReport())

    @property
    def description(self) -> str:
        return " + ".join(c.description for c in self.corpora)

    def size_hint(self) -> int | None:
        """The parts' :meth:`Corpus.size_hint` added up (None if one is unknown)."""
        hints = [c.size_hint() for c in self.corpora]
        return None if None in hints else sum(hints)

    def has_labels(self) -> bool:
        return any(c.has_labels() for c in self.corpora)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.description!r})"


def read_corpus(path: str | os.PathLike, format: str = "auto", **options) -> Corpus:
    """Open a corpus; an alias of :class:`Corpus` (same parameters)."""
    return Corpus(path, format, **options)


def default_corpus(seeds_dir: str | os.PathLike | None = None) -> ChainCorpus:
    """Gensim's Lee background corpus (300 articles) followed by the seed articles.

    Parameters
    ----------
    seeds_dir : str or os.PathLike, optional
        Folder of extra ``.txt`` articles, read as format ``"dir"``. Defaults to
        the example articles shipped with the toolkit (``seeds/`` in the repository,
        installed as ``topics.seeds``), silently left out when missing or empty.
        An explicitly given folder must exist.

    Returns
    -------
    ChainCorpus
        Lee articles have ids ``"lee-0001"`` to ``"lee-0300"``.
    """
    from gensim.test.utils import datapath  # deferred: importing gensim takes a while

    lee = Corpus(datapath("lee_background.cor"), "lines")
    lee._id_format = "lee-{n:04d}"
    if seeds_dir is None:
        seeds = _packaged_seeds()
    elif not (seeds := Path(seeds_dir)).is_dir():
        raise CorpusError(f"{seeds}: no such directory")
    if seeds.is_dir() and next(_walk_txt(seeds), None):
        return ChainCorpus(lee, Corpus(seeds, "dir"))
    return ChainCorpus(lee)


def _packaged_seeds() -> Path:
    from importlib.util import find_spec

    spec = find_spec("topics.seeds")  # a data-only (namespace) package: take its folder
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    return Path(__file__).resolve().parents[1] / "seeds"  # a plain source checkout


def reuters_common_labels(corpus_train: Iterable[Article], corpus_test: Iterable[Article]) -> set[str]:
    """Labels occurring in both splits: the usual 90 categories of ModApte.

    A function rather than a reader option because it needs a full pass over
    both splits; filter with it afterwards::

        common = reuters_common_labels(train, test)
        labels = [set(a.labels) & common for a in train]
    """
    def labels(corpus: Iterable[Article]) -> set[str]:
        return {label for article in corpus for label in article.labels or ()}

    return labels(corpus_train) & labels(corpus_test)


# -- helpers ---------------------------------------------------------------------------
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


def _is_url(path: str | os.PathLike) -> bool:
    return isinstance(path, str) and "://" in path


def _url_fs(url: str):
    """(fsspec file system, path within it) of ``url``."""
    try:
        from fsspec.core import url_to_fs
    except ImportError:  # pragma: no cover - fsspec comes with the dask extra
        from .extras import install_hint

        raise ImportError(f"reading URLs needs fsspec: {install_hint('dask')}") from None
    return url_to_fs(url)


def open_binary(path: str | os.PathLike):
    """A local file or a URL (through fsspec), opened for reading bytes."""
    if _is_url(path):
        fs, inner = _url_fs(str(path))
        return fs.open(inner, "rb")
    return open(path, "rb")


def file_size(path: str | os.PathLike) -> int:
    """Bytes of a local file or a URL."""
    if _is_url(path):
        fs, inner = _url_fs(str(path))
        return fs.size(inner)
    return os.path.getsize(path)


def expand_url(pattern: str) -> list[str]:
    """The URLs a URL glob (``s3://bucket/archive/*.jsonl``) matches, sorted; the URL itself without magic."""
    import glob

    if not glob.has_magic(pattern):
        return [pattern]
    fs, inner = _url_fs(pattern)
    return [fs.unstrip_protocol(p) for p in sorted(fs.glob(inner))]


def _looks_binary(text: str) -> bool:
    """True when over a tenth of the first 4,096 characters are control characters (other
    than line and tab breaks) or replaced bytes: a binary file without NUL bytes."""
    sample = text[:4096]
    odd = sum(1 for c in sample if (c < " " and c not in "\t\n\r\f\v") or c in "\x7f\ufffd")
    return len(sample) > 0 and odd > len(sample) / 10


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


_ARTICLE_SUFFIXES = (".txt", ".text", ".md")


def _is_txt(name: str) -> bool:
    """An article file of a folder corpus: ``.txt``, ``.text``, ``.md``, or a name without a
    suffix (many corpora name files by number); never a hidden file or a README/LICENSE."""
    if name.startswith(".") or name.lower().startswith(("readme", "license", "copying")):
        return False
    suffix = os.path.splitext(name)[1].lower()
    return suffix in _ARTICLE_SUFFIXES or suffix == ""


def _walk_txt(root: Path) -> Iterator[Path]:
    """Lazily yield the article files under root (any order), skipping hidden entries."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        yield from (Path(dirpath, f) for f in filenames if _is_txt(f))


def _normalize(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _parse_txt(text: str) -> tuple[dict[str, str], str]:
    """Split a text file into header fields (date/title/source) and body.

    The header is the first paragraph when every line in it is a ``key value``
    line. Without a header title, a short first line followed by a blank line
    (the BBC News layout) becomes the title.
    """
    lines = text.split("\n")
    i = next((k for k, line in enumerate(lines) if line.strip()), len(lines))
    meta: dict[str, str] = {}
    j = i
    while j < len(lines) and lines[j].strip():
        m = _HEADER.fullmatch(lines[j])
        if not m or (":" not in m["sep"] and not m["key"].islower()):
            meta, j = {}, i
            break
        meta[m["key"].lower()] = m["value"]
        j += 1
    body = lines[j:]
    if "title" not in meta:
        k = next((k for k, line in enumerate(body) if line.strip()), len(body))
        first = body[k].strip() if k < len(body) else ""
        rest = "\n".join(body[k + 2:])
        if (first and len(first) <= _MAX_TITLE and not first.endswith(".")
                and k + 1 < len(body) and not body[k + 1].strip() and rest.strip()):
            meta["title"], body = first, body[k + 2:]
    return meta, "\n".join(body).strip()


class UniqueIds:
    """Makes the ids of one pass unique, deterministically: the 2nd "x" becomes "x#2", the 3rd
    "x#3"... Call it with each id in input order; it returns the id to use."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def __call__(self, id: str) -> str:
        seen = self._seen
        n = seen.get(id, 0)
        seen[id] = n + 1
        if not n:
            return id
        while (new := f"{id}#{n + 1}") in seen:
            n += 1
        seen[id] = n + 1
        seen[new] = 1
        return new


def _unique_ids(articles: Iterable[Article]) -> Iterator[Article]:
    unique = UniqueIds()
    for article in articles:
        if (new := unique(article.id)) != article.id:
            article = replace(article, id=new)
        yield article


# -- Reuters-21578 SGML ----------------------------------------------------------------
def _element(tag: str) -> re.Pattern:
    return re.compile(rf"<{tag}>(.*?)</{tag}>", re.S)


_R_OPEN = re.compile(r"<REUTERS\b([^>]*)>")
_R_ATTR = re.compile(r'(\w+)="([^"]*)"')
_R_TITLE, _R_DATE, _R_BODY, _R_TOPICS, _R_D = map(_element, ("TITLE", "DATE", "BODY", "TOPICS", "D"))
_R_TEXT = re.compile(r"<TEXT[^>]*>(.*?)</TEXT>", re.S)
_R_MARKUP = re.compile(r"<(TITLE|DATELINE)>.*?</\1>|<[^>]+>", re.S)
_R_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_R_SIGNATURE = re.compile(r"(?:\s*\bReuter\b)+\s*$", re.I)  # some stories sign twice


def _clean(sgml: str) -> str:
    """Decode entities (``&lt;``, ``&#3;``...) and drop control characters."""
    return _R_CONTROL.sub("", html.unescape(sgml)).strip()


def _sgml_text(pattern: re.Pattern, block: str) -> str:
    match = pattern.search(block)
    return _clean(match.group(1)) if match else ""


def _reuters_article(block: str, split: str | None, source: str) -> Article | None:
    """Article from one <REUTERS> element, or None when ``split`` excludes it."""
    attrs = dict(_R_ATTR.findall(_R_OPEN.search(block).group(1)))
    topics = _R_TOPICS.search(block)
    labels = tuple(_clean(d) for d in _R_D.findall(topics.group(1))) if topics else ()
    if split and (attrs.get("LEWISSPLIT") != split.upper() or attrs.get("TOPICS") != "YES" or not labels):
        return None
    title = _R_SIGNATURE.sub("", " ".join(_sgml_text(_R_TITLE, block).split()))
    text = _R_SIGNATURE.sub("", _sgml_text(_R_BODY, block))
    if not text and (raw := _R_TEXT.search(block)):
        # TYPE="UNPROC" stories hold raw text without <BODY>; TYPE="BRIEF" ones only a
        # headline and a "Blah blah blah." filler, so their text is the title.
        rest = _clean(_R_MARKUP.sub("", raw.group(1))).replace("Blah blah blah.", "")
        text = _R_SIGNATURE.sub("", rest.strip("* \n"))
    return Article(id=f"reuters-{attrs.get('NEWID', '?')}", text=text or title, title=title or None,
                   date=_sgml_text(_R_DATE, block) or None, source=source, labels=labels)

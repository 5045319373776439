"""The :class:`Corpus`: options, format detection, passes and their reports, parts of a pass.

A pass streams ``(place, article)`` pairs from the format's reader (:mod:`.folders`,
:mod:`.records`, :mod:`.reuters`), drops empty texts, cuts long ones and counts what it
read and skipped into a :class:`~.problems.ReadReport` of its own.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import functools
import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from . import folders, records, reuters
from .article import Article, unique_ids
from .problems import CorpusError, ReadReport, Where
from .sources import Stdin, first_char, is_url, open_binary, url_fs
from .text import MAX_CHARS, is_wide

FORMATS = ("auto", "txt", "dir", "lines", "jsonl", "json", "csv", "xml", "labelled-dir", "reuters21578")
_DIR_FORMATS = ("dir", "labelled-dir", "reuters21578")
# a file's format by its suffix: what a folder reads one article from, files of records
_SUFFIX_FORMATS = {
    **{suffix: "txt" for suffix in (*folders.TEXT_SUFFIXES, *folders.HTML_SUFFIXES) if suffix},
    **folders.RECORD_SUFFIXES,
    ".cor": "lines",
}
_READERS = {
    "txt": folders.read_txt,
    "dir": folders.read_dir,
    "labelled-dir": folders.read_dir,
    "lines": records.read_lines,
    "jsonl": records.read_jsonl,
    "json": records.read_json,
    "xml": records.read_xml,
    "csv": records.read_csv,
    "reuters21578": reuters.read_reuters,
}
_HINT_BYTES = 256 << 20  # line files counted for a progress bar's total up to this size


class Part(NamedTuple):
    """What :meth:`Corpus.read_part` reads: a byte range of a file, or some files of a folder."""

    start: int = 0
    stop: int | None = None
    first_line: int = 1
    files: Sequence[str] | None = None


class Corpus:
    """Re-iterable lazy corpus of :class:`Article` objects.

    Parameters
    ----------
    path : str or os.PathLike
        File or folder, or ``"-"`` for standard input, which is spooled to a
        temporary file on first read (at construction when ``format="auto"``)
        so that the corpus stays re-iterable. A URL (``s3://bucket/news.jsonl``,
        ``file:///shared/news.jsonl``...) is opened with fsspec: JSONL, lines and CSV files.
    format : {"auto", "txt", "dir", "lines", "jsonl", "json", "csv", "xml", "labelled-dir", "reuters21578"}
        ``"auto"`` picks the format from the folder layout, the file suffix or,
        for standard input, the first character (``{`` means JSON lines).
    text_field, id_field, title_field, date_field, labels_field : str, optional
        Field (JSON lines) or column (CSV) names. None (default): the usual names, in any
        case (text, body, content, article, story...; title, headline...; id, guid...;
        date, published...; labels, label: ``topics.corpus.records.FIELD_NAMES``), and a
        record with a headline but no text is its headline. Only the text is required;
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
        What the last pass that ended read and skipped (empty before the first one).

    Examples
    --------
    >>> corpus = Corpus("bbc")                                  # doctest: +SKIP
    >>> corpus.format, corpus.has_labels()                      # doctest: +SKIP
    ('labelled-dir', True)
    """

    def __init__(
        self,
        path: str | os.PathLike,
        format: str = "auto",
        *,
        text_field: str | None = None,
        id_field: str | None = None,
        title_field: str | None = None,
        date_field: str | None = None,
        labels_field: str | None = None,
        label_sep: str = ";",
        encoding: str = "utf-8",
        on_error: str = "skip",
        split: str | None = None,
        limit: int | None = None,
        on_reject: Callable[[dict], None] | None = None,
        max_chars: int | None = MAX_CHARS,
        spool: bool = True,
    ):
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
        self.url = str(path) if is_url(path) else None  # opened with fsspec
        self.text_field, self.id_field, self.title_field = text_field, id_field, title_field
        self.date_field, self.labels_field, self.label_sep = date_field, labels_field, label_sep
        self.encoding, self.on_error, self.split, self.limit = encoding, on_error, split, limit
        self.on_reject = on_reject
        self.report = ReadReport()
        self._stdin = os.fspath(path) == "-"
        self._stdin_source = Stdin(encoding) if self._stdin else None
        self.spool = spool
        self._id_format = "{stem}-{n}"  # id of "lines" articles; default_corpus() overrides it
        self._stem: str | None = None  # default ids' stem when not the file's (reopen())
        if self._stdin and format in _DIR_FORMATS:
            raise CorpusError(
                f"standard input ('-') holds one stream, not folders: format {format!r} cannot read it "
                "(use jsonl, lines, csv or txt)"
            )
        if self.url is not None:
            fs, inner = url_fs(self.url)
            if not fs.isfile(inner):
                raise CorpusError(
                    f"{self.url}: no such file (a URL names one JSONL, lines or CSV file; "
                    "for many, quote a glob such as 's3://bucket/archive/*.jsonl')"
                )
        elif not self._stdin and not self.path.exists():
            raise CorpusError(f"{self.path}: no such file or directory")
        self.format = self._detect() if format == "auto" else format
        if self.format in ("lines", "jsonl", "csv") and is_wide(encoding):
            raise CorpusError(
                f"{path}: {self.format} is read line by line, which {encoding} cannot be; convert it "
                f"to UTF-8 first (iconv -f {encoding} -t UTF-8), or keep one article per .txt file"
            )
        if split is not None and self.format != "reuters21578":
            raise CorpusError(
                f"{self.path}: --split selects a Reuters-21578 ModApte split, but this corpus is "
                f"read as {self.format!r}, not 'reuters21578'"
            )
        self._check_layout()

    # -- public interface ------------------------------------------------------------
    def __iter__(self) -> Iterator[Article]:
        return self._pass()

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
            n = sum(1 for _ in folders.article_files(self.path, self.format))
        elif (
            self.format in ("lines", "jsonl")
            and not self._stdin
            and self.url is None
            and self.path.stat().st_size <= _HINT_BYTES
        ):
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
        return {
            "text_field": self.text_field,
            "id_field": self.id_field,
            "title_field": self.title_field,
            "date_field": self.date_field,
            "labels_field": self.labels_field,
            "label_sep": self.label_sep,
            "encoding": self.encoding,
            "on_error": self.on_error,
            "split": self.split,
            "max_chars": self.max_chars,
        }

    def files(self) -> list[str]:
        """The files of a folder corpus, in reading order, relative to :attr:`path`
        (``.sgm`` files for Reuters-21578); empty for a single-file corpus."""
        if self.format == "reuters21578":
            return reuters.sgml_files(self.path)
        if self.format in _DIR_FORMATS:
            # Sorting needs the whole listing, but that is paths, not contents.
            # every file, the unreadable ones too: a pass reports those as skipped
            files = folders.article_files(self.path, self.format, every=True)
            return sorted(p.relative_to(self.path).as_posix() for p in files)
        return []

    def read_part(
        self, *, start: int = 0, stop: int | None = None, first_line: int = 1, files: Sequence[str] | None = None
    ) -> Iterator[Article]:
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
        :class:`UniqueIds` (as a whole pass does). :attr:`report` is the part's once it ends. ``limit``
        applies to the part: split a limited corpus in one part only.
        """
        return self._pass(Part(start, stop, first_line, files))

    def _pass(self, part: Part | None = None) -> Iterator[Article]:
        """A whole pass (ids made unique) or one part of one (ids as read)."""
        # Each pass counts into its own report, published as ``self.report`` when the pass
        # ends (exhausted, stopped by an error, or closed): two interleaved passes never
        # count into one report, and ``report`` is never a pass half-way through.
        report = ReadReport(on_reject=self.on_reject)
        articles = self._valid(report, part)
        try:
            for article in itertools.islice(articles if part is not None else unique_ids(articles), self.limit):
                report.n_read += 1
                yield article
        finally:
            self.report = report

    # -- setup -----------------------------------------------------------------------
    def _detect(self) -> str:
        if self._stdin:
            # JSON lines if it starts with "{", a JSON array (read whole) with "[", else one article
            first = self._stdin_source.peek()[:1] if not self.spool else first_char(self._stdin_source.spool())
            return {b"{": "jsonl", b"[": "json"}.get(first, "txt")
        p = self.path
        if p.is_dir():
            return "reuters21578" if reuters.has_sgml(p) else folders.folder_format(p)
        suffix = p.suffix.lower()
        if suffix not in _SUFFIX_FORMATS:
            raise CorpusError(
                f"{p}: cannot tell the format from suffix {suffix or '(none)'!r}; "
                f"pass format=, one of: {', '.join(FORMATS[1:])}"
            )
        return _SUFFIX_FORMATS[suffix]

    def _check_layout(self) -> None:
        if self.url is not None and self.format not in ("lines", "jsonl", "csv"):
            raise CorpusError(f"{self.url}: URLs are read as JSONL, lines or CSV files, not as {self.format!r}")
        if self._stdin or self.url is not None:
            return
        if self.format in _DIR_FORMATS:
            if not self.path.is_dir():
                raise CorpusError(f"{self.path}: format {self.format!r} expects a directory")
            if self.format == "reuters21578":
                pattern, found = f"{reuters.SGML_GLOB} files", reuters.has_sgml(self.path)
            else:
                pattern = ".txt, .md, .html, .json, .jsonl, .csv, .xml or suffix-less files"
                found = next(folders.article_files(self.path, self.format), None) is not None
            if not found:
                raise CorpusError(f"{self.path}: no articles ({pattern}) found")
        elif not self.path.is_file():
            raise CorpusError(f"{self.path}: format {self.format!r} expects a file")

    # -- reading (the format's reader calls these) -------------------------------------
    def _source(self) -> tuple[Path, str, str]:
        """(path to open, name for messages, stem for default ids) of a single-file corpus."""
        if self._stdin:
            return self._stdin_source.spool(), "<stdin>", "stdin"
        return self.path, self.url or str(self.path), self._stem or self.path.stem

    @contextlib.contextmanager
    def _opened(self, part: Part | None = None):
        """(binary lines, name for messages, stem for default ids) of a single-file corpus,
        from the start of ``part``."""
        if self._stdin and not self.spool:
            yield self._stdin_source.read_once(), "<stdin>", "stdin"
            return
        path, name, stem = self._source()
        with open_binary(self.url or path) as f:
            if part is not None and part.start:
                f.seek(part.start)
            yield f, name, stem

    def _part_files(self, part: Part | None) -> Sequence[str]:
        """The files of a folder corpus that ``part`` reads (all of them for a whole pass)."""
        return self.files() if part is None or part.files is None else part.files

    def _problem(self, report: ReadReport, where: Where, reason: str, skipped: bool = True) -> None:
        if self.on_error == "fail":  # the record stops the pass, so it is rejected even if repairable
            if report.on_reject is not None:
                report.on_reject({"file": where.file, "line": where.line, "reason": reason})
            raise CorpusError(f"{where}: {reason}")
        report._note(where, reason, skipped)

    def reopen(self, path: Path, format: str, stem: str) -> Corpus:
        """A file of this folder corpus opened as a corpus of its own, with the same options;
        its default ids start with ``stem`` (the file's place in the folder)."""
        corpus = Corpus(path, format, **self.options)
        corpus._stem = stem
        return corpus

    def _read(self, problem, part: Part | None = None) -> Iterator[tuple[Where, Article]]:
        """(place, article) pairs from the format's reader, bad records told to ``problem``."""
        return _READERS[self.format](self, problem, part)

    def _valid(self, report: ReadReport, part: Part | None = None) -> Iterator[Article]:
        problem = functools.partial(self._problem, report)
        for where, article in self._read(problem, part):
            if not article.text:
                problem(where, "empty text")
                continue
            if self.max_chars is not None and len(article.text) > self.max_chars:
                problem(where, f"text of {len(article.text):,} characters cut to {self.max_chars:,}", False)
                article = dataclasses.replace(article, text=article.text[: self.max_chars])
            yield article


def read_corpus(path: str | os.PathLike, format: str = "auto", **options) -> Corpus:
    """Open a corpus; an alias of :class:`Corpus` (same parameters)."""
    return Corpus(path, format, **options)

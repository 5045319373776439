"""Line-based files, one article a record: plain lines ("lines"), JSON lines ("jsonl") and
CSV/TSV rows ("csv"). Each bad record is reported at its ``file:line``."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .article import Article
from .problems import Problem, Where
from .text import decode_lines, normalize

if TYPE_CHECKING:
    from .base import Corpus, Part

_CSV_FIELD_LIMIT = 2**31 - 1  # csv stores the limit in a C long: sys.maxsize overflows on Windows


def _numbered_lines(corpus: Corpus, problem: Problem, part: Part | None) -> Iterator[tuple[Where, str, str]]:
    """(place, decoded line, stem for default ids) of each line of ``part``."""
    with corpus._opened(part) as (f, name, stem):
        for n, line in decode_lines(f, name, corpus.encoding, problem, part):
            yield Where(name, n), line, stem


def read_lines(corpus: Corpus, problem: Problem, part: Part | None = None) -> Iterator[tuple[Where, Article]]:
    for where, line, stem in _numbered_lines(corpus, problem, part):
        if text := line.strip():
            yield where, Article(corpus._id_format.format(stem=stem, n=where.line), text, source=where.file)


def read_jsonl(corpus: Corpus, problem: Problem, part: Part | None = None) -> Iterator[tuple[Where, Article]]:
    for where, line, stem in _numbered_lines(corpus, problem, part):
        if not (line := line.strip()):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            problem(where, f"invalid JSON ({e.msg} at column {e.colno})")
            continue
        except RecursionError:
            problem(where, "invalid JSON (nested too deeply)")
            continue
        if not isinstance(record, dict):
            problem(where, f"expected a JSON object, got {type(record).__name__}")
        elif article := _record(corpus, problem, where, record, f"{stem}-{where.line}"):
            yield where, article


def read_csv(corpus: Corpus, problem: Problem, part: Part | None = None) -> Iterator[tuple[Where, Article]]:
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    delimiter = "\t" if corpus.path.suffix.lower() == ".tsv" else ","  # a quoted field may span lines: never split
    with corpus._opened() as (f, name, stem):
        # strict: a quote left open fails at the end of the file instead of silently
        # merging every later row into one field
        lines = (line for _, line in decode_lines(f, name, corpus.encoding, problem))
        rows = csv.reader(lines, delimiter=delimiter, strict=True)
        try:
            header = [column.strip() for column in next(rows, [])]
        except csv.Error as e:
            problem(Where(name, 1), f"unreadable header row ({e})")
            return
        if corpus.text_field not in header:
            # Every row lacks its text: under "skip" that is one skipped file, not an abort.
            columns = ", ".join(map(repr, header))
            reason = f"no {corpus.text_field!r} column (columns: {columns})" if header else "no header row (empty file)"
            problem(Where(name, 1 if header else None), reason)
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
                problem(Where(name, n), why)
                continue
            next_line = rows.line_num + 1
            where = Where(name, n)
            if not row:
                continue
            if len(row) != len(header):
                problem(where, f"expected {len(header)} fields, got {len(row)}")
            elif article := _record(corpus, problem, where, dict(zip(header, row)), f"{stem}-{n}"):
                yield where, article


def _record(corpus: Corpus, problem: Problem, where: Where, record: dict, default_id: str) -> Article | None:
    """Article from a JSON object or CSV row; None (after reporting) when invalid."""
    text = record.get(corpus.text_field)
    if not isinstance(text, str):
        reason = "missing" if text is None else "non-string"
        problem(where, f"{reason} {corpus.text_field!r} field")
        return None
    labels = record.get(corpus.labels_field)
    if isinstance(labels, str):
        labels = tuple(s for s in (p.strip() for p in labels.split(corpus.label_sep)) if s)
    elif isinstance(labels, list) and all(isinstance(s, str) for s in labels):
        labels = tuple(s.strip() for s in labels if s.strip())
    elif labels is not None:
        problem(where, f"{corpus.labels_field!r} must be a string or a list of strings")
        return None

    def get(key: str) -> str | None:
        value = record.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            # a list or an object is no id or title: dropped and reported, never its repr
            problem(where, f"{key!r} must be a string or a number, got {type(value).__name__}: ignored", False)
            return None
        return str(value).strip() or None  # blank is absent

    return Article(
        id=get(corpus.id_field) or default_id,
        text=normalize(text).strip(),
        title=get(corpus.title_field),
        date=get(corpus.date_field),
        source=get("source") or where.file,
        labels=labels,
    )

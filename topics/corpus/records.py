"""Files of records, one article a record: plain lines ("lines"), JSON lines ("jsonl"), JSON
arrays ("json"), CSV/TSV rows ("csv") and XML feeds ("xml"). Each bad record is reported at
its ``file:line`` (``file[index]`` in a JSON array or a feed)."""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from .article import Article
from .problems import Problem, Where
from .text import decode_file, decode_lines, html_text, normalize

if TYPE_CHECKING:
    from .base import Corpus, Part

_CSV_FIELD_LIMIT = 2**31 - 1  # csv stores the limit in a C long: sys.maxsize overflows on Windows

# What each field is called in news exports and feeds, tried in this order (in any case)
# when the user names none: a file of {"headline": ..., "body": ...} reads as it is.
FIELD_NAMES = {
    "text": ("text", "body", "content", "article", "story", "full_text", "fulltext", "lead", "summary", "description"),
    "title": ("title", "headline", "head", "heading", "hed"),
    "id": ("id", "doc_id", "docid", "article_id", "guid", "uuid", "uid"),
    "date": ("date", "published", "published_at", "publish_date", "pubdate", "datetime", "timestamp"),
    "labels": ("labels", "label"),
}


def resolve_fields(corpus: Corpus, keys) -> dict[str, str | None]:
    """Per kind of field, the key of ``keys`` (a record's or a CSV header's) that holds it:
    the name the user gave, else the first of :data:`FIELD_NAMES` present; None if absent."""
    out: dict[str, str | None] = {}
    lower = None
    for kind, names in FIELD_NAMES.items():
        named = getattr(corpus, f"{kind}_field")
        if named is not None:
            out[kind] = named if named in keys else None
            continue
        found = next((name for name in names if name in keys), None)
        if found is None:
            if lower is None:
                lower = {k.lower(): k for k in keys if isinstance(k, str)}
            found = next((lower[name] for name in names if name in lower), None)
        out[kind] = found
    return out


def _missing_text(corpus: Corpus, keys, what: str) -> str:
    keys = ", ".join(map(repr, keys))
    if corpus.text_field is not None:
        return f"no {corpus.text_field!r} {what} ({what}s: {keys or 'none'})"
    return (
        f"no text {what}: none of {', '.join(FIELD_NAMES['text'] + FIELD_NAMES['title'])} "
        f"({what}s: {keys or 'none'}; name it with --text-field)"
    )


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
    resolved: dict[tuple, dict[str, str | None]] = {}
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
        else:
            keys = tuple(record)  # a file's records mostly share their keys: resolve each set once
            fields = resolved.get(keys) or resolve_fields(corpus, keys)
            if len(resolved) < 1024:  # a file of ever-new keys must not grow it without bound
                resolved[keys] = fields
            if article := _record(corpus, problem, where, record, f"{stem}-{where.line}", fields):
                yield where, article


def read_json(corpus: Corpus, problem: Problem, part: Part | None = None) -> Iterator[tuple[Where, Article]]:
    """A ``.json`` file, read whole: one article object, an array of them, or an object that
    holds one array of them (``{"articles": [...]}``, as news APIs answer). A bad item is
    reported at ``file[index]`` (counted from 0, as ``jq '.[3]'`` does) and skipped."""
    path, name, stem = corpus._source()
    if (text := decode_file(path, name, corpus.encoding, problem)) is None:
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        problem(Where(name, e.lineno), f"invalid JSON ({e.msg} at column {e.colno})")
        return
    except RecursionError:
        problem(Where(name), "invalid JSON (nested too deeply)")
        return
    if isinstance(data, dict) and not any(resolve_fields(corpus, data)[k] for k in ("text", "title")):
        arrays = [v for v in data.values() if isinstance(v, list) and any(isinstance(x, dict) for x in v)]
        if len(arrays) == 1:
            data = arrays[0]
    if not isinstance(data, (dict, list)):
        problem(Where(name), f"expected a JSON object or an array of them, got {type(data).__name__}")
        return
    yield from _articles(corpus, problem, name, stem, data)


def read_xml(corpus: Corpus, problem: Problem, part: Part | None = None) -> Iterator[tuple[Where, Article]]:
    """An XML file, read whole: a news feed is one article per item (RSS ``<item>``, Atom
    ``<entry>``: title, description/summary/content with its markup dropped, guid/id,
    pubDate/published), named ``file[index]`` as in a JSON array; any other XML document
    (NITF, NewsML) is one article: its headline (``<hl1>``, ``<headline>``, ``<title>``) and the
    text of its paragraphs. Entity declarations are refused (no entity expansion bombs)."""
    path, name, stem = corpus._source()
    if (text := decode_file(path, name, _declared_encoding(path) or corpus.encoding, problem)) is None:
        return
    if "<!ENTITY" in text:
        problem(Where(name), "XML that declares entities is not read (they can expand without bound)")
        return
    try:
        root = ElementTree.fromstring(text)  # decoded already: a declared encoding is not applied again
    except ElementTree.ParseError as e:
        problem(Where(name, e.position[0]), f"invalid XML ({e})")
        return
    items = [el for el in root.iter() if _local(el.tag) in ("item", "entry")]
    if not items:
        title = next((_text(el) for el in root.iter() if _local(el.tag) in ("hl1", "headline", "title")), None)
        paragraphs = [_text(el) for el in root.iter() if _local(el.tag) == "p"]
        body = "\n\n".join(p for p in paragraphs if p) or _text(root)
        yield from _articles(corpus, problem, name, stem, {"title": title, "text": body})
        return
    records = []
    for item in items:
        record: dict = {}
        for child in item:
            key = _local(child.tag)
            key = {"encoded": "content", "pubdate": "date", "updated": "date", "link": "url"}.get(key.lower(), key)
            value = child.get("href") if key == "url" and child.get("href") else _text(child)
            if value and key not in record:
                record[key] = value
        records.append(record)
    yield from _articles(corpus, problem, name, stem, records)


def _articles(
    corpus: Corpus, problem: Problem, name: str, stem: str, data: dict | list
) -> Iterator[tuple[Where, Article]]:
    """The articles of a file read whole: one record, or a list of them whose items are named
    ``file[index]`` (from 0, as ``jq '.[3]'`` does) with default ids ``stem-<index + 1>``."""
    if isinstance(data, dict):
        if article := _record(corpus, problem, Where(name), data, stem):
            yield Where(name), article
        return
    for k, record in enumerate(data):
        where = Where(f"{name}[{k}]")
        if not isinstance(record, dict):
            problem(where, f"expected a JSON object, got {type(record).__name__}")
        elif article := _record(corpus, problem, where, record, f"{stem}-{k + 1}"):
            yield where, article


_XML_DECLARATION = re.compile(rb"""\s*(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _declared_encoding(path) -> str | None:
    """The encoding an XML file declares (``<?xml version="1.0" encoding="ISO-8859-1"?>``), if
    Python knows it: XML says how it is encoded, so it is read so, whatever ``--encoding`` says."""
    try:
        with open(path, "rb") as f:
            match = _XML_DECLARATION.match(f.read(256))
    except OSError:
        return None  # decode_file reports it
    if match is None:
        return None
    try:
        return codecs.lookup(match[1].decode("ascii")).name
    except LookupError:
        return None


def _local(tag) -> str:
    """A tag without its namespace (``{http://www.w3.org/2005/Atom}entry`` → ``entry``)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element) -> str:
    """An element's text, markup inside it (escaped HTML in a feed's description) dropped."""
    text = " ".join("".join(element.itertext()).split())
    return html_text(text)[1] if "<" in text and ">" in text else text


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
        fields = resolve_fields(corpus, header)
        if fields["text"] is None and (corpus.text_field is not None or fields["title"] is None):
            # Every row lacks its text: under "skip" that is one skipped file, not an abort.
            reason = _missing_text(corpus, header, "column") if header else "no header row (empty file)"
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
            elif article := _record(corpus, problem, where, dict(zip(header, row)), f"{stem}-{n}", fields):
                yield where, article


def _record(
    corpus: Corpus,
    problem: Problem,
    where: Where,
    record: dict,
    default_id: str,
    fields: dict[str, str | None] | None = None,
) -> Article | None:
    """Article from a JSON object, CSV row or feed item; ``fields``: its keys as
    :func:`resolve_fields` resolves them (resolved here if not given). None (after
    reporting) when invalid."""
    fields = fields or resolve_fields(corpus, record)
    title_key = fields["title"]
    if fields["text"] is None and corpus.text_field is None and title_key is not None:
        # a headline-only item (an RSS title, a wire flash): its headline is its text
        fields = {**fields, "text": title_key, "title": None}
    if fields["text"] is None:
        problem(where, _missing_text(corpus, list(record), "field"))
        return None
    text = record.get(fields["text"])
    if not isinstance(text, str):
        reason = "missing" if text is None else "non-string"
        problem(where, f"{reason} {fields['text']!r} field")
        return None
    labels = record.get(fields["labels"]) if fields["labels"] else None
    if isinstance(labels, str):
        labels = tuple(s for s in (p.strip() for p in labels.split(corpus.label_sep)) if s)
    elif isinstance(labels, list) and all(isinstance(s, str) for s in labels):
        labels = tuple(s.strip() for s in labels if s.strip())
    elif labels is not None:
        problem(where, f"{fields['labels']!r} must be a string or a list of strings")
        return None

    def get(key: str | None) -> str | None:
        if key is None:
            return None
        value = record.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            # a list or an object is no id or title: dropped and reported, never its repr
            problem(where, f"{key!r} must be a string or a number, got {type(value).__name__}: ignored", False)
            return None
        return str(value).strip() or None  # blank is absent

    return Article(
        id=get(fields["id"]) or default_id,
        text=normalize(text).strip(),
        title=get(fields["title"]),
        date=get(fields["date"]),
        source=get("source") or where.file,
        labels=labels,
    )

"""Folder corpora and single text files: one ``.txt`` file ("txt"), a folder of article files
("dir"), one folder per label ("labelled-dir", as BBC News is laid out).

A folder is read as users keep one: text files (``.txt``, ``.text``, ``.md``, no suffix),
saved web pages (``.html``) and files of records (``.json``, ``.jsonl``, ``.csv``, ``.tsv``,
``.xml`` feeds and news documents)
are read, in subfolders too; any other file is skipped and reported, never silently left out."""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .article import Article
from .problems import Problem, Where
from .text import decode_file, html_text, normalize, parse_txt

if TYPE_CHECKING:
    from .base import Corpus, Part

TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown", "")  # many corpora name files by number
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
# Files of records inside a folder: read in the format their suffix names.
RECORD_SUFFIXES = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".xml": "xml",
    ".rss": "xml",
    ".atom": "xml",
}


_DATED = re.compile(r"\d[\d_.-]*")


def _listed(name: str) -> bool:
    """Not a hidden file, nor a README/LICENSE beside the articles."""
    return not name.startswith(".") and not name.lower().startswith(("readme", "license", "copying"))


def is_article_file(name: str) -> bool:
    """A file a folder corpus reads articles from (text, HTML or records); never a hidden
    file or a README/LICENSE."""
    suffix = os.path.splitext(name)[1].lower()
    return _listed(name) and (suffix in TEXT_SUFFIXES or suffix in HTML_SUFFIXES or suffix in RECORD_SUFFIXES)


def walk_articles(root: Path, every: bool = False) -> Iterator[Path]:
    """Lazily yield the article files under root (any order), skipping hidden entries;
    ``every``: the files it cannot read too (a pass reports them as skipped)."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        yield from (Path(dirpath, f) for f in filenames if (_listed(f) if every else is_article_file(f)))


def _label_folders(root: Path) -> list[Path]:
    return sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))


def folder_format(root: Path) -> str:
    """ "labelled-dir" for article files in label folders only, else "dir"."""
    # README.TXT / LICENSE.txt next to label folders (as in BBC News) do not make a flat dir.
    top = [f for f in root.iterdir() if f.is_file() and is_article_file(f.name)]
    folders = _label_folders(root)
    # folders named by date or number (2024/, 2024-05/, 07/) are how archives are kept, not labels
    if all(_DATED.fullmatch(d.name) for d in folders):
        return "dir"
    if not top and any(next(walk_articles(d), None) for d in folders):
        return "labelled-dir"
    return "dir"


def article_files(root: Path, format: str, every: bool = False) -> Iterator[Path]:
    """The article files of a "dir" or "labelled-dir" folder, lazily (any order); ``every``:
    with the files it cannot read (see :func:`walk_articles`)."""
    if format == "dir":
        return walk_articles(root, every)
    # labelled-dir: only files inside label folders count
    return itertools.chain.from_iterable(walk_articles(d, every) for d in _label_folders(root))


def _text_article(
    path: Path, name: str, id: str, encoding: str, problem: Problem, labels: tuple[str, ...] | None = None
) -> tuple[Where, Article] | None:
    if (text := decode_file(path, name, encoding, problem)) is None:
        return None
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        title, body = html_text(text)
        meta = {"title": title} if title else {}
    else:
        meta, body = parse_txt(normalize(text))
        if suffix in (".md", ".markdown") and "title" in meta:
            meta["title"] = meta["title"].lstrip("#").strip()  # a Markdown heading
    return Where(name), Article(
        id=id, text=body, title=meta.get("title"), date=meta.get("date"), source=meta.get("source", name), labels=labels
    )


def read_txt(corpus: Corpus, problem: Problem, part: Part | None = None) -> Iterator[tuple[Where, Article]]:
    path, name, stem = corpus._source()
    if item := _text_article(path, name, stem, corpus.encoding, problem):
        yield item


def read_dir(corpus: Corpus, problem: Problem, part: Part | None = None) -> Iterator[tuple[Where, Article]]:
    labelled = corpus.format == "labelled-dir"
    for rel in map(Path, corpus._part_files(part)):
        labels = (rel.parts[0],) if labelled else None
        path, suffix = corpus.path / rel, rel.suffix.lower()
        if suffix in RECORD_SUFFIXES:
            # a file of records: read as if it were given on its own, ids made unique later
            records = corpus.reopen(path, RECORD_SUFFIXES[suffix], stem=rel.with_suffix("").as_posix())
            for where, article in records._read(problem):
                if labels and article.labels is None:
                    article = dataclasses.replace(article, labels=labels)
                yield where, article
        elif is_article_file(rel.name):
            if item := _text_article(path, str(path), rel.with_suffix("").as_posix(), corpus.encoding, problem, labels):
                yield item
        else:
            problem(
                Where(str(path)),
                f"not an article file ({suffix or 'no suffix'}): a folder is read for .txt, .md, .html, "
                ".json, .jsonl, .csv and .xml (RSS, Atom, NITF) files",
            )

"""Text-file corpora: one ``.txt`` file ("txt"), a folder of them ("dir"), one folder per
label ("labelled-dir", as BBC News is laid out)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .article import Article
from .problems import Problem, Where
from .text import decode_file, normalize, parse_txt

if TYPE_CHECKING:
    from .base import Corpus, Part

_ARTICLE_SUFFIXES = (".txt", ".text", ".md")


def is_txt(name: str) -> bool:
    """An article file of a folder corpus: ``.txt``, ``.text``, ``.md``, or a name without a
    suffix (many corpora name files by number); never a hidden file or a README/LICENSE."""
    if name.startswith(".") or name.lower().startswith(("readme", "license", "copying")):
        return False
    suffix = os.path.splitext(name)[1].lower()
    return suffix in _ARTICLE_SUFFIXES or suffix == ""


def walk_txt(root: Path) -> Iterator[Path]:
    """Lazily yield the article files under root (any order), skipping hidden entries."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        yield from (Path(dirpath, f) for f in filenames if is_txt(f))


def _label_folders(root: Path) -> list[Path]:
    return sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))


def folder_format(root: Path) -> str:
    """ "labelled-dir" for article files in label folders only, else "dir"."""
    # README.TXT / LICENSE.txt next to label folders (as in BBC News) do not make a flat dir.
    top = [f for f in root.iterdir() if f.is_file() and is_txt(f.name)]
    if not top and any(next(walk_txt(d), None) for d in _label_folders(root)):
        return "labelled-dir"
    return "dir"


def article_files(root: Path, format: str) -> Iterator[Path]:
    """The article files of a "dir" or "labelled-dir" folder, lazily (any order)."""
    if format == "dir":
        return walk_txt(root)
    # labelled-dir: only files inside label folders count
    return itertools.chain.from_iterable(walk_txt(d) for d in _label_folders(root))


def _text_article(
    path: Path, name: str, id: str, encoding: str, problem: Problem, labels: tuple[str, ...] | None = None
) -> tuple[Where, Article] | None:
    if (text := decode_file(path, name, encoding, problem)) is None:
        return None
    meta, body = parse_txt(normalize(text))
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
        if item := _text_article(
            corpus.path / rel, str(corpus.path / rel), rel.with_suffix("").as_posix(), corpus.encoding, problem, labels
        ):
            yield item

"""Reuters-21578 ("reuters21578"): the toolkit's one reader of the distribution's SGML files,
the ModApte split, and the categories both splits share."""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .article import Article
from .problems import Problem, Where

if TYPE_CHECKING:
    from .base import Corpus, Part

SGML_GLOB = "reut2-*.sgm"  # the distribution's 22 files


def has_sgml(root: Path) -> bool:
    """Whether ``root`` holds one of the SGML files (stops at the first)."""
    return next(root.glob(SGML_GLOB), None) is not None


def sgml_files(root: Path) -> list[str]:
    """The names of the SGML files in ``root``, in reading order."""
    return sorted(p.name for p in root.glob(SGML_GLOB))


def read_reuters(corpus: Corpus, problem: Problem, part: Part | None = None) -> Iterator[tuple[Where, Article]]:
    for path in (corpus.path / f for f in corpus._part_files(part)):
        name = str(path)
        for start, article in read_reuters_sgml(path, corpus.split):
            if article is None:
                problem(Where(name, start), "unterminated <REUTERS> element")
            else:
                yield Where(name, start), article


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


def read_reuters_sgml(path: str | os.PathLike, split: str | None = None) -> Iterator[tuple[int, Article | None]]:
    """The articles of one Reuters-21578 file (``reut2-0XX.sgm``), streamed: ``(line, article)``.

    The toolkit's one reader of the distribution's SGML. ``line`` is where the article's
    ``<REUTERS>`` element starts. ``split`` ("train" or "test") keeps the ModApte split's
    articles only (see :class:`Corpus`). An element still open at the end of the file is
    yielded as ``(line, None)``. An article's id is ``reuters-<NEWID>``; a story without a
    body (``TYPE="BRIEF"``) has its title as text.
    """
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
                if article := _reuters_article("".join(block), split, name):
                    yield start, article
                block = None
    if block is not None:
        yield start, None


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
    return Article(
        id=f"reuters-{attrs.get('NEWID', '?')}",
        text=text or title,
        title=title or None,
        date=_sgml_text(_R_DATE, block) or None,
        source=source,
        labels=labels,
    )

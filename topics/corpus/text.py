"""Bytes to text for every reader: decoding with repair, binary files, a text file's header.

The readers report through a :class:`~.problems.Problem` callback: bad bytes are replaced
and reported (``skipped=False``), a binary or unreadable file is skipped.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from .problems import Problem, Where

if TYPE_CHECKING:
    from .base import Part

MAX_CHARS = 1_000_000  # longest text read (characters); longer ones are cut and reported
_SNIFF_BYTES = 8192
_MAX_TITLE = 120
# "key value" or "key: value"; the colon-less form only with a lowercase key, so
# that headlines such as "Title race heats up" or "Date set for poll" stay text.
_HEADER = re.compile(r"\s*(?P<key>date|title|source)(?P<sep>\s*:\s*|\s+)(?P<value>\S.*?)\s*", re.I)


def is_wide(encoding: str) -> bool:
    """Whether ``encoding`` takes two or four bytes a character (UTF-16, UTF-32): NUL bytes are
    normal there, and its lines cannot be split on the byte ``\\n``."""
    return codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))


def decode_lines(
    f: Iterable[bytes], name: str, encoding: str, problem: Problem, part: Part | None = None
) -> Iterator[tuple[int, str]]:
    """Decode binary lines (of ``part``), keeping line endings; repair bad bytes."""
    first, left = (
        (1, None) if part is None else (part.first_line, None if part.stop is None else part.stop - part.start)
    )
    for lineno, raw in enumerate(f, first):
        if left is not None:
            if left <= 0:
                break
            left -= len(raw)
        try:
            line = raw.decode(encoding)
        except UnicodeDecodeError:
            problem(Where(name, lineno), f"invalid {encoding.upper()}, replaced", False)
            line = raw.decode(encoding, errors="replace")
        yield lineno, line.removeprefix("\ufeff") if lineno == 1 else line


def decode_file(path: Path, name: str, encoding: str, problem: Problem) -> str | None:
    """The text of one file (the only input read whole); None, after reporting, for a file
    that cannot be read or is binary."""
    try:
        data = path.read_bytes()
    except OSError as e:  # unreadable, or a folder named *.txt: skip it like a bad record
        problem(Where(name), f"cannot be read ({e.strerror or e})")
        return None
    if not is_wide(encoding) and b"\0" in data[:_SNIFF_BYTES]:
        problem(Where(name), "binary file")
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        if _looks_binary(data.decode(encoding, errors="replace")):
            problem(Where(name), "binary file")
            return None
        line = data.count(b"\n", 0, e.start) + 1
        problem(Where(name, line), f"invalid {encoding.upper()}, replaced", False)
        text = data.decode(encoding, errors="replace")
    if _looks_binary(text):
        problem(Where(name), "binary file")
        return None
    return text


def _looks_binary(text: str) -> bool:
    """True when over a tenth of the first 4,096 characters are control characters (other
    than line and tab breaks) or replaced bytes: a binary file without NUL bytes."""
    sample = text[:4096]
    odd = sum(1 for c in sample if (c < " " and c not in "\t\n\r\f\v") or c in "\x7f\ufffd")
    return len(sample) > 0 and odd > len(sample) / 10


def normalize(text: str) -> str:
    """Without a byte-order mark, with ``\\n`` line ends."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse_txt(text: str) -> tuple[dict[str, str], str]:
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
        rest = "\n".join(body[k + 2 :])
        if (
            first
            and len(first) <= _MAX_TITLE
            and not first.endswith(".")
            and k + 1 < len(body)
            and not body[k + 1].strip()
            and rest.strip()
        ):
            meta["title"], body = first, body[k + 2 :]
    return meta, "\n".join(body).strip()


class _HTMLText(HTMLParser):
    """The readable text of a saved web page: paragraphs and headings, not scripts, styles,
    navigation or markup; its ``<title>`` (else its first ``<h1>``) apart."""

    _SKIP = {"script", "style", "noscript", "template", "svg", "nav", "footer", "aside", "form", "button"}
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.h1: list[str] = []
        self.parts: list[str] = []
        self._open: list[str] = []  # the elements we are in that matter: title, h1, skipped ones
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        if tag in self._BLOCK:
            self.parts.append("\n\n" if tag != "br" else "\n")
        if tag in ("title", "h1") or tag in self._SKIP:
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open:  # close what was left open inside it too
                inner = self._open.pop()
                if inner in self._SKIP:
                    self._skipping -= 1
                if inner == tag:
                    break
        if tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if "title" in self._open:
            self.title.append(data)
        elif not self._skipping:
            if "h1" in self._open:
                self.h1.append(data)
            self.parts.append(data)


def html_text(html: str) -> tuple[str | None, str]:
    """(title, body text) of a saved web page; paragraphs kept apart by a blank line."""
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    title = " ".join("".join(parser.title).split()) or " ".join("".join(parser.h1).split()) or None
    paragraphs = (" ".join(p.split()) for p in "".join(parser.parts).split("\n\n"))
    body = "\n\n".join(p for p in paragraphs if p)
    if title and body.startswith(title):
        body = body[len(title) :].lstrip()
    return title, normalize(body)

"""Hand-labelled theme check set: loader and summary.

The check set (``checkset/themes.jsonl``) stores only references, titles and
labels; article texts are read at run time from the corpora under the data
directory (``$TOPICS_DATA``, default ``../shared/data`` relative to the repo):

    <data_dir>/bbc/<category>/<NNN>.txt          (first line is the title)
    <data_dir>/reuters21578/reut2-0XX.sgm        (SGML, Latin-1)

Usage::

    python benchmarks/checkset.py [--data-dir DIR] [--split dev|test]

Reuters-21578 is read by ``topics.corpus`` (run from the repo, or with ``topics`` installed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from functools import cache
from pathlib import Path

THEMES = ("defense-trade", "diplomacy", "energy", "security", "tourism")
# "feed": items of a feed nothing is fitted or tuned on (the Lee corpus), scored apart
SPLITS = ("dev", "test", "feed")

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CHECKSET_PATH = HERE / "checkset" / "themes.jsonl"
# The parts of the check set: full articles, short leads of other articles (title + first
# sentences, ``lead_chars`` of the body), wire items we wrote (text stored), wire items
# written later by four other writers, labelled with all 14 themes of the default taxonomy,
# more leads labelled later by four other readers, and the articles of the Lee corpus and
# their leads, labelled by four more readers (split "feed": never fitted on).
PARTS = {
    "articles": CHECKSET_PATH,
    "leads": HERE / "checkset" / "leads.jsonl",
    "written": HERE / "checkset" / "written.jsonl",
    "written2": HERE / "checkset" / "written2.jsonl",
    "leads2": HERE / "checkset" / "leads2.jsonl",
    "lee": HERE / "checkset" / "lee.jsonl",
}


def default_data_dir() -> Path:
    """$TOPICS_DATA if set, else ../shared/data relative to the repo root."""
    env = os.environ.get("TOPICS_DATA")
    if env:
        return Path(env).expanduser()
    return (REPO.parent / "shared" / "data").resolve()


# --------------------------------------------------------------------- BBC
def read_bbc(path: Path) -> tuple[str, str]:
    """Return (title, body) of a BBC article; UTF-8 with Latin-1 fallback."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    title, _, body = text.partition("\n")
    return title.strip(), body.strip()


# ----------------------------------------------------------------- Lee
@cache
def read_lee() -> list[str]:
    """The Lee background corpus gensim ships (300 Australian news articles of 2001-02), a line each."""
    from gensim.test.utils import datapath

    with open(datapath("lee_background.cor"), encoding="utf-8", errors="replace") as fh:
        return [line.strip() for line in fh if line.strip()]


# ----------------------------------------------------------------- Reuters
@cache
def read_reuters_file(path: Path) -> dict[str, tuple[str, str]]:
    """One reut2-0XX.sgm file as {NEWID: (title, body)}, read by the toolkit's own SGML reader
    (:func:`topics.corpus.read_reuters_sgml`); a story without a body has an empty body here."""
    from topics.corpus import read_reuters_sgml

    docs: dict[str, tuple[str, str]] = {}
    for _, article in read_reuters_sgml(path):
        if article is not None:
            title = article.title or ""
            docs[article.id.removeprefix("reuters-")] = (title, "" if article.text == title else article.text)
    return docs


# ------------------------------------------------------------------ loader
def read_entries(path: Path = CHECKSET_PATH) -> list[dict]:
    if not path.exists() and path != CHECKSET_PATH:
        return []  # an optional part not written yet
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_checkset(data_dir: Path | None = None, split: str | None = None, parts=("articles",)) -> list[dict]:
    """Load check-set articles with their texts.

    Returns dicts ``{"id", "corpus", "ref", "title", "text", "labels", "split", "part", "length",
    "themes"}`` where ``labels`` are the five check-set themes and ``themes`` all themes of the
    default taxonomy (None where only the five were labelled),
    ``text`` is title + blank line + body, ``id`` is ``corpus:ref`` (``leads:corpus:ref``
    for a lead), ``length`` is "short" (headline + a sentence or two) or "long".
    ``split`` selects "dev" or "test" (None = both); ``parts`` which files (see ``PARTS``).
    """
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS} or None, got {split!r}")
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    out = []
    for part in parts:
        for e in read_entries(PARTS[part]):
            if split is not None and e["split"] != split:
                continue
            out.append(_entry(e, part, data_dir))
    return out


def _entry(e: dict, part: str, data_dir: Path) -> dict:
    if e["corpus"] == "written":
        title, body = e["title"], e["text"]
    elif e["corpus"] == "bbc":
        title, body = read_bbc(data_dir / "bbc" / e["ref"])
    elif e["corpus"] == "lee":
        title, body = "", read_lee()[int(e["ref"]) - 1]
    elif e["corpus"] == "reuters21578":
        fname, _, newid = e["ref"].partition("#")
        docs = read_reuters_file(data_dir / "reuters21578" / fname)
        if newid not in docs:
            raise KeyError(f"NEWID {newid} not found in {fname}")
        title, body = docs[newid]
    else:
        raise ValueError(f"unknown corpus {e['corpus']!r}")
    if "lead_chars" in e:
        body = body[: e["lead_chars"]]
    lead = "lead_chars" in e  # a lead of an article (leads, leads2)
    short = lead or e.get("length") == "short"
    return {
        "id": f"{'leads:' if lead else ''}{e['corpus']}:{e['ref']}",
        "corpus": e["corpus"],
        "ref": e["ref"],
        "title": title or e.get("title", ""),
        "text": f"{title}\n\n{body}".strip(),
        "labels": list(e["labels"]),
        "split": e["split"],
        "part": part,
        "length": "short" if short else "long",
        "themes": e.get("themes"),
    }


def summarize(entries: list[dict]) -> str:
    rows = []
    splits = [s for s in SPLITS if any(e["split"] == s for e in entries)]
    header = f"{'':16}" + "".join(f"{s:>7}" for s in (*splits, "all"))
    rows.append(header)

    def count(pred):
        c = Counter(e["split"] for e in entries if pred(e))
        return [c.get(s, 0) for s in splits] + [sum(c.values())]

    for theme in THEMES:
        rows.append(f"{theme:16}" + "".join(f"{n:>7}" for n in count(lambda e, t=theme: t in e["labels"])))
    rows.append(f"{'(no label)':16}" + "".join(f"{n:>7}" for n in count(lambda e: not e["labels"])))
    for corpus in ("bbc", "reuters21578"):
        rows.append(f"{corpus:16}" + "".join(f"{n:>7}" for n in count(lambda e, c=corpus: e["corpus"] == c)))
    rows.append(f"{'articles':16}" + "".join(f"{n:>7}" for n in count(lambda e: True)))
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data-dir", type=Path, default=None, help="corpora root (default: $TOPICS_DATA or ../shared/data)"
    )
    ap.add_argument("--split", choices=SPLITS, default=None)
    args = ap.parse_args(argv)
    data_dir = args.data_dir or default_data_dir()
    try:
        entries = load_checkset(data_dir, args.split)
    except FileNotFoundError as exc:
        print(f"checkset: cannot read corpus file: {exc}", file=sys.stderr)
        return 1
    empty = [e["id"] for e in entries if len(e["text"]) < 40]
    print(f"check set: {CHECKSET_PATH.relative_to(REPO)}  data: {data_dir}")
    print(summarize(entries))
    if empty:
        print(f"warning: {len(empty)} entries with (almost) no text: {empty[:5]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Tagging time against article length: it must grow linearly (issue #14.6).

One article made of a sentence with a weapon and a purchase term (the input that made
proximity matching quadratic) and, as a second kind, real Reuters-21578 wire text joined
into one long report, at 1, 10 and 100 times a base length (~100 KB); each is tagged once
by the default model (bundled corpus, as `topics train` makes it) through `topics.Tagger`,
as `topics tag` does. Seconds per MB should stay flat down each column.

    TOPICS_DATA=../shared/data python benchmarks/long_articles.py [--record]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from checkset import default_data_dir  # noqa: E402
from results import publish  # noqa: E402

BASE = 100_000  # characters


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--record", action="store_true", help="append the table to benchmarks/RESULTS.md")
    args = ap.parse_args(argv)
    import topics
    from topics.corpus import Article, Corpus

    with tempfile.TemporaryDirectory() as art:
        model = topics.train(artifacts=art, save=False)
    tagger = topics.Tagger(model)
    sentence = "Turkey will buy missiles and sell drones under the new weapons contract, officials said. "
    wire = []
    for article in Corpus(default_data_dir() / "reuters21578", "reuters21578"):
        wire.append(article.text)
        if sum(map(len, wire)) > BASE:
            break
    kinds = {"repeated weapon-sale sentence": sentence, "Reuters wire text": "\n\n".join(wire)}
    lines = [
        "| article | 1× (~0.1 MB) s | 10× s | 100× (~10 MB) s | s per MB at 1× / 10× / 100× |",
        "|---|---|---|---|---|",
    ]
    for name, unit in kinds.items():
        base = (unit * (BASE // len(unit) + 1))[:BASE]
        cells, per_mb = [], []
        for times in (1, 10, 100):
            text = base * times
            started = time.perf_counter()
            next(tagger.tag([Article(id="long", text=text)]))
            seconds = time.perf_counter() - started
            cells.append(f"{seconds:.2f}")
            per_mb.append(f"{seconds / (len(text) / 1e6):.2f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " | " + " / ".join(per_mb) + " |")
    table = "\n".join(lines)
    publish("Tagging time against article length (2 cores)", table, args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())

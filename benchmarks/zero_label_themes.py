"""Zero-label theme tagging on the hand-labelled check set: the default model vs a keyword matcher.

The default model is trained exactly as `topics train` does with no arguments (bundled
corpus, shipped taxonomy) and scored on the five themes users asked for. The baseline is
the keyword matcher an analyst would write in ten minutes: a theme is tagged when any of
its keywords occurs.

    TOPICS_DATA=../shared/data python benchmarks/zero_label_themes.py [--split dev|test|all] [--record]

Tune only on --split dev; report --split test once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from checkset import load_checkset  # noqa: E402

THEMES = ("security", "energy", "defense-trade", "tourism", "diplomacy")

KEYWORDS = {
    "security": ["military", "army", "troops", "soldier", "soldiers", "war", "attack", "attacks", "terrorism", "terrorist",
                 "terrorists", "security", "defence", "defense", "missile", "missiles", "bomb", "rebels", "ceasefire"],
    "energy": ["energy", "oil", "gas", "electricity", "power station", "coal", "nuclear power", "fuel", "opec", "pipeline", "crude"],
    "defense-trade": ["arms sale", "arms sales", "arms deal", "weapons", "arms", "defence contract", "defense contract",
                      "defence industry", "defense industry", "fighter jets", "missiles"],
    "tourism": ["tourism", "tourist", "tourists", "hotel", "hotels", "travel", "resort", "holiday", "holidays", "airline"],
    "diplomacy": ["diplomat", "diplomats", "diplomatic", "diplomacy", "ambassador", "summit", "foreign minister", "treaty",
                  "united nations", "sanctions", "talks", "embassy"],
}


def keyword_tags(text: str) -> set[str]:
    low = text.lower()
    return {t for t, words in KEYWORDS.items() if any(re.search(rf"\b{re.escape(w)}\b", low) for w in words)}


def scores(truth: list[set[str]], pred: list[set[str]]) -> dict:
    out, tp_all, fp_all, fn_all = {}, 0, 0, 0
    for t in THEMES:
        tp = sum(t in p and t in y for p, y in zip(pred, truth))
        fp = sum(t in p and t not in y for p, y in zip(pred, truth))
        fn = sum(t not in p and t in y for p, y in zip(pred, truth))
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        out[t] = (prec, rec, 2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    prec = tp_all / (tp_all + fp_all) if tp_all + fp_all else 0.0
    rec = tp_all / (tp_all + fn_all) if tp_all + fn_all else 0.0
    out["micro"] = (prec, rec, 2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    ap.add_argument("--record", action="store_true", help="append the table to benchmarks/RESULTS.md")
    ap.add_argument("--errors", action="store_true", help="list the model's mistakes")
    args = ap.parse_args(argv)

    import topics
    from topics.corpus import Article

    entries = load_checkset(split=None if args.split == "all" else args.split)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as art:
        model = topics.train(artifacts=art)
    train_s = time.perf_counter() - started
    articles = [Article(id=e["id"], text=e["text"], title=e["title"] or None) for e in entries]
    started = time.perf_counter()
    results = list(topics.Tagger(model).tag(articles))
    tag_s = time.perf_counter() - started
    truth = [set(e["labels"]) for e in entries]
    ours = [{t.name for t in r.themes} & set(THEMES) for r in results]
    base = [keyword_tags(a.full_text) for a in articles]
    s_ours, s_base = scores(truth, ours), scores(truth, base)

    lines = [
        f"Zero-label themes, check set split={args.split} ({len(entries)} articles); default model trained in {train_s:.1f} s, tagged in {tag_s:.2f} s",
        "",
        "| theme | ours P | ours R | ours F1 | keywords P | keywords R | keywords F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in (*THEMES, "micro"):
        (p, r, f), (bp, br, bf) = s_ours[t], s_base[t]
        lines.append(f"| {t} | {p:.3f} | {r:.3f} | **{f:.3f}** | {bp:.3f} | {br:.3f} | {bf:.3f} |")
    table = "\n".join(lines)
    print(table)
    if args.errors:
        for e, r, y, p in zip(entries, results, truth, ours):
            if y != p:
                scores_ = {s.name: round(s.score, 2) for s in r.scores if s.name in THEMES}
                print(f"\n{e['ref']} {e['title'][:70]!r}\n  truth={sorted(y)} ours={sorted(p)}\n  scores={scores_}")
                for s in r.scores:
                    if s.name in (y ^ p):
                        print(f"  {s.name}: {s.evidence}")
    if args.record:
        with open(Path(__file__).with_name("RESULTS.md"), "a", encoding="utf-8") as f:
            f.write(f"\n## Zero-label themes ({dt.date.today()})\n\n`TOPICS_DATA=../shared/data python benchmarks/zero_label_themes.py --split {args.split}`\n\n{table}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

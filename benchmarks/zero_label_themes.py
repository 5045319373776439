"""Zero-label theme tagging on the hand-labelled check set: keyword matcher, seed lexicon, default model.

Every model is trained exactly as `topics train` does with no arguments (bundled corpus,
shipped taxonomy) and scored on the five themes the check set labels. Rows:

* keywords: the matcher an analyst writes in ten minutes (a theme is tagged when any of
  its keywords occurs);
* lexicon: the shipped taxonomy's terms alone, as tagging worked before word vectors
  (no near terms, no fitted evidence model, no examples);
* default: the default model.

Figures are per theme and micro-averaged, for all items and for short items (a headline
and a sentence or two) and long articles separately.

    TOPICS_DATA=../shared/data python benchmarks/zero_label_themes.py [--split dev|test|feed|all] [--record]

Choose settings only on --split dev (`--set name=value` passes classifier options);
report --split test once per change. --split feed scores the Lee corpus's articles and
leads, a feed nothing is fitted on (its texts are the bundled training corpus, so they are
new to the evidence model, not to the default model's weak-label classifiers).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from checkset import PARTS, load_checkset  # noqa: E402
from results import record  # noqa: E402

THEMES = ("security", "energy", "defense-trade", "tourism", "diplomacy")
# Today's default minus what was added for meaning and short items: the seed lexicon alone.
LEXICON = {"near_similarity": None, "evidence_model": None, "use_examples": False}

KEYWORDS = {
    "security": [
        "military",
        "army",
        "troops",
        "soldier",
        "soldiers",
        "war",
        "attack",
        "attacks",
        "terrorism",
        "terrorist",
        "terrorists",
        "security",
        "defence",
        "defense",
        "missile",
        "missiles",
        "bomb",
        "rebels",
        "ceasefire",
    ],
    "energy": [
        "energy",
        "oil",
        "gas",
        "electricity",
        "power station",
        "coal",
        "nuclear power",
        "fuel",
        "opec",
        "pipeline",
        "crude",
    ],
    "defense-trade": [
        "arms sale",
        "arms sales",
        "arms deal",
        "weapons",
        "arms",
        "defence contract",
        "defense contract",
        "defence industry",
        "defense industry",
        "fighter jets",
        "missiles",
    ],
    "tourism": [
        "tourism",
        "tourist",
        "tourists",
        "hotel",
        "hotels",
        "travel",
        "resort",
        "holiday",
        "holidays",
        "airline",
    ],
    "diplomacy": [
        "diplomat",
        "diplomats",
        "diplomatic",
        "diplomacy",
        "ambassador",
        "summit",
        "foreign minister",
        "treaty",
        "united nations",
        "sanctions",
        "talks",
        "embassy",
    ],
}


def keyword_tags(text: str) -> set[str]:
    low = text.lower()
    return {t for t, words in KEYWORDS.items() if any(re.search(rf"\b{re.escape(w)}\b", low) for w in words)}


def _value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def archive(n: int, exclude: list[dict]) -> list:
    """``n`` unlabelled articles, an even sample of Reuters-21578 and BBC News, none of them
    (by title) a check-set item: a user's archive for self-training."""
    from checkset import default_data_dir

    from topics.corpus import Article, Corpus

    data = default_data_dir()
    titles = {" ".join(e["title"].lower().split()) for e in exclude}
    pool = [
        a
        for corpus in (Corpus(data / "reuters21578", "reuters21578"), Corpus(data / "bbc", "labelled-dir"))
        for a in corpus
        if " ".join((a.title or a.text.split("\n")[0]).lower().split()) not in titles
    ]
    pick = sorted({int(i) for i in np.linspace(0, len(pool) - 1, min(n, len(pool)))})
    return [Article(id=pool[i].id, text=pool[i].text, title=pool[i].title) for i in pick]


def labelled_sample(k: int, seed: int = 0) -> list:
    """``k`` labelled dev items per theme plus ``k`` dev items without a label, as
    Articles: what a user labels by hand for ``topics train --labels``."""
    import random

    from topics.corpus import Article

    dev = load_checkset(split="dev", parts=tuple(PARTS))
    rng = random.Random(seed)
    rng.shuffle(dev)
    chosen: dict[str, dict] = {}
    for theme in (*THEMES, None):
        have = [e for e in dev if (theme in e["labels"] if theme else not e["labels"])]
        for e in have[:k]:
            chosen.setdefault(e["id"], e)
    return [Article(id=e["id"], text=e["text"], labels=tuple(e["labels"])) for e in chosen.values()]


def model_tags(
    entries: list[dict], options: dict | None, corpus=None, examples=None
) -> tuple[list[set[str]], list, float]:
    """Tags of a model trained as `topics train` does (plus classifier ``options``; on
    ``corpus`` instead of the bundled one when given; with labelled ``examples``)."""
    import topics
    from topics.corpus import Article

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as art:
        model = topics.train(corpus, artifacts=art, classifier_options=options or None, examples=examples)
    seconds = time.perf_counter() - started
    articles = [Article(id=e["id"], text=e["text"], title=None) for e in entries]
    results = list(topics.Tagger(model).tag(articles))
    return [{t.name for t in r.themes} & set(THEMES) for r in results], results, seconds


def table(entries: list[dict], rows: dict[str, list[set[str]]]) -> list[str]:
    from topics.evaluate import theme_metrics

    truth = [set(e["labels"]) for e in entries]
    short = [i for i, e in enumerate(entries) if e["length"] == "short"]
    long_ = [i for i, e in enumerate(entries) if e["length"] != "short"]
    head = "| | " + " | ".join(THEMES) + " | micro P | micro R | **micro F1** | short F1 | long F1 |"
    lines = [head, "|---" * (len(THEMES) + 6) + "|"]
    for name, pred in rows.items():
        ev = theme_metrics(truth, pred, THEMES)
        f1 = {t.name: t.f1 for t in ev.themes}
        part = [
            theme_metrics([truth[i] for i in idx], [pred[i] for i in idx], THEMES).micro_f1 if idx else float("nan")
            for idx in (short, long_)
        ]
        lines.append(
            f"| {name} | "
            + " | ".join(f"{f1[t]:.3f}" for t in THEMES)
            + f" | {ev.micro_precision:.3f} | {ev.micro_recall:.3f} | **{ev.micro_f1:.3f}** | {part[0]:.3f} | {part[1]:.3f} |"
        )
    return lines


def by_part(entries: list[dict], rows: dict[str, list[set[str]]]) -> list[str]:
    """Micro-F1 of each row on each check-set part (the history of each part stays comparable)."""
    from topics.evaluate import theme_metrics

    parts = list(dict.fromkeys(e["part"] for e in entries))
    lines = [
        "| micro F1 by part | " + " | ".join(f"{p} ({sum(e['part'] == p for e in entries)})" for p in parts) + " |"
    ]
    lines.append("|---" * (len(parts) + 1) + "|")
    for name, pred in rows.items():
        cells = []
        for p in parts:
            idx = [i for i, e in enumerate(entries) if e["part"] == p]
            cells.append(
                f"{theme_metrics([set(entries[i]['labels']) for i in idx], [pred[i] for i in idx], THEMES).micro_f1:.3f}"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def all_themes(entries: list[dict], results: list) -> list[str]:
    """Per-theme F1 of the default model over every theme of the taxonomy, on the items
    labelled with all of them (``themes``), short and long."""
    from topics.evaluate import theme_metrics

    idx = [i for i, e in enumerate(entries) if e.get("themes") is not None]
    if not idx:
        return []
    from topics.taxonomy import default_taxonomy

    names = list(default_taxonomy().names)  # the default model tags every theme of it
    truth = [set(entries[i]["themes"]) for i in idx]
    pred = [{t.name for t in results[i].themes} for i in idx]
    ev = theme_metrics(truth, pred, names)
    f1 = {t.name: t.f1 for t in ev.themes}
    lines = [
        f"Default model on the {len(idx)} items labelled with all {len(names)} themes: micro-F1 {ev.micro_f1:.3f}, "
        f"macro-F1 {sum(f1.values()) / len(f1):.3f}",
        "",
        "| " + " | ".join(names) + " |",
        "|---" * len(names) + "|",
        "| " + " | ".join(f"{f1[n]:.3f}" for n in names) + " |",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("dev", "test", "feed", "all"), default="dev")
    ap.add_argument(
        "--parts", default=",".join(PARTS), help=f"check-set parts, comma-separated (default: {','.join(PARTS)})"
    )
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a classifier option for the default row (dev tuning), e.g. --set near_weight=0.4",
    )
    ap.add_argument("--only-default", action="store_true", help="skip the keyword and lexicon rows")
    ap.add_argument(
        "--archive",
        default="",
        metavar="N[,N...]",
        help="also train on N unlabelled Reuters/BBC articles (no check-set item), one row per N",
    )
    ap.add_argument(
        "--labels-per-theme",
        default="",
        metavar="K[,K...]",
        help="also train with K labelled dev items per theme (+ K unlabelled), one row per K (`topics train --labels`)",
    )
    ap.add_argument("--record", action="store_true", help="append the table to benchmarks/RESULTS.md")
    ap.add_argument("--errors", action="store_true", help="list the default model's mistakes")
    args = ap.parse_args(argv)

    entries = load_checkset(split=None if args.split == "all" else args.split, parts=tuple(args.parts.split(",")))
    options = dict(kv.split("=", 1) for kv in args.set)
    options = {k: _value(v) for k, v in options.items()}
    rows: dict[str, list[set[str]]] = {}
    if not args.only_default:
        rows["keywords"] = [keyword_tags(e["text"]) for e in entries]
        rows["lexicon (before)"], _, _ = model_tags(entries, LEXICON)
    rows["default"], results, train_s = model_tags(entries, options)
    if args.archive:
        from checkset import load_checkset as load_all

        everything = load_all(parts=tuple(args.parts.split(",")))
        for n in map(int, args.archive.split(",")):
            articles = archive(n, everything)
            rows[f"default, trained on {len(articles):,} archive articles"], _, _ = model_tags(
                entries, options, articles
            )
    for k in map(int, args.labels_per_theme.split(",")) if args.labels_per_theme else ():
        for seed in (0, 1, 2):
            shots = labelled_sample(k, seed)
            rows[f"default + {len(shots)} labelled dev items ({k}/theme, draw {seed})"], _, _ = model_tags(
                entries, options, examples=shots
            )
    n_short = sum(e["length"] == "short" for e in entries)
    lines = [
        f"Zero-label themes, check set split={args.split}, parts={args.parts}: {len(entries)} items "
        f"({n_short} short, {len(entries) - n_short} long); default model trained in {train_s:.1f} s"
        + (f"; options {options}" if options else ""),
        "",
        *table(entries, rows),
        "",
        *by_part(entries, rows),
    ]
    if extra := all_themes(entries, results):
        lines += ["", *extra]
    text = "\n".join(lines)
    print(text)
    if args.errors:
        for e, r, p in zip(entries, results, rows["default"]):
            y = set(e["labels"])
            if y != p:
                scores = {s.name: round(s.score, 2) for s in r.scores if s.name in THEMES}
                print(
                    f"\n{e['id']} [{e['length']}] {e['title'][:70]!r}\n  truth={sorted(y)} ours={sorted(p)}\n  scores={scores}"
                )
                for s in r.scores:
                    if s.name in (y ^ p):
                        print(f"  {s.name}: {s.evidence}")
    if args.record:
        record("Zero-label themes", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

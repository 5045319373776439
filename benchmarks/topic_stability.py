"""Stable topic ids: how many topics keep their id across a retrain and an update.

For each corpus: train on a random 90% of the articles (seed 0), then retrain on all of
them (phrases, vocabulary and topics learned afresh, as ``topics train --name X`` does when
X exists; a short-text mixture starts from the first model's topics) and match the new
topics to the old ones (:mod:`topics.lineage`); separately, fold the held-out 10% into the
90% model (``topics update``). Reported: the share of the first model's topic ids still
present, and the similarity of the matched topics.

    TOPICS_DATA=../shared/data python benchmarks/topic_stability.py [--corpus reuters bbc short] [--record]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from topic_models import load_texts  # noqa: E402

from topics.mixture import MixtureTopicModel  # noqa: E402
from topics.preprocess import Preprocessor  # noqa: E402
from topics.taxonomy import default_taxonomy  # noqa: E402
from topics.training import theme_seed_tokens, topic_model_for  # noqa: E402


def fit(texts: list[str], k: int | None, previous=None):
    """Phrases, vocabulary and topics learned afresh, as ``topics train`` does; a short-text
    mixture retrained under an existing name starts from the ``previous`` version's topics."""
    pre = Preprocessor()
    tokens = [pre.topic_tokenize(t) for t in texts]
    pre.fit_tokens(tokens)
    phrased = [pre.join_phrases(t) for t in tokens]
    model = topic_model_for(phrased, k, theme_seed_tokens(default_taxonomy(), pre))
    warm = (
        {"init": previous} if isinstance(model, MixtureTopicModel) and isinstance(previous, MixtureTopicModel) else {}
    )
    return model.fit(phrased, **warm), pre


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", nargs="*", default=["reuters", "bbc", "short"])
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--data", default=os.environ.get("TOPICS_DATA") or str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    lines = [
        "| corpus | model | topics | ids kept after retrain 90% → 100% | matched similarity (median) | "
        "ids kept after update with the other 10% | s |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name in args.corpus:
        t0 = time.perf_counter()
        texts = load_texts(Path(args.data), name)
        rng = np.random.RandomState(0)
        held = set(rng.choice(len(texts), len(texts) // 10, replace=False).tolist())
        first, pre = fit([t for i, t in enumerate(texts) if i not in held], args.k)
        second, _ = fit(texts, args.k, previous=first)
        lineage = second.align_to(first)
        old = set(first.topic_ids())
        kept = len(set(second.topic_ids()) & old) / len(old)
        sims = [s for _, s in lineage["kept"]]
        first.partial_fit([pre.topic_tokens(texts[i]) for i in sorted(held)])
        kept_update = len(set(first.topic_ids()) & old) / len(old)
        seconds = time.perf_counter() - t0
        lines.append(
            f"| {name} | {type(first).__name__} | {len(old)} | {kept:.0%} | "
            f"{np.median(sims) if sims else float('nan'):.2f} | {kept_update:.0%} | {seconds:.0f} |"
        )
        print(lines[-1], file=sys.stderr, flush=True)
    out = "\n".join(lines)
    from results import publish

    publish("Stable topic ids across retraining and updates", out, args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())

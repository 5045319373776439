"""Fit the shipped evidence model (``topics/data/evidence_model.json``) on the check set's dev split.

The zero-label tagger turns the evidence an article holds for a theme (seed terms,
related terms, proximity cues, near terms; see :func:`topics.evidence.evidence_features`)
into a score with one small logistic model shared by every theme. Its numbers are
learned here from the hand-labelled dev items only (full articles, short leads and
written wire items, five themes), with the seed matcher of the default model; the cut
that gives the best dev micro-F1 is folded into the intercept so that 0.5 stays the
threshold. The test split is never read.

    TOPICS_DATA=../shared/data python scripts/fit_evidence_model.py
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from checkset import load_checkset  # noqa: E402

import topics  # noqa: E402
from topics.evidence import FEATURES  # noqa: E402

THEMES = ("security", "energy", "defense-trade", "tourism", "diplomacy")


def main() -> None:
    entries = load_checkset(split="dev", parts=("articles", "leads", "written"))
    with tempfile.TemporaryDirectory() as art:
        # a placeholder evidence model: the features do not depend on it
        placeholder = ((0.0,) * len(FEATURES), 0.0)
        model = topics.train(artifacts=art, save=False, classifier_options={"evidence_model": placeholder})
    clf, tokenize = model.classifier, model.preprocessor.tokenize
    cols = [list(clf.classes_).index(t) for t in THEMES]
    tokens = [tokenize(e["text"]) for e in entries]
    X = clf._evidence_features(tokens, [clf.matcher_.matches(t) for t in tokens])[:, cols].reshape(-1, len(FEATURES))
    Y = np.array([[t in e["labels"] for t in THEMES] for e in entries]).ravel()
    lr = LogisticRegression(C=10.0, max_iter=1000).fit(X, Y)
    p = lr.predict_proba(X)[:, 1]
    grid = np.linspace(0.2, 0.8, 61)
    f1 = [2 * (Y & (p >= g)).sum() / (Y.sum() + (p >= g).sum()) for g in grid]
    cut = float(grid[int(np.argmax(f1))])
    intercept = float(lr.intercept_[0] - np.log(cut / (1 - cut)))
    out = {
        "features": list(FEATURES),
        "coef": [round(float(c), 5) for c in lr.coef_[0]],
        "intercept": round(intercept, 5),
        "source": f"check set dev split: {len(entries)} items x {len(THEMES)} themes; dev micro-F1 {max(f1):.3f} at cut {cut:.2f}",
    }
    path = REPO / "topics" / "data" / "evidence_model.json"
    path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

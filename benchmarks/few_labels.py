"""What a few labelled articles can add to the zero-label tagger: three ways of using them, measured.

A user with 5-10 labelled articles per theme wants them to help at once. The zero-label
score of a theme is the shipped evidence model's (``topics.evidence``; noisy OR with the
weak-label classifier, as the tagger does). Each way of using the labels adds to its logit:

- ``platt``: a per-theme rescaling ``a z + b`` of the logit fitted on the labelled items,
  pulled towards ``a = 1, b = 0`` (weight ``lam``);
- ``knn``: ``beta`` x how much closer the article is to the labelled positives than to the
  negatives (mean of the 3 nearest, cosine of idf-weighted shipped word vectors);
- ``bow``: ``beta`` x the margin of a logistic regression on TF-IDF of the labelled items.

Two protocols on the check set's dev split (the test split is never read), three draws each:

- ``new feed``: the evidence model is refitted leaving one corpus out (BBC, Reuters, written
  items); the labels come from that corpus and the rest of it is scored, as for a user's
  feed the shipped model has not seen;
- ``same mix``: refitted on one half of dev, labels drawn from the other half, the rest of
  that half scored.

Prints micro-F1 over the five check-set themes for each way against zero labels.

    TOPICS_DATA=../shared/data python benchmarks/few_labels.py [--k 5,10] [--record]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "scripts"))
from checkset import PARTS, load_checkset  # noqa: E402
from fit_evidence_model import FIVE, REAL_WEIGHT, C, design  # noqa: E402
from results import publish  # noqa: E402

import topics  # noqa: E402
from topics.classify.scoring import sigmoid  # noqa: E402
from topics.semantic import default_vectors  # noqa: E402

WAYS = {"platt": (1.0, 10.0), "knn": (0.5, 1.0), "bow": (0.5, 1.0)}  # way -> its weights tried


class Setup:
    """Features, weak-classifier scores and document vectors of the dev items, computed once."""

    def __init__(self) -> None:
        self.entries = load_checkset(split="dev", parts=tuple(PARTS))
        with tempfile.TemporaryDirectory() as art:
            model = topics.train(artifacts=art, save=False)
        clf, tokenize = model.classifier, model.preprocessor.tokenize
        names = [str(t) for t in clf.classes_]
        five = [names.index(t) for t in FIVE]
        tokens = [tokenize(e["text"]) for e in self.entries]
        X = design(clf._evidence_features(tokens, [clf.matcher_.matches(t) for t in tokens]))
        self.X = X[:, five]
        self.M = (clf.model_weights_ * sigmoid(clf._linear(clf.vectorizer_.transform(tokens))))[:, five]
        self.Y = np.array([[t in e["labels"] for t in names] for e in self.entries])[:, five]
        self.corpus = np.array([e["corpus"] for e in self.entries])
        self.weight = np.array([REAL_WEIGHT if c != "written" else 1.0 for c in self.corpus])
        self.bow = TfidfVectorizer(analyzer=lambda t: t, sublinear_tf=True).fit_transform(tokens)
        self.doc = self._doc_vectors(tokens)

    @staticmethod
    def _doc_vectors(tokens) -> np.ndarray:
        vectors = default_vectors()
        df: dict[str, int] = {}
        for doc in tokens:
            for w in set(doc):
                df[w] = df.get(w, 0) + 1
        out = np.zeros((len(tokens), vectors.vectors.shape[1]), np.float32)
        for d, doc in enumerate(tokens):
            known = [w for w in doc if w in vectors.index]
            if known:
                idf = np.log(len(tokens) / np.array([df[w] for w in known], np.float32))
                v = (vectors.vectors[[vectors.index[w] for w in known]].astype(np.float32) * idf[:, None]).sum(0)
                out[d] = v / max(float(np.linalg.norm(v)), 1e-9)
        return out

    def logit(self, train: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Evidence logits of ``rows`` from an evidence model fitted on the items ``train``."""
        X, n_f = self.X, self.X.shape[-1]
        lr = LogisticRegression(C=C, max_iter=5000)
        lr.fit(X[train].reshape(-1, n_f), self.Y[train].ravel(), sample_weight=np.repeat(self.weight[train], len(FIVE)))
        return X[rows] @ lr.coef_[0] + lr.intercept_[0]

    def f1(self, rows: np.ndarray, z: np.ndarray) -> float:
        proba = 1 - (1 - sigmoid(z)) * (1 - self.M[rows])
        return f1_score(self.Y[rows].ravel(), (proba >= 0.5).ravel())


def draw(s: Setup, pool: np.ndarray, k: int, seed: int) -> np.ndarray:
    """``k`` labelled items per theme and ``k`` with none, from ``pool``."""
    idx = list(pool)
    random.Random(seed).shuffle(idx)
    chosen: list[int] = []
    for t in range(len(FIVE)):
        chosen += [i for i in idx if s.Y[i, t] and i not in chosen][:k]
    chosen += [i for i in idx if not s.Y[i].any() and i not in chosen][:k]
    return np.array(sorted(set(chosen)))


def adapted(s: Setup, way: str, w: float, shots: np.ndarray, rows: np.ndarray, zs, zr) -> np.ndarray:
    z = zr.copy()
    for t in range(len(FIVE)):
        y = s.Y[shots, t]
        if way == "platt":

            def loss(p, t=t, y=y):
                q = np.clip(sigmoid(p[0] * zs[:, t] + p[1]), 1e-9, 1 - 1e-9)
                return -(y * np.log(q) + (1 - y) * np.log(1 - q)).sum() + w * ((p[0] - 1) ** 2 + p[1] ** 2)

            a, b = minimize(loss, [1.0, 0.0], method="L-BFGS-B").x
            z[:, t] = a * zr[:, t] + b
        elif way == "knn":
            sims = s.doc[rows] @ s.doc[shots].T
            near = [np.sort(sims[:, m], axis=1)[:, -3:].mean(axis=1) for m in (y, ~y)]
            z[:, t] += w * 10 * (near[0] - near[1])
        else:
            lr = LogisticRegression(C=10, class_weight="balanced").fit(s.bow[shots], y)
            z[:, t] += w * lr.decision_function(s.bow[rows])
    return z


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--k", default="5,10", help="labelled items per theme, comma-separated (default: 5,10)")
    parser.add_argument("--record", action="store_true", help="write the table into benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    s = Setup()
    n = len(s.entries)
    protocols = {
        "new feed": [(s.corpus != c, np.flatnonzero(s.corpus == c)) for c in sorted(set(s.corpus))],
        "same mix": [(np.arange(n) % 2 == h, np.flatnonzero(np.arange(n) % 2 != h)) for h in (0, 1)],
    }
    cols = [(way, w) for way, ws in WAYS.items() for w in ws]
    lines = [
        "| protocol | labels per theme | zero labels | " + " | ".join(f"{way} {w:g}" for way, w in cols) + " |",
        "|---|---:|---:|" + "---:|" * len(cols),
    ]
    for name, splits in protocols.items():
        for k in map(int, args.k.split(",")):
            scores: dict = {"zero": [], **{c: [] for c in cols}}
            for train, pool in splits:
                for seed in range(3):
                    shots = draw(s, pool, k, seed)
                    rows = np.setdiff1d(pool, shots)
                    zs, zr = s.logit(train, shots), s.logit(train, rows)
                    scores["zero"].append(s.f1(rows, zr))
                    for way, w in cols:
                        scores[(way, w)].append(s.f1(rows, adapted(s, way, w, shots, rows, zs, zr)))
            zero = np.mean(scores["zero"])
            gains = " | ".join(f"{np.mean(scores[c]) - zero:+.3f}" for c in cols)
            lines.append(f"| {name} | {k} | {zero:.3f} | {gains} |")
    text = "\n".join(
        [
            f"Check-set dev split ({n} items), micro-F1 over five themes: zero labels, and the change each way of "
            "using the labels makes (mean of three draws; see the script's docstring)",
            "",
            *lines,
        ]
    )
    publish("A few labels on top of the zero-label tagger", text, args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Supervised theme classification vs plain scikit-learn, on Reuters-21578 and BBC News, in one run.

    TOPICS_DATA=../shared/data python benchmarks/classification.py [--record]

* Reuters-21578 ModApte, the 90 topics that occur in both splits: trained on the train split,
  scored on the test split (micro/macro F1; the 3 test labels of other topics count as misses
  for both systems).
* BBC News: 5-fold stratified cross-validation (seed 0), accuracy pooled over the folds.

"ours" is the default training through the public API (``topics.train``, then
``topics.evaluate.evaluate``). The baseline is scikit-learn's ``TfidfVectorizer()`` with
default settings + one-vs-rest ``LinearSVC()``, fitted on the raw text.

Training time: for ours, the theme classifier's share of ``topics.train`` as recorded in the
manifest (tokenising + fitting the classifier, including its 5-fold calibration), without
phrases and LDA, which the baseline has no counterpart of; the whole ``topics.train`` time
(with LDA) is printed below the table. Throughput: articles tagged per second from
in-memory text (ours: tokenising + theme scores, ``topics.evaluate``; baseline: TF-IDF
``transform`` + ``predict``); full ``topics.Tagger`` tagging (themes with evidence + LDA
topic mix) is printed below the table. Ours fits its per-theme SVMs in worker processes (all cores);
the baseline uses one core, as it does by default.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    return Path(os.environ.get("TOPICS_DATA") or ROOT.parent / "shared" / "data")


def corpora_present() -> bool:
    """Reuters-21578 and BBC News under TOPICS_DATA (says where it looked when they are not)."""
    if (data_dir() / "reuters21578").is_dir() and (data_dir() / "bbc").is_dir():
        return True
    print(f"corpora not found under {data_dir()}; set TOPICS_DATA", file=sys.stderr)
    return False


def baseline(train_texts, train_labels, test_texts, themes):
    """Plain TF-IDF + one-vs-rest LinearSVC: (predicted label lists, train seconds, tag seconds)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.preprocessing import MultiLabelBinarizer
    from sklearn.svm import LinearSVC

    single = all(len(y) == 1 for y in train_labels)
    started = time.perf_counter()
    vectorizer = TfidfVectorizer()
    X = vectorizer.fit_transform(train_texts)
    if single:  # multiclass: one-vs-rest, best class wins
        clf = OneVsRestClassifier(LinearSVC()).fit(X, [y[0] for y in train_labels])
    else:
        mlb = MultiLabelBinarizer(classes=themes)
        clf = OneVsRestClassifier(LinearSVC()).fit(X, mlb.fit_transform(train_labels))
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    P = clf.predict(vectorizer.transform(test_texts))
    tag_seconds = time.perf_counter() - started
    if single:
        return [[p] for p in P], train_seconds, tag_seconds
    return [[themes[j] for j in np.flatnonzero(row)] for row in P], train_seconds, tag_seconds


def ours(train_articles, test_articles, labels=None, **classifier_options):
    """Default training through the public API: (Evaluation, model, whole train seconds)."""
    import topics
    from topics.evaluate import evaluate

    started = time.perf_counter()
    model = topics.train(train_articles, save=False, labels=labels, classifier_options=classifier_options)
    whole = time.perf_counter() - started
    return evaluate(model, test_articles), model, whole


def tagger_rate(model, articles) -> float:
    import topics

    started = time.perf_counter()
    n = sum(1 for _ in topics.Tagger(model).tag(articles))
    return n / (time.perf_counter() - started)


def reuters(rows: list, notes: list) -> None:
    import topics
    from topics.corpus import reuters_common_labels
    from topics.evaluate import theme_metrics

    path = data_dir() / "reuters21578"
    train = list(topics.Corpus(path, "reuters21578", split="train"))
    test = list(topics.Corpus(path, "reuters21578", split="test"))
    common = reuters_common_labels(train, test)
    result, model, whole = ours(train, test, labels=common)
    themes = [str(c) for c in model.classifier.classes_]
    train_kept = [(a.full_text, [label for label in a.labels if label in common]) for a in train]
    train_kept = [(t, y) for t, y in train_kept if y]
    pred, b_train, b_tag = baseline(
        [t for t, _ in train_kept], [y for _, y in train_kept], [a.full_text for a in test], themes
    )
    base = theme_metrics([a.labels for a in test], pred, themes)
    ours_train = model.manifest["meta"]["classifier"]["seconds"]
    rows.append(("Reuters-21578 ModApte (90 topics)", "micro-F1", result.micro_f1, base.micro_f1))
    rows.append(("", "macro-F1", result.macro_f1, base.macro_f1))
    rows.append(("", "training s", ours_train, b_train))
    rows.append(("", "tagging articles/s", result.n_documents / result.seconds, len(test) / b_tag))
    notes.append(
        f"Reuters: {len(train):,} train / {len(test):,} test articles; whole `topics.train` (with phrases and "
        f"LDA) {whole:.1f} s; `topics.Tagger` (themes with evidence + topics) {tagger_rate(model, test):,.0f} articles/s."
    )
    # What a corpus above the out-of-core limit gets, forced here on Reuters (not a default).
    sgd, model, _ = ours(train, test, labels=common, out_of_core_above=0)
    notes.append(
        f"Reuters, themes learned out of core (forced: `out_of_core_above=0`; SGD, calibrated on a held-out "
        f"fifth): micro-F1 {sgd.micro_f1:.4f}, macro-F1 {sgd.macro_f1:.4f}; classifier fit "
        f"{model.manifest['meta']['classifier']['fit_seconds']:.1f} s."
    )


def bbc(rows: list, notes: list, folds: int = 5) -> None:
    from sklearn.model_selection import StratifiedKFold

    import topics
    from topics.evaluate import theme_metrics

    articles = list(topics.Corpus(data_dir() / "bbc"))
    y = [a.labels[0] for a in articles]
    themes = sorted(set(y))
    pooled_ours, pooled_base = [[] for _ in articles], [[] for _ in articles]
    t_ours = t_base = n_ours = s_ours = s_base = whole = 0.0
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=0).split(articles, y):
        train, test = [articles[i] for i in train_idx], [articles[i] for i in test_idx]
        model_started = time.perf_counter()
        import topics.training

        model = topics.training.train(train, save=False)
        whole += time.perf_counter() - model_started
        t_ours += model.manifest["meta"]["classifier"]["seconds"]
        started = time.perf_counter()
        tokens = [model.preprocessor.tokenize(a.full_text) for a in test]
        P = model.classifier.predict(tokens)
        s_ours += time.perf_counter() - started
        for i, row in zip(test_idx, P):
            pooled_ours[i] = [str(model.classifier.classes_[j]) for j in np.flatnonzero(row)]
        pred, b_train, b_tag = baseline(
            [a.full_text for a in train], [a.labels for a in train], [a.full_text for a in test], themes
        )
        t_base += b_train
        s_base += b_tag
        for i, p in zip(test_idx, pred):
            pooled_base[i] = p
        n_ours += len(test)
    truth = [a.labels for a in articles]
    acc_ours = theme_metrics(truth, pooled_ours, themes).accuracy
    acc_base = theme_metrics(truth, pooled_base, themes).accuracy
    rows.append((f"BBC News ({folds}-fold, stratified, seed 0)", "accuracy", acc_ours, acc_base))
    rows.append(("", "training s (per fold)", t_ours / folds, t_base / folds))
    rows.append(("", "tagging articles/s", n_ours / s_ours, n_ours / s_base))
    notes.append(
        f"BBC: {len(articles):,} articles; whole `topics.train` per fold (with phrases and LDA) {whole / folds:.1f} s."
    )


def table(rows: list) -> str:
    lines = ["| corpus | measure | topics (default) | TF-IDF + LinearSVC | ratio |", "|---|---|---|---|---|"]
    for corpus, measure, a, b in rows:
        if "s" == measure.split()[-1] or "training" in measure:
            fmt = lambda v: f"{v:.1f}"
        elif "articles/s" in measure:
            fmt = lambda v: f"{v:,.0f}"
        else:
            fmt = lambda v: f"{v:.4f}"
        ratio = f"{a / b:.2f}×" if b else "-"
        lines.append(f"| {corpus} | {measure} | {fmt(a)} | {fmt(b)} | {ratio} |")
    return "\n".join(lines)


def record_args(argv: list[str] | None, doc: str) -> argparse.Namespace | None:
    """A benchmark's command line (``--record``); None when the corpora are absent."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--record", action="store_true", help="append the table to benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    return args if corpora_present() else None


def main(argv: list[str] | None = None) -> int:
    args = record_args(argv, __doc__)
    if args is None:
        return 2
    rows: list = []
    notes: list = []
    reuters(rows, notes)
    bbc(rows, notes)
    out = table(rows) + "\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    print(out)
    if args.record:
        command = "TOPICS_DATA=../shared/data python benchmarks/classification.py --record"
        results = ROOT / "benchmarks" / "RESULTS.md"
        if not results.exists():
            results.write_text(
                "# Benchmark results\n\nEach section: what was measured, the command that reproduces it, "
                "the date, and the table it printed.\n",
                encoding="utf-8",
            )
        with open(results, "a", encoding="utf-8") as f:
            f.write(
                f"\n## Supervised themes vs plain scikit-learn ({dt.date.today().isoformat()})\n\n"
                f"Training time: ours is the theme classifier's share of `topics.train` (tokenising + fitting, with its "
                f"5-fold calibration; no phrases, no LDA). Throughput: tokenising + theme scores from in-memory text.\n\n"
                f"`{command}`\n\n{out}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Precision, recall and F1 of multi-label tags: the one place they are computed.

Every figure of the toolkit (``topics evaluate``, cross-validation, the classifier's
out-of-fold scores, the notebooks' tables, the benchmarks) comes from
:func:`label_scores`, on :func:`sklearn.metrics.precision_recall_fscore_support`.

Definitions
-----------
micro
    Precision, recall and F1 over every (article, label) pair of every column.
macro
    The mean of the per-label figures over the labels that **occur** in the true labels
    (support > 0) among those scored for the macro figures (``macro_over``). A label no
    article carries has no recall to speak of and is left out of the mean; its false
    positives still count in the micro figures. A per-label figure whose denominator is
    0 is 0 (``zero_division=0``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import precision_recall_fscore_support

__all__ = ["LabelScores", "label_scores", "indicator_matrices"]


@dataclass(frozen=True)
class LabelScores:
    """Figures of predicted against true label indicator matrices (see the module docstring).

    Attributes
    ----------
    micro_precision, micro_recall, micro_f1 : float
    macro_precision, macro_recall, macro_f1 : float
    precision, recall, f1 : ndarray of shape (n_labels,)
        Per-label figures.
    support, predicted : ndarray of int, shape (n_labels,)
        Articles carrying each label, articles tagged with it.
    n_macro : int
        Labels averaged over in the macro figures.
    """

    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    predicted: np.ndarray
    n_macro: int


def label_scores(y_true, y_pred, macro_over=None) -> LabelScores:
    """Micro, macro and per-label precision/recall/F1.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_articles, n_labels)
        Binary indicator matrices (0/1 or bool): article ``i`` carries / was tagged with label ``j``.
    macro_over : array-like of bool of shape (n_labels,), optional
        Labels eligible for the macro figures (default: all). Columns left out still count
        in the micro figures: e.g. true labels a model does not know, which are misses.

    Returns
    -------
    LabelScores
    """
    Y = np.asarray(y_true, dtype=bool)
    P = np.asarray(y_pred, dtype=bool)
    if Y.shape != P.shape or Y.ndim != 2:
        raise ValueError(f"y_true and y_pred must be indicator matrices of one shape, got {Y.shape} and {P.shape}")
    n_labels = Y.shape[1]
    if Y.shape[0] == 0 or n_labels == 0:
        zeros = np.zeros(n_labels)
        return LabelScores(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, zeros, zeros, zeros, zeros.astype(int), zeros.astype(int), 0)
    # scikit-learn reads a one-column indicator matrix as a binary target: score its positive class.
    args = (Y, P) if n_labels > 1 else (Y[:, 0].astype(int), P[:, 0].astype(int))
    kw = {"zero_division": 0, **({} if n_labels > 1 else {"labels": [1]})}
    p, r, f, support = precision_recall_fscore_support(*args, average=None, **kw)
    micro = precision_recall_fscore_support(*args, average="micro", **kw)[:3]
    eligible = np.ones(n_labels, dtype=bool) if macro_over is None else np.asarray(macro_over, dtype=bool)
    present = eligible & (support > 0)
    macro = [float(a[present].mean()) if present.any() else 0.0 for a in (p, r, f)]
    return LabelScores(
        float(micro[0]),
        float(micro[1]),
        float(micro[2]),
        *macro,
        precision=p,
        recall=r,
        f1=f,
        support=np.asarray(support, dtype=int),
        predicted=P.sum(axis=0).astype(int),
        n_macro=int(present.sum()),
    )


def indicator_matrices(true, predicted, labels) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Label lists → the indicator matrices :func:`label_scores` takes.

    Parameters
    ----------
    true, predicted : sequences of label collections, one per article
    labels : sequence of str
        The labels a model knows (the first columns, in this order). True labels outside
        them get a column each after these (sorted), which nothing predicts: misses.

    Returns
    -------
    Y, P : ndarray of bool, shape (n_articles, len(labels) + n_unknown)
    unknown : dict of str to int
        Each unknown true label and how many articles carry it.
    """
    index = {name: j for j, name in enumerate(labels)}
    true = [set(t) for t in true]
    unknown: dict[str, int] = {}
    for t in true:
        for label in t - index.keys():
            unknown[label] = unknown.get(label, 0) + 1
    columns = {**index, **{label: len(index) + i for i, label in enumerate(sorted(unknown))}}
    Y = np.zeros((len(true), len(columns)), dtype=bool)
    P = np.zeros_like(Y)
    for d, (t, p) in enumerate(zip(true, predicted)):
        Y[d, [columns[label] for label in t]] = True
        P[d, [index[label] for label in p]] = True
    return Y, P, dict(sorted(unknown.items()))

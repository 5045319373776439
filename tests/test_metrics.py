"""topics.metrics: the one precision/recall/F1, on scikit-learn's."""

import numpy as np
from sklearn.metrics import f1_score, precision_score, recall_score

from topics.metrics import indicator_matrices, label_scores

TRUE = [("oil",), ("oil", "trade"), ("trade",), ("sport",), (), ("oil", "gold")]
PRED = [("oil",), ("oil",), ("oil",), ("sport",), ("trade",), ("oil",)]
KNOWN = ["oil", "trade", "sport", "grain"]  # grain: known, carried by no article; gold: unknown


def test_micro_figures_are_scikit_learns_with_unknown_labels_as_misses():
    Y, P, unknown = indicator_matrices(TRUE, PRED, KNOWN)
    assert unknown == {"gold": 1} and Y.shape == (6, 5)
    s = label_scores(Y, P)
    assert s.micro_f1 == f1_score(Y, P, average="micro")
    assert s.micro_precision == precision_score(Y, P, average="micro") == 4 / 6
    assert s.micro_recall == recall_score(Y, P, average="micro") == 4 / 7  # gold is a miss


def test_macro_is_the_mean_over_the_labels_that_occur():
    Y, P, _ = indicator_matrices(TRUE, PRED, KNOWN)
    s = label_scores(Y, P, macro_over=np.arange(Y.shape[1]) < len(KNOWN))
    per_label = f1_score(Y, P, average=None, zero_division=0)
    assert s.n_macro == 3  # oil, trade, sport: not grain (no article), not gold (unknown)
    assert np.isclose(s.macro_f1, per_label[:3].mean())
    assert s.predicted.tolist() == [4, 1, 1, 0, 0] and s.support.tolist() == [3, 2, 1, 0, 1]


def test_one_label_is_scored_as_a_label_not_as_a_binary_target():
    s = label_scores(np.array([[1], [1], [0], [0]]), np.array([[1], [0], [1], [0]]))
    assert (s.precision.tolist(), s.recall.tolist(), s.micro_f1) == ([0.5], [0.5], 0.5)
    assert label_scores(np.zeros((3, 1)), np.zeros((3, 1))).micro_f1 == 0.0  # nothing to find, nothing found

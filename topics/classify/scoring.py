"""What both ways of learning themes share once scores exist: the score of a margin, the
tagging decision, the F1-best threshold, and the per-theme rows a tagger shows."""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

__all__ = ["CompactScores", "ThemeScore", "ranked_theme_scores", "theme_scores"]


class ThemeScore(NamedTuple):
    """One theme's score for one article, with the terms that pushed it up."""

    __module__ = "topics.classify"  # where pickles (and users) find it

    name: str
    score: float
    threshold: float
    tagged: bool
    evidence: tuple[str, ...] = ()


class CompactScores(NamedTuple):
    """A batch's scores in compact form (:meth:`ThemeClassifier.compact_scores`).

    Attributes
    ----------
    proba : ndarray of shape (n_articles, n_themes)
        Every theme's score.
    tagged : ndarray of bool, same shape
        The themes each article is tagged with.
    evidence : list of dict
        Per article: theme index → evidence terms, for its tagged themes only.
    """

    __module__ = "topics.classify"

    proba: np.ndarray
    tagged: np.ndarray
    evidence: list[dict[int, tuple[str, ...]]]


def ranked_theme_scores(
    names, thresholds: np.ndarray, proba: np.ndarray, tagged: np.ndarray, evidence: dict
) -> list[ThemeScore]:
    """One article's :class:`ThemeScore` list, every theme, highest score first, from its row
    of :class:`CompactScores` (``proba[d]``, ``tagged[d]``, ``evidence[d]``)."""
    # Python lists, not numpy indexing, in the loop: taggers build thousands of these.
    names = [str(n) for n in names]
    p, thr, tags = proba.tolist(), thresholds.tolist(), tagged.tolist()
    order = np.argsort(-proba, kind="stable").tolist()
    return [ThemeScore(names[t], p[t], thr[t], tags[t], evidence.get(t, ())) for t in order]


def theme_scores(names, thresholds, proba, tagged, evidence) -> list[ThemeScore]:
    """Deprecated: :func:`ranked_theme_scores`."""
    warnings.warn("theme_scores is deprecated: use ranked_theme_scores", DeprecationWarning, stacklevel=2)
    return ranked_theme_scores(names, thresholds, proba, tagged, evidence)


def decide(proba: np.ndarray, thresholds: np.ndarray, single_label: bool, always_tag: bool) -> np.ndarray:
    """Indicator matrix of the themes ``proba`` tags: the best theme per article if
    ``single_label``, else those passing their threshold (and the best theme of an article
    none passed, if ``always_tag``)."""
    if single_label:
        out = np.zeros(proba.shape, dtype=int)
        out[np.arange(len(proba)), proba.argmax(axis=1)] = 1
        return out
    out = (proba >= thresholds).astype(int)
    if always_tag and len(proba):
        # Every article is about something: tag the best theme when none passed.
        none = np.flatnonzero(out.sum(axis=1) == 0)
        out[none, proba[none].argmax(axis=1)] = 1
    return out


def sigmoid(z) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(np.asarray(z, dtype=float), -30, 30)))


def best_threshold(y: np.ndarray, proba: np.ndarray) -> float:
    """The score threshold maximising F1, halfway between the scores it separates."""
    order = np.argsort(-proba, kind="stable")
    ranked, truth = proba[order], y[order]
    tp = np.cumsum(truth)
    f1 = 2 * tp / (np.arange(1, len(truth) + 1) + truth.sum())
    f1[:-1][ranked[:-1] == ranked[1:]] = -1.0  # only cut between distinct scores
    k = int(np.argmax(f1))
    if k + 1 < len(ranked):
        return float((ranked[k] + ranked[k + 1]) / 2)
    return float(ranked[k] * 0.999)


def even(indices: np.ndarray, cap: int) -> np.ndarray:
    """At most ``cap`` of ``indices``, evenly spaced (deterministic)."""
    if len(indices) <= cap:
        return indices
    return indices[np.unique(np.linspace(0, len(indices) - 1, cap).astype(int))]

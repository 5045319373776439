"""Supervised mode: themes learned from labelled articles.

One linear SVM per theme over TF-IDF word and bigram features scaled by naive-Bayes
log-count ratios (NBSVM), with scores calibrated (Platt) and a decision threshold per
theme, both learned from cross-validated margins on the training data (from a held-out
sample when the SVMs are learned out of core, :mod:`topics.outofcore`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.model_selection import KFold
from sklearn.preprocessing import MultiLabelBinarizer

from ..features import NgramTfidfVectorizer, ngrams
from ..metrics import label_scores
from ..tokens import Subset
from .scoring import best_threshold, decide, even, sigmoid

Tokens = Sequence[str]
_HELD_OUT = 25_000  # out of core: at most this many articles calibrate scores and thresholds


class SupervisedMixin:
    """The supervised half of :class:`topics.classify.ThemeClassifier`: ``fit`` with labels.

    Reads the parameters ``svm_C``, ``nb_weighting``, ``cv``, ``min_threshold_docs``,
    ``always_tag``, ``out_of_core_above``, ``sgd_epochs`` and the shared ``min_df``,
    ``max_features``, ``n_jobs``, ``random_state``; sets ``calibration_``, ``always_tag_``
    and ``cv_scores_`` besides the attributes every mode sets.
    """

    def _fit_supervised(self, X: Sequence[Tokens], y: list[tuple[str, ...]], progress=None):
        mlb = MultiLabelBinarizer(sparse_output=True)  # dense, it would be articles × themes int64
        Y = mlb.fit_transform(y).tocsr()
        if Y.shape[1] == 0:
            raise ValueError("the training articles carry no labels")
        self.mode_ = "supervised"
        self.classes_ = mlb.classes_.astype(str)
        self.single_label_ = bool((np.diff(Y.indptr) == 1).all())
        self.matcher_ = None
        self.vectorizer_ = NgramTfidfVectorizer(
            analyzer=ngrams, min_df=self.min_df, max_features=self.max_features, sublinear_tf=True, dtype=np.float32
        )
        if self.out_of_core_above is not None and len(X) > self.out_of_core_above:
            return self._fit_out_of_core(X, Y, progress)
        Y = Y.toarray()
        F = self.vectorizer_.fit_transform(X)
        oof = self._oof_margins(F, Y)
        coef, self.intercept_ = self._fit_linear(F, Y)
        self.coef_ = np.asfortranarray(coef)  # coef_.T is then C-contiguous, as scoring wants it
        self._choose_thresholds(oof, Y, {"folds": min(self.cv, len(Y))})
        return self

    def _fit_out_of_core(self, X: Sequence[Tokens], Y: sp.csr_matrix, progress):
        """SVMs by SGD over blocks; calibration and thresholds from a held-out even sample."""
        from ..outofcore import fit_sgd

        self.vectorizer_.fit(X)  # counts n-grams a block at a time
        n = len(X)
        held = even(np.arange(n), min(n // max(self.cv, 2), _HELD_OUT))
        rows = np.setdiff1d(np.arange(n), held)
        coef, self.intercept_ = fit_sgd(
            X,
            Y,
            rows,
            self.vectorizer_,
            C=self.svm_C,
            epochs=self.sgd_epochs,
            n_jobs=self.n_jobs,
            random_state=self.random_state,
            progress=progress,
        )
        self.coef_ = coef  # Fortran-ordered, as scoring wants it
        margins = self._linear(self.vectorizer_.transform(Subset(X, held))) if len(held) else None  # None: defaults
        self._choose_thresholds(margins, Y[held].toarray(), {"held_out": len(held)})
        return self

    def _fit_linear(self, F, Y: np.ndarray, test=None):
        """One linear SVM per column of Y; constant columns get a constant model.

        Returns ``(coef, intercept)``, the NB scaling folded into the weights, so scores
        stay ``F @ coef.T + intercept`` on the plain TF-IDF features; or, given ``test``
        features, only their margins (articles × themes): cross-validation then never
        holds a fold's whole weight matrix (themes × features).

        The themes are dealt round-robin to ``n_jobs`` worker processes, each fitting its
        share one after another. Not threads: liblinear draws from one process-wide random
        generator, so SVMs fitted in concurrent threads come out slightly different on
        every run, and the same corpus must give the same model.
        """
        from joblib import Parallel, delayed, effective_n_jobs

        F = F.tocsr()
        F.sort_indices()  # once here, not in every worker
        n_themes = Y.shape[1]
        workers = max(1, min(effective_n_jobs(self.n_jobs), n_themes))
        shares = [np.arange(w, n_themes, workers) for w in range(workers)]
        args = (self.nb_weighting, self.svm_C, self.random_state, test)
        if workers == 1:
            parts = [_fit_svms(F, Y, *args)]
        else:
            from ..workers import exit_with_parent

            # Workers watch this process from start-up, so that they exit if it is killed, even
            # one still waiting for its share (a share is sent once its worker has started).
            parallel = Parallel(
                n_jobs=workers, prefer="processes", initializer=exit_with_parent, initargs=(os.getpid(),)
            )
            parts = parallel(delayed(_fit_svms)(F, Y[:, share], *args) for share in shares)
        if test is not None:
            margins = np.empty((test.shape[0], n_themes))
            for share, part in zip(shares, parts):
                margins[:, share] = part
            return margins
        coef = np.empty((n_themes, F.shape[1]), dtype=np.float32, order="F")
        intercept = np.empty(n_themes)
        for share, (c, b) in zip(shares, parts):
            coef[share], intercept[share] = c, b
        return coef, intercept

    def _oof_margins(self, F, Y: np.ndarray) -> np.ndarray | None:
        """Out-of-fold SVM margins of every training article (None if too few articles)."""
        n_splits = min(self.cv, len(Y))
        if n_splits < 2:
            return None
        oof = np.zeros(Y.shape)
        for train, test in KFold(n_splits, shuffle=True, random_state=self.random_state).split(F):
            oof[test] = self._fit_linear(F[train], Y[train], test=F[test])
        return oof

    def _choose_thresholds(self, oof: np.ndarray | None, Y: np.ndarray, how: dict) -> None:
        """Platt calibration, thresholds and the best-theme fallback, from out-of-fold
        (or held-out) margins; ``how`` says which, in ``cv_scores_``.

        Themes with at least ``min_threshold_docs`` articles get their own calibration
        and the threshold maximising their F1; rarer themes share one calibration
        and one threshold (maximising their mean F1). Everything is worked out first and
        the attributes set once at the end.
        """
        n_themes = Y.shape[1]
        calibration = np.tile([2.0, 0.0], (n_themes, 1))  # without CV: margin 0 ↔ 0.5
        thresholds = np.full(n_themes, 0.5)
        always_tag = bool(self.always_tag) if self.always_tag != "auto" else False
        cv_scores = {}
        if oof is not None:
            n_pos = Y.sum(axis=0)
            rare = n_pos < self.min_threshold_docs
            if rare.any():
                calibration[rare] = _platt(oof[:, rare].ravel(), Y[:, rare].ravel())
            for j in np.flatnonzero(~rare):
                calibration[j] = _platt(oof[:, j], Y[:, j])
            proba = calibrated(oof, calibration)
            for j in np.flatnonzero(~rare):
                thresholds[j] = best_threshold(Y[:, j], proba[:, j])
            if rare.any():
                grid = np.linspace(0.02, 0.9, 45)
                scores = [label_scores(Y[:, rare], proba[:, rare] >= g).f1.mean() for g in grid]
                best = np.flatnonzero(np.isclose(scores, max(scores)))
                thresholds[rare] = grid[best[len(best) // 2]]  # middle of the best plateau
            if self.always_tag == "auto" and not self.single_label_:
                plain = decide(proba, thresholds, self.single_label_, always_tag=False)
                fallback = decide(proba, thresholds, self.single_label_, always_tag=True)
                always_tag = label_scores(Y, fallback).micro_f1 > label_scores(Y, plain).micro_f1
            scores = label_scores(Y, decide(proba, thresholds, self.single_label_, always_tag))
            cv_scores = {"micro_f1": round(scores.micro_f1, 4), "macro_f1": round(scores.macro_f1, 4), **how}
        self.calibration_ = calibration
        self.thresholds_ = thresholds
        self.always_tag_ = always_tag
        self.cv_scores_ = cv_scores


def calibrated(margins: np.ndarray, calibration: np.ndarray) -> np.ndarray:
    """Scores in [0, 1] of SVM margins (articles × themes), by each theme's Platt slope and intercept."""
    return sigmoid(margins * calibration[:, 0] + calibration[:, 1])


def _fit_svms(F, Y: np.ndarray, nb_weighting: bool, C: float, random_state: int, test=None):
    """Linear SVMs for the columns of ``Y``, one after another (see ``SupervisedMixin._fit_linear``):
    ``(coef, intercept)``, or the margins of ``test`` when given."""
    from sklearn.svm import LinearSVC

    present = None
    if nb_weighting:
        binary = F.copy()
        binary.data[:] = 1.0
        present = (binary, np.asarray(binary.sum(axis=0)).ravel())
    n_themes = Y.shape[1]
    coef = np.zeros((n_themes, F.shape[1]), dtype=np.float32) if test is None else None
    intercept = np.empty(n_themes)
    margins = np.empty((test.shape[0], n_themes)) if test is not None else None
    for j in range(n_themes):
        y = Y[:, j]
        n_pos = int(y.sum())
        if n_pos in (0, len(y)):  # one class only: a constant model
            w, intercept[j] = np.zeros(F.shape[1], dtype=np.float32), (-1.0 if n_pos == 0 else 1.0)
        elif present is None:
            svm = LinearSVC(C=C, random_state=random_state).fit(F, y)
            w, intercept[j] = svm.coef_[0].astype(np.float32), float(svm.intercept_[0])
        else:
            # NBSVM: scale each feature by the log ratio of its (add-one smoothed, normalised)
            # document frequency in and outside the theme, so sharp features count more.
            binary, df = present
            pos = binary.T @ y.astype(np.float32) + 1.0
            neg = df - pos + 2.0
            ratio = np.log((pos / pos.sum()) / (neg / neg.sum())).astype(np.float32)
            scaled = F.copy()
            scaled.data *= ratio[scaled.indices]
            svm = LinearSVC(C=C, random_state=random_state).fit(scaled, y)
            w, intercept[j] = (svm.coef_[0] * ratio).astype(np.float32), float(svm.intercept_[0])
        if test is None:
            coef[j] = w
        else:
            margins[:, j] = (test @ w).astype(np.float64) + intercept[j]
    return (coef, intercept) if test is None else margins


def _platt(margins: np.ndarray, y: np.ndarray, iterations: int = 50) -> tuple[float, float]:
    """Platt scaling: (a, b) with P(y=1 | m) = sigmoid(a·m + b), fitted by Newton's method
    on Platt's smoothed targets (which keep a theme with few examples from
    getting scores of exactly 0 or 1)."""
    n_pos = float(y.sum())
    n_neg = len(y) - n_pos
    t = np.where(y > 0, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))
    a, b = 2.0, 0.0
    for _ in range(iterations):
        p = sigmoid(a * margins + b)
        w = np.maximum(p * (1 - p), 1e-12)
        g = np.array([np.dot(p - t, margins), np.sum(p - t)])
        h = np.array([[np.dot(w, margins * margins), np.dot(w, margins)], [np.dot(w, margins), w.sum()]])
        h += 1e-9 * np.eye(2)
        step = np.linalg.solve(h, g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-7:
            break
    return float(max(a, 1e-3)), float(b)  # never let a theme's score fall with its margin

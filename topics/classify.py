"""Multi-label theme classification.

Two ways to learn themes, behind one estimator (:class:`ThemeClassifier`):

* **supervised**: the corpus carries labels (JSONL ``labels``, a CSV label
  column, a folder per label). One linear SVM per theme over TF-IDF word and
  bigram features scaled by naive-Bayes log-count ratios (NBSVM), with scores
  calibrated (Platt) and a decision threshold per theme, both learned from
  cross-validated scores on the training data.
* **from the taxonomy** (no labels): the taxonomy's seed terms are matched in
  every training article (:class:`SeedMatcher`); articles with strong evidence
  become weak positives, those with none weak negatives, and a classifier
  learns from them which *other* words go with each theme. A tag's score
  combines the seed evidence (:mod:`topics.evidence`) with that classifier,
  weighted by how many weak positives the classifier had to learn from.

Inputs are token lists from :meth:`topics.preprocess.Preprocessor.tokenize`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from inspect import signature
from itertools import islice
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.preprocessing import MultiLabelBinarizer

from .evidence import EvidenceModel, SeedMatcher, default_evidence_model, evidence_features
from .features import NgramTfidfVectorizer, ngrams
from .taxonomy import Taxonomy
from .tokens import Chained, Subset

__all__ = ["ThemeClassifier", "ThemeScore", "theme_scores"]

Tokens = Sequence[str]
_BLOCK = 4096  # articles scored at once while fitting
_HELD_OUT = 25_000  # out of core: at most this many articles calibrate scores and thresholds


_ngrams = ngrams  # the name bundles saved before topics.features existed refer to


# -- the estimator ------------------------------------------------------------------------
class ThemeScore(NamedTuple):
    """One theme's score for one article, with the terms that pushed it up."""

    name: str
    score: float
    threshold: float
    tagged: bool
    evidence: tuple[str, ...] = ()


class ThemeClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label theme classifier over token lists.

    Parameters
    ----------
    taxonomy : Taxonomy
        Themes with seed terms. Required when training without labels; with
        labels, it supplies labels and descriptions for known theme names.
    C : float, default=10.0
        Inverse regularisation strength of the per-theme logistic regressions
        (themes learned from the taxonomy).
    svm_C : float, default=1.0
        Inverse regularisation strength of the per-theme linear SVMs (supervised).
    nb_weighting : bool, default=True
        Supervised: scale each theme's features by their naive-Bayes log-count ratio
        before the SVM (Wang & Manning's NBSVM). Measured by 5-fold cross-validation on
        the Reuters-21578 training split: +0.004 micro-F1, +0.02 macro-F1. On the
        single-label Reuters R8 and R52 training sets it cost 0.002 and 0.004 accuracy,
        on BBC News (5-fold) it gained 0.002: kept on for every corpus.
    min_threshold_docs : int, default=20
        Supervised: themes with fewer training articles than this share one
        calibration and one decision threshold (chosen for their mean F1), as
        their own cross-validated scores are too few to choose them from.
    always_tag : {"auto", True, False}, default="auto"
        Supervised multi-label: tag an article's best theme when no theme passes
        its threshold. ``"auto"`` decides by which gives the higher micro-F1 on the
        cross-validated training scores.
    n_jobs : int, default=-1
        Worker processes fitting the per-theme SVMs (threads for the out-of-core SGD);
        -1 = all cores. The model is the same for any value.
    min_df : int, default=2
        Features must occur in at least this many training articles.
    cv : int, default=5
        Supervised: folds of the cross-validation whose out-of-fold scores
        calibrate the scores and choose the thresholds.
    evidence_scale : float, default=2.0
        Seed evidence ``e`` maps to a score ``1 - exp(-e / evidence_scale)``:
        a seed term named twice (or two seed terms) passes 0.5, a passing mention does not.
    length_ref : int, default=200
        Evidence of articles longer than this many tokens is divided by
        ``n_tokens / length_ref``: what counts is how much of the article is about
        a theme, not whether the theme is mentioned somewhere in a long text.
    weak_positive : float, default=0.6
        Seed-evidence score from which a training article is a weak positive.
    model_weight : float, default=0.5
        At most how much the classifier learned from weak labels adds to the
        seed evidence (noisy-OR weight), in [0, 1].
    model_shrinkage : float, default=300
        A theme's learned classifier gets ``model_weight * n / (n + model_shrinkage)``,
        ``n`` its weak positives: a model learned from a handful of articles barely
        counts (measured: on the bundled 300-article corpus it only adds noise),
        one learned from thousands counts fully.
    threshold : float, default=0.5
        Decision threshold of themes learned from the taxonomy.
    random_state : int, default=0
    max_weak_articles : int, default=30_000
        Taxonomy mode: the weak-label classifiers learn from at most this many articles
        (an even sample) plus this many weak positives per theme; the seed evidence still
        reads every article. Bounds training memory on large corpora.
    max_features : int or None, default=250_000
        At most this many word and bigram features (the most frequent), which bounds
        the model's size on large corpora.
    out_of_core_above : int or None, default=50_000
        Supervised: with more labelled articles than this, the per-theme SVMs are
        learned out of core (:func:`topics.outofcore.fit_sgd`: SGD over
        blocks read from disk, hinge loss, the same penalty, no NB scaling), and calibration and
        thresholds come from the margins of a held-out even sample (a ``1/cv`` share,
        at most 25,000 articles) instead of cross-validation. Memory then stays flat
        as the corpus grows. None: always the exact learner.
    sgd_epochs : int, default=5
        Out of core: passes over the training articles.
    near_similarity : float or None, default=0.7
        Taxonomy mode: words whose shipped vector is at least this close (cosine) to a
        one-word seed term count as evidence (:func:`topics.semantic.near_terms`); None: off.
    near_weight : float, default=0.5
        Weight of a near term of similarity 1, relative to a seed term.
    use_examples : bool, default=True
        Taxonomy mode: the taxonomy's ``examples`` train the weak-label classifiers as
        positives of their theme (their words also shape the theme's meaning).
    evidence_model : "news", (coef, intercept) or None, default="news"
        Taxonomy mode: how evidence becomes a score. "news": the logistic model shipped in
        ``topics/data/evidence_model.json`` (fitted on the check set's dev split); a pair:
        that model; None: ``1 - exp(-evidence / length / evidence_scale)`` as before.
    weak_negative : float, default=0.05
        Taxonomy mode: articles scoring below this for a theme are its weak negatives.

    Attributes
    ----------
    classes_ : ndarray of str
        Theme names, in output column order.
    mode_ : {"supervised", "taxonomy"}
    single_label_ : bool
        True if every training article had exactly one label; ``predict``
        then always returns the single best theme.
    thresholds_ : ndarray of float
        Per-theme thresholds on the scores of :meth:`predict_proba`.
    calibration_ : ndarray (n_themes, 2)
        Supervised: Platt slope and intercept mapping SVM margins to scores.
    always_tag_ : bool
        Supervised: whether the best theme is tagged when none passes its threshold.
    cv_scores_ : dict
        Supervised: micro/macro F1 of the out-of-fold predictions (an estimate of
        quality on new articles; slightly optimistic, thresholds were chosen on them).
    model_weights_ : ndarray of float
        Taxonomy mode: the weight of each theme's learned classifier (see ``model_shrinkage``).
    vectorizer_ : NgramTfidfVectorizer
    coef_ : ndarray (n_themes, n_features)
    intercept_ : ndarray (n_themes,)
    """

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        C: float = 10.0,
        min_df: int = 2,
        cv: int = 5,
        evidence_scale: float = 2.0,
        length_ref: int = 200,
        weak_positive: float = 0.6,
        model_weight: float = 0.5,
        model_shrinkage: float = 300,
        threshold: float = 0.5,
        random_state: int = 0,
        svm_C: float = 1.0,
        nb_weighting: bool = True,
        min_threshold_docs: int = 20,
        always_tag: bool | str = "auto",
        n_jobs: int = -1,
        max_weak_articles: int = 30_000,
        max_features: int | None = 250_000,
        out_of_core_above: int | None = 50_000,
        sgd_epochs: int = 5,
        near_similarity: float | None = 0.7,
        near_weight: float = 0.5,
        use_examples: bool = True,
        evidence_model: str | None = "news",
        weak_negative: float = 0.05,
    ) -> None:
        self.taxonomy = taxonomy
        self.C = C
        self.min_df = min_df
        self.cv = cv
        self.evidence_scale = evidence_scale
        self.length_ref = length_ref
        self.weak_positive = weak_positive
        self.model_weight = model_weight
        self.model_shrinkage = model_shrinkage
        self.threshold = threshold
        self.random_state = random_state
        self.svm_C = svm_C
        self.nb_weighting = nb_weighting
        self.min_threshold_docs = min_threshold_docs
        self.always_tag = always_tag
        self.n_jobs = n_jobs
        self.max_weak_articles = max_weak_articles
        self.max_features = max_features
        self.out_of_core_above = out_of_core_above
        self.sgd_epochs = sgd_epochs
        self.near_similarity = near_similarity
        self.near_weight = near_weight
        self.use_examples = use_examples
        self.evidence_model = evidence_model
        self.weak_negative = weak_negative

    # -- fitting ------------------------------------------------------------------------
    def fit(
        self, X: Sequence[Tokens], y: Sequence[Sequence[str]] | None = None, *, tokenize=None, progress=None,
        examples: Sequence[tuple[Tokens, Sequence[str]]] = (),
    ) -> "ThemeClassifier":
        """Learn themes from token lists ``X``.

        Parameters
        ----------
        X : sequence of token lists
        y : sequence of label lists, or None
            None trains from the taxonomy's seed terms (``tokenize`` required).
        tokenize : callable, optional
            The preprocessor's ``tokenize``, used to tokenise seed terms.
        progress : callable, optional
            Called with a line of text at each step of long work (out-of-core epochs).
        examples : sequence of (token list, label list), optional
            Without labels: a few labelled articles (``topics train --labels FILE``). They
            train the weak-label classifiers as positives of their themes and negatives of
            the other labelled themes, and each labelled theme's threshold moves towards the
            one that tags them best (the more examples, the further). They do not join the
            themes' meaning (measured: whole articles blur the prototypes, costing precision).
        """
        X = X if isinstance(X, Sequence) else list(X)
        if y is None:
            if self.taxonomy is None or tokenize is None:
                raise ValueError("training without labels needs a taxonomy and a tokenize function")
            return self._fit_taxonomy(X, tokenize, list(examples))
        return self._fit_supervised(X, [tuple(labels) for labels in y], progress)

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
            parts = Parallel(n_jobs=workers, prefer="processes")(delayed(_fit_svms_in_worker)(F, Y[:, share], *args) for share in shares)
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

    def _fit_supervised(self, X: Sequence[Tokens], y: list[tuple[str, ...]], progress=None) -> "ThemeClassifier":
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

    def _fit_out_of_core(self, X: Sequence[Tokens], Y: sp.csr_matrix, progress) -> "ThemeClassifier":
        """SVMs by SGD over blocks; calibration and thresholds from a held-out even sample."""
        from .outofcore import fit_sgd

        self.vectorizer_.fit(X)  # counts n-grams a block at a time
        n = len(X)
        held = _even(np.arange(n), min(n // max(self.cv, 2), _HELD_OUT))
        rows = np.setdiff1d(np.arange(n), held)
        coef, self.intercept_ = fit_sgd(
            X, Y, rows, self.vectorizer_, C=self.svm_C, epochs=self.sgd_epochs,
            n_jobs=self.n_jobs, random_state=self.random_state, progress=progress,
        )
        self.coef_ = coef  # Fortran-ordered, as scoring wants it
        margins = self._linear(self.vectorizer_.transform(Subset(X, held))) if len(held) else None  # None: defaults
        self._choose_thresholds(margins, Y[held].toarray(), {"held_out": len(held)})
        return self

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
        and one threshold (maximising their mean F1).
        """
        n_themes = Y.shape[1]
        self.calibration_ = np.tile([2.0, 0.0], (n_themes, 1))  # without CV: margin 0 ↔ 0.5
        self.thresholds_ = np.full(n_themes, 0.5)
        self.always_tag_ = bool(self.always_tag) if self.always_tag != "auto" else False
        self.cv_scores_ = {}
        if oof is None:
            return
        n_pos = Y.sum(axis=0)
        rare = n_pos < self.min_threshold_docs
        if rare.any():
            self.calibration_[rare] = _platt(oof[:, rare].ravel(), Y[:, rare].ravel())
        for j in np.flatnonzero(~rare):
            self.calibration_[j] = _platt(oof[:, j], Y[:, j])
        proba = _sigmoid(oof * self.calibration_[:, 0] + self.calibration_[:, 1])
        for j in np.flatnonzero(~rare):
            self.thresholds_[j] = _best_threshold(Y[:, j], proba[:, j])
        if rare.any():
            grid = np.linspace(0.02, 0.9, 45)
            scores = [np.mean([_f1(Y[:, j], proba[:, j] >= g) for j in np.flatnonzero(rare)]) for g in grid]
            best = np.flatnonzero(np.isclose(scores, max(scores)))
            self.thresholds_[rare] = grid[best[len(best) // 2]]  # middle of the best plateau
        plain = self._decide(proba)
        if self.always_tag == "auto" and not self.single_label_:
            self.always_tag_ = True
            fallback = self._decide(proba)
            self.always_tag_ = _micro_f1(Y, fallback) > _micro_f1(Y, plain)
        pred = self._decide(proba)
        self.cv_scores_ = {"micro_f1": round(_micro_f1(Y, pred), 4), "macro_f1": round(_macro_f1(Y, pred), 4), **how}

    def _fit_taxonomy(self, X: Sequence[Tokens], tokenize, examples: list | None = None) -> "ThemeClassifier":
        self.mode_ = "taxonomy"
        self.classes_ = np.array(self.taxonomy.names)
        self.single_label_ = False
        examples = examples or []
        index = {name: t for t, name in enumerate(self.taxonomy.names)}
        unknown = sorted({label for _, labels in examples for label in labels if label not in index})
        if unknown:
            raise ValueError(f"labelled examples name themes the taxonomy does not have: {', '.join(unknown)}")
        E = np.zeros((len(examples), len(index)), dtype=bool)  # example × theme
        for i, (_, labels) in enumerate(examples):
            E[i, [index[label] for label in labels]] = True
        labelled = E.any(axis=0)  # themes the examples speak about (examples are negatives of these only)
        near = []
        if self.near_similarity is not None:
            from .semantic import default_vectors, near_terms

            near = near_terms(self.taxonomy, tokenize, default_vectors(), min_similarity=self.near_similarity)
        self.matcher_ = SeedMatcher(self.taxonomy, tokenize, near=near, near_weight=self.near_weight)
        # Scoring: the shipped evidence model ("news"), a (coef, intercept) pair, or None
        # for the plain seed-evidence formula of earlier versions.
        self.semantic_ = self.evidence_model_ = None
        if self.evidence_model is not None:
            from .semantic import ThemeSimilarity, default_vectors

            shots = [(tokens, set(np.flatnonzero(e))) for (tokens, _), e in zip(examples, E)]
            self.semantic_ = ThemeSimilarity(self.taxonomy, tokenize, default_vectors(), shots)
            self.evidence_model_ = (
                default_evidence_model() if self.evidence_model == "news" else EvidenceModel(*self.evidence_model)
            )
        n, n_themes = len(X), len(self.classes_)
        lex = np.zeros((n, n_themes))
        articles = iter(X)  # X may be a TokenStore on disk: read it in blocks, in order
        for start in range(0, n, _BLOCK):
            lex[start : start + _BLOCK] = self._lexicon_scores(list(islice(articles, _BLOCK)))
        # Weak labels: clear evidence → positive, no evidence at all → negative,
        # in between → left out of that theme's training set.
        # Each theme's seed list also joins the training set as a pseudo-article, so a
        # theme the corpus barely covers still has positives.
        pseudo = [list(self.matcher_tokens(theme.name, tokenize)) for theme in self.taxonomy.themes]
        # pseudo-article × theme: 1 positive, 0 negative, -1 left out
        owner = [np.where(np.arange(n_themes) == t, 1, 0) for t in range(n_themes)]
        if self.use_examples:  # the taxonomy's example headlines: positives of their theme
            for t, theme in enumerate(self.taxonomy.themes):
                for example in theme.examples:
                    pseudo.append(tokenize(example))
                    owner.append(np.where(np.arange(n_themes) == t, 1, 0))
        for (tokens, _), e in zip(examples, E):
            pseudo.append(list(tokens))
            owner.append(np.where(e, 1, np.where(labelled, 0, -1)))
        owner = np.array(owner)
        self.vectorizer_ = NgramTfidfVectorizer(
            analyzer=ngrams, min_df=self.min_df, max_features=self.max_features, sublinear_tf=True, dtype=np.float32
        )
        self.vectorizer_.fit(Chained(X, pseudo))
        # On a large corpus the classifiers learn from an even sample: at most
        # max_weak_articles articles (negatives for every theme) plus at most as many
        # positives per theme, so memory does not grow with the corpus.
        cap = self.max_weak_articles
        sample = np.arange(n) if n <= cap else np.unique(np.linspace(0, n - 1, cap).astype(int))
        positives = [_even(np.flatnonzero(lex[:, t] >= self.weak_positive), cap) for t in range(n_themes)]
        rows = np.union1d(sample, np.concatenate(positives)).astype(int)
        # Subset: read in one pass and transformed a block at a time.
        F = sp.vstack([self.vectorizer_.transform(Subset(X, rows)), self.vectorizer_.transform(pseudo)], format="csr")
        coef = np.zeros((n_themes, F.shape[1]))
        intercept = np.full(n_themes, -12.0)
        n_pos = np.zeros(n_themes)
        for t in range(n_themes):
            pos = positives[t]
            n_pos[t] = len(pos)
            neg = sample[lex[sample, t] < self.weak_negative]
            own = np.flatnonzero(owner[:, t] >= 0)
            take = np.concatenate([np.searchsorted(rows, pos), np.searchsorted(rows, neg), len(rows) + own])
            labels = np.concatenate([np.ones(len(pos)), np.zeros(len(neg)), owner[own, t].astype(float)])
            if labels.sum() < 2 or (labels == 0).sum() < 2:
                continue
            lr = LogisticRegression(C=self.C, solver="liblinear", class_weight="balanced", random_state=self.random_state)
            lr.fit(F[take], labels)
            coef[t] = lr.coef_[0]
            intercept[t] = lr.intercept_[0]
        self.coef_ = np.asfortranarray(coef, dtype=np.float32)
        self.intercept_ = intercept
        self.model_weights_ = self.model_weight * n_pos / (n_pos + self.model_shrinkage)
        self.thresholds_ = np.full(len(self.classes_), self.threshold)
        if examples:
            self._thresholds_from_examples([tokens for tokens, _ in examples], E, labelled)
        return self

    def _thresholds_from_examples(self, tokens: list, E: np.ndarray, labelled: np.ndarray) -> None:
        """Move each labelled theme's threshold from ``threshold`` towards the one that tags
        the labelled examples best (F1), by n / (n + 10) for n positive examples: five
        examples move it a third of the way, a hundred almost all of it."""
        proba = self.predict_proba(tokens)
        for t in np.flatnonzero(labelled):
            n = int(E[:, t].sum())
            if n == 0 or n == len(E):
                continue
            best = min(max(_best_threshold(E[:, t], proba[:, t]), 0.05), 0.95)
            self.thresholds_[t] = self.threshold + (best - self.threshold) * n / (n + 10)

    def matcher_tokens(self, name: str, tokenize) -> list[str]:
        """Tokens of a theme's seed terms, its label and description (its pseudo-article)."""
        theme = self.taxonomy[name]
        text = " . ".join((theme.label, theme.description, *theme.seeds))
        return tokenize(text)

    # -- scoring ------------------------------------------------------------------------
    def _lexicon_scores(self, X: Sequence[Tokens], counts: list[list[Counter]] | None = None) -> np.ndarray:
        model = getattr(self, "evidence_model_", None)  # None in bundles saved before it
        if model is not None:
            counts = [self.matcher_.matches(tokens) for tokens in X] if counts is None else counts
            return model.predict(self._evidence_features(X, counts))
        evidence = self.matcher_.transform(X) if counts is None else self.matcher_.evidence_matrix(counts)
        length = np.array([max(1.0, len(tokens) / self.length_ref) for tokens in X])
        return 1.0 - np.exp(-evidence / length[:, None] / self.evidence_scale)

    def _evidence_features(self, X: Sequence[Tokens], counts: list[list[Counter]]) -> np.ndarray:
        by_kind = self.matcher_.evidence_by_kind(counts)
        return evidence_features(
            by_kind, np.array([len(tokens) for tokens in X]), self.length_ref, self.semantic_.transform(X),
            self.matcher_.shared(counts, by_kind.sum(axis=2)),
        )

    def decision_function(self, X: Sequence[Tokens]) -> np.ndarray:
        """Linear scores of the learned model, shape (n_documents, n_themes)."""
        return self._linear(self.vectorizer_.transform(X))

    def _linear(self, F) -> np.ndarray:
        # sparse @ dense wants a C-contiguous right side: a view when coef_ is Fortran-ordered
        # (as fit leaves it), a copy made once for bundles saved before.
        weights = getattr(self, "_coef_t", None)
        if weights is None:
            weights = self._coef_t = np.ascontiguousarray(self.coef_.T)
        return np.asarray(F @ weights) + self.intercept_

    def _proba(self, F, X: list[Tokens], counts: list[list[Counter]] | None = None) -> np.ndarray:
        if self.mode_ == "supervised":  # Platt-calibrated SVM margins
            return _sigmoid(self._linear(F) * self.calibration_[:, 0] + self.calibration_[:, 1])
        model = _sigmoid(self._linear(F))
        return 1.0 - (1.0 - self._lexicon_scores(X, counts)) * (1.0 - self.model_weights_ * model)

    def predict_proba(self, X: Sequence[Tokens]) -> np.ndarray:
        """Theme scores in [0, 1], shape (n_documents, n_themes)."""
        X = list(X)
        return self._proba(self.vectorizer_.transform(X), X)

    def predict(self, X: Sequence[Tokens]) -> np.ndarray:
        """Binary indicator matrix (n_documents, n_themes) of assigned themes."""
        return self._decide(self.predict_proba(X))

    def _decide(self, proba: np.ndarray) -> np.ndarray:
        if self.single_label_:
            out = np.zeros(proba.shape, dtype=int)
            out[np.arange(len(proba)), proba.argmax(axis=1)] = 1
            return out
        out = (proba >= self.thresholds_).astype(int)
        if getattr(self, "always_tag_", False) and len(proba):
            # Every article is about something: tag the best theme when none passed.
            none = np.flatnonzero(out.sum(axis=1) == 0)
            out[none, proba[none].argmax(axis=1)] = 1
        return out

    def score_themes(self, X: Sequence[Tokens], n_evidence: int = 5) -> list[list[ThemeScore]]:
        """Every theme's score per article, highest first; tagged themes carry evidence terms."""
        proba, tagged, evidence = self.score_batch(X, n_evidence)
        return [theme_scores(self.classes_, self.thresholds_, p, t, e) for p, t, e in zip(proba, tagged, evidence)]

    def score_batch(self, X: Sequence[Tokens], n_evidence: int = 5) -> tuple[np.ndarray, np.ndarray, list[dict]]:
        """Scores of a batch in compact form: the score matrix, the tagged mask, and per
        article a dict theme index → evidence terms of its tagged themes."""
        X = list(X)
        F = self.vectorizer_.transform(X)
        counts = [self.matcher_.matches(tokens) for tokens in X] if self.matcher_ is not None else None
        proba = self._proba(F, X, counts)
        tagged = self._decide(proba).astype(bool)
        evidence = [
            {int(t): self._evidence(t, counts[d][t] if counts else None, F, d, n_evidence) for t in np.flatnonzero(row)}
            for d, row in enumerate(tagged)
        ]
        return proba, tagged, evidence

    def _evidence(self, t: int, counts: Counter | None, F, d: int, n: int) -> tuple[str, ...]:
        """Terms that raised theme ``t`` in article ``d``: matched seed terms first, then
        the words whose learned weight × TF-IDF added most to the score."""
        terms: list[str] = []
        if counts:
            ranked = sorted(counts.items(), key=lambda kv: (-kv[0][0], -kv[1], kv[0][1]))
            terms += [term for (_, term), _ in ranked]
        if len(terms) >= n or (self.mode_ == "taxonomy" and self.model_weights_[t] < 0.05):
            return tuple(terms[:n])  # enough seed terms, or a learned model too weak to explain anything
        lo, hi = F.indptr[d], F.indptr[d + 1]
        indices = F.indices[lo:hi]
        contrib = F.data[lo:hi] * self.coef_[t, indices]
        vocab = self._feature_names()
        for k in np.argsort(-contrib, kind="stable"):
            if contrib[k] <= 0 or len(terms) >= n:
                break
            word = str(vocab[indices[k]])
            if word not in terms:
                terms.append(word)
        return tuple(terms[:n])

    def _feature_names(self) -> np.ndarray:
        names = getattr(self, "_names_cache", None)
        if names is None:
            names = self._names_cache = self.vectorizer_.get_feature_names_out()
        return names

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_names_cache", None)
        state.pop("_coef_t", None)
        return state

    def __setstate__(self, state: dict) -> None:
        # A bundle saved before a parameter existed lacks it: give it the default, so
        # get_params, clone and repr (a notebook's cell output) keep working.
        defaults = {k: p.default for k, p in signature(type(self).__init__).parameters.items() if k != "self"}
        super().__setstate__({**defaults, **state})


def _fit_svms_in_worker(*args):
    """:func:`_fit_svms` in a worker process, which exits if the training process is killed."""
    from .workers import exit_with_parent

    exit_with_parent()
    return _fit_svms(*args)


def _fit_svms(F, Y: np.ndarray, nb_weighting: bool, C: float, random_state: int, test=None):
    """Linear SVMs for the columns of ``Y``, one after another (see ``ThemeClassifier._fit_linear``):
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


def theme_scores(names, thresholds: np.ndarray, proba: np.ndarray, tagged: np.ndarray, evidence: dict) -> list[ThemeScore]:
    """One article's :class:`ThemeScore` list, highest score first, from compact scores."""
    # Python lists, not numpy indexing, in the loop: taggers build thousands of these.
    names = [str(n) for n in names]
    p, thr, tags = proba.tolist(), thresholds.tolist(), tagged.tolist()
    order = np.argsort(-proba, kind="stable").tolist()
    return [ThemeScore(names[t], p[t], thr[t], tags[t], evidence.get(t, ())) for t in order]


def _even(indices: np.ndarray, cap: int) -> np.ndarray:
    """At most ``cap`` of ``indices``, evenly spaced (deterministic)."""
    if len(indices) <= cap:
        return indices
    return indices[np.unique(np.linspace(0, len(indices) - 1, cap).astype(int))]


def _sigmoid(z) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(np.asarray(z, dtype=float), -30, 30)))


def _platt(margins: np.ndarray, y: np.ndarray, iterations: int = 50) -> tuple[float, float]:
    """Platt scaling: (a, b) with P(y=1 | m) = sigmoid(a·m + b), fitted by Newton's method
    on Platt's smoothed targets (which keep a theme with few examples from
    getting scores of exactly 0 or 1)."""
    n_pos = float(y.sum())
    n_neg = len(y) - n_pos
    t = np.where(y > 0, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))
    a, b = 2.0, 0.0
    for _ in range(iterations):
        p = _sigmoid(a * margins + b)
        w = np.maximum(p * (1 - p), 1e-12)
        g = np.array([np.dot(p - t, margins), np.sum(p - t)])
        h = np.array([[np.dot(w, margins * margins), np.dot(w, margins)], [np.dot(w, margins), w.sum()]])
        h += 1e-9 * np.eye(2)
        step = np.linalg.solve(h, g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-7:
            break
    return float(max(a, 1e-3)), float(b)  # never let a theme's score fall with its margin


def _best_threshold(y: np.ndarray, proba: np.ndarray) -> float:
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


def _micro_f1(Y: np.ndarray, pred: np.ndarray) -> float:
    return _f1(Y.ravel().astype(bool), pred.ravel().astype(bool))


def _macro_f1(Y: np.ndarray, pred: np.ndarray) -> float:
    return float(np.mean([_f1(Y[:, j].astype(bool), pred[:, j].astype(bool)) for j in range(Y.shape[1])]))


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = float((y & pred).sum())
    denom = float(y.sum() + pred.sum())
    return 2 * tp / denom if denom else 0.0

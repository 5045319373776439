"""The theme classifier: one scikit-learn estimator, two ways to learn (see the package docstring).

``fit`` picks the way (labels → :mod:`.supervised`, none → :mod:`.zero_label`); scoring,
tagging and explaining are here, the same for both but for how a margin becomes a score.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Sequence
from inspect import signature

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from ..metrics import indicator_matrices, label_scores
from ..taxonomy import Taxonomy
from .scoring import CompactScores, ThemeScore, decide, ranked_theme_scores
from .supervised import SupervisedMixin, calibrated
from .zero_label import TaxonomyMixin

Tokens = Sequence[str]


class ThemeClassifier(SupervisedMixin, TaxonomyMixin, ClassifierMixin, BaseEstimator):
    """Multi-label theme classifier over token lists.

    ``fit(X, y)`` with label lists learns **supervised** (:mod:`topics.classify.supervised`);
    ``fit(X, tokenize=...)`` without labels learns **from the taxonomy**
    (:mod:`topics.classify.zero_label`). ``mode_`` says which. Each parameter applies to
    one mode, except ``min_df``, ``max_features`` and ``random_state`` (both modes) and
    ``taxonomy`` (required by the taxonomy mode; with labels it only supplies labels and
    descriptions for known theme names):

    - supervised: ``svm_C``, ``nb_weighting``, ``cv``, ``min_threshold_docs``, ``always_tag``,
      ``n_jobs``, ``out_of_core_above``, ``sgd_epochs``;
    - taxonomy: ``C``, ``evidence_scale``, ``length_ref``, ``weak_positive``,
      ``weak_negative``, ``model_weight``, ``model_shrinkage``, ``threshold``,
      ``max_weak_articles``, ``near_similarity``, ``near_weight``, ``use_examples``,
      ``evidence_model``.

    (``C`` and ``svm_C`` are the two modes' regularisation strengths; the names stay, as
    saved bundles and users' settings refer to them.)

    Parameters
    ----------
    taxonomy : Taxonomy
        Themes with seed terms. Required when training without labels; with
        labels, it supplies labels and descriptions for known theme names.
    min_df : int, default=2
        Both modes: features must occur in at least this many training articles.
    max_features : int or None, default=250_000
        Both modes: at most this many word and bigram features (the most frequent),
        which bounds the model's size on large corpora.
    random_state : int, default=0
        Both modes: seed of the cross-validation folds and the linear learners.
    svm_C : float, default=1.0
        Supervised: inverse regularisation strength of the per-theme linear SVMs.
    nb_weighting : bool, default=True
        Supervised: scale each theme's features by their naive-Bayes log-count ratio
        before the SVM (Wang & Manning's NBSVM). Measured by 5-fold cross-validation on
        the Reuters-21578 training split: +0.004 micro-F1, +0.02 macro-F1. On the
        single-label Reuters R8 and R52 training sets it cost 0.002 and 0.004 accuracy,
        on BBC News (5-fold) it gained 0.002: kept on for every corpus.
    cv : int, default=5
        Supervised: folds of the cross-validation whose out-of-fold scores
        calibrate the scores and choose the thresholds.
    min_threshold_docs : int, default=20
        Supervised: themes with fewer training articles than this share one
        calibration and one decision threshold (chosen for their mean F1), as
        their own cross-validated scores are too few to choose them from.
    always_tag : {"auto", True, False}, default="auto"
        Supervised multi-label: tag an article's best theme when no theme passes
        its threshold. ``"auto"`` decides by which gives the higher micro-F1 on the
        cross-validated training scores.
    n_jobs : int, default=-1
        Supervised: worker processes fitting the per-theme SVMs (threads for the
        out-of-core SGD); -1 = all cores. The model is the same for any value.
    out_of_core_above : int or None, default=50_000
        Supervised: with more labelled articles than this, the per-theme SVMs are
        learned out of core (:func:`topics.outofcore.fit_sgd`: SGD over
        blocks read from disk, hinge loss, the same penalty, no NB scaling), and calibration and
        thresholds come from the margins of a held-out even sample (a ``1/cv`` share,
        at most 25,000 articles) instead of cross-validation. Memory then stays flat
        as the corpus grows. None: always the exact learner.
    sgd_epochs : int, default=5
        Supervised, out of core: passes over the training articles.
    C : float, default=10.0
        Taxonomy mode: inverse regularisation strength of the per-theme logistic
        regressions learned from weak labels.
    evidence_scale : float, default=2.0
        Taxonomy mode, ``evidence_model=None``: seed evidence ``e`` maps to a score
        ``1 - exp(-e / evidence_scale)``: a seed term named twice (or two seed terms)
        passes 0.5, a passing mention does not.
    length_ref : int, default=200
        Taxonomy mode: evidence of articles longer than this many tokens is divided by
        ``n_tokens / length_ref``: what counts is how much of the article is about
        a theme, not whether the theme is mentioned somewhere in a long text.
    weak_positive : float, default=0.6
        Taxonomy mode: seed-evidence score from which a training article is a weak positive.
    weak_negative : float, default=0.05
        Taxonomy mode: articles scoring below this for a theme are its weak negatives.
    model_weight : float, default=0.5
        Taxonomy mode: at most how much the classifier learned from weak labels adds to
        the seed evidence (noisy-OR weight), in [0, 1].
    model_shrinkage : float, default=300
        Taxonomy mode: a theme's learned classifier gets
        ``model_weight * n / (n + model_shrinkage)``, ``n`` its weak positives: a model
        learned from a handful of articles barely counts (measured: on the bundled
        300-article corpus it only adds noise), one learned from thousands counts fully.
    threshold : float, default=0.5
        Taxonomy mode: decision threshold of every theme (labelled examples move it).
    max_weak_articles : int, default=30_000
        Taxonomy mode: the weak-label classifiers learn from at most this many articles
        (an even sample) plus this many weak positives per theme; the seed evidence still
        reads every article. Bounds training memory on large corpora.
    near_similarity : float or None, default=0.7
        Taxonomy mode: words whose shipped vector is at least this close (cosine) to a
        one-word seed term count as evidence (:func:`topics.semantic.near_terms`); None: off.
    near_weight : float, default=0.5
        Taxonomy mode: weight of a near term of similarity 1, relative to a seed term.
    use_examples : bool, default=True
        Taxonomy mode: the taxonomy's ``examples`` train the weak-label classifiers as
        positives of their theme (their words also shape the theme's meaning).
    evidence_model : "news", (coef, intercept) or None, default="news"
        Taxonomy mode: how evidence becomes a score. "news": the logistic model shipped in
        ``topics/data/evidence_model.json`` (fitted on the check set's dev split); a pair:
        that model; None: ``1 - exp(-evidence / length / evidence_scale)`` as before.

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
    matcher_ : SeedMatcher or None
        Taxonomy mode: the seed-term matcher (None when supervised).
    model_weights_ : ndarray of float
        Taxonomy mode: the weight of each theme's learned classifier (see ``model_shrinkage``).
    vectorizer_ : NgramTfidfVectorizer
    coef_ : ndarray (n_themes, n_features)
    intercept_ : ndarray (n_themes,)
    """

    __module__ = "topics.classify"  # the name saved bundles (pickles) refer to

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
        self,
        X: Sequence[Tokens],
        y: Sequence[Sequence[str]] | None = None,
        *,
        tokenize=None,
        progress=None,
        examples: Sequence[tuple[Tokens, Sequence[str]]] = (),
    ) -> ThemeClassifier:
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
            the other labelled themes. They neither move thresholds nor join the themes'
            meaning: the shipped evidence model is calibrated on ~800 labelled items, and a
            handful drawn a few per theme (not as the news runs) only mis-set it (measured
            with the evidence model refitted without them: every such use cost 0.5-3 points).
        """
        X = X if isinstance(X, Sequence) else list(X)
        for cache in ("_coef_t", "_names_cache"):  # derived from the previous fit's coef_ and features
            self.__dict__.pop(cache, None)
        if y is None:
            if self.taxonomy is None or tokenize is None:
                raise ValueError("training without labels needs a taxonomy and a tokenize function")
            return self._fit_taxonomy(X, tokenize, list(examples))
        return self._fit_supervised(X, [tuple(labels) for labels in y], progress)

    # -- scoring ------------------------------------------------------------------------
    def decision_function(self, X: Sequence[Tokens]) -> np.ndarray:
        """Linear scores of the learned model, shape (n_documents, n_themes)."""
        check_is_fitted(self, "coef_")
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
            return calibrated(self._linear(F), self.calibration_)
        return self._taxonomy_proba(F, X, counts)

    def predict_proba(self, X: Sequence[Tokens]) -> np.ndarray:
        """Theme scores in [0, 1], shape (n_documents, n_themes)."""
        check_is_fitted(self, "coef_")
        X = list(X)
        return self._proba(self.vectorizer_.transform(X), X)

    def predict(self, X: Sequence[Tokens]) -> np.ndarray:
        """Binary indicator matrix (n_documents, n_themes) of assigned themes."""
        return self._decide(self.predict_proba(X))

    def score(self, X: Sequence[Tokens], y: Sequence[Sequence[str]], sample_weight=None) -> float:
        """Micro-F1 of the themes tagged in ``X`` against the label lists ``y`` (as ``fit`` takes them).

        Micro-F1 (:func:`topics.metrics.label_scores`), not the subset accuracy of
        scikit-learn's default ``score``: an article tagged with two of its three themes is
        mostly right, and model selection (``GridSearchCV``) should see that. Labels the
        model does not know count as misses. ``sample_weight`` is not supported.
        """
        if sample_weight is not None:
            raise ValueError("ThemeClassifier.score does not take sample weights")
        check_is_fitted(self, "coef_")
        names = [str(c) for c in self.classes_]
        predicted = [[names[j] for j in np.flatnonzero(row)] for row in self.predict(X)]
        Y, P, _ = indicator_matrices(y, predicted, names)
        return label_scores(Y, P).micro_f1

    def _decide(self, proba: np.ndarray) -> np.ndarray:
        return decide(proba, self.thresholds_, self.single_label_, getattr(self, "always_tag_", False))

    # -- explaining ---------------------------------------------------------------------
    def explain(self, X: Sequence[Tokens], n_evidence: int = 5) -> list[list[ThemeScore]]:
        """Per article, every theme's :class:`ThemeScore` (score, threshold, tagged or not),
        highest first; tagged themes carry up to ``n_evidence`` evidence terms."""
        proba, tagged, evidence = self.compact_scores(X, n_evidence)
        return [
            ranked_theme_scores(self.classes_, self.thresholds_, p, t, e) for p, t, e in zip(proba, tagged, evidence)
        ]

    def compact_scores(self, X: Sequence[Tokens], n_evidence: int = 5) -> CompactScores:
        """What :meth:`explain` says, in compact form for tagging many articles: the score
        matrix, the tagged mask, and per article a dict theme index → evidence terms of its
        tagged themes (:func:`ranked_theme_scores` turns one article's row into
        :class:`ThemeScore` rows)."""
        check_is_fitted(self, "coef_")
        X = list(X)
        F = self.vectorizer_.transform(X)
        counts = [self.matcher_.matches(tokens) for tokens in X] if self.matcher_ is not None else None
        proba = self._proba(F, X, counts)
        tagged = self._decide(proba).astype(bool)
        evidence = [
            {int(t): self._evidence(t, counts[d][t] if counts else None, F, d, n_evidence) for t in np.flatnonzero(row)}
            for d, row in enumerate(tagged)
        ]
        return CompactScores(proba, tagged, evidence)

    def score_themes(self, X: Sequence[Tokens], n_evidence: int = 5) -> list[list[ThemeScore]]:
        """Deprecated: :meth:`explain`."""
        warnings.warn("score_themes is deprecated: use explain", DeprecationWarning, stacklevel=2)
        return self.explain(X, n_evidence)

    def score_batch(self, X: Sequence[Tokens], n_evidence: int = 5) -> CompactScores:
        """Deprecated: :meth:`compact_scores`."""
        warnings.warn("score_batch is deprecated: use compact_scores", DeprecationWarning, stacklevel=2)
        return self.compact_scores(X, n_evidence)

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

    # -- pickling -----------------------------------------------------------------------
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

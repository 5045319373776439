"""Multi-label theme classification.

Two ways to learn themes, behind one estimator (:class:`ThemeClassifier`):

* **supervised**: the corpus carries labels (JSONL ``labels``, a CSV label
  column, a folder per label). One logistic regression per theme over TF-IDF
  word and bigram features, with a decision threshold per theme chosen by
  cross-validation on the training data.
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
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.preprocessing import MultiLabelBinarizer

from .evidence import SeedMatcher
from .taxonomy import Taxonomy

__all__ = ["ThemeClassifier", "ThemeScore"]

Tokens = Sequence[str]


def _ngrams(tokens: Tokens) -> list[str]:
    """Unigrams and bigrams of a token list (module level so it pickles)."""
    return list(tokens) + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


# -- the estimator ------------------------------------------------------------------------
@dataclass(frozen=True)
class ThemeScore:
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
        Inverse regularisation strength of the per-theme logistic regressions.
    min_df : int, default=2
        Features must occur in at least this many training articles.
    cv : int, default=3
        Folds used to choose per-theme thresholds (supervised) .
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

    Attributes
    ----------
    classes_ : ndarray of str
        Theme names, in output column order.
    mode_ : {"supervised", "taxonomy"}
    single_label_ : bool
        True if every training article had exactly one label; ``predict``
        then always returns the single best theme.
    thresholds_ : ndarray of float
    model_weights_ : ndarray of float
        Taxonomy mode: the weight of each theme's learned classifier (see ``model_shrinkage``).
    vectorizer_ : TfidfVectorizer
    coef_ : ndarray (n_themes, n_features)
    intercept_ : ndarray (n_themes,)
    """

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        C: float = 10.0,
        min_df: int = 2,
        cv: int = 3,
        evidence_scale: float = 2.0,
        length_ref: int = 200,
        weak_positive: float = 0.6,
        model_weight: float = 0.5,
        model_shrinkage: float = 300,
        threshold: float = 0.5,
        random_state: int = 0,
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

    # -- fitting ------------------------------------------------------------------------
    def fit(self, X: Sequence[Tokens], y: Sequence[Sequence[str]] | None = None, *, tokenize=None) -> "ThemeClassifier":
        """Learn themes from token lists ``X``.

        Parameters
        ----------
        X : sequence of token lists
        y : sequence of label lists, or None
            None trains from the taxonomy's seed terms (``tokenize`` required).
        tokenize : callable, optional
            The preprocessor's ``tokenize``, used to tokenise seed terms.
        """
        X = list(X)
        if y is None:
            if self.taxonomy is None or tokenize is None:
                raise ValueError("training without labels needs a taxonomy and a tokenize function")
            return self._fit_taxonomy(X, tokenize)
        return self._fit_supervised(X, [tuple(labels) for labels in y])

    def _fit_linear(self, F, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One logistic regression per column of Y; constant columns get a constant model."""
        coef = np.zeros((Y.shape[1], F.shape[1]))
        intercept = np.zeros(Y.shape[1])
        for j in range(Y.shape[1]):
            pos = Y[:, j].mean()
            if pos in (0.0, 1.0):
                intercept[j] = -12.0 if pos == 0.0 else 12.0
                continue
            lr = LogisticRegression(C=self.C, solver="liblinear", random_state=self.random_state)
            lr.fit(F, Y[:, j])
            coef[j] = lr.coef_[0]
            intercept[j] = lr.intercept_[0]
        return coef.astype(np.float32), intercept

    def _fit_supervised(self, X: list[Tokens], y: list[tuple[str, ...]]) -> "ThemeClassifier":
        mlb = MultiLabelBinarizer()
        Y = mlb.fit_transform(y)
        if Y.shape[1] == 0:
            raise ValueError("the training articles carry no labels")
        self.mode_ = "supervised"
        self.classes_ = mlb.classes_.astype(str)
        self.single_label_ = bool((Y.sum(axis=1) == 1).all())
        self.vectorizer_ = TfidfVectorizer(analyzer=_ngrams, min_df=self.min_df, sublinear_tf=True, dtype=np.float32)
        F = self.vectorizer_.fit_transform(X)
        self.thresholds_ = self._cv_thresholds(F, Y)
        self.coef_, self.intercept_ = self._fit_linear(F, Y)
        self.matcher_ = None
        return self

    def _cv_thresholds(self, F, Y: np.ndarray) -> np.ndarray:
        """Per-theme thresholds maximising F1 on out-of-fold scores; 0.5 where a
        theme has too few examples to choose one."""
        n_splits = min(self.cv, len(Y))
        if n_splits < 2:
            return np.full(Y.shape[1], 0.5)
        oof = np.zeros(Y.shape, dtype=float)
        for train, test in KFold(n_splits, shuffle=True, random_state=self.random_state).split(F):
            coef, intercept = self._fit_linear(F[train], Y[train])
            oof[test] = _sigmoid(F[test] @ coef.T + intercept)
        grid = np.linspace(0.05, 0.9, 35)
        out = np.full(Y.shape[1], 0.5)
        for j in range(Y.shape[1]):
            if Y[:, j].sum() < 3:
                continue
            f1 = [_f1(Y[:, j], oof[:, j] >= g) for g in grid]
            # Middle of the best plateau: stabler than its first point.
            best = np.flatnonzero(np.isclose(f1, max(f1)))
            out[j] = float(grid[best[len(best) // 2]])
        return out

    def _fit_taxonomy(self, X: list[Tokens], tokenize) -> "ThemeClassifier":
        self.mode_ = "taxonomy"
        self.classes_ = np.array(self.taxonomy.names)
        self.single_label_ = False
        self.matcher_ = SeedMatcher(self.taxonomy, tokenize)
        lex = self._lexicon_scores(X)
        # Weak labels: clear evidence → positive, no evidence at all → negative,
        # in between → left out of that theme's training set.
        # Each theme's seed list also joins the training set as a pseudo-article, so a
        # theme the corpus barely covers still has positives.
        pseudo = [list(self.matcher_tokens(theme.name, tokenize)) for theme in self.taxonomy.themes]
        self.vectorizer_ = TfidfVectorizer(analyzer=_ngrams, min_df=self.min_df, sublinear_tf=True, dtype=np.float32)
        F = self.vectorizer_.fit_transform(X + pseudo)
        n = len(X)
        coef = np.zeros((len(self.classes_), F.shape[1]))
        intercept = np.full(len(self.classes_), -12.0)
        n_pos = np.zeros(len(self.classes_))
        for t in range(len(self.classes_)):
            pos = np.flatnonzero(lex[:, t] >= self.weak_positive)
            n_pos[t] = len(pos)
            neg = np.flatnonzero(lex[:, t] == 0.0)
            rows = np.concatenate([pos, neg, np.arange(n, n + len(pseudo))])
            labels = np.concatenate([np.ones(len(pos)), np.zeros(len(neg)), (np.arange(len(pseudo)) == t).astype(float)])
            if labels.sum() < 2 or (labels == 0).sum() < 2:
                continue
            lr = LogisticRegression(C=self.C, solver="liblinear", class_weight="balanced", random_state=self.random_state)
            lr.fit(F[rows], labels)
            coef[t] = lr.coef_[0]
            intercept[t] = lr.intercept_[0]
        self.coef_ = coef.astype(np.float32)
        self.intercept_ = intercept
        self.model_weights_ = self.model_weight * n_pos / (n_pos + self.model_shrinkage)
        self.thresholds_ = np.full(len(self.classes_), self.threshold)
        return self

    def matcher_tokens(self, name: str, tokenize) -> list[str]:
        """Tokens of a theme's seed terms, its label and description (its pseudo-article)."""
        theme = self.taxonomy[name]
        text = " . ".join((theme.label, theme.description, *theme.seeds))
        return tokenize(text)

    # -- scoring ------------------------------------------------------------------------
    def _lexicon_scores(self, X: Sequence[Tokens], counts: list[list[Counter]] | None = None) -> np.ndarray:
        evidence = self.matcher_.transform(X) if counts is None else self.matcher_.evidence_matrix(counts)
        length = np.array([max(1.0, len(tokens) / self.length_ref) for tokens in X])
        return 1.0 - np.exp(-evidence / length[:, None] / self.evidence_scale)

    def decision_function(self, X: Sequence[Tokens]) -> np.ndarray:
        """Linear scores of the learned model, shape (n_documents, n_themes)."""
        return self._linear(self.vectorizer_.transform(X))

    def _linear(self, F) -> np.ndarray:
        return np.asarray(F @ self.coef_.T) + self.intercept_

    def _proba(self, F, X: list[Tokens], counts: list[list[Counter]] | None = None) -> np.ndarray:
        model = _sigmoid(self._linear(F))
        if self.mode_ == "supervised":
            return model
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
        return (proba >= self.thresholds_).astype(int)

    def score_themes(self, X: Sequence[Tokens], n_evidence: int = 5) -> list[list[ThemeScore]]:
        """Every theme's score per article, highest first; tagged themes carry evidence terms."""
        X = list(X)
        F = self.vectorizer_.transform(X)
        counts = [self.matcher_.matches(tokens) for tokens in X] if self.matcher_ is not None else None
        proba = self._proba(F, X, counts)
        tagged = self._decide(proba)
        order = np.argsort(-proba, axis=1, kind="stable")
        out = []
        for d in range(len(X)):
            row = []
            for t in order[d]:
                ev = self._evidence(t, counts[d][t] if counts else None, F, d, n_evidence) if tagged[d, t] else ()
                row.append(
                    ThemeScore(str(self.classes_[t]), float(proba[d, t]), float(self.thresholds_[t]), bool(tagged[d, t]), ev)
                )
            out.append(row)
        return out

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
        return state


def _sigmoid(z) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(np.asarray(z, dtype=float), -30, 30)))


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = float((y & pred).sum())
    denom = float(y.sum() + pred.sum())
    return 2 * tp / denom if denom else 0.0

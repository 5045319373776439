"""Taxonomy mode: themes learned without labels, from the taxonomy's seed terms.

The seed terms are matched in every training article (:class:`topics.evidence.SeedMatcher`,
with near terms from :mod:`topics.semantic`); articles with strong evidence become weak
positives, those with none weak negatives, and a logistic regression per theme learns from
them which *other* words go with the theme. A tag's score combines the seed evidence
(turned into a score by :mod:`topics.evidence`'s model) with that classifier by a noisy OR,
weighted by how many weak positives the classifier had to learn from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import islice

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from ..evidence import EvidenceModel, SeedMatcher, default_evidence_model, evidence_features
from ..features import NgramTfidfVectorizer, ngrams
from ..tokens import Chained, Subset
from .scoring import even, sigmoid

Tokens = Sequence[str]
_BLOCK = 4096  # articles scored at once while fitting


class TaxonomyMixin:
    """The zero-label half of :class:`topics.classify.ThemeClassifier`: ``fit`` without labels.

    Reads the parameters ``taxonomy``, ``C``, ``evidence_scale``, ``length_ref``,
    ``weak_positive``, ``weak_negative``, ``model_weight``, ``model_shrinkage``,
    ``threshold``, ``max_weak_articles``, ``near_similarity``, ``near_weight``,
    ``use_examples``, ``evidence_model`` and the shared ``min_df``, ``max_features``,
    ``random_state``; sets ``matcher_``, ``semantic_``, ``evidence_model_`` and
    ``model_weights_`` besides the attributes every mode sets.
    """

    def _fit_taxonomy(self, X: Sequence[Tokens], tokenize, examples: list | None = None):
        self.mode_ = "taxonomy"
        self.classes_ = np.array(self.taxonomy.names)
        self.single_label_ = False
        examples = examples or []
        E = self._example_themes(examples)  # example × theme
        labelled = E.any(axis=0)  # themes the examples speak about (examples are negatives of these only)
        self._fit_evidence(tokenize)
        n, n_themes = len(X), len(self.classes_)
        lex = np.zeros((n, n_themes))
        articles = iter(X)  # X may be a TokenStore on disk: read it in blocks, in order
        for start in range(0, n, _BLOCK):
            lex[start : start + _BLOCK] = self._lexicon_scores(list(islice(articles, _BLOCK)))
        pseudo, owner = self._pseudo_articles(tokenize, examples, E, labelled)
        self._fit_weak_classifiers(X, lex, pseudo, owner)
        self.thresholds_ = np.full(len(self.classes_), self.threshold)
        return self

    def _example_themes(self, examples: list) -> np.ndarray:
        """Example × theme indicator matrix of the labelled examples; unknown labels are refused."""
        index = {name: t for t, name in enumerate(self.taxonomy.names)}
        unknown = sorted({label for _, labels in examples for label in labels if label not in index})
        if unknown:
            raise ValueError(f"labelled examples name themes the taxonomy does not have: {', '.join(unknown)}")
        E = np.zeros((len(examples), len(index)), dtype=bool)
        for i, (_, labels) in enumerate(examples):
            E[i, [index[label] for label in labels]] = True
        return E

    def _fit_evidence(self, tokenize) -> None:
        """The seed matcher (with near terms), and what turns its evidence into a score."""
        near = []
        if self.near_similarity is not None:
            from ..semantic import default_vectors, near_terms

            near = near_terms(self.taxonomy, tokenize, default_vectors(), min_similarity=self.near_similarity)
        self.matcher_ = SeedMatcher(self.taxonomy, tokenize, near=near, near_weight=self.near_weight)
        # Scoring: the shipped evidence model ("news"), a (coef, intercept) pair, or None
        # for the plain seed-evidence formula of earlier versions.
        self.semantic_ = self.evidence_model_ = None
        if self.evidence_model is not None:
            from ..semantic import ThemeSimilarity, default_vectors

            self.semantic_ = ThemeSimilarity(self.taxonomy, tokenize, default_vectors())
            self.evidence_model_ = (
                default_evidence_model() if self.evidence_model == "news" else EvidenceModel(*self.evidence_model)
            )

    def _pseudo_articles(self, tokenize, examples: list, E: np.ndarray, labelled: np.ndarray):
        """Articles besides the corpus that train the weak-label classifiers, and their labels.

        Each theme's seed list joins the training set as a pseudo-article, so a theme the
        corpus barely covers still has positives; so do the taxonomy's example headlines
        (``use_examples``) and the labelled examples. Returns the token lists and a
        pseudo-article × theme matrix: 1 positive, 0 negative, -1 left out.
        """
        n_themes = len(self.classes_)
        pseudo = [list(self.matcher_tokens(theme.name, tokenize)) for theme in self.taxonomy.themes]
        owner = [np.where(np.arange(n_themes) == t, 1, 0) for t in range(n_themes)]
        if self.use_examples:  # the taxonomy's example headlines: positives of their theme
            for t, theme in enumerate(self.taxonomy.themes):
                for example in theme.examples:
                    pseudo.append(tokenize(example))
                    owner.append(np.where(np.arange(n_themes) == t, 1, 0))
        for (tokens, _), e in zip(examples, E):
            pseudo.append(list(tokens))
            owner.append(np.where(e, 1, np.where(labelled, 0, -1)))
        return pseudo, np.array(owner)

    def _fit_weak_classifiers(self, X: Sequence[Tokens], lex: np.ndarray, pseudo: list, owner: np.ndarray) -> None:
        """One logistic regression per theme on weak labels: clear seed evidence (``lex``
        at least ``weak_positive``) → positive, almost none (below ``weak_negative``) →
        negative, in between → left out of that theme's training set."""
        n, n_themes = lex.shape
        self.vectorizer_ = NgramTfidfVectorizer(
            analyzer=ngrams, min_df=self.min_df, max_features=self.max_features, sublinear_tf=True, dtype=np.float32
        )
        self.vectorizer_.fit(Chained(X, pseudo))
        # On a large corpus the classifiers learn from an even sample: at most
        # max_weak_articles articles (negatives for every theme) plus at most as many
        # positives per theme, so memory does not grow with the corpus.
        cap = self.max_weak_articles
        sample = np.arange(n) if n <= cap else np.unique(np.linspace(0, n - 1, cap).astype(int))
        positives = [even(np.flatnonzero(lex[:, t] >= self.weak_positive), cap) for t in range(n_themes)]
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
            lr = LogisticRegression(
                C=self.C, solver="liblinear", class_weight="balanced", random_state=self.random_state
            )
            lr.fit(F[take], labels)
            coef[t] = lr.coef_[0]
            intercept[t] = lr.intercept_[0]
        self.coef_ = np.asfortranarray(coef, dtype=np.float32)
        self.intercept_ = intercept
        self.model_weights_ = self.model_weight * n_pos / (n_pos + self.model_shrinkage)

    def matcher_tokens(self, name: str, tokenize) -> list[str]:
        """Tokens of a theme's seed terms, its label and description (its pseudo-article)."""
        theme = self.taxonomy[name]
        text = " . ".join((theme.label, theme.description, *theme.seeds))
        return tokenize(text)

    # -- scoring ------------------------------------------------------------------------
    def _taxonomy_proba(self, F, X: list[Tokens], counts: list[list[Counter]] | None = None) -> np.ndarray:
        """Noisy OR of the seed-evidence score and the weighted weak-label classifier."""
        model = sigmoid(self._linear(F))
        return 1.0 - (1.0 - self._lexicon_scores(X, counts)) * (1.0 - self.model_weights_ * model)

    def _lexicon_scores(self, X: Sequence[Tokens], counts: list[list[Counter]] | None = None) -> np.ndarray:
        """Seed-evidence scores in [0, 1] (articles × themes); ``counts``: the matcher's, if already made."""
        model = getattr(self, "evidence_model_", None)  # None in bundles saved before it
        if model is not None:
            counts = [self.matcher_.matches(tokens) for tokens in X] if counts is None else counts
            return model.predict(self._evidence_features(X, counts), self.classes_)
        evidence = self.matcher_.transform(X) if counts is None else self.matcher_.evidence_matrix(counts)
        length = np.array([max(1.0, len(tokens) / self.length_ref) for tokens in X])
        return 1.0 - np.exp(-evidence / length[:, None] / self.evidence_scale)

    def _evidence_features(self, X: Sequence[Tokens], counts: list[list[Counter]]) -> np.ndarray:
        by_kind = self.matcher_.evidence_by_kind(counts)
        return evidence_features(
            by_kind,
            np.array([len(tokens) for tokens in X]),
            self.length_ref,
            self.semantic_.transform(X),
            self.matcher_.shared(counts, by_kind.sum(axis=2)),
            self.matcher_.naming(counts),
        )

"""The topic model: a Gensim LDA wrapped as a scikit-learn estimator."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import numpy as np
from gensim.corpora import Dictionary
from gensim.models import LdaModel
from sklearn.base import BaseEstimator, TransformerMixin

__all__ = ["LdaTopicModel", "default_n_topics"]

Tokens = Sequence[str]


def default_n_topics(n_documents: int) -> int:
    """Topics for a corpus of ``n_documents`` when the user gives none.

    Few documents support few distinguishable topics: ~sqrt(n/2), within [5, 30]
    (300 articles → 12, 2,000 → 30).
    """
    return int(min(30, max(5, round((n_documents / 2) ** 0.5))))


class _Bow:
    """Re-iterable bag-of-words view of token lists (gensim streams it each pass)."""

    def __init__(self, dictionary: Dictionary, docs: Iterable[Tokens]) -> None:
        self.dictionary, self.docs = dictionary, docs

    def __iter__(self):
        for tokens in self.docs:
            yield self.dictionary.doc2bow(tokens)


class _FixedStart:
    """Stands in for LdaModel.random_state during inference: the same start for every document."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def gamma(self, shape: float, scale: float, size: tuple[int, int]) -> np.ndarray:
        row = np.random.RandomState(self.seed).gamma(shape, scale, size[1])
        return np.tile(row, (size[0], 1))


class LdaTopicModel(TransformerMixin, BaseEstimator):
    """Latent Dirichlet Allocation over token lists (gensim ``LdaModel``).

    Parameters
    ----------
    n_topics : int or None, default=None
        Number of topics; None picks :func:`default_n_topics` of the corpus size.
    passes : int, default=10
        Passes over the corpus.
    iterations : int, default=100
        Per-document inference iterations.
    alpha, eta : str or float, default="auto"
        Dirichlet priors (learned from the data with "auto").
    no_below : int, default=3
        Drop words in fewer than this many documents.
    no_above : float, default=0.5
        Drop words in more than this share of documents.
    keep_n : int, default=100_000
        Vocabulary size cap.
    chunksize : int, default=2000
    random_state : int, default=0
        Fixed seed: the same tokens give the same model.

    Attributes
    ----------
    dictionary_ : gensim.corpora.Dictionary
    model_ : gensim.models.LdaModel
    n_topics_ : int
    topic_sizes_ : ndarray of shape (n_topics_,)
        Share of the training corpus's tokens assigned to each topic (sums to 1).
    """

    def __init__(
        self,
        n_topics: int | None = None,
        passes: int = 10,
        iterations: int = 100,
        alpha: str | float = "auto",
        eta: str | float = "auto",
        no_below: int = 3,
        no_above: float = 0.5,
        keep_n: int = 100_000,
        chunksize: int = 2000,
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.passes = passes
        self.iterations = iterations
        self.alpha = alpha
        self.eta = eta
        self.no_below = no_below
        self.no_above = no_above
        self.keep_n = keep_n
        self.chunksize = chunksize
        self.random_state = random_state

    def fit(self, X: Sequence[Tokens], y=None) -> "LdaTopicModel":
        """Build the vocabulary and train LDA on token lists ``X`` (re-iterable)."""
        dictionary = Dictionary(X)
        n_docs = dictionary.num_docs
        if n_docs == 0:
            raise ValueError("cannot train a topic model on an empty corpus")
        # Small corpora cannot afford a high document-frequency floor.
        no_below = min(self.no_below, max(1, n_docs // 50))
        dictionary.filter_extremes(no_below=no_below, no_above=self.no_above, keep_n=self.keep_n)
        if len(dictionary) == 0:
            raise ValueError("no words left after vocabulary pruning; is the corpus too small?")
        self.n_topics_ = self.n_topics or default_n_topics(n_docs)
        bow = _Bow(dictionary, X)
        # gensim logs a line per chunk at INFO; keep library users' logs quiet.
        logging.getLogger("gensim").setLevel(max(logging.getLogger("gensim").level, logging.WARNING))
        self.model_ = LdaModel(
            corpus=bow,
            id2word=dictionary,
            num_topics=self.n_topics_,
            passes=self.passes,
            iterations=self.iterations,
            alpha=self.alpha,
            eta=self.eta,
            chunksize=self.chunksize,
            random_state=self.random_state,
            eval_every=None,
        )
        self.dictionary_ = dictionary
        theta = self.transform(X)
        lengths = np.array([len(d) for d in X], dtype=float)
        sizes = (theta * lengths[:, None]).sum(axis=0)
        self.topic_sizes_ = sizes / sizes.sum() if sizes.sum() else np.full(self.n_topics_, 1 / self.n_topics_)
        return self

    def transform(self, X: Iterable[Tokens]) -> np.ndarray:
        """Document-topic matrix (n_documents, n_topics_), rows summing to 1.

        Inference is batched, and every document starts from the same fixed
        initialisation, so a document's topics do not depend on which other
        documents were inferred with it or before it (gensim's default draws a
        fresh random start for each call).
        """
        bows = [self.dictionary_.doc2bow(tokens) for tokens in X]
        if not bows:
            return np.zeros((0, self.n_topics_))
        model = self.model_
        saved, model.random_state = model.random_state, _FixedStart(self.random_state)
        try:
            gamma, _ = model.inference(bows)
        finally:
            model.random_state = saved
        return gamma / gamma.sum(axis=1, keepdims=True)

    def topic_words(self, topic: int, topn: int = 10) -> list[tuple[str, float]]:
        """The ``topn`` most probable words of ``topic`` with their probabilities."""
        return [(w, float(p)) for w, p in self.model_.show_topic(topic, topn=topn)]

    def topics(self, topn: int = 10) -> list[dict]:
        """Every topic as ``{"id", "size", "words"}``, in topic-id order."""
        return [
            {"id": k, "size": float(self.topic_sizes_[k]), "words": [w for w, _ in self.topic_words(k, topn)]}
            for k in range(self.n_topics_)
        ]

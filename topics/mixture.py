"""Topics of short texts: a Dirichlet multinomial mixture, one topic per document (GSDMM).

A headline and a lead hold a dozen words: too few for LDA to estimate a mix of topics per
document, so its topics come out as noise. A mixture model assumes each short text is
about one topic, and pools the words of all the texts of a topic to estimate it (Yin &
Wang 2014, "A Dirichlet multinomial mixture model-based approach for short text
clustering", collapsed Gibbs sampling). ``topics train`` uses it when a corpus is short
(:func:`is_short_corpus`); see ``benchmarks/topic_models.py`` for the measurement.

The sampler starts from clusters of meaning, not at random: each text's words are averaged
in the shipped word vectors (:func:`topics.semantic.default_vectors`, weighted by inverse
document frequency) and k-means groups the texts. A dozen words share few words with any
other text, so a random start leaves the sampler among poor local optima; texts that mean
alike start together (NPMI of BBC headline+lead topics on the reference tokenisation, mean of
seeds 0-2: 0.049 from a random start, 0.075 from clusters of meaning).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .topicbase import TopicsMixin, _quiet_gensim, _Stages, default_n_topics, vocabulary

__all__ = ["MixtureTopicModel", "is_short_corpus", "meaning_clusters", "SHORT_TEXT_TOKENS"]

Tokens = Sequence[str]
SHORT_TEXT_TOKENS = 25  # median topic tokens per document at or below which a corpus is short


def is_short_corpus(docs: Iterable[Tokens], max_median: int = SHORT_TEXT_TOKENS) -> bool:
    """Whether the median document has at most ``max_median`` tokens (headlines, leads, posts)."""
    lengths = [len(d) for d in docs]
    return bool(lengths) and float(np.median(lengths)) <= max_median


class MixtureTopicModel(TopicsMixin, TransformerMixin, BaseEstimator):
    """Short-text topics: a Dirichlet multinomial mixture fitted by collapsed Gibbs sampling.

    Every document belongs to one topic. Each sweep takes each document out of its topic
    and draws a topic for it again, in proportion to the topic's size and to how likely
    the topic's words make the document's words; topics that lose all their documents
    stay empty, so ``n_topics`` is an upper bound and empty topics are dropped at the end.

    Parameters
    ----------
    n_topics : int or None, default=None
        Most topics; None picks :func:`topics.topicbase.default_n_topics` of the corpus size.
    n_iter : int, default=30
        Gibbs sweeps over the corpus.
    alpha : float, default=0.1
        Topic-size prior (pseudo-documents per topic).
    beta : float, default=0.1
        Topic-word prior (pseudo-count per word).
    no_below, no_above, keep_n, dedup
        Vocabulary pruning and duplicate removal, as in :class:`topics.lda.LdaTopicModel`.
    seed_topics : mapping of str to list of str, optional
        Theme → seed tokens, to label topics with the theme they align with.
    random_state : int, default=0
    start : {"meaning", "random"}, default="meaning"
        Where the sampler starts when no ``init`` is given: clusters of the texts' meaning
        (:func:`meaning_clusters`) or a random topic per text (as GSDMM does).

    Attributes
    ----------
    dictionary_ : gensim.corpora.Dictionary
    n_topics_ : int
        Topics that kept documents.
    topic_word_ : ndarray of shape (n_topics_, n_words)
        Word counts per topic.
    topic_docs_ : ndarray of shape (n_topics_,)
        Documents per topic.
    topic_sizes_ : ndarray of shape (n_topics_,)
        Share of the training tokens in each topic.
    topic_themes_, guided_themes_, n_documents_, n_duplicates_, topic_ids_, next_topic_id_, lineage_
        As in :class:`topics.lda.LdaTopicModel` (no topic is guided).
    """

    def __init__(
        self,
        n_topics: int | None = None,
        n_iter: int = 30,
        alpha: float = 0.1,
        beta: float = 0.1,
        no_below: int = 10,
        no_above: float = 0.2,
        keep_n: int = 100_000,
        dedup: float | None = 0.8,
        seed_topics: Mapping[str, Sequence[str]] | None = None,
        random_state: int = 0,
        start: str = "meaning",
    ) -> None:
        self.n_topics = n_topics
        self.n_iter = n_iter
        self.alpha = alpha
        self.beta = beta
        self.no_below = no_below
        self.no_above = no_above
        self.keep_n = keep_n
        self.dedup = dedup
        self.seed_topics = seed_topics
        self.random_state = random_state
        self.start = start

    def __setstate__(self, state: dict) -> None:
        state.setdefault("start", "random")  # bundles saved before it started at random
        self.__dict__.update(state)

    @property
    def passes(self) -> int:
        """Sweeps over the corpus (recorded in the manifest as LDA's passes are)."""
        return self.n_iter

    def fit(
        self,
        X: Sequence[Tokens],
        y=None,
        progress: Callable[[int, int], None] | None = None,
        timings: dict | None = None,
        init: MixtureTopicModel | None = None,
    ) -> MixtureTopicModel:
        """Drop repeats, build the vocabulary and sample one topic per document.

        ``progress(done, total)`` is called after each sweep (``total`` = sweeps × documents
        kept); ``timings`` receives the seconds of each stage, as in
        :meth:`topics.lda.LdaTopicModel.fit` (the sampling counts as ``lda``). ``init``, a
        fitted model (the previous version, when ``topics train`` retrains a name), starts
        the sampler from its topics: each document begins in the topic that model gives it,
        so a retrain refines yesterday's topics instead of drawing new ones, and their ids
        carry over (:mod:`topics.lineage`). Documents it knows no word of start at random.
        """
        clock = _Stages(timings)
        docs, exact, near = self._distinct(X)
        clock("duplicates")
        with _quiet_gensim():  # gensim's Dictionary logs at INFO
            dictionary, _ = vocabulary(docs, self.no_below, self.no_above, self.keep_n, self.seed_topics)
        n_docs = dictionary.num_docs
        dictionary.lifecycle_events = []
        clock("vocabulary")
        k = self.n_topics or default_n_topics(n_docs)
        if k > n_docs:
            raise ValueError(f"{k:,} topics is more than {n_docs:,} distinct articles can hold")
        self.dictionary_ = dictionary
        ids = [self._ids(d) for d in docs]
        rng = np.random.RandomState(self.random_state)
        z = rng.randint(k, size=len(ids))
        if init is not None:
            self._warm_start(init, docs, z, k)
        elif self.start == "meaning":
            z = meaning_clusters(docs, k, self.random_state, default=z)
        clock("start")
        nkw = np.zeros((k, len(dictionary)))
        nk = np.zeros(k)
        mk = np.zeros(k)
        for d, w in enumerate(ids):
            np.add.at(nkw[z[d]], w, 1)
            nk[z[d]] += len(w)
            mk[z[d]] += 1
        for sweep in range(self.n_iter):
            self._sweep(ids, z, nkw, nk, mk, rng)
            if progress is not None:
                progress((sweep + 1) * len(ids), self.n_iter * len(ids))
        keep = np.flatnonzero(mk > 0)
        self.topic_word_, self.topic_docs_ = nkw[keep], mk[keep]
        self.n_topics_ = len(keep)
        self.guided_themes_ = []
        self.n_documents_ = len(docs)
        self.n_duplicates_ = (len(exact), len(near))
        self.topic_ids_ = list(range(self.n_topics_))
        self.next_topic_id_ = self.n_topics_
        self.lineage_ = None
        self._finish()
        clock("lda")
        return self

    @staticmethod
    def _warm_start(init: MixtureTopicModel, docs: Sequence[Tokens], z: np.ndarray, k: int) -> None:
        """Start each document in its most likely topic of ``init`` (the first ``k`` of them;
        ``init``'s topics beyond ``k`` and documents without a word ``init`` knows keep ``z``)."""
        check_is_fitted(init, "topic_word_")
        known = np.array([len(init._ids(d)) > 0 for d in docs], dtype=bool)
        if known.any():
            best = init.transform(d for d, ok in zip(docs, known) if ok).argmax(axis=1)
            z[known] = np.where(best < k, best, z[known])

    def _ids(self, tokens: Tokens) -> np.ndarray:
        get = self.dictionary_.token2id.get
        return np.array([i for i in map(get, tokens) if i is not None], dtype=np.int64)

    def _log_likelihood(self, w: np.ndarray, nkw: np.ndarray, nk: np.ndarray, mk: np.ndarray) -> np.ndarray:
        """log p(topic | document) up to a constant, with the document out of the counts."""
        vb = nkw.shape[1] * self.beta
        logp = np.log(mk + self.alpha)
        if len(w):
            # a word's j-th repeat in the document adds j to its count (the Polya urn)
            order = np.argsort(w, kind="stable")
            ws = w[order]
            first = np.r_[True, ws[1:] != ws[:-1]]
            repeat = np.arange(len(ws)) - np.maximum.accumulate(np.where(first, np.arange(len(ws)), 0))
            logp = (
                logp
                + np.log(nkw[:, ws] + self.beta + repeat).sum(axis=1)
                - np.log(nk[:, None] + vb + np.arange(len(ws))).sum(axis=1)
            )
        return logp

    def _sweep(self, ids, z, nkw, nk, mk, rng) -> None:
        for d, w in enumerate(ids):
            t = z[d]
            np.subtract.at(nkw[t], w, 1)
            nk[t] -= len(w)
            mk[t] -= 1
            logp = self._log_likelihood(w, nkw, nk, mk)
            p = np.exp(logp - logp.max())
            t = int(np.searchsorted(np.cumsum(p), rng.random_sample() * p.sum()))
            t = min(t, len(p) - 1)
            z[d] = t
            np.add.at(nkw[t], w, 1)
            nk[t] += len(w)
            mk[t] += 1

    def _finish(self) -> None:
        tokens = self.topic_word_.sum(axis=1)
        self.topic_sizes_ = tokens / tokens.sum() if tokens.sum() > 0 else np.full(self.n_topics_, 1 / self.n_topics_)
        self.n_tokens_ = float(tokens.sum())
        self.topic_themes_ = self._align_themes()

    def partial_fit(self, X: Sequence[Tokens], y=None) -> MixtureTopicModel:
        """Fold new documents in: each gets a topic sampled given the fitted counts, then counts.

        The vocabulary and the number of topics are fixed at ``fit``; unknown words are ignored.
        """
        check_is_fitted(self, "topic_word_")
        X = self._distinct(X)[0]
        ids = [w for w in (self._ids(d) for d in X) if len(w)]
        if not ids:
            return self
        before = self.topic_word_distributions()[0]
        rng = np.random.RandomState(self.random_state + self.n_documents_)
        nkw, nk, mk = self.topic_word_.copy(), self.topic_word_.sum(axis=1), self.topic_docs_.copy()
        z = np.array([int(np.argmax(self._log_likelihood(w, nkw, nk, mk))) for w in ids])
        for d, w in enumerate(ids):
            np.add.at(nkw[z[d]], w, 1)
            nk[z[d]] += len(w)
            mk[z[d]] += 1
        for _ in range(max(1, self.n_iter // 3)):
            self._sweep(ids, z, nkw, nk, mk, rng)
        self.topic_word_, self.topic_docs_ = nkw, mk
        self.n_documents_ += len(ids)
        self._finish()
        self._renew_changed_ids(before)
        return self

    # -- inference and reading -------------------------------------------------------------
    def transform(self, X: Iterable[Tokens]) -> np.ndarray:
        """Document-topic matrix: each document's posterior over the topics (rows sum to 1)."""
        check_is_fitted(self, "topic_word_")
        nkw, mk = self.topic_word_, self.topic_docs_
        nk = nkw.sum(axis=1)
        rows = []
        for tokens in X:
            logp = self._log_likelihood(self._ids(tokens), nkw, nk, mk)
            p = np.exp(logp - logp.max())
            rows.append(p / p.sum())
        return np.array(rows) if rows else np.zeros((0, self.n_topics_))

    def topic_word_distributions(self) -> tuple[np.ndarray, list[str]]:
        check_is_fitted(self, "topic_word_")
        phi = (self.topic_word_ + self.beta) / (
            self.topic_word_.sum(axis=1, keepdims=True) + self.beta * self.topic_word_.shape[1]
        )
        return phi, [self.dictionary_[i] for i in range(len(self.dictionary_))]

    def topic_words(self, topic: int, topn: int = 10) -> list[tuple[str, float]]:
        """The ``topn`` most probable words of ``topic`` with their probabilities."""
        phi = self.topic_word_distributions()[0][topic]
        top = np.argsort(-phi, kind="stable")[:topn]
        return [(self.dictionary_[int(i)], float(phi[i])) for i in top]


def meaning_clusters(
    docs: Sequence[Tokens], k: int, random_state: int = 0, default: np.ndarray | None = None
) -> np.ndarray:
    """A cluster in ``0 .. k-1`` per document, by k-means over the documents' meaning: the mean
    of their words' shipped vectors, each weighted by its inverse document frequency (phrases
    by their words). Documents with no word in the vectors keep ``default`` (else cluster 0)."""
    from scipy.sparse import csr_matrix
    from sklearn.cluster import KMeans

    from .semantic import default_vectors

    vectors = default_vectors()
    df: dict[str, int] = {}
    for d in docs:
        for w in set(d):
            df[w] = df.get(w, 0) + 1
    n = len(docs)
    # each word's idf and the vector rows of its parts, once
    rows_of = {w: [vectors.index[p] for p in w.split("_") if p in vectors.index] for w in df}
    idf = {w: math.log(n / (1 + c)) + 1.0 for w, c in df.items()}
    rows, cols, vals = [], [], []
    for i, d in enumerate(docs):
        for w in d:
            for j in rows_of[w]:
                rows.append(i)
                cols.append(j)
                vals.append(idf[w])
    weights = csr_matrix((vals, (rows, cols)), shape=(n, len(vectors.tokens)))
    X = np.asarray(weights @ vectors.vectors)
    norms = np.linalg.norm(X, axis=1)
    known = norms > 0
    out = np.zeros(n, dtype=np.int64) if default is None else np.asarray(default).copy()
    if known.sum() >= k:
        X = X[known] / norms[known, None]
        out[known] = KMeans(k, n_init=4, random_state=random_state).fit_predict(X)
    return out

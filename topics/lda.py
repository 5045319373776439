"""The topic model: a Gensim LDA wrapped as a scikit-learn estimator."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
from gensim.corpora import Dictionary
from gensim.matutils import Sparse2Corpus, corpus2csc
from gensim.models import LdaModel
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

# What every topic model shares lives in topics.topicbase; these names stay importable from here.
from .topicbase import (
    TopicsMixin,
    _quiet_gensim,
    _Stages,
    default_n_topics,
    distinctiveness,
    topic_label,
    vocabulary,
    word_occurrence,
)

__all__ = ["LdaTopicModel", "TopicsMixin", "default_n_topics", "topic_label", "vocabulary"]

Tokens = Sequence[str]
# Articles whose topic mix estimates topic sizes and word occurrence: all of them up to
# this many. Distinctive words need it: from 2,000 of Reuters' 20,353 articles they score
# NPMI 0.102, from 5,000 or more 0.122 (benchmarks/topic_models.py's reference).
_SIZE_SAMPLE = 20_000
_RANKINGS = ("distinctive", "probability")


class _FixedStart:
    """Stands in for LdaModel.random_state during inference: the same start for every document."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def gamma(self, shape: float, scale: float, size: tuple[int, int]) -> np.ndarray:
        row = np.random.RandomState(self.seed).gamma(shape, scale, size[1])
        return np.tile(row, (size[0], 1))


class LdaTopicModel(TopicsMixin, TransformerMixin, BaseEstimator):
    """Latent Dirichlet Allocation over token lists (gensim ``LdaModel``), prepared and primed.

    ``fit`` drops repeated articles (:func:`topics.duplicates.find_duplicates`), prunes
    the vocabulary, primes the topics and then trains gensim's LDA (batch variational Bayes by default):

    - *Priming*: each free topic starts from the word counts of one cluster of a quick
      k-means over the TF-IDF vectors of the articles no guided topic starts from, instead
      of gensim's near-uniform random start, so a few passes reach topics that random
      starts need many passes for (and the topics depend much less on the seed).
    - *Guided topics*: with ``seed_topics`` (theme → seed words, e.g. from the taxonomy),
      each theme whose seeds occur in at least ``seed_min_share`` of the articles gets a
      topic of its own: it starts from the articles that use its seeds, and its topic-word
      prior ``eta`` favours its seeds (and the other topics' disfavours them). The other
      topics stay free.

    Parameters
    ----------
    n_topics : int or None, default=None
        Number of topics; None picks :func:`default_n_topics` of the corpus size.
    passes : int, default=5
        Passes over the corpus (with priming, more passes hardly change the topics).
    update_every : int, default=0
        0: batch variational Bayes, one update of the topics per pass over the whole corpus;
        N: online, one update per N chunks (gensim's default is 1). Batch training scores far
        better on the reference tokenisation of ``benchmarks/topic_models.py`` (BBC News NPMI
        0.115 against 0.037 online with 2 passes: a corpus of one or two chunks gets one or
        two online updates per pass). ``partial_fit`` (``topics update``) adds new articles
        with one blended update per pass either way.
    iterations : int, default=50
        Maximum per-document inference iterations.
    gamma_threshold : float, default=0.001
        Per-document inference stops when the topic weights change less than this.
    alpha : str or float, default="auto"
        Document-topic prior (learned from the data with "auto").
    eta : str or float, default="auto"
        Topic-word prior (learned with "auto"); with guided topics the prior is a matrix
        whose base value is ``eta`` if a number, else ``1 / n_topics``.
    no_below : int, default=10
        Drop words in fewer than this many articles (lowered for small corpora).
    no_above : float, default=0.2
        Drop words in more than this share of articles (they are in every topic's top words).
    keep_n : int, default=100_000
        Vocabulary size cap.
    dedup : float or None, default=0.8
        Jaccard similarity (of 3-token shingles) from which an article repeats an earlier
        one and is left out of training; 1 drops exact repeats only, None keeps all.
    init : {"kmeans", "random"}, default="kmeans"
        How topics start: from k-means clusters (above) or gensim's random start.
    chunksize : int, default=2000
        Articles per chunk (per update when online).
    seed_topics : mapping of str to list of str, optional
        Theme name → seed tokens (tokenised like the training tokens) for guided topics
        and for labelling topics with the theme they align with.
    seed_weight : float, default=0.1
        Prior weight of a seed word in its guided topic, relative to the topic-word total.
    seed_min_share : float, default=0.03
        A theme gets a guided topic when at least this share of articles use its seeds
        twice or more, and at most a third do (at most a fifth of the topics are guided).
    rank_words : {"distinctive", "probability"}, default="distinctive"
        How :meth:`topic_words` orders a topic's words. "distinctive": by how much more
        often the word occurs in the topic's articles than in all articles, weighed by how
        often it occurs in them (its share of the topic's articles ``p`` against all
        articles' ``q``: ``p log(p / q)``), so a topic shows the words that set its
        articles apart rather than the corpus's common words. "probability": by
        P(word | topic), as gensim shows it. On the reference tokenisation of
        ``benchmarks/topic_models.py`` (K=20, seed 0) "distinctive" raises NPMI from 0.076
        to 0.122 on Reuters-21578 and from 0.121 to 0.156 on BBC News.
    random_state : int, default=0
        Fixed seed: the same tokens give the same model.

    Attributes
    ----------
    dictionary_ : gensim.corpora.Dictionary
    model_ : gensim.models.LdaModel
    n_topics_ : int
    topic_sizes_ : ndarray of shape (n_topics_,)
        Share of the training tokens assigned to each topic (sums to 1; estimated from up to
        20,000 evenly spaced training articles).
    word_docs_ : ndarray of shape (n_topics_ + 1, n_words)
        In how many training articles each word occurs: per topic (articles weighed by
        their share of the topic), and in all (last row); estimated from up to 20,000 evenly
        spaced articles, scaled to the corpus. What "distinctive" ranking reads.
    doc_mass_ : ndarray of shape (n_topics_ + 1,)
        The articles those counts are out of: per topic (weighed), and in all (last).
    topic_themes_ : list of str or None
        The theme each topic aligns with (guided topics: their theme), or None.
    guided_themes_ : list of str
        Themes with a guided topic (topics ``0 .. len(guided_themes_) - 1``).
    n_documents_ : int
        Articles trained on (after dropping duplicates), including updates.
    n_tokens_ : float
        Tokens of the training articles (weighs ``topic_sizes_`` on updates).
    n_duplicates_ : tuple of (int, int)
        Exact and near-duplicate articles left out by ``fit``.
    topic_ids_ : list of int
        The stable id of each topic (``0 .. K-1`` after ``fit``; kept from a previous version
        by :meth:`align_to`, and renewed by ``partial_fit`` for a topic that changed beyond
        recognition). Ids are what users see; positions index the model's arrays.
    next_topic_id_ : int
        The first id no version of this model's lineage has used.
    lineage_ : dict or None
        How the ids came from the previous version (see :func:`topics.lineage.align_topics`).
    """

    def __init__(
        self,
        n_topics: int | None = None,
        passes: int = 5,
        update_every: int = 0,
        iterations: int = 50,
        gamma_threshold: float = 0.001,
        alpha: str | float = "auto",
        eta: str | float = "auto",
        no_below: int = 10,
        no_above: float = 0.2,
        keep_n: int = 100_000,
        dedup: float | None = 0.8,
        init: str = "kmeans",
        chunksize: int = 2000,
        seed_topics: Mapping[str, Sequence[str]] | None = None,
        seed_weight: float = 0.1,
        seed_min_share: float = 0.03,
        seed_exclusive: bool = True,
        rank_words: str = "distinctive",
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.passes = passes
        self.update_every = update_every
        self.iterations = iterations
        self.gamma_threshold = gamma_threshold
        self.alpha = alpha
        self.eta = eta
        self.no_below = no_below
        self.no_above = no_above
        self.keep_n = keep_n
        self.dedup = dedup
        self.init = init
        self.chunksize = chunksize
        self.seed_topics = seed_topics
        self.seed_weight = seed_weight
        self.seed_min_share = seed_min_share
        self.seed_exclusive = seed_exclusive
        self.rank_words = rank_words
        self.random_state = random_state

    def __setstate__(self, state: dict) -> None:
        # bundles saved before word occurrence was counted rank by probability
        state.setdefault("rank_words", "probability")
        state.setdefault("word_docs_", None)
        self.__dict__.update(state)

    # -- training ------------------------------------------------------------------------
    def fit(
        self,
        X: Sequence[Tokens],
        y=None,
        progress: Callable[[int, int], None] | None = None,
        timings: dict | None = None,
    ) -> LdaTopicModel:
        """Drop repeats, build the vocabulary, prime and train LDA on token lists ``X``.

        ``progress(done, total)`` is called as gensim goes through the documents
        (``total`` = passes × documents kept), for a progress bar. ``timings``, when given,
        receives the seconds of each stage (``duplicates``, ``vocabulary``, ``lda``); they
        are not kept on the model, whose bytes stay the same from run to run.
        """
        with _quiet_gensim():
            return self._fit(X, progress, timings)

    def _fit(
        self, X: Sequence[Tokens], progress: Callable[[int, int], None] | None = None, timings: dict | None = None
    ) -> LdaTopicModel:
        if self.init not in ("kmeans", "random"):
            raise ValueError(f"init must be 'kmeans' or 'random', got {self.init!r}")
        if self.rank_words not in _RANKINGS:
            raise ValueError(f"rank_words must be one of {', '.join(_RANKINGS)}, got {self.rank_words!r}")
        clock = _Stages(timings)
        docs, exact, near = self._distinct(X)
        clock("duplicates")
        dictionary, seeds = vocabulary(docs, self.no_below, self.no_above, self.keep_n, self.seed_topics)
        n_docs = dictionary.num_docs
        self.n_topics_ = k = self.n_topics or default_n_topics(n_docs)
        if k > min(n_docs, len(dictionary)):  # more topics than articles or words: hours of work for nothing
            raise ValueError(
                f"{k:,} topics is more than {n_docs:,} distinct articles with a vocabulary of "
                f"{len(dictionary):,} words can hold (at most {min(n_docs, len(dictionary)):,})"
            )
        # One compact documents × words matrix serves priming and training: a list of
        # per-document (id, count) tuples would cost ~5× the memory.
        counts = corpus2csc((dictionary.doc2bow(d) for d in docs), num_terms=len(dictionary)).T.tocsr()
        clock("vocabulary")
        seed_ids = {
            name: [dictionary.token2id[w] for w in words if w in dictionary.token2id] for name, words in seeds.items()
        }
        guided = self._choose_guided(counts, seed_ids, k)
        model = self._train(dictionary, counts, guided, seed_ids, k, progress)
        # gensim logs timestamped lifecycle events into both: the same corpus must give
        # the same bundle bytes
        dictionary.lifecycle_events = []
        model.lifecycle_events = []
        self.dictionary_ = dictionary
        self.model_ = model
        self.guided_themes_ = guided
        self.n_documents_ = len(docs)
        self.n_duplicates_ = (len(exact), len(near))
        self.topic_ids_ = list(range(k))
        self.next_topic_id_ = k
        self.lineage_ = None
        self._set_sizes_and_themes(docs)
        clock("lda")
        return self

    def _train(
        self,
        dictionary: Dictionary,
        counts,
        guided: list[str],
        seed_ids: dict[str, list[int]],
        k: int,
        progress: Callable[[int, int], None] | None = None,
    ) -> LdaModel:
        """gensim's LDA over the documents × words ``counts``, primed (see the class docstring)."""
        model = LdaModel(
            id2word=dictionary,
            num_topics=k,
            iterations=self.iterations,
            gamma_threshold=self.gamma_threshold,
            alpha=self.alpha,
            eta=self._eta(guided, seed_ids, k, len(dictionary)),
            chunksize=self.chunksize,
            update_every=self.update_every,
            random_state=self.random_state,
            eval_every=None,
        )
        start = self._start(counts, guided, seed_ids, k)
        if start is not None:
            model.state.sstats[:] = start + model.state.sstats  # gensim's random start breaks ties
            model.sync_state()
        bows = Sparse2Corpus(counts, documents_columns=False)
        model.update(bows if progress is None else _Counted(bows, progress, self.passes), passes=self.passes)
        return model

    def _choose_guided(self, counts, seed_ids: dict[str, list[int]], k: int) -> list[str]:
        """Themes that articles are about often enough to earn a topic, rarest first.

        An article is about a theme when it uses the theme's seeds at least twice (a
        passing mention is not enough). A theme most articles are about (economy in a
        business wire) is the corpus, not a topic, so shares above a third are left free.
        At most a fifth of the topics are guided.
        """
        if not seed_ids or k < 5:
            return []
        share = {name: float(self._seed_docs(counts, ids).mean()) for name, ids in seed_ids.items() if ids}
        # Rarest first: a theme many articles are about makes topics of its own anyway; the
        # rarer themes are the ones that need a guided topic to be seen.
        chosen = sorted((n for n, s in share.items() if self.seed_min_share <= s <= 1 / 3), key=lambda n: (share[n], n))
        return chosen[: k // 5]

    @staticmethod
    def _seed_docs(counts, ids: list[int]) -> np.ndarray:
        return np.asarray(counts[:, ids].sum(axis=1)).ravel() >= 2

    def _eta(self, guided: list[str], seed_ids: dict[str, list[int]], k: int, n_words: int):
        if not guided:
            return self.eta
        base = float(self.eta) if isinstance(self.eta, (int, float)) else 1.0 / k
        eta = np.full((k, n_words), base)
        for t, name in enumerate(guided):
            ids = seed_ids[name]
            if self.seed_exclusive:
                eta[:, ids] = np.minimum(eta[:, ids], base / 10)  # other topics: seeds discouraged
            # The prior is a pseudo-count: seed_weight of an average topic's token mass,
            # shared among the theme's seeds.
            eta[t, ids] = self.seed_weight * n_words * base / max(1, len(ids)) + base
        return eta

    def _start(self, counts, guided: list[str], seed_ids: dict[str, list[int]], k: int) -> np.ndarray | None:
        """Initial topic-word counts: guided topics from their seeds' articles, free ones from k-means."""
        if self.init == "random" and not guided:
            return None
        start = np.zeros((k, counts.shape[1]))
        owned = np.zeros(counts.shape[0], dtype=bool)
        for t, name in enumerate(guided):
            rows = self._seed_docs(counts, seed_ids[name])
            start[t] = np.asarray(counts[rows].sum(axis=0)).ravel()
            owned |= rows
        n_free = k - len(guided)
        # Free topics start from the articles no guided topic starts from: a free cluster of
        # a guided theme's articles takes them from its guided topic, which starves (a
        # "sport" topic of stray words beside a free cricket topic). Unless guided topics
        # start from most of the corpus: what they leave is too thin to start the free
        # topics from (BBC News at K=40: 8 guided themes, 88% of the articles).
        free = np.flatnonzero(~owned)
        if len(free) * k < 0.5 * len(owned) * n_free:
            free = np.arange(len(owned))
        if self.init == "kmeans" and n_free > 0 and len(free) >= n_free:
            labels = _kmeans_labels(counts[free], n_free, self.random_state)
            for c in range(n_free):
                start[len(guided) + c] = np.asarray(counts[free[labels == c]].sum(axis=0)).ravel()
        return start

    def partial_fit(self, X: Sequence[Tokens], y=None) -> LdaTopicModel:
        """Fold new articles into the fitted model (gensim online ``update``), without retraining.

        The vocabulary is fixed at ``fit``: words it does not know are ignored. Repeats
        within ``X`` are dropped as in ``fit``.
        """
        check_is_fitted(self, "model_")
        X = self._distinct(X)[0]
        bow = [b for b in (self.dictionary_.doc2bow(d) for d in X) if b]
        if bow:
            before = self.model_.get_topics()
            with _quiet_gensim():
                self.model_.update(bow, passes=self.passes)
            self.n_documents_ += len(bow)
            self._set_sizes_and_themes([d for d in X if self.dictionary_.doc2bow(d)], update=True)
            self._renew_changed_ids(before)
        return self

    def _set_sizes_and_themes(self, docs: Sequence[Tokens], update: bool = False) -> None:
        """Topic sizes, word occurrence (what distinctive words are read from) and themes,
        from the topic mix of up to ``_SIZE_SAMPLE`` evenly spaced articles, a chunk at a time.
        Inferred, not read off lambda: after few online passes lambda still carries the
        primed start. ``update``: ``docs`` are new articles, added to what was counted."""
        k = self.n_topics_
        sample = np.unique(np.linspace(0, len(docs) - 1, min(len(docs), _SIZE_SAMPLE)).astype(int))
        sizes, mass = np.zeros(k), np.zeros(k + 1)
        word_docs = np.zeros((k + 1, len(self.dictionary_)), dtype=np.float32)
        for start in range(0, len(sample), self.chunksize):
            bows = [self.dictionary_.doc2bow(docs[i]) for i in sample[start : start + self.chunksize]]
            theta = self._infer(bows)
            sizes += theta.T @ np.array([sum(c for _, c in b) for b in bows], dtype=float)
            occurs = corpus2csc(bows, num_terms=word_docs.shape[1], num_docs=len(bows), dtype=np.float32).T
            occurs.data[:] = 1.0
            counts, totals = word_occurrence(occurs.tocsr(), theta)
            word_docs += counts
            mass += totals
        n_tokens = float(sum(len(d) for d in docs))
        scale = len(docs) / max(len(sample), 1)  # the sample stands for all the articles
        word_docs, mass = scale * word_docs, scale * mass
        if sizes.sum() > 0:
            sizes *= n_tokens / sizes.sum()  # in tokens, to weigh later updates
        if not update:
            self.word_docs_, self.doc_mass_ = word_docs, mass
        elif self.word_docs_ is not None:  # (a bundle saved before counting has none to add to)
            self.word_docs_, self.doc_mass_ = word_docs + self.word_docs_, mass + self.doc_mass_
        before = getattr(self, "n_tokens_", 0.0) if update else 0.0
        if before:  # weigh the new articles' topic mix by their share of all training tokens
            sizes = sizes + self.topic_sizes_ * before
        self.n_tokens_ = n_tokens + before
        self.topic_sizes_ = sizes / sizes.sum() if sizes.sum() > 0 else np.full(k, 1 / k)
        self.topic_themes_ = self._align_themes()

    # -- inference -------------------------------------------------------------------------
    def transform(self, X: Iterable[Tokens]) -> np.ndarray:
        """Document-topic matrix (n_documents, n_topics_), rows summing to 1.

        Inference is batched, and every document starts from the same fixed
        initialisation, so a document's topics do not depend on which other
        documents were inferred with it or before it (gensim's default draws a
        fresh random start for each call).
        """
        check_is_fitted(self, "model_")
        return self._infer([self.dictionary_.doc2bow(tokens) for tokens in X])

    def _infer(self, bows: list) -> np.ndarray:
        if not bows:
            return np.zeros((0, self.n_topics_))
        gamma, _ = self._fixed_start_model().inference(bows)
        return gamma / gamma.sum(axis=1, keepdims=True)

    def _fixed_start_model(self) -> LdaModel:
        """A shallow view of the fitted gensim model whose inference starts every document
        from the same fixed point: it shares the learned topics, but not ``random_state``,
        so concurrent calls (the service tags in threads) never see each other's start."""
        view = object.__new__(type(self.model_))
        view.__dict__.update(self.model_.__dict__)
        view.random_state = _FixedStart(self.random_state)
        return view

    def log_perplexity(self, X: Iterable[Tokens]) -> float:
        """Per-word variational bound (log base 2 reporting as in gensim) of held-out token lists."""
        check_is_fitted(self, "model_")
        bows = [b for b in (self.dictionary_.doc2bow(t) for t in X) if b]
        n_words = sum(c for b in bows for _, c in b)
        if not n_words:
            return float("nan")
        # As gensim's log_perplexity(chunk, total_docs): the model-level terms of the bound are
        # shared out over the training corpus, not charged to a small held-out set.
        ratio = max(1.0, self.n_documents_ / len(bows))
        return float(self._fixed_start_model().bound(bows, subsample_ratio=ratio) / (ratio * n_words))

    def topic_word_distributions(self) -> tuple[np.ndarray, list[str]]:
        """``(phi, words)``: topic-word probabilities (n_topics, n_words) and the words of the columns."""
        check_is_fitted(self, "model_")
        return self.model_.get_topics(), [self.dictionary_[i] for i in range(len(self.dictionary_))]

    # -- reading the topics ----------------------------------------------------------------
    def topic_words(self, topic: int, topn: int = 10, rank: str | None = None) -> list[tuple[str, float]]:
        """The ``topn`` top words of ``topic`` with their probabilities P(word | topic), ranked
        as ``rank`` says (default: the ``rank_words`` parameter; "probability" for bundles
        saved before word occurrence was counted)."""
        check_is_fitted(self, "model_")
        rank = rank or self.rank_words
        if rank not in _RANKINGS:
            raise ValueError(f"rank must be one of {', '.join(_RANKINGS)}, got {rank!r}")
        if rank == "probability" or self.word_docs_ is None:
            return [(w, float(p)) for w, p in self.model_.show_topic(topic, topn=topn)]
        phi = self.model_.get_topics()[topic]
        order = np.argsort(-distinctiveness(self.word_docs_, self.doc_mass_, topic), kind="stable")[:topn]
        return [(self.dictionary_[int(i)], float(phi[i])) for i in order]


class _Counted:
    """A corpus that reports each document gensim reads: ``progress(done, passes * len)``."""

    def __init__(self, corpus, progress: Callable[[int, int], None], passes: int) -> None:
        self.corpus, self.progress, self.total, self.done = corpus, progress, passes * len(corpus), 0
        progress(0, self.total)

    def __len__(self) -> int:
        return len(self.corpus)

    def __iter__(self):
        for i, doc in enumerate(self.corpus, 1):
            yield doc
            if i % 200 == 0:
                self.done += 200
                self.progress(self.done, self.total)
        self.done += len(self.corpus) % 200
        self.progress(self.done, self.total)


def _kmeans_labels(counts, n_clusters: int, random_state: int) -> np.ndarray:
    """Cluster of each document: k-means over L2-normalised sublinear TF-IDF (a few iterations)."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfTransformer

    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    km = KMeans(n_clusters, n_init=1, max_iter=10, random_state=random_state).fit(tfidf)
    return km.labels_

"""What every topic model of the toolkit shares: its vocabulary, default size, stable topic
ids, theme alignment and labels (:class:`TopicsMixin`), used by :mod:`topics.lda` and
:mod:`topics.mixture`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from gensim.corpora import Dictionary

from .duplicates import find_duplicates
from .lineage import MIN_SIMILARITY, align_topics
from .tokens import Subset

__all__ = ["TopicsMixin", "default_n_topics", "distinctiveness", "topic_label", "vocabulary", "word_occurrence"]


def default_n_topics(n_documents: int) -> int:
    """Topics for a corpus of ``n_documents`` when the user gives none.

    Few documents support few distinguishable topics: ~sqrt(n/2), within [5, 30]
    (300 articles → 12, 2,000 → 30).
    """
    return int(min(30, max(5, round((n_documents / 2) ** 0.5))))


def vocabulary(docs, no_below: int, no_above: float, keep_n: int, seed_topics=None) -> tuple[Dictionary, dict]:
    """The pruned vocabulary of a topic model, and the seed words of each theme it has.

    Words in fewer than ``no_below`` articles (lowered for small corpora, which cannot afford
    a high floor) or more than ``no_above`` of them are dropped, except theme seeds found in
    two articles or more.
    """
    dictionary = Dictionary(docs)
    n_docs = dictionary.num_docs
    if n_docs == 0 or dictionary.num_pos == 0:
        raise ValueError("cannot train a topic model on an empty corpus")
    seeds = {name: [w for w in words if w in dictionary.token2id] for name, words in (seed_topics or {}).items()}
    keep = sorted({w for words in seeds.values() for w in words if dictionary.dfs[dictionary.token2id[w]] >= 2})
    dictionary.filter_extremes(
        no_below=min(no_below, max(1, n_docs // 50)), no_above=no_above, keep_n=keep_n, keep_tokens=keep or None
    )
    if len(dictionary) == 0:
        raise ValueError("no words left after vocabulary pruning; is the corpus too small?")
    return dictionary, seeds


class TopicsMixin:
    """What every topic model of the toolkit shares: stable ids, theme alignment, labels, listing.

    Subclasses provide ``topic_word_distributions()``, ``topic_words(topic, topn)``,
    ``n_topics_``, ``topic_sizes_``, ``guided_themes_``, ``dictionary_`` and the
    ``seed_topics`` parameter.
    """

    def _distinct(self, X) -> tuple[Sequence, list[int], list[int]]:
        """``(docs, exact, near)``: ``X`` without the articles repeating an earlier one (when
        ``dedup`` is set; see :func:`topics.duplicates.find_duplicates`), and the repeats."""
        X = X if isinstance(X, Sequence) else list(X)
        if self.dedup is None or len(X) < 2:
            return X, [], []
        exact, near = find_duplicates(X, threshold=self.dedup)
        drop = set(exact) | set(near)
        return Subset(X, (i for i in range(len(X)) if i not in drop)), exact, near

    # -- stable topic ids --------------------------------------------------------------------
    def topic_ids(self) -> list[int]:
        """The stable id of each topic, by position (``0 .. K-1`` for bundles saved before ids)."""
        return list(getattr(self, "topic_ids_", None) or range(self.n_topics_))

    def align_to(self, previous, min_similarity: float = MIN_SIMILARITY) -> dict:
        """Take the topic ids of ``previous`` (a fitted topic model) for the topics matching its own.

        See :func:`topics.lineage.align_topics`; returns the lineage (also in ``lineage_``).
        """
        old_phi, old_words = previous.topic_word_distributions()
        new_phi, new_words = self.topic_word_distributions()
        old_ids = previous.topic_ids()
        first_free = max(getattr(previous, "next_topic_id_", 0), max(old_ids, default=-1) + 1)
        ids, lineage = align_topics(old_phi, old_words, old_ids, new_phi, new_words, first_free, min_similarity)
        self.topic_ids_ = ids
        self.next_topic_id_ = max([first_free, *(i + 1 for i in ids)])
        self.lineage_ = lineage
        return lineage

    def _renew_changed_ids(self, before: np.ndarray, min_similarity: float = MIN_SIMILARITY) -> None:
        """After an update, a topic whose words moved beyond ``min_similarity`` of what they were is a new topic."""
        after = self.topic_word_distributions()[0]
        cos = (before * after).sum(axis=1) / np.maximum(
            np.linalg.norm(before, axis=1) * np.linalg.norm(after, axis=1), 1e-12
        )
        ids = self.topic_ids()
        next_id = max(getattr(self, "next_topic_id_", 0), max(ids) + 1)
        new, retired = [], []
        for t in np.flatnonzero(cos < min_similarity).tolist():
            retired.append(ids[t])
            ids[t] = next_id
            new.append(next_id)
            next_id += 1
        kept = [[i, round(float(c), 3)] for i, c in zip(ids, cos) if i not in new]
        self.topic_ids_, self.next_topic_id_ = ids, next_id
        self.lineage_ = {
            "kept": sorted(kept),
            "new": new,
            "retired": retired,
            "merged": [],
            "min_similarity": min_similarity,
        }

    def _align_themes(self, min_mass: float = 0.03) -> list[str | None]:
        """The theme of each topic: its guided theme, else the theme whose seeds hold most of
        its probability if that is at least ``min_mass``."""
        themes: list[str | None] = [None] * self.n_topics_
        ids = {
            name: [self.dictionary_.token2id[w] for w in words if w in self.dictionary_.token2id]
            for name, words in (self.seed_topics or {}).items()
        }
        if not ids:
            return themes
        phi = self.topic_word_distributions()[0]
        for t in range(self.n_topics_):
            if t < len(self.guided_themes_):
                themes[t] = self.guided_themes_[t]
                continue
            mass = {name: float(phi[t, w].sum()) for name, w in ids.items() if w}
            if mass:
                best = max(sorted(mass), key=mass.get)
                themes[t] = best if mass[best] >= min_mass else None
        return themes

    def topic_label(self, topic: int, display: Callable[[str], str] | None = None) -> str:
        """A short label: the theme the topic aligns with, if any, and its best phrase or two words.

        The best phrase is the first collocation among the topic's top 5 words
        (``air defense``); without one, its first two words (``oil, opec``). Tokens
        are shown through ``display`` (e.g. :meth:`topics.preprocess.Preprocessor.display`:
        ``hama`` → ``Hamas``) when given. :meth:`topics.model.Model.topic_label` labels
        with the forms readers know.
        """
        return topic_label(self.topic_words(topic, 5), self.topics_themes()[topic], display)

    def topics_themes(self) -> list[str | None]:
        """The theme each topic aligns with, or None (all None for bundles saved before
        themes were aligned)."""
        return getattr(self, "topic_themes_", None) or [None] * self.n_topics_

    def topics(self, topn: int = 10) -> list[dict]:
        """Every topic as ``{"id", "size", "label", "theme", "words"}`` (model tokens), in position order.

        ``id`` is the topic's stable id (:meth:`topic_ids`). :meth:`topics.model.Model.topics`
        gives the same with words as readers know them.
        """
        themes, ids = self.topics_themes(), self.topic_ids()
        return [
            {
                "id": ids[k],
                "size": float(self.topic_sizes_[k]),
                "label": self.topic_label(k),
                "theme": themes[k],
                "words": [w for w, _ in self.topic_words(k, topn)],
            }
            for k in range(self.n_topics_)
        ]


def word_occurrence(occurs, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """In how many articles each word occurs, per topic and in all: ``(word_docs, doc_mass)``.

    ``occurs`` (articles × words, sparse) is 1 where a word occurs in an article; ``theta``
    (articles × topics) is each article's topic mix, by which an article counts towards a
    topic. Rows ``0 .. K-1`` are the topics, row ``K`` all articles.
    """
    weights = np.hstack([theta, np.ones((theta.shape[0], 1))]).astype(np.float32)
    return np.asarray((occurs.T @ weights).T, dtype=np.float32), weights.sum(axis=0).astype(np.float64)


def distinctiveness(word_docs: np.ndarray, doc_mass: np.ndarray, topic: int) -> np.ndarray:
    """How distinctive each word is of ``topic``'s articles (from :func:`word_occurrence`):
    ``p log(p / q)``, ``p`` the share of the topic's articles it occurs in, ``q`` of all
    articles (its term of the KL divergence of the topic's word occurrence from the
    corpus's); ``-inf`` for words none of the topic's articles use."""
    p = word_docs[topic] / max(float(doc_mass[topic]), 1e-12)
    q = word_docs[-1] / max(float(doc_mass[-1]), 1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p > 0, p * np.log(p / np.maximum(q, 1e-12)), -np.inf)


def topic_label(
    words: Sequence[tuple[str, float]], theme: str | None = None, display: Callable[[str], str] | None = None
) -> str:
    """A topic's label from its top words (best first): see :meth:`TopicsMixin.topic_label`."""
    tokens = [w for w, _ in words[:5]]

    def shown(token: str) -> str:
        return display(token) if display is not None else token.replace("_", " ")

    phrase = next((t for t in tokens if "_" in t), None)
    text = shown(phrase) if phrase else ", ".join(shown(t) for t in tokens[:2])
    return f"{theme}: {text}" if theme else text


@contextmanager
def _quiet_gensim() -> Iterator[None]:
    """gensim logs a line per chunk at INFO: keep it to warnings while training, then give
    the ``gensim`` logger back the level the application had set."""
    logger = logging.getLogger("gensim")
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)


class _Stages:
    """Adds the seconds since the previous call to ``timings[stage]`` (nothing without a dict)."""

    def __init__(self, timings: dict | None) -> None:
        self.timings, self.last = timings, time.perf_counter()

    def __call__(self, stage: str) -> None:
        if self.timings is not None:
            now = time.perf_counter()
            self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
            self.last = now

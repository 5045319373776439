"""Apply a model to articles: the one place that turns text into tags.

The CLI, notebooks, evaluation and any service call :class:`Tagger`, so an
article gets the same tags wherever it is tagged.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

import numpy as np

from .classify import ThemeScore, theme_scores
from .corpus import Article
from .model import Model

__all__ = ["Tagger", "TagResult", "tag_rule", "threshold_note"]


@dataclass
class TagResult:
    """Tags of one article.

    Attributes
    ----------
    id : str
    themes : list of ThemeScore
        Themes whose score passed their threshold, highest first, with evidence terms.
    topics : list of dict
        The article's main topics: ``{"id", "weight", "words"}``, heaviest first; ``id`` is the
        topic's stable id, kept across retraining and updates (see :mod:`topics.lineage`).
    title : str or None
    scores : list of ThemeScore
        Every theme, highest first, for custom cut-offs (evidence terms only on tagged
        themes). Built on first use from a compact score row, so results stay small when
        they travel between processes.
    """

    id: str
    themes: list[ThemeScore]
    topics: list[dict]
    title: str | None = None
    _proba: np.ndarray | None = field(default=None, repr=False, compare=False)
    _classes: tuple | None = field(default=None, repr=False, compare=False)
    _thresholds: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def scores(self) -> list[ThemeScore]:
        if self._proba is None:
            return list(self.themes)
        evidence = {self._classes.index(s.name): s.evidence for s in self.themes}
        tagged = np.zeros(len(self._classes), dtype=bool)
        tagged[list(evidence)] = True
        return theme_scores(self._classes, self._thresholds, self._proba, tagged, evidence)

    def to_dict(self, explain: bool = True) -> dict:
        """The JSON object printed by ``topics tag --format jsonl``."""
        themes = []
        for s in self.themes:
            item = {"name": s.name, "score": round(s.score, 4)}
            if explain:
                item["evidence"] = list(s.evidence)
            themes.append(item)
        out = {"id": self.id}
        if self.title:
            out["title"] = self.title
        out["themes"] = themes
        out["topics"] = self.topics
        return out


class Tagger:
    """Tags articles with a model, in batches.

    Parameters
    ----------
    model : Model
    top_topics : int
        Topics reported per article (those above ``min_topic_weight``).
    min_topic_weight : float
    n_evidence : int
        Evidence terms reported per theme.
    batch_size : int
        Articles processed together (vectorised classification, batched LDA inference).
    """

    def __init__(
        self, model: Model, top_topics: int = 3, min_topic_weight: float = 0.05, n_evidence: int = 5, batch_size: int = 256
    ) -> None:
        self.model = model
        self.top_topics = top_topics
        self.min_topic_weight = min_topic_weight
        self.n_evidence = n_evidence
        self.batch_size = batch_size
        self._classes = tuple(str(c) for c in model.classifier.classes_)
        self._ids = model.lda.topic_ids()  # stable ids, by position
        self._words = [t["words"] for t in model.topics(topn=8)]

    def tag(self, articles: Iterable[Article | str], n_jobs: int = 1) -> Iterator[TagResult]:
        """Tag articles (or plain strings) lazily, in input order.

        Parameters
        ----------
        articles : iterable of Article or str
            Read lazily, one batch at a time: memory stays flat however many there are.
        n_jobs : int
            Batches tagged in parallel by this many processes (-1 = all cores). For a
            Dask cluster, see :func:`topics.distributed.tag`.

        Results are the same however the work is split: every article's tags
        depend on that article alone.
        """
        batches = self.batches(articles)
        if n_jobs != 1:
            for results in _process_map(self, batches, n_jobs):
                yield from results
        else:
            for batch in batches:
                yield from self._tag_batch(batch)

    def batches(self, articles: Iterable[Article | str]) -> Iterator[list[Article]]:
        it = iter(articles)
        n = 0
        while batch := list(islice(it, self.batch_size)):
            arts = []
            for a in batch:
                n += 1
                arts.append(a if isinstance(a, Article) else Article(id=str(n), text=str(a)))
            yield arts

    def tag_one(self, article: Article | str) -> TagResult:
        """Tag a single article."""
        return next(self.tag([article]))

    def _tag_batch(self, articles: list[Article]) -> list[TagResult]:
        pre = self.model.preprocessor
        clf = self.model.classifier
        tokens = [pre.tokenize(a.full_text) for a in articles]
        proba, tagged, evidence = clf.score_batch(tokens, n_evidence=self.n_evidence)
        theta = self.model.lda.transform([pre.topic_tokens(a.full_text, t) for a, t in zip(articles, tokens)])
        classes = self._classes
        thresholds = clf.thresholds_.tolist()
        results = []
        for a, p, tags, ev, mix in zip(articles, proba, tagged, evidence, theta):
            order = [k for k in mix.argsort()[::-1][: self.top_topics] if mix[k] >= self.min_topic_weight]
            topics = [{"id": self._ids[k], "weight": round(float(mix[k]), 4), "words": self._words[k]} for k in order]
            # Tagged themes only, in the order of `scores`: highest first, ties by theme order.
            themes = [ThemeScore(classes[t], float(p[t]), thresholds[t], True, ev[t]) for t in sorted(ev, key=lambda t: (-p[t], t))]
            results.append(TagResult(a.id, themes, topics, a.title, p, classes, clf.thresholds_))
        return results


def tag_rule(model: Model) -> str | None:
    """How the model tags besides thresholds: ``"single-label"`` (each article its best
    theme), ``"best-if-none"`` (the best theme when none passes), or None."""
    clf = model.classifier
    if getattr(clf, "single_label_", False):
        return "single-label"
    if getattr(clf, "always_tag_", False):
        return "best-if-none"
    return None


def threshold_note(score, rule: str | None = None) -> str:
    """Why a theme is tagged below its threshold (or not tagged above it), in words; "" when
    its tag follows its threshold. ``rule`` is :func:`tag_rule` of the model, when known."""
    if score.tagged and score.score < score.threshold:
        why = {"single-label": "the model was trained on articles with one label each, so every article gets its "
                               "best theme",
               "best-if-none": "no theme passed its threshold, and the model tags the best one then",
               None: "the best theme is tagged (a single-label model, or no theme passed its threshold)"}[rule]
        return f"below its threshold {score.threshold:.2f}, tagged anyway: {why}"
    if not score.tagged and score.score >= score.threshold:
        return f"above its threshold {score.threshold:.2f}, not tagged: a single-label model tags only the best theme"
    return ""


def _tag_batch(tagger: Tagger, batch: list[Article]) -> list[TagResult]:
    """Module-level so that process pools and Dask workers can call it."""
    return tagger._tag_batch(batch)


_WORKER_TAGGER: Tagger | None = None


def _init_worker(tagger: Tagger) -> None:
    global _WORKER_TAGGER
    _WORKER_TAGGER = tagger


def _tag_in_worker(batch: list[Article]) -> list[TagResult]:
    return _WORKER_TAGGER._tag_batch(batch)


def _process_map(tagger: Tagger, batches: Iterator[list[Article]], n_jobs: int) -> Iterator[list[TagResult]]:
    """Tag batches in worker processes, in input order, with a bounded number in flight.

    The tagger travels to each worker once (initializer), not with every batch.
    """
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    workers = os.cpu_count() or 1 if n_jobs < 0 else n_jobs
    context = multiprocessing.get_context("spawn")  # safe with threaded BLAS, same on every OS
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(tagger,)) as pool:
        pending: deque = deque()
        for batch in batches:
            pending.append(pool.submit(_tag_in_worker, batch))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

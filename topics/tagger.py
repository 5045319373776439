"""Apply a model to articles: the one place that turns text into tags.

The CLI, notebooks, evaluation and any service call :class:`Tagger`, so an
article gets the same tags wherever it is tagged.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import NamedTuple

import numpy as np

from .classify import ThemeScore, ranked_theme_scores
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
    topic_mix : ndarray of shape (n_topics,) or None
        The article's whole topic mix (sums to 1), unrounded: what ``topics`` lists the
        heaviest of, by position (topic ``k`` has the stable id ``model.lda.topic_ids()[k]``).
        For trends and tables over many articles.
    tokens : list of str or None
        The article as the topic model saw it (boilerplate left out, collocations joined),
        when the tagger was asked to keep them (``Tagger(keep_tokens=True)``).
    """

    id: str
    themes: list[ThemeScore]
    topics: list[dict]
    title: str | None = None
    topic_mix: np.ndarray | None = field(default=None, repr=False, compare=False)
    tokens: list[str] | None = field(default=None, repr=False, compare=False)
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
        return ranked_theme_scores(self._classes, self._thresholds, self._proba, tagged, evidence)

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

    def to_text(self, explain: bool = False, rule: str | None = None) -> str:
        """The block printed by ``topics tag --format table`` (ends with a blank line);
        ``rule`` is :func:`tag_rule` of the model, which ``explain`` notes use."""
        lines = [self.id + (f"  {self.title}" if self.title else "")]
        if self.themes:
            lines.append("  themes  " + "  ".join(f"{s.name} {s.score:.2f}" for s in self.themes))
            if explain:
                for s in self.themes:
                    lines.append(f"    {s.name:<14} {', '.join(s.evidence) or '-'}")
                    if note := threshold_note(s, rule):
                        lines.append(f"    {'':<14} ({note})")
        else:
            best = self.scores[0] if self.scores else None
            lines.append("  themes  (none)" + (f"  best: {best.name} {best.score:.2f}" if best else ""))
        for t in self.topics:
            lines.append(f"  topic   #{t['id']:<3} {t['weight']:.2f}  {', '.join(t['words'])}")
        return "\n".join(lines) + "\n\n"

    def format(self, output_format: str, explain: bool = False, rule: str | None = None) -> str:
        """One article's output: a JSON line (``"jsonl"``) or a table block (``"table"``)."""
        if output_format == "jsonl":
            return json.dumps(self.to_dict(), ensure_ascii=False) + "\n"
        return self.to_text(explain, rule)


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
    keep_tokens : bool
        Also return each article's tokens (:attr:`TagResult.tokens`), for measures that
        need the text as the model saw it (term counts, coherence); off by default, as
        they make results several times larger.
    """

    def __init__(
        self,
        model: Model,
        top_topics: int = 3,
        min_topic_weight: float = 0.05,
        n_evidence: int = 5,
        batch_size: int = 256,
        keep_tokens: bool = False,
    ) -> None:
        self.model = model
        self.top_topics = top_topics
        self.min_topic_weight = min_topic_weight
        self.n_evidence = n_evidence
        self.batch_size = batch_size
        self.keep_tokens = keep_tokens
        self._classes = tuple(str(c) for c in model.classifier.classes_)
        self._ids = model.lda.topic_ids()  # stable ids, by position
        self._words = [t["words"] for t in model.topics(topn=8)]

    def tag(self, articles: Iterable[Article | str], *, stream: bool = False) -> Iterator[TagResult]:
        """Tag articles (or plain strings) lazily, in input order.

        Parameters
        ----------
        articles : iterable of Article or str
            Read lazily, one batch at a time: memory stays flat however many there are.
        stream : bool
            Read ``articles`` in a background thread and tag those already read (at most
            ``batch_size``) without waiting for a full batch: an article read from a pipe
            is answered at once, while a fast source still fills whole batches. In this process.

        Results are the same however the work is split: every article's tags
        depend on that article alone. To tag files in parallel processes or on a Dask
        cluster, see :func:`topics.partition.tag_files`: its workers read the files themselves.
        """
        if stream:
            for batch in _ready_batches(_as_articles(articles), self.batch_size):
                yield from self._tag_batch(batch)
            return
        for batch in self.batches(articles):
            yield from self._tag_batch(batch)

    def batches(self, articles: Iterable[Article | str]) -> Iterator[list[Article]]:
        it = _as_articles(articles)
        while batch := list(islice(it, self.batch_size)):
            yield batch

    def tag_one(self, article: Article | str) -> TagResult:
        """Tag a single article."""
        return next(self.tag([article]))

    def _tag_batch(self, articles: list[Article]) -> list[TagResult]:
        pre = self.model.preprocessor
        clf = self.model.classifier
        tokens = [pre.tokenize(a.full_text) for a in articles]
        proba, _, evidence = clf.compact_scores(tokens, n_evidence=self.n_evidence)  # evidence: the tagged themes
        # The classifier reads every token; the topic model its own (boilerplate out, phrases joined).
        phrased = [pre.topic_tokens(a.full_text, t) for a, t in zip(articles, tokens)]
        theta = self.model.lda.transform(phrased)
        classes = self._classes
        thresholds = clf.thresholds_.tolist()
        results = []
        for a, p, ev, mix, doc in zip(articles, proba, evidence, theta, phrased):
            order = [k for k in mix.argsort()[::-1][: self.top_topics] if mix[k] >= self.min_topic_weight]
            topics = [{"id": self._ids[k], "weight": round(float(mix[k]), 4), "words": self._words[k]} for k in order]
            # Tagged themes only, in the order of `scores`: highest first, ties by theme order.
            themes = [
                ThemeScore(classes[t], float(p[t]), thresholds[t], True, ev[t])
                for t in sorted(ev, key=lambda t: (-p[t], t))
            ]
            results.append(
                TagResult(
                    a.id, themes, topics, a.title, mix, doc if self.keep_tokens else None, p, classes, clf.thresholds_
                )
            )
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
        why = {
            "single-label": "the model was trained on articles with one label each, so every article gets its "
            "best theme",
            "best-if-none": "no theme passed its threshold, and the model tags the best one then",
            None: "the best theme is tagged (a single-label model, or no theme passed its threshold)",
        }[rule]
        return f"below its threshold {score.threshold:.2f}, tagged anyway: {why}"
    if not score.tagged and score.score >= score.threshold:
        return f"above its threshold {score.threshold:.2f}, not tagged: a single-label model tags only the best theme"
    return ""


def _as_articles(items: Iterable[Article | str]) -> Iterator[Article]:
    """Articles as they are; a plain string becomes one whose id is its position (from 1)."""
    for n, a in enumerate(items, 1):
        yield a if isinstance(a, Article) else Article(id=str(n), text=str(a))


class _Failed(NamedTuple):
    error: BaseException


def _ready_batches(items: Iterable, size: int) -> Iterator[list]:
    """Batches of the items already read, at most ``size``: a thread reads ahead (at most two
    batches), and a batch is taken as soon as one item is there."""
    ready: queue.Queue = queue.Queue(maxsize=2 * size)
    end = object()

    def read() -> None:
        try:
            for item in items:
                ready.put(item)
            ready.put(end)
        except BaseException as exc:  # handed to the reading side, raised there
            ready.put(_Failed(exc))

    threading.Thread(target=read, name="topics-read-ahead", daemon=True).start()
    while True:
        batch = [ready.get()]
        while len(batch) < size:
            try:
                batch.append(ready.get_nowait())
            except queue.Empty:
                break
        for i, item in enumerate(batch):
            if item is end or isinstance(item, _Failed):
                if i:
                    yield batch[:i]
                if item is end:
                    return
                raise item.error
        yield batch

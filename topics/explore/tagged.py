"""The inputs of the tables and figures: a model (or its name), and a corpus tagged once.

:func:`tag_corpus` runs :class:`topics.Tagger` over a corpus and keeps what every table
and figure needs (each article's whole topic mix, its tokens, its theme scores), so a
corpus is tokenised and inferred once, by the same code as ``topics tag``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

try:
    import pandas as pd
except ImportError as exc:  # pragma: no cover - depends on the environment
    from ..extras import install_hint

    raise ImportError(f"topics.explore needs pandas and matplotlib: {install_hint('inspect')}") from exc

from ..corpus import Corpus
from ..model import Model, load

if TYPE_CHECKING:
    from ..tagger import TagResult

__all__ = ["TaggedCorpus", "tag_corpus", "ModelLike", "CorpusLike"]

ModelLike = Model | str | os.PathLike | None
CorpusLike = "TaggedCorpus | Corpus | Iterable[Article] | str | os.PathLike"


def _model(model: ModelLike) -> Model:
    return model if isinstance(model, Model) else load(model)


@dataclass
class TaggedCorpus:
    """A corpus tagged once, for the tables and figures that need articles.

    Attributes
    ----------
    articles : pandas.DataFrame
        One row per article, indexed by id: ``title``, ``date`` (Timestamp or NaT),
        ``labels`` (tuple or None), ``themes`` (tagged themes, highest first),
        ``n_tokens`` (tokens the topic model knows).
    theta : numpy.ndarray of shape (n_articles, n_topics)
        Each article's topic mix (rows sum to 1).
    scores : pandas.DataFrame
        Every theme's score for every article (articles × themes).
    results : list of TagResult
        The tagger's output, with evidence terms.
    term_counts : numpy.ndarray of shape (vocabulary,)
        How often each word of the topic model's vocabulary occurs in the corpus.
    tokens : list of list of str
        Each article as the topic model sees it (for coherence).
    description : str
    """

    articles: pd.DataFrame
    theta: np.ndarray
    scores: pd.DataFrame
    results: list[TagResult] = field(repr=False)
    term_counts: np.ndarray = field(repr=False)
    tokens: list[list[str]] = field(repr=False, default_factory=list)
    description: str = "articles"

    def __len__(self) -> int:
        return len(self.articles)

    @property
    def has_dates(self) -> bool:
        """Whether at least two articles have a date."""
        return int(self.articles["date"].notna().sum()) >= 2

    @property
    def has_labels(self) -> bool:
        """Whether any article carries labels."""
        return bool(self.articles["labels"].notna().any())


def tag_corpus(
    model: ModelLike, corpus: CorpusLike, *, limit: int | None = None, batch_size: int = 256
) -> TaggedCorpus:
    """Tag a corpus and keep every article's topic mix, in one pass of :class:`topics.Tagger`.

    Parameters
    ----------
    model : Model, str or path
    corpus : path, Corpus, iterable of Article or TaggedCorpus
        A path is opened with :class:`topics.Corpus` (format guessed). A
        TaggedCorpus is returned as is.
    limit : int, optional
        Stop after this many articles.
    batch_size : int
        Articles tagged together.

    Returns
    -------
    TaggedCorpus
    """
    from itertools import islice

    from ..tagger import Tagger

    if isinstance(corpus, TaggedCorpus):
        return corpus
    model = _model(model)
    if isinstance(corpus, (str, os.PathLike)):
        corpus = Corpus(corpus)
    lda = model.lda
    tagger = Tagger(model, batch_size=batch_size, keep_tokens=True)
    dictionary = lda.dictionary_
    counts = np.zeros(len(dictionary), dtype=np.int64)
    rows, results, tokens = [], [], []
    for batch in tagger.batches(corpus if limit is None else islice(corpus, limit)):
        for a, r in zip(batch, tagger.tag(batch)):
            results.append(r)
            tokens.append(r.tokens)
            bow = dictionary.doc2bow(r.tokens)
            for term, n in bow:
                counts[term] += n
            rows.append(
                {
                    "id": a.id,
                    "title": a.title,
                    "date": a.date,
                    "labels": a.labels,
                    "themes": tuple(s.name for s in r.themes),
                    "n_tokens": sum(n for _, n in bow),
                }
            )
    articles = pd.DataFrame(rows, columns=["id", "title", "date", "labels", "themes", "n_tokens"]).set_index("id")
    articles["date"] = _parse_dates(articles["date"])
    theta = np.vstack([r.topic_mix for r in results]) if results else np.zeros((0, lda.n_topics_))
    scores = pd.DataFrame(
        [{s.name: s.score for s in r.scores} for r in results], index=articles.index, columns=model.themes, dtype=float
    )
    return TaggedCorpus(articles, theta, scores, results, counts, tokens, getattr(corpus, "description", "articles"))


def _parse_dates(values: pd.Series) -> pd.Series:
    """Dates as given → Timestamps (day resolution) or NaT, read as ``topics trends`` reads them."""
    from ..trends import parse_date

    days = [parse_date(v) if isinstance(v, str) else None for v in values]
    return pd.Series(pd.to_datetime([d if d is not None else pd.NaT for d in days]), index=values.index)


def _tagged(model: Model, corpus: CorpusLike) -> TaggedCorpus:
    return corpus if isinstance(corpus, TaggedCorpus) else tag_corpus(model, corpus)


# -- what a model says about its topics (labels, themes, coherence) ---------------------------
def _topic_labels(model: Model) -> list[str] | None:
    """Short topic labels when the model has them (``lda.labels_`` or ``label`` in ``lda.topics()``)."""
    labels = getattr(model.lda, "labels_", None)
    if labels is None:
        try:
            found = [t.get("label") for t in model.topics(topn=1)]
        except Exception:  # an older model: no labels
            return None
        labels = found if any(found) else None
    return [str(x) if x else "" for x in labels] if labels is not None else None


def _coherence(model: Model, tc: TaggedCorpus | None = None) -> np.ndarray | None:
    """Per-topic NPMI coherence: recorded at training, else computed on ``tc`` (needs topics.quality)."""
    meta = model.manifest.get("meta", {}) if model.manifest else {}
    k = model.lda.n_topics_
    for where in ((meta.get("topics") or {}).get("quality") or {}, meta, meta.get("quality") or {}):
        for key in ("topic_npmi", "topic_coherence"):
            value = where.get(key) if isinstance(where, dict) else None
            if isinstance(value, list) and len(value) == k:
                return np.asarray(value, dtype=float)
    if tc is not None and tc.tokens:
        try:
            from ..quality import coherence

            return np.asarray(coherence(model.lda, tc.tokens)[1], dtype=float)
        except Exception:  # a toolkit without (this version of) topic-quality measures
            return None
    return None


def _topic_themes(model: Model) -> list[str] | None:
    """The theme each topic aligns with (newer models), None when the model does not say."""
    try:
        themes = [t.get("theme") or "" for t in model.topics(topn=1)]
    except Exception:
        return None
    return themes if any(themes) else None


def _clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters with "…", at a word boundary when one is near
    the end; unlike ``textwrap.shorten`` a single long word is cut, never dropped."""
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    space = cut.rfind(" ")
    if space > width // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def _label(model: Model, k: int, labels: list[str] | None = None, width: int = 28) -> str:
    text = f"#{model.lda.topic_ids()[k]}"  # the stable id of the topic at position k
    if labels and labels[k]:
        text += " " + _clip(labels[k], width)
    return text


def _theme_label(model: Model, theme: str) -> str:
    try:
        return str(model.taxonomy[theme].label)
    except Exception:  # taxonomies without that theme or without labels
        return theme


def _model_name(model: Model) -> str:
    name, version = model.manifest.get("name"), model.manifest.get("version")
    return f"{name}@{version}" if name else "unsaved model"

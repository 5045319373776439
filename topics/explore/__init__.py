"""Explore a model's topics and themes: pandas tables, matplotlib figures, the topic map.

The library behind the notebooks in ``notebooks/`` and ``topics report``. Every
function takes a model (a :class:`topics.Model`, or a name/path for
:func:`topics.load`) and, where it needs one, a corpus (a path, a
:class:`topics.Corpus`, any iterable of :class:`topics.Article`, or a
:class:`TaggedCorpus` from :func:`tag_corpus` to tag it only once). Functions
return objects and never print; figures are :class:`matplotlib.figure.Figure`
objects drawn by the Agg backend outside pyplot, so they need no display, show
once in Jupyter and are freed like any object.

Modules: :mod:`~topics.explore.tagged` (a model and a corpus tagged once),
:mod:`~topics.explore.tables`, :mod:`~topics.explore.figures`,
:mod:`~topics.explore.topicmap`. ``topics.inspect``, the name this package had before,
still imports the same names.

Needs the ``inspect`` extra (``pip install ".[inspect]"`` from a checkout): pandas and
matplotlib, and pyLDAvis for the interactive map (without it, :func:`topic_map`
draws its own).

Examples
--------
>>> from topics import explore as inspect                       # doctest: +SKIP
>>> model = topics.load("default")                              # doctest: +SKIP
>>> inspect.topic_table(model)                                  # doctest: +SKIP
>>> tagged = inspect.tag_corpus(model, "news.jsonl")            # doctest: +SKIP
>>> inspect.plot_document_topics(model, tagged)                 # doctest: +SKIP
>>> inspect.topic_map(model, tagged)                            # doctest: +SKIP
"""

from __future__ import annotations

from ..fsutil import write_text_atomic
from .figures import (
    figure_png,
    plot_document_topics,
    plot_evaluation,
    plot_k_sweep,
    plot_scores,
    plot_sweep,
    plot_theme_counts,
    plot_theme_trends,
    plot_topic_sizes,
    plot_topic_trends,
    plot_topic_words,
)
from .tables import (
    document_topics,
    documents,
    evaluate,
    explain,
    k_sweep,
    theme_counts,
    theme_trends,
    topic_table,
    topic_trends,
    trend_period,
)
from .tagged import TaggedCorpus, tag_corpus
from .topicmap import TopicMap, topic_map

__all__ = [
    "TaggedCorpus",
    "TopicMap",
    "tag_corpus",
    "topic_table",
    "document_topics",
    "documents",
    "theme_counts",
    "topic_trends",
    "theme_trends",
    "trend_period",
    "k_sweep",
    "evaluate",
    "explain",
    "plot_scores",
    "plot_topic_words",
    "plot_topic_sizes",
    "plot_document_topics",
    "plot_theme_counts",
    "plot_topic_trends",
    "plot_theme_trends",
    "plot_sweep",
    "plot_k_sweep",
    "plot_evaluation",
    "topic_map",
    "figure_png",
    "write_text_atomic",
]

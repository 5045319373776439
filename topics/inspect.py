"""Inspect a model's topics and themes: pandas tables and matplotlib figures.

The library behind the notebooks in ``notebooks/`` and ``topics report``. Every
function takes a model (a :class:`topics.Model`, or a name/path for
:func:`topics.load`) and, where it needs one, a corpus (a path, a
:class:`topics.Corpus`, any iterable of :class:`topics.Article`, or a
:class:`TaggedCorpus` from :func:`tag_corpus` to tag it only once). Functions
return objects and never print; figures are :class:`matplotlib.figure.Figure`
objects drawn by the Agg backend outside pyplot, so they need no display, show
once in Jupyter and are freed like any object.

Needs the ``inspect`` extra (``pip install ".[inspect]"`` from a checkout): pandas and
matplotlib, and pyLDAvis for the interactive map (without it, :func:`topic_map`
draws its own).

Examples
--------
>>> from topics import inspect                                  # doctest: +SKIP
>>> model = topics.load("default")                              # doctest: +SKIP
>>> inspect.topic_table(model)                                  # doctest: +SKIP
>>> tagged = inspect.tag_corpus(model, "news.jsonl")            # doctest: +SKIP
>>> inspect.plot_document_topics(model, tagged)                 # doctest: +SKIP
>>> inspect.topic_map(model, tagged)                            # doctest: +SKIP
"""

from __future__ import annotations

import html
import json
import math
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

try:
    import pandas as pd
except ImportError as exc:  # pragma: no cover - depends on the environment
    from .extras import install_hint

    raise ImportError(f"topics.inspect needs pandas and matplotlib: {install_hint('inspect')}") from exc

from .corpus import Article, Corpus
from .model import Model, load

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .tagger import TagResult

__all__ = [
    "TaggedCorpus", "TopicMap", "tag_corpus", "topic_table", "document_topics", "documents",
    "theme_counts", "topic_trends", "theme_trends", "trend_period", "k_sweep", "evaluate", "explain", "plot_scores", "plot_topic_words", "plot_topic_sizes",
    "plot_document_topics", "plot_theme_counts", "plot_topic_trends", "plot_theme_trends", "plot_k_sweep",
    "plot_evaluation", "topic_map", "figure_png", "write_text_atomic",
]

ModelLike = Model | str | os.PathLike | None
CorpusLike = "TaggedCorpus | Corpus | Iterable[Article] | str | os.PathLike"

_BAR = "#4c72b0"
_ACCENT = "#dd8452"


# -- inputs -----------------------------------------------------------------------------------
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


def tag_corpus(model: ModelLike, corpus: CorpusLike, *, limit: int | None = None, batch_size: int = 256) -> TaggedCorpus:
    """Tag a corpus and infer every article's topic mix, in one pass.

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
    from .tagger import Tagger

    if isinstance(corpus, TaggedCorpus):
        return corpus
    model = _model(model)
    if isinstance(corpus, (str, os.PathLike)):
        corpus = Corpus(corpus)
    pre, lda = model.preprocessor, model.lda
    tagger = Tagger(model, batch_size=batch_size)
    dictionary = lda.dictionary_
    counts = np.zeros(len(dictionary), dtype=np.int64)
    rows, thetas, results, tokens = [], [], [], []
    it = iter(corpus if limit is None else islice(corpus, limit))
    while batch := list(islice(it, batch_size)):
        batch = [a if isinstance(a, Article) else Article(id=str(len(rows) + i + 1), text=str(a)) for i, a in enumerate(batch)]
        docs = [pre.topic_tokens(a.full_text) for a in batch]
        tokens.extend(docs)
        thetas.append(lda.transform(docs))
        tagged = list(tagger.tag(batch))
        results.extend(tagged)
        for a, doc, r in zip(batch, docs, tagged):
            bow = dictionary.doc2bow(doc)
            for term, n in bow:
                counts[term] += n
            rows.append({"id": a.id, "title": a.title, "date": a.date, "labels": a.labels,
                         "themes": tuple(s.name for s in r.themes), "n_tokens": sum(n for _, n in bow)})
    articles = pd.DataFrame(rows, columns=["id", "title", "date", "labels", "themes", "n_tokens"]).set_index("id")
    articles["date"] = _parse_dates(articles["date"])
    theta = np.vstack(thetas) if thetas else np.zeros((0, lda.n_topics_))
    scores = pd.DataFrame([{s.name: s.score for s in r.scores} for r in results],
                          index=articles.index, columns=model.themes, dtype=float)
    return TaggedCorpus(articles, theta, scores, results, counts, tokens, getattr(corpus, "description", "articles"))


def _parse_dates(values: pd.Series) -> pd.Series:
    """Dates as given → Timestamps (day resolution) or NaT, read as ``topics trends`` reads them."""
    from .trends import parse_date

    days = [parse_date(v) if isinstance(v, str) else None for v in values]
    return pd.Series(pd.to_datetime([d if d is not None else pd.NaT for d in days]), index=values.index)


def _tagged(model: Model, corpus: CorpusLike) -> TaggedCorpus:
    return corpus if isinstance(corpus, TaggedCorpus) else tag_corpus(model, corpus)


# -- optional model information (coherence, labels, K sweep) ----------------------------------
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
            from .quality import coherence

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


# -- tables -----------------------------------------------------------------------------------
def topic_table(model: ModelLike, topn: int = 10, corpus: CorpusLike | None = None) -> pd.DataFrame:
    """Every topic with its top words and size.

    Parameters
    ----------
    model : Model, str or path
    topn : int
        Words per topic.
    corpus : optional
        Also count the articles whose main topic each topic is (``articles``) and
        the topic's share of the corpus's tokens (``corpus_share``).

    Returns
    -------
    pandas.DataFrame
        Indexed by topic id: ``label`` and ``theme`` (when the model has them), ``size`` (share
        of the training tokens), ``coherence`` (NPMI of the top words, in [-1, 1]:
        recorded at training, or computed on ``corpus``; left out when neither
        is available), ``articles`` and ``corpus_share`` (with ``corpus``),
        ``words`` (list).
    """
    model = _model(model)
    topics = model.topics(topn=topn)
    df = pd.DataFrame({"size": [t["size"] for t in topics], "words": [t["words"] for t in topics]},
                      index=pd.Index([t["id"] for t in topics], name="topic"))
    # Newer models describe topics further (a label, the theme a topic aligns with).
    extra = [key for key in ("label", "theme") if any(t.get(key) for t in topics)]
    for i, key in enumerate(extra):
        df.insert(i, key, [t.get(key) or "" for t in topics])
    tc = _tagged(model, corpus) if corpus is not None else None
    if (coherence := _coherence(model, tc)) is not None:
        df.insert(len(df.columns) - 1, "coherence", coherence)
    if tc is not None:
        main = np.bincount(tc.theta.argmax(axis=1), minlength=model.lda.n_topics_) if len(tc) else np.zeros(len(df), int)
        weights = tc.articles["n_tokens"].to_numpy(float)
        mass = (tc.theta * weights[:, None]).sum(axis=0) if len(tc) else np.zeros(len(df))
        df.insert(len(df.columns) - 1, "articles", main)
        df.insert(len(df.columns) - 1, "corpus_share", mass / mass.sum() if mass.sum() else mass)
    return df


def document_topics(model: ModelLike, corpus: CorpusLike) -> pd.DataFrame:
    """The document–topic table: each article's weight on each topic.

    Returns
    -------
    pandas.DataFrame
        Articles (indexed by id) × topic ids; rows sum to 1.
    """
    model = _model(model)
    tc = _tagged(model, corpus)
    return pd.DataFrame(tc.theta, index=tc.articles.index, columns=pd.RangeIndex(tc.theta.shape[1], name="topic"))


def documents(model: ModelLike, corpus: CorpusLike) -> pd.DataFrame:
    """One row per article: title, date, main topic, tagged themes (and labels if any).

    Returns
    -------
    pandas.DataFrame
        Indexed by id: ``title``, ``date``, ``topic`` (main topic id), ``topic_weight``,
        ``themes`` (comma-separated, highest score first), ``labels`` (labelled corpora).
    """
    model = _model(model)
    tc = _tagged(model, corpus)
    a = tc.articles
    df = pd.DataFrame({"title": a["title"], "date": a["date"]}, index=a.index)
    df["topic"] = tc.theta.argmax(axis=1) if len(tc) else []
    df["topic_weight"] = tc.theta.max(axis=1) if len(tc) else []
    df["themes"] = [", ".join(t) for t in a["themes"]]
    if tc.has_labels:
        df["labels"] = [", ".join(x) if x else "" for x in a["labels"]]
    return df


def theme_counts(model: ModelLike, corpus: CorpusLike) -> pd.DataFrame:
    """How many articles each theme tags.

    Returns
    -------
    pandas.DataFrame
        Indexed by theme, in the model's order: ``label``, ``articles`` (tagged),
        ``share`` (of all articles), ``mean_score``; ``labelled`` (articles carrying
        the theme as a label) for labelled corpora.
    """
    model = _model(model)
    tc = _tagged(model, corpus)
    n = len(tc)
    tagged = {t: 0 for t in model.themes}
    for themes in tc.articles["themes"]:
        for t in themes:
            tagged[t] = tagged.get(t, 0) + 1
    df = pd.DataFrame(index=pd.Index(model.themes, name="theme"))
    labels = [_theme_label(model, t) for t in model.themes]
    # Themes learned from a corpus's labels are named by those labels: a taxonomy label that
    # one of them happens to match ("politics" → "Domestic politics") would mix two styles.
    if all(label != t for label, t in zip(labels, model.themes)):
        df["label"] = labels
    df["articles"] = [tagged[t] for t in model.themes]
    df["share"] = df["articles"] / n if n else 0.0
    df["mean_score"] = tc.scores.mean(axis=0).reindex(df.index).to_numpy() if n else np.nan
    if tc.has_labels:
        gold = {t: 0 for t in model.themes}
        for labels in tc.articles["labels"].dropna():
            for t in labels:
                if t in gold:
                    gold[t] += 1
        df["labelled"] = [gold[t] for t in model.themes]
    return df


def explain(result: TagResult, model: ModelLike | None = None) -> pd.DataFrame:
    """Every theme's score for one tagged article, with its threshold and evidence terms.

    Parameters
    ----------
    result : TagResult
        From :meth:`topics.Tagger.tag_one` or :meth:`topics.Tagger.tag`.
    model : Model, optional
        The model that tagged it: makes ``note`` say which rule tagged a theme below
        its threshold.

    Returns
    -------
    pandas.DataFrame
        Indexed by theme, highest score first: ``score``, ``threshold``, ``tagged``,
        ``evidence``, ``note`` (why a theme's tag and its threshold disagree, else "").
    """
    from .tagger import tag_rule, threshold_note

    rule = tag_rule(_model(model)) if model is not None else None
    return pd.DataFrame(
        [{"theme": s.name, "score": s.score, "threshold": s.threshold, "tagged": s.tagged, "evidence": ", ".join(s.evidence),
          "note": threshold_note(s, rule)} for s in result.scores],
        columns=["theme", "score", "threshold", "tagged", "evidence", "note"],
    ).set_index("theme")




def _theme_label(model: Model, theme: str) -> str:
    try:
        return str(model.taxonomy[theme].label)
    except Exception:  # taxonomies without that theme or without labels
        return theme


TREND_MIN_ARTICLES = 20  # articles a period should hold on average for its shares to be compared


def _period(dates: pd.Series) -> str:
    """The finest period (day, week, month or year) giving 2 to 60 points over the dates'
    span with, on average, at least :data:`TREND_MIN_ARTICLES` articles in each (a share of
    7 articles moves by 14 points with one article); with fewer articles, the coarsest
    period that still gives two points."""
    span = (dates.max() - dates.min()).days
    counts = [(by, span / days + 1) for by, days in (("day", 1), ("week", 7), ("month", 30.4), ("year", 365.25))]
    full = [by for by, n in counts if 2 <= n <= 60 and len(dates) / n >= TREND_MIN_ARTICLES]
    if full:
        return full[0]
    # Too few articles for full periods: the coarsest period that still shows a change.
    several = [by for by, n in counts if 2 <= n <= 60]
    return several[-1] if several else "year"


def trend_period(corpus: CorpusLike, by: str | None = None) -> str:
    """The period trends of ``corpus`` are shown by: ``by``, or the one chosen from its dates."""
    if by is not None:
        return by
    tc = corpus if isinstance(corpus, TaggedCorpus) else None
    if tc is None or not tc.has_dates:
        return "month"
    return _period(tc.articles["date"].dropna())


def _trends(model: Model, tc: TaggedCorpus, by: str | None, values: np.ndarray, columns) -> pd.DataFrame:
    from .trends import PERIODS, period_of

    if by is not None and by not in PERIODS:
        raise ValueError(f"by must be one of {', '.join(PERIODS)}, got {by!r}")
    if not tc.has_dates:
        return pd.DataFrame(columns=[*columns, "articles"], index=pd.Index([], name="period"))
    dated = tc.articles["date"].notna().to_numpy()
    dates = tc.articles["date"][dated]
    by = by or _period(dates)
    periods = [period_of(d.date(), by) for d in dates]
    df = pd.DataFrame(values[dated], columns=columns)
    df["period"] = periods
    grouped = df.groupby("period", sort=True)
    out = grouped.mean()
    out["articles"] = grouped.size()
    out.columns.name = None
    return out


def topic_trends(model: ModelLike, corpus: CorpusLike, by: str | None = None) -> pd.DataFrame:
    """Each topic's share of the articles of each period, for dated corpora.

    Periods and dates are those of ``topics trends`` (:mod:`topics.trends`).

    Parameters
    ----------
    model : Model, str or path
    corpus : path, Corpus, iterable of Article or TaggedCorpus
    by : {"day", "week", "month", "year"}, optional
        The period; when None, the finest one with at most ~60 periods over the corpus's
        date span and at least 20 articles in an average period (:func:`trend_period`).

    Returns
    -------
    pandas.DataFrame
        Periods (labels such as ``2021-09`` or ``2021-W37``, in time order; periods
        without articles left out) × topic ids: the mean topic weight of the
        period's articles, plus an ``articles`` column. Empty when fewer than two
        articles have a date.
    """
    model = _model(model)
    tc = _tagged(model, corpus)
    return _trends(model, tc, by, tc.theta, list(range(model.lda.n_topics_)))


def theme_trends(model: ModelLike, corpus: CorpusLike, by: str | None = None) -> pd.DataFrame:
    """Each theme's share of the articles of each period (tagged articles / articles).

    Same periods and shape as :func:`topic_trends`, with theme columns.
    """
    model = _model(model)
    tc = _tagged(model, corpus)
    tagged = np.array([[t in themes for t in model.themes] for themes in tc.articles["themes"]], dtype=float)
    return _trends(model, tc, by, tagged.reshape(len(tc), len(model.themes)), list(model.themes))


def k_sweep(model: ModelLike) -> pd.DataFrame | None:
    """The number-of-topics sweep recorded at training, if any.

    Returns
    -------
    pandas.DataFrame or None
        One row per K tried (index ``k``) with its scores (coherence, perplexity...);
        ``chosen`` marks the model's K. None when the model has no sweep.
    """
    model = _model(model)
    meta = model.manifest.get("meta", {}) if model.manifest else {}
    sweep = (meta.get("topics") or {}).get("sweep") or meta.get("sweep") or meta.get("k_sweep")
    if isinstance(sweep, dict):
        sweep = sweep.get("rows")
    if not sweep or not isinstance(sweep, list) or not all(isinstance(r, dict) for r in sweep):
        return None
    df = pd.DataFrame(sweep)
    key = next((c for c in ("k", "K", "n_topics", "topics") if c in df.columns), None)
    if key is None:
        return None
    df = df.rename(columns={key: "k"}).set_index("k").sort_index()
    if "chosen" not in df:
        df["chosen"] = df.index == model.lda.n_topics_
    df["chosen"] = df["chosen"].fillna(False).astype(bool)
    return df


def _sweep_reason(model: Model) -> str:
    sweep = ((model.manifest.get("meta") or {}).get("topics") or {}).get("sweep")
    return str(sweep.get("reason") or "") if isinstance(sweep, dict) else ""


def evaluate(model: ModelLike, corpus: CorpusLike) -> pd.DataFrame:
    """Per-theme precision, recall and F1 of the tagger on a labelled corpus.

    Articles without labels are left out. A theme counts as predicted when the
    tagger tags it (its score passes its threshold).

    Returns
    -------
    pandas.DataFrame
        Indexed by theme (the model's themes, then labels the model does not know):
        ``precision``, ``recall``, ``f1``, ``support`` (labelled articles),
        ``predicted`` (tagged articles). Empty when no article has labels.
    """
    model = _model(model)
    tc = _tagged(model, corpus)
    a = tc.articles[tc.articles["labels"].notna()]
    cols = ["precision", "recall", "f1", "support", "predicted"]
    if a.empty:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="theme"))
    names = list(model.themes) + sorted({t for ls in a["labels"] for t in ls} - set(model.themes))
    rows = []
    for t in names:
        gold = a["labels"].map(lambda ls, t=t: t in ls).to_numpy()
        pred = a["themes"].map(lambda ts, t=t: t in ts).to_numpy()
        tp = int((gold & pred).sum())
        p = tp / pred.sum() if pred.sum() else 0.0
        r = tp / gold.sum() if gold.sum() else 0.0
        rows.append([p, r, 2 * p * r / (p + r) if p + r else 0.0, int(gold.sum()), int(pred.sum())])
    df = pd.DataFrame(rows, columns=cols, index=pd.Index(names, name="theme"))
    return df[(df["support"] > 0) | (df["predicted"] > 0)]


# -- figures ----------------------------------------------------------------------------------
def _figure(width: float, height: float) -> Figure:
    """A figure drawn by Agg, outside pyplot: no display needed, nothing to close, shown once by Jupyter."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _figure_class()(figsize=(width, height), layout="constrained", dpi=100)
    FigureCanvasAgg(fig)
    fig.patch.set_facecolor("white")
    return fig


_FIGURE_CLASS = None


def _figure_class():
    """matplotlib's Figure, plus a PNG repr so Jupyter shows it without pyplot or ``%matplotlib``."""
    global _FIGURE_CLASS
    if _FIGURE_CLASS is None:
        from matplotlib.figure import Figure

        class InspectFigure(Figure):
            def _repr_png_(self) -> bytes:
                return figure_png(self)

        _FIGURE_CLASS = InspectFigure
    return _FIGURE_CLASS


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes."""
    from io import BytesIO

    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def plot_topic_words(model: ModelLike, topn: int = 10, topics: Iterable[int] | None = None, ncols: int | None = None) -> Figure:
    """Top words of each topic as horizontal bar charts, one panel per topic.

    Parameters
    ----------
    model : Model, str or path
    topn : int
        Words per topic.
    topics : iterable of int, optional
        Topic ids to show (default: all, in id order).
    ncols : int, optional
        Panels per row (default: up to 5).
    """
    from matplotlib.ticker import MaxNLocator

    model = _model(model)
    ids = list(range(model.lda.n_topics_) if topics is None else topics)
    ncols = ncols or min(5, max(1, len(ids)))
    nrows = math.ceil(len(ids) / ncols)
    # Panels show the words, so a title needs only the topic's theme (if any) and size.
    themes = _topic_themes(model)
    fig = _figure(3.3 * ncols, 0.25 * topn * nrows + 0.75 * nrows + 0.6)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax, k in zip(axes.flat, ids):
        pairs = model.topic_words(k, topn)
        words = [_clip(w, 32) for w, _ in pairs][::-1]  # a word is never dropped, at most cut
        ax.barh(range(len(words)), [p for _, p in pairs][::-1], color=_BAR)
        ax.set_yticks(range(len(words)), words, fontsize=8.5)
        ax.set_xlim(0, max(p for _, p in pairs) * 1.08)  # each panel its own scale: flat topics stay legible
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3))  # few, readable probability ticks
        ax.tick_params(axis="x", labelsize=7)
        theme = f" {themes[k]}" if themes and themes[k] else ""
        ax.set_title(f"#{model.lda.topic_ids()[k]}{theme} · {model.lda.topic_sizes_[k]:.1%}", fontsize=9.5, loc="left")
        ax.set_xlabel("P(word | topic)", fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes.flat[len(ids):]:
        ax.set_visible(False)
    fig.suptitle(f"Top {topn} words per topic ({_model_name(model)})", fontsize=12, fontweight="bold")
    return fig


def _model_name(model: Model) -> str:
    name, version = model.manifest.get("name"), model.manifest.get("version")
    return f"{name}@{version}" if name else "unsaved model"


def plot_topic_sizes(model: ModelLike, words: int = 4) -> Figure:
    """Topic sizes (share of the training tokens), largest at the top, each labelled by its first words."""
    model = _model(model)
    sizes = model.lda.topic_sizes_
    order = np.argsort(sizes)  # barh draws bottom-up: largest on top
    labels = _topic_labels(model)
    if labels:  # labels already hold a topic's first words
        names = [_label(model, int(k), labels, 48) for k in order]
    else:
        names = [_clip(f"#{model.lda.topic_ids()[k]} " + ", ".join(w for w, _ in model.topic_words(int(k), words)), 52)
                 for k in order]
    fig = _figure(9, 0.3 * len(order) + 1.3)
    ax = fig.subplots()
    bars = ax.barh(range(len(order)), sizes[order] * 100, color=_BAR)
    ax.bar_label(bars, [f"{s:.1%}" for s in sizes[order]], padding=3, fontsize=8)
    ax.set_yticks(range(len(order)), names, fontsize=8.5)
    ax.set_xlim(0, sizes.max() * 100 * 1.15)
    ax.set_xlabel("share of the training corpus's tokens (%)")
    ax.set_ylabel("topic")
    ax.set_title(f"Topic sizes ({_model_name(model)}, K={len(sizes)})", fontweight="bold")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def plot_document_topics(model: ModelLike, corpus: CorpusLike, sample: int = 30, random_state: int = 0) -> Figure:
    """Heat map of the topic mix of a sample of articles (rows) over all topics (columns).

    Parameters
    ----------
    sample : int
        Articles shown, drawn at random (reproducibly) and ordered by main topic.
    """
    model = _model(model)
    tc = _tagged(model, corpus)
    n, k = tc.theta.shape
    rng = np.random.default_rng(random_state)
    rows = np.sort(rng.choice(n, size=min(sample, n), replace=False)) if n else np.array([], int)
    rows = rows[np.lexsort((-tc.theta[rows].max(axis=1), tc.theta[rows].argmax(axis=1)))] if len(rows) else rows
    titles = tc.articles["title"].to_numpy()
    names = [_clip(str(tc.articles.index[i]) + (f"  {titles[i]}" if titles[i] else ""), 42) for i in rows]
    fig = _figure(max(7.0, 2.9 + 0.36 * k), 0.24 * len(rows) + 1.8)
    ax = fig.subplots()
    im = ax.imshow(tc.theta[rows] if len(rows) else np.zeros((1, k)), aspect="auto", cmap="Blues", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks(range(k), [f"#{j}" for j in model.lda.topic_ids()], fontsize=8, rotation=90 if k > 20 else 0)
    ax.set_yticks(range(len(rows)), names, fontsize=7.5)
    ax.set_xlabel("topic")
    ax.set_ylabel("article")
    ax.set_title(f"Topic mix of {len(rows)} of {n:,} articles", fontweight="bold")
    fig.colorbar(im, ax=ax, label="topic weight", shrink=0.8)
    return fig


def plot_scores(result: TagResult) -> Figure:
    """One article's theme scores as bars, with each theme's threshold; tagged themes highlighted."""
    df = explain(result)[::-1]
    fig = _figure(7.5, 0.32 * len(df) + 1.4)
    ax = fig.subplots()
    y = np.arange(len(df))
    ax.barh(y, df["score"], color=[_ACCENT if t else "#b8c4d6" for t in df["tagged"]])
    ax.scatter(df["threshold"], y, marker="|", s=220, color="#222", label="threshold", zorder=3)
    ax.set_yticks(y, df.index, fontsize=9)
    ax.set_xlim(0, 1.02)
    ax.set_xlabel("score")
    ax.set_ylabel("theme")
    ax.set_title(_clip(f"Theme scores of {result.title or result.id}", 70), fontweight="bold")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=_ACCENT, label="tagged"), Patch(color="#b8c4d6", label="not tagged"),
                       *ax.get_legend_handles_labels()[0]], fontsize=8, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def plot_theme_counts(model: ModelLike, corpus: CorpusLike, max_themes: int = 30) -> Figure:
    """Articles tagged with each theme (and, for labelled corpora, labelled with it).

    With more than ``max_themes`` themes, only the most frequent are shown.
    """
    model = _model(model)
    df = theme_counts(model, corpus)
    n_themes = len(df)
    if n_themes > max_themes:  # the most frequent ones
        df = df.loc[df[[c for c in ("articles", "labelled") if c in df]].max(axis=1).sort_values(ascending=False, kind="stable").index[:max_themes]]
    df = df[::-1]
    fig = _figure(8, 0.34 * len(df) + 1.3)
    ax = fig.subplots()
    y = np.arange(len(df))
    if "labelled" in df:
        ax.barh(y + 0.2, df["articles"], height=0.4, color=_BAR, label="tagged")
        ax.barh(y - 0.2, df["labelled"], height=0.4, color=_ACCENT, label="labelled")
        ax.legend(loc="lower right", fontsize=8)
    else:
        bars = ax.barh(y, df["articles"], color=_BAR)
        ax.bar_label(bars, padding=3, fontsize=8)
    ax.set_yticks(y, df.index, fontsize=9)
    ax.set_xlabel("articles")
    ax.set_ylabel("theme")
    n = len(_tagged(model, corpus))
    shown = f" ({len(df)} most frequent of {n_themes})" if len(df) < n_themes else ""
    ax.set_title(f"Themes tagged in {n:,} articles{shown}", fontweight="bold")
    ax.margins(y=0.01)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def plot_topic_trends(model: ModelLike, corpus: CorpusLike, by: str | None = None, top: int = 6) -> Figure | None:
    """The ``top`` most variable topics' share of each period's articles; None for undated corpora."""
    model = _model(model)
    trends = topic_trends(model, corpus, by)
    if len(trends) < 2:
        return None
    labels = _topic_labels(model)
    names = {k: f"{_label(model, int(k), labels, 36)}" if labels else
             f"#{model.lda.topic_ids()[int(k)]} " + ", ".join(w for w, _ in model.topic_words(int(k), 3))
             for k in trends.columns[:-1]}
    return _plot_trends(trends, names, top, "mean topic weight of the period's articles (%)",
                        f"Topic trends ({len(trends)} periods, {int(trends['articles'].sum()):,} dated articles)")


def plot_theme_trends(model: ModelLike, corpus: CorpusLike, by: str | None = None, top: int = 6) -> Figure | None:
    """The ``top`` most variable themes' share of each period's articles; None for undated corpora."""
    model = _model(model)
    trends = theme_trends(model, corpus, by)
    if len(trends) < 2:
        return None
    return _plot_trends(trends, {t: t for t in trends.columns[:-1]}, top, "articles tagged (%)",
                        f"Theme trends ({len(trends)} periods, {int(trends['articles'].sum()):,} dated articles)")


def _plot_trends(trends: pd.DataFrame, names: dict, top: int, ylabel: str, title: str) -> Figure:
    shares = trends.drop(columns="articles")
    chosen = shares.std().sort_values(ascending=False).index[:top]
    fig = _figure(10.5, 4.8)
    ax = fig.subplots()
    x = np.arange(len(shares))
    for c in chosen:
        ax.plot(x, shares[c] * 100, marker="o", markersize=3, label=names[c])
    step = max(1, math.ceil(len(x) / 16))  # at most ~16 period labels
    ax.set_xticks(x[::step], list(shares.index[::step]), rotation=45, ha="right", fontsize=8)
    ax.set_xlabel("period")
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.set_title(title, fontweight="bold")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.grid(alpha=0.3)
    return fig


def plot_k_sweep(model: ModelLike) -> Figure | None:
    """Scores of the K sweep recorded at training (one panel per score); None without a sweep."""
    model = _model(model)
    sweep = k_sweep(model)
    if sweep is None:
        return None
    metrics = [c for c in sweep.columns if c not in ("chosen", "seconds")
               and pd.api.types.is_numeric_dtype(sweep[c]) and sweep[c].notna().any()]
    metrics.sort(key=lambda c: c != "npmi")  # the figure K is chosen by comes first
    if not metrics:
        return None
    fig = _figure(4.2 * len(metrics), 3.6)
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    for ax, m in zip(axes, metrics):
        ax.plot(sweep.index, sweep[m], marker="o", color=_BAR)
        if sweep["chosen"].any():
            k = sweep.index[sweep["chosen"]][0]
            ax.axvline(k, color=_ACCENT, linestyle="--", label=f"chosen K={k}")
            ax.legend(fontsize=8)
        ax.set_xlabel("number of topics K")
        name = {"npmi": "coherence (NPMI)", "diversity": "topic diversity"}.get(m, m.replace("_", " "))
        ax.set_ylabel(name)
        ax.set_title(name, fontsize=10)
        ax.grid(alpha=0.3)
    fig.suptitle("Number-of-topics sweep", fontweight="bold")
    return fig


def plot_evaluation(evaluation: pd.DataFrame, max_themes: int = 30) -> Figure:
    """Per-theme precision, recall and F1 (from :func:`evaluate`) as grouped bars.

    With more than ``max_themes`` themes, only those with the most labelled articles are shown.
    """
    df = evaluation
    if len(df) > max_themes:
        df = df.loc[df["support"].sort_values(ascending=False, kind="stable").index[:max_themes]]
    df = df[::-1]
    fig = _figure(8, 0.5 * len(df) + 1.4)
    ax = fig.subplots()
    y = np.arange(len(df))
    for i, (col, color) in enumerate((("precision", _BAR), ("recall", _ACCENT), ("f1", "#55a868"))):
        ax.barh(y + (1 - i) * 0.27, df[col], height=0.27, color=color, label=col)
    ax.set_yticks(y, [f"{t} ({int(s)})" for t, s in zip(df.index, df["support"])], fontsize=9)
    ax.set_xlim(0, 1.0)
    ax.set_xlabel("score")
    ax.set_ylabel("theme (labelled articles)")
    shown = f"\n({len(df)} of {len(evaluation)} themes: those with the most labelled articles)" if len(df) < len(evaluation) else ""
    ax.set_title(f"Per-theme precision, recall and F1{shown}", fontweight="bold")
    ax.margins(y=0.01)
    ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(1.01, 0), frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return fig


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` via a temporary file and a rename: complete or not at all."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


# -- interactive inter-topic map --------------------------------------------------------------
@dataclass
class TopicMap:
    """An interactive inter-topic distance map: self-contained HTML, no network fetches.

    Attributes
    ----------
    fragment : str
        A ``<div>`` with its styles and scripts inline, to embed in a page.
    engine : {"pyldavis", "builtin"}
        pyLDAvis's map, which numbers topics from 1 (its topic ``k`` is topic ``#k-1``
        elsewhere; its JavaScript takes topic 0 for "no topic"), or the toolkit's own,
        which numbers them as everywhere else.
    """

    fragment: str = field(repr=False)
    engine: str = "builtin"

    def page(self, title: str = "Topic map") -> str:
        """A complete HTML page holding the map."""
        return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title></head>"
                f"<body style=\"margin:8px;background:#fff\">\n{self.fragment}\n</body></html>\n")

    def save(self, path: str | os.PathLike, title: str = "Topic map") -> Path:
        """Write :meth:`page` to ``path`` atomically and return the path."""
        return write_text_atomic(path, self.page(title))

    def _repr_html_(self) -> str:
        # An iframe keeps the map's scripts and styles away from the notebook's (and its require.js).
        height = 880 if self.engine == "pyldavis" else 560
        return (f'<iframe srcdoc="{html.escape(self.page(), quote=True)}" style="width:100%;height:{height}px;border:0" '
                f'title="topic map"></iframe>')


def topic_map(model: ModelLike, corpus: CorpusLike | None = None, engine: str = "auto", n_words: int = 30) -> TopicMap:
    """An interactive inter-topic distance map (pyLDAvis's, or an equivalent of our own).

    Topics are placed in 2-D by classical multidimensional scaling (PCoA) of
    their Jensen–Shannon distances, drawn as circles sized by prevalence;
    selecting one lists its top words.

    Parameters
    ----------
    model : Model, str or path
    corpus : optional
        Prevalence and term frequencies come from this corpus; from the training
        corpus's topic sizes when None.
    engine : {"auto", "pyldavis", "builtin"}
        "auto" uses pyLDAvis when it is installed, works and a corpus is given,
        otherwise the built-in map.
    n_words : int
        Words listed per topic.

    Returns
    -------
    TopicMap
        Shows itself in Jupyter; ``.save(path)`` writes a standalone page.
    """
    if engine not in ("auto", "pyldavis", "builtin"):
        raise ValueError(f"engine must be 'auto', 'pyldavis' or 'builtin', got {engine!r}")
    model = _model(model)
    tc = _tagged(model, corpus) if corpus is not None else None
    if engine == "pyldavis" or (engine == "auto" and tc is not None and len(tc)):
        if tc is None:
            raise ValueError("the pyLDAvis map needs a corpus")
        try:
            return TopicMap(_pyldavis_fragment(model, tc, n_words), "pyldavis")
        except Exception:  # not installed, or incompatible with this pandas/numpy
            if engine == "pyldavis":
                raise
    return TopicMap(_builtin_fragment(model, tc, n_words), "builtin")


def _pyldavis_fragment(model: Model, tc: TaggedCorpus, n_words: int) -> str:
    import warnings

    import pyLDAvis
    from pyLDAvis import urls

    phi = model.lda.topic_word_distributions()[0]
    keep = tc.term_counts > 0  # pyLDAvis divides by term frequencies
    phi = phi[:, keep]
    phi = phi / phi.sum(axis=1, keepdims=True)
    vocab = [model.display(model.lda.dictionary_[i]) for i in np.flatnonzero(keep)]
    lengths = tc.articles["n_tokens"].to_numpy()
    docs = lengths > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = pyLDAvis.prepare(phi, tc.theta[docs], lengths[docs], vocab, tc.term_counts[keep], R=n_words,
                                mds="pcoa", sort_topics=False, n_jobs=1)
    vis_id = f"ldavis_{secrets.token_hex(6)}"
    d3 = Path(urls.D3_LOCAL).read_text(encoding="utf-8")
    ldavis = Path(urls.LDAVIS_LOCAL).read_text(encoding="utf-8")
    css = Path(urls.LDAVIS_CSS_LOCAL).read_text(encoding="utf-8")
    # d3 is UMD: call it with a private `this` and no define/module/exports, so it neither
    # registers with a page's require.js nor replaces a page's own d3.
    return (f"<style>{css}</style>\n<div id=\"{vis_id}\" style=\"background-color:white;\"></div>\n"
            f"<script>(function(){{\nvar __root = {{}};\n(function(define, module, exports){{\n{_script_safe(d3)}\n}}).call(__root);\n"
            f"var d3 = __root.d3;\n{_script_safe(ldavis)}\nnew LDAvis(\"#{vis_id}\", {_script_safe(data.to_json())});\n}})();</script>")


def _script_safe(text: str) -> str:
    """Text safe inside an inline <script> (no closing tag can end it early)."""
    return text.replace("</", "<\\/")


def _js_distances(phi: np.ndarray) -> np.ndarray:
    """Jensen–Shannon distances (base 2, in [0, 1]) between the rows of ``phi``."""
    eps = 1e-12
    p = phi[:, None, :]
    q = phi[None, :, :]
    m = (p + q) / 2

    def kl(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.where(a > 0, a * (np.log2(a + eps) - np.log2(b + eps)), 0.0).sum(axis=-1)

    return np.sqrt(np.clip((kl(p, m) + kl(q, m)) / 2, 0, None))


def _pcoa(dist: np.ndarray) -> np.ndarray:
    """Classical MDS (principal coordinates) of a distance matrix into 2-D."""
    n = len(dist)
    if n < 3:
        return np.column_stack([np.arange(n, dtype=float), np.zeros(n)])
    j = np.eye(n) - 1.0 / n
    b = -0.5 * j @ (dist**2) @ j
    vals, vecs = np.linalg.eigh(b)
    top = np.argsort(vals)[::-1][:2]
    coords = vecs[:, top] * np.sqrt(np.clip(vals[top], 0, None))
    # Fix the signs (eigenvectors are defined up to sign) so the map is reproducible.
    coords *= np.where(coords[np.abs(coords).argmax(axis=0), range(2)] < 0, -1, 1)
    return coords


def _builtin_fragment(model: Model, tc: TaggedCorpus | None, n_words: int) -> str:
    lda = model.lda
    phi = lda.topic_word_distributions()[0]
    k = len(phi)
    if tc is not None and len(tc):
        w = tc.articles["n_tokens"].to_numpy(float)
        prevalence = (tc.theta * w[:, None]).sum(axis=0)
        prevalence = prevalence / prevalence.sum() if prevalence.sum() else np.full(k, 1 / k)
        source = f"{len(tc):,} articles"
    else:
        prevalence = np.asarray(lda.topic_sizes_, dtype=float)
        source = "the training corpus"
    coords = _pcoa(_js_distances(phi))
    overall = prevalence @ phi  # the corpus's estimated word distribution
    size = 460.0
    radius = np.sqrt(prevalence / prevalence.max()) * size * 0.08 + 4
    pad = radius.max() + 8  # keep every circle inside the frame
    span = np.ptp(coords, axis=0).max() or 1.0
    xy = (coords - coords.min(axis=0) - np.ptp(coords, axis=0) / 2) / span * (size - 2 * pad) + size / 2
    xy[:, 1] = size - xy[:, 1]  # SVG's y grows downwards
    labels = _topic_labels(model)
    topics = []
    for j in range(k):
        top = [t for t in np.argsort(phi[j])[::-1][: n_words + 20]
               if not model.preprocessor.is_display_junk(lda.dictionary_[int(t)])][:n_words]
        topics.append({"id": j, "label": _label(model, j, labels, 40), "share": round(float(prevalence[j]), 4),
                       "words": [[model.display(lda.dictionary_[int(t)]), round(float(phi[j, t]), 5), round(float(overall[t]), 5)] for t in top]})
    vis_id = f"tmap_{secrets.token_hex(6)}"
    circles = "\n".join(
        f'<g class="t" data-k="{j}" tabindex="0"><title>{html.escape(topics[j]["label"])}: {prevalence[j]:.1%} of tokens</title>'
        f'<circle cx="{xy[j, 0]:.1f}" cy="{xy[j, 1]:.1f}" r="{radius[j]:.1f}"/>'
        f'<text x="{xy[j, 0]:.1f}" y="{xy[j, 1] + 4:.1f}">{j}</text></g>'
        for j in np.argsort(-prevalence)  # small circles drawn last, on top
    )
    first = int(np.argmax(prevalence))
    return f"""<div id="{vis_id}" class="tmap">
<style>
#{vis_id} {{font: 13px/1.35 system-ui, sans-serif; color: #222; display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start}}
#{vis_id} svg {{background: #fff; border: 1px solid #ddd}}
#{vis_id} .t circle {{fill: {_BAR}; fill-opacity: .35; stroke: {_BAR}; stroke-width: 1; cursor: pointer}}
#{vis_id} .t text {{font-size: 11px; text-anchor: middle; pointer-events: none; fill: #123}}
#{vis_id} .t.on circle {{fill: #c44e52; fill-opacity: .6; stroke: #c44e52}}
#{vis_id} .t:hover circle {{fill-opacity: .6}}
#{vis_id} .axis {{stroke: #bbb; stroke-dasharray: 3 3}}
#{vis_id} .cap {{font-size: 11px; fill: #666}}
#{vis_id} button {{font: inherit; margin-right: 4px}}
</style>
<div>
<div><b>Inter-topic distance map</b> (PCoA of Jensen–Shannon distances; circle area = share of {html.escape(source)})</div>
<svg class="map" width="{size:.0f}" height="{size:.0f}" viewBox="0 0 {size:.0f} {size:.0f}" role="img" aria-label="inter-topic distance map">
<line class="axis" x1="0" y1="{size / 2:.0f}" x2="{size:.0f}" y2="{size / 2:.0f}"/><line class="axis" x1="{size / 2:.0f}" y1="0" x2="{size / 2:.0f}" y2="{size:.0f}"/>
<text class="cap" x="{size - 6:.0f}" y="{size / 2 - 6:.0f}" text-anchor="end">PC1</text><text class="cap" x="{size / 2 + 6:.0f}" y="14">PC2</text>
{circles}
</svg>
<div><button data-step="-1">◀ previous</button><button data-step="1">next ▶</button> click a circle to select a topic</div>
</div>
<div><div class="head"></div><svg class="words" width="440" height="{n_words * 15 + 46}" viewBox="0 0 440 {n_words * 15 + 46}"></svg></div>
<script>(function(){{
var topics = {_script_safe(json.dumps(topics))};
var root = document.getElementById("{vis_id}"), NS = "http://www.w3.org/2000/svg", current = {first};
function el(name, attrs, text) {{
  var e = document.createElementNS(NS, name);
  for (var a in attrs) e.setAttribute(a, attrs[a]);
  if (text !== undefined) e.textContent = text;
  return e;
}}
function select(k) {{
  current = (k + topics.length) % topics.length;
  var t = topics[current];
  root.querySelectorAll(".t").forEach(function(g) {{ g.classList.toggle("on", +g.dataset.k === current); }});
  root.querySelector(".head").innerHTML = "";
  var b = document.createElement("b");
  b.textContent = "Topic " + t.label + ": " + (100 * t.share).toFixed(1) + "% of tokens, top " + t.words.length + " words";
  root.querySelector(".head").appendChild(b);
  var svg = root.querySelector("svg.words"), x0 = 130, w = 290;
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  var max = Math.max.apply(null, t.words.map(function(r) {{ return Math.max(r[1], r[2]); }}));
  t.words.forEach(function(r, i) {{
    var y = 8 + i * 15;
    svg.appendChild(el("text", {{x: x0 - 6, y: y + 10, "text-anchor": "end", "font-size": 12}}, r[0]));
    svg.appendChild(el("rect", {{x: x0, y: y, width: w * r[2] / max, height: 12, fill: "#ccc"}}));
    svg.appendChild(el("rect", {{x: x0, y: y + 2, width: w * r[1] / max, height: 8, fill: "#c44e52"}}));
    var tip = el("title", {{}}, r[0] + ": P(word | topic) " + r[1].toFixed(4) + ", overall " + r[2].toFixed(4));
    svg.lastChild.appendChild(tip);
  }});
  var y = 8 + t.words.length * 15 + 18;
  svg.appendChild(el("rect", {{x: x0, y: y - 9, width: 12, height: 8, fill: "#c44e52"}}));
  svg.appendChild(el("text", {{x: x0 + 16, y: y, "font-size": 11}}, "P(word | topic)"));
  svg.appendChild(el("rect", {{x: x0 + 130, y: y - 10, width: 12, height: 12, fill: "#ccc"}}));
  svg.appendChild(el("text", {{x: x0 + 146, y: y, "font-size": 11}}, "P(word) in the corpus"));
}}
root.querySelectorAll(".t").forEach(function(g) {{
  g.addEventListener("click", function() {{ select(+g.dataset.k); }});
  g.addEventListener("keydown", function(e) {{ if (e.key === "Enter") select(+g.dataset.k); }});
}});
root.querySelectorAll("button").forEach(function(b) {{
  b.addEventListener("click", function() {{ select(current + +b.dataset.step); }});
}});
select(current);
}})();</script>
</div>"""

"""Figures of a model's topics and themes: matplotlib figures drawn by Agg, outside pyplot.

A figure needs no display, shows once in Jupyter (it has a PNG repr) and is freed like any
object; nothing here touches matplotlib's global backend.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .tables import explain, k_sweep, theme_counts, theme_trends, topic_trends
from .tagged import CorpusLike, ModelLike, _clip, _label, _model, _model_name, _tagged, _topic_labels, _topic_themes

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..tagger import TagResult

__all__ = [
    "figure_png",
    "plot_topic_words",
    "plot_topic_sizes",
    "plot_document_topics",
    "plot_scores",
    "plot_theme_counts",
    "plot_topic_trends",
    "plot_theme_trends",
    "plot_sweep",
    "plot_k_sweep",
    "plot_evaluation",
]

_BAR = "#4c72b0"
_ACCENT = "#dd8452"


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


def plot_topic_words(
    model: ModelLike, topn: int = 10, topics: Iterable[int] | None = None, ncols: int | None = None
) -> Figure:
    """Top words of each topic as horizontal bar charts, one panel per topic: the words in the
    model's order (LDA: most distinctive of the topic's articles first), each bar its
    P(word | topic).

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
    # LDA's ranking (bundles saved before it rank by probability); the mixture has none
    order = ", most distinctive first" if getattr(model.lda, "rank_words", None) == "distinctive" else ""
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
    for ax in axes.flat[len(ids) :]:
        ax.set_visible(False)
    fig.suptitle(f"Top {topn} words per topic{order} ({_model_name(model)})", fontsize=12, fontweight="bold")
    return fig


def plot_topic_sizes(model: ModelLike, words: int = 4) -> Figure:
    """Topic sizes (share of the training tokens), largest at the top, each labelled by its first words."""
    model = _model(model)
    sizes = model.lda.topic_sizes_
    order = np.argsort(sizes)  # barh draws bottom-up: largest on top
    labels = _topic_labels(model)
    if labels:  # labels already hold a topic's first words
        names = [_label(model, int(k), labels, 48) for k in order]
    else:
        names = [
            _clip(f"#{model.lda.topic_ids()[k]} " + ", ".join(w for w, _ in model.topic_words(int(k), words)), 52)
            for k in order
        ]
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
    im = ax.imshow(
        tc.theta[rows] if len(rows) else np.zeros((1, k)),
        aspect="auto",
        cmap="Blues",
        vmin=0,
        vmax=1,
        interpolation="nearest",
    )
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

    ax.legend(
        handles=[
            Patch(color=_ACCENT, label="tagged"),
            Patch(color="#b8c4d6", label="not tagged"),
            *ax.get_legend_handles_labels()[0],
        ],
        fontsize=8,
        loc="lower right",
    )
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
        df = df.loc[
            df[[c for c in ("articles", "labelled") if c in df]]
            .max(axis=1)
            .sort_values(ascending=False, kind="stable")
            .index[:max_themes]
        ]
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
    names = {
        k: f"{_label(model, int(k), labels, 36)}"
        if labels
        else f"#{model.lda.topic_ids()[int(k)]} " + ", ".join(w for w, _ in model.topic_words(int(k), 3))
        for k in trends.columns[:-1]
    }
    return _plot_trends(
        trends,
        names,
        top,
        "mean topic weight of the period's articles (%)",
        f"Topic trends ({len(trends)} periods, {int(trends['articles'].sum()):,} dated articles)",
    )


def plot_theme_trends(model: ModelLike, corpus: CorpusLike, by: str | None = None, top: int = 6) -> Figure | None:
    """The ``top`` most variable themes' share of each period's articles; None for undated corpora."""
    model = _model(model)
    trends = theme_trends(model, corpus, by)
    if len(trends) < 2:
        return None
    return _plot_trends(
        trends,
        {t: t for t in trends.columns[:-1]},
        top,
        "articles tagged (%)",
        f"Theme trends ({len(trends)} periods, {int(trends['articles'].sum()):,} dated articles)",
    )


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


def plot_sweep(sweep: pd.DataFrame | list[dict]) -> Figure | None:
    """The number-of-topics sweep: one panel per score against K, the chosen K marked.

    The one sweep figure: ``topics train --sweep-plot`` saves it, :func:`plot_k_sweep` and
    ``topics report`` draw it from a model's manifest.

    Parameters
    ----------
    sweep : DataFrame (as :func:`~topics.explore.k_sweep` returns) or list of dict
        One row per K: ``k``, its scores (``npmi``, ``diversity``...) and ``chosen``.

    Returns
    -------
    Figure or None
        None when there is no score to draw.
    """
    if not isinstance(sweep, pd.DataFrame):
        sweep = pd.DataFrame(sweep).set_index("k").sort_index()
    if "chosen" not in sweep:
        sweep = sweep.assign(chosen=False)
    metrics = [
        c
        for c in sweep.columns
        if c not in ("chosen", "seconds") and pd.api.types.is_numeric_dtype(sweep[c]) and sweep[c].notna().any()
    ]
    metrics.sort(key=lambda c: c != "npmi")  # the figure K is chosen by comes first
    if not metrics:
        return None
    fig = _figure(4.2 * len(metrics), 3.6)
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    for ax, m in zip(axes, metrics):
        ax.plot(sweep.index, sweep[m], marker="o", color=_BAR)
        if sweep["chosen"].any():
            k = sweep.index[sweep["chosen"].astype(bool)][0]
            ax.axvline(k, color=_ACCENT, linestyle="--", label=f"chosen K={k}")
            ax.legend(fontsize=8)
        if m == "diversity":
            from ..quality import MIN_DIVERSITY

            ax.axhline(MIN_DIVERSITY, color="#888", linewidth=0.8, linestyle=":", label="diversity guard")
        ax.set_xlabel("number of topics K")
        name = {"npmi": "coherence (NPMI)", "diversity": "topic diversity"}.get(m, m.replace("_", " "))
        ax.set_ylabel(name)
        ax.set_title(name, fontsize=10)
        ax.grid(alpha=0.3)
    fig.suptitle("Number-of-topics sweep", fontweight="bold")
    return fig


def plot_k_sweep(model: ModelLike) -> Figure | None:
    """Scores of the K sweep recorded at training (:func:`plot_sweep`); None without a sweep."""
    sweep = k_sweep(_model(model))
    return None if sweep is None else plot_sweep(sweep)


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
    shown = (
        f"\n({len(df)} of {len(evaluation)} themes: those with the most labelled articles)"
        if len(df) < len(evaluation)
        else ""
    )
    ax.set_title(f"Per-theme precision, recall and F1{shown}", fontweight="bold")
    ax.margins(y=0.01)
    ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(1.01, 0), frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return fig

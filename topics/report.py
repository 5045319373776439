"""One self-contained HTML page about a model: the tables and figures of :mod:`topics.explore`.

For readers without Jupyter (``topics report``). Figures are PNGs embedded as
base64 data URIs and the interactive map is inline, so the page opens offline
and can be mailed as one file.
"""

from __future__ import annotations

import base64
import html
import os
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from . import __version__
from . import explore as ti
from .corpus import Corpus
from .explore.tables import _sweep_reason
from .explore.tagged import _model, _model_name
from .model import Model

__all__ = ["build_report", "write_report"]

_CSS = """
body {font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; margin: 0 auto; max-width: 1320px; padding: 16px 24px 48px}
h1 {font-size: 24px; margin-bottom: 4px} h2 {font-size: 19px; margin-top: 36px; border-bottom: 1px solid #ddd; padding-bottom: 4px}
.sub {color: #666; margin-top: 0}
nav a {margin-right: 14px}
table {border-collapse: collapse; font-size: 13px; margin: 8px 0}
th, td {border-bottom: 1px solid #e4e4e4; padding: 4px 10px; text-align: left; vertical-align: top}
th {background: #f6f6f6} td.num {text-align: right; font-variant-numeric: tabular-nums}
dl.meta {display: grid; grid-template-columns: max-content auto; gap: 2px 16px} dl.meta dt {color: #666} dl.meta dd {margin: 0}
img {max-width: 100%; height: auto; display: block; margin: 8px 0}
.note {color: #666; font-style: italic}
"""


def _png(fig, alt: str) -> str:
    data = base64.b64encode(ti.figure_png(fig)).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}">'


def _table(df, floats: dict[str, str] | None = None, index_name: str | None = None) -> str:
    """A DataFrame as an HTML table (escaped; lists joined by commas)."""
    floats = floats or {}
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in [index_name or df.index.name or "", *df.columns])
    rows = []
    # itertuples, not iterrows: a row of ints and floats must not turn the counts into floats (79.0)
    for idx, *values in df.itertuples(name=None):
        cells = [f"<td>{html.escape(str(idx))}</td>"]
        for col, value in zip(df.columns, values):
            if isinstance(value, (list, tuple)):
                cells.append(f"<td>{html.escape(', '.join(map(str, value)))}</td>")
            elif col in floats and value == value:  # not NaN
                cells.append(f'<td class="num">{format(value, floats[col])}</td>')
            elif isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
                cells.append(f'<td class="num">{int(value):,}</td>')
            elif isinstance(value, (float, np.floating)):
                cells.append(f'<td class="num">{"" if value != value else f"{value:.4g}"}</td>')
            else:
                cells.append(f"<td>{html.escape('' if value is None else str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def build_report(
    model: Model | str | os.PathLike | None,
    corpus=None,
    evaluation=None,
    *,
    topn: int = 10,
    title: str | None = None,
    by: str | None = None,
    progress=None,
) -> str:
    """The report as one HTML page.

    Parameters
    ----------
    model : Model, str or path
    corpus : path, Corpus, iterable of Article or TaggedCorpus, optional
        Adds theme counts, a document–topic heat map, topic trends (dated
        articles) and, for labelled corpora, per-theme precision and recall.
    evaluation : pandas.DataFrame, optional
        Per-theme results from :func:`topics.explore.evaluate` (computed from a
        labelled ``corpus`` when not given).
    topn : int
        Words per topic.
    title : str, optional
    by : {"day", "week", "month", "year"}, optional
        The period of the trends; by default the finest one whose periods hold enough
        articles to compare (see :func:`topics.explore.topic_trends`).
    progress : topics.progress.Progress, optional
        Shows each step (tagging the corpus, figures, the topic map) as it runs.

    Returns
    -------
    str
    """
    from .progress import as_progress

    progress = as_progress(progress)
    model = _model(model)
    tc = None
    if corpus is not None:
        if isinstance(corpus, (str, os.PathLike)):
            corpus = Corpus(corpus)
        tc = (
            corpus
            if isinstance(corpus, ti.TaggedCorpus)
            else ti.tag_corpus(model, progress.counting(corpus, "Tagging the corpus"))
        )
    name = _model_name(model)
    title = title or f"Topics and themes of {name}"
    meta = model.manifest.get("meta", {})
    sections: list[tuple[str, str, str]] = []  # (anchor, heading, body)

    with progress.stage("Drawing the figures", 8 if tc is not None else 4, "figure") as figures:
        evaluation = _sections(model, tc, evaluation, sections, figures, topn, by)

    c = meta.get("corpus", {})
    facts = [
        ("model", name),
        ("trained", model.manifest.get("created", "")),
        ("training corpus", f"{c.get('description', '?')} ({c.get('documents', 0):,} articles)" if c else "?"),
        ("topics", model.lda.n_topics_),
        ("themes", ", ".join(model.themes)),
        ("classifier", meta.get("parameters", {}).get("classifier_mode", "")),
    ]
    if tc is not None:
        facts.append(("report corpus", f"{tc.description} ({len(tc):,} article{'' if len(tc) == 1 else 's'})"))
    dl = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>" for k, v in facts)
    nav = "".join(f'<a href="#{a}">{html.escape(h)}</a>' for a, h, _ in sections)
    body = "\n".join(f'<h2 id="{a}">{html.escape(h)}</h2>\n{b}' for a, h, b in sections)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{html.escape(title)}</title>\n'
        f"<style>{_CSS}</style>\n</head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
        f'<p class="sub">Written by topics {__version__} on {stamp}.</p>\n<dl class="meta">{dl}</dl>\n<nav>{nav}</nav>\n'
        f"{body}\n</body>\n</html>\n"
    )


def _sections(model, tc, evaluation, sections: list, figures, topn: int, by: str | None):
    """Append the report's sections (tables and figures), counting figures on ``figures``; the evaluation."""
    topics_df = ti.topic_table(model, topn=topn, corpus=tc)
    floats = {"size": ".1%", "corpus_share": ".1%", "coherence": ".3f"}
    sections.append(
        (
            "topics",
            f"Topics ({model.lda.n_topics_})",
            "<p>Every topic with its top words (the words that set its articles apart); <i>size</i> is its share of the training corpus's "
            "tokens"
            + (", <i>coherence</i> the NPMI of its top words (higher is better)" if "coherence" in topics_df else "")
            + (
                ", <i>articles</i> how many articles of the corpus have it as their main topic"
                if "articles" in topics_df
                else ""
            )
            + ".</p>"
            + _table(topics_df, floats, "topic"),
        )
    )
    figures.update()
    sections.append(
        ("words", "Top words per topic", _png(ti.plot_topic_words(model, topn=topn), "top words per topic"))
    )
    figures.update()
    sections.append(("sizes", "Topic sizes", _png(ti.plot_topic_sizes(model), "topic sizes")))
    figures.update()
    figures.detail = "topic map"
    tmap = ti.topic_map(model, tc)
    figures.detail = ""
    figures.update()
    note = (
        (
            " <b>pyLDAvis numbers topics from 1: its topic <i>k</i> is topic #<i>k</i>−1 in the rest of this "
            "report.</b> The slider λ ranks words by relevance (λ = 1: probability in the topic; lower: words "
            "distinctive to the topic)."
        )
        if tmap.engine == "pyldavis"
        else ""
    )
    sections.append(
        (
            "map",
            "Inter-topic map",
            "<p>Topics placed by the Jensen–Shannon distances between their word "
            "distributions (principal coordinates), circles sized by prevalence; select a topic to see its words."
            f"{note}</p>" + tmap.fragment,
        )
    )
    if (fig := ti.plot_k_sweep(model)) is not None:
        sweep = ti.k_sweep(model)
        reason = _sweep_reason(model)
        sections.append(
            (
                "sweep",
                "Number of topics",
                (f"<p>{html.escape(reason)}</p>" if reason else "")
                + _png(fig, "K sweep")
                + _table(sweep, {c: ".4g" for c in sweep.columns if c != "chosen"}, "K"),
            )
        )
    if tc is not None:
        counts = ti.theme_counts(model, tc)
        sections.append(
            (
                "themes",
                "Themes",
                _png(ti.plot_theme_counts(model, tc), "theme counts")
                + _table(counts, {"share": ".1%", "mean_score": ".3f"}),
            )
        )
        figures.update()
        sections.append(
            ("documents", "Documents and topics", _png(ti.plot_document_topics(model, tc), "document-topic heat map"))
        )
        figures.update()
        if (fig := ti.plot_topic_trends(model, tc, by=by)) is not None:
            trends = ti.topic_trends(model, tc, by=by)
            sections.append(
                (
                    "trends",
                    "Trends",
                    f"<p>The most variable topics and themes over the dated articles, per "
                    f"{html.escape(ti.trend_period(tc, by))} ({len(trends):,} periods, "
                    f"{int(trends['articles'].median()):,} articles in the median period).</p>"
                    + _png(fig, "topic trends")
                    + _png(ti.plot_theme_trends(model, tc, by=by), "theme trends"),
                )
            )
        figures.update(2)
        if evaluation is None and tc.has_labels:
            evaluation = ti.evaluate(model, tc)
    if evaluation is not None and len(evaluation):
        sections.append(
            (
                "evaluation",
                "Evaluation",
                "<p>Tags compared with the corpus labels.</p>"
                + _png(ti.plot_evaluation(evaluation), "per-theme precision and recall")
                + _table(evaluation, {"precision": ".3f", "recall": ".3f", "f1": ".3f"}),
            )
        )
    return evaluation


def write_report(
    path: str | os.PathLike, model: Model | str | os.PathLike | None, corpus=None, evaluation=None, **options
) -> Path:
    """Write :func:`build_report` to ``path`` atomically (complete or not at all) and return the path."""
    return ti.write_text_atomic(path, build_report(model, corpus, evaluation, **options))

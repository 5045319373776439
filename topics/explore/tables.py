"""Tables (pandas DataFrames) of a model's topics and themes, over a corpus where they need one."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..metrics import indicator_matrices, label_scores
from .tagged import CorpusLike, ModelLike, TaggedCorpus, _coherence, _model, _tagged, _theme_label

if TYPE_CHECKING:
    from ..model import Model
    from ..tagger import TagResult

__all__ = [
    "topic_table",
    "document_topics",
    "documents",
    "theme_counts",
    "explain",
    "trend_period",
    "topic_trends",
    "theme_trends",
    "k_sweep",
    "evaluate",
]


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
    df = pd.DataFrame(
        {"size": [t["size"] for t in topics], "words": [t["words"] for t in topics]},
        index=pd.Index([t["id"] for t in topics], name="topic"),
    )
    # Newer models describe topics further (a label, the theme a topic aligns with).
    extra = [key for key in ("label", "theme") if any(t.get(key) for t in topics)]
    for i, key in enumerate(extra):
        df.insert(i, key, [t.get(key) or "" for t in topics])
    tc = _tagged(model, corpus) if corpus is not None else None
    if (coherence := _coherence(model, tc)) is not None:
        df.insert(len(df.columns) - 1, "coherence", coherence)
    if tc is not None:
        main = (
            np.bincount(tc.theta.argmax(axis=1), minlength=model.lda.n_topics_) if len(tc) else np.zeros(len(df), int)
        )
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
    from ..tagger import tag_rule, threshold_note

    rule = tag_rule(_model(model)) if model is not None else None
    return pd.DataFrame(
        [
            {
                "theme": s.name,
                "score": s.score,
                "threshold": s.threshold,
                "tagged": s.tagged,
                "evidence": ", ".join(s.evidence),
                "note": threshold_note(s, rule),
            }
            for s in result.scores
        ],
        columns=["theme", "score", "threshold", "tagged", "evidence", "note"],
    ).set_index("theme")


def trend_period(corpus: CorpusLike, by: str | None = None) -> str:
    """The period trends of ``corpus`` are shown by: ``by``, or the one chosen from its dates
    (:func:`topics.trends.choose_period`)."""
    from ..trends import choose_period

    if by is not None:
        return by
    tc = corpus if isinstance(corpus, TaggedCorpus) else None
    if tc is None or not tc.has_dates:
        return "month"
    return choose_period(d.date() for d in tc.articles["date"].dropna())


def _trends(tc: TaggedCorpus, by: str | None, values: np.ndarray, columns: list) -> pd.DataFrame:
    """Per-period means of ``values`` (one row per article) by :func:`topics.trends.shares_by_period`,
    the computation behind ``topics trends``."""
    from ..trends import PERIODS, choose_period, shares_by_period

    if by is not None and by not in PERIODS:
        raise ValueError(f"by must be one of {', '.join(PERIODS)}, got {by!r}")
    if not tc.has_dates:
        return pd.DataFrame(columns=[*columns, "articles"], index=pd.Index([], name="period"))
    dated = np.flatnonzero(tc.articles["date"].notna().to_numpy())
    days = [d.date() for d in tc.articles["date"].iloc[dated]]
    by = by or choose_period(days)
    # The topic slot of shares_by_period averages any per-article values: topic mixes, or theme masks.
    no_themes = np.zeros(0)
    periods, n, shares, _ = shares_by_period(zip(days, values[dated], (no_themes for _ in days)), by, len(columns), 0)
    out = pd.DataFrame(shares, columns=columns, index=pd.Index(periods, name="period"))
    out["articles"] = n
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
    return _trends(tc, by, tc.theta, list(range(model.lda.n_topics_)))


def theme_trends(model: ModelLike, corpus: CorpusLike, by: str | None = None) -> pd.DataFrame:
    """Each theme's share of the articles of each period (tagged articles / articles).

    Same periods and shape as :func:`topic_trends`, with theme columns.
    """
    model = _model(model)
    tc = _tagged(model, corpus)
    tagged = np.array([[t in themes for t in model.themes] for themes in tc.articles["themes"]], dtype=float)
    return _trends(tc, by, tagged.reshape(len(tc), len(model.themes)), list(model.themes))


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
    tagger tags it (its score passes its threshold). Figures from
    :func:`topics.metrics.label_scores`, as ``topics evaluate``'s.

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
    themes = list(model.themes)
    Y, P, unknown = indicator_matrices(a["labels"], a["themes"], themes)
    s = label_scores(Y, P)
    df = pd.DataFrame(
        {"precision": s.precision, "recall": s.recall, "f1": s.f1, "support": s.support, "predicted": s.predicted},
        index=pd.Index(themes + list(unknown), name="theme"),
    )
    return df[(df["support"] > 0) | (df["predicted"] > 0)]

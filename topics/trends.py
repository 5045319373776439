"""Topics and themes over time: each one's share of a dated corpus per day, week or month.

A topic's share of a period is the mean of its weight in the period's articles; a
theme's share is the share of the period's articles tagged with it. Articles are
tagged by :class:`topics.tagger.Tagger`, so they get the same topics and themes as
with ``topics tag``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np

from .corpus import Article
from .model import Model
from .tagger import Tagger

__all__ = ["Trends", "topic_trends", "parse_date", "period_of", "PERIODS"]

PERIODS = ("day", "week", "month", "year")
_FORMATS = ("%d-%b-%Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%Y/%m/%d", "%d/%m/%Y")


def parse_date(text: str | None) -> date | None:
    """The date of an article's ``date`` field: ISO 8601 (``2021-09-18``, with or without a
    time), Reuters-21578's ``26-FEB-1987 15:01:01.79`` and a few common forms; None if unreadable."""
    if not text:
        return None
    text = text.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    head = text.split()[0] if text[:1].isdigit() and "-" in text.split()[0] else text
    for candidate in (head, text):
        for fmt in _FORMATS:
            try:
                return datetime.strptime(candidate.title() if "%b" in fmt or "%B" in fmt else candidate, fmt).date()
            except ValueError:
                continue
    return None


def period_of(day: date, by: str) -> str:
    """The period label of ``day``: ``2021-09-18``, ``2021-W37`` (ISO week), ``2021-09`` or ``2021``."""
    if by == "day":
        return day.isoformat()
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        return f"{day.year}-{day.month:02d}"
    if by == "year":
        return str(day.year)
    raise ValueError(f"by must be one of {', '.join(PERIODS)}, got {by!r}")


@dataclass
class Trends:
    """Shares of topics and themes per period.

    Attributes
    ----------
    by : str
        The period: "day", "week", "month" or "year".
    periods : list of str
        Period labels, in time order (periods without articles are left out).
    articles : ndarray of shape (n_periods,)
        Dated articles per period.
    topic_share : ndarray of shape (n_periods, n_topics)
        Mean topic weight of the period's articles (rows sum to 1).
    theme_share : ndarray of shape (n_periods, n_themes)
        Share of the period's articles tagged with each theme.
    topic_labels : list of str
    themes : list of str
    undated : int
        Articles without a readable date (left out).
    topic_ids : list of int, optional
        The stable id of each topic column (kept across retraining and updates, so trends of
        two model versions join on it); column positions when not given.
    """

    by: str
    periods: list[str]
    articles: np.ndarray
    topic_share: np.ndarray
    theme_share: np.ndarray
    topic_labels: list[str]
    themes: list[str]
    undated: int = 0
    topic_ids: list[int] | None = None
    _extra: dict = field(default_factory=dict, repr=False)

    def rows(self) -> list[dict]:
        """Long format: one ``{"period", "kind", "id", "label", "share", "articles"}`` per period
        and topic or theme (``kind`` is "topic" or "theme")."""
        out = []
        ids = self.topic_ids or list(range(len(self.topic_labels)))
        for p, period in enumerate(self.periods):
            for k, label in enumerate(self.topic_labels):
                out.append({"period": period, "kind": "topic", "id": str(ids[k]), "label": label,
                            "share": round(float(self.topic_share[p, k]), 4), "articles": int(self.articles[p])})
            for t, theme in enumerate(self.themes):
                out.append({"period": period, "kind": "theme", "id": theme, "label": theme,
                            "share": round(float(self.theme_share[p, t]), 4), "articles": int(self.articles[p])})
        return out

    def to_csv(self) -> str:
        """:meth:`rows` as CSV text with a header."""
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=["period", "kind", "id", "label", "share", "articles"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows())
        return buf.getvalue()

    def to_frame(self, kind: str = "topic"):
        """A pandas DataFrame (periods × topics or themes) for plotting in notebooks."""
        import pandas as pd  # optional: only for notebooks

        if kind == "topic":
            return pd.DataFrame(self.topic_share, index=self.periods, columns=self.topic_labels)
        return pd.DataFrame(self.theme_share, index=self.periods, columns=self.themes)


def topic_trends(model: Model, articles: Iterable[Article], by: str = "month", batch_size: int = 256) -> Trends:
    """Share of each topic and theme per ``by`` period of dated ``articles``.

    Articles without a readable ``date`` are counted in ``Trends.undated`` and left out.
    """
    if by not in PERIODS:
        raise ValueError(f"by must be one of {', '.join(PERIODS)}, got {by!r}")
    k = model.lda.n_topics_
    themes = list(model.themes)
    tagger = Tagger(model, top_topics=k, min_topic_weight=0.0, batch_size=batch_size)
    ids = model.lda.topic_ids()
    position = {i: k for k, i in enumerate(ids)}
    sums: dict[str, list] = {}  # period -> [articles, topic weights, theme counts]
    undated = 0
    dated = (a for a in articles)

    def keep_dated():
        nonlocal undated
        for a in dated:
            day = parse_date(a.date)
            if day is None:
                undated += 1
                continue
            yield a, period_of(day, by)

    pairs = keep_dated()
    while True:
        batch = [p for _, p in zip(range(batch_size), pairs)]
        if not batch:
            break
        for (article, period), result in zip(batch, tagger.tag([a for a, _ in batch])):
            acc = sums.setdefault(period, [0, np.zeros(k), np.zeros(len(themes))])
            acc[0] += 1
            for t in result.topics:
                acc[1][position[t["id"]]] += t["weight"]
            for s in result.themes:
                acc[2][themes.index(s.name)] += 1
    periods = sorted(sums)
    n = np.array([sums[p][0] for p in periods], dtype=int)
    topic = np.array([sums[p][1] for p in periods]).reshape(len(periods), k)
    theme = np.array([sums[p][2] for p in periods]).reshape(len(periods), len(themes))
    with np.errstate(invalid="ignore", divide="ignore"):
        topic = np.nan_to_num(topic / topic.sum(axis=1, keepdims=True))
        theme = np.nan_to_num(theme / n[:, None])
    labels = [t["label"] for t in model.topics(topn=3)]
    return Trends(by, periods, n, topic, theme, labels, themes, undated, ids)

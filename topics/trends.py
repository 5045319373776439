"""Topics and themes over time: each one's share of a dated corpus per day, week or month.

A topic's share of a period is the mean of its weight in the period's articles; a
theme's share is the share of the period's articles tagged with it. Articles are
tagged by :class:`topics.tagger.Tagger`, so they get the same topics and themes as
with ``topics tag``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from itertools import islice

import numpy as np

from .corpus import Article
from .model import Model
from .tagger import Tagger

__all__ = ["Trends", "topic_trends", "shares_by_period", "choose_period", "parse_date", "period_of", "PERIODS"]

PERIODS = ("day", "week", "month", "year")
_FORMATS = ("%d-%b-%Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%Y/%m/%d", "%d/%m/%Y")


def parse_date(text: str | None) -> date | None:
    """The date of an article's ``date`` field: ISO 8601 (``2021-09-18``, with or without a
    time), RSS's RFC 822 (``Mon, 06 May 2024 10:00:00 GMT``), Reuters-21578's
    ``26-FEB-1987 15:01:01.79`` and a few common forms; None if unreadable."""
    if not text:
        return None
    text = text.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:  # RFC 822, as RSS feeds and e-mail write it: "Mon, 06 May 2024 10:00:00 GMT"
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
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
                out.append(
                    {
                        "period": period,
                        "kind": "topic",
                        "id": str(ids[k]),
                        "label": label,
                        "share": round(float(self.topic_share[p, k]), 4),
                        "articles": int(self.articles[p]),
                    }
                )
            for t, theme in enumerate(self.themes):
                out.append(
                    {
                        "period": period,
                        "kind": "theme",
                        "id": theme,
                        "label": theme,
                        "share": round(float(self.theme_share[p, t]), 4),
                        "articles": int(self.articles[p]),
                    }
                )
        return out

    def to_csv(self) -> str:
        """:meth:`rows` as CSV text with a header."""
        buf = io.StringIO()
        writer = csv.DictWriter(
            buf, fieldnames=["period", "kind", "id", "label", "share", "articles"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(self.rows())
        return buf.getvalue()

    def to_frame(self, kind: str = "topic"):
        """A pandas DataFrame (periods × topics or themes) for plotting in notebooks."""
        import pandas as pd  # optional: only for notebooks

        if kind == "topic":
            return pd.DataFrame(self.topic_share, index=self.periods, columns=self.topic_labels)
        return pd.DataFrame(self.theme_share, index=self.periods, columns=self.themes)


TREND_MIN_ARTICLES = 20  # articles a period should hold on average for its shares to be compared


def choose_period(days: Iterable[date]) -> str:
    """The finest period (day, week, month or year) giving 2 to 60 points over the span of
    ``days`` with, on average, at least :data:`TREND_MIN_ARTICLES` articles in each (a share
    of 7 articles moves by 14 points with one article); with fewer articles, the coarsest
    period that still gives two points."""
    days = list(days)
    span = (max(days) - min(days)).days if days else 0
    counts = [(by, span / length + 1) for by, length in (("day", 1), ("week", 7), ("month", 30.4), ("year", 365.25))]
    full = [by for by, n in counts if 2 <= n <= 60 and len(days) / n >= TREND_MIN_ARTICLES]
    if full:
        return full[0]
    # Too few articles for full periods: the coarsest period that still shows a change.
    several = [by for by, n in counts if 2 <= n <= 60]
    return several[-1] if several else "year"


def shares_by_period(
    rows: Iterable[tuple[date, np.ndarray, np.ndarray]], by: str, n_topics: int, n_themes: int
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """The one computation of topic and theme shares per period, over a stream of articles.

    Parameters
    ----------
    rows : iterable of (date, topic mix, theme mask)
        One per dated article: its day, its whole topic mix (:attr:`TagResult.topic_mix`)
        and which themes it was tagged with (booleans, in the model's theme order). Read
        once; memory holds one sum per period.
    by : {"day", "week", "month", "year"}

    Returns
    -------
    periods : list of str
        In time order; periods without articles are left out.
    articles : ndarray of int, shape (n_periods,)
    topic_share : ndarray, shape (n_periods, n_topics)
        Mean topic mix of the period's articles (rows sum to 1).
    theme_share : ndarray, shape (n_periods, n_themes)
        Share of the period's articles tagged with each theme.
    """
    if by not in PERIODS:
        raise ValueError(f"by must be one of {', '.join(PERIODS)}, got {by!r}")
    sums: dict[str, list] = {}  # period -> [articles, topic weights, theme counts]
    for day, mix, tagged in rows:
        acc = sums.setdefault(period_of(day, by), [0, np.zeros(n_topics), np.zeros(n_themes)])
        acc[0] += 1
        acc[1] += mix
        acc[2] += tagged
    periods = sorted(sums)  # the labels sort in time order (ISO dates, zero-padded weeks and months)
    n = np.array([sums[p][0] for p in periods], dtype=int)
    topic = np.array([sums[p][1] for p in periods]).reshape(len(periods), n_topics)
    theme = np.array([sums[p][2] for p in periods]).reshape(len(periods), n_themes)
    with np.errstate(invalid="ignore", divide="ignore"):
        return periods, n, np.nan_to_num(topic / n[:, None]), np.nan_to_num(theme / n[:, None])


def topic_trends(model: Model, articles: Iterable[Article], by: str = "month", batch_size: int = 256) -> Trends:
    """Share of each topic and theme per ``by`` period of dated ``articles``.

    Articles without a readable ``date`` are counted in ``Trends.undated`` and left out
    (and not tagged). Shares are computed by :func:`shares_by_period`.
    """
    if by not in PERIODS:
        raise ValueError(f"by must be one of {', '.join(PERIODS)}, got {by!r}")
    themes = list(model.themes)
    index = {t: j for j, t in enumerate(themes)}
    tagger = Tagger(model, batch_size=batch_size)
    undated = 0

    def dated() -> Iterator[tuple[Article, date]]:
        nonlocal undated
        for a in articles:
            day = parse_date(a.date)
            if day is None:
                undated += 1
            else:
                yield a, day

    def rows() -> Iterator[tuple[date, np.ndarray, np.ndarray]]:
        pairs = dated()
        while batch := list(islice(pairs, batch_size)):
            for (_, day), result in zip(batch, tagger.tag([a for a, _ in batch])):
                tagged = np.zeros(len(themes), dtype=bool)
                tagged[[index[s.name] for s in result.themes]] = True
                yield day, result.topic_mix, tagged

    periods, n, topic, theme = shares_by_period(rows(), by, model.lda.n_topics_, len(themes))
    labels = [t["label"] for t in model.topics(topn=3)]  # by position, like topic_mix
    return Trends(by, periods, n, topic, theme, labels, themes, undated, model.lda.topic_ids())

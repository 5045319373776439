"""What a pass yields: :class:`Article`, with ids made unique by :class:`UniqueIds`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Article:
    """One news article.

    Attributes
    ----------
    id : str
        Identifier, unique within a corpus.
    text : str
        Body text, stripped; never empty.
    title, date, source : str or None
        Optional metadata; ``date`` is kept as given (ISO 8601 preferred),
        ``source`` defaults to the file the article came from.
    labels : tuple of str or None
        ``None`` for an unlabelled article, ``()`` for a labelled one without labels.
    """

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    labels: tuple[str, ...] | None = None

    @property
    def full_text(self) -> str:
        """Title and text separated by a blank line (the text alone if it starts with the title)."""
        if self.title and not self.text.startswith(self.title):
            return f"{self.title}\n\n{self.text}"
        return self.text


class UniqueIds:
    """Makes the ids of one pass unique, deterministically: the 2nd "x" becomes "x#2", the 3rd
    "x#3"... Call it with each id in input order; it returns the id to use."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def __call__(self, id: str) -> str:
        seen = self._seen
        n = seen.get(id, 0)
        seen[id] = n + 1
        if not n:
            return id
        while (new := f"{id}#{n + 1}") in seen:
            n += 1
        seen[id] = n + 1
        seen[new] = 1
        return new


def unique_ids(articles: Iterable[Article]) -> Iterator[Article]:
    """The articles with their ids made unique (:class:`UniqueIds`), lazily."""
    unique = UniqueIds()
    for article in articles:
        if (new := unique(article.id)) != article.id:
            article = replace(article, id=new)
        yield article

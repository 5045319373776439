"""Corpora one after another: :class:`ChainCorpus`, and the bundled :func:`default_corpus`."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from .article import Article, unique_ids
from .base import Corpus
from .folders import walk_articles
from .problems import CorpusError, ReadReport


class ChainCorpus:
    """Re-iterable concatenation of corpora, with the :class:`Corpus` interface.

    Ids stay unique across the chain (a repeated id gets ``"#2"``, ``"#3"``...).

    Parameters
    ----------
    *corpora : Corpus or ChainCorpus
    """

    format = "chain"

    def __init__(self, *corpora: Corpus | ChainCorpus):
        if not corpora:
            raise ValueError("ChainCorpus needs at least one corpus")
        self.corpora = list(corpora)

    def __iter__(self) -> Iterator[Article]:
        return unique_ids(itertools.chain.from_iterable(self.corpora))

    @property
    def on_reject(self) -> Callable[[dict], None] | None:
        """Called for every skipped record of every part (see :class:`Corpus`)."""
        return self.corpora[0].on_reject

    @on_reject.setter
    def on_reject(self, callback: Callable[[dict], None] | None) -> None:
        for corpus in self.corpora:
            corpus.on_reject = callback

    @property
    def report(self) -> ReadReport:
        """Reports of the parts added up."""
        return sum((c.report for c in self.corpora), ReadReport())

    @property
    def description(self) -> str:
        return " + ".join(c.description for c in self.corpora)

    def size_hint(self) -> int | None:
        """The parts' :meth:`Corpus.size_hint` added up (None if one is unknown)."""
        hints = [c.size_hint() for c in self.corpora]
        return None if None in hints else sum(hints)

    def has_labels(self) -> bool:
        return any(c.has_labels() for c in self.corpora)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.description!r})"


def default_corpus(seeds_dir: str | os.PathLike | None = None) -> ChainCorpus:
    """Gensim's Lee background corpus (300 articles) followed by the seed articles.

    Parameters
    ----------
    seeds_dir : str or os.PathLike, optional
        Folder of extra ``.txt`` articles, read as format ``"dir"``. Defaults to
        the example articles shipped with the toolkit (``seeds/`` in the repository,
        installed as ``topics.seeds``), silently left out when missing or empty.
        An explicitly given folder must exist.

    Returns
    -------
    ChainCorpus
        Lee articles have ids ``"lee-0001"`` to ``"lee-0300"``.
    """
    from gensim.test.utils import datapath  # deferred: importing gensim takes a while

    lee = Corpus(datapath("lee_background.cor"), "lines")
    lee._id_format = "lee-{n:04d}"
    if seeds_dir is None:
        seeds = _packaged_seeds()
    elif not (seeds := Path(seeds_dir)).is_dir():
        raise CorpusError(f"{seeds}: no such directory")
    if seeds.is_dir() and next(walk_articles(seeds), None):
        return ChainCorpus(lee, Corpus(seeds, "dir"))
    return ChainCorpus(lee)


def _packaged_seeds() -> Path:
    from importlib.util import find_spec

    spec = find_spec("topics.seeds")  # a data-only (namespace) package: take its folder
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    return Path(__file__).resolve().parents[2] / "seeds"  # a plain source checkout: topics/corpus/chain.py

"""Read news articles lazily from files, folders and standard input.

A :class:`Corpus` is re-iterable and streams: every pass re-opens its source and
yields :class:`Article` objects one at a time, so memory stays flat however big
the input is (a single ``.txt`` file is the only thing read whole). Bad records
are skipped and counted in :attr:`Corpus.report` (``on_error="skip"``) or raise
:class:`CorpusError` naming the file and line (``on_error="fail"``).

Modules: ``base`` (:class:`Corpus`: options, format detection, passes, parts),
``chain`` (:class:`ChainCorpus`, :func:`default_corpus`), ``article``, ``problems``
(:class:`CorpusError`, :class:`ReadReport`), one per family of formats (``folders``:
txt, dir, labelled-dir; ``records``: lines, jsonl, csv; ``reuters``: reuters21578),
``text`` (decoding, binary files, a text file's header) and ``sources`` (files, URLs,
standard input). Every public name is importable from ``topics.corpus``.

Examples
--------
>>> corpus = read_corpus("news.jsonl")                     # doctest: +SKIP
>>> for article in corpus:                                 # doctest: +SKIP
...     print(article.id, article.full_text[:60])
>>> print(corpus.report.summary())                         # doctest: +SKIP
read 2,225 articles, skipped 3 (first: news.jsonl:17: invalid JSON (...))
"""

from .article import Article, UniqueIds
from .base import FORMATS, Corpus, read_corpus
from .chain import ChainCorpus, default_corpus
from .problems import CorpusError, ReadReport
from .reuters import read_reuters_sgml, reuters_common_labels
from .sources import expand_url, file_size, open_binary
from .text import MAX_CHARS

__all__ = [
    "FORMATS",
    "MAX_CHARS",
    "Article",
    "ChainCorpus",
    "Corpus",
    "CorpusError",
    "ReadReport",
    "UniqueIds",
    "default_corpus",
    "expand_url",
    "file_size",
    "open_binary",
    "read_corpus",
    "read_reuters_sgml",
    "reuters_common_labels",
]

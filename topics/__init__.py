"""topics: find news topics (Gensim LDA) and tag themes (scikit-learn).

The public API, imported lazily so that ``import topics`` stays fast::

    import topics
    model = topics.train()                    # default corpus and taxonomy, saved to ./artifacts
    model = topics.load("default")            # verified bundle
    topics.Tagger(model).tag_one("Oil prices rose after OPEC cut output.")
"""

from __future__ import annotations

__version__ = "0.1.0"

_EXPORTS = {
    "train": "topics.training",
    "load": "topics.model",
    "Model": "topics.model",
    "Tagger": "topics.tagger",
    "TagResult": "topics.tagger",
    "tag_files": "topics.partition",
    "Corpus": "topics.corpus",
    "Article": "topics.corpus",
    "read_corpus": "topics.corpus",
    "default_corpus": "topics.corpus",
    "Taxonomy": "topics.taxonomy",
    "load_taxonomy": "topics.taxonomy",
    "default_taxonomy": "topics.taxonomy",
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    if name == "inspect":  # tables and figures; needs the inspect extra
        import importlib

        return importlib.import_module("topics.inspect")
    raise AttributeError(f"module 'topics' has no attribute {name!r}")

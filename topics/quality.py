"""How good are the topics? Coherence, diversity and held-out perplexity.

Coherence is gensim's ``CoherenceModel`` over tokenised texts (the texts a model
was trained on, or any other corpus tokenised the same way):

- ``c_npmi``: mean normalised pointwise mutual information of the pairs of a
  topic's top words, counted in sliding windows of 10 tokens; in [-1, 1],
  higher is better. The figure reported first.
- ``c_v``: Röder et al.'s measure (NPMI vectors compared by cosine, windows of
  110 tokens); in [0, 1], tracks human ratings best but is slower.

Diversity is the share of distinct words among the top 25 words of all topics
(1 = no two topics share a top word; near 0 = the topics repeat each other).
Perplexity is ``2 ** -bound`` per word on held-out texts (lower is better; only
comparable between models with the same vocabulary).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from gensim.corpora import Dictionary
from gensim.models import CoherenceModel

__all__ = ["coherence", "topic_diversity", "perplexity", "evaluate_topics", "top_words"]

Tokens = Sequence[str]
TOPN = 10  # words per topic scored by coherence
DIVERSITY_TOPN = 25


def top_words(model, topn: int = TOPN) -> list[list[str]]:
    """Top words of every topic of an :class:`~topics.lda.LdaTopicModel` (or a list of word lists)."""
    if isinstance(model, list):
        return [list(t[:topn]) for t in model]
    return [[w for w, _ in model.topic_words(k, topn)] for k in range(model.n_topics_)]


def coherence(
    model,
    texts: Sequence[Tokens],
    measure: str = "c_npmi",
    topn: int = TOPN,
    dictionary: Dictionary | None = None,
) -> tuple[float, list[float]]:
    """Coherence of a model's topics over ``texts``: ``(mean, per_topic)``.

    Parameters
    ----------
    model : LdaTopicModel or list of list of str
        A fitted topic model, or topics given as word lists (to score other libraries' topics
        the same way).
    texts : sequence of list of str
        Tokenised documents (held in memory: gensim windows over them).
    measure : {"c_npmi", "c_v", "u_mass", "c_uci"}
    topn : int
        Top words per topic.
    dictionary : gensim Dictionary, optional
        Of ``texts``; built when None (pass it to score several models over the same texts).

    Notes
    -----
    Words absent from ``texts`` are skipped by gensim; a topic with fewer than two
    known words scores NaN and is left out of the mean.
    """
    topics = top_words(model, topn)
    if dictionary is None:
        dictionary = Dictionary(texts)
    known = [[w for w in t if w in dictionary.token2id] for t in topics]
    scored = [i for i, t in enumerate(known) if len(t) >= 2]
    per_topic = [float("nan")] * len(topics)
    if scored:
        cm = CoherenceModel(
            topics=[known[i] for i in scored], texts=texts, dictionary=dictionary, coherence=measure, topn=topn, processes=1
        )
        for i, value in zip(scored, cm.get_coherence_per_topic()):
            per_topic[i] = float(value)
    values = [v for v in per_topic if not np.isnan(v)]
    return (float(np.mean(values)) if values else float("nan")), per_topic


def topic_diversity(model, topn: int = DIVERSITY_TOPN) -> float:
    """Share of distinct words among the ``topn`` top words of all topics (Dieng et al. 2020)."""
    topics = top_words(model, topn)
    total = sum(len(t) for t in topics)
    return len({w for t in topics for w in t}) / total if total else float("nan")


def perplexity(model, texts: Sequence[Tokens]) -> float:
    """Held-out perplexity per word of a fitted :class:`~topics.lda.LdaTopicModel` on ``texts``."""
    return float(2.0 ** -model.log_perplexity(texts))


def evaluate_topics(
    model,
    texts: Sequence[Tokens],
    heldout: Sequence[Tokens] | None = None,
    measures: Sequence[str] = ("c_npmi", "c_v"),
    topn: int = TOPN,
) -> dict:
    """Model-level quality figures, and each topic's NPMI.

    Returns
    -------
    dict
        ``{"npmi", "c_v", "diversity", "perplexity" (with ``heldout``), "topic_npmi": [...],
        "topn", "documents"}``; a measure not in ``measures`` is left out.
    """
    dictionary = Dictionary(texts)
    out: dict = {"documents": len(texts), "topn": topn}
    for measure in measures:
        mean, per_topic = coherence(model, texts, measure, topn, dictionary)
        key = "npmi" if measure == "c_npmi" else measure
        out[key] = round(mean, 4)
        if measure == "c_npmi":
            out["topic_npmi"] = [round(v, 4) for v in per_topic]
    out["diversity"] = round(topic_diversity(model), 4)
    if heldout is not None and hasattr(model, "log_perplexity"):
        out["perplexity"] = round(perplexity(model, heldout), 1)
    return out

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

__all__ = [
    "coherence",
    "topic_diversity",
    "perplexity",
    "evaluate_topics",
    "top_words",
    "sweep_topics",
    "sweep_reason",
    "parse_k_range",
    "default_k_range",
]

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
            topics=[known[i] for i in scored],
            texts=texts,
            dictionary=dictionary,
            coherence=measure,
            topn=topn,
            processes=1,
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
    progress=None,
) -> dict:
    """Model-level quality figures, and each topic's NPMI.

    ``progress(done, total, detail)``, when given, is called as each measure starts
    (e.g. :meth:`topics.progress.Stage.set`).

    Returns
    -------
    dict
        ``{"npmi", "c_v", "diversity", "perplexity" (with ``heldout``), "topic_npmi": [...],
        "topn", "documents"}``; a measure not in ``measures`` is left out.
    """
    dictionary = Dictionary(texts)
    out: dict = {"documents": len(texts), "topn": topn}
    for i, measure in enumerate(measures):
        if progress:
            progress(i, len(measures), "NPMI" if measure == "c_npmi" else measure)
        mean, per_topic = coherence(model, texts, measure, topn, dictionary)
        key = "npmi" if measure == "c_npmi" else measure
        out[key] = round(mean, 4)
        if measure == "c_npmi":
            out["topic_npmi"] = [round(v, 4) for v in per_topic]
    out["diversity"] = round(topic_diversity(model), 4)
    if heldout is not None and hasattr(model, "log_perplexity"):
        out["perplexity"] = round(perplexity(model, heldout), 1)
    if progress:
        progress(len(measures), len(measures), "")
    return out


# -- choosing the number of topics ---------------------------------------------------------
MIN_DIVERSITY = 0.5  # below this, topics repeat each other's top words


def default_k_range(n_documents: int) -> list[int]:
    """Candidate topic counts for ``--topics auto``: 5 to ~sqrt(n) (at most 60), in steps of 5."""
    top = int(min(60, max(10, round(n_documents**0.5 / 5) * 5)))
    return list(range(5, top + 1, 5))


def parse_k_range(text: str) -> list[int] | None:
    """``"auto"`` → None (chosen from the corpus size), ``"10:60:5"`` → [10, 15, ..., 60], ``"8"`` → [8]."""
    if text == "auto":
        return None
    parts = [int(p) for p in text.split(":")]
    if len(parts) == 1:
        ks = parts
    elif len(parts) in (2, 3):
        step = parts[2] if len(parts) == 3 else 5
        if step < 1:
            raise ValueError("the step of a topic range must be positive")
        ks = list(range(parts[0], parts[1] + 1, step))
    else:
        raise ValueError(f"expected K, START:STOP[:STEP] or 'auto', got {text!r}")
    if not ks or min(ks) < 2:
        raise ValueError(f"topic counts must be at least 2, got {text!r}")
    return ks


def sweep_topics(make_model, texts: Sequence[Tokens], ks: Sequence[int], progress=None) -> tuple[int, list[dict], dict]:
    """Train a model per K and pick K: the best NPMI among the Ks whose topic diversity is at
    least :data:`MIN_DIVERSITY` (all Ks when none is); ties go to the smaller K.

    Parameters
    ----------
    make_model : callable
        ``make_model(k)`` returns an unfitted :class:`~topics.lda.LdaTopicModel`.
    texts : sequence of list of str
        Training token lists (coherence is measured over them).
    ks : sequence of int
    progress : callable, optional
        ``progress(done, total, detail)``: called as each K starts (e.g.
        :meth:`topics.progress.Stage.set`).

    Returns
    -------
    best_k : int
    rows : list of dict
        ``{"k", "npmi", "diversity", "seconds", "chosen"}`` per K, in K order.
    models : dict of int to LdaTopicModel
        The fitted models (the chosen one can be used as is).
    """
    import time

    dictionary = Dictionary(texts)
    rows, models = [], {}
    ks = sorted(set(ks))
    for i, k in enumerate(ks):
        if progress:
            progress(i, len(ks), f"K={k}")
        t0 = time.perf_counter()
        model = make_model(k).fit(texts)
        seconds = time.perf_counter() - t0
        npmi, _ = coherence(model, texts, "c_npmi", TOPN, dictionary)
        rows.append(
            {
                "k": k,
                "npmi": round(npmi, 4),
                "diversity": round(topic_diversity(model), 4),
                "seconds": round(seconds, 2),
            }
        )
        models[k] = model
    if progress:
        progress(len(ks), len(ks), "")
    ok = [r for r in rows if r["diversity"] >= MIN_DIVERSITY]
    if not ok:  # every K repeats its words across topics: no model worth saving
        top = max(rows, key=lambda r: r["diversity"])
        raise ValueError(
            f"no K gives topics with diversity of at least {MIN_DIVERSITY} "
            f"(best: {top['diversity']:.2f} at K={top['k']})"
        )
    best = max(ok, key=lambda r: (r["npmi"], -r["k"]))
    for r in rows:
        r["chosen"] = r is best
    return best["k"], rows, models


def sweep_reason(rows: list[dict]) -> str:
    """One sentence saying why the chosen K was chosen."""
    best = next(r for r in rows if r["chosen"])
    guarded = [r["k"] for r in rows if r["diversity"] < MIN_DIVERSITY and r["npmi"] > best["npmi"]]
    why = f"K={best['k']}: highest NPMI ({best['npmi']:.3f}) with diversity {best['diversity']:.2f}"
    if guarded:
        why += f"; K={', '.join(map(str, guarded))} scored higher but repeat words across topics (diversity < {MIN_DIVERSITY})"
    return why

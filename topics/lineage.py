"""Stable topic ids across retraining and updates: new topics matched to the previous version's.

A topic model numbers its topics 0..K-1 in whatever order training left them, so "topic 7"
of yesterday's model is not topic 7 of today's, and trend lines across versions break.
:func:`align_topics` matches the new topics to the previous version's by their word
distributions (cosine similarity over the words both vocabularies hold, one-to-one, by
the Hungarian method, :func:`scipy.optimize.linear_sum_assignment`): a new topic matched
to an old one at a similarity of at least ``min_similarity`` keeps its id; the others get
new ids, never used before. The lineage says which ids were kept, which are new, which
were retired and which of those merged into a kept topic (an old topic whose best match
is a new topic another old topic was matched to).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["align_topics", "topic_similarity", "MIN_SIMILARITY"]

MIN_SIMILARITY = 0.5  # cosine of topic-word distributions below which two topics are not the same topic


def topic_similarity(
    old_phi: np.ndarray, old_words: Sequence[str], new_phi: np.ndarray, new_words: Sequence[str]
) -> np.ndarray:
    """Cosine similarity (old topics × new topics) of topic-word distributions, over the shared words."""
    index = {w: i for i, w in enumerate(old_words)}
    new_cols = [j for j, w in enumerate(new_words) if w in index]
    old_cols = [index[new_words[j]] for j in new_cols]
    a = np.asarray(old_phi, dtype=float)[:, old_cols]
    b = np.asarray(new_phi, dtype=float)[:, new_cols]
    a /= np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b /= np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return a @ b.T


def align_topics(
    old_phi: np.ndarray,
    old_words: Sequence[str],
    old_ids: Sequence[int],
    new_phi: np.ndarray,
    new_words: Sequence[str],
    next_id: int,
    min_similarity: float = MIN_SIMILARITY,
) -> tuple[list[int], dict]:
    """Ids for the new topics, and the lineage from the old ones.

    Parameters
    ----------
    old_phi, new_phi : ndarray of shape (n_topics, n_words)
        Topic-word distributions of the previous and the new model (rows sum to 1).
    old_words, new_words : sequence of str
        The words of their columns.
    old_ids : sequence of int
        The previous model's topic ids.
    next_id : int
        The first id never used by any earlier version.
    min_similarity : float
        Matches below this cosine similarity do not keep an id.

    Returns
    -------
    ids : list of int
        The id of each new topic.
    lineage : dict
        ``{"kept": [[id, similarity], ...], "new": [ids], "retired": [ids],
        "merged": [[old_id, into_id], ...], "min_similarity": float}``.
    """
    sim = topic_similarity(old_phi, old_words, new_phi, new_words)
    rows, cols = linear_sum_assignment(-sim)
    ids: list[int | None] = [None] * sim.shape[1]
    kept = []
    for r, c in zip(rows, cols):
        if sim[r, c] >= min_similarity:
            ids[c] = int(old_ids[r])
            kept.append([int(old_ids[r]), round(float(sim[r, c]), 3)])
    new = []
    for c in range(len(ids)):
        if ids[c] is None:
            ids[c] = next_id
            new.append(next_id)
            next_id += 1
    kept_ids = {i for i, _ in kept}
    retired = [int(i) for i in old_ids if int(i) not in kept_ids]
    merged = []
    for r, old in enumerate(old_ids):
        if int(old) in kept_ids:
            continue
        c = int(np.argmax(sim[r])) if sim.shape[1] else None
        if c is not None and sim[r, c] >= min_similarity and ids[c] in kept_ids:
            merged.append([int(old), int(ids[c])])
    lineage = {"kept": sorted(kept), "new": new, "retired": retired, "merged": merged, "min_similarity": min_similarity}
    return [int(i) for i in ids], lineage

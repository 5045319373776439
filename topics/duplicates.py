"""Near-duplicate articles: wire stories resent with a changed word or an added paragraph.

:func:`find_duplicates` finds them in one pass with min-hash signatures over token
shingles, so that training can leave them out (:class:`topics.lda.LdaTopicModel`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from itertools import chain

import numpy as np

__all__ = ["find_duplicates"]

_MERSENNE = np.uint64((1 << 61) - 1)
# Fixed (a, b) pairs of universal hashes h(x) = (a*x + b) mod p, one per signature slot:
# the same corpus always gives the same signatures, whatever PYTHONHASHSEED says.
_HASH_A = np.array([0x5BD1E995, 0x27D4EB2F, 0x165667B1, 0x9E3779B1], dtype=np.uint64)
_HASH_B = np.array([0x61C88647, 0x85EBCA77, 0xC2B2AE3D, 0x7FEB352D], dtype=np.uint64)
_DEDUP_BLOCK = 4096  # documents whose shingles are hashed at once
_SHINGLE_MUL = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5, 0x85EBCA77C2B2AE63],
    dtype=np.uint64,
)


def find_duplicates(
    token_lists: Sequence[list[str]], threshold: float = 0.8, shingle_size: int = 3
) -> tuple[list[int], list[int]]:
    """Indices of documents repeating an earlier one: ``(exact, near)``.

    Wire services resend stories with a changed word or an added paragraph; left in,
    they pull topics towards themselves. A document is an exact duplicate when its
    token sequence equals an earlier one's, and a near duplicate when the Jaccard
    similarity of its ``shingle_size``-token shingles with an earlier kept document
    is at least ``threshold``. Candidates are the documents sharing one of four
    min-hash values (a cheap signature), so the exact Jaccard is computed for few
    pairs; a pair with similarity J is missed with probability (1 - J)**4 (0.2% at 0.8).
    The first occurrence is kept, so the result is deterministic.

    Parameters
    ----------
    token_lists : sequence of list of str
    threshold : float
        Jaccard similarity from which two documents are duplicates; 1 or more finds
        exact duplicates only.
    shingle_size : int, at most 5
    """
    exact: list[int] = []
    seen: set[bytes] = set()
    size = max(1, min(int(shingle_size), len(_SHINGLE_MUL)))
    vocab: dict[str, int] = {}
    signatures: list[np.ndarray] = []
    nonempty: list[np.ndarray] = []
    # One pass in blocks of documents: memory holds one block's shingles, plus four
    # signature values per document, however long the corpus.
    block: list[list[str]] = []
    for i, tokens in enumerate(chain(token_lists, [None])):
        if tokens is not None:
            key = hashlib.blake2b("\x1f".join(tokens).encode(), digest_size=16).digest()
            if key in seen:
                exact.append(i)
            seen.add(key)
            if threshold < 1:
                block.append(tokens)
        if block and (tokens is None or len(block) == _DEDUP_BLOCK) and threshold < 1:
            hashes, sh_starts, n_sh = _shingles(block, vocab, size)
            signature = np.full((len(block), len(_HASH_A)), np.iinfo(np.uint64).max, dtype=np.uint64)
            has = n_sh > 0
            with np.errstate(over="ignore"):
                for slot in range(len(_HASH_A)):
                    v = (hashes * _HASH_A[slot] + _HASH_B[slot]) % _MERSENNE
                    signature[has, slot] = np.minimum.reduceat(v, sh_starts[:-1][has])
            signatures.append(signature)
            nonempty.append(has)
            block = []
    if threshold >= 1 or not signatures:
        return exact, []
    signature, has = np.concatenate(signatures), np.concatenate(nonempty)
    # Only documents sharing a signature value with another one can be near duplicates.
    shared = np.zeros(len(has), dtype=bool)
    for slot in range(len(_HASH_A)):
        _, inverse, counts = np.unique(signature[:, slot], return_inverse=True, return_counts=True)
        shared |= (counts[inverse] > 1) & has
    is_exact = np.zeros(len(has), dtype=bool)
    is_exact[exact] = True
    near: list[int] = []
    buckets: list[dict[int, list[int]]] = [{} for _ in _HASH_A]
    kept: dict[int, np.ndarray] = {}  # sorted unique shingle hashes: 8 bytes each, not a set's ~50
    for i in np.flatnonzero(shared & ~is_exact).tolist():
        sh = np.unique(_shingles([token_lists[i]], vocab, size)[0])
        sig = signature[i].tolist()
        candidates = sorted({j for slot, h in enumerate(sig) for j in buckets[slot].get(h, ())})
        # |A ∩ B| / |A ∪ B| >= t needs the smaller set to be at least t times the larger.
        if any(
            min(len(sh), len(kept[j])) >= threshold * max(len(sh), len(kept[j])) and _jaccard(sh, kept[j]) >= threshold
            for j in candidates
        ):
            near.append(i)
            continue
        kept[i] = sh
        for slot, h in enumerate(sig):
            buckets[slot].setdefault(h, []).append(i)
    return exact, near


def _shingles(docs: Sequence[list[str]], vocab: dict[str, int], size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shingle hashes of ``docs`` (all in one array), the start of each document's, and their counts.

    Token ids come from ``vocab`` (grown in first-seen order, so ids, and hashes, do not
    depend on how the documents are split into blocks). A shingle is hashed from the ids at
    positions i..i+size-1; a document shorter than ``size`` makes one short shingle.
    """
    ids = np.fromiter((vocab.setdefault(t, len(vocab)) for d in docs for t in d), dtype=np.uint64)
    lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
    starts = np.concatenate(([0], np.cumsum(lengths)))
    n_sh = np.where(lengths > 0, np.maximum(lengths - size + 1, 1), 0)
    sh_starts = np.concatenate(([0], np.cumsum(n_sh)))
    doc_of = np.repeat(np.arange(len(lengths)), n_sh)
    pos = np.arange(sh_starts[-1]) - sh_starts[doc_of] + starts[doc_of]
    hashes = np.zeros(pos.size, dtype=np.uint64)
    end = starts[doc_of + 1]
    with np.errstate(over="ignore"):  # wrap-around multiplication is part of the hash
        for k in range(size):
            valid = pos + k < end
            hashes[valid] += (ids[pos[valid] + k] + np.uint64(1)) * _SHINGLE_MUL[k]
    return hashes, sh_starts, n_sh


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)

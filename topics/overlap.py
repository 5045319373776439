"""Which articles a model was trained on: a small fingerprint of the training corpus.

Evaluating a model on the articles it learnt from gives figures near 1.0 that say how
well it remembers, not how well it tags new articles. Training records a fingerprint in
the manifest; :func:`topics.evaluate.evaluate` compares the evaluated articles with it
and reports the share it finds (``topics evaluate`` warns).

An article is identified by a 64-bit hash of its tokens (so the same article read
from a folder, JSON lines or CSV matches, whatever its whitespace or case). The
fingerprint keeps the hashes whose top bits are a multiple of ``modulus``, between
:data:`SAMPLE` and twice as many however large the corpus (a few kilobytes in the
manifest), and stores 32 bits of each; the overlap of an evaluated corpus is estimated on its
articles that fall in the same bucket.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["Fingerprint", "article_hash"]

SAMPLE = 1000  # training articles whose hashes are kept


def article_hash(tokens: Sequence[str]) -> int:
    """A 64-bit hash of an article's tokens."""
    return int.from_bytes(hashlib.blake2b("\x1f".join(tokens).encode(), digest_size=8).digest(), "big")


class Fingerprint:
    """Hashes of a sample of a corpus's articles (see the module docstring).

    Built by :meth:`add` as the corpus is read, in constant memory: when more than twice
    :data:`SAMPLE` hashes are held, the modulus doubles and half of them go.

    Attributes
    ----------
    modulus : int
        A power of two: an article is in the sample when the top 32 bits of its hash
        are a multiple of it.
    sample : numpy.ndarray of uint32
        The low 32 bits of the sampled hashes, sorted.
    """

    def __init__(self, *, modulus: int = 1, sample: Iterable[int] = ()) -> None:
        self.modulus = int(modulus)
        self._kept: dict[int, None] = {}  # full hashes of the sampled articles, while adding
        self._loaded = np.array(sorted(int(h) & 0xFFFFFFFF for h in sample), dtype=np.uint32)

    @property
    def sample(self) -> np.ndarray:
        kept = np.array(sorted(h & 0xFFFFFFFF for h in self._kept), dtype=np.uint32)
        return np.union1d(self._loaded, kept)

    def add(self, h: int) -> None:
        """Count one article (its :func:`article_hash`)."""
        if self._in_sample(h):
            self._kept[h] = None
            if len(self._kept) > 2 * SAMPLE:
                self.modulus *= 2
                self._kept = {k: None for k in self._kept if self._in_sample(k)}

    def _in_sample(self, h: int) -> bool:
        return (h >> 32) % self.modulus == 0

    def overlap(self, hashes: Iterable[int]) -> tuple[int, int]:
        """``(checked, found)``: the articles of ``hashes`` that fall in the sample, and how
        many of them are in it. ``found / checked`` estimates the share of the articles that
        the fingerprinted corpus holds."""
        checked = np.array([h & 0xFFFFFFFF for h in hashes if self._in_sample(h)], dtype=np.uint32)
        return len(checked), int(np.isin(checked, self.sample).sum()) if len(checked) else 0

    def to_meta(self) -> dict:
        """A JSON-ready dict for the manifest."""
        return {
            "hash": "blake2b-64 of the tokens, low 32 bits",
            "modulus": self.modulus,
            "sample": base64.b64encode(self.sample.astype(">u4").tobytes()).decode("ascii"),
        }

    @classmethod
    def from_meta(cls, meta: dict | None) -> Fingerprint | None:
        """The fingerprint recorded in a manifest, or None (older bundles, an unreadable field)."""
        try:
            raw = base64.b64decode(meta["sample"], validate=True)
            return cls(modulus=int(meta["modulus"]), sample=np.frombuffer(raw, dtype=">u4").tolist())
        except (KeyError, TypeError, ValueError):
            return None

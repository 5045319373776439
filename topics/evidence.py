"""Seed-term evidence: how much of an article is about each theme of a taxonomy."""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Sequence

import numpy as np

from .taxonomy import Taxonomy

__all__ = ["SeedMatcher"]

Tokens = Sequence[str]




class SeedMatcher:
    """Counts a taxonomy's seed terms in token lists.

    Terms are tokenised by the same preprocessor as the articles, matched
    longest first, and ignored inside a theme's ``exclude`` phrases
    ("security council" is not evidence of *security*).

    Parameters
    ----------
    taxonomy : Taxonomy
    tokenize : callable
        ``str -> list[str]``, normally ``Preprocessor.tokenize``.
    related_weight : float
        Weight of a related term relative to a seed term.
    """

    def __init__(self, taxonomy: Taxonomy, tokenize, related_weight: float = 0.35) -> None:
        self.names = taxonomy.names
        self.related_weight = related_weight
        # first token -> [(term tokens, theme index, weight, term)], longest first
        self._index: dict[str, list[tuple[tuple[str, ...], int, float, str]]] = {}
        self._exclude: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        self._pairs: list[tuple[int, dict, dict, int, float]] = []
        for t, theme in enumerate(taxonomy.themes):
            seen: set[tuple[str, ...]] = set()
            for weight, terms in ((1.0, theme.seeds), (related_weight, theme.related)):
                for term in terms:
                    toks = tuple(tokenize(term))
                    if toks and toks not in seen:
                        seen.add(toks)
                        self._index.setdefault(toks[0], []).append((toks, t, weight, term))
            for term in theme.exclude:
                toks = tuple(tokenize(term))
                if len(toks) < min(2, len(term.split())):
                    # "last resort" tokenises to ("resort",): excluding it would blank every "resort".
                    warnings.warn(f"theme {theme.name!r}: exclude phrase {term!r} loses its stop words "
                                  f"and would exclude {' '.join(toks) or 'nothing'!r} everywhere; ignored")
                    continue
                self._exclude.setdefault(toks[0], []).append((toks, t))
            for cue in theme.pairs:
                a = _by_first_token({tuple(tokenize(x)) for x in cue.a} - {()})
                b = _by_first_token({tuple(tokenize(x)) for x in cue.b} - {()})
                self._pairs.append((t, a, b, cue.window, cue.weight))
        for entries in self._index.values():
            entries.sort(key=lambda e: -len(e[0]))

    def matches(self, tokens: Tokens) -> list[Counter]:
        """Per theme, a Counter of (weight, matched term) → count (pair cues as ``"a ~ b"``)."""
        n_themes = len(self.names)
        excluded: list[set[int]] = [set() for _ in range(n_themes)]
        for i, tok in enumerate(tokens):
            for toks, t in self._exclude.get(tok, ()):
                if tuple(tokens[i : i + len(toks)]) == toks:
                    excluded[t].update(range(i, i + len(toks)))
        found: list[Counter] = [Counter() for _ in range(n_themes)]
        # Greedy longest match per theme: "crude oil" counts once, not also as "oil".
        covered_until = [0] * n_themes
        for i, tok in enumerate(tokens):
            for toks, t, weight, term in self._index.get(tok, ()):
                if i < covered_until[t] or i in excluded[t]:
                    continue
                if tuple(tokens[i : i + len(toks)]) == toks:
                    found[t][(weight, term)] += 1
                    covered_until[t] = i + len(toks)
        for t, a_terms, b_terms, window, weight in self._pairs:
            a_pos = _positions(tokens, a_terms, excluded[t])
            if not a_pos:
                continue
            b_pos = _positions(tokens, b_terms, excluded[t])
            for i, a_term in a_pos:
                near = [b for j, b in b_pos if abs(j - i) <= window and j != i]
                if near:
                    found[t][(weight, f"{a_term} ~ {near[0]}")] += 1
        return found

    def evidence(self, counts: Counter) -> float:
        """Evidence score of one theme's matches: seed terms weigh 1, related terms
        ``related_weight``, proximity cues their own weight; each damped as
        1 + ln(count), so repetition helps less than variety."""
        return sum(weight * (1.0 + math.log(n)) for (weight, _), n in counts.items())

    def transform(self, docs: Sequence[Tokens]) -> np.ndarray:
        """Evidence matrix of shape (n_documents, n_themes)."""
        return self.evidence_matrix([self.matches(tokens) for tokens in docs])

    def evidence_matrix(self, counts: Sequence[list[Counter]]) -> np.ndarray:
        """Evidence matrix from the output of :meth:`matches`, one list per document."""
        out = np.zeros((len(counts), len(self.names)))
        for d, per_theme in enumerate(counts):
            for t, found in enumerate(per_theme):
                if found:
                    out[d, t] = self.evidence(found)
        return out


def _positions(tokens: Tokens, terms: dict[str, list[tuple[str, ...]]], excluded: set[int]) -> list[tuple[int, str]]:
    """Where terms (indexed by first token, longest first) start in ``tokens``."""
    out = []
    for i, tok in enumerate(tokens):
        if tok in terms and i not in excluded:
            for term in terms[tok]:
                if tuple(tokens[i : i + len(term)]) == term:
                    out.append((i, " ".join(term)))
                    break
    return out


def _by_first_token(terms: set[tuple[str, ...]]) -> dict[str, list[tuple[str, ...]]]:
    # Sorted, not set order: set order varies between processes (hash seeds), and the
    # term reported must not.
    index: dict[str, list[tuple[str, ...]]] = {}
    for term in sorted(terms, key=lambda t: (-len(t), t)):
        index.setdefault(term[0], []).append(term)
    return index

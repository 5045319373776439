"""Seed-term evidence: how much of an article is about each theme of a taxonomy."""

from __future__ import annotations

import json
import math
import re
import warnings
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from importlib import resources
from typing import NamedTuple

import numpy as np

from .taxonomy import Taxonomy, TaxonomyError

__all__ = ["SeedMatcher", "evidence_features", "FEATURES", "ADJUSTED", "EvidenceModel", "default_evidence_model"]

Tokens = Sequence[str]


class Matches(list):
    """What :meth:`SeedMatcher.matches` found in one article: per theme, a Counter of
    (weight, matched term) → count; ``spans`` holds (theme, start, end, weight) of every
    term match, for telling which themes' evidence sits on the same words."""

    def __init__(self, per_theme, spans=()) -> None:
        super().__init__(per_theme)
        self.spans = list(spans)


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
    near : sequence of NearTerm, optional
        Terms close in meaning to a theme's seeds (:func:`topics.semantic.near_terms`);
        each counts ``near_weight * similarity`` and is reported as ``term ≈ seed``.
    near_weight : float
        Weight of a near term of similarity 1, relative to a seed term.
    """

    def __init__(
        self, taxonomy: Taxonomy, tokenize, related_weight: float = 0.35, near=(), near_weight: float = 0.5
    ) -> None:
        self.names = taxonomy.names
        self.related_weight = related_weight
        # first token -> [(term tokens, theme index, weight, term)], longest first
        self._index: dict[str, list[tuple[tuple[str, ...], int, float, str]]] = {}
        self._exclude: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        self._pairs: list[tuple[int, dict, dict, int, float]] = []
        # Per theme, its terms that name it: they hold a phrase of its label ("Energy":
        # "energy", "energy project"; "Tourism & travel": "tourism sector", "travel agent").
        self._naming: list[tuple[str, ...]] = []
        for t, theme in enumerate(taxonomy.themes):
            if theme.seeds and not any(tokenize(term) for term in theme.seeds):
                raise TaxonomyError(
                    f"{taxonomy.source}: theme {theme.name!r}: none of its seed terms is left after "
                    f"tokenizing ({', '.join(theme.seeds[:5])}: stop words or too short), so it could never be tagged"
                )
            seen: set[tuple[str, ...]] = set()
            label = {tuple(tokenize(part)) for part in re.split(r",|&|\band\b", theme.label)} - {()}
            naming = []
            for weight, terms in ((1.0, theme.seeds), (related_weight, theme.related)):
                for term in terms:
                    toks = _term_tokens(tokenize, term, theme.name)
                    if any(_contains(toks, phrase) for phrase in label):
                        naming.append(term)
                    if toks and toks not in seen:
                        seen.add(toks)
                        self._index.setdefault(toks[0], []).append((toks, t, weight, term))
            self._naming.append(tuple(dict.fromkeys(naming)))  # a tuple: pickled the same in every process
            for term in theme.exclude:
                # "last resort" tokenises to ("resort",): excluding it would blank every "resort"
                if toks := _term_tokens(tokenize, term, theme.name, "exclude phrase", "exclude"):
                    self._exclude.setdefault(toks[0], []).append((toks, t))
            for cue in theme.pairs:
                a = _by_first_token({_term_tokens(tokenize, x, theme.name) for x in cue.a} - {()})
                b = _by_first_token({_term_tokens(tokenize, x, theme.name) for x in cue.b} - {()})
                self._pairs.append((t, a, b, cue.window, cue.weight))
        for term in near:
            self._index.setdefault(term.token, []).append(
                ((term.token,), term.theme, near_weight * term.similarity, f"{term.token} \u2248 {term.seed}")
            )
        for entries in self._index.values():
            entries.sort(key=lambda e: -len(e[0]))

    def matches(self, tokens: Tokens) -> Matches:
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
        spans = []
        for i, tok in enumerate(tokens):
            for toks, t, weight, term in self._index.get(tok, ()):
                if i < covered_until[t] or i in excluded[t]:
                    continue
                if tuple(tokens[i : i + len(toks)]) == toks:
                    found[t][(weight, term)] += 1
                    covered_until[t] = i + len(toks)
                    spans.append((t, i, i + len(toks), weight))
        for t, a_terms, b_terms, window, weight in self._pairs:
            a_pos = _positions(tokens, a_terms, excluded[t])
            if not a_pos:
                continue
            b_pos = _positions(tokens, b_terms, excluded[t])
            starts = [j for j, _ in b_pos]
            for i, a_term in a_pos:
                # the first b term within the window (not at i itself): a binary search, so
                # a long article full of cues costs n log n, not n squared
                k = bisect_left(starts, i - window)
                if k < len(starts) and starts[k] == i:
                    k += 1
                if k < len(starts) and starts[k] <= i + window:
                    b_term = b_pos[k][1]
                    found[t][(weight, f"{a_term} ~ {b_term}")] += 1
                    # the cue claims its words, as a term does: "artillery" in "an artillery
                    # contract" is the defense-trade cue's first, and says less of security
                    spans.append((t, i, i + len(a_term.split()), weight))
        return Matches(found, spans)

    def shared(self, counts: Sequence[Matches], total: np.ndarray) -> np.ndarray:
        """Share of each theme's matched term weight that sits on words a theme with more
        evidence also matched, shape (n_documents, n_themes): "missile" in a story about a
        missile maker's orders is evidence of defense trade first, and says less of security
        than the same word in a story that only security claims."""
        out = np.zeros((len(counts), len(self.names)))
        for d, found in enumerate(counts):
            spans = found.spans
            if not spans:
                continue
            claimed: dict[int, list[int]] = {}  # position -> themes whose terms cover it
            for t, start, end, _ in spans:
                for j in range(start, end):
                    claimed.setdefault(j, []).append(t)
            weight = np.zeros(len(self.names))
            shared = np.zeros(len(self.names))
            for t, start, end, w in spans:
                weight[t] += w * (end - start)
                for j in range(start, end):
                    if any(total[d, u] > total[d, t] for u in claimed[j] if u != t):
                        shared[t] += w
            out[d] = np.divide(shared, weight, out=np.zeros_like(shared), where=weight > 0)
        return out

    def naming(self, counts: Sequence[Matches]) -> np.ndarray:
        """How often each theme's matched terms name it (hold a phrase of its label: "energy",
        "energy project", "tourism sector"), shape (n_documents, n_themes): an article that
        names a theme, as an area of talks or cooperation, says it is a subject."""
        naming = getattr(self, "_naming", None)  # None in matchers saved before it
        out = np.zeros((len(counts), len(self.names)))
        themes = [(t, terms) for t, terms in enumerate(naming or ()) if terms]
        for d, found in enumerate(counts):
            for t, terms in themes:
                if found[t]:
                    out[d, t] = sum(n for (_, term), n in found[t].items() if term in terms)
        return out

    def evidence(self, counts: Counter) -> float:
        """Evidence score of one theme's matches: seed terms weigh 1, related terms
        ``related_weight``, proximity cues their own weight; each damped as
        1 + ln(count), so repetition helps less than variety."""
        return sum(weight * (1.0 + math.log(n)) for (weight, _), n in counts.items())

    def evidence_by_kind(self, counts: Sequence[list[Counter]]) -> np.ndarray:
        """Evidence split by kind, shape (n_documents, n_themes, 4): seed terms, related
        terms, proximity cues and near terms (each weighted and damped as in :meth:`evidence`)."""
        out = np.zeros((len(counts), len(self.names), len(KINDS)))
        for d, per_theme in enumerate(counts):
            for t, found in enumerate(per_theme):
                for (weight, term), n in found.items():
                    out[d, t, _kind(weight, term, self.related_weight)] += weight * (1.0 + math.log(n))
        return out

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


KINDS = ("seed", "related", "pair", "near")
FEATURES = (
    "log1p(seed)",
    "log1p(related)",
    "log1p(pair)",
    "log1p(near)",
    "log1p(evidence per length_ref tokens)",
    "log(tokens / length_ref)",
    "share of the article's strongest theme (0 for a lone term)",
    "any seed term",
    "semantic mean",
    "semantic top-3",
    "semantic top-3 over the best other theme's",
    "log1p(evidence) x share of it on words a stronger theme also matched",
    "log1p(matched terms that name the theme)",
)


def evidence_features(
    by_kind: np.ndarray,
    n_tokens: np.ndarray,
    length_ref: float,
    semantic: np.ndarray,
    shared: np.ndarray,
    naming: np.ndarray,
) -> np.ndarray:
    """Features of each (article, theme) from :meth:`SeedMatcher.evidence_by_kind`, shape
    (n_documents, n_themes, len(FEATURES)): how much evidence of each kind, how dense it
    is in the article (long articles), how long the article is (short items say more per
    term), and how the theme compares with the article's strongest one (a second theme
    is a real subject, or spill-over from the first; how much of its evidence a stronger
    theme claims too, ``shared`` from :meth:`SeedMatcher.shared`), and how close the
    article's words are in meaning to the theme (``semantic``, from
    :class:`topics.semantic.ThemeSimilarity`), and how often it is named (``naming``, from
    :meth:`SeedMatcher.naming`)."""
    total = by_kind.sum(axis=2)
    ratio = np.maximum(np.asarray(n_tokens, dtype=float), 1.0) / length_ref
    strongest = np.maximum(total.max(axis=1, keepdims=True), 1e-9)
    top = semantic[..., 1]
    if top.shape[1] > 1:
        part = np.partition(top, -2, axis=1)
        best, second = part[:, -1:], part[:, -2:-1]
        others = np.where(top >= best, second, best)  # the best of the other themes
    else:
        others = np.zeros_like(top)
    return np.concatenate(
        [
            np.log1p(by_kind),
            np.log1p(total / np.maximum(ratio, 1.0)[:, None])[..., None],
            np.broadcast_to(np.log(ratio)[:, None, None], total.shape + (1,)),
            # a theme's share of the article's evidence; a lone term (total under 1.5) is no share
            np.where(total >= 1.5, total / strongest, 0.0)[..., None],
            (by_kind[..., 0] > 0)[..., None].astype(float),
            semantic,
            (top - others)[..., None],
            (np.log1p(total) * shared)[..., None],
            np.log1p(naming)[..., None],
        ],
        axis=2,
    )


# Features whose weight the shipped model adjusts per theme of the default taxonomy: how a
# theme relates to a stronger one differs between themes (a weapons order is defense-trade,
# not security; a bombed pipeline is energy and security), and so do how far its words'
# meaning reaches and how much naming it says.
ADJUSTED = tuple(
    FEATURES.index(name)
    for name in (
        "log1p(evidence) x share of it on words a stronger theme also matched",
        "semantic mean",
        "log1p(matched terms that name the theme)",
    )
)


class EvidenceModel(NamedTuple):
    """A logistic model over :func:`evidence_features`: P(theme) = sigmoid(features @ coef + intercept).

    Shared by every theme, so it carries over to any taxonomy; ``themes`` optionally adjusts
    it for themes known by name, as ``(name, intercept offset, offsets of the ADJUSTED
    features' coefficients)``, learned for the default taxonomy's themes from labelled items.
    """

    coef: tuple[float, ...]
    intercept: float
    source: str = ""
    themes: tuple = ()

    def predict(self, features: np.ndarray, names: Sequence[str] | None = None) -> np.ndarray:
        """Scores of ``features`` (..., themes, features); ``names``: the themes, in order,
        for the per-theme adjustments (none without them)."""
        # a model fitted before features were added uses the ones it knows (they come first)
        z = features[..., : len(self.coef)] @ np.asarray(self.coef) + self.intercept
        if names is not None and self.themes:
            known = {name: (offset, slopes) for name, offset, slopes in self.themes}
            none = (0.0, (0.0,) * len(ADJUSTED))
            offsets = np.array([known.get(n, none)[0] for n in names])
            slopes = np.array([known.get(n, none)[1] for n in names])
            z = z + offsets + np.einsum("...tf,tf->...t", features[..., list(ADJUSTED)], slopes)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def default_evidence_model() -> EvidenceModel:
    """The evidence model shipped with the toolkit (``topics/data/evidence_model.json``),
    fitted on the dev split of the hand-labelled check set (``scripts/fit_evidence_model.py``)."""
    return evidence_model_from_json(
        json.loads(resources.files("topics").joinpath("data/evidence_model.json").read_text(encoding="utf-8"))
    )


def evidence_model_from_json(data: dict) -> EvidenceModel:
    """An :class:`EvidenceModel` from the JSON ``scripts/fit_evidence_model.py`` writes; refused
    when it was fitted on other features (or adjusts other ones per theme) than this code computes."""
    if list(data["features"]) != list(FEATURES) or data.get("adjusted", []) != [FEATURES[i] for i in ADJUSTED]:
        raise ValueError("evidence_model.json was fitted on other features; rerun scripts/fit_evidence_model.py")
    themes = tuple((name, float(t["intercept"]), tuple(t["coef"])) for name, t in data.get("themes", {}).items())
    return EvidenceModel(tuple(data["coef"]), float(data["intercept"]), data.get("source", ""), themes)


def _term_tokens(tokenize, term: str, theme: str, what: str = "term", does: str = "match") -> tuple[str, ...]:
    """A taxonomy term's tokens; none (with a warning) for a phrase that tokenising cuts to one
    word, which would count as that broader word everywhere ("group of 20" as every "group",
    "formula one" as every "formula": numbers and stop words are dropped, as in articles),
    and none for a term with no word left."""
    toks = tuple(tokenize(term))
    if len(toks) < min(2, len(term.split())):
        why = (
            f"loses words to tokenising (stop words, numbers) and would {does} {' '.join(toks)!r} everywhere"
            if toks
            else "has no word left after tokenising (a stop word or a number)"
        )
        warnings.warn(f"theme {theme!r}: {what} {term!r} {why}; ignored", stacklevel=3)
        return ()
    return toks


def _contains(tokens: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    return any(tokens[i : i + len(phrase)] == phrase for i in range(len(tokens) - len(phrase) + 1))


def _kind(weight: float, term: str, related_weight: float) -> int:
    if "\u2248" in term:
        return 3
    if " ~ " in term:
        return 2
    return 1 if weight == related_weight else 0


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

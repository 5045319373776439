"""Word meaning for the taxonomy: terms near a theme's seeds count even when no list names them.

The toolkit ships compact static word vectors (``topics/data/news_vectors.npz``: the
tokens of ~32,000 news words, as the toolkit tokenises them, with 96-dimensional float16
vectors). They were distilled once, at development time, from the sentence encoder
all-MiniLM-L6-v2 (Apache-2.0): each word embedded on its own, centred, reduced by PCA
(``scripts/build_news_vectors.py`` rebuilds them). Nothing is downloaded at run time and
no neural network runs: the vectors are read when a model is trained, for two things.

* *Near terms* (:func:`near_terms`): a vocabulary word whose vector is close to one of a
  theme's one-word seed terms (cosine at least ``min_similarity``) becomes evidence of
  the theme, weighted by that similarity, and explanations show it as ``bombed ≈ bombing``.
* *Theme similarity* (:class:`ThemeSimilarity`): how close an article's words are in
  meaning to each theme's seeds and example headlines.

At tagging time both are table lookups per token: the bundle holds no vectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from .taxonomy import Taxonomy

NAME_SHARE = 0.7  # tokens written with a capital at least this often are names

__all__ = ["WordVectors", "NearTerm", "near_terms", "default_vectors", "ThemeSimilarity"]


class WordVectors:
    """Unit-length word vectors keyed by token.

    Parameters
    ----------
    tokens : sequence of str
        Tokens as :meth:`topics.preprocess.Preprocessor.tokenize` produces them.
    vectors : ndarray (n_tokens, dims)
        One row per token; normalised to unit length here.
    name_share : ndarray (n_tokens,), optional
        Share of each token's occurrences written with a capital: names are near 1.
    """

    def __init__(self, tokens, vectors: np.ndarray, name_share=None) -> None:
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or len(vectors) != len(tokens):
            raise ValueError("word vectors: one row of vectors per token expected")
        self.tokens = [str(t) for t in tokens]
        self.name_share = np.zeros(len(tokens)) if name_share is None else np.asarray(name_share, dtype=float)
        self.index = {t: i for i, t in enumerate(self.tokens)}
        self.vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        # Words whose vectors carry meaning: not names (mostly spelling), not acronyms or numbers.
        self.words = (self.name_share < NAME_SHARE) & np.array(
            [len(t) >= 4 and t.isalpha() for t in self.tokens], dtype=bool
        )

    def __contains__(self, token: str) -> bool:
        return token in self.index

    def __len__(self) -> int:
        return len(self.tokens)


@lru_cache(maxsize=1)
def default_vectors() -> WordVectors:
    """The word vectors shipped with the toolkit."""
    with resources.files("topics").joinpath("data/news_vectors.npz").open("rb") as f:
        data = np.load(f)
        return WordVectors(data["tokens"], data["vectors"], data["name_share"])


@dataclass(frozen=True)
class NearTerm:
    """A vocabulary token close in meaning to one of a theme's seed terms."""

    token: str
    theme: int
    similarity: float
    seed: str


def near_terms(
    taxonomy: Taxonomy,
    tokenize,
    vectors: WordVectors,
    *,
    min_similarity: float = 0.7,
) -> list[NearTerm]:
    """Near terms of every theme: tokens whose vector is within ``min_similarity`` (cosine)
    of one of the theme's one-word seed terms, with the seed each stands for.

    Only words stand in for words: seed terms of several words are left out (their
    words alone mean something else: "front" of "front line"), and so are names on
    either side (a place or a group is not the theme, and names' vectors are mostly
    spelling), words of fewer than 4 letters (acronyms), and a token that is its seed
    plus letters other than an inflection ("coupon" is not "coup"). Tokens that are
    already a term of any theme's lists are left out too: the lists say what they
    mean, the vectors only add what they do not name.
    """
    listed: set[str] = set()
    anchors: list[list[tuple[str, int]]] = []
    word = vectors.words
    for theme in taxonomy:
        found = []
        for term in (*theme.seeds, *theme.related, *theme.exclude):
            toks = tokenize(term)
            if len(toks) == 1:
                listed.add(toks[0])
        for term in theme.seeds:
            toks = tokenize(term)
            i = vectors.index.get(toks[0]) if len(toks) == 1 else None
            if i is not None and word[i]:
                found.append((toks[0], i))
        anchors.append(found)
    rows = np.array([i for i, t in enumerate(vectors.tokens) if word[i] and t not in listed], dtype=int)
    if not len(rows):
        return []
    C = vectors.vectors[rows]
    out: list[NearTerm] = []
    for t, found in enumerate(anchors):
        if not found:
            continue
        sims = C @ vectors.vectors[[i for _, i in found]].T
        best = sims.argmax(axis=1)
        best_sim = sims[np.arange(len(rows)), best]
        for k in np.flatnonzero(best_sim >= min_similarity):
            token, seed = vectors.tokens[rows[k]], found[best[k]][0]
            if not _spelling_only(token, seed):
                out.append(NearTerm(token, t, float(best_sim[k]), seed))
    return out


_INFLECTIONS = (
    "s",
    "es",
    "ed",
    "d",
    "ing",
    "er",
    "ers",
    "r",
    "rs",
    "ly",
    "al",
    "ist",
    "ists",
    "ism",
    "ion",
    "ions",
    "e",
    "n",
)


def _spelling_only(token: str, seed: str) -> bool:
    """True when one word is the other plus letters that are not an inflection
    ("coupon"/"coup"): the encoder's word pieces, not meaning, make them alike."""
    short, long_ = sorted((token, seed), key=len)
    return long_.startswith(short) and long_[len(short) :] not in _INFLECTIONS


class ThemeSimilarity:
    """How close an article's words are in meaning to each theme, without any list.

    Each theme gets a prototype: the mean vector of its one-word seed terms (names and
    acronyms left out, as for near terms) and of the words of its ``examples``. Every
    vocabulary word's cosine to every prototype is computed once, at training; an
    article's similarity to a theme is then the mean of its words' cosines (its
    centroid's direction) and the mean of its 3 closest words (a short item's one
    telling word), both table lookups at tagging time.

    Parameters
    ----------
    taxonomy : Taxonomy
    tokenize : callable
    vectors : WordVectors
    """

    TOP = 3

    def __init__(self, taxonomy: Taxonomy, tokenize, vectors: WordVectors) -> None:
        word = vectors.words

        def known(tokens) -> list[int]:  # rows of the tokens that are words (not names, acronyms)
            return [vectors.index[t] for t in tokens if t in vectors.index and word[vectors.index[t]]]

        protos = []
        for theme in taxonomy:
            rows = []
            for term in theme.seeds:
                toks = tokenize(term)
                if len(toks) == 1:
                    rows += known(toks)
            for example in theme.examples:
                rows += known(tokenize(example))
            v = (
                vectors.vectors[rows].astype(np.float32).mean(axis=0)
                if rows
                else np.zeros(vectors.vectors.shape[1], np.float32)
            )
            protos.append(v / max(float(np.linalg.norm(v)), 1e-12))
        keep = np.flatnonzero(word)
        self.index = {vectors.tokens[i]: k for k, i in enumerate(keep)}
        self.table = (vectors.vectors[keep] @ np.stack(protos).T).astype(np.float32)

    def transform(self, docs) -> np.ndarray:
        """Shape (n_documents, n_themes, 2): mean cosine of the article's known words, and
        mean of its 3 closest words' cosines (0 for an article with no known word)."""
        n_themes = self.table.shape[1]
        out = np.zeros((len(docs), n_themes, 2), dtype=np.float64)
        index = self.index
        for d, tokens in enumerate(docs):
            rows = [index[t] for t in tokens if t in index]
            if not rows:
                continue
            sims = self.table[rows]
            out[d, :, 0] = sims.mean(axis=0)
            k = min(self.TOP, len(rows))
            out[d, :, 1] = -np.sort(-sims, axis=0)[:k].mean(axis=0) if k < len(rows) else sims.mean(axis=0)
        return out

"""Text → tokens: one fitted object used identically at training and tagging time.

The :class:`Preprocessor` is a scikit-learn transformer: ``fit`` learns
collocations (gensim ``Phrases``) from a corpus, ``transform`` turns texts
into lists of tokens. It is pickled into every bundle, so the tokens a model
was trained on and the tokens it is applied to always come from the same code
and the same learned phrases.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases
from gensim.parsing.preprocessing import STOPWORDS
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

__all__ = ["Preprocessor", "normalize_text", "NEWS_STOPWORDS"]

# Words that carry no topic in news copy: attribution, dates, wire boilerplate.
NEWS_STOPWORDS = frozenset(
    """
    said says say saying told tell tells according reported reporting reuters ap afp
    upi spokesman spokeswoman spokesperson mr mrs ms dr pct percent per cent mln bln
    billion million thousand year years month months week weeks day days today yesterday
    tomorrow monday tuesday wednesday thursday friday saturday sunday january february
    march april june july august september october november december jan feb mar apr
    jun jul aug sep sept oct nov dec pm am including added statement just like
    """.split()
)
# gensim's list drops words that carry news topics ("interest" rates, a "bill",
# "fire", "computer", "un" for the United Nations): keep those.
STOP_WORDS = (
    frozenset(STOPWORDS) - {"bill", "computer", "fire", "interest", "system", "front", "side", "un", "mill", "con", "cry"}
) | NEWS_STOPWORDS

# Typographic variants folded before tokenising, so “Erdogans’” == "Erdogans'".
_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u00ad": None,  # soft hyphen
    }
)
# A token is letters/digits, optionally joined by inner hyphens or apostrophes:
# keeps "s-400", "nagorno-karabakh", "al-assad", "o'brien".
_TOKEN = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_TAGS = re.compile(r"<[^>]{0,200}>")
# Dotted abbreviations ("U.S.", "U.N.") become one token ("usa", "un").
_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}|\bunited states\b")
_DOTTED_NAMES = {"us": "usa", "united states": "usa"}


def _undot(match: re.Match) -> str:
    word = match.group(0)
    word = word if " " in word else word.replace(".", "")
    return _DOTTED_NAMES.get(word, word)


def normalize_text(text: str) -> str:
    """NFKC-normalise, fold typographic quotes and dashes, lowercase."""
    return unicodedata.normalize("NFKC", text).translate(_FOLD).lower()


# British → American spellings of common news words, so "defence" and "defense"
# are one token for topics, themes and seed terms alike.
_SPELLING = {
    "defence": "defense", "offence": "offense", "licence": "license", "programme": "program",
    "armour": "armor", "armoured": "armored", "organisation": "organization", "centre": "center",
    "normalisation": "normalization", "stabilisation": "stabilization", "travellers": "travelers",
    "traveller": "traveler", "harbour": "harbor", "neighbour": "neighbor", "neighbouring": "neighboring",
}


def _singular(token: str) -> str:
    """A conservative English plural folder (Harman's S-stemmer).

    Readable tokens ("defenses" → "defense", "countries" → "country") keep
    topic words legible, unlike Porter stems ("secur", "countri").
    """
    if len(token) <= 3 or not token.endswith("s") or "-" in token:
        return _SPELLING.get(token, token)
    if token.endswith("ies") and not token.endswith(("eies", "aies")):
        return token[:-3] + "y"
    if not token.endswith(("aes", "ees", "oes", "ss", "us", "is")):
        token = token[:-1]
    return _SPELLING.get(token, token)


def _porter() -> object:
    from gensim.parsing.porter import PorterStemmer

    return PorterStemmer()


class Preprocessor(TransformerMixin, BaseEstimator):
    """Tokenise news text and join learned collocations.

    Parameters
    ----------
    normalize : {"plural", "porter", None}, default="plural"
        How to fold word forms: ``"plural"`` maps plurals to singulars (readable),
        ``"porter"`` applies the Porter stemmer, ``None`` keeps tokens as they are.
    phrases : bool, default=True
        Learn collocations such as ``air_defense`` with gensim ``Phrases``.
    phrase_min_count : int, default=5
        Minimum corpus count of a collocation.
    phrase_threshold : float, default=0.5
        NPMI threshold (in [-1, 1]) of a collocation.
    min_length : int, default=2
        Shorter tokens are dropped.
    extra_stopwords : iterable of str, default=()
        Added to gensim's English stop words and :data:`NEWS_STOPWORDS`.

    Attributes
    ----------
    phrases_ : gensim.models.phrases.FrozenPhrases or None
        The learned collocation model.
    n_documents_ : int
        Number of documents seen by ``fit``.
    """

    def __init__(
        self,
        normalize: str | None = "plural",
        phrases: bool = True,
        phrase_min_count: int = 5,
        phrase_threshold: float = 0.5,
        min_length: int = 2,
        extra_stopwords: Iterable[str] = (),
    ) -> None:
        self.normalize = normalize
        self.phrases = phrases
        self.phrase_min_count = phrase_min_count
        self.phrase_threshold = phrase_threshold
        self.min_length = min_length
        self.extra_stopwords = extra_stopwords

    # -- tokenising (no learned state) -------------------------------------------------
    def _stopwords(self) -> frozenset[str]:
        stop = getattr(self, "_stop_cache", None)
        if stop is None:
            stop = STOP_WORDS | {normalize_text(w) for w in self.extra_stopwords}
            self._stop_cache = stop
        return stop

    def _folder(self):
        if self.normalize == "plural":
            return _singular
        if self.normalize == "porter":
            stemmer = getattr(self, "_porter_cache", None) or _porter()
            self._porter_cache = stemmer
            return stemmer.stem
        if self.normalize is None:
            return None
        raise ValueError(f"normalize must be 'plural', 'porter' or None, got {self.normalize!r}")

    def tokenize(self, text: str) -> list[str]:
        """Tokens of ``text`` before collocations are joined.

        Markup is stripped, possessives dropped (``erdogan's`` → ``erdogan``),
        stop words and tokens without a letter removed, word forms folded.
        """
        stop = self._stopwords()
        fold = self._folder()
        out: list[str] = []
        for tok in _TOKEN.findall(_DOTTED.sub(_undot, _TAGS.sub(" ", normalize_text(text)))):
            if "'" in tok:  # possessives and elisions: erdogan's, erdogans', l'express
                tok = tok.split("'")[0] if tok.endswith(("'s", "'")) else tok.replace("'", "")
            if len(tok) < self.min_length or tok in stop or not _HAS_LETTER.search(tok):
                continue
            if fold is not None:
                tok = fold(_SPELLING.get(tok, tok))
                if tok in stop:
                    continue
            out.append(tok)
        return out

    # -- learned collocations ---------------------------------------------------------
    def fit(self, X: Iterable[str], y=None) -> "Preprocessor":
        """Learn collocations from an iterable of texts (read once)."""
        return self.fit_tokens(self.tokenize(text) for text in X)

    def fit_tokens(self, token_lists: Iterable[list[str]]) -> "Preprocessor":
        """Like :meth:`fit`, from the output of :meth:`tokenize` (avoids tokenising twice)."""
        n = 0
        model = None
        if self.phrases:
            model = Phrases(
                min_count=self.phrase_min_count,
                threshold=self.phrase_threshold,
                scoring="npmi",
                connector_words=ENGLISH_CONNECTOR_WORDS,
                delimiter="_",
            )
        batch: list[list[str]] = []
        for tokens in token_lists:
            n += 1
            if model is not None:
                batch.append(tokens)
                if len(batch) >= 2000:  # bounded memory on large corpora
                    model.add_vocab(batch)
                    batch = []
        if model is not None and batch:
            model.add_vocab(batch)
        self.phrases_ = model.freeze() if model is not None else None
        self.n_documents_ = n
        return self

    def join_phrases(self, tokens: list[str]) -> list[str]:
        """Apply the learned collocations to the output of :meth:`tokenize`."""
        phrases = self.phrases_
        return list(phrases[tokens]) if phrases is not None else tokens

    def transform(self, X: Iterable[str]) -> list[list[str]]:
        """Texts → lists of tokens with collocations joined."""
        check_is_fitted(self, "phrases_")
        return [self.join_phrases(self.tokenize(t)) for t in X]

    def iter_transform(self, X: Iterable[str]) -> Iterator[list[str]]:
        """Lazy :meth:`transform`, for streaming large corpora."""
        check_is_fitted(self, "phrases_")
        for text in X:
            yield self.join_phrases(self.tokenize(text))

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_stop_cache", None)
        state.pop("_porter_cache", None)
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


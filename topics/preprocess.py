"""Text → tokens: one fitted object used identically at training and tagging time.

The :class:`Preprocessor` is a scikit-learn transformer: ``fit`` learns
collocations (gensim ``Phrases``) from a corpus, ``transform`` turns texts
into lists of tokens. It is pickled into every bundle, so the tokens a model
was trained on and the tokens it is applied to always come from the same code
and the same learned phrases.
"""

from __future__ import annotations

import copy
import html
from collections.abc import Iterable, Iterator
from functools import partial
from itertools import chain

from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases
from gensim.parsing.preprocessing import STOPWORDS
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from .boilerplate import is_table_token, strip_boilerplate
from .display import (
    DISPLAY_JUNK,
    SurfaceCounter,
    is_display_junk,
    phrase_forms,
    surface_chunk_pairs,
    surface_chunks,
    surface_forms,
)
from .duplicates import find_duplicates  # noqa: F401  (its former home, where callers still import it)
from .normalize import (
    _DOTTED,
    _HAS_LETTER,
    _PUNCTUATION,
    _TAGS,
    _TOKEN,
    _TOKEN_CACHE_SIZE,
    _UNITED_STATES,
    _UNSEEN,
    _undot,
    normalize_text,
)

__all__ = ["Preprocessor", "SurfaceCounter", "normalize_text", "NEWS_STOPWORDS", "DISPLAY_JUNK", "find_duplicates"]

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
    frozenset(STOPWORDS)
    - {"bill", "computer", "fire", "interest", "system", "front", "side", "un", "mill", "con", "cry"}
) | NEWS_STOPWORDS


class _ChunkCache(dict):
    """chunk → its tokens; a missing chunk is cleaned on lookup and remembered (up to a size)."""

    def __init__(self, key: tuple, clean) -> None:
        super().__init__()
        self.key, self.clean, self.tokens = key, clean, {}

    def __missing__(self, chunk: str) -> tuple[str, ...]:
        tokens = self.clean(chunk, self.tokens)
        if len(self) < _TOKEN_CACHE_SIZE:
            self[chunk] = tokens
        return tokens


# British → American spellings of common news words, so "defence" and "defense"
# are one token for topics, themes and seed terms alike.
_SPELLING = {
    "defence": "defense",
    "offence": "offense",
    "licence": "license",
    "programme": "program",
    "armour": "armor",
    "armoured": "armored",
    "organisation": "organization",
    "centre": "center",
    "normalisation": "normalization",
    "stabilisation": "stabilization",
    "travellers": "travelers",
    "traveller": "traveler",
    "harbour": "harbor",
    "neighbour": "neighbor",
    "neighbouring": "neighboring",
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
    boilerplate : bool, default=True
        Leave number and table lines and table abbreviations (``vs``, ``qtr``, ``4th``) out
        of the topic tokens (:meth:`topic_tokenize`; see :mod:`topics.boilerplate`), so
        collocations of them are not learned and they cannot fill a topic. :meth:`tokenize`,
        which the theme classifier reads, keeps them.

    Attributes
    ----------
    phrases_ : gensim.models.phrases.FrozenPhrases or None
        The learned collocation model.
    n_documents_ : int
        Number of documents seen by ``fit``.
    surface_forms_ : dict of str to str
        Token → the form it most often had in the text (``hama`` → ``Hamas``, ``movy``
        → ``movies``), for tokens whose usual form differs from the token; what
        :meth:`display` shows. Bundles saved before it existed display tokens as they are.
    phrase_forms_ : dict of str to str
        Phrase token → its form in one case, where its words' own forms mix cases
        (``industrial_relation`` → "industrial relations", not "industrial Relations"; see
        :func:`topics.display.phrase_forms`).
    name_words_ : dict of str to None
        Words of phrases that are names (``laden``, ``wale``), as keys: :meth:`is_name`.
    """

    def __init__(
        self,
        normalize: str | None = "plural",
        phrases: bool = True,
        phrase_min_count: int = 5,
        phrase_threshold: float = 0.5,
        min_length: int = 2,
        extra_stopwords: Iterable[str] = (),
        boilerplate: bool = True,
    ) -> None:
        self.normalize = normalize
        self.phrases = phrases
        self.phrase_min_count = phrase_min_count
        self.phrase_threshold = phrase_threshold
        self.min_length = min_length
        self.extra_stopwords = extra_stopwords
        self.boilerplate = boilerplate

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

        Markup is stripped and HTML entities decoded, possessives dropped
        (``erdogan's`` → ``erdogan``), stop words and tokens without a letter
        removed, word forms folded.
        """
        if "&" in text:  # HTML entities: "&amp;" is not the word "amp"; "&lt;b&gt;" is a tag
            text = html.unescape(text)
        text = normalize_text(text)
        if "<" in text:
            text = _TAGS.sub(" ", text)
        if "united states" in text:
            text = _UNITED_STATES.sub("usa", text)
        # No token spans whitespace, so each distinct whitespace-delimited chunk
        # ("talks,", "u.s.-backed", "erdogan's") is cleaned once per preprocessor and
        # remembered: news vocabulary is Zipfian, and a dictionary lookup per chunk
        # (all in C: split, map, chain) is several times faster than running the
        # token regexes over every text.
        key = (self.normalize, self.min_length, tuple(self.extra_stopwords))
        cache = getattr(self, "_chunk_cache", None)
        if cache is None or cache.key != key:  # first call, or set_params changed how tokens are cleaned
            self._stop_cache = None
            cache = self._chunk_cache = _ChunkCache(key, self._clean_chunk)
        return list(chain.from_iterable(map(cache.__getitem__, text.split())))

    def _clean_chunk(self, chunk: str, seen: dict) -> tuple[str, ...]:
        """The tokens a whitespace-free piece of normalised text becomes (``seen``: token cache)."""
        core = chunk.strip(_PUNCTUATION)
        if core.isalnum():  # "talks," or "(reuters)": one token, no regex needed
            tokens = [core]
        elif not _HAS_LETTER.search(chunk):  # numbers and punctuation: every token needs a letter
            return ()
        else:
            tokens = _TOKEN.findall(_DOTTED.sub(_undot, chunk) if "." in chunk else chunk)
        out = []
        for tok in tokens:
            clean = seen.get(tok, _UNSEEN)
            if clean is _UNSEEN:
                clean = self._clean_token(tok)
                if len(seen) < _TOKEN_CACHE_SIZE:
                    seen[tok] = clean
            if clean is not None:
                out.append(clean)
        return tuple(out)

    def _clean_token(self, tok: str) -> str | None:
        """The token ``tok`` becomes, or None if it is dropped."""
        if "'" in tok:  # possessives and elisions: erdogan's, erdogans', l'express
            tok = tok.split("'")[0] if tok.endswith(("'s", "'")) else tok.replace("'", "")
        if len(tok) < self.min_length:
            return None
        stop = self._stopwords()
        if tok in stop or not _HAS_LETTER.search(tok):
            return None
        fold = self._folder()
        if fold is not None:
            tok = fold(_SPELLING.get(tok, tok))
            if tok in stop:
                return None
        return tok

    def topic_tokenize(self, text: str, tokens: list[str] | None = None) -> list[str]:
        """Tokens of ``text`` for the topic model, before collocations are joined.

        :meth:`tokenize` of the text without its number and table lines, and without table
        abbreviations and ordinals (see :mod:`topics.boilerplate`); the same as
        :meth:`tokenize` with ``boilerplate=False`` (and for bundles saved before it).
        ``tokens``, the text's :meth:`tokenize` output when the caller has it, is reused
        when the text has no table line.
        """
        if not getattr(self, "boilerplate", False):
            return self.tokenize(text) if tokens is None else tokens
        clean = strip_boilerplate(text, self._stopwords())
        if tokens is None or clean is not text:
            tokens = self.tokenize(clean)
        return [t for t in tokens if not is_table_token(t)]

    def topic_tokens(self, text: str, tokens: list[str] | None = None) -> list[str]:
        """What the topic model reads of ``text``: :meth:`topic_tokenize`, collocations joined."""
        return self.join_phrases(self.topic_tokenize(text, tokens))

    # -- display forms (what a reader sees; matching always uses the tokens) ----------
    def surface_pairs(self, text: str) -> Iterator[tuple[str, str]]:
        """``(token, surface form)`` of each word of ``text`` that :meth:`tokenize` keeps.

        The surface form is the word as written, case kept and possessive dropped
        (``Hamas's`` → ``("hama", "Hamas")``). Count them over a corpus (or use
        :meth:`surface_counter`) and pass the counts to :meth:`fit_tokens` to learn
        :attr:`surface_forms_`.
        """
        key = (self.normalize, self.min_length, tuple(self.extra_stopwords))
        cache = getattr(self, "_surface_cache", None)
        if cache is None or cache.key != key:
            cache = self._surface_cache = _ChunkCache(key, partial(surface_chunk_pairs, clean_token=self._clean_token))
        return chain.from_iterable(map(cache.__getitem__, surface_chunks(text)))

    def surface_counter(self) -> SurfaceCounter:
        """A counter of :meth:`surface_pairs` over many texts, cheaper than counting pairs
        one by one: see :class:`SurfaceCounter`."""
        return SurfaceCounter(self)

    def display(self, token: str) -> str:
        """How ``token`` is shown to a reader: its usual surface form (``hama`` → ``Hamas``);
        a phrase's words each so, joined by spaces (``bin_laden`` → ``bin Laden``)."""
        forms = getattr(self, "surface_forms_", None) or {}
        if "_" not in token:
            return forms.get(token, token)
        phrase = (getattr(self, "phrase_forms_", None) or {}).get(token)  # None in bundles saved before it
        return phrase or " ".join(forms.get(part, part) for part in token.split("_"))

    def is_name(self, token: str) -> bool:
        """Whether a word of a phrase is a name's piece (``wale`` of ``new_south wale``), which
        a topic's top words join to its phrase when shown; bundles saved before this tell by
        the capital of the word's usual form."""
        names = getattr(self, "name_words_", None)
        return token in names if names is not None else self.display(token)[:1].isupper()

    @staticmethod
    def is_display_junk(token: str) -> bool:
        """Whether ``token`` (or a word of a phrase) is a contraction left by dropping an
        apostrophe (``im``, ``dont_know``): kept for matching, never shown as a topic word."""
        return is_display_junk(token)

    # -- learned collocations ---------------------------------------------------------
    def fit(self, X: Iterable[str], y=None) -> Preprocessor:
        """Learn collocations and display forms from an iterable of texts (read once)."""
        surface = self.surface_counter()

        def tokens() -> Iterator[list[str]]:
            for text in X:
                surface.add(text)
                yield self.topic_tokenize(text)

        return self.fit_tokens(tokens(), surface_counts=surface)

    def fit_tokens(self, token_lists: Iterable[list[str]], surface_counts=None) -> Preprocessor:
        """Like :meth:`fit`, from the output of :meth:`topic_tokenize` (avoids tokenising twice).

        ``surface_counts`` (a :class:`SurfaceCounter`, or a ``Counter`` of
        :meth:`surface_pairs`, read after ``token_lists`` is consumed) teaches
        :attr:`surface_forms_`; without it no display forms are learned.
        """
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
        if isinstance(surface_counts, SurfaceCounter):
            surface_counts = surface_counts.pairs()
        self.surface_forms_ = surface_forms(surface_counts or {})
        self.phrase_forms_, self.name_words_ = phrase_forms(
            self.phrases_.phrasegrams if self.phrases_ is not None else (), surface_counts or {}, self.surface_forms_
        )
        return self

    def join_phrases(self, tokens: list[str]) -> list[str]:
        """Apply the learned collocations to the output of :meth:`topic_tokenize`."""
        phrases = getattr(self, "phrases_", _UNSEEN)  # not check_is_fitted: this runs once per article
        if phrases is _UNSEEN:
            raise NotFittedError("This Preprocessor has not learned its collocations yet: call fit first.")
        return list(phrases[tokens]) if phrases is not None else tokens

    def transform(self, X: Iterable[str]) -> list[list[str]]:
        """Texts → the topic model's tokens (:meth:`topic_tokens`)."""
        check_is_fitted(self, "phrases_")
        return [self.topic_tokens(t) for t in X]

    def iter_transform(self, X: Iterable[str]) -> Iterator[list[str]]:
        """Lazy :meth:`transform`, for streaming large corpora."""
        check_is_fitted(self, "phrases_")
        for text in X:
            yield self.topic_tokens(text)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_stop_cache", None)
        state.pop("_porter_cache", None)
        state.pop("_chunk_cache", None)
        state.pop("_surface_cache", None)
        phrases = state.get("phrases_")
        if phrases is not None:
            # The same corpus must give the same bundle bytes: a frozenset pickles in hash
            # order (which changes between processes) and gensim logs timestamps.
            phrases = copy.copy(phrases)
            phrases.connector_words = tuple(sorted(phrases.connector_words))
            phrases.lifecycle_events = []
            state["phrases_"] = phrases
        return state

    def __setstate__(self, state: dict) -> None:
        phrases = state.get("phrases_")
        if phrases is not None and isinstance(phrases.connector_words, tuple):
            phrases.connector_words = frozenset(phrases.connector_words)
        self.__dict__.update(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

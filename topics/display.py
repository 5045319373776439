"""Display forms: how a token is shown to a reader (``hama`` → ``Hamas``, ``bin_laden`` →
``bin Laden``), learned from how the corpus writes each word. Matching and modelling always
use the tokens; only what people read changes."""

from __future__ import annotations

import html
from collections import Counter
from typing import TYPE_CHECKING

from .normalize import _HAS_LETTER, _PUNCTUATION, _TAGS, _TOKEN, _TOKEN_CACHE_SIZE, _UNSEEN, normalize_text

if TYPE_CHECKING:
    from .preprocess import Preprocessor

__all__ = [
    "DISPLAY_JUNK",
    "SURFACE_MIN_COUNT",
    "SurfaceCounter",
    "is_display_junk",
    "surface_chunk_pairs",
    "surface_chunks",
    "surface_forms",
]

# Contractions whose apostrophe the tokenizer drops ("I'm" -> "im", "don't" -> "dont"):
# tokens as trained (matching and modelling are unchanged), but never shown as topic words.
DISPLAY_JUNK = frozenset(
    """
    im ive youre youve youll youd hes shes theyre theyve theyll theyd weve dont doesnt didnt
    isnt arent wasnt werent havent hasnt hadnt cant couldnt wouldnt shouldnt wont mustnt neednt
    aint thats theres whats whos lets heres hows wheres itll thatll
    """.split()
)
SURFACE_MIN_COUNT = 2  # a token's display form is learned once it has been seen this often


def is_display_junk(token: str) -> bool:
    """Whether ``token`` (or a word of a phrase) is a contraction left by dropping an
    apostrophe (``im``, ``dont_know``): kept for matching, never shown as a topic word."""
    return any(part in DISPLAY_JUNK for part in token.split("_"))


def surface_chunk_pairs(chunk: str, seen: dict, clean_token) -> tuple[tuple[str, str], ...]:
    """``(token, surface form)`` of each word of one whitespace-delimited chunk, cleaned as
    the tokenizer cleans it (``clean_token``: ``Preprocessor._clean_token``); ``seen``
    remembers raw word → token."""
    core = chunk.strip(_PUNCTUATION)
    if core.isalnum():  # as _clean_chunk: most chunks are one word
        if not _HAS_LETTER.search(core):
            return ()
        raws = (core,)
    else:
        raws = _TOKEN.findall(chunk)
    out = []
    for raw in raws:
        if "'" in raw:  # as _clean_token: possessives and elisions
            raw = raw.split("'")[0] if raw.lower().endswith(("'s", "'")) else raw.replace("'", "")
        clean = seen.get(raw, _UNSEEN)
        if clean is _UNSEEN:
            clean = clean_token(raw.lower())
            if len(seen) < _TOKEN_CACHE_SIZE:
                seen[raw] = clean
        if clean is not None:
            out.append((clean, raw))
    return tuple(out)


def surface_chunks(text: str) -> list[str]:
    """The whitespace-delimited chunks of ``text`` as written (entities decoded, markup
    dropped, typography folded, case kept)."""
    if "&" in text:
        text = html.unescape(text)
    text = normalize_text(text, lower=False)
    if "<" in text:
        text = _TAGS.sub(" ", text)
    return text.split()


class SurfaceCounter:
    """Counts :meth:`Preprocessor.surface_pairs` over a corpus, one text at a time.

    Texts are counted as whitespace-delimited chunks (a C-speed ``Counter`` update);
    each distinct chunk is turned into pairs once, when the chunk counts are folded into
    the pair counts: at :meth:`pairs`, and whenever more than ``max_chunks`` distinct
    chunks are held, so memory stays bounded on large corpora.
    """

    def __init__(self, preprocessor: Preprocessor, max_chunks: int = 500_000) -> None:
        self.preprocessor, self.max_chunks = preprocessor, max_chunks
        self._chunks: Counter = Counter()
        self._pairs: Counter = Counter()

    def add(self, text: str) -> None:
        self._chunks.update(surface_chunks(text))
        if len(self._chunks) > self.max_chunks:
            self._fold()

    def _fold(self) -> None:
        pairs, lookup = self._pairs, self.preprocessor.surface_pairs
        for chunk, n in self._chunks.items():
            for pair in lookup(chunk):
                pairs[pair] += n
        self._chunks.clear()

    def pairs(self):
        """``Counter`` of ``(token, surface form)`` over every text added."""
        self._fold()
        return self._pairs


def surface_forms(counts) -> dict[str, str]:
    """Token → its most frequent surface form (ties: the first in sorted order), where that
    differs from the token and the token was seen at least :data:`SURFACE_MIN_COUNT` times."""
    best: dict[str, tuple[int, str]] = {}
    total: dict[str, int] = {}
    for (token, form), n in counts.items():
        total[token] = total.get(token, 0) + n
        current = best.get(token)
        if current is None or n > current[0] or (n == current[0] and form < current[1]):
            best[token] = (n, form)
    return {t: best[t][1] for t in sorted(best) if best[t][1] != t and total[t] >= SURFACE_MIN_COUNT}

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
    "phrase_forms",
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


def phrase_forms(phrases, counts, forms: dict[str, str]) -> dict[str, str]:
    """Phrase token → its display form, for phrases whose words' own forms mix cases.

    Each word's usual form is learned alone (:func:`surface_forms`), so a phrase can mix
    cases: ``industrial_relation`` showed as "industrial Relations", since "Industrial
    Relations Commission" writes "relations" capitalised more often than any one lower-case
    form. The phrase is shown in one case when its words allow it: in lower case when each
    capitalised word is written in lower case at least a third of the time ("industrial
    relations"), else capitalised when each lower-case word is capitalised at least a third
    of the time ("Royal Commission"). Names stay as written ("Osama bin", "Palestinian leader").

    Parameters
    ----------
    phrases : iterable of str
        Phrase tokens (``"industrial_relation"``).
    counts : Counter
        ``(token, surface form) → count``, as for :func:`surface_forms`.
    forms : dict
        :func:`surface_forms` of the same counts.
    """
    phrases = sorted(phrases)
    words = {w for phrase in phrases for w in phrase.split("_")}
    total: dict[str, int] = {}
    lower: dict[str, int] = {}
    best: dict[tuple[str, bool], tuple[int, str]] = {}  # (word, lower case?) -> (count, its most frequent form)
    for (token, form), n in counts.items():
        if token not in words:
            continue
        total[token] = total.get(token, 0) + n
        is_lower = form.islower()
        lower[token] = lower.get(token, 0) + n * is_lower
        current = best.get((token, is_lower))
        if current is None or n > current[0] or (n == current[0] and form < current[1]):
            best[(token, is_lower)] = (n, form)

    def lower_share(word: str) -> float:
        return lower.get(word, 0) / total[word] if total.get(word) else 1.0

    out = {}
    for phrase in phrases:
        parts = phrase.split("_")
        shown = [forms.get(w, w) for w in parts]
        caps = [not s.islower() for s in shown]
        if all(caps) or not any(caps):
            continue
        # a word changes case to its most frequent form in the other case ("States" -> "state")
        if all(lower_share(w) >= 1 / 3 for w, c in zip(parts, caps) if c):
            out[phrase] = " ".join(best[(w, True)][1] if c else s for w, s, c in zip(parts, shown, caps))
        elif all(1 - lower_share(w) >= 1 / 3 for w, c in zip(parts, caps) if not c):
            out[phrase] = " ".join(s if c else best[(w, False)][1] for w, s, c in zip(parts, shown, caps))
    return out

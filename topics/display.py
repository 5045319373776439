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
    "join_split_phrases",
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


def phrase_forms(phrases, counts, forms: dict[str, str]) -> tuple[dict[str, str], dict[str, None]]:
    """Phrase token → its display form, for phrases whose words' own forms mix cases; and the
    words of phrases that are names (written in lower case less than a third of the time).

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

    Returns
    -------
    dict, dict
        The phrases' display forms, and the names among their words as a dict's keys, in
        sorted order so that a bundle's bytes do not depend on the hash seed (``laden``, ``wale``,
        ``hih``, not ``union``: "Union" leads its forms but "union" is a third of them), which
        :func:`join_split_phrases` joins to a phrase.
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
    return out, dict.fromkeys(sorted(w for w in words if lower_share(w) < 1 / 3))


def join_split_phrases(tokens: list[str], phrases, is_name, longest: int = 3) -> list[tuple[int, list[str]]]:
    """Join a topic's top tokens that are pieces of one name, for display.

    Collocations are learned as word pairs, so "New South Wales" is the phrase ``new_south``
    next to the word ``wale``, and "Osama bin Laden" is ``osama_bin`` next to ``laden`` or
    ``bin_laden``: among a topic's top words they showed apart ("New South, Wales"). Two
    tokens join, up to ``longest`` words, when one holds the other or they share a word
    (``osama_bin`` + ``bin_laden``), or when a phrase's last word and a single word that is a
    name (``is_name``) form a learned phrase (``south_wale`` in ``phrases``; a name's piece,
    not a common word: "Al Qaeda" stays apart from "fighters"). A word held in a joined name
    is not repeated if it is a name too ("Laden" beside "Osama bin Laden").

    Returns
    -------
    list of (int, list of str)
        Per item shown, in order: the index in ``tokens`` of its first piece (whose place and
        weight it takes) and its words; a token that joined an earlier one is not repeated.
    """
    parts = [token.split("_") for token in tokens]
    used = [False] * len(tokens)
    out = []
    for i in range(len(tokens)):
        if used[i]:
            continue
        used[i] = True
        words = parts[i]
        j = i + 1
        while j < len(tokens):
            if not used[j]:
                joined = _join(words, parts[j], phrases, is_name) or _join(parts[j], words, phrases, is_name)
                if joined is not None and len(joined) <= longest:
                    words, used[j] = joined, True
                    j = i  # look again: the longer name may now join a piece passed over
            j += 1
        out.append((i, words))
    return out


def _join(first: list[str], second: list[str], phrases, is_name) -> list[str] | None:
    """``first`` continued by ``second``: holding it (``osama bin laden`` + ``laden``), sharing
    words (``osama bin`` + ``bin laden``), or a name's piece across a learned phrase (``new
    south`` + ``wale``); None when none holds."""
    # held: a phrase, or a name's piece in a name joined from pieces; not a word of one learned
    # pair ("bank" beside "west bank") nor a common word ("workers" beside "maintenance workers union")
    held = len(second) > 1 or (len(first) > 2 and is_name(second[0]))
    if held and any(first[k : k + len(second)] == second for k in range(len(first) - len(second) + 1)):
        return first
    for k in range(min(len(first), len(second)) - 1, 0, -1):  # each keeps a word of its own
        if first[-k:] == second[:k]:
            return first + second[k:]
    single = first if len(first) == 1 else second if len(second) == 1 else None
    if single is not None and len(first) + len(second) > 2 and f"{first[-1]}_{second[0]}" in phrases:
        return first + second if is_name(single[0]) else None
    return None

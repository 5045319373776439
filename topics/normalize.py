"""Text normalisation shared by the tokenizer and the display forms: Unicode and
typography folded, and the patterns that find words, markup and dotted abbreviations."""

from __future__ import annotations

import re
import string
import unicodedata

__all__ = ["normalize_text"]

# Typographic variants folded before tokenising, so “Erdogans’” == "Erdogans'".
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00ad": None,  # soft hyphen
        # Turkish capital dotted I: lower() makes it "i" + a combining dot, which splits words.
        "\u0130": "i",
    }
)
_FOLDABLE = re.compile("[" + re.escape("".join(map(chr, _FOLD))) + "]")
# A token is letters/digits, optionally joined by inner hyphens or apostrophes:
# keeps "s-400", "nagorno-karabakh", "al-assad", "o'brien".
_TOKEN = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_PUNCTUATION = string.punctuation  # stripped from a chunk's ends: a token is [^\W_] (isalnum) runs
_HAS_LETTER = re.compile(r"[^\W\d_]")
_TAGS = re.compile(r"<[^>]{0,200}>")
# Dotted abbreviations ("U.S.", "U.N.") become one token ("usa", "un").
_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}")
_UNITED_STATES = re.compile(r"\bunited states\b")


def _undot(match: re.Match) -> str:
    word = match.group(0).replace(".", "")
    return "usa" if word == "us" else word


def normalize_text(text: str, lower: bool = True) -> str:
    """NFKC-normalise, fold typographic quotes and dashes, lowercase (unless ``lower=False``)."""
    if text.isascii():  # already NFKC; the backtick is the only ASCII character folded
        text = text.replace("`", "'") if "`" in text else text
        return text.lower() if lower else text
    text = unicodedata.normalize("NFKC", text)
    # str.replace per character present, not str.translate: translate looks up every
    # character of the text in a dict, several times slower on long articles.
    for char in set(_FOLDABLE.findall(text)):
        text = text.replace(char, _FOLD[ord(char)] or "")
    return text.lower() if lower else text


# Both the tokenizer's and the display forms' chunk caches:
_TOKEN_CACHE_SIZE = 200_000  # distinct chunks (and tokens) remembered: ~40 MB at most
_UNSEEN = object()

"""Wire boilerplate that should never become a topic: number and table lines, stock-table lingo.

Business wires carry results tables ("Shr 52 cts vs 41 cts", "Net 1,234,000 vs 987,000",
"Qtly div 12 cts vs 12 cts prior / Pay April 15 / Record April 1") in thousands of
articles. Their words co-occur so regularly that a phrase learner joins them
(``vs_ct``, ``shr_ct``, ``qtly_div``, ``pay_record``) and LDA gives them whole topics,
which no analyst reads. This module recognises them in the raw text, before tokens,
phrases and topics: a line is boilerplate when it holds a number and is made (almost)
only of numbers and table words. Only the topic model's input is filtered; the theme
classifier reads the text as it is (a results table is evidence that an article is
about earnings).
"""

from __future__ import annotations

import re

__all__ = ["TABLE_WORDS", "NUMBER_WORDS", "TABLE_TOKENS", "is_table_line", "strip_boilerplate", "is_table_token"]

# Words of results, dividend and commodity tables (lowercase, as they appear in the text).
TABLE_WORDS = frozenset(
    """
    shr shrs ct cts vs net loss losses profit profits rev revs revenue revenues sales qtr qtrs qtly
    div divs dividend pay payable record prior avg oper mth mths dlr dlrs mln bln pct
    nil prev note primary diluted fully extraordinary
    jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july
    august september october november december
    """.split()
)
# Numbers spelt out, as wire tables sometimes do ("Qtly div eight cts vs eight cts prior / Pay April one").
NUMBER_WORDS = frozenset(
    """
    zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
    seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand
    half halves quarter quarters third thirds eighth eighths eights
    """.split()
)
# Tokens (after plural folding) that carry no topic even in prose: table abbreviations.
TABLE_TOKENS = frozenset("vs ct cts shr qtr qtly div mth dlr rev oper avg prev nil yr".split())
# Ordinals, amounts and ages: 4th, 1990(s), 5bn, 600m, 10p, 5pc, 31-year-old.
_NUMBER_TOKEN = re.compile(r"\d[\d.,]*(?:st|nd|rd|th|s|bn|mn|m|k|p|pc)?|\d+-year-old")
_DIGIT = re.compile(r"\d")
_EDGES = "()[]{}<>,.;:!?\"'*$£€%+-/"
_MIN_TABLE_SHARE = 0.8  # numbers + table words among a line's non-stop words
_MIN_NUMBER_SHARE = 0.5  # numbers in digits alone among a line's non-stop words
_SHORT_LINE = 12  # spaces: a line without digits is checked for spelt-out numbers only when shorter


def _kind(chunk: str, stop: frozenset[str]) -> str | None:
    """'number', 'table', 'word', or None for a stop word or punctuation."""
    if chunk.startswith("<") and chunk.endswith(">"):  # a ticker, <IBM>
        return "table"
    core = chunk.strip(_EDGES).lower()
    if not core:
        return None
    if _DIGIT.search(core):
        return "number" if sum(c.isalpha() for c in core) <= 2 else "word"  # 12.5, 4th, 10p, 3bn; not s-400x
    if core in NUMBER_WORDS:
        return "number word"
    if core in TABLE_WORDS:
        return "table"
    if core in stop:
        return None
    return "word"


def is_table_line(line: str, stop: frozenset[str] = frozenset()) -> bool:
    """Whether a line of text is a number or table line (see the module docstring).

    ``stop`` words count neither way ("Pay April 15" and "Feb 872.0, March 164.6" are table
    lines; "He scored 2 goals" is not).
    """
    kinds = [k for k in (_kind(c, stop) for c in line.split()) if k is not None]
    digits = kinds.count("number")
    numbers = digits + kinds.count("number word")  # "one third of the market" is prose: words count for tables only
    if not numbers:
        return False
    table = kinds.count("table")
    return (numbers + table) >= _MIN_TABLE_SHARE * len(kinds) or digits >= _MIN_NUMBER_SHARE * len(kinds)


def strip_boilerplate(text: str, stop: frozenset[str] = frozenset()) -> str:
    """``text`` without its number and table lines (the same string when it has none)."""
    lines = text.splitlines()
    # Table lines are short or hold digits: long lines of words are prose, not worth a look.
    kept = [
        line
        for line in lines
        if not ((_DIGIT.search(line) or line.strip().count(" ") < _SHORT_LINE) and is_table_line(line, stop))
    ]
    return text if len(kept) == len(lines) else "\n".join(kept)


def is_table_token(token: str) -> bool:
    """A token that carries no topic: a table abbreviation (``vs``, ``qtr``), an ordinal, an
    amount or an age (``4th``, ``5bn``, ``600m``, ``31-year-old``); ``g7``, ``mp3``, ``s-400`` are words."""
    return token in TABLE_TOKENS or bool(_NUMBER_TOKEN.fullmatch(token))

"""Property-based tests: the preprocessor and the corpus readers on arbitrary Unicode."""

from __future__ import annotations

import csv
import io
import json
import pickle
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topics.corpus import Corpus
from topics.preprocess import Preprocessor, normalize_text

# A loaded machine must not turn a slow example into a failure; the examples stay few and small.
settings.register_profile("topics", deadline=None, max_examples=150)
settings.load_profile("topics")

PRE = Preprocessor()
# Text that looks like news now and then: words, punctuation, markup, entities and odd code points.
newsy = st.lists(
    st.one_of(
        st.text(max_size=12),
        st.sampled_from(
            [
                "U.S.",
                "S-400",
                "Erdoğan's",
                "İstanbul",
                "ılık",
                "&amp;",
                "<b>",
                "</p>",
                "defences",
                "countries",
                "\u00ad",
                "\ufeff",
                "\r\n",
                "'",
                "-",
                "ﬁnance",
                "Ⅻ",
                "ǅ",
                "ΐ",
                "ẞ",
            ]
        ),
    ),
    max_size=30,
).map(" ".join)


@given(st.one_of(st.text(), newsy))
def test_tokenize_never_raises_and_is_deterministic(text):
    tokens = PRE.tokenize(text)
    assert tokens == PRE.tokenize(text)
    assert tokens == pickle.loads(pickle.dumps(PRE)).tokenize(text)  # as saved in a bundle
    assert all(isinstance(t, str) and len(t) >= PRE.min_length and " " not in t for t in tokens)


@given(st.one_of(st.text(), newsy))
def test_tokens_survive_a_second_pass(text):
    # Tokens are already lowercase, folded and free of stop words: tokenising them again keeps them.
    tokens = PRE.tokenize(text)
    assert PRE.tokenize(" ".join(tokens)) == tokens


@given(st.one_of(st.text(), newsy))
def test_normalize_text_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once


def _expected(text: str) -> str:
    """The documented repairs: a leading BOM dropped, line endings made "\\n", outer whitespace stripped."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").strip()


records = st.lists(
    st.fixed_dictionaries(
        {
            "text": st.text(),
            "title": st.one_of(st.none(), st.text(max_size=20)),
            "labels": st.one_of(st.none(), st.lists(st.text(max_size=8), max_size=3)),
        }
    ),
    min_size=1,
    max_size=8,
)


@given(records, st.booleans())
def test_jsonl_round_trips_text_fields(rows, ascii_only):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "news.jsonl"
        path.write_text(
            "".join(json.dumps({"id": f"r{i}", **r}, ensure_ascii=ascii_only) + "\n" for i, r in enumerate(rows)),
            encoding="utf-8",
        )
        corpus = Corpus(path)
        articles = list(corpus)
    kept = [(i, r) for i, r in enumerate(rows) if _expected(r["text"])]
    assert [a.id for a in articles] == [f"r{i}" for i, _ in kept]
    for article, (_, r) in zip(articles, kept):
        assert article.text == _expected(r["text"])
        assert article.title == ((r["title"] or "").strip() or None)
        assert article.labels == (None if r["labels"] is None else tuple(s.strip() for s in r["labels"] if s.strip()))
    assert corpus.report.n_skipped == len(rows) - len(kept)  # only empty texts are skipped
    assert corpus.report.n_read == len(kept)


@given(st.lists(st.text(), min_size=1, max_size=8))
def test_csv_round_trips_text(texts):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["id", "text"])
    writer.writerows([f"r{i}", t] for i, t in enumerate(texts))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "news.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        articles = list(Corpus(path))
    kept = [(i, t) for i, t in enumerate(texts) if _expected(t)]
    assert [(a.id, a.text) for a in articles] == [(f"r{i}", _expected(t)) for i, t in kept]


def _reference_tokens(pre: Preprocessor, text: str) -> list[str]:
    """The tokenizer's definition, applied to the whole text at once (no chunk cache)."""
    import html
    import re
    import unicodedata

    from topics.normalize import _FOLD, _TAGS, _TOKEN

    def undot(m: re.Match) -> str:
        word = m.group(0) if " " in m.group(0) else m.group(0).replace(".", "")
        return {"us": "usa", "united states": "usa"}.get(word, word)

    if "&" in text:
        text = html.unescape(text)
    text = _TAGS.sub(" ", unicodedata.normalize("NFKC", text).translate(_FOLD).lower())
    text = re.sub(r"\b(?:[a-z]\.){2,}|\bunited states\b", undot, text)
    return [c for tok in _TOKEN.findall(text) if (c := pre._clean_token(tok)) is not None]


dotted = st.lists(
    st.sampled_from(
        [
            "U.S.-backed",
            "anti-U.S.",
            "e.g.",
            "u.s.a.",
            "x-u.s.",
            "_u.s.",
            "3u.s.",
            "United States",
            "united  states",
            "united statesman",
            "`quoted`",
            "&lt;b&gt;",
        ]
    ),
    max_size=6,
).map(" ".join)


@given(st.one_of(st.text(), newsy, dotted, st.lists(st.one_of(newsy, dotted), max_size=3).map("\n".join)))
def test_tokenize_matches_its_whole_text_definition(text):
    # tokenize() cleans whitespace-delimited chunks and caches them: the tokens must be
    # exactly those of the regex definition run over the whole text, cached or not.
    fresh = Preprocessor()
    expected = _reference_tokens(fresh, text)
    assert fresh.tokenize(text) == expected
    assert PRE.tokenize(text) == expected


@pytest.mark.parametrize("text", ["", " ", "\x00", "\ud800", "a" * 100_000])
def test_tokenize_edge_cases(text):
    assert isinstance(PRE.tokenize(text), list)

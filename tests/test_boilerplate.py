"""Number and table lines, tickers and table abbreviations stay out of the topic tokens."""

from topics.boilerplate import is_table_line, is_table_token, strip_boilerplate
from topics.preprocess import STOP_WORDS, Preprocessor

EARNINGS = """HANDY AND HARMAN <HNH> 4TH QTR LOSS

Shr loss 51 cts vs loss three cts
    Net loss 7,041,000 vs loss 467,000
    Rev 138.9 mln vs 131.4 mln
    Qtly div 12 cts vs 12 cts prior
    Pay April 15
    Record April 1
    The company said the loss came from restructuring its refining business."""


def test_table_lines_are_recognised_and_prose_is_kept():
    for line in (
        "Shr loss 51 cts vs loss three cts",
        "Net loss 7,041,000 vs loss 467,000",
        "Pay April 15",
        "Record April 1",
        "Qtly div 12 cts vs 12 cts prior",
        "Feb 872.0, March 164.6, Apr 10.0",
        "Result: 6-3 6-4",
        "Qtly div eight cts vs eight cts prior",
        "Pay April one",
    ):
        assert is_table_line(line, STOP_WORDS), line
    for line in (
        "He scored 2 goals in the final against Chelsea.",
        "13.5 billion dlrs in assets and deposits held by",
        "HANDY AND HARMAN <HNH> 4TH QTR LOSS",
        "Showers continued throughout the week in",
        "The company has one third of the market",
        "He won two of his three matches in 2004",
    ):
        assert not is_table_line(line, STOP_WORDS), line


def test_strip_boilerplate_keeps_text_without_tables_unchanged():
    text = "Oil prices rose.\nOPEC met in Vienna."
    assert strip_boilerplate(text) is text
    stripped = strip_boilerplate(EARNINGS, STOP_WORDS)
    assert "Shr loss" not in stripped and "Pay April" not in stripped
    assert "restructuring its refining business" in stripped and stripped.startswith("HANDY AND HARMAN")


def test_topic_tokens_drop_tables_but_the_classifier_tokens_keep_them():
    pre = Preprocessor()
    words = pre.tokenize(EARNINGS)
    topic = pre.topic_tokenize(EARNINGS, words)
    assert {"shr", "cts", "vs", "qtly", "div"} <= set(words)  # what the theme classifier reads is unchanged
    assert not {"shr", "cts", "vs", "qtly", "div", "qtr", "4th"} & set(topic)
    assert {"restructuring", "refining", "harman"} <= set(topic)
    assert pre.topic_tokenize(EARNINGS) == topic  # with or without the tokens at hand
    assert Preprocessor(boilerplate=False).topic_tokenize(EARNINGS) == words
    assert is_table_token("3rd") and is_table_token("vs") and is_table_token("5bn") and is_table_token("31-year-old")
    assert not any(map(is_table_token, ("s-400", "g7", "mp3", "3g", "p2p")))


def test_collocations_of_tables_are_not_learned():
    texts = [EARNINGS.replace("HANDY AND HARMAN", f"COMPANY {i}") for i in range(30)]
    texts += [f"Air defense systems were bought by country {i} in a large air defense deal." for i in range(30)]
    pre = Preprocessor(phrase_min_count=3).fit(texts)
    joined = {t for doc in pre.transform(texts) for t in doc if "_" in t}
    assert "air_defense" in joined
    assert not {t for t in joined if {"vs", "cts", "shr", "qtly", "div", "pay", "record"} & set(t.split("_"))}

"""Tests for topics.corpus: readers, detection, robustness, stdin, Reuters-21578."""

import io
import sys
from pathlib import Path

import pytest
from conftest import require_data

from topics.corpus import (
    FORMATS,
    Article,
    ChainCorpus,
    Corpus,
    CorpusError,
    ReadReport,
    default_corpus,
    read_corpus,
    reuters_common_labels,
)

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "corpus"
SEED = HERE.parent / "seeds" / "000_a387a226f6433acf.txt"


def ids(corpus):
    return [a.id for a in corpus]


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# -- data classes ------------------------------------------------------------------------
def test_full_text_adds_title_once():
    assert Article("a", "Body.", title="Head").full_text == "Head\n\nBody."
    assert Article("a", "Head and body.", title="Head").full_text == "Head and body."
    assert Article("a", "Body.").full_text == "Body."


def test_summary():
    assert ReadReport(1).summary() == "read 1 article"
    report = ReadReport(2225, 3, ["bbc/x.txt: empty text"])
    assert report.summary() == "read 2,225 articles, skipped 3 (first: bbc/x.txt: empty text)"
    assert ReadReport(5, 0, ["f:2: invalid UTF-8, replaced"], 1).summary().startswith("read 5 articles, 1 repaired")


def test_summary_counts_skips_and_repairs_apart(tmp_path):
    # a folder with a repaired file and two skipped ones: "skipped 2", not "skipped 2 (first: <the repair>)"
    (tmp_path / "a.txt").write_bytes("Caf\u00e9 owners report record tourist numbers.".encode("latin-1"))
    (tmp_path / "b.txt").write_text("Hotel bookings surge as airlines add routes.")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01")
    (tmp_path / "empty.txt").write_text("")
    corpus = Corpus(tmp_path)
    assert len(list(corpus)) == 2
    summary = corpus.report.summary()
    assert summary.startswith("read 2 articles, skipped 2, 1 repaired (first: "), summary
    assert (corpus.report + ReadReport(1, 0, [], 2)).n_repaired == 3


# -- readers -----------------------------------------------------------------------------
def test_seed_file_header():
    (article,) = Corpus(SEED)
    assert article.id == SEED.stem
    assert article.date == "2021-09-18"
    assert article.title is None
    assert article.text.startswith("Turkish President Recep Tayyip Erdogan")
    assert "date" not in article.text[:20]


@pytest.mark.parametrize(
    "content, title, date, text",
    [
        ("Title: Alpha\nDATE: 2020-05-01\nsource: wire\n\nBody.", "Alpha", "2020-05-01", "Body."),
        ("title  Beta\n\n\nBody.", "Beta", None, "Body."),
        (
            "Ad sales boost Time Warner profit\n\nQuarterly profits jumped.",
            "Ad sales boost Time Warner profit",
            None,
            "Quarterly profits jumped.",
        ),
        # capitalised "key value" lines are headlines, not headers
        ("Title race heats up\n\nThe leaders drew.", "Title race heats up", None, "The leaders drew."),
        ("date set for poll\nand more text\n\nBody.", None, None, "date set for poll\nand more text\n\nBody."),
        ("A sentence that ends with a period.\n\nBody.", None, None, "A sentence that ends with a period.\n\nBody."),
        ("Just one short line", None, None, "Just one short line"),
    ],
)
def test_txt_header_and_title(tmp_path, content, title, date, text):
    (article,) = Corpus(write(tmp_path / "x.txt", content.encode()))
    assert (article.title, article.date, article.text) == (title, date, text)


def test_dir_is_recursive_and_sorted():
    corpus = Corpus(DATA / "docs")
    assert corpus.format == "dir"
    articles = list(corpus)
    assert [a.id for a in articles] == ["a", "c", "sub/b"]
    assert articles[0].title == "Alpha report" and articles[0].date == "2020-05-01"
    assert articles[2].title == "Beta headline" and articles[2].text == "Beta body text."
    assert not corpus.has_labels()


def test_labelled_dir():
    corpus = Corpus(DATA / "labelled")
    assert corpus.format == "labelled-dir"  # README.TXT at the top does not make it a flat dir
    articles = list(corpus)
    assert [(a.id, a.labels) for a in articles] == [
        ("business/001", ("business",)),
        ("sport/001", ("sport",)),
        ("sport/002", ("sport",)),
    ]
    assert articles[2].title == "Date set for final"
    assert corpus.has_labels()


def test_lines():
    corpus = Corpus(DATA / "sample.cor")
    assert corpus.format == "lines"
    assert ids(corpus) == ["sample-1", "sample-3", "sample-4"]


def test_jsonl_skips_and_counts_bad_lines():
    corpus = Corpus(DATA / "news.jsonl")
    articles = list(corpus)
    assert [a.id for a in articles] == ["n1", "news-2", "n1#2"]  # duplicate id made unique
    assert articles[0].labels == ("business", "markets") and articles[0].date == "2021-09-18"
    assert articles[1].labels == ("politics", "world")
    assert articles[2].labels is None
    report = corpus.report
    assert (report.n_read, report.n_skipped) == (3, 3)
    name = DATA / "news.jsonl"
    assert report.problems[0].startswith(f"{name}:3: invalid JSON (Expecting ',' delimiter at column 49")
    assert report.problems[1].startswith(f"{name}:6: no text field: none of text, body, content")
    assert report.problems[1].endswith("(fields: 'id', 'note'; name it with --text-field)")
    assert report.problems[2:] == [f"{name}:7: empty text"]


def test_on_error_fail_names_file_and_line():
    with pytest.raises(CorpusError, match=r"news\.jsonl:3: invalid JSON"):
        list(Corpus(DATA / "news.jsonl", on_error="fail"))


def test_configurable_fields(tmp_path):
    path = write(tmp_path / "x.jsonl", b'{"key": "k1", "body": "Hello.", "tags": "a|b", "headline": "H"}\n')
    (article,) = Corpus(
        path, text_field="body", id_field="key", labels_field="tags", label_sep="|", title_field="headline"
    )
    assert (article.id, article.text, article.labels, article.title) == ("k1", "Hello.", ("a", "b"), "H")


def test_usual_field_names_are_read_without_options(tmp_path):
    # news exports name their fields in many ways: a headline must not be dropped, nor a
    # whole file of {"headline", "body"} records skipped
    path = write(
        tmp_path / "feed.jsonl",
        b'{"guid": "g1", "Headline": "Rebels shell refinery", "Body": "Fighting went on.", "published": "2024-05-01"}\n'
        b'{"id": "g2", "headline": "Ceasefire talks open in Doha", "lead": "Envoys met on Monday."}\n'
        b'{"id": "g3", "headline": "Oil prices jump 5%"}\n',
    )
    a, b, c = Corpus(path)
    assert (a.id, a.title, a.text, a.date) == ("g1", "Rebels shell refinery", "Fighting went on.", "2024-05-01")
    assert (b.title, b.text) == ("Ceasefire talks open in Doha", "Envoys met on Monday.")
    assert (c.title, c.text) == (None, "Oil prices jump 5%")  # a headline-only item is its headline
    assert a.full_text.startswith("Rebels shell refinery\n\n")
    rows = list(Corpus(write(tmp_path / "feed.csv", b"doc_id,headline,content\n7,Pipeline blast,Gas stopped.\n")))
    assert [(r.id, r.title, r.text) for r in rows] == [("7", "Pipeline blast", "Gas stopped.")]


def test_csv():
    corpus = Corpus(DATA / "news.csv")
    articles = list(corpus)
    assert [a.id for a in articles] == ["c1", "c2", "c4"]
    assert articles[0].text == "The central bank held rates.\nIt said inflation was easing."
    assert articles[0].labels == ("economy", "banks")
    assert articles[1].labels == () and articles[1].title is None
    # the ragged row follows a two-line record: its line number counts physical lines
    assert corpus.report.problems == [f"{DATA / 'news.csv'}:5: expected 5 fields, got 3"]


def test_tsv():
    articles = list(Corpus(DATA / "news.tsv"))
    assert [(a.id, a.text, a.labels) for a in articles] == [
        ("t1", "Tab separated text.", ("a", "b")),
        ("t2", 'Second "quoted" row.', ()),
    ]


def test_csv_without_text_column_is_one_skipped_file(tmp_path):
    path = write(tmp_path / "bad.csv", b"id,words\n1,hello\n")
    corpus = Corpus(path, on_error="skip")
    assert list(corpus) == [] and corpus.report.n_skipped == 1
    assert corpus.report.problems[0].startswith(f"{path}:1: no text column: none of text, body")
    with pytest.raises(CorpusError, match=r"bad\.csv:1: no text column.*'id', 'words'"):
        list(Corpus(path, on_error="fail"))
    # a column the user names must be there, under that name
    named = Corpus(write(tmp_path / "named.csv", b"id,text\n1,hello\n"), text_field="body")
    assert list(named) == [] and named.report.problems[0].endswith(":1: no 'body' column (columns: 'id', 'text')")


# -- detection and errors ----------------------------------------------------------------
@pytest.mark.parametrize(
    "name, fmt",
    [
        ("a.jsonl", "jsonl"),
        ("a.ndjson", "jsonl"),
        ("a.csv", "csv"),
        ("a.TSV", "csv"),
        ("a.cor", "lines"),
        ("a.txt", "txt"),
    ],
)
def test_auto_detects_file_suffix(tmp_path, name, fmt):
    corpus = Corpus(write(tmp_path / name, b"text\n"))
    assert corpus.format == fmt
    assert corpus.description == f"{fmt}:{(tmp_path / name).resolve()}"


def test_auto_detects_reuters_layout(tmp_path):
    write(tmp_path / "reut2-000.sgm", b"")
    assert Corpus(tmp_path).format == "reuters21578"


def test_unsupported_suffix(tmp_path):
    with pytest.raises(CorpusError, match="txt, dir, lines, jsonl, json, csv, xml, labelled-dir, reuters21578"):
        Corpus(write(tmp_path / "a.pdf", b"{}"))


def test_json_file_of_one_article_an_array_or_an_api_answer(tmp_path):
    one = write(tmp_path / "one.json", b'{"headline": "Pipeline blast", "body": "Gas stopped."}')
    assert [(a.id, a.title, a.text) for a in Corpus(one)] == [("one", "Pipeline blast", "Gas stopped.")]
    answer = write(
        tmp_path / "api.json",
        b'{"status": "ok", "totalResults": 3, "articles": [{"title": "A", "content": "First."}, 7, {"title": "C"}]}',
    )
    corpus = Corpus(answer)
    assert corpus.format == "json"
    assert [(a.id, a.title, a.text) for a in corpus] == [("api-1", "A", "First."), ("api-3", None, "C")]
    assert corpus.report.problems == [f"{answer}[1]: expected a JSON object, got int"]  # as jq '.[1]' names it
    bad = write(tmp_path / "bad.json", b'[{"text": "x"},\n  {"text": }]')
    with pytest.raises(CorpusError, match=r"bad\.json:2: invalid JSON"):
        list(Corpus(bad, on_error="fail"))


def test_xml_feeds_are_one_article_per_item_and_a_news_document_is_one(tmp_path):
    rss = write(
        tmp_path / "world.rss",
        b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>World</title>'
        b"<item><title>Rebels shell refinery</title><description>&lt;p&gt;Fighting went on &lt;b&gt;overnight&lt;/b&gt;."
        b"&lt;/p&gt;</description><guid>urn:a1</guid><pubDate>Mon, 06 May 2024 10:00:00 GMT</pubDate></item>"
        b"<item><title>Hotels full as tourists return</title><guid>urn:a2</guid></item></channel></rss>",
    )
    atom = write(
        tmp_path / "wire.atom",
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><entry><title>Envoys meet</title>'
        b'<id>tag:x,2024:1</id><updated>2024-05-01T10:00:00Z</updated><summary type="html">&lt;p&gt;Talks resumed.'
        b'&lt;/p&gt;</summary><link href="https://x/1"/></entry></feed>',
    )
    nitf = write(
        tmp_path / "story.xml",
        b"<nitf><body><body.head><hedline><hl1>Navy buys frigates</hl1></hedline></body.head><body.content>"
        b"<p>The navy ordered four frigates.</p><p>The deal is worth 2 billion euros.</p></body.content></body></nitf>",
    )
    got = [(a.id, a.title, a.text, a.date) for path in (rss, atom, nitf) for a in Corpus(path)]
    assert got == [
        ("urn:a1", "Rebels shell refinery", "Fighting went on overnight.", "Mon, 06 May 2024 10:00:00 GMT"),
        ("urn:a2", None, "Hotels full as tourists return", None),  # a headline-only item
        ("tag:x,2024:1", "Envoys meet", "Talks resumed.", "2024-05-01T10:00:00Z"),
        ("story", "Navy buys frigates", "The navy ordered four frigates.\n\nThe deal is worth 2 billion euros.", None),
    ]
    latin = write(
        tmp_path / "latin.xml",
        '<?xml version="1.0" encoding="ISO-8859-1"?><doc><p>Café au lait</p></doc>'.encode("latin-1"),
    )
    corpus = Corpus(latin)
    (article,) = corpus  # read as it declares itself, not as UTF-8
    assert article.text == "Café au lait" and corpus.report.problems == []
    bad = Corpus(write(tmp_path / "bad.xml", b"<a><b>broken</a>"))
    assert list(bad) == [] and bad.report.problems == [
        f"{tmp_path / 'bad.xml'}:1: invalid XML (mismatched tag: line 1, column 14)"
    ]
    bomb = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><x>&b;</x>'
    refused = Corpus(write(tmp_path / "bomb.xml", bomb))
    assert list(refused) == [] and "declares entities" in refused.report.problems[0]


def test_folder_as_users_keep_one(tmp_path):
    # dated subfolders are an archive, not labels; every file is read for what it is, and a
    # file that holds no article is skipped and said, never silently left out
    write(tmp_path / "2024" / "05" / "a.txt", b"Rebels shell refinery\n\nFighting went on.\n")
    write(tmp_path / "2024" / "05" / "b.md", b"# Oil prices jump\n\nOPEC cut output.\n")
    write(
        tmp_path / "2024" / "06" / "c.html",
        b"<html><head><title>Hotels full</title><script>var ads = 1;</script></head>"
        b"<body><nav>Home | World</nav><h1>Hotels full</h1><p>Tourists flock to resorts.</p>"
        b"<p>Prices rose &amp; rooms ran out.</p></body></html>",
    )
    write(tmp_path / "2024" / "06" / "d.json", b'{"headline": "Envoys meet", "body": "Talks went on."}')
    write(tmp_path / "2024" / "06" / "feed.jsonl", b'{"title": "Arms deal", "text": "Frigates sold."}\n')
    write(tmp_path / "2024" / "photo.jpg", b"\xff\xd8")
    corpus = Corpus(tmp_path)
    assert corpus.format == "dir"
    got = {a.id: (a.title, a.text) for a in corpus}
    assert got == {
        "2024/05/a": ("Rebels shell refinery", "Fighting went on."),
        "2024/05/b": ("Oil prices jump", "OPEC cut output."),
        "2024/06/c": ("Hotels full", "Tourists flock to resorts.\n\nPrices rose & rooms ran out."),
        "2024/06/d": ("Envoys meet", "Talks went on."),
        "2024/06/feed-1": ("Arms deal", "Frigates sold."),
    }
    assert corpus.report.n_skipped == 1
    assert corpus.report.problems == [
        f"{tmp_path / '2024' / 'photo.jpg'}: not an article file (.jpg): a folder is read for .txt, .md, .html, "
        ".json, .jsonl, .csv and .xml (RSS, Atom, NITF) files"
    ]


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(CorpusError, match="no such file or directory"):
        Corpus(tmp_path / "nope.txt")
    with pytest.raises(CorpusError, match="no articles"):
        Corpus(tmp_path)
    with pytest.raises(CorpusError, match="expects a directory"):
        Corpus(DATA / "news.csv", "dir")


def test_bad_arguments():
    assert "auto" in FORMATS
    for kwargs in ({"format": "pdf"}, {"on_error": "ignore"}, {"split": "dev"}, {"split": "train"}):
        with pytest.raises(ValueError):
            Corpus(DATA / "news.csv", **kwargs)


# -- encodings and dirty files -----------------------------------------------------------
def test_bom_and_crlf(tmp_path):
    jsonl = write(tmp_path / "x.jsonl", b'\xef\xbb\xbf{"text": "one"}\r\n\r\n{"text": "two"}\r\n')
    assert [a.text for a in Corpus(jsonl)] == ["one", "two"]
    csv_ = write(tmp_path / "x.csv", b'\xef\xbb\xbftext,id\r\n"a\r\nb",1\r\n')
    assert [(a.id, a.text) for a in Corpus(csv_)] == [("1", "a\nb")]
    txt = write(tmp_path / "x.txt", b"\xef\xbb\xbfdate: 2021-01-01\r\n\r\nBody\r\nline two\r\n")
    (article,) = Corpus(txt)
    assert (article.date, article.text) == ("2021-01-01", "Body\nline two")


def test_invalid_utf8_is_replaced_and_reported(tmp_path):
    txt = write(tmp_path / "x.txt", b"first line\n\ncaf\xe9 au lait")
    corpus = Corpus(txt)
    (article,) = corpus
    assert article.text.endswith("caf\ufffd au lait")
    assert corpus.report.problems == [f"{txt}:3: invalid UTF-8, replaced"]
    assert corpus.report.n_skipped == 0
    lines = write(tmp_path / "x.cor", b"ok\nbad \xff byte\n")
    corpus = Corpus(lines)
    assert len(list(corpus)) == 2 and corpus.report.problems == [f"{lines}:2: invalid UTF-8, replaced"]
    assert [a.text for a in Corpus(lines, encoding="latin-1")][1] == "bad \xff byte"
    with pytest.raises(CorpusError, match=r"x\.cor:2: invalid UTF-8"):
        list(Corpus(lines, on_error="fail"))


def test_binary_and_empty_files_in_dir_are_skipped(tmp_path):
    write(tmp_path / "a.txt", b"Fine article.")
    write(tmp_path / "b.txt", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(tmp_path / "c.txt", b"  \n\n ")
    corpus = Corpus(tmp_path)
    assert ids(corpus) == ["a"]
    assert corpus.report.n_skipped == 2
    assert corpus.report.problems == [f"{tmp_path / 'b.txt'}: binary file", f"{tmp_path / 'c.txt'}: empty text"]


# -- standard input ----------------------------------------------------------------------
def fake_stdin(monkeypatch, data: bytes):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_stdin_jsonl_is_reiterable(monkeypatch):
    fake_stdin(monkeypatch, b'\n  {"id": "a", "text": "one"}\n{"text": "two"}\n')
    corpus = Corpus("-")
    assert corpus.format == "jsonl"
    assert corpus.description == "jsonl:<stdin>"
    assert ids(corpus) == ids(corpus) == ["a", "stdin-3"]


def test_stdin_text_is_one_article(monkeypatch):
    fake_stdin(monkeypatch, b"Headline\n\nSome text on stdin.\n")
    (article,) = read_corpus("-")
    assert (article.id, article.title, article.text) == ("stdin", "Headline", "Some text on stdin.")


@pytest.mark.parametrize("spool", [True, False])
def test_stdin_json_array_is_its_items(monkeypatch, spool):
    # `curl …/api | topics tag -`: an array of objects, not one article of raw JSON
    fake_stdin(
        monkeypatch, b' [{"headline": "Troops cross border", "body": "Tanks rolled in."},\n {"title": "Hotels full"}]'
    )
    corpus = Corpus("-", spool=spool)
    assert corpus.format == "json"
    assert [(a.id, a.title, a.text) for a in corpus] == [
        ("stdin-1", "Troops cross border", "Tanks rolled in."),
        ("stdin-2", None, "Hotels full"),
    ]


def test_stdin_explicit_format_spools_lazily(monkeypatch):
    fake_stdin(monkeypatch, b"one\ntwo\n")
    corpus = Corpus("-", "lines")
    assert ids(corpus) == ids(corpus) == ["stdin-1", "stdin-2"]
    with pytest.raises(ValueError):
        Corpus("-", "dir")


# -- passes, limits, chains --------------------------------------------------------------
def test_reiterable_and_report_reset():
    corpus = Corpus(DATA / "news.jsonl")
    first, second = list(corpus), list(corpus)
    assert first == second
    assert (corpus.report.n_read, corpus.report.n_skipped) == (3, 3)
    assert corpus.has_labels()
    assert (corpus.report.n_read, corpus.report.n_skipped) == (3, 3)  # peeking leaves the report alone


def test_limit():
    assert ids(Corpus(DATA / "sample.cor", limit=2)) == ["sample-1", "sample-3"]
    assert ids(Corpus(DATA / "sample.cor", limit=0)) == []


def test_chain_corpus():
    chain = ChainCorpus(Corpus(DATA / "docs"), Corpus(DATA / "docs" / "a.txt"), Corpus(DATA / "news.jsonl"))
    assert ids(chain) == ["a", "c", "sub/b", "a#2", "n1", "news-2", "n1#2"]
    assert (chain.report.n_read, chain.report.n_skipped) == (7, 3)
    assert chain.description.count(" + ") == 2
    assert chain.has_labels()


def test_default_corpus(tmp_path):
    corpus = default_corpus()
    articles = list(corpus)
    lee = [a for a in articles if a.id.startswith("lee-")]
    assert len(lee) == 300 and lee[0].id == "lee-0001" and lee[-1].id == "lee-0300"
    assert articles[:300] == lee
    seed = next(a for a in articles if a.id == SEED.stem)
    assert seed.date == "2021-09-18"
    assert not corpus.has_labels()
    assert len(list(default_corpus(tmp_path))) == 300  # empty seeds folder: Lee only
    with pytest.raises(CorpusError):
        default_corpus(tmp_path / "missing")


# -- Reuters-21578 (real data, when present) ---------------------------------------------
def reuters_dir() -> Path:
    return require_data("reuters21578", "reut2-000.sgm").parent


@pytest.fixture(scope="module")
def modapte():
    path = reuters_dir()
    return list(Corpus(path, split="train")), list(Corpus(path, split="test"))


def test_reuters_modapte_counts(modapte):
    train, test = modapte
    common = reuters_common_labels(train, test)
    n_train_common = sum(1 for a in train if set(a.labels) & common)
    n_test_common = sum(1 for a in test if set(a.labels) & common)
    print(
        f"ModApte: train {len(train)} docs with >=1 topic ({n_train_common} with one of the "
        f"{len(common)} common labels; literature: 7,769), test {len(test)} ({n_test_common}; "
        "literature: 3,019)"
    )
    assert len(common) == 90
    assert (len(train), len(test)) == (7775, 3019)
    assert (n_train_common, n_test_common) == (7770, 3019)  # one more than the usual 7,769
    assert all(a.labels and a.id.startswith("reuters-") for a in train + test)
    assert len({a.id for a in train + test}) == len(train) + len(test)


def test_reuters_article_fields(modapte):
    train, _ = modapte
    first = train[0]
    assert first.id == "reuters-1" and first.title == "BAHIA COCOA REVIEW"
    assert first.labels == ("cocoa",) and first.date == "26-FEB-1987 15:01:01.79"
    assert first.text.startswith("Showers continued") and first.text.endswith("February 27.")
    assert not any(
        "\x03" in a.text or "&lt;" in a.text or a.text.rstrip().endswith(("Reuter", "REUTER")) for a in train
    )
    brief = next(a for a in train if a.id == "reuters-30")  # headline-only story
    assert brief.text == brief.title == "ASSETS OF MONEY MARKET MUTUAL FUNDS ROSE 720.4 MLN DLRS IN LATEST WEEK"


def test_reuters_without_split_reads_everything():
    corpus = Corpus(reuters_dir(), limit=1000)
    assert corpus.format == "reuters21578"
    articles = list(corpus)
    assert len(articles) == 1000 and articles[0].id == "reuters-1"
    assert any(a.labels == () for a in articles)  # TOPICS="NO" documents are included


def test_stdin_copies_of_killed_runs_are_removed_by_the_next(tmp_path, monkeypatch):
    import io
    import subprocess
    import sys
    import tempfile

    from topics.corpus import Corpus

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f"topics-stdin-{dead.stdout.strip()}-abc123"  # its run was killed: nobody removed it
    stale.write_text("an old copy of standard input")
    monkeypatch.setattr(sys, "stdin", io.StringIO("Oil prices rose.\n"))
    assert [a.text for a in Corpus("-")] == ["Oil prices rose."]
    assert not stale.exists()


def test_folder_per_label_with_files_named_by_number_or_md(tmp_path):
    from topics.corpus import Corpus

    for label, name, text in (
        ("oil", "14829", "Crude rose."),
        ("oil", "note.md", "OPEC met."),
        ("travel", "0001.text", "Hotels were full."),
        ("travel", "README", "not an article"),
    ):
        (tmp_path / label).mkdir(exist_ok=True)
        (tmp_path / label / name).write_text(text)
    corpus = Corpus(tmp_path)
    assert corpus.format == "labelled-dir"
    assert sorted((a.labels, a.text) for a in corpus) == [
        (("oil",), "Crude rose."),
        (("oil",), "OPEC met."),
        (("travel",), "Hotels were full."),
    ]


def test_interleaved_passes_keep_their_own_counts():
    corpus = Corpus(DATA / "news.jsonl")
    full = list(corpus)
    first, second = iter(corpus), iter(corpus)
    next(second)  # a second pass starts before the first one ends
    assert list(first) == full
    assert (corpus.report.n_read, corpus.report.n_skipped) == (3, 3)  # the first pass's, whole
    rest = list(second)
    assert len(rest) == 2 and (corpus.report.n_read, corpus.report.n_skipped) == (3, 3)


def test_urls_are_read_with_fsspec(tmp_path):
    """A URL (here file://) reads as the file does, naming the URL in messages."""
    path = tmp_path / "news.jsonl"
    path.write_text('{"id": "a", "text": "One."}\nnot json\n{"text": "Two."}\n', encoding="utf-8")
    by_url = Corpus(f"file://{path}")
    assert (
        [(a.id, a.text) for a in by_url]
        == [(a.id, a.text) for a in Corpus(path)]
        == [("a", "One."), ("news-3", "Two.")]
    )
    assert by_url.report.problems == [f"file://{path}:2: invalid JSON (Expecting value at column 1)"]
    with pytest.raises(CorpusError, match="no such file"):
        Corpus(f"file://{tmp_path}/missing.jsonl")
    (tmp_path / "one.txt").write_text("An article.", encoding="utf-8")
    with pytest.raises(CorpusError, match="URLs are read as JSONL, lines or CSV"):
        Corpus(f"file://{tmp_path}/one.txt")


def test_read_part_reads_a_byte_range_with_global_line_numbers(tmp_path):
    path = tmp_path / "news.lines"
    path.write_bytes(b"first\nsecond\n\nfourth\nfifth\n")
    corpus = Corpus(path, "lines")
    start = len(b"first\nsecond\n")
    part = list(corpus.read_part(start=start, stop=start + len(b"\nfourth\n"), first_line=3))
    assert [(a.id, a.text) for a in part] == [("news-4", "fourth")] and corpus.report.n_read == 1


def test_unread_stdin_streams_line_by_line(monkeypatch):
    """spool=False: articles come as lines arrive; the input is read once."""
    lines = iter([b"\n", b'{"text": "One."}\n', b'{"text": "Two."}\n'])
    read = []

    class Pipe:
        def readline(self):
            line = next(lines, b"")
            read.append(line)
            return line

    monkeypatch.setattr(sys, "stdin", type("Stdin", (), {"buffer": Pipe()})())
    corpus = Corpus("-", spool=False)
    assert corpus.format == "jsonl" and len(read) == 2  # the format from the first non-blank line
    articles = iter(corpus)
    assert next(articles).text == "One." and len(read) == 2  # nothing read ahead
    assert next(articles).id == "stdin-3"
    assert list(articles) == [] and corpus.report.n_read == 2
    with pytest.raises(CorpusError, match="read once"):
        list(corpus)

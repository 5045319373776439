"""Bad input never breaks `topics`: each case is skipped and counted, or stops with one clear line.

Every case is a small corpus with the bad thing in it (mostly among good articles, so that
training still has something to learn from), run through the CLI as a user would:
``topics tag`` (and for some ``topics train``) with ``--on-error skip`` (the default) and
``--on-error fail``, with ``--rejects FILE``. A few run as real subprocesses.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT

from topics.cli import main

GOOD = [
    "Oil prices rose sharply after OPEC agreed to cut crude output, lifting energy shares in Asia.",
    "Tourists flocked to the beach resorts as hotels reported record bookings for the summer season.",
    "The two governments signed a ceasefire agreement after talks mediated by the United Nations.",
    "The central bank raised interest rates to curb inflation as the economy grew faster than expected.",
    "Police arrested three men over the robbery and the court charged them with armed assault.",
    "The football club won the league title after beating its rivals in the final match of the season.",
]
N_GOOD = len(GOOD)


def _jsonl(rows) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


def _good_rows(start: int = 0) -> list[dict]:
    return [{"id": f"g{start + i}", "text": t} for i, t in enumerate(GOOD)]


@dataclass
class Case:
    """A bad input: ``build(folder)`` writes it and returns the path to read."""

    id: str
    build: Callable[[Path], Path]
    read: int  # articles tagged under --on-error skip
    skipped: int = 0  # records skipped (and written to --rejects)
    reason: str | None = None  # in the first problem reported, and the error under fail
    line: int | None = None  # line of the first skipped record (None: the whole file)
    train: bool = False  # also train on it (needs enough good articles)
    check: Callable[[list[dict]], None] | None = None  # looks at the tagged JSON objects
    fail: str | None = None  # the error under fail, when the first problem is a repairable one


def _file(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return build


def _dir_with(name: str, data: bytes) -> Callable[[Path], Path]:
    """A folder of good .txt articles plus one more file."""

    def build(folder: Path) -> Path:
        root = folder / "articles"
        root.mkdir()
        for i, text in enumerate(GOOD):
            (root / f"good{i}.txt").write_text(text, encoding="utf-8")
        (root / name).write_bytes(data)
        return root

    return build


def _ids(expected: set[str]) -> Callable[[list[dict]], None]:
    def check(rows: list[dict]) -> None:
        assert expected <= {r["id"] for r in rows}

    return check


BOM_CSV = b"\xef\xbb\xbfid,text\r\n" + b"".join(f'{i},"{t}"\r\n'.encode() for i, t in enumerate(GOOD))
CRLF_CSV = (
    b"id,text\r\n"
    + b"".join(f'{i},"{t}"\r\n'.encode() for i, t in enumerate(GOOD))
    + b'x,"A quoted field\r\nover two lines about oil."\r\n'
)
RAGGED_CSV = (
    b"id,title,text\n"
    + b"".join(f'{i},t,"{t}"\n'.encode() for i, t in enumerate(GOOD))
    + b"r1,only two\n"
    + b"r2,a,b,c,d\n"
)
CYRILLIC = "Москва и Киев договорились о перемирии. Цены на нефть выросли после решения ОПЕК."
TURKISH = "İstanbul'da TURİZM sektörü büyüdü; Işık ılık DİYARBAKIR otelleri doldu."
HTML = '<p>Oil <b>prices</b> rose &amp; OPEC cut output. <a href="x">More</a> &lt;script&gt;</p>'
BIG = ("Oil prices rose as OPEC cut output and tourism grew. " * 200_000)[:10_000_000]

CASES = [
    Case("empty-file", _file("empty.jsonl", b""), read=0),
    Case("empty-txt-in-folder", _dir_with("empty.txt", b""), read=N_GOOD, skipped=1, reason="empty text", train=True),
    Case(
        "empty-text-field",
        _file("e.jsonl", _jsonl(_good_rows() + [{"id": "e1", "text": ""}, {"id": "e2", "text": "  \n "}])),
        read=N_GOOD,
        skipped=2,
        reason="empty text",
        line=N_GOOD + 1,
        train=True,
    ),
    Case(
        "missing-text-field",
        _file("m.jsonl", _jsonl([{"id": "m", "note": "x"}] + _good_rows())),
        read=N_GOOD,
        skipped=1,
        reason="no text field: none of text, body",
        line=1,
    ),
    Case(
        "non-object-json",
        _file("n.jsonl", _jsonl(_good_rows()) + b'["a list"]\n42\n'),
        read=N_GOOD,
        skipped=2,
        reason="expected a JSON object, got list",
        line=N_GOOD + 1,
    ),
    Case(
        "bad-labels-type",
        _file("l.jsonl", _jsonl(_good_rows() + [{"text": "Oil.", "labels": 7}])),
        read=N_GOOD,
        skipped=1,
        reason="'labels' must be a string or a list of strings",
        line=N_GOOD + 1,
    ),
    Case(
        "binary-txt-in-folder",
        _dir_with("junk.txt", bytes(range(256)) * 40),
        read=N_GOOD,
        skipped=1,
        reason="binary file",
        train=True,
    ),
    Case(
        "binary-jsonl",
        _file("b.jsonl", _jsonl(_good_rows()) + bytes(range(11, 256)) * 4),
        read=N_GOOD,
        skipped=1,
        reason="invalid JSON",
        line=N_GOOD + 1,
        fail="invalid UTF-8",
    ),
    Case(
        "binary-csv",
        _file("b.csv", b"id,text\n1,Oil prices rose.\n" + b"\x00\r\x81junk\r\x00,\n" * 3),
        read=1,
        skipped=3,
        reason="malformed CSV row",
        line=3,
        fail="invalid UTF-8",
    ),
    Case(
        "invalid-utf8",
        _file("u.jsonl", _jsonl(_good_rows()) + b'{"id": "u", "text": "Caf\xe9 \xff oil"}\n'),
        read=N_GOOD + 1,
        check=_ids({"u"}),
        line=N_GOOD + 1,
        fail="invalid UTF-8",
    ),  # repaired, not skipped
    Case(
        "invalid-utf8-txt",
        _file("u.txt", b"Oil prices \xff\xfe rose in the caf\xe9.\n"),
        read=1,
        line=1,
        fail="invalid UTF-8",
    ),
    Case(
        "bom-jsonl",
        _file("bom.jsonl", b"\xef\xbb\xbf" + _jsonl(_good_rows())),
        read=N_GOOD,
        check=_ids({"g0"}),
        train=True,
    ),
    Case("bom-csv", _file("bom.csv", BOM_CSV), read=N_GOOD, check=_ids({"0", "5"})),
    Case("bom-txt", _file("bom.txt", b"\xef\xbb\xbftitle Oil\n\nOil prices rose.\n"), read=1),
    Case("windows-line-endings-csv", _file("crlf.csv", CRLF_CSV), read=N_GOOD + 1, check=_ids({"x"})),
    Case("windows-line-endings-jsonl", _file("crlf.jsonl", _jsonl(_good_rows()).replace(b"\n", b"\r\n")), read=N_GOOD),
    Case(
        "malformed-json-line-in-middle",
        _file(
            "mid.jsonl", _jsonl(_good_rows()[:3]) + b'{"id": "bad", "text": "unterminated\n' + _jsonl(_good_rows(3)[3:])
        ),
        read=N_GOOD,
        skipped=1,
        reason="invalid JSON",
        line=4,
        train=True,
    ),
    Case(
        "csv-missing-text-column",
        _file("nocol.csv", b"id,words\n1,Oil prices rose.\n"),
        read=0,
        skipped=1,
        reason="no text column: none of text, body",
        line=1,
    ),
    Case("csv-empty", _file("empty.csv", b""), read=0, skipped=1, reason="no header row"),
    Case(
        "csv-ragged-rows",
        _file("ragged.csv", RAGGED_CSV),
        read=N_GOOD,
        skipped=2,
        reason="expected 3 fields, got 2",
        line=N_GOOD + 2,
        train=True,
    ),
    Case(
        "html-markup",
        _file("h.jsonl", _jsonl(_good_rows() + [{"id": "h", "text": HTML}])),
        read=N_GOOD + 1,
        check=_ids({"h"}),
        train=True,
    ),
    Case(
        "labels-not-in-taxonomy",
        _file(
            "lab.jsonl",
            _jsonl(
                {**r, "labels": ["energy", "Not In Taxonomy!"] if i % 2 else ["zzz-new"]}
                for i, r in enumerate(_good_rows() + _good_rows(10))
            ),
        ),
        read=2 * N_GOOD,
        train=True,
    ),
    Case(
        "cyrillic",
        _file("cyr.jsonl", _jsonl(_good_rows() + [{"id": "ru", "text": CYRILLIC}])),
        read=N_GOOD + 1,
        check=_ids({"ru"}),
        train=True,
    ),
    Case(
        "turkish-dotted-i",
        _file("tr.jsonl", _jsonl(_good_rows() + [{"id": "tr", "text": TURKISH}])),
        read=N_GOOD + 1,
        check=_ids({"tr"}),
        train=True,
    ),
    Case(
        "json-nested-too-deeply",
        _file(
            "deep.jsonl",
            _jsonl(_good_rows()[:2]) + b'{"text": ' + b"[" * 5000 + b"]" * 5000 + b"}\n" + _jsonl(_good_rows(2)[2:]),
        ),
        read=N_GOOD,
        skipped=1,
        reason="nested too deeply",
        line=3,
        train=True,
    ),
    Case(
        "csv-unterminated-quote",
        _file(
            "quote.csv",
            b"id,text\n"
            + b"".join(f'{i},"{t}"\n'.encode() for i, t in enumerate(GOOD))
            + b'x,"Oil prices rose.\n'
            + b"y,Tourists came.\n" * 3,
        ),
        read=N_GOOD,
        skipped=1,
        reason="a quote opened here is never closed: lines 8-11 skipped",
        line=8,
    ),
    Case(
        "non-string-id-and-title",
        _file("ids.jsonl", _jsonl(_good_rows() + [{"id": {"a": 1}, "title": [1, 2], "text": "Oil prices rose."}])),
        read=N_GOOD + 1,
        line=N_GOOD + 1,
        fail="'id' must be a string or a number, got dict",
        check=_ids({f"ids-{N_GOOD + 1}"}),
    ),  # the default id, never "{'a': 1}"
    Case(
        "text-over-max-chars",
        _file("huge.jsonl", _jsonl(_good_rows() + [{"id": "huge", "text": "Oil prices rose. " * 70_000}])),
        read=N_GOOD + 1,
        line=N_GOOD + 1,
        fail="characters cut to 1,000,000",
        check=_ids({"huge"}),
    ),
    Case(
        "one-10mb-line",
        _file(
            "big.jsonl",
            _jsonl([{"id": "big", "text": BIG[:200_000]}]) + b"x" * 10_000_000 + b"\n" + _jsonl(_good_rows()),
        ),
        read=N_GOOD + 1,
        skipped=1,
        reason="invalid JSON",
        line=2,
    ),
]


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _rejects(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_tag_skips_and_reports(case, default_model, artifacts, tmp_path, capsys):
    path = case.build(tmp_path)
    rejects = tmp_path / "rejects.jsonl"
    code, out, err = _run(
        ["tag", str(path), "-f", "jsonl", "--artifacts", str(artifacts), "--rejects", str(rejects)], capsys
    )
    assert code == (0 if case.read else 2), err  # nothing tagged: a status scripts can see
    assert "Traceback" not in err
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == case.read
    if case.check:
        case.check(rows)
    if case.skipped:
        assert f"skipped {case.skipped:,}" in err and case.reason in err
    if not case.read:
        assert "read 0 articles" in err and "topics: error: no articles to tag" in err
    written = _rejects(rejects)
    assert len(written) == case.skipped
    assert f"{case.skipped:,} rejected record" in err
    if written:
        first = written[0]
        assert set(first) == {"file", "line", "reason"} and case.reason in first["reason"]
        assert first["line"] == case.line and Path(first["file"]).name in (path.name, *(p.name for p in path.glob("*")))


@pytest.mark.parametrize("case", [c for c in CASES if c.skipped or c.fail], ids=lambda c: c.id)
def test_fail_stops_with_one_clear_line(case, default_model, artifacts, tmp_path, capsys):
    path = case.build(tmp_path)
    rejects = tmp_path / "rejects.jsonl"
    code, out, err = _run(
        [
            "tag",
            str(path),
            "--on-error",
            "fail",
            "-f",
            "jsonl",
            "--artifacts",
            str(artifacts),
            "--rejects",
            str(rejects),
        ],
        capsys,
    )
    assert code == 2 and "Traceback" not in err
    last = err.strip().splitlines()[-1]
    where = f":{case.line}: " if case.line else ": "
    assert last.startswith("topics: error: ") and where in last and (case.fail or case.reason) in last
    assert len(_rejects(rejects)) == 1  # the record it stopped at


def test_repaired_bytes_are_reported(default_model, artifacts, tmp_path, capsys):
    path = tmp_path / "u.jsonl"
    path.write_bytes(b'{"id": "u", "text": "Caf\xe9 oil prices"}\n')
    code, _, err = _run(["tag", str(path), "--artifacts", str(artifacts)], capsys)
    assert code == 0 and "1 repaired" in err and "u.jsonl:1: invalid UTF-8, replaced" in err


@pytest.mark.parametrize("case", [c for c in CASES if c.train], ids=lambda c: c.id)
def test_train_skips_and_reports(case, tmp_path, capsys):
    path = case.build(tmp_path)
    rejects = tmp_path / "rejects.jsonl"
    code, out, err = _run(
        [
            "train",
            "--corpus",
            str(path),
            "--artifacts",
            str(tmp_path / "art"),
            "--topics",
            "2",
            "--rejects",
            str(rejects),
        ],
        capsys,
    )
    assert code == 0, err
    assert "Traceback" not in err
    assert f"{case.read:,} read, {case.skipped:,} skipped" in out
    assert len(_rejects(rejects)) == case.skipped


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.jsonl", b"", "no articles to train on"),
        ("nocol.csv", b"id,words\n1,Oil\n", "no articles to train on (read 0 articles, skipped 1 (first: "),
        ("one.jsonl", _jsonl([{"text": CYRILLIC}]), "cannot learn topics from 1 article"),
    ],
)
def test_train_on_nothing_usable_is_a_clear_error(name, data, message, tmp_path, capsys):
    path = tmp_path / name
    path.write_bytes(data)
    code, _, err = _run(["train", "--corpus", str(path), "--artifacts", str(tmp_path / "art")], capsys)
    assert code == 2 and "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("topics: error: ") and message in last and name in last
    assert not (tmp_path / "art" / "default").exists() or not list((tmp_path / "art" / "default").iterdir())


def test_labels_not_in_taxonomy_become_themes(tmp_path, capsys):
    case = next(c for c in CASES if c.id == "labels-not-in-taxonomy")
    path = case.build(tmp_path)
    assert main(["train", "--corpus", str(path), "--artifacts", str(tmp_path), "-k", "2"]) == 0
    out = capsys.readouterr().out
    assert "supervised" in out and "Not In Taxonomy!" in out and "zzz-new" in out and "energy" in out


def test_tokens_of_awkward_text():
    from topics.preprocess import Preprocessor

    tokenize = Preprocessor().tokenize
    assert tokenize(HTML) == ["oil", "price", "rose", "opec", "cut", "output"]
    assert tokenize(TURKISH)[:3] == ["istanbulda", "turizm", "sektörü"] and "ılık" in tokenize(TURKISH)
    assert "diyarbakir" in tokenize(TURKISH)  # one word, not "di" + "yarbakir"
    assert {"москва", "киев", "нефть", "опек"} <= set(tokenize(CYRILLIC))


# -- real subprocesses ---------------------------------------------------------------------------
def _cli(*args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "topics", *args], input=input, capture_output=True, cwd=ROOT, timeout=120
    )


@pytest.mark.parametrize("on_error, code", [("skip", 0), ("fail", 2)])
def test_subprocess_malformed_jsonl(on_error, code, default_model, artifacts, tmp_path):
    case = next(c for c in CASES if c.id == "malformed-json-line-in-middle")
    path = case.build(tmp_path)
    proc = _cli("tag", str(path), "--on-error", on_error, "-f", "jsonl", "--artifacts", str(artifacts))
    err = proc.stderr.decode()
    assert proc.returncode == code and "Traceback" not in err
    assert f"{path}:4: invalid JSON" in err
    assert len(proc.stdout.splitlines()) == (N_GOOD if on_error == "skip" else 0)  # tagged in batches


def test_subprocess_binary_stdin(default_model, artifacts):
    proc = _cli("tag", "-", "--artifacts", str(artifacts), input=bytes(range(256)) * 100)
    assert proc.returncode == 2 and b"binary file" in proc.stderr and b"Traceback" not in proc.stderr


def test_subprocess_csv_missing_column_fail(tmp_path, default_model, artifacts):
    path = tmp_path / "nocol.csv"
    path.write_bytes(b"id,words\n1,Oil\n")
    proc = _cli("tag", str(path), "--on-error", "fail", "--artifacts", str(artifacts))
    assert proc.returncode == 2
    err = proc.stderr.decode().strip()
    assert err.startswith(f"topics: error: {path}:1: no text column: none of text, body") and "\n" not in err
    assert err.endswith("(columns: 'id', 'words'; name it with --text-field)")


@pytest.mark.slow
def test_subprocess_10mb_article(tmp_path, default_model, artifacts):
    path = tmp_path / "big.txt"
    path.write_text(BIG, encoding="utf-8")
    proc = _cli("tag", str(path), "-f", "jsonl", "--artifacts", str(artifacts))
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout)["id"] == "big"


def test_utf16_text_files_read_with_their_encoding(default_model, artifacts, tmp_path, capsys):
    folder = tmp_path / "u16"
    folder.mkdir()
    (folder / "a.txt").write_text("Oil prices rose after OPEC cut crude output.", encoding="utf-16")
    code, out, err = _run(
        ["tag", str(folder), "--encoding", "utf-16", "--format", "jsonl", "--artifacts", str(artifacts)], capsys
    )
    assert code == 0 and json.loads(out)["themes"][0]["name"] == "energy" and "binary" not in err
    lines = tmp_path / "u16.jsonl"
    lines.write_text('{"text": "Oil"}\n', encoding="utf-16")
    code, _, err = _run(["tag", str(lines), "--encoding", "utf-16", "--artifacts", str(artifacts)], capsys)
    assert code == 2 and "convert it to UTF-8 first" in err


def test_binary_file_without_nul_bytes_is_skipped(default_model, artifacts, tmp_path, capsys):
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD[0], encoding="utf-8")
    (folder / "junk.txt").write_bytes(bytes(range(1, 256)) * 40)
    code, out, err = _run(["tag", str(folder), "--format", "jsonl", "--artifacts", str(artifacts)], capsys)
    assert code == 0 and len(out.splitlines()) == 1 and "junk.txt: binary file" in err

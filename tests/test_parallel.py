"""Parallel and distributed tagging give exactly the local, sequential output."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from gensim.test.utils import datapath

from topics.corpus import Corpus, CorpusError
from topics.tagger import Tagger


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """~370 KB of JSON lines (several parts at the smallest part size): ids missing (they default
    to the line number), ids repeated within and across parts, a bad JSON line, a blank line,
    a non-UTF-8 byte (repaired and reported) and a record without text."""
    folder = tmp_path_factory.mktemp("archive")
    lines = Path(datapath("lee_background.cor")).read_text(encoding="latin-1").splitlines()
    with open(folder / "news.jsonl", "wb") as f:
        for i, text in enumerate(lines):
            if i == 5:
                f.write(b"not json\n")
            if i == 7:
                f.write(b"\n")
            if i == 200:
                f.write(b'{"id": "no-text"}\n')
            record = {"text": text} if i % 3 == 0 else {"id": "dup" if i % 50 == 3 else f"a{i % 40}", "text": text}
            data = json.dumps(record).encode()
            f.write(data.replace(b"The ", b"The\xff ", 1) if i == 250 else data)
            f.write(b"\n")
    return folder


def _tag(args, capsys) -> tuple[int, str, str]:
    from topics.cli import main

    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_jobs_2_gives_the_bytes_of_jobs_1(artifacts, default_model, archive, capsys, tmp_path):
    """Workers read their own byte ranges: the same lines, ids, skip report and rejects."""
    runs = []
    for jobs in ("1", "2"):
        rejects = tmp_path / f"rejects-{jobs}.jsonl"
        code, out, err = _tag(
            [
                "tag",
                str(archive / "news.jsonl"),
                "-f",
                "jsonl",
                "--artifacts",
                str(artifacts),
                "--jobs",
                jobs,
                "--rejects",
                str(rejects),
            ],
            capsys,
        )
        runs.append((code, out, err.replace(rejects.name, "REJECTS"), rejects.read_text()))
    assert runs[0] == runs[1]
    code, out, err, rejects = runs[0]
    assert code == 0 and out.count("\n") == 300
    assert (
        '"id": "news-1"' in out and '"id": "dup#2"' in out and '"id": "a1#2"' in out
    )  # global line numbers, unique ids
    assert "skipped 2" in err and "news.jsonl:6: invalid JSON" in err and "news.jsonl:203: no text field" in err
    assert "news.jsonl:254: invalid UTF-8, replaced" in err
    assert [json.loads(r)["line"] for r in rejects.splitlines()] == [6, 203]


def test_cli_output_dir_holds_the_parts_and_a_manifest(artifacts, default_model, archive, capsys, tmp_path):
    code, plain, _ = _tag(["tag", str(archive / "news.jsonl"), "--artifacts", str(artifacts), "--explain"], capsys)
    out = tmp_path / "out"
    code, printed, err = _tag(
        [
            "tag",
            str(archive / "news.jsonl"),
            "--artifacts",
            str(artifacts),
            "--explain",
            "--jobs",
            "2",
            "--output",
            f"{out}/",
        ],
        capsys,
    )
    assert code == 0 and printed == "" and f"Tagged 300 articles → {out}/" in err
    manifest = json.loads((out / "manifest.json").read_text())
    parts = sorted(out.glob("part-*.txt"))
    assert [p["file"] for p in manifest["parts"]] == [p.name for p in parts] and len(parts) > 2
    assert "".join(p.read_text() for p in parts) == plain  # table format, in input order
    assert manifest["articles"] == sum(p["articles"] for p in manifest["parts"]) == 300 and manifest["skipped"] == 2
    # a folder that is not empty is not overwritten
    code, _, err = _tag(
        ["tag", str(archive / "news.jsonl"), "--artifacts", str(artifacts), "-j", "2", "-o", str(out)], capsys
    )
    assert code == 2 and "must be new or empty" in err


def test_parts_of_files_and_folders_match_one_pass(default_model, archive, tmp_path):
    """Tiny parts (4 KB ranges, folders cut into groups of files) of a chain of inputs; an
    on_error="fail" stop in a late part leaves the output one process leaves."""
    import io

    from topics.corpus import ChainCorpus
    from topics.partition import tag_files

    folder = tmp_path / "folder"
    for label in ("a", "b"):
        (folder / label).mkdir(parents=True)
        for i, line in enumerate(Path(datapath("lee_background.cor")).read_text(encoding="latin-1").splitlines()[:13]):
            (folder / label / f"{i:02d}.txt").write_text(line if i != 4 else "", encoding="utf-8")
    lines = archive / "news.jsonl"

    def corpus(on_error="skip"):
        return ChainCorpus(Corpus(folder, on_error=on_error), Corpus(lines, on_error=on_error), Corpus(folder))

    def one_pass(c, batch_size=512):
        tagger = Tagger(default_model, batch_size=batch_size)
        text = []
        try:
            for r in tagger.tag(c):
                text.append(r.format("jsonl"))
        except CorpusError as exc:
            return "".join(text), str(exc)
        return "".join(text), None

    expected, _ = one_pass(sequential := corpus())
    out = io.BytesIO()
    stats = tag_files(parted := corpus(), default_model.path, jobs=2, out=out, part_bytes=4096)
    assert out.getvalue().decode() == expected and stats.articles == expected.count("\n") == 24 + 300 + 24
    assert stats.parts > 10 and parted.report == sequential.report  # counts and problems, in order
    assert '"id": "a/00"' in expected and '"id": "a/00#2"' in expected

    # --on-error fail: the same message, and the batches complete before the bad record
    bad = tmp_path / "bad.jsonl"
    data = lines.read_bytes().replace(b"not json\n", b"").replace(b'{"id": "no-text"}\n', b"")
    middle = data.index(b"\n", len(data) // 2) + 1
    bad.write_bytes(data[:middle] + b"[1, 2]\n" + data[middle:])
    expected, error = one_pass(Corpus(bad, on_error="fail"), batch_size=7)
    out = io.BytesIO()
    with pytest.raises(CorpusError) as exc:
        tag_files(Corpus(bad, on_error="fail"), default_model.path, jobs=2, out=out, part_bytes=4096, batch_size=7)
    assert str(exc.value) == error and "bad.jsonl:" in error and "expected a JSON object" in error
    assert out.getvalue().decode() == expected and expected.count("\n") % 7 == 0 and expected.count("\n") > 100


def test_stdin_answers_each_line_before_the_input_ends(artifacts, default_model):
    """`topics tag -` on a pipe that stays open: one line in, one result out."""
    import selectors

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    cmd = [sys.executable, "-m", "topics", "tag", "-", "-f", "jsonl", "--artifacts", str(artifacts)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    try:
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            for i, text in enumerate(
                [
                    "Bushfires burned near Sydney as firefighters battled strong winds.",
                    "The bank raised interest rates as inflation climbed.",
                ]
            ):
                proc.stdin.write(json.dumps({"id": f"n{i}", "text": text}).encode() + b"\n")
                proc.stdin.flush()
                assert sel.select(timeout=120), "no answer while the input stays open"
                assert json.loads(proc.stdout.readline())["id"] == f"n{i}"
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0 and proc.stdout.read() == b""
    finally:
        proc.kill()


def test_stdin_error_exits_cleanly_while_the_pipe_stays_open(artifacts, default_model):
    """A bad line under --on-error fail ends the run at once, without waiting for (or
    crashing on) the input that has not come yet."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    cmd = [
        sys.executable,
        "-m",
        "topics",
        "tag",
        "-",
        "-f",
        "jsonl",
        "--on-error",
        "fail",
        "--artifacts",
        str(artifacts),
    ]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        proc.stdin.write(b'{"text": "Rain fell."}\nnot json\n')
        proc.stdin.flush()
        assert proc.wait(timeout=120) == 2  # stdin still open
        err = proc.stderr.read().decode()
        assert "topics: error: <stdin>:2: invalid JSON" in err and "Fatal" not in err
    finally:
        proc.kill()


@pytest.mark.slow
def test_cli_tag_dask_output_dir_matches_local(artifacts, default_model, archive, capsys, tmp_path):
    """`topics tag "archive/*.jsonl" --dask ADDRESS [--output out/]` on a cluster of two worker processes."""
    pytest.importorskip("dask.distributed", reason="the dask extra is not installed")
    from dask.distributed import LocalCluster

    base = ["tag", str(archive / "*.jsonl"), "-f", "jsonl", "--artifacts", str(artifacts)]
    _, plain, plain_err = _tag(base, capsys)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        code, printed, err = _tag(base + ["--dask", cluster.scheduler_address], capsys)
        assert (code, printed, err) == (0, plain, plain_err)
        # the input as an fsspec URL (a glob), the parts left in a folder
        url = ["tag", f"file://{archive}/*.jsonl", "-f", "jsonl", "--artifacts", str(artifacts)]
        code, _, err = _tag(url + ["--dask", cluster.scheduler_address, "--output", f"{tmp_path / 'out'}/"], capsys)
    parts = sorted((tmp_path / "out").glob("part-*.jsonl"))
    assert code == 0 and len(parts) > 1 and "".join(p.read_text() for p in parts) == plain
    assert f"file://{archive}/news.jsonl:6: invalid JSON" in err


def test_evidence_does_not_depend_on_the_hash_seed(artifacts, default_model):
    """Set iteration order changes with PYTHONHASHSEED; tags must not."""
    outs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        cmd = [sys.executable, "-m", "topics", "tag", "-", "-f", "jsonl", "--artifacts", str(artifacts)]
        text = (
            "Greece signed a deal with the Soviet Union as Soviet and Greek officials agreed on gas supplies and talks."
        )
        outs.append(subprocess.run(cmd, input=text, capture_output=True, text=True, env=env, check=True).stdout)
    assert outs[0] == outs[1] and "soviet union ~" in outs[0]


@pytest.mark.slow
def test_cli_train_dask_local_gives_the_same_model(tmp_path, capsys, shared_data):
    """`topics train --dask local`: the classifier's fits run on the cluster, the model is the same."""
    pytest.importorskip("dask.distributed", reason="the dask extra is not installed")
    from topics.cli import main

    corpus = tmp_path / "bbc.jsonl"
    with corpus.open("w") as f:
        for label in ("business", "sport", "tech"):
            for a in Corpus(shared_data / "bbc" / label, "dir", limit=40):
                f.write(json.dumps({"id": f"{label}/{a.id}", "text": a.full_text, "labels": [label]}) + "\n")
    outputs = []
    for extra in ([], ["--dask", "local"]):
        art = tmp_path / ("dask" if extra else "plain")
        assert main(["train", "--corpus", str(corpus), "--artifacts", str(art), "--topics", "5", *extra]) == 0
        capsys.readouterr()
        assert main(["tag", str(corpus), "-f", "jsonl", "--artifacts", str(art)]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] and outputs[0].count("\n") == 120

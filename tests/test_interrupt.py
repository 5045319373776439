"""Never lose work: killed or interrupted runs leave the previous model and output files intact."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from terminal import final_lines, read, spawn

from topics.bundle import LATEST, verify_bundle
from topics.cli import main
from topics.model import load
from topics.registry import list_versions

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """900 articles (the Lee corpus three times over): training takes a few seconds."""
    from gensim.test.utils import datapath

    lines = [line.strip() for line in open(datapath("lee_background.cor"), encoding="latin-1") if line.strip()]
    path = tmp_path_factory.mktemp("corpus") / "news.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for r in range(3):
            for i, text in enumerate(lines):
                f.write(json.dumps({"id": f"{r}-{i}", "text": text}) + "\n")
    return path


@pytest.fixture
def trained(tmp_path) -> tuple[Path, str]:
    """Artifacts holding one trained default model, and its version."""
    art = tmp_path / "art"
    assert main(["train", "--artifacts", str(art)]) == 0
    return art, list_versions("default", art)[-1]


def _start_train(corpus: Path, art: Path) -> tuple[subprocess.Popen, int]:
    """`topics train` on a terminal (a pseudo-terminal): its stages show, so a test can signal
    it in the middle of one. Returns the process and the terminal's reading end."""
    return spawn(["train", "--corpus", str(corpus), "--artifacts", str(art)], stdin_terminal=False)


def _signal_at(started: tuple[subprocess.Popen, int], stage: str, sig: int) -> list[str]:
    """Send ``sig`` as soon as the progress line of ``stage`` appears; return the lines the terminal kept."""
    proc, master = started
    try:
        seen = read(master, until=stage)
        if stage not in seen:
            pytest.fail(f"training ended before {stage!r}: {seen!r}")
        proc.send_signal(sig)
        seen += read(master)
        proc.wait(timeout=60)
    finally:
        os.close(master)
    return [line for line in final_lines(seen) if line.strip()]


def test_sigkill_during_train_keeps_a_loadable_model(corpus, trained):
    # (A kill in the middle of writing the bundle is tested in test_bundle.py.)
    art, before = trained
    started = _start_train(corpus, art)
    try:
        _signal_at(started, "Training topics", signal.SIGKILL)
    finally:
        started[0].kill()
    assert started[0].returncode == -signal.SIGKILL
    model = load("default", art)  # `latest` loads
    assert list_versions("default", art) == [before] == [model.manifest["version"]]
    verify_bundle(art / "default" / before)
    # The leftovers of the killed run do not get in the way of the next one.
    assert main(["train", "--artifacts", str(art), "--topics", "4"]) == 0
    newest = list_versions("default", art)[-1]
    assert (art / "default" / LATEST).read_text().strip() == newest == load("default", art).manifest["version"]


def test_ctrl_c_during_train_prints_one_line(corpus, trained):
    art, before = trained
    started = _start_train(corpus, art)
    try:
        lines = _signal_at(started, "Training topics", signal.SIGINT)
    finally:
        started[0].kill()
    assert started[0].returncode == 130
    assert [line for line in lines if "topics:" in line] == ["topics: interrupted (saved models are unchanged)"]
    # the stage that was running says it stopped
    assert [line for line in lines if line.startswith("Training topics")][-1].endswith("(stopped)")


def _wait_for(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.05)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
def test_interrupted_tag_leaves_the_output_file_untouched(sig, default_model, artifacts, tmp_path):
    out = tmp_path / "tags.jsonl"
    out.write_text("yesterday's tags\n")
    # Standard input that stays open keeps `topics tag` busy with its output file open.
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "topics",
            "tag",
            "-",
            "--input-format",
            "jsonl",
            "-f",
            "jsonl",
            "-o",
            str(out),
            "--artifacts",
            str(artifacts),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        proc.stdin.write(b'{"id": "a", "text": "Oil prices rose."}\n')
        proc.stdin.flush()
        _wait_for(lambda: any(p.name.startswith(".tmp-") for p in tmp_path.iterdir()))  # fsutil.atomic_open's
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == (130 if sig == signal.SIGINT else -signal.SIGKILL), err.decode()
    assert out.read_text() == "yesterday's tags\n"
    if sig == signal.SIGINT:
        assert err.decode().strip() == "topics: interrupted (saved models are unchanged)"
        assert [p.name for p in tmp_path.iterdir()] == ["tags.jsonl"]  # and no temporary file left


def _processes_with(marker: str) -> list[int]:
    """Live processes whose environment holds ``marker``."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker.encode() in environ.read_bytes():
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


def test_ctrl_c_during_tag_jobs_stops_the_workers(corpus, default_model, artifacts, tmp_path):
    """`topics tag --jobs 2` interrupted while the workers tag: one line, no output, no part
    files and no worker left."""
    import os

    big = tmp_path / "big.jsonl"
    big.write_bytes(corpus.read_bytes() * 10)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    out = tmp_path / "tags.jsonl"
    env = dict(os.environ, TMPDIR=str(scratch), PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "topics",
            "tag",
            str(big),
            "-f",
            "jsonl",
            "--jobs",
            "2",
            "-o",
            str(out),
            "--artifacts",
            str(artifacts),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_for(lambda: any(scratch.glob("*/part-*")))
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130 and err.decode().strip() == "topics: interrupted (saved models are unchanged)"
    assert not out.exists() and list(scratch.iterdir()) == []
    _wait_for(lambda: not _processes_with(f"TMPDIR={scratch}"))


def test_failed_tag_leaves_the_output_file_untouched(default_model, artifacts, tmp_path, capsys):
    out = tmp_path / "tags.jsonl"
    out.write_text("yesterday's tags\n")
    bad = tmp_path / "in.jsonl"
    bad.write_text('{"text": "Oil prices rose."}\n{"text": oops}\n')
    assert main(["tag", str(bad), "--on-error", "fail", "-o", str(out), "--artifacts", str(artifacts)]) == 2
    assert f"{bad}:2: invalid JSON" in capsys.readouterr().err
    assert out.read_text() == "yesterday's tags\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "tags.jsonl"]
    assert main(["tag", str(bad), "-f", "jsonl", "-o", str(out), "--artifacts", str(artifacts)]) == 0  # skip
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["in-1"]

"""Progress on a terminal, silence elsewhere: each long stage shows its name, count, total and ETA."""

from __future__ import annotations

import io
import os
import re

import pytest
from conftest import ROOT, SEED
from terminal import final_lines, read, spawn

from topics.progress import Progress, Stage, plural


def run_in_terminal(args: list[str], cwd=ROOT, timeout: float = 600) -> tuple[int, str]:
    """Run ``topics ARGS`` with a pseudo-terminal as its standard input, output and error."""
    proc, master = spawn(args, cwd=cwd)
    try:
        screen = read(master, timeout=timeout, proc=proc)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return proc.wait(), screen


def test_units_are_plural_when_they_should_be():
    assert [plural("article", n) for n in (0, 1, 2)] == ["articles", "article", "articles"]
    assert plural("pass", 2) == "passes"
    stage = Stage(Progress(enabled=False), "Tagging", total=1, unit="article")
    stage.update()
    assert "1/1 article " in stage.line() + " " and "articles" not in stage.line()


def test_a_stage_line_has_count_total_percent_and_eta():
    stage = Stage(Progress(enabled=False), "Tagging", total=200, unit="article")
    stage.started -= 2.0  # as if two seconds had passed
    stage.update(50)
    line = stage.line()
    assert line.startswith("Tagging  50/200 articles   25%")
    assert "articles/s" in line and "ETA 6.0 s" in line and "s/ articles" not in line


def test_nothing_is_written_when_the_stream_is_not_a_terminal():
    stream = io.StringIO()
    progress = Progress(stream=stream)  # a StringIO is not a terminal
    assert not progress.enabled
    with progress.stage("Reading", total=3) as stage:
        for _ in range(3):
            stage.update()
    assert list(progress.iter(range(3), "Tagging")) == [0, 1, 2]
    assert stream.getvalue() == ""


def test_a_terminal_gets_live_lines_and_a_final_line_per_stage():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = Progress(enabled=True, stream=stream)
    with progress.stage("Reading", total=2) as stage:
        stage.update(2)
    progress.write("a warning")  # between stages: a plain line
    lines = final_lines(stream.getvalue())
    assert lines[0].startswith("Reading  2/2 articles  100%") and lines[1] == "a warning"


def test_tag_on_a_terminal_shows_total_and_singular(tmp_path, default_model, artifacts):
    out = tmp_path / "tags.jsonl"
    code, screen = run_in_terminal(["tag", str(SEED), "--artifacts", str(artifacts), "-f", "jsonl", "-o", str(out)])
    assert code == 0, screen
    lines = final_lines(screen)
    assert any(line.startswith("Tagging  1/1 article ") for line in lines), lines
    assert "1 articles" not in screen and "s/ articles" not in screen
    code, screen = run_in_terminal(["tag", str(SEED), "--artifacts", str(artifacts), "-o", str(out), "-q"])
    assert code == 0 and "Tagging" not in screen and "Tagged" not in screen


def test_report_is_never_silent_on_a_terminal(tmp_path, default_model, artifacts):
    pytest.importorskip("matplotlib")
    code, screen = run_in_terminal(
        ["report", "--artifacts", str(artifacts), "--corpus", str(ROOT / "seeds"), "--out", str(tmp_path / "r.html")]
    )
    assert code == 0, screen
    lines = final_lines(screen)
    for stage in ("Loading the model", "Tagging the corpus", "Drawing the figures"):
        assert any(line.startswith(stage) for line in lines), (stage, lines)
    assert any(re.match(r"Drawing the figures  8/8 figures  100%", line) for line in lines), lines


@pytest.fixture(scope="module")
def bbc_in_a_terminal(shared_data, tmp_path_factory):
    """`topics train` on BBC in a terminal: (artifacts folder, what the terminal showed)."""
    art = tmp_path_factory.mktemp("bbc")
    code, screen = run_in_terminal(
        ["train", "--corpus", str(shared_data / "bbc"), "--name", "bbc", "--artifacts", str(art)]
    )
    assert code == 0, screen
    return art, screen


@pytest.mark.slow
def test_train_on_bbc_shows_progress_for_every_stage(bbc_in_a_terminal, tmp_path):
    """A terminal session of `topics train` on BBC: every stage has its line, with counts where known."""
    _, screen = bbc_in_a_terminal
    lines = final_lines(screen)
    expected = [
        r"Reading articles  2,225/2,225 articles  100%",
        r"Learning phrases  2,225/2,225 articles  100%",
        r"Joining phrases  2,225/2,225 articles  100%",
        r"Training topics \(K=auto, 5 passes\)  [\d,]+/[\d,]+ documents  100%",
        r"Measuring topic coherence  2/2 measures  100%",
        r"Training the theme classifier \(5 themes, 2,225 labelled articles\)  \d+\.\d s",
        r"Saving the bundle  \d+\.\d s",
    ]
    for pattern in expected:
        assert any(re.match(pattern, line) for line in lines), (pattern, lines)
    # while a stage ran, its live line showed an ETA
    assert "ETA" in screen
    # the summary still follows on standard output
    assert any(line.startswith("Trained model 'bbc'") for line in lines)
    # and --quiet leaves only the summary and warnings
    code, screen = run_in_terminal(["train", "--name", "quiet", "--artifacts", str(tmp_path), "-q"])
    assert code == 0 and "Reading articles" not in screen and "Trained model 'quiet'" in screen


@pytest.mark.slow
def test_bbc_topic_words_read_as_written(bbc_in_a_terminal):
    """Topic words show the usual written form (Wales, Ebbers, Yukos), never the folded token
    (wale, ebber, yuko) nor contractions (im, dont_know)."""
    from topics.model import load

    art, _ = bbc_in_a_terminal
    model = load("bbc", art)
    shown = {w for t in model.topics(topn=30) for w in t["words"]}
    tokens = {w for k in range(model.lda.n_topics_) for w, _ in model.lda.topic_words(k, 30)}
    for token, word in (("wale", "Wales"), ("ebber", "Ebbers"), ("yuko", "Yukos"), ("movy", "movies")):
        if token in tokens:
            assert word in shown and token not in shown
    assert {"Wales", "Ebbers", "Yukos", "movies"} & shown  # some folded token is among the words shown
    assert [model.display(t) for t in ("wale", "ebber", "yuko")] == ["Wales", "Ebbers", "Yukos"]
    assert not {w for w in shown if model.preprocessor.is_display_junk(w.lower().replace(" ", "_"))}
    assert model.preprocessor.tokenize("Wales and Yukos") == ["wale", "yuko"]  # matching is unchanged

"""The `topics` command end to end, as a user runs it."""

import json
import subprocess
import sys

import pytest
from conftest import ROOT, SEED

from topics.cli import main


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    art = tmp_path_factory.mktemp("cli-artifacts")
    assert main(["train", "--artifacts", str(art)]) == 0
    return art


def test_train_prints_a_summary(trained, capsys):
    # Trained by the fixture; train a second, named model to see the summary.
    assert main(["train", "--artifacts", str(trained), "--name", "again", "--topics", "6"]) == 0
    out = capsys.readouterr().out
    assert "Trained model 'again'" in out and "301 read, 0 skipped" in out and "topics      6" in out


def test_tag_jsonl_object_and_repeatability(trained, capsys):
    args = ["tag", str(SEED), "--format", "jsonl", "--artifacts", str(trained)]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0
    assert capsys.readouterr().out == first
    obj = json.loads(first)
    assert obj["id"] == SEED.stem
    names = [t["name"] for t in obj["themes"]]
    assert {"security", "energy", "defense-trade", "tourism"} <= set(names)
    scores = [t["score"] for t in obj["themes"]]
    assert scores == sorted(scores, reverse=True)
    topic = obj["topics"][0]
    assert set(topic) == {"id", "weight", "words"} and topic["words"]


def test_tag_table_explain_and_folder(trained, capsys):
    assert main(["tag", str(SEED.parent), "--explain", "--artifacts", str(trained)]) == 0
    out = capsys.readouterr().out
    assert SEED.stem in out and "defense-trade" in out
    assert "s-400" in out.lower() or "air defense" in out  # the evidence terms --explain prints


def test_tag_stdin_and_output_file(trained, tmp_path):
    out = tmp_path / "tags.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "topics", "tag", "-", "-f", "jsonl", "-o", str(out), "--artifacts", str(trained)],
        input='{"id": "a", "text": "Oil prices rose as OPEC cut output."}\n{"id": "b", "text": "Tourists flocked to the beach resorts as hotels reported record bookings."}\n',
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["themes"][0]["name"] == "energy" and rows[1]["themes"][0]["name"] == "tourism"


def test_topics_and_info(trained, capsys):
    assert main(["topics", "--json", "--artifacts", str(trained)]) == 0
    topics = json.loads(capsys.readouterr().out)["topics"]
    assert len(topics) == 12 and all(t["words"] for t in topics)
    assert main(["info", "--artifacts", str(trained)]) == 0
    out = capsys.readouterr().out
    assert "default@" in out and "scikit-learn" in out and "301" in out


def test_tampered_bundle_is_refused_naming_the_file(trained, tmp_path, capsys):
    import shutil

    from topics.bundle import resolve_bundle

    copy = tmp_path / "copy"
    shutil.copytree(resolve_bundle("default", trained), copy)
    target = copy / "classifier.joblib"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    assert main(["tag", str(SEED), "--model", str(copy)]) == 2
    err = capsys.readouterr().err
    assert "classifier.joblib" in err and "refusing" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "args,message",
    [
        (["tag", "/no/such/file.txt"], "no such file"),
        (["tag", str(SEED), "--model", "missing"], "No model named 'missing'"),
        (["train", "--corpus", str(SEED), "--taxonomy", "/no/tax.toml"], "no such taxonomy file"),
        (["train", "--corpus", str(SEED), "--taxonomy", "{tmp}/themes-not-tables.toml"], "each theme must be a table"),
        (["train", "--corpus", str(SEED), "--taxonomy", "{tmp}/pairs-not-tables.toml"], "'pairs' must be tables"),
        (["tag", str(SEED), "--encoding", "utf-99"], "unknown text encoding 'utf-99'"),
        (["train", "--corpus", str(SEED.parent), "--split", "train"], "--split selects a Reuters-21578"),
        (["tag", "-", "--input-format", "dir"], "standard input ('-') holds one stream"),
        (["train", "--topics", "100000"], "100,000 topics is more than"),
    ],
)
def test_user_errors_are_one_clear_line(args, message, tmp_path, capsys):
    (tmp_path / "themes-not-tables.toml").write_text('theme = ["security"]\n')
    (tmp_path / "pairs-not-tables.toml").write_text('[[theme]]\nname = "a"\npairs = ["x"]\n')
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert main(args + ["--artifacts", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("topics: error:") and message in err[-1]


def test_serve_port_out_of_range_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--port", "99999"])
    assert exit_.value.code == 2 and "must be a port number from 0 to 65535" in capsys.readouterr().err


def test_console_script_runs():
    proc = subprocess.run([sys.executable, "-m", "topics", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and proc.stdout.startswith("topics ")


@pytest.mark.parametrize("command,extra", [("serve", "serve"), ("report", "inspect")])
def test_missing_extra_is_one_line_naming_it(trained, monkeypatch, capsys, command, extra):
    monkeypatch.setitem(sys.modules, f"topics.{command}", None)  # as if its dependencies were not installed
    assert main([command, "--artifacts", str(trained)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    from topics.extras import install_hint

    assert err[-1].startswith("topics: error:") and install_hint(extra) in err[-1] and "topics[" not in err[-1]
    assert f'pip install "topics-news[{extra}]"' in err[-1]


def test_install_hints_name_the_packages_pyproject_lists():
    import tomllib

    from topics.extras import DISTRIBUTION, EXTRAS

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    optional = project["optional-dependencies"]
    assert {k: tuple(v) for k, v in optional.items() if k in EXTRAS} == EXTRAS
    # ours on the public index ('topics' is somebody else's); imported as topics all the same
    assert project["name"] == DISTRIBUTION == "topics-news"
    readme = (ROOT / "README.md").read_text()
    assert 'pip install "topics[' not in readme and f'"{DISTRIBUTION}[serve]"' in readme


@pytest.mark.slow
def test_train_out_of_core_above_a_size(shared_data, tmp_path, capsys):
    """BBC's 2,225 articles with a limit of 1,000: the themes are learned out of core, the
    manifest says so, and the model still tags a sport story as sport."""
    art = str(tmp_path)
    assert (
        main(
            [
                "train",
                "--corpus",
                str(shared_data / "bbc"),
                "--name",
                "bbc",
                "--artifacts",
                art,
                "--out-of-core-above",
                "1000",
            ]
        )
        == 0
    )
    assert "SGD epoch" not in capsys.readouterr().err  # progress is for terminals (tests/test_progress.py)
    assert main(["info", "--model", "bbc", "--artifacts", art, "--json"]) == 0
    meta = json.loads(capsys.readouterr().out)["meta"]
    assert meta["parameters"]["classifier"] == {"out_of_core_above": 1000}
    assert meta["classifier"]["cv"]["held_out"] == 445  # a fifth (cv=5), calibrating the scores
    sport = shared_data / "bbc" / "sport" / "001.txt"
    assert main(["tag", str(sport), "--model", "bbc", "--artifacts", art, "-f", "jsonl"]) == 0
    assert [t["name"] for t in json.loads(capsys.readouterr().out)["themes"]] == ["sport"]


@pytest.mark.parametrize("value", ["0", "x", "-5"])
def test_a_bad_count_names_the_option_and_the_value(value, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["train", "--out-of-core-above", value])
    assert exit_.value.code == 2
    assert f"argument --out-of-core-above: must be a positive integer, got '{value}'" in capsys.readouterr().err


def test_counts_read_with_thousands_separators():
    from topics.cli import build_parser

    args = build_parser().parse_args(["train", "--out-of-core-above", "20,000"])
    assert args.out_of_core_above == 20_000


@pytest.mark.parametrize("command", ["train", "tag x.txt"])
def test_zero_jobs_is_refused(command, capsys):
    with pytest.raises(SystemExit):
        main([*command.split(), "--jobs", "0"])
    assert "argument --jobs/-j: must be a number of processes, or -1 for all cores; got '0'" in capsys.readouterr().err


def test_train_with_a_few_labelled_examples(trained, tmp_path, capsys):
    examples = tmp_path / "labels.jsonl"
    rows = [
        {
            "id": "1",
            "text": "Hoteliers on the coast report record bookings as cruise passengers return.",
            "labels": ["Tourism & travel"],  # a theme as people write it: its label, any case
        },
        {"id": "2", "text": "The utility switched on a new wind farm and two gas turbines.", "labels": ["Energy"]},
        {"id": "3", "text": "Shares in the carmaker fell after it cut its sales forecast.", "labels": []},
    ]
    examples.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["train", "--artifacts", str(trained), "--name", "shots", "--labels", str(examples)]) == 0
    assert "and 3 labelled examples" in capsys.readouterr().out
    info = json.loads(next(p for p in (trained / "shots").rglob("manifest.json")).read_text())
    assert info["meta"]["corpus"]["labelled_examples"] == 3
    # a label the taxonomy lacks: one clear line, status 2
    rows[0]["labels"] = ["toursim"]
    examples.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["train", "--artifacts", str(trained), "--name", "bad", "--labels", str(examples)]) == 2
    err = capsys.readouterr().err
    assert "toursim" in err and "taxonomy does not have" in err and "Traceback" not in err
    # a line that is not JSON: skipped, counted and said, the rest still used
    rows[0]["labels"] = ["tourism"]
    examples.write_text("".join(json.dumps(r) + "\n" for r in rows) + "{not json\n", encoding="utf-8")
    assert main(["train", "--artifacts", str(trained), "--name", "skips", "--labels", str(examples)]) == 0
    captured = capsys.readouterr()
    assert "and 3 labelled examples" in captured.out
    assert "topics: warning: labelled examples:" in captured.err and "skipped 1" in captured.err
    assert "labels.jsonl:4" in captured.err


def test_invalid_name_is_refused_before_any_work(tmp_path, capsys):
    assert main(["train", "--name", "no/slashes", "--artifacts", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "Invalid model name" in err and "Reading" not in err


def test_tag_output_file_gets_the_usual_mode(trained, tmp_path):
    import os

    out = tmp_path / "tags.jsonl"
    assert main(["tag", str(SEED), "--format", "jsonl", "--output", str(out), "--artifacts", str(trained)]) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_tag_takes_several_paths_and_quoted_globs(trained, tmp_path, capsys):
    for name, text in (
        ("a.txt", "Oil prices rose as OPEC cut output."),
        ("b.txt", "Tourists filled the beach resorts."),
    ):
        (tmp_path / name).write_text(text)
    assert (
        main(["tag", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-f", "jsonl", "--artifacts", str(trained)]) == 0
    )
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == ["a", "b"]
    assert main(["tag", str(tmp_path / "*.txt"), "-f", "jsonl", "--artifacts", str(trained)]) == 0
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == ["a", "b"]
    assert main(["tag", str(tmp_path / "*.nothing"), "--artifacts", str(trained)]) == 2
    assert "no file or folder matches" in capsys.readouterr().err


def test_tag_format_names_the_input_format_option(trained, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["tag", str(SEED), "--format", "csv", "--artifacts", str(trained)])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "the input format is --input-format csv" in err


def test_empty_standard_input_is_an_error_status(trained, capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["tag", "-", "--artifacts", str(trained)]) == 2
    assert "no articles to tag" in capsys.readouterr().err


def test_missing_model_says_where_it_looked(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("TOPICS_ARTIFACTS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home"))
    assert main(["tag", str(SEED), "--artifacts", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"No model named 'default' in {tmp_path} (the artifacts folder given)" in err
    monkeypatch.chdir(tmp_path)  # no ./artifacts here: the user's folder, and how to look elsewhere
    assert main(["tag", str(SEED)]) == 2
    err = capsys.readouterr().err
    assert (
        f"in {tmp_path / 'home' / 'topics' / 'artifacts'} (the user's folder, the default where there is no "
        "./artifacts: set $TOPICS_ARTIFACTS or pass --artifacts to look elsewhere)" in err
    )
    (tmp_path / "artifacts").mkdir()  # a project folder with its own ./artifacts
    assert main(["tag", str(SEED)]) == 2
    assert "./artifacts, the default: set $TOPICS_ARTIFACTS or pass --artifacts" in capsys.readouterr().err


def test_train_sweep_plot_is_written(trained, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    png = tmp_path / "sweep.png"
    assert (
        main(["train", "--artifacts", str(trained), "--name", "swept", "--topics", "4:6:2", "--sweep-plot", str(png)])
        == 0
    )
    assert f"sweep plot  {png}" in capsys.readouterr().out
    assert png.read_bytes().startswith(b"\x89PNG") and [p.name for p in tmp_path.iterdir()] == ["sweep.png"]


def test_without_a_local_artifacts_folder_models_are_the_users(trained, tmp_path, capsys, monkeypatch):
    """Trained in one folder, found from any other: with no ./artifacts the user's folder is the default."""
    import shutil

    monkeypatch.delenv("TOPICS_ARTIFACTS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    shutil.copytree(trained, tmp_path / "data" / "topics" / "artifacts")  # as `topics train` run elsewhere left it
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert main(["tag", str(SEED), "-f", "jsonl"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == SEED.stem
    assert not (tmp_path / "elsewhere" / "artifacts").exists()


def test_one_naming_for_formats_old_spellings_still_work(trained, tmp_path, capsys):
    """--input-format and --output-format/-f on every command; --format still works, with a note."""
    corpus = tmp_path / "news.jsonl"
    corpus.write_text(
        '{"id": "a", "text": "Oil prices rose as OPEC cut output.", "date": "2024-01-05"}\n'
        '{"id": "b", "text": "Hotels reported record bookings.", "date": "2024-02-05"}\n'
    )
    art = ["--artifacts", str(trained)]
    assert main(["tag", str(corpus), "--input-format", "jsonl", "--output-format", "jsonl", *art]) == 0
    new = capsys.readouterr()
    assert main(["tag", str(corpus), "--format", "jsonl", *art]) == 0  # the old output-format spelling
    old = capsys.readouterr()
    assert old.out == new.out and "--format is deprecated here; use --output-format/-f" in old.err
    assert "deprecated" not in new.err
    for command in (["trends", "--corpus", str(corpus)], ["evaluate", "--topics", "--corpus", str(corpus)]):
        assert main([*command, "--input-format", "jsonl", *art]) == 0
        new = capsys.readouterr()
        assert main([*command, "--format", "jsonl", *art]) == 0
        old = capsys.readouterr()
        assert old.out == new.out and "--format is deprecated here; use --input-format" in old.err
    for command in (["topics"], ["info"], ["models", "list"], ["evaluate", "--topics"]):
        assert main([*command, "-f", "json", *art]) == 0
        by_option = capsys.readouterr().out
        assert main([*command, "--json", *art]) == 0
        assert json.loads(capsys.readouterr().out) == json.loads(by_option)
    assert main(["trends", "--corpus", str(corpus), "--output-format", "csv", *art]) == 0
    assert capsys.readouterr().out.startswith("period,kind,id,label,share,articles")


def test_every_command_takes_quiet():
    from topics.cli import build_parser

    parser = build_parser()
    for command in (
        ["train"],
        ["tag", "x"],
        ["update", "--corpus", "x"],
        ["evaluate"],
        ["trends", "--corpus", "x"],
        ["topics"],
        ["serve"],
        ["report"],
        ["info"],
        ["models", "list"],
        ["models", "info", "x"],
        ["models", "rm", "x@1"],
    ):
        assert parser.parse_args([*command, "-q"]).quiet and parser.parse_args([*command, "--quiet"]).quiet


def _labelled_texts(n: int) -> dict[str, str]:
    """``n`` short articles per label (sport, money), varied enough to learn topics from."""
    import random

    rng = random.Random(0)
    words = {
        "sport": "match goal striker league coach season stadium fans referee penalty cup final".split(),
        "money": "bank shares profit market investors bonds dollar rates inflation earnings budget tax".split(),
    }
    common = "city week report people government plan group company country world team year house".split()
    return {
        f"{label}{i}": " ".join(rng.choice(vocab) for _ in range(12))
        + " "
        + " ".join(rng.choice(common) for _ in range(8))
        for label, vocab in words.items()
        for i in range(n)
    }


def _write_labelled(root, texts: dict[str, str]):
    for name, text in texts.items():
        (root / name.rstrip("0123456789")).mkdir(parents=True, exist_ok=True)
        (root / name.rstrip("0123456789") / f"{name}.txt").write_text(text)
    return root


def test_evaluating_on_the_training_articles_warns(tmp_path, capsys):
    """Figures on the articles a model learnt from are flagged, by content, whatever the path or format."""
    texts = _labelled_texts(40)
    labelled = _write_labelled(tmp_path / "labelled", texts)
    art = ["--artifacts", str(tmp_path / "art")]
    assert main(["train", "--corpus", str(labelled), "--topics", "2", *art]) == 0
    capsys.readouterr()
    as_jsonl = tmp_path / "same.jsonl"  # the same articles in another format and place
    as_jsonl.write_text(
        "".join(json.dumps({"id": n, "text": t, "labels": [n.rstrip("0123456789")]}) + "\n" for n, t in texts.items())
    )
    assert main(["evaluate", "--corpus", str(as_jsonl), *art]) == 0
    assert "100% of these articles are ones the model was trained on" in capsys.readouterr().err
    fresh = tmp_path / "fresh.jsonl"
    fresh.write_text(
        json.dumps({"id": "x", "text": "striker scored a late goal in the league match", "labels": ["sport"]}) + "\n"
    )
    assert main(["evaluate", "--corpus", str(fresh), *art]) == 0
    assert "trained on" not in capsys.readouterr().err


def test_cv_block_says_what_it_measured(tmp_path, capsys):
    labelled = _write_labelled(tmp_path / "labelled", _labelled_texts(20))
    assert (
        main(["train", "--corpus", str(labelled), "--topics", "2", "--cv", "3", "--artifacts", str(tmp_path / "a")])
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    block = out[out.index("3-fold cross-validation (each fold trained with the default settings):") :]
    assert block[1] == f"  measured on  40 labelled articles of labelled-dir:{labelled.resolve()}"
    assert block[2].strip().startswith("(out-of-fold tags of 3 models, 2 themes") and "articles/s" not in block[2]


def test_tables_fit_100_columns(trained, tmp_path, capsys):
    """topics (with a header naming NPMI), info, models list, trends and the training summary."""
    art = ["--artifacts", str(trained)]
    corpus = tmp_path / "dated.jsonl"
    corpus.write_text(
        "".join(
            json.dumps({"id": str(i), "text": t, "date": f"2024-0{1 + i % 3}-1{i % 9}"}) + "\n"
            for i, t in enumerate(
                ["Oil prices rose as OPEC cut output and pipelines closed."] * 6
                + ["Hotels and resorts reported record tourist bookings."] * 6
            )
        )
    )
    for command in (["topics", "--words", "20"], ["info"], ["models", "list"], ["trends", "--corpus", str(corpus)]):
        assert main([*command, *art]) == 0
        out = capsys.readouterr().out
        # a path longer than the room is printed whole on a line of its own (copy-paste must work)
        assert all(len(line) <= 100 or len(line[12:].split()) == 1 for line in out.splitlines()), (command, out)
        if command[0] == "topics":
            assert out.splitlines()[1].split() == ["topic", "size", "NPMI", "[theme]", "top", "words"]
    assert main(["topics", "-f", "json", *art]) == 0
    sizes = [t["size"] for t in json.loads(capsys.readouterr().out)["topics"]]
    assert all(size == round(size, 4) for size in sizes)


def test_long_theme_lists_are_wrapped_or_summarised():
    from topics.cli import _wrapped

    names = ", ".join(f"theme-{i}" for i in range(90))
    text = _wrapped("  themes", f"90 (supervised): {names}", max_lines=3, more=" (see topics info)")
    lines = text.splitlines()
    assert len(lines) == 3 and all(len(line) <= 100 for line in lines)
    shown = sum(line.count("theme-") for line in lines)
    assert lines[-1].startswith(" " * 14 + f"… and {90 - shown} more (see topics info)")


def test_update_is_recorded_and_shown(trained, tmp_path, capsys):
    """`topics update` leaves a trace: the manifest says what was added and when; info and models list show it."""
    news = tmp_path / "new.jsonl"
    news.write_text(
        "".join(
            json.dumps({"id": str(i), "text": f"Refinery {i} fire cut diesel output; oil prices rose."}) + "\n"
            for i in range(5)
        )
    )
    art = ["--artifacts", str(trained)]
    assert main(["update", "--model", "default", "--corpus", str(news), "--name", "updated", *art]) == 0
    capsys.readouterr()
    assert main(["info", "--model", "updated", *art]) == 0
    info = capsys.readouterr().out
    assert any(line.startswith("updated     ") for line in info.splitlines())
    assert f"articles added from jsonl:{news.resolve()}" in " ".join(info.split())
    assert main(["models", "list", "updated", *art]) == 0
    listing = capsys.readouterr().out
    assert "301 +" in listing and "added to the topics by `topics update`" in listing
    assert main(["models", "list", "updated", "-f", "json", *art]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["updates"][0]["documents"] == 5 and row["updates"][0]["corpus"] == f"jsonl:{news.resolve()}"


def test_every_warning_is_one_prefixed_line(trained, tmp_path, capsys):
    bad = tmp_path / "in.jsonl"
    bad.write_text('{"text": "Oil prices rose."}\n{"text": oops}\n')
    assert main(["tag", str(bad), "-f", "jsonl", "--artifacts", str(trained)]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning:" in line]
    assert warnings and all(line.startswith("topics: warning: ") for line in warnings), warnings

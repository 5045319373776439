"""Training and tagging end to end, through the library API."""

import json

import pytest
from conftest import SEED

from topics.corpus import Corpus
from topics.model import load
from topics.tagger import Tagger
from topics.training import train

FIRST_CUSTOMER = {"security", "energy", "defense-trade", "tourism"}


def _seed_result(model):
    return Tagger(model).tag_one(next(iter(Corpus(SEED))))


def test_default_model_tags_the_seed_article(default_model):
    result = _seed_result(default_model)
    assert FIRST_CUSTOMER <= {t.name for t in result.themes}
    assert all(0.0 <= t.score <= 1.0 and t.evidence for t in result.themes)
    assert result.topics and abs(sum(t["weight"] for t in result.topics)) <= 1.0001


def test_default_model_does_not_tag_everything(default_model):
    tagger = Tagger(default_model)
    sport = tagger.tag_one(
        "Australia's batsmen dominated the second Test in Adelaide, with Waugh scoring a century before tea; the bowlers took five wickets."
    )
    assert {t.name for t in sport.themes} == {"sport"}
    assert not tagger.tag_one("The weather was mild and the gardens looked lovely.").themes


def test_manifest_records_the_training(default_model):
    meta = default_model.manifest["meta"]
    assert meta["corpus"]["documents"] == 301 and meta["parameters"]["classifier_mode"] == "taxonomy"
    assert default_model.manifest["files"] and default_model.path.is_dir()
    # where the time went, stage by stage (`topics train` prints it)
    from topics.training import STAGES

    stages = meta["stage_seconds"]
    assert set(stages) == set(STAGES) and all(s >= 0 for s in stages.values())
    assert sum(stages.values()) <= meta["training_seconds"] + 0.1


def test_saved_bundle_loads_and_tags_identically(default_model, artifacts):
    loaded = load("default", artifacts)
    assert _seed_result(loaded).to_dict() == _seed_result(default_model).to_dict()


def test_retraining_gives_identical_tags(default_model, tmp_path):
    again = train(artifacts=tmp_path)
    assert json.dumps(_seed_result(again).to_dict()) == json.dumps(_seed_result(default_model).to_dict())


def test_tags_do_not_depend_on_batching(default_model):
    from gensim.test.utils import datapath

    arts = list(Corpus(datapath("lee_background.cor"), "lines", limit=20)) + list(Corpus(SEED))
    together = [r.to_dict() for r in Tagger(default_model, batch_size=7).tag(arts)]
    alone = [Tagger(default_model).tag_one(a).to_dict() for a in arts]
    assert together == alone


@pytest.mark.slow
def test_supervised_training_from_bbc_folders(shared_data, tmp_path):
    model = train(shared_data / "bbc", artifacts=tmp_path, name="bbc")
    assert model.classifier.mode_ == "supervised" and model.themes == [
        "business",
        "entertainment",
        "politics",
        "sport",
        "tech",
    ]
    article = next(a for a in Corpus(shared_data / "bbc" / "sport") if a.id.endswith("001"))
    assert [t.name for t in Tagger(model).tag_one(article).themes] == ["sport"]


def test_empty_corpus_is_a_clear_error(tmp_path):
    from topics.corpus import CorpusError

    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(CorpusError, match="empty.jsonl"):
        train(tmp_path / "empty.jsonl", save=False)


def test_result_scores_match_the_classifier(default_model):
    article = next(iter(Corpus(SEED)))
    result = Tagger(default_model).tag_one(article)
    expected = default_model.classifier.explain([default_model.preprocessor.tokenize(article.full_text)])[0]
    assert result.scores == expected
    assert result.themes == [s for s in expected if s.tagged]


def test_results_compare_by_their_tags(default_model):
    a, b = (Tagger(default_model).tag_one("Oil prices rose as OPEC cut crude output.") for _ in range(2))
    assert a == b


def test_same_input_gives_byte_identical_bundle_files(tmp_path):
    """Whatever the process (hash seed) and the time: caching, deduplication and audits can
    compare bundles by their file hashes."""
    import json
    import os
    import subprocess
    import sys

    for run, seed in (("a", "1"), ("b", "2")):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "topics", "train", "--artifacts", str(tmp_path / run)],
            check=True,
            capture_output=True,
            env=env,
        )
    files = [json.loads(next((tmp_path / run).rglob("manifest.json")).read_text())["files"] for run in "ab"]
    assert files[0] == files[1]  # every part file: same size, same SHA-256

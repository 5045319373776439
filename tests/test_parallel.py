"""Parallel and distributed tagging give exactly the local, sequential output."""

import pytest
from gensim.test.utils import datapath

from conftest import SEED
from topics.corpus import Corpus
from topics.tagger import Tagger


@pytest.fixture(scope="module")
def articles():
    return list(Corpus(datapath("lee_background.cor"), "lines", limit=60)) + list(Corpus(SEED))


def test_process_pool_output_is_identical(default_model, articles):
    tagger = Tagger(default_model, batch_size=16)
    local = [r.to_dict() for r in tagger.tag(articles)]
    pooled = [r.to_dict() for r in tagger.tag(articles, n_jobs=2)]
    assert pooled == local and len(local) == len(articles)


@pytest.mark.slow
def test_dask_local_cluster_output_is_identical(default_model, articles):
    pytest.importorskip("dask.distributed", reason="the dask extra is not installed")
    from topics import distributed

    tagger = Tagger(default_model, batch_size=16)
    local = [r.to_dict() for r in tagger.tag(articles)]
    with distributed.dask_client("local", n_workers=2) as client:
        remote = [r.to_dict() for r in distributed.tag(tagger, articles, client)]
    assert remote == local


@pytest.mark.slow
def test_cli_tag_dask_local_matches_plain(artifacts, default_model, capsys, tmp_path):
    pytest.importorskip("dask.distributed", reason="the dask extra is not installed")
    from topics.cli import main

    base = ["tag", str(SEED.parent), "--format", "jsonl", "--artifacts", str(artifacts)]
    assert main(base) == 0
    plain = capsys.readouterr().out
    assert main(base + ["--dask", "local"]) == 0
    assert capsys.readouterr().out == plain


def test_evidence_does_not_depend_on_the_hash_seed(artifacts, default_model):
    """Set iteration order changes with PYTHONHASHSEED; tags must not."""
    import os
    import subprocess
    import sys

    outs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        cmd = [sys.executable, "-m", "topics", "tag", "-", "-f", "jsonl", "--artifacts", str(artifacts)]
        text = "Greece signed a deal with the Soviet Union as Soviet and Greek officials agreed on gas supplies and talks."
        outs.append(subprocess.run(cmd, input=text, capture_output=True, text=True, env=env, check=True).stdout)
    assert outs[0] == outs[1] and "soviet union ~" in outs[0]


@pytest.mark.slow
def test_cli_train_dask_local_gives_the_same_model(tmp_path, capsys, shared_data):
    """`topics train --dask local`: the classifier's fits run on the cluster, the model is the same."""
    pytest.importorskip("dask.distributed", reason="the dask extra is not installed")
    import json

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

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


def test_dask_local_cluster_output_is_identical(default_model, articles):
    pytest.importorskip("dask.distributed", reason="the dask extra is not installed")
    from topics import distributed

    tagger = Tagger(default_model, batch_size=16)
    local = [r.to_dict() for r in tagger.tag(articles)]
    with distributed.dask_client("local", n_workers=2) as client:
        remote = [r.to_dict() for r in distributed.tag(tagger, articles, client)]
    assert remote == local


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

"""Stable topic ids: retraining and updates keep the ids of the topics they find again."""

import json

import numpy as np
import pytest

from topics.cli import main
from topics.corpus import default_corpus
from topics.lineage import align_topics
from topics.model import load
from topics.training import train, update


def test_align_topics_keeps_ids_of_matching_topics_and_gives_new_ones():
    old = np.array([[0.7, 0.1, 0.1, 0.1, 0.0], [0.0, 0.1, 0.1, 0.1, 0.7], [0.1, 0.6, 0.2, 0.1, 0.0]])
    words = ["oil", "gas", "bank", "rate", "war"]
    # new model: topics in another order, one of them new, the third old one gone
    new = np.array([[0.0, 0.1, 0.1, 0.1, 0.7], [0.0, 0.0, 0.5, 0.5, 0.0], [0.6, 0.2, 0.1, 0.1, 0.0]])
    ids, lineage = align_topics(old, words, [4, 7, 9], new, words, next_id=12)
    assert ids == [7, 12, 4]
    assert lineage["new"] == [12] and lineage["retired"] == [9]
    assert [i for i, _ in lineage["kept"]] == [4, 7]
    # the retired topic 9 (gas) is closest to the kept topic 4 (oil, gas): merged into it
    assert lineage["merged"] == [[9, 4]]


def test_align_topics_matches_over_the_words_both_vocabularies_hold():
    old = np.array([[0.5, 0.5, 0.0], [0.0, 0.1, 0.9]])
    new = np.array([[0.05, 0.9, 0.05], [0.45, 0.0, 0.55]])  # columns: war, unknown, oil
    ids, _ = align_topics(old, ["oil", "gas", "war"], [0, 1], new, ["war", "fresh", "oil"], next_id=2)
    assert ids == [1, 0]


@pytest.fixture(scope="module")
def lineage_models(tmp_path_factory):
    """The default corpus trained on 90% of its articles, then on all of them, then updated."""
    artifacts = tmp_path_factory.mktemp("lineage")
    articles = list(default_corpus())
    rng = np.random.RandomState(0)
    held = set(rng.choice(len(articles), len(articles) // 10, replace=False).tolist())
    first = train([a for i, a in enumerate(articles) if i not in held], name="daily", artifacts=artifacts)
    second = train(articles, name="daily", artifacts=artifacts)
    updated = update("daily", [articles[i] for i in sorted(held)] * 2, artifacts=artifacts)
    return artifacts, first, second, updated


def test_retraining_on_more_articles_keeps_most_topic_ids(lineage_models):
    _, first, second, _ = lineage_models
    lineage = second.manifest["meta"]["topics"]["lineage"]
    assert lineage["previous_version"] == first.manifest["version"]
    old, new = set(first.lda.topic_ids()), second.lda.topic_ids()
    assert len(set(new) & old) >= 0.8 * len(old)
    assert len(set(new)) == len(new)  # ids stay unique
    assert sorted(i for i, _ in lineage["kept"]) == sorted(set(new) & old)
    fresh = [i for i in new if i not in old]
    assert fresh == lineage["new"] and all(i >= max(old) + 1 for i in fresh)  # new ids never reuse old ones
    assert second.manifest["meta"]["topics"]["ids"] == new


def test_update_keeps_topic_ids_and_records_the_lineage(lineage_models):
    _, _, second, updated = lineage_models
    kept = set(updated.lda.topic_ids()) & set(second.lda.topic_ids())
    assert len(kept) >= 0.8 * len(second.lda.topic_ids())
    lineage = updated.manifest["meta"]["topics"]["lineage"]
    assert lineage["previous_version"] == second.manifest["version"]


def test_ids_show_in_topics_tags_and_trends_and_trends_join_across_versions(lineage_models, capsys, tmp_path):
    artifacts, first, second, _ = lineage_models
    ids = second.lda.topic_ids()
    assert (
        main(["topics", "--model", f"daily@{second.manifest['version']}", "--artifacts", str(artifacts), "--json"]) == 0
    )
    listed = json.loads(capsys.readouterr().out)["topics"]
    assert [t["id"] for t in listed] == ids
    from topics.tagger import Tagger

    result = Tagger(second).tag_one("Tanks and troops moved into the city as the army fought militants.")
    assert {t["id"] for t in result.topics} <= set(ids)
    # trends of two versions over the same dated articles join on the stable ids
    from topics.corpus import Article
    from topics.trends import topic_trends

    arts = [
        Article(id=str(i), text=a.text, date=f"2021-0{1 + i % 3}-15") for i, a in enumerate(list(default_corpus())[:60])
    ]
    rows = {}
    for model in (first, load(f"daily@{second.manifest['version']}", artifacts)):
        trend = topic_trends(model, arts, by="month")
        rows[model.manifest["version"]] = {r["id"]: r for r in trend.rows() if r["kind"] == "topic"}
        assert set(rows[model.manifest["version"]]) == {str(i) for i in model.lda.topic_ids()}
    a, b = rows.values()
    kept = set(a) & set(b)
    assert len(kept) >= 0.8 * len(a)


def test_retraining_from_the_command_line_says_how_many_ids_it_kept(tmp_path, capsys):
    art = ["--artifacts", str(tmp_path)]
    assert main(["train", "--name", "again", *art]) == 0
    assert "topic ids" not in capsys.readouterr().out  # nothing to keep the first time
    assert main(["train", "--name", "again", *art]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("  topic ids"))
    assert line.endswith("0 new, 0 retired")  # the same corpus again: every topic found again

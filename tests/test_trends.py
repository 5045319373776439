import json

import numpy as np

from topics.cli import main
from topics.corpus import Article
from topics.trends import parse_date, period_of, topic_trends


def test_parse_dates():
    assert str(parse_date("2021-09-18")) == "2021-09-18"
    assert str(parse_date("2021-09-18T10:00:00Z")) == "2021-09-18"
    assert str(parse_date("26-FEB-1987 15:01:01.79")) == "1987-02-26"
    assert str(parse_date("Mon, 06 May 2024 10:00:00 GMT")) == "2024-05-06"  # RSS pubDate
    assert str(parse_date("Mon, 06 May 2024 10:00:00 GMT")) == "2024-05-06"  # RSS pubDate
    assert parse_date("sometime") is None and parse_date(None) is None
    d = parse_date("2021-09-18")
    assert [period_of(d, by) for by in ("day", "week", "month", "year")] == [
        "2021-09-18",
        "2021-W37",
        "2021-09",
        "2021",
    ]


def _articles():
    oil = "Oil prices rose after OPEC cut crude output and a pipeline in the Gulf was attacked."
    war = "Troops and militants clashed near the border; the ceasefire collapsed after an airstrike."
    return [
        Article("a", oil, date="2021-01-05"),
        Article("b", oil, date="2021-01-20"),
        Article("c", war, date="2021-02-03"),
        Article("d", war, date="2021-02-11"),
        Article("e", war, date=None),
    ]


def test_topic_and_theme_shares_per_month(default_model):
    trends = topic_trends(default_model, _articles(), by="month")
    assert trends.periods == ["2021-01", "2021-02"] and list(trends.articles) == [2, 2] and trends.undated == 1
    assert np.allclose(trends.topic_share.sum(axis=1), 1)
    themes = trends.themes
    assert trends.theme_share[0, themes.index("energy")] == 1.0
    assert trends.theme_share[1, themes.index("security")] == 1.0
    rows = trends.rows()
    assert {r["kind"] for r in rows} == {"topic", "theme"} and len(rows) == 2 * (len(trends.topic_labels) + len(themes))


def test_trends_cli_csv(default_model, tmp_path, capsys):
    path = tmp_path / "dated.jsonl"
    path.write_text("".join(json.dumps({"id": a.id, "text": a.text, "date": a.date}) + "\n" for a in _articles()))
    code = main(["trends", "--model", str(default_model.path), "--corpus", str(path), "--csv"])
    out = capsys.readouterr()
    assert code == 0 and out.out.startswith("period,kind,id,label,share,articles")
    assert "2021-02,theme,security" in out.out and "without a readable date" in out.err
    assert main(["trends", "--model", str(default_model.path), "--corpus", str(path), "--by", "week"]) == 0
    assert "2021-W01" in capsys.readouterr().out


def test_update_adds_articles_and_the_new_bundle_loads_and_tags(default_model, artifacts, tmp_path, capsys):
    from topics.model import load
    from topics.tagger import Tagger

    path = tmp_path / "new.jsonl"
    path.write_text(
        "".join(json.dumps({"id": a.id + "2", "text": a.text + " More news follows."}) + "\n" for a in _articles())
    )
    code = main(
        [
            "update",
            "--model",
            str(default_model.path),
            "--corpus",
            str(path),
            "--name",
            "updated",
            "--artifacts",
            str(artifacts),
        ]
    )
    assert code == 0 and "added" in capsys.readouterr().out
    updated = load("updated", artifacts)
    assert updated.lda.n_documents_ > default_model.lda.n_documents_
    assert updated.manifest["meta"]["topics"]["updates"][0]["from_version"] == default_model.manifest["version"]
    result = Tagger(updated).tag_one(_articles()[2])
    assert "security" in [s.name for s in result.themes] and result.topics


def test_evaluate_topics_cli(default_model, capsys):
    assert main(["evaluate", "--topics", "--model", str(default_model.path), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert {"npmi", "c_v", "diversity", "topic_npmi"} <= set(figures)
    assert main(["topics", "--model", str(default_model.path), "--json"]) == 0
    topics = json.loads(capsys.readouterr().out)["topics"]
    assert all({"label", "theme", "coherence"} <= set(t) for t in topics)

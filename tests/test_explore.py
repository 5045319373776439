"""topics.explore (once topics.inspect) and topics.report: tables, figures, the topic map and the HTML report."""

from __future__ import annotations

import base64
import html
import re
import subprocess
import sys

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

from topics import explore as ti  # noqa: E402
from topics.corpus import Article, default_corpus  # noqa: E402
from topics.explore.tagged import _clip, _parse_dates  # noqa: E402
from topics.explore.topicmap import _js_distances, _pcoa  # noqa: E402

WAR = "Soldiers were killed in an attack on the army base; the ceasefire collapsed and troops shelled the town."
OIL = "Oil prices rose after OPEC cut output; natural gas and the pipeline to Europe lifted energy shares."
MATCH = "The team won the football match after the striker scored twice in the cup final before the league season."


@pytest.fixture(scope="module")
def tagged(default_model):
    return ti.tag_corpus(default_model, default_corpus())


def dated_articles() -> list[Article]:
    texts = [WAR, OIL, MATCH]
    return [Article(id=f"d{i}", text=texts[i % 3], date=f"2021-{1 + i % 6:02d}-{1 + i:02d}") for i in range(18)]


def labelled_articles() -> list[Article]:
    return (
        [Article(id=f"w{i}", text=WAR, labels=("security",)) for i in range(4)]
        + [Article(id=f"o{i}", text=OIL, labels=("energy",)) for i in range(3)]
        + [Article(id=f"m{i}", text=MATCH, labels=("sport",)) for i in range(2)]
        + [Article(id="u", text=OIL)]
    )  # unlabelled: left out of the evaluation


# -- tables -----------------------------------------------------------------------------------
def test_tag_corpus(default_model, tagged):
    k = default_model.lda.n_topics_
    assert len(tagged) == tagged.theta.shape[0] == len(tagged.scores) == len(tagged.results) > 300
    assert tagged.theta.shape[1] == k
    np.testing.assert_allclose(tagged.theta.sum(axis=1), 1, atol=1e-6)
    assert list(tagged.scores.columns) == default_model.themes
    assert tagged.articles.index[-1] == "000_a387a226f6433acf"
    assert tagged.term_counts.sum() == tagged.articles["n_tokens"].sum() > 0
    assert ti.tag_corpus(default_model, tagged) is tagged
    assert not tagged.has_labels


def test_tag_corpus_limit_and_strings(default_model):
    tc = ti.tag_corpus(default_model, default_corpus(), limit=5)
    assert len(tc) == 5
    tc = ti.tag_corpus(default_model, [WAR, OIL])
    assert list(tc.articles.index) == ["1", "2"]


def test_topic_table(default_model, tagged):
    df = ti.topic_table(default_model, topn=7)
    assert len(df) == default_model.lda.n_topics_ and df.index.name == "topic"
    assert all(len(w) == 7 for w in df["words"])
    assert df["size"].sum() == pytest.approx(1)
    assert df["words"][0] == [w for w, _ in default_model.topic_words(0, 7)]  # as written, not the tokens
    with_corpus = ti.topic_table(default_model, corpus=tagged)
    assert with_corpus["articles"].sum() == len(tagged)
    assert with_corpus["corpus_share"].sum() == pytest.approx(1)
    assert with_corpus.columns[-1] == "words"


def test_documents_and_document_topics(default_model, tagged):
    dt = ti.document_topics(default_model, tagged)
    assert dt.shape == tagged.theta.shape and list(dt.columns) == list(range(default_model.lda.n_topics_))
    docs = ti.documents(default_model, tagged)
    seed = docs.loc["000_a387a226f6433acf"]
    assert "diplomacy" in seed["themes"] and seed["date"] == pd.Timestamp("2021-09-18")
    assert (docs["topic"] == dt.to_numpy().argmax(axis=1)).all()


def test_theme_counts(default_model, tagged):
    df = ti.theme_counts(default_model, tagged)
    assert list(df.index) == default_model.themes
    assert df["articles"].sum() == sum(len(t) for t in tagged.articles["themes"])
    assert df.loc["security", "label"] != ""
    assert "labelled" not in df


def test_topic_trends(default_model):
    trends = ti.topic_trends(default_model, dated_articles(), by="month")
    assert list(trends.index) == [f"2021-{m:02d}" for m in range(1, 7)] and trends["articles"].sum() == 18
    np.testing.assert_allclose(trends.drop(columns="articles").sum(axis=1), 1, atol=1e-6)
    assert len(ti.topic_trends(default_model, dated_articles())) >= 2  # automatic period
    themes = ti.theme_trends(default_model, dated_articles(), by="month")
    assert list(themes.columns[:-1]) == default_model.themes and themes.index.equals(trends.index)
    assert ((themes.drop(columns="articles") >= 0) & (themes.drop(columns="articles") <= 1)).all().all()
    with pytest.raises(ValueError):
        ti.topic_trends(default_model, dated_articles(), by="fortnight")


def test_trends_need_dates(default_model, tagged):
    assert ti.topic_trends(default_model, tagged).empty  # one dated article only
    assert ti.plot_topic_trends(default_model, tagged) is None
    assert ti.plot_theme_trends(default_model, tagged) is None


def test_dates_are_read_like_topics_trends():
    got = _parse_dates(pd.Series(["2021-09-18", "26-FEB-1987 15:01:01.79", "2020-01-01T10:00:00+02:00", "soon", None]))
    assert list(got[:3]) == [pd.Timestamp("2021-09-18"), pd.Timestamp("1987-02-26"), pd.Timestamp("2020-01-01")]
    assert got[3:].isna().all()


def test_evaluate(default_model):
    arts = labelled_articles()
    df = ti.evaluate(default_model, arts)
    assert {"precision", "recall", "f1", "support", "predicted"} <= set(df.columns)
    assert df.loc["security", "support"] == 4 and df.loc["energy", "support"] == 3
    tagged = {a.id: {s.name for s in r.themes} for a, r in zip(arts, ti.tag_corpus(default_model, arts).results)}
    pred = sum("security" in tagged[a.id] for a in arts if a.labels is not None)
    tp = sum("security" in tagged[f"w{i}"] for i in range(4))
    assert df.loc["security", "predicted"] == pred
    assert df.loc["security", "recall"] == pytest.approx(tp / 4)
    assert ((df[["precision", "recall", "f1"]] >= 0) & (df[["precision", "recall", "f1"]] <= 1)).all().all()
    assert ti.evaluate(default_model, [Article(id="x", text=OIL)]).empty


def test_k_sweep(default_model):
    assert ti.k_sweep(default_model) is None
    assert ti.plot_k_sweep(default_model) is None
    k = default_model.lda.n_topics_
    rows = [
        {"k": k - 2, "npmi": 0.01, "diversity": 0.9, "seconds": 1.0, "chosen": False},
        {"k": k, "npmi": 0.05, "diversity": 0.8, "seconds": 1.2, "chosen": True},
        {"k": k + 2, "npmi": 0.03, "diversity": 0.7, "seconds": 1.5, "chosen": False},
    ]
    topics_meta = {
        **default_model.manifest["meta"].get("topics", {}),
        "sweep": {"rows": rows, "chosen": k, "reason": "best NPMI"},
    }
    model = _with_meta(default_model, {"topics": topics_meta})
    sweep = ti.k_sweep(model)
    assert list(sweep.index) == [k - 2, k, k + 2] and sweep["chosen"].tolist() == [False, True, False]
    fig = ti.plot_k_sweep(model)
    assert [ax.get_xlabel() for ax in fig.axes] == ["number of topics K"] * 2  # NPMI and diversity, not seconds
    from topics.report import build_report

    assert "best NPMI" in build_report(model)


def test_coherence_from_the_manifest(default_model):
    k = default_model.lda.n_topics_
    topics_meta = {**default_model.manifest["meta"].get("topics", {}), "quality": {"topic_npmi": [0.1] * k}}
    model = _with_meta(default_model, {"topics": topics_meta})
    assert ti.topic_table(model)["coherence"].tolist() == [0.1] * k


def _with_meta(model, extra: dict):
    from dataclasses import replace

    manifest = dict(model.manifest)
    manifest["meta"] = {**manifest.get("meta", {}), **extra}
    return replace(model, manifest=manifest)


# -- figures ----------------------------------------------------------------------------------
def _check(fig, title: str):
    assert fig is not None
    titles = [fig.get_suptitle()] + [ax.get_title() for ax in fig.axes] + [ax.get_title(loc="left") for ax in fig.axes]
    assert any(title in t for t in titles), titles
    for ax in fig.axes:
        if ax.get_visible() and ax.get_label() != "<colorbar>":
            assert ax.get_xlabel() and (ax.get_ylabel() or ax.get_yticklabels())
    png = ti.figure_png(fig)
    assert png.startswith(b"\x89PNG")
    renderer = fig.canvas.get_renderer()
    texts = [fig._suptitle] if fig._suptitle else []
    for ax in fig.axes:
        texts += [ax.title, ax._left_title, ax.xaxis.label, ax.yaxis.label, *ax.get_yticklabels()]
    page = fig.bbox
    for t in texts:  # nothing is cut off at the edges
        if t.get_visible() and t.get_text():
            b = t.get_window_extent(renderer)
            assert b.x0 >= page.x0 - 1 and b.x1 <= page.x1 + 1 and b.y0 >= page.y0 - 1 and b.y1 <= page.y1 + 1, (
                t.get_text()
            )


def test_figures(default_model, tagged):
    _check(ti.plot_topic_words(default_model), "Top 10 words per topic")
    _check(ti.plot_topic_sizes(default_model), "Topic sizes")
    _check(ti.plot_document_topics(default_model, tagged, sample=12), "Topic mix of 12")
    _check(ti.plot_theme_counts(default_model, tagged), "Themes tagged")
    _check(ti.plot_topic_trends(default_model, dated_articles()), "Topic trends")
    _check(ti.plot_evaluation(ti.evaluate(default_model, labelled_articles())), "precision")
    many = pd.DataFrame(
        {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": range(40, 0, -1), "predicted": 3},
        index=pd.Index([f"theme-{i}" for i in range(40)], name="theme"),
    )
    fig = ti.plot_evaluation(many)
    _check(fig, "30 of 40 themes")
    assert len(fig.axes[0].get_yticklabels()) == 30


def _overlaps(boxes) -> list[tuple[int, int]]:
    return [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]


def test_no_overlapping_labels_with_30_topics():
    import topics

    model = topics.train(save=False, n_topics=30)
    for fig in (ti.plot_topic_words(model), ti.plot_topic_sizes(model)):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        boxes = []
        for ax in (ax for ax in fig.axes if ax.get_visible()):
            lo, hi = ax.get_xlim()
            xticks = [t for x, t in zip(ax.get_xticks(), ax.get_xticklabels()) if lo <= x <= hi]  # drawn ones
            texts = [
                t
                for t in [*ax.get_yticklabels(), *xticks, ax.title, ax._left_title, ax.xaxis.label]
                if t.get_visible() and t.get_text()
            ]
            words = [t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text()]
            assert not _overlaps(words)  # a panel's words do not collide, nor its tick values
            assert not _overlaps([t.get_window_extent(renderer).expanded(1.1, 1) for t in xticks if t.get_text()])
            boxes.append([t.get_window_extent(renderer) for t in texts])
            boxes[-1].append(ax.get_window_extent(renderer))
        # no text of one panel runs into another panel, and nothing is cut off
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not any(x.overlaps(y) for x in a for y in b)
        page = fig.bbox
        assert all(
            b.x0 >= page.x0 - 1 and b.x1 <= page.x1 + 1 and b.y0 >= page.y0 - 1 and b.y1 <= page.y1 + 1
            for a in boxes
            for b in a
        )


# -- topic map --------------------------------------------------------------------------------
def test_pcoa_recovers_planar_points():
    pts = np.array([[0, 0], [3, 0], [0, 4], [3, 4], [1, 1]], float)
    dist = np.linalg.norm(pts[:, None] - pts[None], axis=-1)
    coords = _pcoa(dist)
    np.testing.assert_allclose(np.linalg.norm(coords[:, None] - coords[None], axis=-1), dist, atol=1e-9)


def test_js_distances():
    phi = np.array([[0.5, 0.5, 0], [0.5, 0.5, 0], [0, 0, 1.0]])
    d = _js_distances(phi)
    np.testing.assert_allclose(d, d.T)
    assert d[0, 1] == pytest.approx(0, abs=1e-6) and d[0, 2] == pytest.approx(1)


def _offline(page: str) -> None:
    """No tag outside the scripts loads anything from elsewhere (the scripts are inline)."""
    markup = re.sub(r"<script>.*?</script>", "<script></script>", page, flags=re.S)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup)
    assert "<link" not in markup and "@import" not in markup and "url(" not in markup
    assert "<script src" not in page and "LDAvis_load_lib" not in page


def test_builtin_map(default_model, tagged):
    tmap = ti.topic_map(default_model, engine="builtin")
    assert tmap.engine == "builtin"
    _offline(tmap.fragment)
    assert tmap.fragment.count('class="t"') == default_model.lda.n_topics_
    assert default_model.topic_words(0, 1)[0][0] in tmap.fragment
    assert "srcdoc=" in tmap._repr_html_()
    assert ti.topic_map(default_model, tagged, engine="builtin").engine == "builtin"


def test_pyldavis_map(default_model, tagged, tmp_path):
    pytest.importorskip("pyLDAvis")
    tmap = ti.topic_map(default_model, tagged)
    assert tmap.engine == "pyldavis"
    _offline(tmap.fragment)
    assert "new LDAvis(" in tmap.fragment and "</script>" not in tmap.fragment[tmap.fragment.index("<script>") : -9]
    page = tmap.save(tmp_path / "map.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and list(tmp_path.iterdir()) == [tmp_path / "map.html"]


# -- report -----------------------------------------------------------------------------------
def _images(page: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]


def test_report_without_corpus(default_model):
    from topics.report import build_report

    page = build_report(default_model)
    _offline(page)
    images = _images(page)
    assert len(images) == 2 and all(i.startswith(b"\x89PNG") for i in images)
    for t in default_model.topics(topn=10):  # words as written (Hamas, not hama)
        assert html.escape(", ".join(t["words"])) in page
    assert 'id="map"' in page and 'id="themes"' not in page


def test_report_with_labelled_corpus(default_model, tmp_path):
    from topics.report import write_report

    path = write_report(tmp_path / "r.html", default_model, labelled_articles() + dated_articles())
    page = path.read_text(encoding="utf-8")
    _offline(page)
    for section in ("topics", "words", "sizes", "map", "themes", "documents", "trends", "evaluation"):
        assert f'id="{section}"' in page
    assert len(_images(page)) == 7
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_cli_report(default_model, tmp_path, capsys):
    from topics.cli import main

    out = tmp_path / "report.html"
    code = main(["report", "--model", str(default_model.path), "--corpus", str(_seed_dir()), "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and f"dir:{_seed_dir()} (1 article)" in page
    assert main(["report", "--model", str(tmp_path / "nope"), "--out", str(out)]) == 2


def _seed_dir():
    from pathlib import Path

    return Path(__file__).resolve().parents[1] / "seeds"


def test_core_cli_does_not_import_pandas():
    code = "import sys, topics, topics.cli; topics.cli.build_parser(); print('pandas' in sys.modules or 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_old_import_path_still_works():
    import topics
    import topics.inspect as old
    from topics.inspect import TaggedCorpus, tag_corpus, topic_map

    assert (TaggedCorpus, tag_corpus, topic_map) == (ti.TaggedCorpus, ti.tag_corpus, ti.topic_map)
    assert topics.inspect is old and set(old.__all__) == set(ti.__all__)


def test_tag_corpus_tokenises_and_infers_each_article_once(default_model, monkeypatch):
    from topics.tagger import Tagger

    calls = {"tokenize": 0, "infer": 0}
    pre, lda = default_model.preprocessor, default_model.lda
    tokenize, transform = pre.tokenize, lda.transform

    def counting_tokenize(text):
        calls["tokenize"] += 1
        return tokenize(text)

    def counting_transform(docs):
        docs = list(docs)
        calls["infer"] += len(docs)
        return transform(docs)

    monkeypatch.setattr(pre, "tokenize", counting_tokenize)
    monkeypatch.setattr(lda, "transform", counting_transform)
    articles = dated_articles()
    tc = ti.tag_corpus(default_model, articles)
    assert calls == {"tokenize": len(articles), "infer": len(articles)}
    mixes = np.vstack([r.topic_mix for r in Tagger(default_model).tag(articles)])
    assert np.array_equal(tc.theta, mixes)  # the tagger's own topic mix, unrounded


def test_topic_trends_are_those_of_topics_trends(default_model):
    from topics.trends import topic_trends

    ours = ti.topic_trends(default_model, dated_articles(), by="month")
    cli = topic_trends(default_model, dated_articles(), by="month")
    assert list(ours.index) == cli.periods and ours["articles"].tolist() == cli.articles.tolist()
    assert np.allclose(ours.drop(columns="articles").to_numpy(), cli.topic_share)
    themes = ti.theme_trends(default_model, dated_articles(), by="month")
    assert np.allclose(themes.drop(columns="articles").to_numpy(), cli.theme_share)


def test_figures_leave_matplotlib_global_state_alone(default_model):
    import matplotlib

    backend = matplotlib.get_backend()
    rows = [
        {"k": 4, "npmi": 0.02, "diversity": 0.9, "chosen": False},
        {"k": 6, "npmi": 0.05, "diversity": 0.8, "chosen": True},
    ]
    fig = ti.plot_sweep(rows)
    assert [ax.get_title() for ax in fig.axes] == ["coherence (NPMI)", "topic diversity"]
    assert ti.figure_png(fig).startswith(b"\x89PNG") and matplotlib.get_backend() == backend


def test_long_words_are_cut_never_dropped():
    assert _clip("bankruptcy_protection", 12) == "bankruptcy_…"  # textwrap.shorten gave "…"
    assert _clip("#3 security: Iraq, troops, Baghdad", 24) == "#3 security: Iraq…"
    assert _clip("short", 12) == "short"


def test_topic_word_bars_show_every_word(default_model):
    fig = ti.plot_topic_words(default_model, topn=8)
    shown = [t.get_text() for ax in fig.axes if ax.get_visible() for t in ax.get_yticklabels()]
    words = [w for k in range(default_model.lda.n_topics_) for w, _ in default_model.topic_words(k, 8)]
    assert sorted(shown) == sorted(words) and "…" not in shown


def test_report_counts_are_integers_and_trends_by_period(default_model, tmp_path):
    from topics.report import build_report

    articles = labelled_articles() + dated_articles()
    page = build_report(default_model, articles)
    assert not re.search(r'class="num">\d+\.0<', page)  # "79", not "79.0"
    assert "per month (6 periods" in page  # 18 dated articles over six months: too few for weeks
    weekly = build_report(default_model, articles, by="week")
    assert "per week (" in weekly


def test_report_cli_takes_by(default_model, tmp_path, capsys):
    from topics.cli import main

    corpus = tmp_path / "dated.jsonl"
    corpus.write_text(
        "".join(f'{{"id": "{a.id}", "text": "{a.text}", "date": "{a.date}"}}\n' for a in dated_articles())
    )
    out = tmp_path / "r.html"
    assert (
        main(
            [
                "report",
                "--model",
                str(default_model.path),
                "--corpus",
                str(corpus),
                "--by",
                "year",
                "--out",
                str(out),
                "-q",
            ]
        )
        == 0
    )
    assert capsys.readouterr().err == ""  # -q: no "Wrote …"
    page = out.read_text(encoding="utf-8")
    assert 'id="trends"' not in page  # one year: nothing to compare
    assert (
        main(
            [
                "report",
                "--model",
                str(default_model.path),
                "--corpus",
                str(corpus),
                "--by",
                "month",
                "--out",
                str(out),
                "-q",
            ]
        )
        == 0
    )
    assert "per month (6 periods" in out.read_text(encoding="utf-8")


def test_theme_labels_are_one_style(default_model):
    """A model whose themes are a corpus's labels shows them as named, even when the taxonomy has a
    theme of that name (BBC's politics is not 'Domestic politics'); taxonomy themes show their labels."""
    from types import SimpleNamespace

    from topics.model import Model

    tc = ti.tag_corpus(default_model, labelled_articles())
    counts = ti.theme_counts(default_model, tc)
    assert list(counts["label"]) == [default_model.taxonomy[t].label for t in default_model.themes]
    corpus_labels = Model(
        default_model.preprocessor,
        default_model.lda,
        SimpleNamespace(classes_=np.array(["business", "politics"])),
        default_model.taxonomy.with_names(["business", "politics"]),
    )
    tc = ti.TaggedCorpus(
        articles=pd.DataFrame({"themes": [("politics",)], "labels": [None]}, index=["a"]),
        theta=np.ones((1, 1)),
        scores=pd.DataFrame({"business": [0.1], "politics": [0.9]}),
        results=[],
        term_counts=np.zeros(0),
    )
    assert "label" not in ti.theme_counts(corpus_labels, tc).columns


def test_explain_says_why_a_tag_is_below_its_threshold(default_model):
    from topics.classify import ThemeScore
    from topics.tagger import Tagger, threshold_note

    below = ThemeScore("business", 0.41, 0.62, True)
    assert "single-label" not in threshold_note(below, "best-if-none")
    assert threshold_note(below, "single-label").startswith(
        "below its threshold 0.62, tagged anyway: the model was trained on articles with one label each"
    )
    assert threshold_note(ThemeScore("tech", 0.7, 0.5, False)).startswith("above its threshold 0.50, not tagged")
    assert threshold_note(ThemeScore("sport", 0.9, 0.5, True)) == ""
    df = ti.explain(Tagger(default_model).tag_one(OIL), default_model)
    assert list(df.columns) == ["score", "threshold", "tagged", "evidence", "note"]
    assert all(
        (note != "") == ((s < t) == tagged)
        for s, t, tagged, note in zip(df["score"], df["threshold"], df["tagged"], df["note"])
    )

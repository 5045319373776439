"""Theme evaluation: metrics against scikit-learn's, the CLI end to end, real benchmarks."""

import json
import random

import numpy as np
import pytest
from test_classify import _SUPERVISED_TEXTS

from topics.cli import main
from topics.evaluate import cross_validate, theme_metrics


def test_metrics_match_scikit_learn():
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support
    from sklearn.preprocessing import MultiLabelBinarizer

    rng = random.Random(0)
    themes = ["a", "b", "c", "d", "e"]
    true = [rng.sample(themes[:4], rng.randint(1, 2)) for _ in range(200)]  # "e" never occurs
    pred = [rng.sample(themes, rng.randint(0, 2)) for _ in range(200)]
    result = theme_metrics(true, pred, themes)
    mlb = MultiLabelBinarizer(classes=themes)
    Y, P = mlb.fit_transform(true), mlb.transform(pred)
    micro = precision_recall_fscore_support(Y, P, average="micro")
    assert (result.micro_precision, result.micro_recall, result.micro_f1) == pytest.approx(micro[:3])
    # Macro over the themes that occur: "e" (never a label, sometimes tagged) only costs micro precision.
    macro = precision_recall_fscore_support(Y[:, :4], P[:, :4], average="macro", zero_division=0)
    assert (result.macro_precision, result.macro_recall, result.macro_f1) == pytest.approx(macro[:3])
    assert result.accuracy == pytest.approx(accuracy_score(Y, P))
    assert result.n_documents == 200 and result.n_themes == 4
    assert [t.name for t in result.themes][-1] == "e" and result.themes[-1].support == 0


def test_unknown_labels_count_as_misses():
    result = theme_metrics([["a", "zz"], ["b"]], [["a"], ["b"]], ["a", "b"])
    assert result.n_unknown_labels == 1 and result.unknown_labels == ["zz"]
    assert result.micro_precision == 1.0 and result.micro_recall == pytest.approx(2 / 3)
    assert result.macro_f1 == 1.0 and result.accuracy == 0.5
    assert json.loads(json.dumps(result.to_dict()))["micro_f1"] == pytest.approx(0.8)


def _write_corpus(path, n_per_theme, seed):
    """A labelled JSONL corpus of real sentences, several per article."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as f:
        for label, texts in _SUPERVISED_TEXTS.items():
            for i in range(n_per_theme):
                text = " ".join(rng.sample(texts, 3))
                f.write(json.dumps({"id": f"{label}-{seed}-{i}", "text": text, "labels": [label]}) + "\n")


def test_folders_named_as_people_write_themes_are_read_as_themes(default_model, artifacts, tmp_path, capsys):
    """A folder per theme, named "Security" or "Defence Trade": its articles count for the
    themes security and defense-trade (not as unknown labels that zero every score)."""
    articles = {
        "Security": "Rebels attack army base\n\nInsurgents attacked an army base, killing ten soldiers.",
        "Energy": "Oil prices jump\n\nOPEC cut crude output again and refineries slowed.",
        "Defence Trade": "Navy orders frigates\n\nThe navy ordered four frigates and anti-ship missiles from a shipyard.",
        "Tourism & travel": "Hotels full\n\nTourists flocked to the beach resorts and hotels were fully booked.",
    }
    for folder, text in articles.items():
        (tmp_path / "by-theme" / folder).mkdir(parents=True)
        (tmp_path / "by-theme" / folder / "1.txt").write_text(text, encoding="utf-8")
    assert main(["evaluate", "--corpus", str(tmp_path / "by-theme"), "--artifacts", str(artifacts), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n_unknown_labels"] == 0 and result["micro_recall"] == 1.0
    assert result["renamed"] == {
        "Defence Trade": "defense-trade",
        "Energy": "energy",
        "Security": "security",
        "Tourism & travel": "tourism",
    }


def test_cli_train_and_evaluate_end_to_end(tmp_path, capsys):
    train, test = tmp_path / "train.jsonl", tmp_path / "test.jsonl"
    _write_corpus(train, 20, seed=1)
    _write_corpus(test, 5, seed=2)
    art = str(tmp_path / "art")
    assert main(["train", "--corpus", str(train), "--name", "t", "--artifacts", art, "--topics", "3", "--cv", "3"]) == 0
    out = capsys.readouterr().out
    assert "theme CV" in out and "3-fold cross-validation" in out and "micro" in out
    assert main(["evaluate", "--model", "t", "--artifacts", art, "--corpus", str(test), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["n_documents"] == 15 and figures["micro_f1"] >= 0.9 and figures["macro_f1"] >= 0.9
    assert {t["name"] for t in figures["themes"]} == set(_SUPERVISED_TEXTS)
    assert main(["evaluate", "--model", "t", "--artifacts", art, "--corpus", str(test)]) == 0
    table = capsys.readouterr().out
    assert "micro" in table and "energy" in table
    assert main(["evaluate", "--model", "t", "--artifacts", art]) == 2  # nothing to evaluate on
    assert "--corpus" in capsys.readouterr().err


def test_cross_validate_pools_every_fold(tmp_path):
    corpus = tmp_path / "c.jsonl"
    _write_corpus(corpus, 10, seed=3)
    result = cross_validate(corpus, k=3, classifier_params={"min_df": 1, "cv": 3})
    assert result.n_documents == 30 and result.accuracy >= 0.9
    assert "3-fold" in result.source


# -- the standard benchmarks (real data) --------------------------------------------------
@pytest.mark.slow
def test_reuters_modapte_90_topics(shared_data):
    """The issue's bar: ModApte, trained on train, scored on test, 90 topics."""
    from topics.classify import ThemeClassifier
    from topics.corpus import Corpus, reuters_common_labels
    from topics.preprocess import Preprocessor

    path = shared_data / "reuters21578"
    train = list(Corpus(path, "reuters21578", split="train"))
    test = list(Corpus(path, "reuters21578", split="test"))
    common = reuters_common_labels(train, test)
    pre = Preprocessor()
    pairs = [(pre.tokenize(a.full_text), [label for label in a.labels if label in common]) for a in train]
    pairs = [(t, y) for t, y in pairs if y]
    clf = ThemeClassifier().fit([t for t, _ in pairs], [y for _, y in pairs])
    P = clf.predict([pre.tokenize(a.full_text) for a in test])
    pred = [[str(clf.classes_[j]) for j in np.flatnonzero(row)] for row in P]
    result = theme_metrics([a.labels for a in test], pred, [str(c) for c in clf.classes_])
    print(f"Reuters ModApte 90: micro-F1 {result.micro_f1:.4f}, macro-F1 {result.macro_f1:.4f}")
    assert len(clf.classes_) == 90 and result.n_themes == 90
    assert result.micro_f1 >= 0.895 and result.macro_f1 >= 0.60


@pytest.mark.slow
def test_bbc_five_fold_accuracy(shared_data):
    result = cross_validate(shared_data / "bbc", k=5)
    print(f"BBC 5-fold accuracy {result.accuracy:.4f}")
    assert result.n_documents == 2225 and result.accuracy >= 0.985

"""Supervised mode (topics.classify.supervised): SVMs, calibration, thresholds, out of core."""

import numpy as np
import pytest
from test_classify import P, _lee_tokens, _supervised_data

from topics.classify import ThemeClassifier
from topics.taxonomy import default_taxonomy


def test_supervised_multilabel_with_thresholds_and_single_label_mode():
    docs = _lee_tokens()
    # Real text, labels from the Lee corpus' own subjects (fire stories vs. cricket vs. the rest).
    y = [("fire",) if "fire" in d else ("cricket",) if "wicket" in d else ("other",) for d in docs]
    clf = ThemeClassifier(default_taxonomy()).fit(docs, y)
    assert clf.mode_ == "supervised" and clf.single_label_
    assert set(clf.classes_) == {"fire", "cricket", "other"}
    pred = clf.predict(docs)
    assert (pred.sum(axis=1) == 1).all()  # single-label corpora get exactly one theme
    truth = np.array([list(clf.classes_).index(lab[0]) for lab in y])
    assert (pred.argmax(axis=1) == truth).mean() > 0.9
    assert ((clf.thresholds_ > 0) & (clf.thresholds_ < 1)).all()


def test_multilabel_corpus_can_get_several_themes():
    docs = _lee_tokens()
    y = [tuple(lab for lab, word in (("fire", "fire"), ("police", "police")) if word in d) for d in docs]
    clf = ThemeClassifier().fit(docs, y)
    assert not clf.single_label_
    both = [i for i, labels in enumerate(y) if len(labels) == 2]
    assert both and clf.predict([docs[i] for i in both]).sum(axis=1).max() == 2


def test_supervised_learns_themes_with_calibrated_scores_and_thresholds():
    X, y = _supervised_data()
    clf = ThemeClassifier(min_df=1, cv=3).fit(X, y)
    assert clf.mode_ == "supervised" and list(clf.classes_) == ["energy", "sport", "trade"]
    assert not clf.single_label_ and clf.calibration_.shape == (3, 2)
    assert ((0 < clf.thresholds_) & (clf.thresholds_ < 1)).all()
    new = [P.tokenize("OPEC said crude oil output would fall."), P.tokenize("The striker scored in the cup match.")]
    proba = clf.predict_proba(new)
    assert ((0 <= proba) & (proba <= 1)).all()
    assert proba[0].argmax() == 0 and proba[1].argmax() == 1
    pred = clf.predict(new)
    assert pred[0, 0] == 1 and pred[1, 1] == 1
    # The decision function is the uncalibrated SVM margin; calibration keeps the order.
    margins = clf.decision_function(new)
    assert (np.argsort(margins, axis=1) == np.argsort(proba, axis=1)).all()


def test_supervised_single_label_tags_exactly_one_theme_with_evidence():
    X, y = _supervised_data()
    X, y = X[:-2], y[:-2]  # single-label only
    clf = ThemeClassifier(min_df=1, cv=3).fit(X, y)
    assert clf.single_label_
    rows = clf.explain([P.tokenize("Crude oil prices fell as OPEC output rose; the cup match was off.")])
    tagged = [s for s in rows[0] if s.tagged]
    assert len(tagged) == 1 and tagged[0].name == "energy"
    assert {"crude", "oil"} & set(tagged[0].evidence)  # the article's words that raised the score
    assert "match" not in tagged[0].evidence


def test_supervised_always_tag_and_nb_weighting_options():
    X, y = _supervised_data()
    never = ThemeClassifier(min_df=1, cv=3, always_tag=False).fit(X, y)
    always = ThemeClassifier(min_df=1, cv=3, always_tag=True, nb_weighting=False).fit(X, y)
    off_topic = [P.tokenize("The museum opened a new wing for modern painting.")]
    assert always.predict(off_topic).sum() == 1
    assert not never.always_tag_ and always.always_tag_
    assert never.cv_scores_["folds"] == 3 and 0 <= never.cv_scores_["micro_f1"] <= 1


def test_platt_scaling_is_monotone_and_calibrated():
    from topics.classify import _platt, _sigmoid

    rng = np.random.default_rng(0)
    margins = rng.normal(size=4000)
    y = (rng.random(4000) < _sigmoid(3 * margins - 1)).astype(int)
    a, b = _platt(margins, y)
    assert a == pytest.approx(3, rel=0.15) and b == pytest.approx(-1, abs=0.2)
    assert _platt(np.array([-1.0, 1.0]), np.array([1, 0]))[0] > 0  # never decreasing


def test_supervised_model_is_the_same_on_every_run_and_any_number_of_workers(shared_data):
    """liblinear's random generator is process-wide: SVMs fitted in concurrent threads come
    out slightly different on every run. The exact learner fits in worker processes."""
    from topics.corpus import Corpus

    articles = list(Corpus(shared_data / "bbc", "labelled-dir"))[::2]
    X, y = [P.tokenize(a.full_text) for a in articles], [a.labels for a in articles]
    runs = [ThemeClassifier(n_jobs=n).fit(X, y) for n in (2, 2, 1)]
    for other in runs[1:]:
        assert np.array_equal(other.coef_, runs[0].coef_) and np.array_equal(other.thresholds_, runs[0].thresholds_)


# -- out of core -----------------------------------------------------------------------------


def test_out_of_core_is_deterministic_and_learns_themes_in_groups(monkeypatch):
    from topics import outofcore

    X, y = _supervised_data()
    X, y = X * 4, y * 4  # 80 articles, above the limit below
    messages = []
    clf = ThemeClassifier(min_df=1, cv=4, out_of_core_above=50).fit(X, y, progress=messages.append)
    assert clf.cv_scores_["held_out"] == 20 and "folds" not in clf.cv_scores_
    assert any("SGD epoch 5/5" in m for m in messages)
    new = [P.tokenize("OPEC said crude oil output would fall."), P.tokenize("The striker scored in the cup match.")]
    assert clf.predict_proba(new).argmax(axis=1).tolist() == [0, 1]
    # Same input, same model; and learning the themes one group at a time (as when their
    # weights would not fit the memory budget together) changes nothing.
    monkeypatch.setattr(outofcore, "_STATE_BYTES", 1)
    grouped = ThemeClassifier(min_df=1, cv=4, out_of_core_above=50).fit(X, y, progress=messages.append)
    assert any("group 3/3" in m for m in messages)
    assert np.array_equal(grouped.coef_, clf.coef_) and np.array_equal(grouped.thresholds_, clf.thresholds_)
    # Too few articles to hold any out: default calibration, and no made-up held-out figures.
    tiny = ThemeClassifier(min_df=1, out_of_core_above=0).fit(X[:3], y[:3])
    assert tiny.cv_scores_ == {} and (tiny.thresholds_ == 0.5).all()


def test_out_of_core_matches_the_exact_learner_on_real_news(shared_data):
    """BBC News, 1,500 articles to train, the other 725 to test: the SGD learner (forced
    by a low limit) tags nearly as well as the exact one."""
    from topics.corpus import Corpus

    articles = list(Corpus(shared_data / "bbc", "labelled-dir"))
    order = np.random.default_rng(0).permutation(len(articles))
    X = [P.tokenize(articles[i].full_text) for i in order]
    y = [articles[i].labels for i in order]
    accuracy = {}
    for limit in (None, 1000):
        clf = ThemeClassifier(out_of_core_above=limit).fit(X[:1500], y[:1500])
        pred = clf.classes_[clf.predict(X[1500:]).argmax(axis=1)]
        accuracy[limit] = np.mean([p in labels for p, labels in zip(pred, y[1500:])])
    assert accuracy[None] > 0.96 and accuracy[1000] > accuracy[None] - 0.015


def test_always_tag_auto_keeps_the_fallback_only_if_it_raises_out_of_fold_f1():
    """The "auto" setting fits the same out-of-fold scores as both fixed settings and keeps the one with
    the higher micro-F1; working that out leaves nothing behind but the choice."""
    docs = _lee_tokens()
    y = [tuple(lab for lab, word in (("fire", "fire"), ("police", "police")) if word in d) or ("other",) for d in docs]
    y = [labels if i % 3 else ("other",) + labels for i, labels in enumerate(y)]  # multi-label
    fits = {
        setting: ThemeClassifier(cv=3, n_jobs=1, always_tag=setting).fit(docs, y) for setting in ("auto", True, False)
    }
    auto = fits["auto"]
    assert not auto.single_label_
    chosen = fits[bool(auto.always_tag_)]
    assert auto.cv_scores_ == chosen.cv_scores_ and np.array_equal(auto.thresholds_, chosen.thresholds_)
    assert auto.cv_scores_["micro_f1"] == max(fits[True].cv_scores_["micro_f1"], fits[False].cv_scores_["micro_f1"])

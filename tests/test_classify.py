import numpy as np
import pytest

from topics.classify import ThemeClassifier
from topics.evidence import SeedMatcher
from topics.preprocess import Preprocessor
from topics.taxonomy import Taxonomy, Theme, default_taxonomy

P = Preprocessor()


def _matches(text, taxonomy=None):
    tax = taxonomy or default_taxonomy()
    found = SeedMatcher(tax, P.tokenize).matches(P.tokenize(text))
    return {name: {term for (_, term) in counts} for name, counts in zip(tax.names, found)}


def test_exclude_phrases_do_not_count():
    m = _matches("The UN Security Council met. Social security payments rose.")
    assert not m["security"]
    assert "security council" in m["diplomacy"]


def test_longest_match_counts_once():
    m = _matches("Crude oil prices rose.")
    assert "crude oil" in m["energy"] and "oil" not in m["energy"] and "crude" not in m["energy"]


def test_proximity_cue_finds_weapon_sales_without_a_listed_phrase():
    m = _matches("Turkey purchased Russian air defenses and may buy a second batch of missiles.")
    assert any("~" in term for term in m["defense-trade"])
    far = "Missiles hit the city on Monday night. Weeks later, the shops in the old town reopened; bread went on sale again."
    assert not _matches(far)["defense-trade"]


def test_proximity_cue_window_either_side_and_counts_every_weapon():
    from topics.taxonomy import ProximityCue

    tax = Taxonomy((Theme("trade", "Trade", pairs=(ProximityCue(("missile",), ("sale",), window=3),)),))
    matcher = SeedMatcher(tax, P.tokenize)
    words = lambda text: sum(matcher.matches(P.tokenize(text))[0].values())  # noqa: E731
    assert words("sale alpha beta missile") == 1  # b before a, exactly at the window
    assert words("sale alpha beta gamma missile") == 0  # one word too far
    # a long text full of cues: every weapon near a sale counts (matching stays linear in length)
    assert words("missile sale. " * 5000) == 5000


def test_evidence_damps_repetition():
    tax = Taxonomy((Theme("oil", "Oil", seeds=("oil",), related=("barrel",)),))
    matcher = SeedMatcher(tax, P.tokenize)
    once, thrice = matcher.transform([P.tokenize("oil"), P.tokenize("oil oil oil")])[:, 0]
    related = matcher.transform([P.tokenize("barrel")])[0, 0]
    assert 1.0 == once < thrice < 3.0 and related < once


def test_shared_evidence_is_the_part_a_stronger_theme_claims_too():
    tax = Taxonomy((
        Theme("trade", "Arms trade", seeds=("arms maker", "missile", "export order")),
        Theme("war", "War", seeds=("missile", "shelling")),
    ))
    matcher = SeedMatcher(tax, P.tokenize)
    docs = [P.tokenize("The arms maker won a missile export order."), P.tokenize("Missile strikes and shelling overnight.")]
    counts = [matcher.matches(tokens) for tokens in docs]
    shared = matcher.shared(counts, matcher.evidence_matrix(counts))
    # the sale story: war's only word is a word of the stronger trade evidence
    assert shared[0, 1] == 1.0 and shared[0, 0] == 0.0
    # the strike story: war is the stronger theme, nothing of it is claimed by another
    assert shared[1, 1] == 0.0 and shared[1, 0] == 1.0


def _lee_tokens():
    from gensim.test.utils import datapath

    with open(datapath("lee_background.cor"), encoding="latin-1") as f:
        return [P.tokenize(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def lee_taxonomy_model():
    return ThemeClassifier(default_taxonomy()).fit(_lee_tokens(), tokenize=P.tokenize)


def test_taxonomy_mode_needs_more_than_a_passing_mention(lee_taxonomy_model):
    # A long article that mentions a theme once is not about it; a short item that names
    # it is (in a headline and a sentence, one telling term is the subject).
    clf = lee_taxonomy_model
    assert clf.mode_ == "taxonomy" and list(clf.classes_) == list(default_taxonomy().names)
    sport = list(clf.classes_).index("sport")
    passing, about = clf.predict_proba(
        [
            P.tokenize(
                "The county council met on Tuesday to plan new roads, cycle lanes and bus routes for the town centre. "
                "Councillors argued over the cost of resurfacing, the timetable for the bypass and the parking charges "
                "that shopkeepers say keep customers away. The budget committee will publish its figures next month, "
                "and residents can comment on the plans at the library until the end of the year. Officials said the "
                "consultation drew more than four hundred letters, most of them about traffic near the primary school "
                "and the lack of crossings on the high street. The transport director promised wider pavements, new "
                "lighting on the river path and a review of the speed limits around the hospital. Businesses asked for "
                "loading bays and cheaper permits; the chamber of commerce warned that months of roadworks could close "
                "small shops. The mayor said grants from the regional fund would cover half the cost, and that the "
                "work would be split into phases to keep the market open on weekends. A final vote is due in spring, "
                "after engineers report on drainage under the old station yard and on the state of the canal bridge. "
                "One member joked that the old pavilion, where wickets once fell, would make a fine depot for the buses."
            ),
            P.tokenize("Wickets fell as the bowlers dominated the Test; the batsmen saved the match in the stadium."),
        ]
    )
    assert passing[sport] < 0.5 <= about[sport]
    assert ((0 <= about) & (about <= 1)).all()


def test_taxonomy_mode_learns_words_past_the_seed_list(lee_taxonomy_model):
    clf = lee_taxonomy_model
    security = list(clf.classes_).index("security")
    tokens = P.tokenize("Afghan commanders pressed on around Kandahar and Tora Bora, where bin Laden's followers hid.")
    lexicon_only = clf._lexicon_scores([tokens])[0, security]
    assert clf.predict_proba([tokens])[0, security] > lexicon_only + 0.02
    # The learned part counts in proportion to the weak positives it was trained on.
    tourism = list(clf.classes_).index("tourism")
    assert clf.model_weights_[security] > clf.model_weights_[tourism] >= 0


def test_taxonomy_mode_learns_from_a_bounded_sample_of_a_large_corpus(lee_taxonomy_model):
    # Above max_weak_articles the weak-label classifiers see an even sample (bounded memory):
    # their learned words and the tags they give stay close to the full fit's.
    docs = _lee_tokens()
    capped = ThemeClassifier(default_taxonomy(), max_weak_articles=150).fit(docs, tokenize=P.tokenize)
    full = lee_taxonomy_model
    assert capped.vectorizer_.vocabulary_ == full.vectorizer_.vocabulary_  # the vocabulary still reads every article
    assert not np.array_equal(capped.coef_, full.coef_)
    agree = (capped.predict(docs) == full.predict(docs)).mean()
    assert agree > 0.97


def test_max_features_keeps_the_most_frequent_features():
    X, y = _supervised_data()
    small = ThemeClassifier(min_df=1, cv=2, max_features=20).fit(X, y)
    assert small.coef_.shape[1] == 20 and len(small.vectorizer_.vocabulary_) == 20


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


def test_fit_without_labels_needs_taxonomy():
    with pytest.raises(ValueError, match="taxonomy"):
        ThemeClassifier().fit([["a"]])


def test_exclude_phrase_reduced_to_one_word_is_ignored_with_a_warning():
    tax = Taxonomy((Theme("tourism", "Tourism", seeds=("resort", "tourist"), exclude=("last resort",)),))
    with pytest.warns(UserWarning, match="last resort"):
        matcher = SeedMatcher(tax, P.tokenize)
    assert matcher.transform([P.tokenize("Tourists flocked to the resort")])[0, 0] == 2.0


def test_default_taxonomy_builds_without_warnings():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SeedMatcher(default_taxonomy(), P.tokenize)


# -- supervised ----------------------------------------------------------------------------
_SUPERVISED_TEXTS = {
    "energy": [
        "Crude oil prices rose after OPEC agreed to cut output at its Vienna meeting.",
        "The pipeline will carry natural gas from the Caspian fields to European markets.",
        "Refinery margins fell as crude stocks built up and gasoline demand weakened.",
        "The utility raised electricity tariffs after coal and gas costs climbed.",
        "Oil majors expect crude output in the North Sea to decline next year.",
        "OPEC ministers said crude quotas would hold while oil inventories stay high.",
    ],
    "sport": [
        "The striker scored twice as United beat City in the league match.",
        "The champion won the final set to take the tennis title at Wimbledon.",
        "The coach named a young goalkeeper in the squad for the cup match.",
        "The batsmen saved the test match as the bowlers tired in the heat.",
        "The club signed the midfielder on a three-year contract before the league season.",
        "The marathon runner broke the course record in the final mile.",
    ],
    "trade": [
        "Exports to Japan rose as the trade surplus widened in the quarter.",
        "The tariff dispute over steel imports went to the trade tribunal.",
        "Officials said the trade deficit narrowed as imports of machinery fell.",
        "The trade talks stalled over farm subsidies and import quotas.",
        "Import duties on cars will fall under the new trade agreement.",
        "The surplus in trade with Europe shrank as exports of textiles slowed.",
    ],
}


def _supervised_data():
    X, y = [], []
    for label, texts in _SUPERVISED_TEXTS.items():
        for text in texts:
            X.append(P.tokenize(text))
            y.append([label])
    # Articles about two themes: oil trade.
    for text in ("Oil exports rose and the trade surplus widened as crude prices climbed.",
                 "Crude imports fell, narrowing the trade deficit, as the oil price dropped."):
        X.append(P.tokenize(text))
        y.append(["energy", "trade"])
    return X, y


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
    rows = clf.score_themes([P.tokenize("Crude oil prices fell as OPEC output rose; the cup match was off.")])
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


def test_supervised_model_pickles_and_predicts_the_same():
    import pickle

    X, y = _supervised_data()
    clf = ThemeClassifier(min_df=1, cv=3).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    assert np.allclose(again.predict_proba(X), clf.predict_proba(X))


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


def test_a_bundle_saved_before_a_parameter_existed_still_loads_and_prints():
    import pickle

    X, y = _supervised_data()
    clf = ThemeClassifier(min_df=1, cv=3).fit(X, y)
    old = clf.__getstate__()
    del old["out_of_core_above"], old["sgd_epochs"]  # as pickled by an earlier version
    again = ThemeClassifier.__new__(ThemeClassifier)
    again.__setstate__(old)
    assert again.get_params()["out_of_core_above"] == 50_000 and "ThemeClassifier" in repr(again)
    assert np.allclose(again.predict_proba(X), clf.predict_proba(X))
    assert pickle.loads(pickle.dumps(clf)).get_params() == clf.get_params()


def test_supervised_model_is_the_same_on_every_run_and_any_number_of_workers(shared_data):
    """liblinear's random generator is process-wide: SVMs fitted in concurrent threads come
    out slightly different on every run. The exact learner fits in worker processes."""
    from topics.corpus import Corpus

    articles = list(Corpus(shared_data / "bbc", "labelled-dir"))[::2]
    X, y = [P.tokenize(a.full_text) for a in articles], [a.labels for a in articles]
    runs = [ThemeClassifier(n_jobs=n).fit(X, y) for n in (2, 2, 1)]
    for other in runs[1:]:
        assert np.array_equal(other.coef_, runs[0].coef_) and np.array_equal(other.thresholds_, runs[0].thresholds_)

"""The theme classifier's API (topics.classify): fit dispatch, scoring, explaining, pickles.

The two ways of learning have their own test modules: test_classify_supervised.py and
test_classify_zero_label.py (and test_evidence.py for the seed matcher).
"""

import numpy as np
import pytest

from topics.classify import ThemeClassifier
from topics.preprocess import Preprocessor

P = Preprocessor()


def _lee_tokens():
    from gensim.test.utils import datapath

    with open(datapath("lee_background.cor"), encoding="latin-1") as f:
        return [P.tokenize(line) for line in f if line.strip()]


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
    for text in (
        "Oil exports rose and the trade surplus widened as crude prices climbed.",
        "Crude imports fell, narrowing the trade deficit, as the oil price dropped.",
    ):
        X.append(P.tokenize(text))
        y.append(["energy", "trade"])
    return X, y


def test_fit_without_labels_needs_taxonomy():
    with pytest.raises(ValueError, match="taxonomy"):
        ThemeClassifier().fit([["a"]])


def test_max_features_keeps_the_most_frequent_features():
    X, y = _supervised_data()
    small = ThemeClassifier(min_df=1, cv=2, max_features=20).fit(X, y)
    assert small.coef_.shape[1] == 20 and len(small.vectorizer_.vocabulary_) == 20


def test_supervised_model_pickles_and_predicts_the_same():
    import pickle

    X, y = _supervised_data()
    clf = ThemeClassifier(min_df=1, cv=3).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    assert np.allclose(again.predict_proba(X), clf.predict_proba(X))


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


def test_score_takes_the_label_lists_fit_takes():
    docs = _lee_tokens()
    y = [tuple(lab for lab, word in (("fire", "fire"), ("police", "police")) if word in d) or ("other",) for d in docs]
    clf = ThemeClassifier(cv=3, n_jobs=1).fit(docs[:200], y[:200])
    held_out = clf.score(docs[200:], y[200:])
    assert 0.5 < held_out <= 1.0
    assert clf.score(docs[:200], y[:200]) >= held_out  # training articles are easier
    # A label the model never saw is a miss, as in `topics evaluate`.
    assert clf.score(docs[200:], [labels + ("unseen",) for labels in y[200:]]) < held_out


def test_pickles_name_the_public_module_so_bundles_load_across_versions():
    """Bundles pickle the classifier: they must name ``topics.classify.ThemeClassifier``
    (not the submodule it lives in), and the names older bundles used must still resolve."""
    import pickle
    import pickletools

    from topics.evidence import SeedMatcher
    from topics.features import ngrams

    X, y = _supervised_data()
    clf = ThemeClassifier(min_df=1, cv=3).fit(X, y)
    refs = {arg for op, arg, _ in pickletools.genops(pickle.dumps(clf, protocol=2)) if op.name == "GLOBAL"}
    assert "topics.classify ThemeClassifier" in refs
    assert not [r for r in refs if r.startswith("topics.classify.")]
    row = clf.explain(X[:1])[0][0]
    assert b"topics.classify\nThemeScore" in pickle.dumps(row, protocol=0)
    # names bundles of earlier versions refer to (SeedMatcher and _ngrams were defined here once)
    old = {
        name: pickle.loads(f"ctopics.classify\n{name}\n.".encode())
        for name in ("ThemeClassifier", "SeedMatcher", "_ngrams")
    }
    assert old == {"ThemeClassifier": ThemeClassifier, "SeedMatcher": SeedMatcher, "_ngrams": ngrams}


def test_explain_and_compact_scores_say_the_same_and_old_names_still_work():
    from topics.classify import ranked_theme_scores, theme_scores

    X, y = _supervised_data()
    clf = ThemeClassifier(min_df=1, cv=3).fit(X, y)
    new = [P.tokenize("OPEC said crude oil output would fall and exports rose."), P.tokenize("The striker scored.")]
    compact = clf.compact_scores(new)
    assert np.array_equal(compact.proba, clf.predict_proba(new))
    assert np.array_equal(compact.tagged, clf.predict(new).astype(bool))
    rows = clf.explain(new)
    for d, row in enumerate(rows):
        assert [s.score for s in row] == sorted(compact.proba[d], reverse=True)  # every theme, highest first
        assert {s.name: s.evidence for s in row if s.tagged} == {
            clf.classes_[t]: terms for t, terms in compact.evidence[d].items()
        }
        assert row == ranked_theme_scores(
            clf.classes_, clf.thresholds_, compact.proba[d], compact.tagged[d], compact.evidence[d]
        )
    # the former names: deprecated, same answers
    with pytest.warns(DeprecationWarning, match="explain"):
        assert clf.score_themes(new) == rows
    with pytest.warns(DeprecationWarning, match="compact_scores"):
        proba, tagged, evidence = clf.score_batch(new)
    assert np.array_equal(proba, compact.proba) and evidence == compact.evidence
    with pytest.warns(DeprecationWarning, match="ranked_theme_scores"):
        assert theme_scores(clf.classes_, clf.thresholds_, proba[0], tagged[0], evidence[0]) == rows[0]

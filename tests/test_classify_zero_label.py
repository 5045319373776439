"""Taxonomy mode (topics.classify.zero_label): themes from seed terms and weak labels."""

import numpy as np
import pytest
from test_classify import P, _lee_tokens

from topics.classify import ThemeClassifier
from topics.taxonomy import default_taxonomy


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

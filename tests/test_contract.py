"""scikit-learn's estimator contract, checked on every estimator of the toolkit.

For each: ``fit`` returns the estimator and leaves its parameters as given; a clone refit
on the same data, and a pickled copy, give the same output; before ``fit`` the methods
that need a fitted model raise ``NotFittedError``; ``set_params`` changes what comes out,
also on an estimator that was already used. Data: gensim's bundled Lee corpus (300 news
articles), labelled by its own subjects for the supervised classifier.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from gensim.test.utils import datapath
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from topics.classify import ThemeClassifier
from topics.features import NgramTfidfVectorizer, ngrams
from topics.lda import LdaTopicModel
from topics.mixture import MixtureTopicModel
from topics.preprocess import Preprocessor
from topics.taxonomy import default_taxonomy

PRE = Preprocessor()


def _texts(n: int = 300) -> list[str]:
    with open(datapath("lee_background.cor"), encoding="latin-1") as f:
        return [line for line in f if line.strip()][:n]


TEXTS = _texts()
TOKENS = [PRE.tokenize(t) for t in TEXTS]
# Multi-label, from the articles' own words: fire stories, police stories, both, neither.
LABELS = [
    tuple(lab for lab, word in (("fire", "fire"), ("police", "police")) if word in d) or ("other",) for d in TOKENS
]


@dataclass
class Case:
    """How to fit one estimator, read its output, and change it with set_params."""

    id: str
    make: Callable[[], object]
    fit: Callable[[object], object]  # estimator -> the value fit returned
    output: Callable[[object], object]  # fitted estimator -> comparable output
    unfitted: Callable[[object], object]  # calls a method that needs a fitted model
    change: dict  # set_params(**change) must change the output


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or hasattr(a, "toarray"):
        a, b = (x.toarray() if hasattr(x, "toarray") else x for x in (a, b))
        return a.shape == b.shape and np.array_equal(a, b)
    return a == b


CASES = [
    Case(
        "Preprocessor",
        lambda: Preprocessor(phrase_min_count=3),
        lambda e: e.fit(TEXTS),
        lambda e: e.transform(TEXTS[:40]),
        lambda e: e.transform(TEXTS[:1]),
        {"extra_stopwords": ("police", "fire")},
    ),
    Case(
        "LdaTopicModel",
        lambda: LdaTopicModel(n_topics=5, passes=1),
        lambda e: e.fit(TOKENS),
        lambda e: e.transform(TOKENS[:40]),
        lambda e: e.transform(TOKENS[:1]),
        {"n_topics": 6},
    ),
    Case(
        "MixtureTopicModel",
        lambda: MixtureTopicModel(n_topics=5, n_iter=5, no_below=2),
        lambda e: e.fit(TOKENS),
        lambda e: e.transform(TOKENS[:40]),
        lambda e: e.transform(TOKENS[:1]),
        {"n_topics": 6},
    ),
    Case(
        "ThemeClassifier-supervised",
        lambda: ThemeClassifier(cv=3, n_jobs=1),
        lambda e: e.fit(TOKENS, LABELS),
        lambda e: e.predict_proba(TOKENS[:60]),
        lambda e: e.predict(TOKENS[:1]),
        {"svm_C": 0.01},
    ),
    Case(
        "ThemeClassifier-taxonomy",
        lambda: ThemeClassifier(default_taxonomy(), n_jobs=1),
        lambda e: e.fit(TOKENS, tokenize=PRE.tokenize),
        lambda e: e.predict(TOKENS[:60]),
        lambda e: e.predict_proba(TOKENS[:1]),
        {"threshold": 0.05},
    ),
    Case(
        "NgramTfidfVectorizer",
        lambda: NgramTfidfVectorizer(analyzer=ngrams, min_df=2, sublinear_tf=True),
        lambda e: e.fit(TOKENS),
        lambda e: e.transform(TOKENS[:40]),
        lambda e: e.transform(TOKENS[:1]),
        {"max_features": 50},
    ),
]


@pytest.fixture(scope="module", params=CASES, ids=lambda c: c.id)
def fitted(request):
    case = request.param
    est = case.make()
    params = {k: v for k, v in est.get_params(deep=False).items()}
    returned = case.fit(est)
    return case, est, params, returned


def test_fit_returns_self_and_leaves_params_alone(fitted):
    case, est, params, returned = fitted
    assert returned is est
    after = est.get_params(deep=False)
    assert after.keys() == params.keys()
    for k, v in params.items():
        assert after[k] is v or after[k] == v, f"{case.id}.fit changed parameter {k}"


def test_clone_refit_and_pickle_give_the_same_output(fitted):
    case, est, _, _ = fitted
    expected = case.output(est)
    again = clone(est)
    case.fit(again)
    assert _same(case.output(again), expected), f"{case.id}: a clone refit on the same data differs"
    copy = pickle.loads(pickle.dumps(est))
    assert _same(case.output(copy), expected), f"{case.id}: a pickled copy gives another output"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_unfitted_raises_not_fitted_error(case):
    with pytest.raises(NotFittedError):
        case.unfitted(case.make())


def test_set_params_takes_effect_after_use(fitted):
    case, est, _, _ = fitted
    used = clone(est)
    case.fit(used)
    before = case.output(used)  # used once: any cache it keeps must follow the new parameters
    used.set_params(**case.change)
    case.fit(used)
    changed = case.output(used)
    assert not _same(changed, before), f"{case.id}: set_params({case.change}) changed nothing"
    fresh = case.make().set_params(**case.change)
    case.fit(fresh)
    assert _same(case.output(fresh), changed), f"{case.id}: set_params on a used estimator differs from a fresh one"

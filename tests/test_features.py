import pickle

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from topics.features import NgramTfidfVectorizer, ngrams

WORDS = ["oil", "price", "opec", "output", "cut", "gas", "pipeline", "turkey", "s-400", "missile"]
docs = st.lists(st.lists(st.sampled_from(WORDS + ["unseen", "rare"]), max_size=25), min_size=1, max_size=12)
TRAIN = [
    ["oil", "price", "rise", "opec", "output", "cut"],
    ["gas", "pipeline", "turkey", "oil", "price"],
    ["turkey", "s-400", "missile", "purchase"],
    ["oil", "price", "fall"],
    ["s-400", "missile", "turkey", "gas"],
] * 2


def _vectorizer(**kw):
    return NgramTfidfVectorizer(analyzer=ngrams, min_df=2, sublinear_tf=True, dtype=np.float32, **kw).fit(TRAIN)


@given(docs)
def test_transform_equals_scikit_learns(batch):
    # The vectorised transform is an implementation detail: its matrix must be the parent's.
    for kw in ({}, {"sublinear_tf": False}, {"norm": None}):
        v = NgramTfidfVectorizer(analyzer=ngrams, min_df=2, dtype=np.float32, **{"sublinear_tf": True, **kw}).fit(TRAIN)
        ours, theirs = v.transform(batch), TfidfVectorizer.transform(v, batch)
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
        assert np.array_equal(ours.indptr, theirs.indptr) and np.array_equal(ours.indices, theirs.indices)
        np.testing.assert_allclose(ours.data, theirs.data, rtol=1e-6)


def test_bigrams_are_features_and_empty_documents_are_empty_rows():
    v = _vectorizer()
    X = v.transform([["oil", "price"], [], ["price", "oil"]])
    names = v.get_feature_names_out()
    assert set(names[X[0].indices]) == {"oil", "price", "oil price"}
    assert X[1].nnz == 0
    assert "price oil" not in set(names[X[2].indices])  # word order matters


def test_survives_pickling():
    v = _vectorizer()
    v.transform([["oil"]])
    clone = pickle.loads(pickle.dumps(v))
    assert (clone.transform([["oil", "price"]]) != v.transform([["oil", "price"]])).nnz == 0


@given(docs, st.sampled_from([None, 3, 12]))
def test_fit_equals_scikit_learns(batch, max_features):
    # Fitting in two streamed passes must learn the parent's vocabulary and idf, and the same matrix.
    corpus = TRAIN + batch
    kw = dict(analyzer=ngrams, min_df=2, sublinear_tf=True, dtype=np.float32, max_features=max_features)
    ours, theirs = NgramTfidfVectorizer(**kw), TfidfVectorizer(**kw)
    A, B = ours.fit_transform(iter(corpus)), theirs.fit_transform(corpus)
    assert ours.vocabulary_ == theirs.vocabulary_
    np.testing.assert_array_equal(ours.idf_, theirs.idf_)
    B.sort_indices()  # the parent's fit_transform leaves columns unsorted within rows
    assert np.array_equal(A.indptr, B.indptr) and np.array_equal(A.indices, B.indices)
    np.testing.assert_allclose(A.data, B.data, rtol=1e-6)

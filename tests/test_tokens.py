import pickle

import pytest

from topics.tokens import Chained, TokenStore

DOCS = [["oil", "price"], [], ["s-400", "erdoğan", "oil"], ["gas"] * 5, ["ünïcode", "日本"]]


def test_store_gives_back_what_went_in_across_blocks():
    store = TokenStore(DOCS * 3, block=2)  # blocks smaller than the corpus
    assert len(store) == 15 and store.n_tokens() == 3 * sum(map(len, DOCS))
    assert list(store) == DOCS * 3
    assert store[2] == DOCS[2] and store[-1] == DOCS[-1] and store[1] == []
    store.append(["new", "word"])  # appending after reading works too
    assert store[-1] == ["new", "word"] and list(store)[-1] == ["new", "word"]
    with pytest.raises(IndexError):
        store[16]


def test_store_refuses_to_be_pickled():
    with pytest.raises(TypeError, match="TokenStore"):
        pickle.dumps(TokenStore(DOCS))


def test_chained_is_one_sequence():
    c = Chained(DOCS, [["extra"]])
    assert len(c) == 6 and c[5] == ["extra"] and c[-1] == ["extra"] and c[0] == DOCS[0]
    assert list(c) == DOCS + [["extra"]]


def test_subset_views_without_copying():
    from topics.tokens import Subset

    store = TokenStore(DOCS)
    sub = Subset(store, [0, 2, 4])
    assert len(sub) == 3 and sub[1] == DOCS[2] and sub[-1] == DOCS[4]
    assert list(sub) == [DOCS[0], DOCS[2], DOCS[4]]

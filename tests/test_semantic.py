"""Word meaning: shipped vectors, near terms and theme similarity."""

import numpy as np

from topics.preprocess import Preprocessor
from topics.semantic import ThemeSimilarity, WordVectors, _spelling_only, default_vectors, near_terms
from topics.taxonomy import Taxonomy, Theme, default_taxonomy

P = Preprocessor()


def test_shipped_vectors_know_news_words_and_their_neighbours():
    vectors = default_vectors()
    assert len(vectors) > 30_000 and vectors.vectors.shape[1] == 96
    v = vectors.vectors
    sim = lambda a, b: float(v[vectors.index[a]] @ v[vectors.index[b]])  # noqa: E731
    assert sim("hotel", "motel") > sim("hotel", "missile")
    assert sim("artillery", "ammunition") > sim("artillery", "tourism")
    # names are flagged, so meaning never rests on a place or a group
    assert vectors.name_share[vectors.index["afghanistan"]] > 0.7 > vectors.name_share[vectors.index["oil"]]


def test_near_terms_stand_for_a_seed_and_skip_names_lists_and_spelling():
    tax = default_taxonomy()
    terms = near_terms(tax, P.tokenize, default_vectors(), min_similarity=0.6)
    by_theme = {(tax.names[t.theme], t.token): t for t in terms}
    security = {token for theme, token in by_theme if theme == "security"}
    assert "bombed" in security and by_theme[("security", "bombed")].seed == "bombing"
    assert not security & {"afghanistan", "gaza", "coupon", "soldier", "troop"}  # a name, spelling, already listed
    assert all(0.6 <= t.similarity <= 1.0 for t in terms)


def test_spelling_only():
    assert (
        _spelling_only("coupon", "coup") and not _spelling_only("bombed", "bomb") and not _spelling_only("oil", "fuel")
    )


def test_theme_similarity_reads_meaning_without_any_listed_word():
    tax = Taxonomy(
        (
            Theme("energy", "Energy", seeds=("oil", "electricity", "refinery")),
            Theme(
                "tourism", "Tourism", seeds=("tourist", "hotel", "resort"), examples=("Holidaymakers flock to beaches",)
            ),
        )
    )
    sim = ThemeSimilarity(tax, P.tokenize, default_vectors())
    out = sim.transform(
        [
            P.tokenize("Petroleum and gasoline output climbed at the plant"),
            P.tokenize("Motels and lodging filled with vacationers"),
            [],
        ]
    )
    assert out.shape == (3, 2, 2)
    assert out[0, 0, 1] > out[0, 1, 1] and out[1, 1, 1] > out[1, 0, 1]
    assert (out[2] == 0).all()


def test_word_vectors_check_their_shape():
    import pytest

    with pytest.raises(ValueError):
        WordVectors(["a", "b"], np.zeros((3, 4)))

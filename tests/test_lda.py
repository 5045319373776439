import numpy as np
import pytest
from gensim.test.utils import datapath

from topics.lda import LdaTopicModel, default_n_topics
from topics.preprocess import Preprocessor


def _lee_tokens(n=300):
    with open(datapath("lee_background.cor"), encoding="latin-1") as f:
        texts = [line for line in f if line.strip()][:n]
    return Preprocessor(phrases=False).fit_transform(texts)


def test_fit_transform_shapes_and_topics():
    docs = _lee_tokens()
    lda = LdaTopicModel(n_topics=8, passes=3).fit(docs)
    theta = lda.transform(docs[:5])
    assert theta.shape == (5, 8)
    assert np.allclose(theta.sum(axis=1), 1.0)
    assert np.isclose(lda.topic_sizes_.sum(), 1.0)
    topics = lda.topics(topn=5)
    assert len(topics) == 8 and all(len(t["words"]) == 5 for t in topics)


def test_same_input_same_model_and_inference_independent_of_batch():
    docs = _lee_tokens(120)
    a = LdaTopicModel(n_topics=5, passes=2).fit(docs)
    b = LdaTopicModel(n_topics=5, passes=2).fit(docs)
    assert a.topics() == b.topics()
    alone = a.transform([docs[7]])
    in_batch = a.transform(docs[:10])[7:8]
    again = a.transform([docs[7]])
    assert np.allclose(alone, in_batch) and np.array_equal(alone, again)


def test_topics_separate_lee_subjects():
    docs = _lee_tokens()
    lda = LdaTopicModel(n_topics=10, passes=5).fit(docs)
    words = {w for t in lda.topics(topn=15) for w in t["words"]}
    # The Lee corpus covers the Afghanistan war, the Middle East and cricket.
    assert {"afghanistan", "palestinian"} <= words and ({"cricket", "test", "wicket"} & words)


def test_default_n_topics_grows_with_corpus():
    assert default_n_topics(50) == 5 and default_n_topics(300) == 12 and default_n_topics(100_000) == 30


def test_duplicates_are_dropped_and_counted():
    docs = _lee_tokens(120)
    own = LdaTopicModel(n_topics=5).fit(docs).n_duplicates_[0]  # the Lee corpus repeats a few stories itself
    lda = LdaTopicModel(n_topics=5).fit(docs + docs[:10])
    assert lda.n_duplicates_[0] == own + 10 and lda.n_documents_ == 130 - lda.n_duplicates_[0] - lda.n_duplicates_[1]
    assert LdaTopicModel(n_topics=5, dedup=None).fit(docs + docs[:10]).n_documents_ == 130


def test_guided_topics_follow_their_seeds_and_carry_labels():
    docs = _lee_tokens()
    seeds = {
        "sport": ["cricket", "wicket", "test", "match", "bowler"],
        "fire": ["fire", "firefighter", "blaze", "bushfire"],
        "absent": ["zeppelin"],
    }
    lda = LdaTopicModel(n_topics=10, seed_topics=seeds, seed_min_share=0.02).fit(docs)
    assert set(lda.guided_themes_) == {"sport", "fire"}
    topics = lda.topics(topn=10)
    for k, theme in enumerate(lda.guided_themes_):
        assert topics[k]["theme"] == theme and topics[k]["label"].startswith(theme + ":")
        assert set(seeds[theme]) & set(topics[k]["words"])
    assert all(t["theme"] != "absent" for t in topics)


def test_a_guided_topic_keeps_its_articles_whatever_the_seed():
    """Free topics start from the articles no guided topic starts from: a free topic
    started on the cricket articles would take them, and "sport" would be stray words."""
    docs = _lee_tokens()
    seeds = {"sport": ["cricket", "wicket", "test", "match", "bowler"], "fire": ["fire", "firefighter", "bushfire"]}
    for random_state in range(4):
        lda = LdaTopicModel(n_topics=12, seed_topics=seeds, seed_min_share=0.02, random_state=random_state).fit(docs)
        phi = lda.model_.get_topics()
        for k, theme in enumerate(lda.guided_themes_):
            assert phi[:, lda.dictionary_.token2id[seeds[theme][0]]].argmax() == k, (random_state, theme)
            assert lda.topic_sizes_[k] > 0.04


def test_partial_fit_folds_in_new_articles():
    docs = _lee_tokens()
    lda = LdaTopicModel(n_topics=6).fit(docs[:200])
    before, n = lda.model_.get_topics().copy(), lda.n_documents_
    lda.partial_fit(docs[200:] + [["zzz-unknown-word"]])
    assert n < lda.n_documents_ <= n + 100 and not np.allclose(before, lda.model_.get_topics())
    assert lda.transform(docs[:3]).shape == (3, 6) and np.isclose(lda.topic_sizes_.sum(), 1)


def test_priming_beats_random_start_on_coherence():
    from topics.quality import coherence

    docs = _lee_tokens()
    primed = coherence(LdaTopicModel(n_topics=10).fit(docs), docs)[0]
    random = coherence(LdaTopicModel(n_topics=10, init="random").fit(docs), docs)[0]
    assert primed > random


def test_topics_show_the_words_that_set_their_articles_apart():
    """Distinctive ranking: the words a topic's articles use far more than the others do,
    not the corpus's common words; its top words co-occur in far more articles."""
    from topics.quality import coherence

    docs = _lee_tokens()
    lda = LdaTopicModel(n_topics=10).fit(docs)
    distinctive = [[w for w, _ in lda.topic_words(k, 10)] for k in range(10)]
    probable = [[w for w, _ in lda.topic_words(k, 10, rank="probability")] for k in range(10)]
    assert coherence(distinctive, docs)[0] > coherence(probable, docs)[0] + 0.03
    assert probable == [[w for w, _ in lda.model_.show_topic(k, 10)] for k in range(10)]
    phi = lda.model_.get_topics()
    assert all(np.isclose(p, phi[0, lda.dictionary_.token2id[w]]) for w, p in lda.topic_words(0, 10))
    same = LdaTopicModel(n_topics=10, rank_words="probability").fit(docs)
    assert [[w for w, _ in same.topic_words(k, 10)] for k in range(10)] == probable


def test_word_occurrence_grows_with_updates_and_old_bundles_rank_by_probability():
    docs = _lee_tokens()
    lda = LdaTopicModel(n_topics=6).fit(docs[:200])
    assert lda.doc_mass_[-1] == pytest.approx(lda.n_documents_) and lda.doc_mass_[:-1].sum() == pytest.approx(
        lda.n_documents_
    )
    lda.partial_fit(docs[200:])
    assert lda.doc_mass_[-1] == pytest.approx(lda.n_documents_)
    old = object.__new__(LdaTopicModel)  # as a bundle saved before word occurrence was counted
    old.__setstate__({k: v for k, v in vars(lda).items() if k not in ("rank_words", "word_docs_", "doc_mass_")})
    assert old.topic_words(0, 5) == lda.topic_words(0, 5, rank="probability") != lda.topic_words(0, 5)
    assert "rank_words='probability'" in repr(old)
    old.partial_fit(docs[:20])  # an update of such a bundle counts nothing: it has no counts to add to
    assert old.word_docs_ is None and old.topic_words(0, 5) == old.topic_words(0, 5, rank="probability")
    with pytest.raises(ValueError, match="rank_words"):
        LdaTopicModel(rank_words="tf-idf").fit(docs)


def test_trains_the_same_model_from_tokens_on_disk():
    # Training streams its tokens from a TokenStore: the model must not depend on where they live.
    from topics.tokens import TokenStore

    docs = _lee_tokens(120)
    docs = docs + docs[:5]  # with repeats to drop
    in_memory = LdaTopicModel(n_topics=5).fit(docs)
    on_disk = LdaTopicModel(n_topics=5).fit(TokenStore(docs, block=16))
    assert on_disk.topics() == in_memory.topics() and on_disk.n_duplicates_ == in_memory.n_duplicates_
    np.testing.assert_array_equal(on_disk.topic_sizes_, in_memory.topic_sizes_)


def test_inference_in_threads_is_deterministic_and_leaves_the_shared_model_alone():
    from concurrent.futures import ThreadPoolExecutor

    docs = _lee_tokens(150)
    lda = LdaTopicModel(n_topics=6, passes=1).fit(docs)
    rng = lda.model_.random_state
    state = rng.get_state()[1].copy()
    expected = [lda.transform([d]) for d in docs[:40]]
    perplexity = lda.log_perplexity(docs[100:])
    with ThreadPoolExecutor(8) as pool:  # the service tags in threads, all on one model
        got = list(pool.map(lambda i: lda.transform([docs[i % 40]]), range(400)))
        bounds = list(pool.map(lambda _: lda.log_perplexity(docs[100:]), range(16)))
    assert all(np.array_equal(g, expected[i % 40]) for i, g in enumerate(got))
    assert bounds == [perplexity] * 16
    assert lda.model_.random_state is rng and np.array_equal(rng.get_state()[1], state)


def test_fit_keeps_gensim_quiet_and_gives_the_logger_level_back(caplog):
    import logging

    logger = logging.getLogger("gensim")
    before = logger.level
    logger.setLevel(logging.INFO)  # an application that wants gensim's progress
    try:
        with caplog.at_level(logging.INFO):
            lda = LdaTopicModel(n_topics=4, passes=1).fit(_lee_tokens(80))
            training = [r for r in caplog.records if r.name.startswith("gensim") and r.levelno < logging.WARNING]
            assert not training  # no line per chunk from a library call
            lda.partial_fit(_lee_tokens(100)[80:])
            assert not [r for r in caplog.records if r.name.startswith("gensim") and r.levelno < logging.WARNING]
        assert logger.level == logging.INFO
    finally:
        logger.setLevel(before)


def test_topic_labels_are_a_phrase_or_two_words_in_surface_form_with_the_theme():
    from topics.lda import topic_label

    words = [
        ("hama", 0.1),
        ("gaza", 0.08),
        ("israel", 0.05),
        ("west_bank", 0.04),
        ("truce", 0.03),
        ("air_strike", 0.02),
    ]
    assert topic_label(words) == "west bank"  # the best collocation among the top 5 words
    assert topic_label(words[:3], "security", lambda t: {"hama": "Hamas"}.get(t, t)) == "security: Hamas, gaza"
    assert topic_label(words[:3]) == "hama, gaza"


def test_saved_bundles_keep_loading_after_the_topic_code_moved(default_model):
    """A bundle's pickles name classes by module path: moving one would break every saved
    bundle. What moved to topics.topicbase stays importable from topics.lda."""
    import pickle

    import topics.lda as lda
    import topics.topicbase as base

    data = pickle.dumps(default_model.lda)  # as the bundle's lda.joblib holds it
    assert b"topics.lda" in data and b"LdaTopicModel" in data and b"topicbase" not in data
    assert pickle.loads(data).topic_ids() == default_model.lda.topic_ids()
    for name in ("TopicsMixin", "default_n_topics", "topic_label", "vocabulary"):
        assert getattr(lda, name) is getattr(base, name)

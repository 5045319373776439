"""Short texts get a one-topic-per-document mixture (GSDMM) instead of LDA."""

import sys
from pathlib import Path

import numpy as np
import pytest

from topics.corpus import Article
from topics.mixture import MixtureTopicModel, is_short_corpus
from topics.preprocess import Preprocessor
from topics.training import train

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

SUBJECTS = {
    "oil": "oil opec crude barrel price output refinery pipeline",
    "football": "football club striker goal league manager match season",
    "election": "election vote party minister campaign parliament poll candidate",
}


def _headlines(n=90, seed=0):
    rng = np.random.RandomState(seed)
    out = []
    for i in range(n):
        subject = list(SUBJECTS)[i % 3]
        words = rng.choice(SUBJECTS[subject].split(), 6, replace=True)
        out.append((subject, [*words, f"item{i % 7}"]))
    return out


def test_one_topic_per_headline_separates_subjects():
    docs = _headlines()
    m = MixtureTopicModel(n_topics=6, no_below=1, dedup=None).fit([d for _, d in docs])
    theta = m.transform([d for _, d in docs])
    assert theta.shape == (len(docs), m.n_topics_) and np.allclose(theta.sum(axis=1), 1)
    main = theta.argmax(axis=1)
    for subject in SUBJECTS:  # every subject's headlines end up in one topic
        ks = [main[i] for i, (s, _) in enumerate(docs) if s == subject]
        assert np.bincount(ks).max() >= 0.9 * len(ks)
    assert m.n_topics_ <= 6 and m.topic_ids() == list(range(m.n_topics_))
    assert abs(m.topic_sizes_.sum() - 1) < 1e-9


def test_same_input_same_model_and_updates_keep_ids():
    docs = [d for _, d in _headlines()]
    a = MixtureTopicModel(n_topics=5, no_below=1, dedup=None).fit(docs)
    b = MixtureTopicModel(n_topics=5, no_below=1, dedup=None).fit(docs)
    assert np.array_equal(a.topic_word_, b.topic_word_)
    ids = a.topic_ids()
    a.partial_fit([d for _, d in _headlines(30, seed=1)])
    assert a.n_documents_ == 120 and len(set(a.topic_ids()) & set(ids)) >= 0.8 * len(ids)


def test_unfitted_model_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        MixtureTopicModel().transform([["oil"]])


def test_short_corpus_detection():
    assert is_short_corpus([["a"] * 12] * 10)
    assert not is_short_corpus([["a"] * 200] * 10)
    assert not is_short_corpus([])


def test_train_on_headlines_uses_the_mixture_and_the_bundle_tags(tmp_path):
    rng = np.random.RandomState(0)
    articles = [
        Article(id=str(i), text=" ".join(rng.choice(SUBJECTS[s].split(), 7)) + f" report{i % 5}.")
        for i, s in enumerate(list(SUBJECTS) * 40)
    ]
    model = train(articles, name="heads", artifacts=tmp_path)
    assert type(model.lda).__name__ == "MixtureTopicModel"
    assert model.manifest["meta"]["parameters"]["topic_model"] == "MixtureTopicModel"
    from topics.model import load
    from topics.tagger import Tagger

    result = Tagger(load("heads", tmp_path)).tag_one("OPEC cut crude oil output as the barrel price fell.")
    assert result.topics and result.topics[0]["weight"] > 0.5


def test_long_articles_still_get_lda(default_model):
    assert type(default_model.lda).__name__ == "LdaTopicModel"
    assert not is_short_corpus(Preprocessor().topic_tokenize(a) for a in ["word " * 100] * 3)


def test_retraining_headlines_under_the_same_name_keeps_their_topics(shared_data, tmp_path):
    """`topics train --name X` on a short-text corpus when X exists starts from X's topics:
    retrained on 90 % then on all of BBC's headlines + first sentences, 80 % or more of the
    topic ids carry over (a fresh start kept 70 %: benchmarks/topic_stability.py)."""
    from topics.corpus import Corpus

    articles = [
        Article(id=a.id, text=f"{a.title}. {a.text.strip().split(chr(10))[0].split('. ')[0]}.")
        for a in Corpus(shared_data / "bbc", "labelled-dir")
    ]
    held = set(np.random.RandomState(0).choice(len(articles), len(articles) // 10, replace=False).tolist())
    first = train([a for i, a in enumerate(articles) if i not in held], name="heads", artifacts=tmp_path)
    second = train(articles, name="heads", artifacts=tmp_path)
    assert type(first.lda) is type(second.lda) is MixtureTopicModel
    lineage = second.manifest["meta"]["topics"]["lineage"]
    kept = set(first.lda.topic_ids()) & set(second.lda.topic_ids())
    assert len(kept) >= 0.8 * len(first.lda.topic_ids()) and len(lineage["kept"]) == len(kept)


@pytest.mark.slow
def test_a_start_from_meaning_gives_more_coherent_headline_topics(shared_data):
    """Headlines that mean alike start in one topic (k-means over the shipped word vectors),
    and the topics come out more coherent than from a random start: NPMI of BBC headline +
    first-sentence topics on the reference tokenisation of benchmarks/topic_models.py, two seeds."""
    import topic_models as tm

    from topics.taxonomy import default_taxonomy
    from topics.training import theme_seed_tokens

    ours = tm.Ours(tm.load_texts(shared_data, "short"))
    ours.fit(20)  # the preprocessor's phrases, as topics train learns them
    ref = tm.Reference([tm.reference_tokens(t) for t in tm.load_texts(shared_data, "bbc")], ours.pre)
    seeds = theme_seed_tokens(default_taxonomy(), ours.pre)
    runs = []
    for seed in (0, 1):
        for start in ("meaning", "random"):
            m = MixtureTopicModel(n_topics=20, seed_topics=seeds, start=start, random_state=seed).fit(ours.phrased)
            ranked = [[w for w, _ in m.topic_words(t, 60)] for t in range(m.n_topics_)]
            runs.append({"key": f"{start}{seed}", "label": start, "ranked": ranked, "seconds": 0, "folded": True})
    tm.score(ref, runs)
    npmi = {r["key"]: r["npmi"] for r in runs}
    assert all(npmi[f"meaning{s}"] >= npmi[f"random{s}"] + 0.01 for s in (0, 1)), npmi


def test_a_bundle_saved_before_the_meaning_start_loads_as_random_start():
    m = MixtureTopicModel(n_topics=3, no_below=1, dedup=None).fit([d for _, d in _headlines()])
    state = m.__getstate__()
    del state["start"]
    old = MixtureTopicModel.__new__(MixtureTopicModel)
    old.__setstate__(state)
    assert old.start == "random" and old.get_params()["start"] == "random"

import math

import numpy as np
import pytest
from test_lda import _lee_tokens

from topics.lda import LdaTopicModel
from topics.quality import (
    coherence,
    default_k_range,
    evaluate_topics,
    parse_k_range,
    perplexity,
    sweep_reason,
    sweep_topics,
    topic_diversity,
)


@pytest.fixture(scope="module")
def lee():
    return _lee_tokens()


@pytest.fixture(scope="module")
def model(lee):
    return LdaTopicModel(n_topics=8).fit(lee[:250])


def test_coherence_mean_and_per_topic(model, lee):
    mean, per_topic = coherence(model, lee, "c_npmi")
    assert len(per_topic) == 8 and -1 <= mean <= 1
    assert math.isclose(mean, np.nanmean(per_topic))


def test_coherence_ranks_real_topics_above_shuffled_words(lee, model):
    real = [[w for w, _ in model.topic_words(k, 10)] for k in range(8)]
    words = sorted({w for t in real for w in t})
    rng = np.random.RandomState(0)
    fake = [list(rng.choice(words, 10, replace=False)) for _ in range(8)]
    assert coherence(real, lee)[0] > coherence(fake, lee)[0] + 0.05


def test_diversity():
    assert topic_diversity([["a", "b"], ["c", "d"]]) == 1.0
    assert topic_diversity([["a", "b"], ["a", "b"]]) == 0.5


def test_evaluate_and_heldout_perplexity(model, lee):
    q = evaluate_topics(model, lee[:250], heldout=lee[250:])
    assert set(q) >= {"npmi", "c_v", "diversity", "perplexity", "topic_npmi"}
    assert 0 <= q["c_v"] <= 1 and 0 < q["diversity"] <= 1 and q["perplexity"] > 1
    assert len(q["topic_npmi"]) == 8
    # Deterministic: the same texts give the same perplexity.
    assert perplexity(model, lee[250:]) == perplexity(model, lee[250:])


def test_parse_k_range():
    assert parse_k_range("auto") is None
    assert parse_k_range("10:30:10") == [10, 20, 30]
    assert parse_k_range("5:15") == [5, 10, 15]
    with pytest.raises(ValueError):
        parse_k_range("1:3")
    assert default_k_range(300)[0] == 5 and default_k_range(100_000)[-1] == 60


def test_sweep_picks_a_k_and_says_why(lee):
    best, rows, models = sweep_topics(lambda k: LdaTopicModel(n_topics=k), lee, [4, 8])
    assert best in (4, 8) and sum(r["chosen"] for r in rows) == 1
    assert models[best].n_topics_ == best
    assert f"K={best}" in sweep_reason(rows)


def test_sweep_guard_passes_over_the_most_coherent_k_when_its_topics_repeat(lee, monkeypatch):
    import topics.quality as quality

    # The sweep as it comes: which K is most coherent on real topics?
    _, rows, _ = sweep_topics(lambda k: LdaTopicModel(n_topics=k, passes=1), lee, [4, 8])
    top = max(rows, key=lambda r: (r["npmi"], -r["k"]))["k"]
    other = 12 - top
    # Now that K's topics repeat each other's words (diversity below the guard); the other K's are real.
    real = quality.topic_diversity
    monkeypatch.setattr(
        quality, "topic_diversity", lambda model, topn=25: 0.3 if model.n_topics_ == top else real(model)
    )
    best, rows, _ = sweep_topics(lambda k: LdaTopicModel(n_topics=k, passes=1), lee, [4, 8])
    assert best == other and [r["k"] for r in rows if r["chosen"]] == [other]
    reason = sweep_reason(rows)
    assert reason.startswith(f"K={other}:") and f"K={top} scored higher but repeat words" in reason


def test_sweep_saves_nothing_when_no_k_is_diverse_enough(lee, monkeypatch):
    import topics.quality as quality

    monkeypatch.setattr(quality, "topic_diversity", lambda model, topn=10: 0.2)  # every K repeats its words
    with pytest.raises(ValueError, match="no K gives topics with diversity of at least 0.5"):
        sweep_topics(lambda k: LdaTopicModel(n_topics=k), lee, [4])

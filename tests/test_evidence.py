"""Seed-term evidence (topics.evidence): what the taxonomy mode of the classifier reads."""

import pytest

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


def _shared(themes, texts):
    """:meth:`SeedMatcher.shared` of ``texts`` under a taxonomy of ``themes``."""
    matcher = SeedMatcher(Taxonomy(themes), P.tokenize)
    counts = [matcher.matches(P.tokenize(text)) for text in texts]
    return matcher.shared(counts, matcher.evidence_matrix(counts))


def test_shared_evidence_is_the_part_a_stronger_theme_claims_too():
    shared = _shared(
        (
            Theme("trade", "Arms trade", seeds=("arms maker", "missile", "export order")),
            Theme("war", "War", seeds=("missile", "shelling")),
        ),
        ["The arms maker won a missile export order.", "Missile strikes and shelling overnight."],
    )
    # the sale story: war's only word is a word of the stronger trade evidence
    assert shared[0, 1] == 1.0 and shared[0, 0] == 0.0
    # the strike story: war is the stronger theme, nothing of it is claimed by another
    assert shared[1, 1] == 0.0 and shared[1, 0] == 1.0


def test_a_proximity_cue_claims_its_words_as_a_term_does():
    from topics.taxonomy import ProximityCue

    # "artillery" near "contract" is the trade cue's: in a contract story it says less of war
    cue = ProximityCue(("artillery",), ("contract",), window=4)
    shared = _shared(
        (
            Theme("trade", "Arms trade", seeds=("export order",), pairs=(cue,)),
            Theme("war", "War", seeds=("artillery",)),
        ),
        ["The army awarded an artillery shell contract, its third export order.", "Artillery pounded the town."],
    )
    assert shared[0, 1] == 1.0 and shared[1, 1] == 0.0


@pytest.mark.parametrize("term, broader", [("group of 20", "group"), ("formula one", "formula")])
def test_a_term_cut_to_one_broader_word_is_ignored_with_a_warning(term, broader):
    # numbers and stop words are dropped, as in articles: "group of 20" would count every "group"
    tax = Taxonomy((Theme("summits", "Summits", seeds=("summit", term)),))
    with pytest.warns(UserWarning, match=f"{term!r} loses words.*match {broader!r} everywhere; ignored"):
        matcher = SeedMatcher(tax, P.tokenize)
    assert matcher.transform([P.tokenize(f"The {broader} met.")])[0, 0] == 0.0


def test_a_term_with_no_word_left_is_ignored_with_a_warning():
    tax = Taxonomy((Theme("money", "Money", seeds=("bank",), related=("billion",)),))  # "billion": a stop word
    with pytest.warns(UserWarning, match="'billion' has no word left after tokenising"):
        SeedMatcher(tax, P.tokenize)


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


def test_terms_that_name_a_theme_are_counted():
    tax = Taxonomy(
        (
            Theme("energy", "Energy", seeds=("energy", "energy project", "oil")),
            Theme("tourism", "Tourism & travel", seeds=("hotel",), related=("travel agent",)),
        )
    )
    matcher = SeedMatcher(tax, P.tokenize)
    tokens = P.tokenize("Energy projects and oil were discussed; a travel agent and a hotel said so. Energy again.")
    naming = matcher.naming([matcher.matches(tokens)])
    assert naming.tolist() == [[2.0, 1.0]]  # "energy project" and "energy"; "travel agent" (not "hotel", "oil")


def test_per_theme_adjustments_apply_to_the_themes_they_name_only():
    import numpy as np

    from topics.evidence import ADJUSTED, FEATURES, EvidenceModel

    rng = np.random.RandomState(0)
    features = rng.rand(4, 3, len(FEATURES))
    shared = EvidenceModel(tuple(rng.randn(len(FEATURES))), -1.0)
    adjusted = shared._replace(themes=(("energy", 2.0, (0.5,) * len(ADJUSTED)),))
    names = ("security", "energy", "my-own-theme")
    base, out = shared.predict(features, names), adjusted.predict(features, names)
    assert np.allclose(base, shared.predict(features))  # no adjustments: the shared model
    assert np.allclose(out[:, [0, 2]], base[:, [0, 2]]) and (out[:, 1] > base[:, 1]).all()
    assert np.allclose(adjusted.predict(features), base)  # without theme names nothing is adjusted


def test_default_model_tells_an_arms_order_from_an_attack(default_model):
    """Weapons bought are defence trade, not armed conflict; a bombed pipeline is both energy
    and security (the per-theme part of the shipped evidence model)."""
    from topics.corpus import Article
    from topics.tagger import Tagger

    order, attack = Tagger(default_model).tag(
        [
            Article(
                id="order",
                text="Shipyard wins order for four frigates\nThe navy of Chile ordered four frigates and their "
                "anti-ship missiles from a Dutch shipyard in a deal worth 2 billion euros.",
            ),
            Article(
                id="attack",
                text="Militants blow up gas pipeline\nGunmen bombed a gas pipeline in the north, cutting "
                "supplies to two power stations.",
            ),
        ]
    )
    assert {t.name for t in order.themes} == {"defense-trade"}
    assert {"energy", "security"} <= {t.name for t in attack.themes}


def test_a_violent_act_next_to_its_dead_is_security(default_model):
    """No seed term in it, each word alone only suggestive: the proximity cue of a blast or a
    gunman within a few words of the killed or wounded makes it security."""
    from topics.corpus import Article
    from topics.tagger import Tagger

    result = next(
        Tagger(default_model).tag(
            [
                Article(
                    id="blast",
                    text="Market blast in northern town\nA blast tore through a crowded market on Friday, "
                    "killing 23 people and leaving dozens wounded, local officials said.",
                )
            ]
        )
    )
    assert "security" in {t.name for t in result.themes}
    assert any("~" in term for t in result.themes if t.name == "security" for term in t.evidence)


def test_an_attack_on_energy_infrastructure_is_energy_and_security(default_model):
    from topics.corpus import Article
    from topics.tagger import Tagger

    result = next(
        Tagger(default_model).tag(
            [
                Article(
                    id="pipeline",
                    text="Gas pipeline blown up near the border\nSaboteurs blew up a section of the main gas "
                    "pipeline overnight, halting exports for the second time this month.",
                )
            ]
        )
    )
    assert {"energy", "security"} <= {t.name for t in result.themes}


def test_a_missile_test_is_security_and_a_military_contract_defence_trade(default_model):
    from topics.corpus import Article
    from topics.tagger import Tagger

    test, contract = Tagger(default_model).tag(
        [
            Article(
                id="test", text="North tests new rocket\nThe country test-fired a long-range missile into the sea."
            ),
            Article(
                id="contract",
                text="Engine maker wins Air Force work\nAn engine maker received a 40 million dollar Air Force "
                "contract to overhaul transport planes, the Pentagon said.",
            ),
        ]
    )
    assert "security" in {t.name for t in test.themes}
    assert "defense-trade" in {t.name for t in contract.themes}


def test_other_senses_of_oil_fuel_and_pipeline_are_not_energy():
    m = _matches("Palm oil exports rose while the drugmaker's product pipeline and a rocket fuel order drew investors.")
    assert not m["energy"]
    assert _matches("Oil exports rose.")["energy"] == {"oil export"}


def test_an_evidence_model_fitted_on_other_features_is_refused():
    import json
    from importlib import resources

    from topics.evidence import evidence_model_from_json

    data = json.loads(resources.files("topics").joinpath("data/evidence_model.json").read_text(encoding="utf-8"))
    assert evidence_model_from_json(data).themes  # the shipped one loads, with its per-theme part
    for field, value in (("features", data["features"][:-1]), ("adjusted", data["adjusted"][:-1])):
        with pytest.raises(ValueError, match="rerun scripts/fit_evidence_model.py"):
            evidence_model_from_json({**data, field: value})

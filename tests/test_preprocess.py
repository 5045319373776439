import pickle

import pytest

from topics.preprocess import Preprocessor, normalize_text


def test_curly_and_straight_apostrophes_tokenise_alike():
    p = Preprocessor()
    assert (
        p.tokenize("“Erdogans’ planned visit”")
        == p.tokenize('"Erdogans\' planned visit"')
        == ["erdogan", "planned", "visit"]
    )


def test_keeps_hyphenated_names_and_weapon_designations():
    tokens = Preprocessor().tokenize("Russian S-400 air defenses in Nagorno-Karabakh")
    assert "s-400" in tokens and "nagorno-karabakh" in tokens
    assert "defense" in tokens  # plural folded


def test_drops_stop_words_and_news_boilerplate_keeps_topic_words():
    tokens = Preprocessor().tokenize(
        "Officials said on Friday, Reuters told, that interest rates and the bill would rise."
    )
    assert not {"said", "friday", "reuters", "told", "the"} & set(tokens)
    assert {"interest", "rate", "bill"} <= set(tokens)


def test_british_spellings_and_abbreviations_fold():
    p = Preprocessor()
    assert p.tokenize("Ministry of Defence") == p.tokenize("ministry of defense")
    assert p.tokenize("the U.N. and the U.S.") == ["un", "usa"]


def test_nfkc_and_markup():
    assert normalize_text("Ｓ－４００") == "s-400"
    assert Preprocessor().tokenize("<p>Oil <b>prices</b></p>") == ["oil", "price"]


@pytest.mark.parametrize("normalize,expected", [(None, "defenses"), ("porter", "defens"), ("plural", "defense")])
def test_normalize_options(normalize, expected):
    assert Preprocessor(normalize=normalize).tokenize("defenses") == [expected]


def test_fit_learns_collocations_and_survives_pickling():
    docs = ["Air defense systems were bought. Air defense is costly."] * 10 + ["Other news about the weather."] * 10
    p = Preprocessor(phrase_min_count=3).fit(docs)
    tokens = p.transform(["New air defense order"])[0]
    assert "air_defense" in tokens
    clone = pickle.loads(pickle.dumps(p))
    assert clone.transform(["New air defense order"]) == [tokens]


def test_is_a_scikit_learn_transformer():
    from sklearn.base import clone

    p = clone(Preprocessor(normalize=None, phrases=False))
    assert p.get_params()["normalize"] is None
    assert p.fit_transform(["Oil prices rose"]) == [["oil", "prices", "rose"]]


def test_unfitted_transform_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        Preprocessor().transform(["text"])


def test_set_params_extra_stopwords_after_tokenizing_takes_effect():
    pre = Preprocessor()
    text = "Police said the fire spread to the bush."
    assert "police" in pre.tokenize(text)
    pre.set_params(extra_stopwords=["police"])
    assert "police" not in pre.tokenize(text) and "fire" in pre.tokenize(text)
    pre.set_params(extra_stopwords=())
    assert "police" in pre.tokenize(text)


def test_unfitted_preprocessor_raises_not_fitted_error():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        Preprocessor().join_phrases(["oil", "price"])


NEWS = [
    "Hamas leaders met in Gaza. Hamas said the talks failed.",
    "Wales beat Ireland; Wales now lead the Six Nations.",
    "Two new movies opened; the movies drew crowds.",
    "Yukos shares fell as Yukos faced a tax bill.",
    "Qantas cut fares; Qantas profits rose.",
    "Bernie Ebbers's trial: Ebbers denied fraud.",
    "I'm sure, said one fan. I don't know, said another. I'm glad. I don't know why.",
]


def test_display_forms_are_the_usual_written_forms_and_tokens_do_not_change():
    p = Preprocessor(phrases=False).fit(NEWS)
    tokens = [p.tokenize(t) for t in NEWS]
    assert {"hama", "wale", "movy", "yuko", "qanta", "ebber"} <= {w for t in tokens for w in t}  # matching as before
    assert [p.display(w) for w in ("hama", "wale", "movy", "yuko", "qanta", "ebber")] == [
        "Hamas",
        "Wales",
        "movies",
        "Yukos",
        "Qantas",
        "Ebbers",
    ]
    assert p.display("fraud") == "fraud" and p.display("never_seen") == "never seen"
    assert p.tokenize(NEWS[0]) == Preprocessor().tokenize(NEWS[0])  # fitting never changes tokens


def test_contractions_are_junk_to_display_not_to_match():
    p = Preprocessor()
    assert {"im", "dont"} <= set(p.tokenize(NEWS[-1]))
    assert p.is_display_junk("im") and p.is_display_junk("dont_know") and not p.is_display_junk("ill")


def test_a_preprocessor_saved_before_display_forms_shows_its_tokens():
    p = Preprocessor(phrases=False).fit(NEWS)
    state = p.__getstate__()
    del state["surface_forms_"], state["phrase_forms_"], state["name_words_"]  # as pickled by an older version
    old = Preprocessor.__new__(Preprocessor)
    old.__setstate__(state)
    assert old.display("hama") == "hama" and old.tokenize(NEWS[0]) == p.tokenize(NEWS[0])
    assert old.display("bin_laden") == "bin laden"


def test_a_phrase_is_shown_in_one_case_where_its_words_allow():
    from collections import Counter

    from topics.display import phrase_forms, surface_forms

    counts = Counter(
        {
            ("industrial", "industrial"): 30,
            ("industrial", "Industrial"): 10,
            # "Industrial Relations Commission" alone outnumbers each lower-case form
            ("relation", "Relations"): 20,
            ("relation", "relations"): 15,
            ("relation", "relation"): 10,
            ("bin", "bin"): 20,
            ("laden", "Laden"): 20,
            ("royal", "Royal"): 20,
            ("commission", "commission"): 25,
            ("commission", "Commission"): 20,
        }
    )
    forms = surface_forms(counts)
    assert forms["relation"] == "Relations"  # a word alone: its most frequent form
    shown, names = phrase_forms(["industrial_relation", "bin_laden", "royal_commission"], counts, forms)
    assert list(names) == ["laden", "royal"]
    # a name keeps its cases; the others take one case, each word its usual form in it
    assert shown == {"industrial_relation": "industrial relations", "royal_commission": "Royal Commission"}
    p = Preprocessor(phrases=False).fit(NEWS)
    p.surface_forms_, p.phrase_forms_ = forms, shown
    assert [p.display(t) for t in ("industrial_relation", "bin_laden", "relation")] == [
        "industrial relations",
        "bin Laden",
        "Relations",
    ]


def test_display_forms_survive_pickling_and_counting_in_folds():
    p = Preprocessor(phrases=False)
    counter = p.surface_counter()
    counter.max_chunks = 3  # fold often: the same counts as one fold at the end
    for text in NEWS:
        counter.add(text)
    p.fit_tokens((p.tokenize(t) for t in NEWS), surface_counts=counter)
    assert pickle.loads(pickle.dumps(p)).surface_forms_ == Preprocessor(phrases=False).fit(NEWS).surface_forms_


def test_pieces_of_one_name_among_a_topics_words_are_shown_joined():
    from topics.display import join_split_phrases

    phrases = {"new_south", "south_wale", "osama_bin", "bin_laden", "al_qaeda", "qaeda_fighter", "west_bank"}
    names = {"wale", "laden", "osama", "qaeda", "al"}.__contains__
    tokens = [
        "al_qaeda",
        "force",
        "osama_bin",
        "laden",
        "fighter",
        "bin_laden",
        "new_south",
        "wale",
        "west_bank",
        "bank",
    ]
    assert [(i, " ".join(w)) for i, w in join_split_phrases(tokens, phrases, names)] == [
        (0, "al qaeda"),  # "fighters" is a common word: it does not join the name
        (1, "force"),
        (2, "osama bin laden"),  # its pieces shown once, at the first one's place
        (4, "fighter"),
        (6, "new south wale"),
        (8, "west bank"),
        (9, "bank"),  # a word of its own beside the pair it is also in
    ]


def test_the_default_models_topic_words_show_names_whole(default_model):
    words = [w for t in default_model.topics() for w in t["words"]]
    assert "Osama bin Laden" in words and "New South Wales" in words
    assert not {"Osama bin", "New South", "Laden", "Wales"} & set(words)

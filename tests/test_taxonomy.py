import pytest

from topics.taxonomy import TaxonomyError, default_taxonomy, load_taxonomy

REQUIRED = {
    "security",
    "energy",
    "defense-trade",
    "tourism",
    "diplomacy",
    "economy",
    "politics",
    "sport",
    "health",
    "technology",
    "environment",
}


def test_default_taxonomy_has_the_required_themes_with_seeds():
    tax = default_taxonomy()
    assert REQUIRED <= set(tax.names)
    for theme in tax:
        assert theme.label and theme.description and len(theme.seeds) >= 10, theme.name
        assert theme.iptc and theme.iptc.startswith("medtop:"), theme.name


def test_default_iptc_codes_exist_in_the_iptc_mapping(shared_data):
    import json

    # The mapping file uses bare NaN literals, which Python's json accepts.
    codes = json.loads((shared_data / "iptc-mediatopic" / "iptc_mapping.json").read_text())
    for theme in default_taxonomy():
        assert theme.iptc in codes, theme.name


def test_load_user_taxonomy(tmp_path):
    f = tmp_path / "t.toml"
    f.write_text('[[theme]]\nname = "ports"\nlabel = "Ports"\nseeds = ["port", "harbour"]\n')
    tax = load_taxonomy(f)
    assert tax.names == ("ports",) and tax["ports"].seeds == ("port", "harbour")


@pytest.mark.parametrize(
    "text,message",
    [
        ("[[theme]]\nname = 'Bad Name'\n", "'name' must be"),
        ("[[theme]]\nname = 'a'\n[[theme]]\nname = 'a'\n", "repeat"),
        ("[[theme]]\nname = 'a'\nseeds = 'oil'\n", "'seeds' must be a list"),
        ("name = 'x'\n", "no [[theme]]"),
        ("[[theme]\n", "not a valid TOML"),
    ],
)
def test_bad_taxonomy_names_file_and_problem(tmp_path, text, message):
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(TaxonomyError, match="bad.toml") as exc:
        load_taxonomy(f)
    assert message in str(exc.value)


def test_missing_taxonomy_file(tmp_path):
    with pytest.raises(TaxonomyError, match="no such taxonomy file"):
        load_taxonomy(tmp_path / "nope.toml")


def test_examples_are_read_and_checked(tmp_path):
    from topics.taxonomy import TaxonomyError, load_taxonomy

    good = tmp_path / "t.toml"
    good.write_text(
        '[[theme]]\nname = "energy"\nseeds = ["oil"]\nexamples = ["Refinery fire cuts output"]\n', encoding="utf-8"
    )
    assert load_taxonomy(good)["energy"].examples == ("Refinery fire cuts output",)
    bad = tmp_path / "b.toml"
    bad.write_text('[[theme]]\nname = "energy"\nexamples = "one string"\n', encoding="utf-8")
    with pytest.raises(TaxonomyError, match="examples"):
        load_taxonomy(bad)


@pytest.mark.parametrize(
    "body, message",
    [
        (
            '[[theme]]\nname = "a"\nseeds = ["oil"]\n[[theme.pairs]]\na = ["x"]\nb = ["y"]\nweight = nan\n',
            "positive finite number",
        ),
        (
            '[[theme]]\nname = "a"\nseeds = ["oil"]\n[[theme.pairs]]\na = ["x"]\nb = ["y"]\nweight = inf\n',
            "positive finite number",
        ),
        ('[[theme]]\nname = "a"\nseeds = ["oil"]\n[[theme.pairs]]\na = ["attack"]\n', "both 'a' and 'b'"),
        ('[[theme]]\nname = "a"\nseeds = ["oil"]\n[[theme.pairs]]\na = []\nb = ["pipeline"]\n', "both 'a' and 'b'"),
    ],
)
def test_pair_weights_must_be_finite_and_pairs_complete(body, message, tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message):
        load_taxonomy(path)


def test_a_theme_whose_seeds_are_all_stop_words_is_refused(tmp_path, capsys):
    from topics.cli import main

    path = tmp_path / "t.toml"
    path.write_text('[[theme]]\nname = "vague"\nseeds = ["the", "and it", "a"]\n', encoding="utf-8")
    assert main(["train", "--taxonomy", str(path), "--artifacts", str(tmp_path)]) == 2
    assert "none of its seed terms is left after tokenizing" in capsys.readouterr().err


def test_labels_name_themes_as_people_write_them():
    from topics.taxonomy import default_taxonomy

    taxonomy = default_taxonomy()
    for label, theme in [
        ("Security", "security"),
        ("Defence Trade", "defense-trade"),
        ("defense_trade", "defense-trade"),
        ("Tourism & travel", "tourism"),
        ("Crime, law & justice", "crime-justice"),
        ("medtop:20000638", "diplomacy"),
    ]:
        assert taxonomy.resolve(label) == theme, label
    assert taxonomy.resolve("toursim") is None and taxonomy.resolve("") is None

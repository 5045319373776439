"""topics.duplicates: exact and near-duplicate articles."""

from topics.duplicates import find_duplicates
from topics.preprocess import find_duplicates as from_its_former_home


def test_find_duplicates_exact_and_near():
    base = [f"w{i}" for i in range(60)]
    near = base[:30] + ["changed"] + base[31:]
    other = [f"x{i}" for i in range(60)]
    exact, close = find_duplicates([base, other, list(base), near, ["a"], ["a"]], threshold=0.8)
    assert exact == [2, 5] and close == [3]
    assert find_duplicates([base, near], threshold=1.0) == ([], [])


def test_the_former_import_path_works():
    assert from_its_former_home is find_duplicates

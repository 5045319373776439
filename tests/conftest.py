"""Shared fixtures: small real corpora and one trained default model per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_a387a226f6433acf.txt"


def data_dir() -> Path | None:
    """$TOPICS_DATA, else ../shared/data beside the repo; None when absent."""
    path = Path(os.environ.get("TOPICS_DATA") or ROOT.parent / "shared" / "data")
    return path if path.is_dir() else None


@pytest.fixture(autouse=True)
def _no_signing_key_from_the_environment(monkeypatch):
    """A developer's own $TOPICS_SIGNING_KEY must not sign or verify test bundles."""
    monkeypatch.delenv("TOPICS_SIGNING_KEY", raising=False)
    monkeypatch.delenv("TOPICS_REQUIRE_SIGNATURE", raising=False)
    # Test bundles are unsigned on purpose: `topics` run as a child process stays quiet about
    # it (as pyproject's filterwarnings does in-process); tests of the warning re-enable it.
    monkeypatch.setenv("PYTHONWARNINGS", "ignore:unsigned model bundle:UserWarning")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = data_dir()
    if path is None:
        pytest.skip("shared corpora not found; set TOPICS_DATA to the folder holding bbc/ and reuters21578/")
    return path


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("artifacts")


@pytest.fixture(scope="session")
def default_model(artifacts):
    """The default model, trained once on the bundled corpus, as `topics train` does."""
    from topics.training import train

    return train(artifacts=artifacts)

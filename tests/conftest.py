"""Shared fixtures: small real corpora and one trained default model per test session."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_a387a226f6433acf.txt"

# A test run started in the background by a script (`cmd &` in a non-interactive shell)
# inherits Ctrl-C ignored, and so would every `topics` it starts: the tests that interrupt
# one need the signal delivered, as it is on a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


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


def require_data(*parts: str) -> Path:
    """The shared corpus folder ``$TOPICS_DATA/<parts>``; skips the test when it is absent.

    Every test that reads the shared corpora goes through here. With
    ``TOPICS_REQUIRE_DATA=1`` (set by ``.ci/run``) a missing corpus fails the test instead,
    so a run where the data went missing cannot pass as green with its data tests skipped.
    """
    path = Path(os.environ.get("TOPICS_DATA") or ROOT.parent / "shared" / "data").joinpath(*parts)
    if not path.exists():
        message = f"shared corpus not found: {path} (set TOPICS_DATA to the folder holding bbc/ and reuters21578/)"
        if os.environ.get("TOPICS_REQUIRE_DATA", "").strip().lower() in ("1", "true", "yes"):
            pytest.fail(f"{message}; TOPICS_REQUIRE_DATA is set", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return require_data()


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("artifacts")


@pytest.fixture(scope="session")
def default_model(artifacts):
    """The default model, trained once on the bundled corpus, as `topics train` does."""
    from topics.training import train

    return train(artifacts=artifacts)

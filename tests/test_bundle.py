"""Tests for topics.bundle: round trips, tamper detection, resolution, atomic saves."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import topics
from topics import bundle
from topics.bundle import MANIFEST, BundleError, load_bundle, read_manifest, resolve_bundle, save_bundle, verify_bundle
from topics.registry import list_versions

X = np.array([[0.0, 0.1], [0.2, 0.0], [1.0, 0.9], [0.9, 1.1]])
Y = np.array([0, 0, 1, 1])


@pytest.fixture
def clock(monkeypatch):
    """Give each save its own second so versions are distinct and ordered."""
    start = datetime(2026, 11, 25, 8, 30, 12, tzinfo=UTC)
    ticks = iter(range(10_000))
    monkeypatch.setattr(bundle, "_utcnow", lambda: start + timedelta(seconds=next(ticks)))


def _parts(tag: str = "a") -> dict:
    return {"classifier": LogisticRegression().fit(X, Y), "vocab": {"tag": tag, "words": ["x", "y"]}}


def _edit_manifest(path: Path, edit) -> None:
    manifest = json.loads((path / MANIFEST).read_text())
    edit(manifest)
    (path / MANIFEST).write_text(json.dumps(manifest))


def _no_unpickling(monkeypatch) -> None:
    def fail(*args, **kwargs):
        pytest.fail("joblib.load was called on an unverified bundle")

    monkeypatch.setattr(joblib, "load", fail)


def test_round_trip(tmp_path, clock):
    parts = _parts()
    path = save_bundle(parts, artifacts=tmp_path, meta={"docs": 4})
    loaded, manifest = load_bundle(artifacts=tmp_path)
    assert path == tmp_path / "default" / manifest["version"]
    assert loaded.keys() == parts.keys()
    assert loaded["vocab"] == parts["vocab"]
    np.testing.assert_array_equal(loaded["classifier"].predict(X), parts["classifier"].predict(X))
    np.testing.assert_allclose(loaded["classifier"].coef_, parts["classifier"].coef_)


def test_manifest_fields(tmp_path, clock):
    path = save_bundle(_parts(), name="news", artifacts=tmp_path, meta={"k": 5})
    m = read_manifest(path)
    assert m["format"] == 1 and m["toolkit"] == "topics" and m["toolkit_version"] == topics.__version__
    assert m["name"] == "news" and m["version"] == "20261125T083012Z" == path.name
    assert m["created"] == "2026-11-25T08:30:12+00:00"
    assert set(m["libraries"]) == {"scikit-learn", "gensim", "numpy", "joblib", "scipy"}
    assert m["libraries"]["numpy"] == np.__version__
    assert m["meta"] == {"k": 5}
    assert set(m["files"]) == {"classifier.joblib", "vocab.joblib"}
    for fname, entry in m["files"].items():
        assert entry["bytes"] == (path / fname).stat().st_size and len(entry["sha256"]) == 64
    assert verify_bundle(path) == m
    assert sorted(p.name for p in path.iterdir()) == ["classifier.joblib", MANIFEST, "vocab.joblib"]


@pytest.mark.parametrize("fname", ["classifier.joblib", "vocab.joblib"])
def test_flipped_byte_refused_without_unpickling(tmp_path, monkeypatch, fname):
    path = save_bundle(_parts(), artifacts=tmp_path)
    data = bytearray((path / fname).read_bytes())
    data[len(data) // 2] ^= 0x01
    (path / fname).write_bytes(bytes(data))
    _no_unpickling(monkeypatch)
    with pytest.raises(BundleError, match="does not match its manifest hash") as err:
        load_bundle(artifacts=tmp_path)
    assert str(path / fname) in str(err.value)


def test_edited_manifest_hash_refused(tmp_path, monkeypatch):
    path = save_bundle(_parts(), artifacts=tmp_path)
    _edit_manifest(path, lambda m: m["files"]["vocab.joblib"].update(sha256="0" * 64))
    _no_unpickling(monkeypatch)
    with pytest.raises(BundleError, match="vocab.joblib does not match its manifest hash"):
        load_bundle(artifacts=tmp_path)


def test_extra_joblib_refused(tmp_path, monkeypatch):
    path = save_bundle(_parts(), artifacts=tmp_path)
    joblib.dump({"evil": True}, path / "extra.joblib")
    _no_unpickling(monkeypatch)
    with pytest.raises(BundleError, match="extra.joblib is not listed in its manifest"):
        load_bundle(artifacts=tmp_path)


def test_missing_file_refused(tmp_path, monkeypatch):
    path = save_bundle(_parts(), artifacts=tmp_path)
    (path / "classifier.joblib").unlink()
    _no_unpickling(monkeypatch)
    with pytest.raises(BundleError, match="classifier.joblib is listed in its manifest but missing"):
        load_bundle(artifacts=tmp_path)


@pytest.mark.parametrize("bad", ["../classifier.joblib", "sub/x.joblib", "x..joblib", "x.pkl", MANIFEST])
def test_unsafe_file_names_in_manifest_refused(tmp_path, monkeypatch, bad):
    path = save_bundle(_parts(), artifacts=tmp_path)
    _edit_manifest(path, lambda m: m["files"].update({bad: m["files"].pop("vocab.joblib")}))
    _no_unpickling(monkeypatch)
    with pytest.raises(BundleError, match="unsafe or non-joblib file name"):
        verify_bundle(path)


@pytest.mark.parametrize("content", ["{not json", "[]", '{"format": 2}'])
def test_corrupt_manifest_refused(tmp_path, content):
    path = save_bundle(_parts(), artifacts=tmp_path)
    (path / MANIFEST).write_text(content)
    with pytest.raises(BundleError, match=f"Bundle manifest {path / MANIFEST}"):
        read_manifest(path)


def test_missing_manifest(tmp_path):
    with pytest.raises(BundleError, match="has no manifest.json"):
        read_manifest(tmp_path)


def test_resolve_forms(tmp_path, clock, monkeypatch):
    first = save_bundle(_parts("1"), name="news", artifacts=tmp_path)
    second = save_bundle(_parts("2"), name="news", artifacts=tmp_path)
    default = save_bundle(_parts("d"), artifacts=tmp_path)
    assert resolve_bundle("news", tmp_path) == second
    assert resolve_bundle(f"news@{first.name}", tmp_path) == first
    assert resolve_bundle(first) == first
    assert resolve_bundle(str(first)) == first
    assert resolve_bundle(tmp_path / "news") == second
    monkeypatch.setenv("TOPICS_ARTIFACTS", str(tmp_path))
    assert bundle.default_artifacts_dir() == tmp_path
    assert resolve_bundle() == default
    monkeypatch.chdir(tmp_path / "news")
    assert resolve_bundle(first.name) == first  # bare relative folder that is not a model name
    parts, _ = load_bundle(f"news@{first.name}")
    assert parts["vocab"]["tag"] == "1"


def test_unknown_name_and_version_messages(tmp_path, clock):
    with pytest.raises(BundleError) as err:
        resolve_bundle(None, tmp_path)
    assert str(err.value) == (
        f"No model named 'default' in {tmp_path} (the artifacts folder given); train one with "
        "`topics train`, or point --model at a bundle folder."
    )
    path = save_bundle(_parts(), name="news", artifacts=tmp_path)
    with pytest.raises(BundleError) as err:
        resolve_bundle("news@20200101T000000Z", tmp_path)
    assert str(err.value) == f"Model 'news' has no version '20200101T000000Z'; available: {path.name}."
    with pytest.raises(BundleError, match="No model folder at"):
        resolve_bundle(tmp_path / "nowhere")


def test_latest_updated_and_old_versions_pruned(tmp_path, clock):
    paths = [save_bundle(_parts(str(i)), name="news", artifacts=tmp_path, keep=2) for i in range(4)]
    assert (tmp_path / "news" / "LATEST").read_text().strip() == paths[-1].name
    assert list_versions("news", tmp_path) == [p.name for p in paths[-2:]]
    assert not paths[0].exists() and not paths[1].exists()
    assert load_bundle("news", tmp_path)[0]["vocab"]["tag"] == "3"
    assert not [p for p in (tmp_path / "news").iterdir() if p.name.startswith(".")]


def test_same_second_saves_get_suffixes(tmp_path, monkeypatch):
    now = datetime(2026, 11, 25, 8, 30, 12, tzinfo=UTC)
    monkeypatch.setattr(bundle, "_utcnow", lambda: now)
    names = [save_bundle({"x": i}, artifacts=tmp_path, keep=5).name for i in range(3)]
    assert names == ["20261125T083012Z", "20261125T083012Z-2", "20261125T083012Z-3"]
    assert list_versions("default", tmp_path) == names


def test_prune_never_removes_latest(tmp_path, clock, monkeypatch):
    paths = [save_bundle({"x": i}, artifacts=tmp_path, keep=5) for i in range(3)]
    # A clock that went backwards makes the new LATEST sort oldest; it must survive keep=1.
    monkeypatch.setattr(bundle, "_utcnow", lambda: datetime(2020, 1, 1, tzinfo=UTC))
    latest = save_bundle({"x": 9}, artifacts=tmp_path, keep=1)
    assert latest.exists() and paths[-1].exists() and not paths[0].exists() and not paths[1].exists()
    assert load_bundle(artifacts=tmp_path)[0]["x"] == 9


def test_crash_mid_save_keeps_previous_bundle(tmp_path, clock, monkeypatch):
    good = save_bundle(_parts("good"), artifacts=tmp_path)
    real_dump, calls = joblib.dump, []

    def crashing_dump(obj, filename, **kwargs):
        calls.append(filename)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_dump(obj, filename, **kwargs)

    monkeypatch.setattr(joblib, "dump", crashing_dump)
    with pytest.raises(OSError, match="disk full"):
        save_bundle(_parts("bad"), artifacts=tmp_path)
    assert (tmp_path / "default" / "LATEST").read_text().strip() == good.name
    assert sorted(p.name for p in (tmp_path / "default").iterdir()) == sorted(["LATEST", good.name])
    assert load_bundle(artifacts=tmp_path)[0]["vocab"]["tag"] == "good"


def _set_manifest_library(path: Path, lib: str, version: str) -> None:
    def edit(m):
        if lib == "topics":
            m["toolkit_version"] = version
        else:
            m["libraries"][lib] = version

    _edit_manifest(path, edit)


def _bump(version: str, major: int = 0, minor: int = 0) -> str:
    parts = [int(p) for p in version.split(".")[:2]]
    return f"{parts[0] + major}.{parts[1] + minor}.0"


@pytest.mark.parametrize(
    "lib,installed", [("scikit-learn", "sklearn"), ("numpy", "numpy"), ("gensim", "gensim"), ("topics", "topics")]
)
def test_major_version_mismatch_refused(tmp_path, monkeypatch, lib, installed):
    have = bundle._library_versions().get(lib) or topics.__version__
    path = save_bundle(_parts(), artifacts=tmp_path)
    want = _bump(have, major=1)
    _set_manifest_library(path, lib, want)
    _no_unpickling(monkeypatch)
    with pytest.raises(BundleError) as err:
        load_bundle(artifacts=tmp_path)
    message = str(err.value)
    assert f"needs {lib} {want.split('.')[0]}.x (saved with {want}, installed: {have})" in message


def test_minor_version_mismatch_warns(tmp_path):
    path = save_bundle(_parts(), artifacts=tmp_path)
    have = bundle._library_versions()["scikit-learn"]
    want = _bump(have, minor=1)
    _set_manifest_library(path, "scikit-learn", want)
    with pytest.warns(UserWarning, match=f"saved with scikit-learn {want} \\(installed: {have}\\)"):
        parts, _ = load_bundle(artifacts=tmp_path)
    assert parts["vocab"]["words"] == ["x", "y"]


@pytest.mark.parametrize("name", ["", "-x", "a/b", "..", "x" * 65, "a b"])
def test_invalid_names(tmp_path, name):
    with pytest.raises(BundleError, match="Invalid model name"):
        save_bundle({"x": 1}, name=name, artifacts=tmp_path)


def test_invalid_save_arguments(tmp_path):
    with pytest.raises(BundleError, match="Invalid bundle part name"):
        save_bundle({"../x": 1}, artifacts=tmp_path)
    with pytest.raises(BundleError, match="keep"):
        save_bundle({"x": 1}, artifacts=tmp_path, keep=0)
    with pytest.raises(BundleError, match="JSON-serialisable"):
        save_bundle({"x": 1}, artifacts=tmp_path, meta={"bad": object()})
    assert not (tmp_path / "default").exists() or not list_versions("default", tmp_path)


def test_stale_temp_folders_removed(tmp_path, clock):
    root = tmp_path / "default"
    save_bundle({"x": 1}, artifacts=tmp_path)
    stale, fresh, empty = root / ".tmp-20200101T000000Z-abcd", root / ".tmp-x-fresh", root / "20200101T000000Z"
    for d in (stale, fresh, empty):
        d.mkdir()
    (stale / "a.joblib").write_bytes(b"partial")
    old = time.time() - 7200
    for d in (stale, empty):
        os.utime(d, (old, old))
    save_bundle({"x": 2}, artifacts=tmp_path)
    assert not stale.exists() and not empty.exists() and fresh.exists()


CHILD = textwrap.dedent("""
    import sys, time, joblib
    from topics import bundle
    real_dump, calls = joblib.dump, []
    def slow_dump(obj, filename, **kwargs):
        calls.append(filename)
        if len(calls) == 2:
            with open(filename, "wb") as f:
                f.write(b"half a pickle")
            print("dumping", flush=True)
            time.sleep(30)
        return real_dump(obj, filename, **kwargs)
    joblib.dump = slow_dump
    bundle.save_bundle({"a": 1, "b": 2, "c": 3}, artifacts=sys.argv[1])
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_mid_save_keeps_previous_bundle(tmp_path):
    good = save_bundle(_parts("good"), artifacts=tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "dumping"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=5) == -signal.SIGKILL
    finally:
        proc.kill()
        proc.stdout.close()
    root = tmp_path / "default"
    assert any(p.name.startswith(".tmp-") for p in root.iterdir())  # killed mid-way, really
    assert (root / "LATEST").read_text().strip() == good.name
    assert list_versions("default", tmp_path) == [good.name]
    parts, manifest = load_bundle(artifacts=tmp_path)
    assert parts["vocab"]["tag"] == "good" and manifest["version"] == good.name

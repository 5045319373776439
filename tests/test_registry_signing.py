"""Model registry (list, info, rm), signed bundles, and concurrent saves."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import joblib
import pytest

from topics import bundle
from topics.bundle import (
    LATEST,
    MANIFEST,
    SIGNATURE,
    BundleError,
    check_signature,
    load_bundle,
    read_key_file,
    save_bundle,
    sign_bundle,
    verify_bundle,
)
from topics.cli import main
from topics.registry import list_models, list_versions, remove_version

KEY = "correct horse battery staple"


@pytest.fixture
def clock(monkeypatch):
    start = datetime(2026, 11, 25, 8, 30, 12, tzinfo=UTC)
    ticks = iter(range(10_000))
    monkeypatch.setattr(bundle, "_utcnow", lambda: start + timedelta(seconds=next(ticks)))


@pytest.fixture
def no_unpickling(monkeypatch):
    def fail(*args, **kwargs):
        pytest.fail("joblib.load was called before the bundle was verified")

    monkeypatch.setattr(joblib, "load", fail)


def _meta(docs: int) -> dict:
    return {"corpus": {"documents": docs}, "themes": ["energy", "tourism"]}


# -- registry ---------------------------------------------------------------------------------
def test_list_models(tmp_path, clock):
    a1 = save_bundle({"x": 1}, name="alpha", artifacts=tmp_path, meta=_meta(10))
    a2 = save_bundle({"x": 2}, name="alpha", artifacts=tmp_path, meta=_meta(20), signing_key=KEY)
    b1 = save_bundle({"x": 3}, name="beta", artifacts=tmp_path)
    (tmp_path / "not a model").mkdir()
    infos = list_models(tmp_path)
    assert [(i.name, i.version, i.latest) for i in infos] == [
        ("alpha", a1.name, False),
        ("alpha", a2.name, True),
        ("beta", b1.name, True),
    ]
    assert infos[1].documents == 20 and infos[1].themes == ("energy", "tourism") and infos[1].signed
    assert infos[0].created == "2026-11-25T08:30:12+00:00" and not infos[0].signed
    assert infos[2].documents is None and infos[2].themes == ()
    assert [i.version for i in list_models(tmp_path, name="beta")] == [b1.name]
    assert list_models(tmp_path / "nowhere") == []
    (a1 / MANIFEST).write_text("{broken")
    assert "corrupt" in list_models(tmp_path, name="alpha")[0].problem


def test_remove_version_refuses_latest_without_force(tmp_path, clock):
    v = [save_bundle({"x": i}, name="m", artifacts=tmp_path, keep=5).name for i in range(3)]
    assert remove_version("m", v[0], tmp_path) == v[2]
    assert list_versions("m", tmp_path) == v[1:]
    with pytest.raises(BundleError, match="latest version: pass --force"):
        remove_version("m", v[2], tmp_path)
    assert remove_version("m", v[2], tmp_path, force=True) == v[1]
    assert (tmp_path / "m" / LATEST).read_text().strip() == v[1]
    assert load_bundle("m", tmp_path)[0]["x"] == 1
    with pytest.raises(BundleError, match="has no version"):
        remove_version("m", v[2], tmp_path)
    assert remove_version("m", v[1], tmp_path, force=True) is None
    assert not (tmp_path / "m").exists()


def test_models_cli(tmp_path, clock, capsys):
    art = ["--artifacts", str(tmp_path)]
    v1 = save_bundle({"x": 1}, name="news", artifacts=tmp_path, meta=_meta(5)).name
    v2 = save_bundle({"x": 2}, name="news", artifacts=tmp_path, meta=_meta(7)).name
    assert main(["models", "list", *art]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["name", "version", "latest"]
    assert any(v1 in line and "news" in line and " 5 " in f" {line} " for line in out)
    assert any(v2 in line and "*" in line for line in out)
    assert main(["models", "list", "--json", *art]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["version"], r["latest"]) for r in rows] == [(v1, False), (v2, True)]
    assert main(["models", "info", f"news@{v1}", *art]) == 0
    out = capsys.readouterr().out
    assert f"news@{v1}" in out and "latest      no" in out and "unsigned" in out
    assert main(["models", "rm", f"news@{v2}", *art]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["models", "rm", "news", *art]) == 2
    assert "NAME@VERSION" in capsys.readouterr().err
    assert main(["models", "rm", f"news@{v2}", "--force", *art]) == 0
    assert f"the latest version is news@{v1}" in capsys.readouterr().out
    assert list_versions("news", tmp_path) == [v1]
    assert main(["models", "list", *(["--artifacts", str(tmp_path / "empty")])]) == 0
    assert "No models" in capsys.readouterr().out


CONCURRENT = textwrap.dedent("""
    import sys, time
    from datetime import datetime, timezone
    from topics import bundle
    # Both savers claim the same second, and start together, to force a collision.
    bundle._utcnow = lambda: datetime(2026, 11, 25, 8, 30, 12, tzinfo=timezone.utc)
    start = float(sys.argv[3])
    time.sleep(max(0.0, start - time.time()))
    parts = {f"part{i}": list(range(20_000)) + [sys.argv[2]] for i in range(6)}
    print(bundle.save_bundle(parts, artifacts=sys.argv[1], keep=10).name)
""")


def test_concurrent_saves_do_not_corrupt_each_other(tmp_path):
    import time

    start = time.time() + 1.5  # both interpreters are up by then
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT, str(tmp_path), tag, str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("A", "B")
    ]
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e for _, e in outs]
    versions = sorted(o.strip() for o, _ in outs)
    assert versions == ["20261125T083012Z", "20261125T083012Z-2"]
    assert list_versions("default", tmp_path) == versions
    tags = set()
    for v in versions:
        parts, manifest = load_bundle(f"default@{v}", tmp_path)
        assert manifest["version"] == v
        assert len({p[-1] for p in parts.values()}) == 1  # every part from the same saver
        tags.add(parts["part0"][-1])
    assert tags == {"A", "B"}
    assert (tmp_path / "default" / LATEST).read_text().strip() in versions
    assert not [p for p in (tmp_path / "default").iterdir() if p.name.startswith(".")]


MANY = textwrap.dedent("""
    import sys, time
    from topics import bundle
    start = float(sys.argv[3])
    time.sleep(max(0.0, start - time.time()))
    for i in range(4):
        bundle.save_bundle({"x": [sys.argv[2], i]}, artifacts=sys.argv[1], keep=3)
""")
READER = textwrap.dedent("""
    import sys, time, warnings
    from topics import bundle
    warnings.simplefilter("ignore")
    start, failures, loads = float(sys.argv[2]), 0, 0
    time.sleep(max(0.0, start - time.time()))
    while time.time() < start + 5:
        try:
            bundle.load_bundle(artifacts=sys.argv[1])
            loads += 1
        except bundle.BundleError as exc:
            if "no complete version yet" not in str(exc) and "No model named" not in str(exc):
                failures += 1
                print(exc, file=sys.stderr)
    print(loads, failures)
""")


def test_many_concurrent_saves_never_leave_latest_naming_a_pruned_version(tmp_path):
    import time

    start = time.time() + 1.5
    savers = [
        subprocess.Popen(
            [sys.executable, "-c", MANY, str(tmp_path), tag, str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in "ABCDEF"
    ]
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(tmp_path), str(start)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    outs = [p.communicate(timeout=120) for p in savers]
    assert all(p.returncode == 0 for p in savers), [e for _, e in outs]
    out, err = reader.communicate(timeout=120)
    loads, failures = map(int, out.split())
    assert loads > 0 and failures == 0, err[-2000:]
    versions = list_versions("default", tmp_path)
    assert 3 <= len(versions) <= 4  # the 3 newest, and LATEST (the last save to finish) if older
    assert (tmp_path / "default" / LATEST).read_text().strip() in versions


# -- signing ----------------------------------------------------------------------------------
def test_signed_round_trip(tmp_path):
    path = save_bundle({"x": 1}, artifacts=tmp_path, signing_key=KEY)
    sig = json.loads((path / SIGNATURE).read_text())
    assert sig["algorithm"] == "hmac-sha256" and len(sig["hmac"]) == 64
    assert KEY not in (path / SIGNATURE).read_text()
    assert check_signature(path, KEY) == "verified"
    assert check_signature(path) == "unverified"  # signed, but no key to check it with
    assert load_bundle(artifacts=tmp_path, key=KEY, require_signature=True)[0] == {"x": 1}
    assert load_bundle(artifacts=tmp_path)[0] == {"x": 1}


def test_env_key_signs_and_verifies(tmp_path, monkeypatch):
    monkeypatch.setenv("TOPICS_SIGNING_KEY", KEY)
    path = save_bundle({"x": 1}, artifacts=tmp_path)
    assert check_signature(path) == "verified" == check_signature(path, KEY.encode())
    assert verify_bundle(path, require_signature=True)["name"] == "default"


def test_unsigned_refused_when_required(tmp_path, no_unpickling):
    path = save_bundle({"x": 1}, artifacts=tmp_path)
    assert check_signature(path, KEY) == "unsigned"
    with pytest.raises(BundleError, match="is not signed: refusing to load it"):
        load_bundle(artifacts=tmp_path, key=KEY, require_signature=True)
    with pytest.raises(BundleError, match="no signing key"):
        load_bundle(artifacts=tmp_path, require_signature=True)


def test_wrong_key_refused_even_when_not_required(tmp_path, no_unpickling):
    save_bundle({"x": 1}, artifacts=tmp_path, signing_key=KEY)
    for require in (False, True):
        with pytest.raises(BundleError, match="signed with a different key"):
            load_bundle(artifacts=tmp_path, key="another key", require_signature=require)


def test_forged_manifest_refused(tmp_path, no_unpickling):
    # The attack a hash alone cannot stop: replace a file and rewrite its manifest hash.
    path = save_bundle({"x": 1}, artifacts=tmp_path, signing_key=KEY)
    joblib.dump({"evil": True}, path / "x.joblib")
    manifest = json.loads((path / MANIFEST).read_text())
    manifest["files"]["x.joblib"] = bundle._sync_and_hash(path / "x.joblib")
    (path / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    verify_bundle(path)  # the hashes match: without a key nothing is wrong
    with pytest.raises(BundleError, match="manifest was modified after signing"):
        load_bundle(artifacts=tmp_path, key=KEY)


@pytest.mark.parametrize("content", ["not json", "{}", '{"algorithm": "md5", "hmac": "00"}'])
def test_malformed_signature_refused(tmp_path, content, no_unpickling):
    path = save_bundle({"x": 1}, artifacts=tmp_path, signing_key=KEY)
    (path / SIGNATURE).write_text(content)
    with pytest.raises(BundleError, match="manifest.sig"):
        load_bundle(artifacts=tmp_path, key=KEY)


def test_sign_existing_bundle(tmp_path):
    path = save_bundle({"x": 1}, artifacts=tmp_path)
    with pytest.raises(BundleError, match="No signing key"):
        sign_bundle(path)
    sign_bundle(path, KEY)
    assert check_signature(path, KEY) == "verified"
    (path / "x.joblib").write_bytes(b"tampered")
    (path / SIGNATURE).unlink()
    with pytest.raises(BundleError, match="does not match its manifest hash"):
        sign_bundle(path, KEY)  # never sign a bundle whose files do not match
    assert not (path / SIGNATURE).exists()


def test_key_file(tmp_path):
    (tmp_path / "key").write_bytes(KEY.encode() + b"\n")
    assert read_key_file(tmp_path / "key") == KEY.encode()
    (tmp_path / "empty").write_bytes(b"\n")
    with pytest.raises(BundleError, match="is empty"):
        read_key_file(tmp_path / "empty")
    with pytest.raises(BundleError, match="Cannot read the signing key file"):
        read_key_file(tmp_path / "missing")


# -- signing from the command line -------------------------------------------------------------
def test_cli_signs_and_requires_signatures(tmp_path, monkeypatch, capsys):
    from conftest import SEED

    art = ["--artifacts", str(tmp_path)]
    key_file, wrong = tmp_path / "key", tmp_path / "wrong"
    key_file.write_text(KEY + "\n")
    wrong.write_text("not the key\n")
    assert main(["train", "--name", "plain", "-k", "3", *art]) == 0
    assert "signature   none" in capsys.readouterr().out
    assert main(["train", "--name", "signed", "-k", "3", "--signing-key-file", str(key_file), *art]) == 0
    assert "signature   HMAC-SHA256" in capsys.readouterr().out
    monkeypatch.setenv("TOPICS_SIGNING_KEY", KEY)
    assert main(["train", "--name", "env", "-k", "3", *art]) == 0  # the environment's key signs too
    assert check_signature(list_models(tmp_path, "env")[0].path, KEY) == "verified"
    monkeypatch.delenv("TOPICS_SIGNING_KEY")
    capsys.readouterr()

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args) + art)
        captured = capsys.readouterr()
        return code, captured.err.strip().splitlines()[-1] if captured.err.strip() else "", captured.out

    req = ["--require-signature", "--signing-key-file", str(key_file)]
    assert run("tag", str(SEED), "-m", "signed", *req)[0] == 0
    assert run("topics", "-m", "signed", *req)[0] == 0
    code, _, out = run("info", "-m", "signed", "--signing-key-file", str(key_file))
    assert code == 0 and "signature   signed, and the signature matches the signing key" in out
    assert run("tag", str(SEED), "-m", "signed")[0] == 0  # signed, no key, not required: loads
    code, err, _ = run("tag", str(SEED), "-m", "plain", *req)
    assert code == 2 and err.startswith("topics: error: Model bundle") and "is not signed" in err
    code, err, _ = run("tag", str(SEED), "-m", "signed", "--signing-key-file", str(wrong))
    assert code == 2 and "signed with a different key" in err  # refused even without --require-signature
    code, err, _ = run("info", "-m", "signed", "--require-signature")
    assert code == 2 and "no signing key" in err
    code, err, _ = run("topics", "-m", "signed", "--require-signature", "--signing-key-file", str(tmp_path / "nokey"))
    assert code == 2 and "Cannot read the signing key file" in err
    code, err, _ = run("models", "info", "signed", "--signing-key-file", str(wrong))
    assert code == 2 and "signed with a different key" in err


def test_update_checks_and_keeps_the_signature(tmp_path):
    from topics.corpus import Article
    from topics.training import train, update

    news = [Article("n1", "Oil prices rose again as OPEC cut output.")]
    train(artifacts=tmp_path, n_topics=3, signing_key=KEY)
    with pytest.raises(BundleError, match="different key"):
        update("default", news, artifacts=tmp_path, signing_key="wrong")
    with pytest.raises(BundleError, match="no signing key"):
        update("default", news, artifacts=tmp_path, require_signature=True)
    model = update("default", news, artifacts=tmp_path, signing_key=KEY, require_signature=True)
    assert check_signature(model.path, KEY) == "verified"


# -- what an attacker or a careless copy tries (#14) ------------------------------------------
def test_unsigned_bundle_warns_and_can_be_refused_by_environment(tmp_path, monkeypatch):
    save_bundle({"x": 1}, artifacts=tmp_path)
    with pytest.warns(bundle.UnsignedBundleWarning, match="unsigned model bundle .*: loading it runs the code"):
        load_bundle(artifacts=tmp_path)
    monkeypatch.setenv("TOPICS_REQUIRE_SIGNATURE", "1")
    with pytest.raises(BundleError, match="no signing key"):
        load_bundle(artifacts=tmp_path)


def test_deleted_signature_is_no_silent_downgrade_when_a_key_is_set(tmp_path, no_unpickling):
    path = save_bundle({"x": 1}, artifacts=tmp_path, signing_key=KEY)
    (path / SIGNATURE).unlink()
    with pytest.raises(BundleError, match="not signed, but a signing key is set"):
        load_bundle(artifacts=tmp_path, key=KEY)


def test_signed_bundle_moved_into_another_models_place_is_refused(tmp_path, no_unpickling, clock):
    a = save_bundle({"x": 1}, name="a", artifacts=tmp_path, signing_key=KEY)
    b = save_bundle({"x": 2}, name="b", artifacts=tmp_path, signing_key=KEY)
    import shutil

    shutil.rmtree(b)
    shutil.copytree(a, b)  # a's signed files under b's name and version
    with pytest.raises(BundleError, match="moved into another model's place"):
        load_bundle("b", artifacts=tmp_path, key=KEY)


@pytest.mark.parametrize("target", ["fifo", "file"])
def test_bundle_files_are_never_read_through_a_link(tmp_path, no_unpickling, target):
    import os

    path = save_bundle({"x": 1}, artifacts=tmp_path)
    other = tmp_path / "elsewhere"
    if target == "fifo":
        os.mkfifo(other)  # reading it would hang
    else:
        (path / "x.joblib").rename(other)
    (path / "x.joblib").unlink(missing_ok=True)
    (path / "x.joblib").symlink_to(other)
    with pytest.raises(BundleError, match="symbolic link"):
        load_bundle(artifacts=tmp_path)


def test_update_of_a_signed_model_needs_its_key(tmp_path, capsys):
    from conftest import SEED

    key_file = tmp_path / "key"
    key_file.write_text(KEY)
    art = str(tmp_path / "art")
    assert main(["train", "--artifacts", art, "--topics", "5", "--signing-key-file", str(key_file)]) == 0
    capsys.readouterr()
    # without the key: refused (its new version would be unsigned), one line
    assert main(["update", "--model", "default", "--corpus", str(SEED), "--artifacts", art]) == 2
    assert "is signed: updating it needs the signing key" in capsys.readouterr().err
    assert (
        main(
            [
                "update",
                "--model",
                "default",
                "--corpus",
                str(SEED),
                "--artifacts",
                art,
                "--signing-key-file",
                str(key_file),
            ]
        )
        == 0
    )
    assert "signature   HMAC-SHA256" in capsys.readouterr().out


def test_cli_says_in_one_line_that_a_bundle_is_unsigned(tmp_path, capsys):
    from conftest import SEED

    art = str(tmp_path / "art")
    assert main(["train", "--artifacts", art, "--topics", "5"]) == 0
    capsys.readouterr()
    import warnings

    with warnings.catch_warnings():  # the test run filters the warning (pyproject); a user sees it
        warnings.simplefilter("always", bundle.UnsignedBundleWarning)
        assert main(["tag", str(SEED), "--artifacts", art]) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "unsigned" in line]
    assert len(lines) == 1 and lines[0].startswith("topics: warning: unsigned model bundle ")


def test_a_bundle_whose_parts_are_not_a_models_is_refused(tmp_path):
    from topics.model import load

    save_bundle({"preprocessor": 1, "lda": 2, "classifier": 3, "taxonomy": 4}, artifacts=tmp_path)
    with pytest.raises(BundleError, match="its preprocessor is a int, not a Preprocessor"):
        load(artifacts=tmp_path)

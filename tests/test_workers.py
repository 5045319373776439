"""Worker processes never outlive the process that started them (kill -9 included)."""

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT


def _children(pid: int) -> list[int]:
    return _descendants(pid, depth=1)


def _descendants(pid: int, depth: int = 2) -> list[int]:
    """Children of ``pid`` and (depth 2) theirs: a fork server's workers are the server's children."""
    parents = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if (i := text.find("PPid:\t")) >= 0:
            parents[int(status.parent.name)] = int(text[i + 6 : text.index("\n", i)])
    found, level = [], {pid}
    for _ in range(depth):
        level = {p for p, pp in parents.items() if pp in level}
        found += sorted(level)
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
    except OSError:  # it ended meanwhile
        return ""


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            if "State:\tZ" not in Path(f"/proc/{pid}/status").read_text():
                alive.append(pid)
        except OSError:
            pass
    return alive


def _wait_gone(pids: list[int], seconds: float = 10) -> list[int]:
    end = time.time() + seconds
    while _alive(pids) and time.time() < end:
        time.sleep(0.2)
    return _alive(pids)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_service_workers_exit_when_the_server_is_killed(default_model, artifacts):
    pytest.importorskip("fastapi")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "topics", "serve", "--artifacts", str(artifacts), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        end = time.time() + 60
        while time.time() < end:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        workers = [p for p in _children(server.pid) if "spawn_main" in _cmdline(p)]
        assert workers, "the service tags in worker processes"
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    assert _wait_gone(workers) == []


def _kill_once_workers_start(args: list[str], marker: str, after: float = 0.0) -> list[int]:
    """Run ``topics ARGS``, SIGKILL it ``after`` seconds after its first worker process (a child,
    or a fork server's child, whose command line holds ``marker``) appears; every worker it had
    meanwhile."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "topics", *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    workers: set[int] = set()
    try:
        end = time.time() + 240
        while time.time() < end and proc.poll() is None:
            workers |= {
                p for p in _descendants(proc.pid) if marker in _cmdline(p) and "resource_tracker" not in _cmdline(p)
            }
            if workers:
                end = min(end, time.time() + after)  # then only watch for more workers until the kill
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    return sorted(workers)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("after", [0.0, 2.0], ids=["as-they-start", "while-fitting"])
def test_training_workers_exit_when_the_training_is_killed(shared_data, tmp_path, after):
    """Killed as soon as the workers appear (still starting, no share of the SVMs yet: they
    must watch their parent from start-up, not from their first task), or once fitting."""
    workers = _kill_once_workers_start(
        ["train", "--corpus", str(shared_data / "bbc"), "--artifacts", str(tmp_path), "--jobs", "2"], "loky", after
    )
    assert workers, "the classifier stage runs in worker processes"
    assert _wait_gone(workers) == []


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_tagging_workers_exit_when_tagging_is_killed(default_model, artifacts, shared_data, tmp_path):
    """Killed while its workers tag (BBC three times over: longer than the wait on an idle machine).
    The workers fork from a fork server (which outlives the killed process while they live):
    they must watch the tagging process itself, not their parent."""
    bbc = str(shared_data / "bbc")
    workers = _kill_once_workers_start(
        [
            "tag",
            bbc,
            bbc,
            bbc,
            "--artifacts",
            str(artifacts),
            "--jobs",
            "2",
            "-o",
            str(tmp_path / "tags.jsonl"),
            "-f",
            "jsonl",
        ],
        "multiprocessing",
        after=4.0,
    )
    assert workers, "tagging runs in worker processes"
    assert _wait_gone(workers) == []

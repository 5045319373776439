"""Tagging throughput, service latency, CLI cold start and training memory, in one run.

    TOPICS_DATA=../shared/data python benchmarks/throughput.py [--record] [--memory-scales 1,2,4,8]

Everything runs on this machine in this run, so the ratios hold even when the machine is noisy:

* articles/s on Reuters-21578 ModApte test articles (15 times over for batch tagging), tagged
  by a model trained on the ModApte train split (90 themes + LDA topics): batch tagging
  (1 and 2 processes) vs a naive
  per-article loop vs plain scikit-learn (TF-IDF + one-vs-rest LinearSVC) ``predict``;
* service latency (p50/p99) of single-article ``POST /tag`` from a local keep-alive client;
* wall time of a one-article ``topics tag`` command;
* peak memory of ``topics train`` (its own peak RSS plus its SVM worker processes') on 1×, 2×, 4×, 8× the Reuters corpus (ModApte train +
  test), twice: without labels (themes train from the taxonomy) and with each article's Reuters
  topics (supervised; above 50,000 labelled articles the classifier learns out of core). Copies
  are *distinct* articles, so that duplicate removal cannot collapse them: copy r > 0 of article
  i is the first half of its sentences followed by the second half of another article's (a
  seeded permutation per copy), labelled with article i's topics. Real wire text, realistic word
  pairs, and a vocabulary that grows with the corpus.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import record  # noqa: E402


def data_dir() -> Path:
    return Path(os.environ.get("TOPICS_DATA") or ROOT.parent / "shared" / "data")


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_latency(artifacts: str, texts: list[str], n: int = 500) -> tuple[float, float]:
    port = free_port()
    env = dict(os.environ, TOPICS_ARTIFACTS=artifacts)
    proc = subprocess.Popen(
        [sys.executable, "-m", "topics", "serve", "--model", "reuters", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 120
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", "/health")
                if conn.getresponse().read():
                    break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("the service did not start") from None
                time.sleep(0.2)
        times = []
        for i in range(n):
            body = json.dumps({"id": str(i), "text": texts[i % len(texts)]})
            start = time.perf_counter()
            conn.request("POST", "/tag", body, {"content-type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            times.append(time.perf_counter() - start)
            assert resp.status == 200, resp.status
        times.sort()
        return times[len(times) // 2] * 1000, times[int(len(times) * 0.99)] * 1000
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def write_copies(path: Path, articles: list, k: int, labelled: bool = False) -> None:
    """``k`` distinct copies of ``articles`` as JSONL (see the module docstring)."""
    import random
    import re

    sentences = [re.split(r"(?<=[.!?])\s+", a.text) for a in articles]
    with path.open("w", encoding="utf-8") as f:
        for r in range(k):
            other = list(range(len(articles)))
            random.Random(r).shuffle(other)
            for i, a in enumerate(articles):
                first, second = sentences[i], sentences[other[i]]
                text = a.text if r == 0 else " ".join(first[: max(1, len(first) // 2)] + second[len(second) // 2 :])
                labels = {"labels": list(a.labels)} if labelled else {}
                f.write(json.dumps({"id": f"{a.id}-{r}", "title": a.title, "text": text, **labels}) + "\n")


_HWM = """
import glob, os, sys, time
from topics.cli import main

def hwm(pid):  # VmHWM: peak RSS of that process image (ru_maxrss would carry the forking parent's)
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return 0.0

def workers():  # children still alive: the worker processes that fitted the SVMs
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            if int(open(stat).read().rsplit(")", 1)[1].split()[1]) == os.getpid():
                yield int(stat.split("/")[2])
        except (OSError, ValueError, IndexError):
            pass

t = time.perf_counter()
main(["train", "--corpus", sys.argv[1], "--name", "mem", "--artifacts", sys.argv[2]])
print(hwm("self") + sum(hwm(pid) for pid in workers()), time.perf_counter() - t)
"""


def peak_train_memory(jsonl: Path, artifacts: str) -> tuple[float, float]:
    """Peak memory (MB) and seconds of `topics train` on ``jsonl``, in a child process: its
    own peak plus its worker processes' peaks (a sum of peaks: an upper bound)."""
    out = subprocess.run([sys.executable, "-c", _HWM, str(jsonl), artifacts], capture_output=True, text=True, check=True).stdout
    mb, secs = out.strip().splitlines()[-1].split()
    return float(mb), float(secs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--record", action="store_true", help="append the table to benchmarks/RESULTS.md")
    ap.add_argument("--memory-scales", default="1,2,4,8", help="corpus multiples for the memory check ('' to skip)")
    args = ap.parse_args(argv)

    import topics
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.preprocessing import MultiLabelBinarizer
    from sklearn.svm import LinearSVC

    reuters = data_dir() / "reuters21578"
    train = list(topics.Corpus(reuters, "reuters21578", split="train"))
    test = list(topics.Corpus(reuters, "reuters21578", split="test"))
    texts = [a.full_text for a in test]
    rows: list[tuple[str, str, str]] = []

    with tempfile.TemporaryDirectory() as art:
        started = time.perf_counter()
        model = topics.train(train, name="reuters", artifacts=art)
        rows.append(("train `topics` on ModApte train", f"{time.perf_counter() - started:.1f} s", f"{len(train):,} articles"))

        tagger = topics.Tagger(model, batch_size=512)
        list(tagger.tag(test[:200]))  # warm caches
        # An archive-sized stream (the test split 15 times, fresh ids), so that starting
        # worker processes is amortised as it is on real archives.
        stream = [dataclasses.replace(a, id=f"{a.id}-{r}") for r in range(15) for a in test]
        started = time.perf_counter()
        list(tagger.tag(stream))
        batch1 = (time.perf_counter() - started) / len(stream) * len(test)
        started = time.perf_counter()
        list(tagger.tag(stream, n_jobs=2))
        batch2 = (time.perf_counter() - started) / len(stream) * len(test)
        sample = test[:300]
        started = time.perf_counter()
        for a in sample:
            tagger.tag_one(a)
        naive = (time.perf_counter() - started) / len(sample) * len(test)

        mlb = MultiLabelBinarizer()
        y = mlb.fit_transform([a.labels for a in train])
        vec = TfidfVectorizer()
        svc = OneVsRestClassifier(LinearSVC()).fit(vec.fit_transform([a.full_text for a in train]), y)
        started = time.perf_counter()
        svc.predict(vec.transform(texts))
        plain = time.perf_counter() - started
        started = time.perf_counter()
        for text in texts[:300]:
            svc.predict(vec.transform([text]))
        plain_loop = (time.perf_counter() - started) / 300 * len(texts)

        n = len(test)
        rows += [
            ("batch tagging, 1 process (themes + topics + evidence)", f"{rate(n, batch1)} articles/s", f"{naive / batch1:.1f}× the naive loop"),
            ("batch tagging, 2 processes", f"{rate(n, batch2)} articles/s", f"{naive / batch2:.1f}× the naive loop"),
            ("naive per-article loop (`tag_one`)", f"{rate(n, naive)} articles/s", "1.0×"),
            ("plain scikit-learn TF-IDF + LinearSVC `predict` (themes only)", f"{rate(n, plain)} articles/s", f"{naive / plain:.1f}× the naive loop"),
            ("plain scikit-learn, one `predict` per article (90 estimators)", f"{rate(n, plain_loop)} articles/s",
             f"our 1-process batch is {plain_loop / batch1:.0f}× this"),
        ]

        try:
            p50, p99 = service_latency(art, texts)
            rows.append(("service `POST /tag`, one article, keep-alive client", f"p50 {p50:.1f} ms", f"p99 {p99:.1f} ms"))
        except (ImportError, RuntimeError) as exc:
            rows.append(("service", "not measured", str(exc)))

        one = Path(art) / "one.txt"
        one.write_text(texts[0], encoding="utf-8")
        env = dict(os.environ, TOPICS_ARTIFACTS=art)
        walls = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "topics", "tag", str(one), "--model", "reuters"], env=env, check=True, capture_output=True)
            walls.append(time.perf_counter() - started)
        rows.append(("`topics tag one.txt` wall time (best of 3)", f"{min(walls):.2f} s", "imports + verified load + tag"))

        scales = [int(s) for s in args.memory_scales.split(",") if s]
        for labelled in (False, True):
            base_mb = None
            for k in scales:
                jsonl = Path(art) / f"reuters_x{k}.jsonl"
                write_copies(jsonl, train + test, k, labelled)
                mb, secs = peak_train_memory(jsonl, art)
                base_mb = base_mb or mb
                what = "labelled" if labelled else "unlabelled"
                rows.append((f"`topics train` peak memory, {k}× Reuters ({k * (len(train) + len(test)):,} {what} articles)",
                             f"{mb:,.0f} MB", f"{mb / base_mb:.2f}× the 1× peak; {secs:.0f} s"))
                jsonl.unlink()

    table = "\n".join(["| measure | value | note |", "|---|---|---|", *[f"| {a} | {b} | {c} |" for a, b, c in rows]])
    print(table)
    if args.record:
        record(f"Throughput, latency, memory ({os.cpu_count()} cores)", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())

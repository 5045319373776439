"""Tagging throughput, service latency, CLI cold start and training memory, in one run.

    TOPICS_DATA=../shared/data python benchmarks/throughput.py [--record] [--memory-scales 1,2,4,8]

    TOPICS_DATA=../shared/data python benchmarks/throughput.py --scaling-only [--copies 4] [--record]

Everything runs on this machine in this run, so the ratios hold even when the machine is noisy:

* scaling of `topics tag` on Reuters-21578 × ``--copies`` (every article of the collection,
  copies made distinct as below) as JSONL, tagged by the ModApte-90 model: wall time and
  articles/s of 1 process, 2 worker processes and a 2-worker Dask ``LocalCluster`` (outputs
  compared byte for byte); for 2 workers the coordinator's CPU time per article next to the
  workers', the serial fraction it implies and the Amdahl speed-up for 16 and 64 workers;
  worker start-up (spawn, imports, verified model load);

* articles/s on Reuters-21578 ModApte test articles (15 times over for batch tagging), tagged
  by the ModApte-90 model: batch tagging in memory (1 process) vs a naive per-article loop vs plain scikit-learn (TF-IDF + one-vs-rest LinearSVC) ``predict``;
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
from results import publish  # noqa: E402


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
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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
    out = subprocess.run(
        [sys.executable, "-c", _HWM, str(jsonl), artifacts], capture_output=True, text=True, check=True
    ).stdout
    mb, secs = out.strip().splitlines()[-1].split()
    return float(mb), float(secs)


def scaling(model, articles: list, copies: int, folder: Path, repeat: int = 1) -> list[tuple[str, str, str]]:
    """`topics tag big.jsonl -f jsonl -o FILE` with 1 process, 2 workers and Dask (2 workers), in this
    process; the runs take turns ``repeat`` times and each keeps its fastest (a shared machine is noisy).
    The Dask run's coordinator CPU includes the local scheduler's, which runs in this process."""
    import filecmp

    import topics
    from topics import distributed
    from topics.partition import TagStats, tag_files

    big = folder / f"reuters_x{copies}.jsonl"
    write_copies(big, articles, copies)
    mb = big.stat().st_size / 1e6

    def one_process(out) -> TagStats:
        """What `topics tag --jobs 1` does: verified load, read, tag, format, write."""
        started, cpu = time.perf_counter(), time.process_time()
        tagger = topics.Tagger(topics.load(model.path), batch_size=512)
        n = sum(out.write(r.format("jsonl").encode()) > 0 for r in tagger.tag(topics.Corpus(big)))
        return TagStats(
            articles=n, parts=1, seconds=time.perf_counter() - started, coordinator_cpu=time.process_time() - cpu
        )

    def dask_local(out) -> TagStats:
        """`topics tag --dask local --jobs 2`: a cluster started for the run, its start counted."""
        started = time.perf_counter()
        with distributed.dask_client("local", 2) as client:
            stats = distributed.tag_files(client, topics.Corpus(big), model.path, out=out)
        stats.seconds = time.perf_counter() - started
        return stats

    runs = {
        "1 process": one_process,
        "2 workers (--jobs 2)": lambda out: tag_files(topics.Corpus(big), model.path, out=out, jobs=2),
        "--dask local (2 workers)": dask_local,
    }
    best: dict[str, TagStats] = {}
    outputs: dict[str, Path] = {}
    for r in range(repeat):
        for k, (label, run) in enumerate(runs.items()):
            path = folder / f"run{k}-{r}.jsonl"
            with open(path, "wb") as out:
                try:
                    stats = run(out)
                except ImportError:  # no dask extra
                    continue
            outputs[label] = path
            if label not in best or stats.seconds < best[label].seconds:
                best[label] = stats
    one = best["1 process"]
    rows = []
    for label, stats in best.items():
        cores = (stats.coordinator_cpu + stats.worker_cpu) / stats.seconds
        note = f"{stats.seconds:.1f} s, {one.seconds / stats.seconds:.2f}× 1 process; {cores:.2f} cores busy on average"
        if label != "1 process":
            note += (
                f"; {stats.parts} parts; start-up {stats.startup:.1f} s (model load "
                f"{max(stats.load, default=0):.1f} s per worker)"
            )
        rows.append(
            (
                f"`topics tag` {stats.articles:,} articles ({mb:,.0f} MB JSONL), {label}",
                f"{stats.articles / stats.seconds:,.0f} articles/s",
                note,
            )
        )
    two = best["2 workers (--jobs 2)"]
    per = 1e6 / two.articles
    serial = two.coordinator_cpu / (two.coordinator_cpu + two.worker_cpu)
    amdahl = ", ".join(f"{k} workers {1 / (serial + (1 - serial) / k):.1f}×" for k in (16, 64))
    rows += [
        ("1 process: CPU per article", f"{one.coordinator_cpu * 1e6 / one.articles:,.0f} µs", "model load included"),
        (
            "--jobs 2: coordinator CPU per article",
            f"{two.coordinator_cpu * per:,.1f} µs",
            f"{two.coordinator_cpu:.2f} s in all (bundle check, planning, pool start, concatenation)",
        ),
        (
            "--jobs 2: workers' CPU per article",
            f"{two.worker_cpu * per:,.0f} µs",
            f"{two.worker_cpu:.1f} s in all (reading, tagging, writing; model loads excluded)",
        ),
        ("serial fraction (coordinator CPU / all CPU)", f"{serial:.2%}", f"Amdahl: {amdahl}"),
    ]
    if "--dask local (2 workers)" in best:
        dask = best["--dask local (2 workers)"]
        rows.append(("--dask local vs --jobs 2", f"{two.seconds / dask.seconds:.2f}×", "articles/s ratio"))
    same = all(filecmp.cmp(outputs["1 process"], o, shallow=False) for o in outputs.values())
    rows.append(
        ("outputs byte-identical to 1 process", "yes" if same else "NO", ", ".join(outputs) + f"; best of {repeat}")
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--record", action="store_true", help="append the table to benchmarks/RESULTS.md")
    ap.add_argument("--memory-scales", default="1,2,4,8", help="corpus multiples for the memory check ('' to skip)")
    ap.add_argument(
        "--copies", type=int, default=4, help="scaling: Reuters-21578 copies tagged (default: 4, as in issue #13)"
    )
    ap.add_argument("--scaling-only", action="store_true", help="only the scaling of `topics tag` (the first rows)")
    ap.add_argument(
        "--repeat", type=int, default=1, help="scaling: runs of each configuration, the fastest kept (default: 1)"
    )
    args = ap.parse_args(argv)

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.preprocessing import MultiLabelBinarizer
    from sklearn.svm import LinearSVC

    import topics
    from topics.corpus import reuters_common_labels

    reuters = data_dir() / "reuters21578"
    train = list(topics.Corpus(reuters, "reuters21578", split="train"))
    test = list(topics.Corpus(reuters, "reuters21578", split="test"))
    texts = [a.full_text for a in test]
    rows: list[tuple[str, str, str]] = []

    with tempfile.TemporaryDirectory() as art:
        started = time.perf_counter()
        labels = reuters_common_labels(train, test)  # ModApte-90, as `topics train --split train` does
        model = topics.train(train, labels=labels, name="reuters", artifacts=art)
        rows.append(
            (
                "train `topics` on ModApte train (90 topics)",
                f"{time.perf_counter() - started:.1f} s",
                f"{len(train):,} articles",
            )
        )
        rows += scaling(model, list(topics.Corpus(reuters, "reuters21578")), args.copies, Path(art), args.repeat)
        if args.scaling_only:
            return _print(rows, args.record, args.copies)

        tagger = topics.Tagger(model, batch_size=512)
        list(tagger.tag(test[:200]))  # warm caches
        # The test split 15 times (fresh ids), in memory: tagging alone, without reading or writing
        stream = [dataclasses.replace(a, id=f"{a.id}-{r}") for r in range(15) for a in test]
        started = time.perf_counter()
        list(tagger.tag(stream))
        batch1 = (time.perf_counter() - started) / len(stream) * len(test)
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
            (
                "batch tagging, 1 process (themes + topics + evidence)",
                f"{rate(n, batch1)} articles/s",
                f"{naive / batch1:.1f}× the naive loop",
            ),
            ("naive per-article loop (`tag_one`)", f"{rate(n, naive)} articles/s", "1.0×"),
            (
                "plain scikit-learn TF-IDF + LinearSVC `predict` (themes only)",
                f"{rate(n, plain)} articles/s",
                f"{naive / plain:.1f}× the naive loop",
            ),
            (
                "plain scikit-learn, one `predict` per article (90 estimators)",
                f"{rate(n, plain_loop)} articles/s",
                f"our 1-process batch is {plain_loop / batch1:.0f}× this",
            ),
        ]

        try:
            p50, p99 = service_latency(art, texts)
            rows.append(
                ("service `POST /tag`, one article, keep-alive client", f"p50 {p50:.1f} ms", f"p99 {p99:.1f} ms")
            )
        except (ImportError, RuntimeError) as exc:
            rows.append(("service", "not measured", str(exc)))

        one = Path(art) / "one.txt"
        one.write_text(texts[0], encoding="utf-8")
        env = dict(os.environ, TOPICS_ARTIFACTS=art)
        walls = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "topics", "tag", str(one), "--model", "reuters"],
                env=env,
                check=True,
                capture_output=True,
            )
            walls.append(time.perf_counter() - started)
        rows.append(
            ("`topics tag one.txt` wall time (best of 3)", f"{min(walls):.2f} s", "imports + verified load + tag")
        )

        scales = [int(s) for s in args.memory_scales.split(",") if s]
        for labelled in (False, True):
            base_mb = None
            for k in scales:
                jsonl = Path(art) / f"reuters_x{k}.jsonl"
                write_copies(jsonl, train + test, k, labelled)
                mb, secs = peak_train_memory(jsonl, art)
                base_mb = base_mb or mb
                what = "labelled" if labelled else "unlabelled"
                rows.append(
                    (
                        f"`topics train` peak memory, {k}× Reuters ({k * (len(train) + len(test)):,} {what} articles)",
                        f"{mb:,.0f} MB",
                        f"{mb / base_mb:.2f}× the 1× peak; {secs:.0f} s",
                    )
                )
                jsonl.unlink()

    return _print(rows, args.record, args.copies)


def _print(rows: list[tuple[str, str, str]], save: bool, copies: int) -> int:
    table = "\n".join(["| measure | value | note |", "|---|---|---|", *[f"| {a} | {b} | {c} |" for a, b, c in rows]])
    table += f"\n\nLoad average at the end (1/5/15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores."
    publish(f"Throughput, latency, memory ({os.cpu_count()} cores; tagging scaling on Reuters ×{copies})", table, save)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The tagging service under concurrency: requests/s and latency at 1, 8 and 32 clients.

Trains the default model (bundled corpus) into a temporary folder, starts
``topics serve --workers N`` on a free local port for each N of ``--workers``, and for each
concurrency C runs C client threads, each on its own keep-alive connection, posting one
Reuters-21578 test article per request, one request after another, for ``--seconds``: a
bounded load (never more than C requests in flight). Prints requests/s, p50/p99 latency and
answers other than 200. The load generator shares the machine's cores with the server.

    TOPICS_DATA=../shared/data python benchmarks/service_throughput.py [--workers 1,2] [--seconds 10] [--record]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import publish  # noqa: E402
from throughput import data_dir, free_port  # noqa: E402


def start(artifacts: str, workers: int) -> tuple[subprocess.Popen, int, float]:
    """`topics serve --workers N`; returns it, its port and the seconds until /health answered."""
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "topics",
            "serve",
            "--artifacts",
            artifacts,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 180
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return proc, port, time.perf_counter() - started
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("the service did not start") from None
            time.sleep(0.1)


def load(port: int, bodies: list[bytes], concurrency: int, seconds: float) -> dict:
    """``concurrency`` clients posting back to back for ``seconds``."""
    times: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    go = threading.Event()
    end = [0.0]

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, bad, i = [], [], k
        go.wait()
        while time.perf_counter() < end[0]:
            body = bodies[i % len(bodies)]
            i += concurrency
            started = time.perf_counter()
            try:
                conn.request("POST", "/tag", body, {"content-type": "application/json"})
                response = conn.getresponse()
                response.read()
                status = response.status
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            (mine if status == 200 else bad).append(time.perf_counter() - started)
        with lock:
            times.extend(mine)
            failures.extend(bad)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(concurrency)]
    for t in threads:
        t.start()
    started = time.perf_counter()
    end[0] = started + seconds
    go.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    times.sort()
    pick = (lambda q: times[min(len(times) - 1, int(len(times) * q))] * 1000) if times else (lambda q: float("nan"))
    return {"rps": len(times) / elapsed, "p50": pick(0.5), "p99": pick(0.99), "failed": len(failures), "n": len(times)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--workers", default=f"1,{os.cpu_count() or 1}", help="values of `topics serve --workers` (default: 1,cores)"
    )
    ap.add_argument("--concurrency", default="1,8,32", help="concurrent clients (default: 1,8,32)")
    ap.add_argument("--seconds", type=float, default=10.0, help="load per concurrency level (default: 10)")
    ap.add_argument("--record", action="store_true", help="append the table to benchmarks/RESULTS.md")
    args = ap.parse_args(argv)

    import topics

    test = list(topics.Corpus(data_dir() / "reuters21578", "reuters21578", split="test"))
    bodies = [json.dumps({"id": a.id, "title": a.title, "text": a.text}).encode() for a in test]
    rows = []
    with tempfile.TemporaryDirectory() as art:
        topics.train(artifacts=art)
        for workers in dict.fromkeys(int(w) for w in args.workers.split(",")):
            proc, port, ready = start(art, workers)
            try:
                load(port, bodies[:50], 2, 2.0)  # warm up
                for c in (int(c) for c in args.concurrency.split(",")):
                    r = load(port, bodies, c, args.seconds)
                    rows.append((workers, c, r, ready))
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    base = {c: r["rps"] for w, c, r, _ in rows if w == rows[0][0]}
    lines = [
        "| `--workers` | clients | requests/s | vs first row's workers | p50 ms | p99 ms | not 200 | start-up s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {w} | {c} | {r['rps']:,.0f} | {r['rps'] / base[c]:.2f}× | {r['p50']:.1f} | {r['p99']:.1f} | {r['failed']} | {ready:.1f} |"
        for w, c, r, ready in rows
    ]
    table = "\n".join(lines)
    table += (
        f"\n\nSingle Reuters-21578 test articles (default model), {args.seconds:g} s per row, keep-alive clients. "
        f"Load average at the end (1/5/15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores."
    )
    publish(f"Service throughput under concurrency ({os.cpu_count()} cores)", table, args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())

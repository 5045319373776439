"""The tagging service under hostile load: slow clients, huge bodies and normal traffic at once.

Starts `topics serve` (the default model) on a free local port, then for ``--seconds``:

* 30 slowloris connections that send half a request's headers and wait (re-opened when closed);
* 3 clients posting ~9.5 MB articles back to back (just under the 10 MB body limit);
* 1 client posting ordinary articles (~1 KB), one after another;
* a probe calling ``GET /health`` every 50 ms.

It prints /health latency (the bar: < 100 ms throughout), the ordinary client's latency and
answers, what the huge requests got, and the server's memory: before, peak, and 5 s after
the load stops (it should come back near the baseline).

    python benchmarks/service_load.py [--seconds 20] [--record]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import publish  # noqa: E402


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


PROBE = """
import http.client, json, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
out, end = [], time.time() + seconds
while time.time() < end:
    started = time.perf_counter()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/health")
        ok = conn.getresponse().status == 200
        conn.close()
    except OSError:
        ok = False
    out.append((time.perf_counter() - started if ok else float("inf"), round(end - seconds - time.time(), 2)))
    time.sleep(0.05)
print(json.dumps(out))
"""


def _children_rss_mb(pid: int) -> float:
    """Resident memory of the server's worker processes."""
    total = 0.0
    for child in Path("/proc").glob("[0-9]*"):
        try:
            if f"PPid:\t{pid}\n" in (child / "status").read_text():
                total += _rss_mb(int(child.name))
        except OSError:
            continue
    return total


def _request(port: int, method: str, path: str, body: bytes | None = None, timeout: float = 60) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    except (OSError, http.client.HTTPException):
        return 0, time.perf_counter() - started
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--record", action="store_true", help="append the table to benchmarks/RESULTS.md")
    args = ap.parse_args(argv)

    art = tempfile.mkdtemp(prefix="topics-load-")
    subprocess.run([sys.executable, "-m", "topics", "train", "--artifacts", art], check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONWARNINGS": "ignore:unsigned model bundle:UserWarning"}
    server = subprocess.Popen(
        [sys.executable, "-m", "topics", "serve", "--artifacts", art, "--port", str(port)],
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        for _ in range(200):
            if _request(port, "GET", "/health", timeout=1)[0] == 200:
                break
            time.sleep(0.1)
        for _ in range(5):  # warm up
            _request(port, "POST", "/tag", json.dumps({"text": "Oil prices rose."}).encode())
        baseline, workers_before = _rss_mb(server.pid), _children_rss_mb(server.pid)
        stop = threading.Event()
        normal: list[tuple[int, float]] = []
        huge: list[tuple[int, float]] = []
        slow_closed = Counter()

        # The probe runs in a process of its own: in this one it would wait for the load
        # threads' interpreter lock and measure the client, not the server.
        probe = subprocess.Popen(
            [sys.executable, "-c", PROBE, str(port), str(args.seconds)], stdout=subprocess.PIPE, text=True
        )

        def ordinary():
            body = json.dumps(
                {"text": "Tourists filled the beach resorts as hotels reported record bookings. " * 15}
            ).encode()
            while not stop.is_set():
                normal.append(_request(port, "POST", "/tag", body))

        big = json.dumps(
            {"text": "Turkey will buy missiles and sell drones under the new contract. " * 145_000}
        ).encode()

        def heavy():
            while not stop.is_set():
                huge.append(_request(port, "POST", "/tag", big, timeout=120))

        def slowloris():
            socks: list[socket.socket] = []
            while not stop.is_set():
                while len(socks) < 30:
                    try:
                        c = socket.create_connection(("127.0.0.1", port), timeout=1)
                        c.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                        c.setblocking(False)
                        socks.append(c)
                    except OSError:
                        break
                time.sleep(0.5)
                for c in list(socks):
                    try:
                        if c.recv(1) == b"":
                            raise ConnectionResetError
                    except BlockingIOError:
                        continue
                    except OSError:
                        pass
                    slow_closed["closed by the server"] += 1
                    c.close()
                    socks.remove(c)
            for c in socks:
                c.close()

        threads = [threading.Thread(target=f, daemon=True) for f in (ordinary, heavy, heavy, heavy, slowloris)]
        for t in threads:
            t.start()
        probed = json.loads(probe.communicate(timeout=args.seconds + 60)[0])
        health = [latency for latency, _ in probed]
        slowest = sorted(probed, reverse=True)[:3]
        stop.set()
        for t in threads:
            t.join(timeout=150)
        peak, workers_peak = _rss_mb(server.pid, "VmHWM"), _children_rss_mb(server.pid)
        time.sleep(5)
        after, workers_after = _rss_mb(server.pid), _children_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)

    def pct(values, q):
        values = sorted(values)
        return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")

    h = [x for x in health]
    rows = [
        "| measure | value |",
        "|---|---|",
        f"| /health probes | {len(h)}; p50 {pct(h, 0.5):.1f} ms, p99 {pct(h, 0.99):.1f} ms, max {max(h) * 1000:.1f} ms (bar < 100 ms); "
        f"slowest at {', '.join(f'{-at:.1f} s' for _, at in slowest)} into the load |",
        f"| ordinary /tag (1 KB) | {len(normal)} requests, answers {dict(Counter(s for s, _ in normal))}; p50 {pct([t for _, t in normal], 0.5):.0f} ms, p99 {pct([t for _, t in normal], 0.99):.0f} ms |",
        f"| huge /tag (9.5 MB) | {len(huge)} requests, answers {dict(Counter(s for s, _ in huge))}; p50 {pct([t for _, t in huge], 0.5) / 1000:.1f} s |",
        f"| slowloris connections | {slow_closed['closed by the server']} closed by the server (header deadline 10 s) |",
        f"| server process memory | baseline {baseline:.0f} MB, peak {peak:.0f} MB, 5 s after the load {after:.0f} MB |",
        f"| its tagging workers (together) | {workers_before:.0f} MB before, {workers_peak:.0f} MB at the end of the load, {workers_after:.0f} MB 5 s after |",
    ]
    table = f"Service under load for {args.seconds:g} s (2 cores)\n\n" + "\n".join(rows)
    publish("Service under hostile load", table, args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())

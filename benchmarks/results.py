"""Append a benchmark's table to ``benchmarks/RESULTS.md``, with the date and the command that gives it."""
from __future__ import annotations

import datetime as dt
import shlex
import sys
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def record(title: str, table: str) -> None:
    """Append ``table`` under ``## title (date)``; the command is this run's, without ``--record``."""
    args = [a for a in sys.argv[1:] if a != "--record"]
    command = " ".join(["TOPICS_DATA=../shared/data python", f"benchmarks/{Path(sys.argv[0]).name}", *map(shlex.quote, args)])
    with open(RESULTS, "a", encoding="utf-8") as f:
        f.write(f"\n## {title} ({dt.date.today()})\n\n`{command}`\n\n{table}\n")

"""Keep ``benchmarks/RESULTS.md`` as the current table of each benchmark run: one section per
command (script and arguments), with its date; older figures live in git history."""

from __future__ import annotations

import datetime as dt
import re
import shlex
import sys
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
HEADER = (
    "# Benchmark results\n\nThe current table of each benchmark command: what was measured, the command that\n"
    "reproduces it, the date, and the table it printed (older runs: `git log -p benchmarks/RESULTS.md`).\n"
    "Machines are noisy: compare figures within one table, not across tables.\n"
)


def sections(text: str) -> list[str]:
    """The ``## ...`` sections of a RESULTS.md text, in order."""
    return [s for s in re.split(r"\n(?=## )", text) if s.startswith("## ")]


def command_of(section: str) -> str:
    found = re.search(r"^`([^`]+)`$", section, flags=re.M)
    return found.group(1) if found else section.splitlines()[0]


def publish(title: str, table: str, save: bool) -> None:
    """Print a benchmark's ``table``, and with ``save`` (its ``--record``) :func:`record` it."""
    print(table)
    if save:
        record(title, table)


def record(title: str, table: str) -> None:
    """Write ``table`` under ``## title (date)`` with this run's command (without ``--record``),
    in place of the section of an earlier run of the same command, or at the end."""
    args = [a for a in sys.argv[1:] if a != "--record"]
    command = " ".join(
        ["TOPICS_DATA=../shared/data python", f"benchmarks/{Path(sys.argv[0]).name}", *map(shlex.quote, args)]
    )
    new = f"## {title} ({dt.date.today()})\n\n`{command}`\n\n{table.strip()}\n"
    write([*sections(RESULTS.read_text(encoding="utf-8")), new] if RESULTS.exists() else [new])


def write(all_sections: list[str]) -> None:
    """Write RESULTS.md keeping, for each command, its last section (at its first place)."""
    last = {command_of(s): s for s in all_sections}
    order = dict.fromkeys(command_of(s) for s in all_sections)
    RESULTS.write_text(HEADER + "\n" + "\n".join(last[c].rstrip() + "\n" for c in order), encoding="utf-8")

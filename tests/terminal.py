"""Run `topics` on a pseudo-terminal, as a person at a terminal would (shared by the progress
and interrupt tests)."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time

from conftest import ROOT


def spawn(args: list[str], cwd=ROOT, stdin_terminal: bool = True) -> tuple[subprocess.Popen, int]:
    """Start ``topics ARGS`` with a pseudo-terminal as its output and error (and input, unless
    ``stdin_terminal`` is false); returns the process and the terminal's reading end."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm", "COLUMNS": "120"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "topics", *args],
        stdin=slave if stdin_terminal else subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        cwd=cwd,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    return proc, master


def read(master: int, until: str | None = None, timeout: float = 120, proc: subprocess.Popen | None = None) -> str:
    """What the terminal shows until ``until`` appears, the process closes the terminal (or,
    given ``proc``, ends), or ``timeout`` seconds pass."""
    out, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if not ready:
            if proc is not None and proc.poll() is not None:
                break
            continue
        try:
            data = os.read(master, 65536)
        except OSError:  # the process closed the terminal
            break
        if not data:
            break
        out += data
        if until is not None and until.encode() in out:
            break
    return out.decode("utf-8", "replace")


def final_lines(screen: str) -> list[str]:
    """The lines left on the terminal: each line's last redraw, without control codes."""
    return [re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", line.split("\r")[-1]) for line in re.split(r"\r?\n", screen)]

"""Worker processes that never outlive the process that started them."""

from __future__ import annotations

import os
import select
import threading
import time
from collections.abc import Callable

__all__ = ["exit_with_parent"]

_watching = False


def exit_with_parent(parent: int | None = None, interval: float = 1.0) -> None:
    """In a worker process: exit as soon as the parent is gone.

    A parent killed with SIGKILL cannot stop its workers, which then wait for work forever
    (orphans holding memory, and in a service, the port's model). A daemon thread notices
    that the process was handed to another parent, or that ``parent`` ended, and ends it.
    Call it as the worker starts (a pool's ``initializer``), not with its first task: a
    worker that is still waiting for one when the parent dies would otherwise never watch.
    Idempotent.

    Parameters
    ----------
    parent : int, optional
        The process to outlive: ``os.getpid()`` of the process that starts the pool, passed
        in the initializer's arguments. A worker whose parent died while it was starting
        (before this call) then exits at once. A worker forked by a fork server
        (multiprocessing's ``"forkserver"``) has the server as its parent, which outlives a
        killed ``parent``: it watches ``parent`` itself. Defaults to the worker's parent now.
    interval : float
        Seconds between checks.
    """
    global _watching
    if _watching:
        return
    ppid = os.getppid()
    if parent is None:
        parent = ppid
    ended = _ended(parent) if parent != ppid else None  # a fork server's worker, or an orphan already
    if ended is not None and ended():
        os._exit(0)
    _watching = True

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != ppid or (ended is not None and ended()):
                os._exit(0)

    threading.Thread(target=watch, name="topics-exit-with-parent", daemon=True).start()


def _ended(pid: int) -> Callable[[], bool]:
    """A check of whether process ``pid`` has ended, for a process that is not its child."""
    try:
        fd = os.pidfd_open(pid)  # Linux: ended means exited, even before it is reaped; never a reused pid
    except ProcessLookupError:
        return lambda: True
    except (AttributeError, OSError):  # elsewhere: whether the pid still exists

        def gone() -> bool:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            except PermissionError:  # someone else's process: it exists
                pass
            return False

        return gone
    return lambda: bool(select.select([fd], [], [], 0)[0])

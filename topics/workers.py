"""Worker processes that never outlive the process that started them."""

from __future__ import annotations

import os
import threading
import time

__all__ = ["exit_with_parent"]

_watching = False


def exit_with_parent(parent: int | None = None, interval: float = 1.0) -> None:
    """In a worker process: exit as soon as the parent is gone.

    A parent killed with SIGKILL cannot stop its workers, which then wait for work forever
    (orphans holding memory, and in a service, the port's model). A daemon thread notices
    that the process was handed to another parent and ends it. Call it as the worker
    starts (a pool's ``initializer``), not with its first task: a worker that is still
    waiting for one when the parent dies would otherwise never watch. Idempotent.

    Parameters
    ----------
    parent : int, optional
        The process to outlive: ``os.getpid()`` of the process that starts the pool, passed
        in the initializer's arguments. A worker whose parent died while it was starting
        (before this call) then exits at once. Defaults to the worker's parent now.
    interval : float
        Seconds between checks.
    """
    global _watching
    if _watching:
        return
    if parent is None:
        parent = os.getppid()
    elif os.getppid() != parent:
        os._exit(0)
    _watching = True

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="topics-exit-with-parent", daemon=True).start()

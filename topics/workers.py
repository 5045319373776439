"""Worker processes that never outlive the process that started them."""

from __future__ import annotations

import os
import threading
import time

__all__ = ["exit_with_parent"]

_watching = False


def exit_with_parent(interval: float = 1.0) -> None:
    """In a worker process: exit as soon as the parent is gone.

    A parent killed with SIGKILL cannot stop its workers, which then wait for work forever
    (orphans holding memory, and in a service, the port's model). A daemon thread notices
    that the process was handed to another parent and ends it. Idempotent.
    """
    global _watching
    if _watching:
        return
    _watching = True
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="topics-exit-with-parent", daemon=True).start()

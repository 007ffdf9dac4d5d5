"""Worker processes that die with the process that started them (issue 17, F5).

A `kill -9` of `briefing serve` runs no cleanup, so its build workers were reparented
and lived on (150-280 MB each), and with them the multiprocessing resource tracker,
which exits only when every process holding its pipe has gone. Each worker therefore
watches its parent: once `os.getppid()` changes (the parent died and the worker was
reparented), it exits at once.

Linux's PR_SET_PDEATHSIG is not used: it fires when the parent *thread* that spawned the
worker exits, and the pool spawns workers from whichever request thread submits a build.
"""

from __future__ import annotations

import os
import threading
import time

# How often a worker looks for its parent: the longest an orphan outlives the server.
# Shorter costs a wake-up more often (negligible); longer leaves orphans longer.
WATCH_SECONDS = 0.5


def die_with_parent() -> None:
    """Call first thing in a child process (e.g. as a pool initializer)."""
    parent = os.getppid()
    if parent == 1:  # already orphaned before we looked
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="lifeline", daemon=True).start()


def _watch(parent: int) -> None:
    while True:
        time.sleep(WATCH_SECONDS)
        if os.getppid() != parent:
            os._exit(1)  # no cleanup: the parent that would want it is gone

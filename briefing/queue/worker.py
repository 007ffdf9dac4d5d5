"""`briefing worker`: a Dramatiq worker for this deployment's queue, in this process."""

from __future__ import annotations

import logging
import signal
import threading

from dramatiq import Worker

from briefing.config import Settings
from briefing.queue.broker import actors
from briefing.store import Database

log = logging.getLogger(__name__)


def run_worker(settings: Settings, *, concurrency: int = 1, ready: threading.Event | None = None) -> None:
    """Run tasks on `concurrency` threads until SIGTERM or SIGINT; tasks in flight finish first.

    The database is migrated first, so a fresh deployment needs no separate step.
    """
    Database(settings.resolved_database_url).migrate()
    made = actors(settings)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    worker = Worker(made.broker, worker_threads=concurrency, worker_timeout=200)
    worker.start()
    log.info("worker started: %d thread(s) on %s", concurrency, settings.queue_namespace)
    print(f"worker ready: {concurrency} thread(s)", flush=True)
    if ready is not None:
        ready.set()
    stop.wait()
    worker.stop(timeout=30_000)
    made.broker.close()

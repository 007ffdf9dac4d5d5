"""Offline builds on worker processes, so requests use every core instead of sharing one GIL.

A briefing build is pure CPU (~25 ms for ten articles). Built in the request threads, eight
at once take turns on the GIL and each costs more than alone; on a pool of processes
they run side by side, and requests beyond the pool's size wait in its queue in order.
With `processes=0` builds run in the request's thread, one at a time (no GIL fight).

Each build stops itself at its budget (Settings.build_seconds); a worker still busy
`kill_after` seconds after its build started is killed and the pool replaced, so a stuck
build never holds a worker. Workers die with the server (see `api.lifeline`): a `kill -9`
of `briefing serve` leaves no build process behind.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import TypeVar

from api.lifeline import die_with_parent
from api.schemas import ArticleIn, ingest
from briefing.config import Settings
from briefing.engines.base import BuildOptions
from briefing.errors import BuildBudgetExceeded
from briefing.models import Article, Briefing, IngestResult
from briefing.pipeline import build_briefing

log = logging.getLogger(__name__)
T = TypeVar("T")
_QUEUED_POLL_SECONDS = 0.05  # how often a waiting request looks whether its build has started

_WARM_UP = Article(
    id="warm-up",
    title="Warm-up",
    text="The council approved the budget on Monday, officials said. "
    "The vote was 7 to 2, according to a spokesperson.",
)


def _warm(settings: Settings) -> None:
    """Import the pipeline and fill its caches (lexicons, patterns) before real work arrives."""
    build_briefing([_WARM_UP], settings=settings)


class BuildPool:
    """`build()` runs `build_briefing` on a worker process (or in-thread with processes=0)."""

    def __init__(self, processes: int, settings: Settings, kill_after: float | None = None) -> None:
        self.processes = processes
        self.settings = settings
        self.kill_after = kill_after
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()  # in-thread builds, one at a time; pool (re)starts

    def start(self) -> None:
        """Start the workers and wait until each has imported and warmed the pipeline."""
        if self.processes <= 0:
            return
        with self._lock:
            self._executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        # spawn, not fork: the server process has threads (job workers, the event loop's pool)
        executor = ProcessPoolExecutor(
            self.processes, mp_context=multiprocessing.get_context("spawn"), initializer=die_with_parent
        )
        warm_ups = [executor.submit(_warm, self.settings) for _ in range(self.processes)]
        for future in warm_ups:
            future.result()  # a worker that cannot even build the warm-up is a startup error
        return executor

    def stop(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None

    def build(self, articles: Sequence[Article], options: BuildOptions) -> Briefing:
        """Build a briefing as `options` say; a pool broken by a dead worker is restarted and
        the build retried once."""
        plain = BuildOptions.model_construct(**dict(options))  # the API's subclass travels as the plain model
        return self._run(partial(build_briefing, list(articles), plain, settings=self.settings))

    def ingest(self, articles: Sequence[ArticleIn]) -> IngestResult:
        """Read request articles on a worker too: extracting text from HTML is CPU work
        (~0.7 s per 200 kB page), and in a request thread it would hold the server's GIL."""
        return self._run(partial(ingest, list(articles)))

    def _run(self, job: Callable[[], T]) -> T:
        """Run a job on the pool (in this thread without one); a pool broken by a dead
        worker is restarted and the job retried once."""
        executor = self._executor
        if executor is None:
            with self._lock:
                return job()
        try:
            return self._result(executor, executor.submit(job))
        except BrokenProcessPool:
            log.warning("a build worker died; restarting the pool")
            fresh = self._restarted(executor)
            return self._result(fresh, fresh.submit(job))

    def _result(self, executor: ProcessPoolExecutor, future: Future[T]) -> T:
        """The build's result; past `kill_after` seconds of running, the workers are killed
        (the pool is replaced; other builds on it are retried) and the build refused."""
        if self.kill_after is None:
            return future.result()
        # time in the queue behind other builds is not this build's; the executor marks a
        # build running once it is handed to the workers' queue, at most one build early
        while not future.running() and not future.done():
            try:
                return future.result(timeout=_QUEUED_POLL_SECONDS)
            except TimeoutError:
                continue
        try:
            return future.result(timeout=self.kill_after)
        except TimeoutError:
            log.warning("a build ran past %.0f s; killing its pool's workers", self.kill_after)
            for process in list((executor._processes or {}).values()):
                process.kill()
            self._restarted(executor)
            raise BuildBudgetExceeded(
                f"the build was still running after {self.kill_after:g} seconds and was "
                "stopped; send fewer or shorter articles",
                seconds=self.kill_after,
            ) from None

    def _restarted(self, broken: ProcessPoolExecutor) -> ProcessPoolExecutor:
        """A fresh pool in place of a broken one (once, however many requests saw it break)."""
        with self._lock:
            if self._executor is broken:
                broken.shutdown(wait=False, cancel_futures=True)
                self._executor = self._new_executor()
            assert self._executor is not None
            return self._executor

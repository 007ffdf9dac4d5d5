"""Briefing jobs: submit (offline builds at once, llm/auto queue) and the background worker."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from api.builds import BuildPool
from api.errors import ApiError
from api.metrics import Metrics
from api.schemas import BriefingRequest
from briefing import store
from briefing.config import Settings
from briefing.engines import ENGINES, BuildOptions, get_engine
from briefing.errors import BriefingError
from briefing.pipeline import build_briefing
from briefing.store import BriefingJob, Database
from briefing.store.tables import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submitted:
    job: BriefingJob
    created: bool  # False: an Idempotency-Key replay of an earlier request


def submit(
    session: Session,
    body: BriefingRequest,
    *,
    key_id: str,
    idempotency_key: str | None,
    builds: BuildPool,
    metrics: Metrics,
) -> Submitted:
    """Create the job for a request: built now (offline) or queued; replays return the first."""
    digest = store.request_hash(body.model_dump(mode="json"))
    if idempotency_key is not None:
        earlier = store.find_idempotent(session, key_id, idempotency_key)
        if earlier is not None:
            if earlier.request_hash != digest:
                raise ApiError(
                    409,
                    "Idempotency-Key was already used with a different request body; "
                    "use a new key for a new request",
                    code="idempotency_mismatch",
                )
            return Submitted(earlier, created=False)
    ingested = builds.ingest(body.articles)
    engine, max_points = body.options.engine, body.options.max_points
    briefing = None
    if ENGINES[engine].synchronous:
        try:
            briefing = builds.build(ingested.articles, body.options)
        except BriefingError:
            metrics.briefing_built(engine, None)
            raise
        metrics.briefing_built(engine, briefing)
    job = store.add_job(
        session,
        articles=ingested.articles,
        problems=ingested.problems,
        engine=engine,
        max_points=max_points,
        request_hash=digest,
        key_id=key_id,
        idempotency_key=idempotency_key,
        briefing=briefing,
    )
    return Submitted(job, created=True)


class JobRunner:
    """Worker threads that build queued jobs; the job row, not memory, is the queue.

    A keeper thread renews the leases of the jobs being built here and re-queues jobs
    whose lease ran out anywhere (a process that died mid-build), so nothing is lost,
    with one API process or several on one database.
    """

    def __init__(
        self,
        db: Database,
        settings: Settings,
        metrics: Metrics,
        *,
        workers: int = 1,
        max_attempts: int = 3,
        poll_seconds: float = 2.0,
        lease_seconds: float = 30.0,
        dispatch: Callable[[str, BuildOptions], object] | None = None,
    ) -> None:
        self.db = db
        self.dispatch = dispatch  # with a broker: send the job to `briefing worker` instead
        self.settings = settings
        self.metrics = metrics
        self.workers = workers
        self.max_attempts = max_attempts
        self.poll_seconds = poll_seconds
        self.lease = timedelta(seconds=lease_seconds)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._held: set[str] = set()
        self._held_lock = threading.Lock()

    def recover(self) -> store.Recovery:
        """Re-queue (or fail, out of attempts) jobs whose builder died; wake workers if any."""
        with self.db.transaction() as session:
            recovery = store.recover_jobs(session, max_attempts=self.max_attempts)
        if recovery.requeued or recovery.failed:
            log.warning(
                "recovered jobs: requeued %s, failed %s", recovery.requeued, recovery.failed
            )
            self._wake.set()
        for _ in recovery.failed:
            self.metrics.briefings.labels("unknown", "failed").inc()
        return recovery

    def start(self) -> None:
        """Recover what a previous process left, then start the workers and the keeper."""
        self._stop.clear()
        self.recover()
        targets = [self._work] * self.workers + ([self._keep] if self.workers else [])
        for n, target in enumerate(targets):
            thread = threading.Thread(target=target, name=f"briefing-jobs-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def wake(self) -> None:
        """Tell idle workers a job was queued (they also poll)."""
        self._wake.set()

    def queued(self, job_id: str, options: BuildOptions) -> None:
        """A job was queued (and committed): enqueue its task with its build options, or
        wake the local workers (they read the options from the job row)."""
        if self.dispatch is not None:
            self.dispatch(job_id, options)
        else:
            self.wake()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop taking jobs; builds still running are released to be re-queued at next start."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
        with self._held_lock:
            held = list(self._held)
        if held:
            with self.db.transaction() as session:
                store.renew_leases(session, held, until=utcnow())

    def run_once(self) -> str | None:
        """Claim and build one queued job; its id, or None when the queue is empty."""
        with self.db.transaction() as session:
            job = store.claim_next(session, lease=self.lease)
            if job is None:
                return None
            job_id, engine, max_points = job.id, job.engine, job.max_points
            articles = store.job_articles(job)
        with self._held_lock:
            self._held.add(job_id)
        try:
            # the row's options were validated when the job was submitted; an engine name
            # no longer known is a ConfigError, failing the job with that reason
            options = BuildOptions(engine=get_engine(engine).name, max_points=max_points)
            briefing = build_briefing(articles, options, settings=self.settings)
        except BriefingError as exc:
            self._fail(job_id, engine, f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # a bug must fail the job, not kill the worker
            log.exception("job %s crashed", job_id)
            self._fail(job_id, engine, f"internal error: {type(exc).__name__}: {exc}")
        else:
            with self.db.transaction() as session:
                store.finish_job(session, job_id, briefing)
            self.metrics.briefing_built(engine, briefing)
        finally:
            with self._held_lock:
                self._held.discard(job_id)
        return job_id

    def _fail(self, job_id: str, engine: str, reason: str) -> None:
        with self.db.transaction() as session:
            store.fail_job(session, job_id, reason)
        self.metrics.briefing_built(engine, None)

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                ran = self.run_once()
            except Exception:  # database down: wait and try again
                log.exception("job worker could not reach the database")
                ran = None
            if ran is None:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()

    def _keep(self) -> None:
        interval = self.lease.total_seconds() / 3
        while not self._stop.wait(interval):
            try:
                with self._held_lock:
                    held = list(self._held)
                with self.db.transaction() as session:
                    store.renew_leases(session, held, until=utcnow() + self.lease)
                self.recover()
            except Exception:
                log.exception("job keeper could not reach the database")

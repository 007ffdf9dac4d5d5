"""Briefing jobs: the row is the source of truth from request to result.

    queued ──claim──▶ running ──▶ done (result) | failed (error)
       ▲                 │
       └── recover_jobs ─┘  lease expired: its process died mid-build
                            (failed instead once max_attempts builds were tried)

A running job carries a lease that its worker renews while building; any process may
re-queue a job whose lease has run out, so several API processes can share one database.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from briefing.models import Article, Briefing
from briefing.store.tables import BriefingJob, utcnow


def request_hash(payload: Any) -> str:
    """sha256 of canonical JSON: equal request bodies hash equal, whatever the key order."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def new_job_id() -> str:
    """An unguessable id (128 bits): it is also the capability URL of the HTML page."""
    return secrets.token_hex(16)


def add_job(
    session: Session,
    *,
    articles: Sequence[Article],
    engine: str,
    max_points: int | None,
    request_hash: str,
    problems: Sequence[Any] = (),
    key_id: str | None = None,
    idempotency_key: str | None = None,
    briefing: Briefing | None = None,
    now: datetime | None = None,
) -> BriefingJob:
    """Insert a job: done at once when `briefing` is given, else queued for the worker."""
    now = now or utcnow()
    row = BriefingJob(
        id=new_job_id(),
        status="done" if briefing is not None else "queued",
        engine=engine,
        max_points=max_points,
        request={
            "articles": [a.model_dump(mode="json") for a in articles],
            "problems": [p.model_dump(mode="json") for p in problems],
        },
        request_hash=request_hash,
        key_id=key_id,
        idempotency_key=idempotency_key,
        result=briefing.model_dump(mode="json") if briefing is not None else None,
        attempts=1 if briefing is not None else 0,
        created_at=now,
        started_at=now if briefing is not None else None,
        finished_at=now if briefing is not None else None,
    )
    session.add(row)
    session.flush()
    return row


def get_job(session: Session, job_id: str) -> BriefingJob | None:
    return session.get(BriefingJob, job_id)


def find_idempotent(
    session: Session, key_id: str | None, idempotency_key: str
) -> BriefingJob | None:
    """The job an earlier request with this key and Idempotency-Key created, if any."""
    return session.scalar(
        select(BriefingJob).where(
            BriefingJob.key_id == key_id, BriefingJob.idempotency_key == idempotency_key
        )
    )


def job_articles(job: BriefingJob) -> list[Article]:
    return [Article.model_validate(a) for a in job.request["articles"]]


def job_briefing(job: BriefingJob) -> Briefing | None:
    return Briefing.model_validate(job.result) if job.result is not None else None


def claim_next(
    session: Session, *, lease: timedelta, now: datetime | None = None
) -> BriefingJob | None:
    """Atomically move the oldest queued job to running, leased until now + `lease`."""
    now = now or utcnow()
    for _ in range(5):  # another worker may win the race for the same row
        job_id = session.scalar(
            select(BriefingJob.id)
            .where(BriefingJob.status == "queued")
            .order_by(BriefingJob.created_at, BriefingJob.id)
            .limit(1)
        )
        if job_id is None:
            return None
        claimed = session.execute(
            update(BriefingJob)
            .where(BriefingJob.id == job_id, BriefingJob.status == "queued")
            .values(
                status="running",
                attempts=BriefingJob.attempts + 1,
                started_at=now,
                lease_until=now + lease,
            )
        )
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            return session.get(BriefingJob, job_id, populate_existing=True)
    return None


def claim_job(
    session: Session, job_id: str, *, lease: timedelta, now: datetime | None = None
) -> BriefingJob | None:
    """Move this queued job to running, leased until now + `lease`; None if not queued."""
    now = now or utcnow()
    claimed = session.execute(
        update(BriefingJob)
        .where(BriefingJob.id == job_id, BriefingJob.status == "queued")
        .values(status="running", attempts=BriefingJob.attempts + 1, started_at=now, lease_until=now + lease)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(BriefingJob, job_id, populate_existing=True)


def renew_leases(session: Session, job_ids: Sequence[str], until: datetime) -> None:
    """Extend the leases of jobs this process is still building."""
    if job_ids:
        session.execute(
            update(BriefingJob)
            .where(BriefingJob.id.in_(list(job_ids)), BriefingJob.status == "running")
            .values(lease_until=until)
        )


def finish_job(session: Session, job_id: str, briefing: Briefing) -> None:
    """Record the result of a running job."""
    session.execute(
        update(BriefingJob)
        .where(BriefingJob.id == job_id)
        .values(
            status="done",
            result=briefing.model_dump(mode="json"),
            error=None,
            finished_at=utcnow(),
            lease_until=None,
        )
    )


def fail_job(session: Session, job_id: str, reason: str) -> None:
    """Record why a job could not produce a briefing."""
    session.execute(
        update(BriefingJob)
        .where(BriefingJob.id == job_id)
        .values(status="failed", error=reason, finished_at=utcnow(), lease_until=None)
    )


@dataclass
class Recovery:
    """What `recover_jobs` did with jobs a stopped process left behind."""

    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def recover_jobs(session: Session, *, max_attempts: int, now: datetime | None = None) -> Recovery:
    """Re-queue running jobs whose lease ran out (their process died); fail those out of tries."""
    now = now or utcnow()
    out = Recovery()
    stale = session.scalars(
        select(BriefingJob)
        .where(BriefingJob.status == "running")
        .where(or_(BriefingJob.lease_until.is_(None), BriefingJob.lease_until < now))
        .with_for_update(skip_locked=True)
    )
    for job in stale:
        job.lease_until = None
        if job.attempts >= max_attempts:
            job.status = "failed"
            job.error = (
                f"abandoned after {job.attempts} attempts: the server stopped while building it"
            )
            job.finished_at = now
            out.failed.append(job.id)
        else:
            job.status = "queued"
            out.requeued.append(job.id)
    session.flush()
    return out

"""The Dramatiq broker and actors for one deployment, built from Settings.

Actors are declared on a broker object made here rather than at import time, so the
in-process mode never needs Redis and tests can point workers at their own server.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import dramatiq
from dramatiq import Actor
from dramatiq.brokers.redis import RedisBroker

from briefing.config import Settings
from briefing.errors import ConfigError

QUEUE = "briefing"
STORIES_QUEUE = "briefing_stories"  # its own queue, fetched at once, run first: sends wait on it


@dataclass(frozen=True)
class Actors:
    """The broker and the actors declared on it (`.send(...)` enqueues)."""

    broker: RedisBroker
    build_job: Actor[Any, Any]
    send_digest: Actor[Any, Any]
    brief_story: Actor[Any, Any]
    ingest_articles: Actor[Any, Any]
    poll_feed: Actor[Any, Any]


_lock = threading.Lock()
_made: dict[tuple[str, str], Actors] = {}


def make_broker(settings: Settings) -> RedisBroker:
    """A Redis broker whose unacknowledged messages go back to the queue when their worker
    stops sending heartbeats for `queue_heartbeat_seconds` (a SIGKILLed worker)."""
    if not settings.broker_url:
        raise ConfigError("BRIEFING_BROKER_URL is not set: there is no queue to use")
    return RedisBroker(
        url=settings.broker_url,
        namespace=settings.queue_namespace,
        heartbeat_timeout=int(settings.queue_heartbeat_seconds * 1000),
        maintenance_chance=settings.queue_maintenance_per_million,
    )


def actors(settings: Settings) -> Actors:
    """The actors for this deployment's broker, made once per process."""
    from briefing.queue import tasks  # the task bodies; imported here so they need no broker

    key = (settings.broker_url or "", settings.queue_namespace)
    with _lock:
        if key in _made:
            return _made[key]
        broker = make_broker(settings)
        retry: dict[str, Any] = {
            "max_retries": settings.queue_max_retries,
            "min_backoff": int(settings.queue_min_backoff_seconds * 1000),
            "max_backoff": int(settings.queue_max_backoff_seconds * 1000),
        }

        def declare(fn: Any, queue: str = QUEUE, priority: int = 10) -> Actor[Any, Any]:
            # lower priority runs first among the messages a worker has fetched
            return dramatiq.actor(actor_name=fn.__name__, queue_name=queue, priority=priority, broker=broker,
                                  **retry)(fn)

        made = Actors(
            broker=broker,
            build_job=declare(tasks.build_job),
            send_digest=declare(tasks.send_digest),
            brief_story=declare(tasks.brief_story, STORIES_QUEUE, priority=0),
            ingest_articles=declare(tasks.ingest_articles),
            poll_feed=declare(tasks.poll_feed),
        )
        _made[key] = made
        return made


def outstanding(made: Actors) -> int:
    """Messages not yet finished: queued, delayed for a retry, or being run (unacked).

    Dramatiq keeps every message in its queue's hash until a worker acknowledges it after
    the task returned, so this is zero only when all the work is done. (`broker.join`
    counts only this process's unacked messages, not other workers'.)
    """
    client = made.broker.client
    ns = made.broker.namespace
    return sum(int(client.hlen(f"{ns}:{queue}{dq}.msgs")) for queue in (QUEUE, STORIES_QUEUE) for dq in ("", ".DQ"))

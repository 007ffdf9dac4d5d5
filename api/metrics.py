"""Prometheus metrics, one registry per app: requests, latency, briefings, LLM tokens, feeds.

Feeds are polled by other processes (the CLI, the scheduler), so their counts are read
from the store at scrape time rather than counted in this one.
"""

from __future__ import annotations

import time

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from briefing.models import Briefing
from briefing.store import Database

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0)


class Metrics:
    """The service's counters; `render()` is the /metrics page."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "briefing_http_requests",
            "HTTP requests by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "briefing_http_request_duration_seconds",
            "HTTP request latency by route template and method.",
            ["route", "method"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.briefings = Counter(
            "briefing_briefings",
            "Briefing builds by engine (the one that ran) and outcome.",
            ["engine", "status"],
            registry=self.registry,
        )
        self.llm_tokens = Counter(
            "briefing_llm_tokens",
            "LLM tokens used, from Briefing.stats.usage, by pipeline step and kind.",
            ["step", "kind"],
            registry=self.registry,
        )

    def briefing_built(self, engine: str, briefing: Briefing | None) -> None:
        """Count one build: done with its briefing, or failed (briefing None)."""
        if briefing is None:
            self.briefings.labels(engine, "failed").inc()
            return
        self.briefings.labels(briefing.stats.engine or engine, "done").inc()
        for step, usage in briefing.stats.usage.items():
            for kind, tokens in usage.items():
                if tokens > 0:
                    self.llm_tokens.labels(step, kind).inc(tokens)

    def watch_feeds(self, db: Database) -> None:
        """Add the feed gauges, read from `db` on each scrape."""
        self.registry.register(FeedCollector(db))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """ASGI middleware counting every HTTP request under its route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"]
            self.metrics.requests.labels(route, method, str(status)).inc()
            self.metrics.latency.labels(route, method).observe(time.perf_counter() - start)


class FeedCollector(Collector):
    """Feeds by state, items by status, and what polling has stored, from the store."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Metric]:
        from sqlalchemy import func, select

        from briefing.feeds.store import Feed, FeedItem, health

        feeds = GaugeMetricFamily("briefing_feeds", "Feeds by state (new, ok, failing, disabled).", labels=["state"])
        items = GaugeMetricFamily("briefing_feed_items", "Feed items by status (stored, pending, failed).", labels=["status"])
        stored = GaugeMetricFamily("briefing_feed_articles_stored", "Articles stored from feeds, all feeds together.")
        seen = GaugeMetricFamily("briefing_feed_items_seen", "Distinct feed entries seen, all feeds together.")
        try:
            with self.db.transaction() as session:
                states = {"new": 0, "ok": 0, "failing": 0, "disabled": 0}
                totals = [0, 0]
                for row in session.scalars(select(Feed)):
                    states[health(row)] += 1
                    totals[0] += row.articles_stored
                    totals[1] += row.items_seen
                by_status = dict(session.execute(select(FeedItem.status, func.count()).group_by(FeedItem.status)).all())
        except Exception:  # noqa: BLE001  (a scrape must not fail because the store is busy or not migrated)
            return
        for state, n in states.items():
            feeds.add_metric([state], n)
        for status in ("stored", "pending", "failed"):
            items.add_metric([status], by_status.get(status, 0))
        stored.add_metric([], totals[0])
        seen.add_metric([], totals[1])
        yield from (feeds, items, stored, seen)

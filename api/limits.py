"""Request limits: body size (413, before parsing), a token bucket per key (429), and one
per client address for failed authentication (429 once a client has guessed too often)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ApiError, problem
from api.schemas import ArticleIn, FieldError
from briefing.config import ApiSettings


def too_large(limit: int) -> str:
    return f"request body is larger than the {limit}-byte limit"


class BodySizeLimit:
    """ASGI middleware: refuse bodies over `limit` from Content-Length, and while reading."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await problem(413, too_large(self.limit))(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                # FastAPI re-raises HTTPExceptions met while reading the body.
                raise ApiError(413, too_large(self.limit))
            return message

        await self.app(scope, counted, send)


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token bucket per key, in memory: `burst` at once, refilled at `per_minute`.

    At most `max_keys` buckets are kept: past that, buckets that have refilled (a full
    bucket is the same as none) are dropped, so many distinct keys or addresses cannot
    grow memory without bound.
    """

    def __init__(
        self,
        per_minute: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        *,
        max_keys: int = 10_000,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def _bucket(self, key: str, now: float) -> _Bucket:
        """`key`'s bucket, refilled up to now (lock held)."""
        if key not in self._buckets and len(self._buckets) >= self.max_keys:
            self._prune(now)
        bucket = self._buckets.setdefault(key, _Bucket(float(self.burst), now))
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        return bucket

    def _prune(self, now: float) -> None:
        full = [
            k for k, b in self._buckets.items()
            if b.tokens + (now - b.updated) * self.rate >= self.burst
        ]
        for k in full:
            del self._buckets[k]

    def _wait(self, bucket: _Bucket) -> int:
        return max(1, math.ceil((1 - bucket.tokens) / self.rate))

    def acquire(self, key: str) -> int:
        """Take a token for `key`: 0 when allowed, else whole seconds until one is free."""
        now = self.clock()
        with self._lock:
            bucket = self._bucket(key, now)
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0
            return self._wait(bucket)

    def blocked(self, key: str) -> int:
        """Whole seconds until `key` has a token again; 0 when it has one (none is taken)."""
        now = self.clock()
        with self._lock:
            if key not in self._buckets:
                return 0
            bucket = self._bucket(key, now)
            return 0 if bucket.tokens >= 1 else self._wait(bucket)


def check_articles(articles: Sequence[ArticleIn], limits: ApiSettings) -> None:
    """422 naming each article over the count or length caps (configurable: not in the schema)."""
    if len(articles) > limits.max_articles:
        raise ApiError(
            422,
            f"{len(articles)} articles sent; the limit is {limits.max_articles} per request",
            errors=[
                FieldError(
                    loc=["body", "articles"],
                    msg=f"at most {limits.max_articles} items",
                    type="too_long",
                )
            ],
        )
    errors = [
        FieldError(
            loc=["body", "articles", n, field],
            msg=f"{len(value)} characters; the limit is {limits.max_article_chars}",
            type="too_long",
        )
        for n, article in enumerate(articles)
        for field, value in (("text", article.text), ("html", article.html))
        if value is not None and len(value) > limits.max_article_chars
    ]
    if errors:
        where = ", ".join(".".join(map(str, e.loc[1:])) for e in errors[:5])
        raise ApiError(422, f"article too long: {where}", errors=errors)

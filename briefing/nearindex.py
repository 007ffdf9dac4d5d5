"""A near-duplicate index over stored articles, shared by every ingesting process.

datasketch's `MinHashLSH` keeps its buckets in Redis when `BRIEFING_DEDUP_REDIS_URL` (or the
broker URL) is set, so an article ingested by one worker is matched against those stored by
any other; without Redis it lives in this process's memory (one machine, one process).

    index = NearIndex.from_settings(settings)
    twin = index.add(row.id, row.text)   # the stored article this one nearly repeats, or None

Exact repeats never get here: the database's unique content hash catches them first.
"""

from __future__ import annotations

import re
import threading
from contextlib import AbstractContextManager, nullcontext
from urllib.parse import urlsplit

from datasketch import MinHash, MinHashLSH

try:  # only needed for the shared index (the `queue` extra)
    import redis
except ModuleNotFoundError:  # pragma: no cover
    redis = None  # type: ignore[assignment]

from briefing.config import Settings

_WORD = re.compile(r"\w+")
SHINGLE = 3  # words per shingle, as in briefing.dedup


def _shingles(text: str) -> set[bytes]:
    words = _WORD.findall(text.casefold())
    if len(words) < SHINGLE:
        return {" ".join(words).encode()}
    return {" ".join(words[i : i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}


def signature(text: str, num_perm: int) -> MinHash:
    """The MinHash of the text's word 3-gram shingles (seeded: the same in every process)."""
    sketch = MinHash(num_perm=num_perm, seed=1)
    sketch.update_batch(list(_shingles(text)))
    return sketch


def _redis_params(url: str) -> dict[str, object]:
    parts = urlsplit(url)
    db = (parts.path or "/0").lstrip("/") or "0"
    params: dict[str, object] = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 6379, "db": int(db)}
    if parts.password:
        params["password"] = parts.password
    return params


class NearIndex:
    """MinHash LSH over stored article ids, in Redis (shared) or in memory."""

    def __init__(self, *, threshold: float, num_perm: int, redis_url: str | None = None, basename: str = "briefing") -> None:
        self.num_perm = num_perm
        self.shared = redis_url is not None
        storage: dict[str, object] = {"type": "dict"}
        if redis_url is not None:
            storage = {"type": "redis", "basename": f"{basename}:near".encode(), "redis": _redis_params(redis_url)}
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, storage_config=storage)
        self._basename = basename
        self._redis = redis.Redis(**_redis_params(redis_url)) if redis_url is not None else None  # type: ignore[arg-type]
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> NearIndex:
        return cls(
            threshold=settings.dedup_ingest_threshold,
            num_perm=settings.dedup_num_perm,
            redis_url=settings.resolved_dedup_redis_url,
            basename=settings.queue_namespace,
        )

    def add(self, article_id: str, text: str) -> str | None:
        """Index the article; return the indexed article it nearly repeats, if any.

        Lookup and insert happen under one lock (a Redis lock when shared), so of two near
        twins added at the same moment by two workers exactly one is the repeat.
        """
        sketch = signature(text, self.num_perm)
        with self._lock, self._shared_lock():
            found = sorted(str(k) for k in self._lsh.query(sketch) if str(k) != article_id)
            if article_id not in self._lsh:
                self._lsh.insert(article_id, sketch, check_duplication=False)
        return found[0] if found else None

    def _shared_lock(self) -> AbstractContextManager[object]:
        if self._redis is None:
            return nullcontext()
        return self._redis.lock(f"{self._basename}:near:lock", timeout=30, blocking_timeout=60)

    def __contains__(self, article_id: str) -> bool:
        return article_id in self._lsh


__all__ = ["NearIndex", "signature"]

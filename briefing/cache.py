"""A response cache for the model, so re-running a briefing does not pay twice.

Why SQLite: one file under the data dir, safe across processes (WAL), no server. The key is
everything that decides the answer — endpoint, model, messages, response schema and
sampling settings — so a changed prompt or schema never returns a stale reply. Only replies
that passed validation are stored (the LLM client's job), never failures.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    reply TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
)
"""


class CachedReply(BaseModel):
    """A stored raw reply and what it cost when it was first made."""

    reply: str
    prompt_tokens: int = 0
    completion_tokens: int = 0


def cache_key(endpoint: str, model: str, messages: Any, schema: Any, **params: Any) -> str:
    """sha256 over a canonical JSON of everything that decides the answer."""
    blob = json.dumps(
        {"endpoint": endpoint, "model": model, "messages": messages, "schema": schema, "params": params},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResponseCache:
    """Raw model replies by key, in one SQLite file; safe to share between tasks and threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(_SCHEMA)

    @classmethod
    def from_settings(cls, settings: Any) -> ResponseCache:
        """The cache file for these settings: <data_dir>/llm-cache.sqlite."""
        return cls(Path(settings.data_dir) / "llm-cache.sqlite")

    def get(self, key: str) -> CachedReply | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT reply, prompt_tokens, completion_tokens FROM responses WHERE key = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        return CachedReply(reply=row[0], prompt_tokens=row[1], completion_tokens=row[2])

    def put(self, key: str, model: str, reply: str, *, prompt_tokens: int = 0, completion_tokens: int = 0) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?)",
                (key, model, reply, prompt_tokens, completion_tokens, time.time()),
            )

    def delete(self, key: str) -> None:
        """Forget one reply (e.g. one the caller's checks now reject)."""
        with self._lock:
            self._conn.execute("DELETE FROM responses WHERE key = ?", (key,))

    def clear(self) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM responses")

    def __bool__(self) -> bool:  # an empty cache is still a cache (`cache or default` stays safe)
        return True

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

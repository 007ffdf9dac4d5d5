"""Citation validity: does a citation point at real text, exactly?"""

from __future__ import annotations

from collections.abc import Mapping

from briefing.models import Citation, Source


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def check_citation(c: Citation, sources: Mapping[str, Source]) -> list[str]:
    """Problems with one citation; an empty list means it is valid.

    Valid means: the source exists, 0 <= start < end <= len(text), and quote == text[start:end].
    (Citations built with `model_construct` can skip pydantic's own checks, so nothing is assumed.)
    """
    src = sources.get(c.source_id)
    if src is None:
        return [f"citation names unknown source {c.source_id!r}"]
    text = src.text
    where = f"{c.source_id}[{c.start}:{c.end}]"
    if not (isinstance(c.start, int) and isinstance(c.end, int)):
        return [f"citation {where}: offsets must be integers"]
    if c.start < 0 or c.end > len(text) or c.start >= c.end:
        return [f"citation {where}: offsets out of range (source has {len(text)} characters)"]
    if not c.quote or not c.quote.strip():
        return [f"citation {where}: empty quote"]
    actual = text[c.start : c.end]
    if actual != c.quote:
        found = text.find(c.quote)
        hint = f"; the quote is at [{found}:{found + len(c.quote)}]" if found >= 0 else ""
        return [f"citation {where}: quote does not match the source text "
                f"(quote '{_short(c.quote)}', source has '{_short(actual)}'){hint}"]
    return []

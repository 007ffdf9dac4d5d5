"""Does a text read as one complete sentence? The shape test both the llm engine (before a
model's sentence may replace a source sentence) and the eval harness (scoring fragments) use.

The test: it starts with a capital, digit or opening quote; ends with ``.``, ``!`` or ``?``
(a closing quote may follow), not trailing off (``...``, ``…``); and has at least four
words. Plain and documented; it errs towards passing.
"""

from __future__ import annotations

import re

START = re.compile(r"^[\"'“‘(\[]?[A-Z0-9]")
_END = re.compile(r"[.!?][\"'”’)\]]*$")


def fragment_problem(text: str) -> str | None:
    """Why `text` is not a complete sentence, or None."""
    t = " ".join(text.split())
    if not START.match(t):
        return "does not start like a sentence"
    if t.endswith(("...", "…")) or not _END.search(t):
        return "does not end like a sentence"
    if len(t.split()) < 4:
        return "fewer than four words"
    return None

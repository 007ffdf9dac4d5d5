"""Reader-facing text tests the scorer needs: is a title junk, does it name the story, is a
point a complete sentence. Plain, documented heuristics (no parser is installed here); each
errs towards passing, so a failure is worth reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A complete sentence: the shape test lives in the package (the llm engine checks a model's
# sentences with it too). A verb test was tried here and dropped: without a parser,
# irregular verbs such as "struck" or "broke" fail it.
from briefing.sentence_form import fragment_problem
from evals.expect import contains_text, normalize

__all__ = [
    "boilerplate_in",
    "content_words",
    "dateline",
    "fragment_problem",
    "junk_title",
    "names_story",
    "repeated_in",
    "title_problem",
]

# Page furniture that is never a headline: consent banners, sign-up boxes, site chrome.
_JUNK = re.compile(
    r"\bcookies?\b|\bconsent\b|\bsubscribe\b|\bsign (?:up|in)\b|\blog ?in\b|\bnewsletter\b"
    r"|\bprivacy\b|\ball rights reserved\b|\bcopyright\b|©|\badvertisement\b|\bjavascript\b"
    r"|\bnotifications?\b|\baccept all\b|\bshare this\b|\bskip to\b|\bmenu\b"
    r"|(?:[^|·•]*[|·•]){2,}",  # two or more separators: a navigation bar ("News | Sport | …")
    re.IGNORECASE,
)
# A dateline or byline opening a point: "KYIV, Ukraine —", "LONDON (Reuters) -", "By Jane Doe".
_DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+)*(?:,\s*[A-Z][\w.]*(?: [A-Z][\w.]*)*)?\s*(?:\([^)]{1,40}\))?\s*[—–-]\s"
    r"|By [A-Z][a-z]+(?: [A-Z]\.?)? [A-Z][a-z]+\b)"
)
# a point repeats another when this share of its content words (at least three) are the other's
REPEAT_SHARE = 2 / 3
_WORD = re.compile(r"[a-z][a-z'’]*|\d[\d.,]*")
_STOP = frozenset(
    """the and for with from that this into over after before about their there they them
    were was are has have had will would could should been being than then also says said
    what when where which while who whom whose how why not but its it's his her our your
    more most some many much such only just very new news today latest live update""".split()
)


def content_words(text: str) -> set[str]:
    """Words of 4+ letters (or any figure), stop words out, a trailing plural ``s`` off."""
    out = set()
    for w in _WORD.findall(normalize(text)):
        w = w.strip("'’.,")
        if w[:1].isdigit():
            out.add(w)
        elif len(w) >= 4 and w not in _STOP:
            out.add(w[:-1] if w.endswith("s") and not w.endswith("ss") else w)
    return out


def boilerplate_in(title: str, boilerplate: Iterable[str]) -> str | None:
    """The boilerplate string a title contains, or that contains the whole title (a title that
    is one line of page furniture, e.g. a site banner); None when clean."""
    t = normalize(title).strip()
    for bp in boilerplate:
        if contains_text(title, bp) or (len(t) >= 12 and t in normalize(bp)):
            return bp
    return None


def junk_title(title: str, boilerplate: Iterable[str] = ()) -> str | None:
    """Why a shown title is page furniture (empty, a known boilerplate string, or consent /
    sign-up / navigation text), or None when it is not."""
    if not title.strip():
        return "empty"
    bp = boilerplate_in(title, boilerplate)
    if bp is not None:
        return f"boilerplate {bp!r}"
    m = _JUNK.search(title)
    return f"page furniture ({m.group().strip()[:20]!r})" if m else None


def names_story(title: str, story: str, headlines: Iterable[str] = ()) -> bool:
    """The title shares at least two content words with the story sentence or with one real
    headline (all of its content words, when it has fewer than two)."""
    words = content_words(title)
    if not words:
        return False
    need = min(2, len(words))
    return any(len(words & content_words(ref)) >= need for ref in [story, *headlines])


def title_problem(title: str, story: str, headlines: Iterable[str], boilerplate: Iterable[str]) -> str | None:
    """Why the briefing title fails a reader, or None when it is junk-free and names the story."""
    junk = junk_title(title, boilerplate)
    if junk:
        return junk
    return None if names_story(title, story, headlines) else "does not name the story"


def dateline(text: str) -> str | None:
    """The dateline or byline a point opens with, or None."""
    m = _DATELINE.match(text)
    return m.group().strip() if m else None


def repeated_in(text: str, others: Iterable[str]) -> int | None:
    """Index of the first of `others` that already tells this point: it holds REPEAT_SHARE of
    the point's content words (the shorter of the two is the repeat), or None."""
    words = content_words(text)
    if len(words) < 3:
        return None
    for k, other in enumerate(others):
        theirs = content_words(other)
        if len(theirs) >= len(words) and len(words & theirs) >= REPEAT_SHARE * len(words) - 1e-9:
            return k
    return None

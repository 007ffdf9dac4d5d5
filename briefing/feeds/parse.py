"""Feed bytes → entries, with XML that declares entities refused before any parser runs.

Entity declarations are how the XML attacks work: "billion laughs" (entities nesting
entities), quadratic blow-up (one huge entity referenced many times) and external
entities (SYSTEM "file:///etc/passwd" or a URL). No real news feed needs them, so a
document whose DOCTYPE declares any is rejected outright: first by a scan of the prolog
(cheap, and it also covers documents too broken for a parser to reach the DTD), then by
defusedxml's parser (forbid_entities, forbid_external), which catches what a regex might
miss. Only then does feedparser read it. The body is already capped in size by the fetcher.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from briefing.ingest.text import parse_date

_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_ROOT = re.compile(rb"<[A-Za-z_]")
_ENTITY = re.compile(rb"<!\s*ENTITY", re.I)
_PROLOG_SCAN = 1_000_000


class FeedParseError(Exception):
    """The body is not a feed we will read; the message says why."""


@dataclass(frozen=True)
class Entry:
    """What we use of one feed entry, out of feedparser's dict shapes."""

    link: str | None
    guid: str | None
    title: str
    published_at: datetime | None
    content: str = ""  # the longest <content:encoded> / Atom <content>, as given (HTML or text)
    content_type: str = "text/html"
    summary: str = ""
    author: str | None = None


@dataclass
class ParsedFeed:
    title: str | None
    entries: list[Entry] = field(default_factory=list)
    warning: str | None = None  # feedparser's complaint about a feed it still could read


def _ascii_view(data: bytes) -> bytes:
    """The bytes as an ASCII-compatible view, so UTF-16/32 documents are scanned too."""
    head = data[:4]
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                       (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if head.startswith(bom):
            return data[:_PROLOG_SCAN].decode(codec, "ignore").encode("utf-8", "ignore")
    if b"\x00" in head:  # UTF-16/32 without a BOM
        codec = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        return data[:_PROLOG_SCAN].decode(codec, "ignore").encode("utf-8", "ignore")
    return data[:_PROLOG_SCAN]


def check_safe(data: bytes) -> None:
    """FeedParseError if the document declares entities (or references external ones)."""
    view = _COMMENT.sub(b"", _ascii_view(data))
    root = _ROOT.search(view)
    prolog = view[: root.start()] if root else view
    if _ENTITY.search(prolog):
        raise FeedParseError("refused: the XML declares entities (an entity-expansion or external-entity attack?)")
    try:
        defused_fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FeedParseError(f"refused: unsafe XML ({type(exc).__name__})") from None
    except (ParseError, ValueError, LookupError):
        pass  # malformed: feedparser's lenient reader decides (entities were scanned for above)


def _content(entry: dict[str, Any]) -> tuple[str, str]:
    bodies = [c for c in entry.get("content") or [] if c.get("value")]
    if not bodies:
        return "", "text/html"
    best = max(bodies, key=lambda c: len(c.get("value", "")))
    return str(best.get("value", "")), str(best.get("type") or "text/html")


def _entry(entry: dict[str, Any]) -> Entry:
    content, kind = _content(entry)
    dates = (dict.get(entry, k) for k in ("published", "updated", "published_parsed", "updated_parsed"))
    return Entry(
        link=(entry.get("link") or "").strip() or None,
        guid=(entry.get("id") or "").strip() or None,
        title=" ".join((entry.get("title") or "").split()),
        published_at=next((d for d in map(parse_date, dates) if d is not None), None),
        content=content,
        content_type=kind,
        summary=str(entry.get("summary") or ""),
        author=(entry.get("author") or "").strip() or None,
    )


def parse_feed(data: bytes, *, url: str | None = None, content_type: str | None = None) -> ParsedFeed:
    """The entries of an RSS/Atom document; FeedParseError when it is unsafe or unreadable."""
    import feedparser  # imported here: only polling needs it

    if not data.strip():
        raise FeedParseError("the feed is empty")
    check_safe(data)
    headers = {k: v for k, v in (("content-location", url), ("content-type", content_type)) if v}
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=True)
    problem = str(parsed.get("bozo_exception") or "") if parsed.get("bozo") else None
    if not parsed.entries:
        if problem or parsed.get("version", "") == "":
            raise FeedParseError(f"not a readable RSS/Atom feed: {problem or 'no feed elements found'}")
    title = " ".join((parsed.feed.get("title") or "").split()) or None
    return ParsedFeed(title=title, entries=[_entry(e) for e in parsed.entries], warning=problem)

"""What every format shows, worked out once: numbering, wording, trimming.

`build_view(briefing)` turns a Briefing into plain display data. Strings here are
*raw* (unescaped): each format escapes for its own medium. Citations are numbered
once per unique (source_id, start, end) in order of first use, reading top to
bottom: each point's citations, then its flags' conflict values, then the
Disagreements section.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from briefing.models import Briefing, Citation, ConflictValue, Flag, Source, Verdict

from .flags import CONFLICT_NOUNS, flag_label, reason_lists_values, source_name

QUOTE_LIMIT = 300
TIP_LIMIT = 160
CONTEXT_CHARS = 100  # HTML shows this much text around each quote
NEAR_CHARS = 50  # Markdown/text show this much around a very short quote ("12")
SHORT_QUOTE = 24

VERDICT_WORDS = {"partial": "partially supported", "unsupported": "not supported"}

# Bidi overrides/isolates can make text read differently from what it is.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_WS = re.compile(r"\s+")
_NUMERIC = re.compile(r"^[^\w]*[\d.,]+\s*\S{0,12}$")


# ---------------------------------------------------------------- text helpers


def _collapse(s: str) -> str:
    """Drop control and bidi-override characters; collapse whitespace runs to one space."""
    s = _BIDI.sub("", s)
    s = "".join(ch for ch in s if ch.isspace() or unicodedata.category(ch) != "Cc")
    return _WS.sub(" ", s)


def clean_inline(s: str | None) -> str:
    """Untrusted text made safe to show on one line (any format still escapes it)."""
    return _collapse(s or "").strip()


def trim(s: str, limit: int = QUOTE_LIMIT) -> str:
    """Shorten to about `limit` characters at a word boundary, ending with '…'."""
    if len(s) <= limit:
        return s
    cut = s[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def safe_url(url: str | None) -> str | None:
    """The URL if it may become a link (absolute http/https, nothing odd in it), else None."""
    if not url:
        return None
    u = url.strip()
    if any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in u):
        return None
    if any(ch in u for ch in "<>\"'`\\"):
        return None
    try:
        parts = urlsplit(u)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return u


def fmt_seconds(t: float) -> str:
    return f"{t * 1000:.0f} ms" if t < 1 else f"{t:.1f} s"


def fmt_datetime(dt: datetime) -> str:
    if dt.tzinfo is not None:
        return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return dt.strftime("%Y-%m-%d %H:%M")


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def markers(ns: list[int]) -> str:
    """"[1][2]" for plain-text formats."""
    return "".join(f"[{n}]" for n in ns)


# ---------------------------------------------------------------- view types


@dataclass
class ValueView:
    value: str
    source_name: str
    n: int


@dataclass
class FlagView:
    kind: str
    label: str  # "Single source"
    heading: str  # label, or "Conflicting figures" for a conflict with values
    badge: str  # heading, or "Conflicting figures: 12 (Northwire) [3] vs 14 (Ledger) [4]"
    reason: str
    values: list[ValueView] = field(default_factory=list)
    reason_lists_values: bool = False  # then HTML shows the values (with citations) instead


@dataclass
class VerdictView:
    label: str  # "partial" | "unsupported"
    text: str  # "partially supported: reason; reason"


@dataclass
class PointView:
    n: int
    text: str
    refs: list[int]
    flags: list[FlagView]
    verdict: VerdictView | None
    origins: int


@dataclass
class ConflictView:
    n: int
    subject: str
    kind: str
    noun: str  # "figures"
    values: list[ValueView]


@dataclass
class BackLink:
    href: str
    label: str


@dataclass
class Entry:
    """One numbered citation in the Sources section."""

    n: int
    source_id: str
    name: str  # outlet, else title, else id
    outlet: str
    title: str
    url: str  # as given, cleaned for display
    link: str | None  # only http(s): may be a link
    published: str
    quote: str  # whole quote, one line
    quote_short: str  # trimmed to ~QUOTE_LIMIT
    quote_tip: str  # trimmed to ~TIP_LIMIT, for hover
    before: str  # context around the quote (HTML shows it with the quote highlighted)
    after: str
    near_before: str  # less context, for a short quote in Markdown/text
    near_after: str
    used_in: list[BackLink] = field(default_factory=list)

    @property
    def trimmed(self) -> bool:
        return self.quote_short != self.quote

    @property
    def needs_context(self) -> bool:
        """A quote too short to judge alone ("12"): show the words around it too."""
        return len(self.quote) < SHORT_QUOTE and bool(self.near_before or self.near_after)


@dataclass
class View:
    title: str
    scope: str  # "5 articles, 3 independent origins"
    generated: str
    degraded: str
    points: list[PointView]
    conflicts: list[ConflictView]
    entries: list[Entry]
    footer: str
    engine: str
    truncated: list[str] = field(default_factory=list)  # what the build left unread
    lead: str = ""  # the llm engine's checked lead, summing up the first points

    def entry(self, n: int) -> Entry:
        return self.entries[n - 1]


# ---------------------------------------------------------------- building


class _Numbering:
    def __init__(self) -> None:
        self.index: dict[tuple[str, int, int], int] = {}
        self.order: list[Citation] = []

    def number(self, c: Citation) -> int:
        key = (c.source_id, c.start, c.end)
        if key not in self.index:
            self.order.append(c)
            self.index[key] = len(self.order)
        return self.index[key]


def _context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> tuple[str, str]:
    before = text[max(0, start - width) : start]
    if start - width > 0:
        space = before.find(" ")
        before = "…" + (before[space + 1 :] if space >= 0 else before)
    after = text[end : end + width]
    if end + width < len(text):
        space = after.rfind(" ")
        after = (after[:space] if space >= 0 else after) + "…"
    return _collapse(before).lstrip(), _collapse(after).rstrip()


def _conflict_noun(flag: Flag, briefing: Briefing) -> str:
    """'figures' / 'dates' / ...: from the matching Conflict, else guessed from the values."""
    keys = {(v.citation.source_id, v.citation.start, v.citation.end) for v in flag.values}
    for c in briefing.conflicts:
        if keys & {(v.citation.source_id, v.citation.start, v.citation.end) for v in c.values}:
            return CONFLICT_NOUNS.get(c.kind, "accounts")
    if flag.values and all(_NUMERIC.match(v.value.strip()) for v in flag.values):
        return "figures"
    return "accounts"


def _verdict(v: Verdict | None) -> VerdictView | None:
    if v is None or v.label == "supported":
        return None
    words = VERDICT_WORDS.get(v.label, v.label)
    reasons = "; ".join(r for r in (clean_inline(r) for r in v.reasons) if r)
    text = f"{words}: {reasons}" if reasons else f"{words} (checker score {v.score:.2f})"
    return VerdictView(label=v.label, text=text)


def _scope(b: Briefing) -> str:
    articles = b.stats.articles or len(b.sources)
    origins = b.stats.origins or len({s.origin for s in b.sources})
    return f"{plural(articles, 'article')}, {plural(origins, 'independent origin')}"


def _engine(b: Briefing) -> str:
    parts = (clean_inline(b.stats.engine), clean_inline(b.stats.engine_version))
    return " ".join(x for x in parts if x)


def _footer(b: Briefing) -> str:
    s = b.stats
    parts: list[str] = []
    engine = _engine(b)
    if engine:
        parts.append(engine)
    if s.timings:
        stages = {k: v for k, v in s.timings.items() if k != "total"}
        total = s.timings.get("total", sum(stages.values()))
        timing = fmt_seconds(total)
        if len(stages) > 1:
            each = (f"{clean_inline(k)} {fmt_seconds(v)}" for k, v in stages.items())
            timing += " (" + ", ".join(each) + ")"
        parts.append(timing)
    if s.cost_usd is not None:
        parts.append(f"${s.cost_usd:.4f}")
    if b.generated_at is not None:
        parts.append(f"generated {fmt_datetime(b.generated_at)}")
    return " · ".join(parts)


def build_view(b: Briefing) -> View:
    """Everything a format needs, with citations numbered and words chosen."""
    by_id: dict[str, Source] = {s.id: s for s in b.sources}
    numbering = _Numbering()
    used: dict[int, list[BackLink]] = {}

    def name_of(source_id: str) -> str:
        return clean_inline(source_name(by_id.get(source_id), source_id))

    def use(c: Citation, link: BackLink) -> int:
        n = numbering.number(c)
        links = used.setdefault(n, [])
        if all(x.href != link.href for x in links):
            links.append(link)
        return n

    def value_view(v: ConflictValue, link: BackLink) -> ValueView:
        n = use(v.citation, link)
        return ValueView(clean_inline(v.value), name_of(v.citation.source_id), n)

    points: list[PointView] = []
    for i, p in enumerate(b.points, 1):
        link = BackLink(f"#p{i}", f"point {i}")
        refs: list[int] = []
        for c in p.citations:
            n = use(c, link)
            if n not in refs:
                refs.append(n)
        flags: list[FlagView] = []
        for f in p.flags:
            label = flag_label(f)
            values = [value_view(v, link) for v in f.values]
            heading = badge = label
            if f.kind == "conflict" and values:
                heading = f"Conflicting {_conflict_noun(f, b)}"
                badge = f"{heading}: " + " vs ".join(
                    f"{v.value} ({v.source_name}) [{v.n}]" for v in values
                )
            reason = clean_inline(f.reason)
            repeats = reason_lists_values(f)
            flags.append(FlagView(f.kind, label, heading, badge, reason, values, repeats))
        verdict = _verdict(p.support)
        points.append(PointView(i, clean_inline(p.text), refs, flags, verdict, p.origins))

    conflicts: list[ConflictView] = []
    for i, conflict in enumerate(b.conflicts, 1):
        link = BackLink(f"#d{i}", f"disagreement {i}")
        values = [value_view(v, link) for v in conflict.values]
        noun = CONFLICT_NOUNS.get(conflict.kind, "accounts")
        conflicts.append(ConflictView(i, clean_inline(conflict.subject), conflict.kind, noun, values))

    entries: list[Entry] = []
    for n, c in enumerate(numbering.order, 1):
        src = by_id.get(c.source_id)
        quote = clean_inline(c.quote)
        text = src.text if src else ""
        before, after = _context(text, c.start, c.end)
        near_before, near_after = _context(text, c.start, c.end, NEAR_CHARS)
        entries.append(
            Entry(
                n=n,
                source_id=c.source_id,
                name=name_of(c.source_id),
                outlet=clean_inline(src.outlet if src else None),
                title=clean_inline(src.title if src else None),
                url=clean_inline(src.url if src else None),
                link=safe_url(src.url if src else None),
                published=src.published_at.strftime("%Y-%m-%d") if src and src.published_at else "",
                quote=quote,
                quote_short=trim(quote, QUOTE_LIMIT),
                quote_tip=trim(quote, TIP_LIMIT),
                before=before,
                after=after,
                near_before=near_before,
                near_after=near_after,
                used_in=used.get(n, []),
            )
        )

    return View(
        title=clean_inline(b.title) or "Briefing",
        scope=_scope(b),
        generated=fmt_datetime(b.generated_at) if b.generated_at else "",
        degraded=clean_inline(b.stats.degraded),
        points=points,
        conflicts=conflicts,
        entries=entries,
        footer=_footer(b),
        engine=_engine(b),
        truncated=[clean_inline(note) for note in b.stats.truncated],
        lead=clean_inline(b.lead.text) if b.lead else "",
    )

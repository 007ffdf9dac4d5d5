"""Who told a story first: outlet names, declared re-reports, and an article's own outlet.

Three outlets re-telling one Wall Street Journal story are one origin, not three
confirmations. This module finds the textual evidence for that; `briefing.dedup` turns it
into origin groups. Outlet names and cue phrases live in `briefing/data/outlets.toml`.

Rules (kept deliberately small, because every rule here can merge independent sources):

* A **declaration** is a phrase saying the article re-tells an outlet: a "Source: X"
  line, a headline ending "– X", a "CITY (X) -" dateline, "according to X",
  "referring to X", "citing X", "X reported", "first reported by X", "told X".
* A declaration **counts** (makes the article a re-report of X) only when it is a
  "Source:" line, or sits in the title or the lead: the first three prose paragraphs
  (lines of eight words or more that are not the headline), and at most
  `LEAD_CHARS` characters of them. "According to Reuters, the minister said..." deep in
  the body is one citation among many, not a statement of where the story comes from.
* An article's **own outlet** (its publisher) is `Article.outlet` when given; otherwise
  a "Read the Full Original Article at X" style footer; otherwise a standalone line
  that is exactly a known outlet name (a crumb or byline: "Hindustan Times",
  "• Wall Street Journal"). When an aggregator page carries crumbs of several outlets,
  the one that *other articles of the set* declare as their source is taken (they say
  whose story it is); with no such tie-breaker the outlet stays unknown. Aggregators
  (flagged in the TOML) are never an own outlet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, cast

from briefing import data
from briefing.models import Article

LEAD_PARAGRAPHS = 3
LEAD_PROSE_WORDS = 8
LEAD_CHARS = 1500
CRUMB_MAX_WORDS = 6
CRUMB_MAX_CHARS = 80
FOOTER_CHARS = 1000
_NAME_MAX_WORDS = 6

Rule = Literal[
    "source_line",
    "title_suffix",
    "dateline",
    "according_to",
    "referring_to",
    "citing",
    "reported_by",
    "told",
    "reports",
]

# Rules in the order they win when an article names several sources.
_RULE_STRENGTH: dict[str, int] = {
    "source_line": 0,
    "title_suffix": 1,
    "dateline": 2,
    "reported_by": 3,
    "referring_to": 4,
    "according_to": 5,
    "citing": 6,
    "reports": 7,
    "told": 8,
}


@dataclass(frozen=True)
class Declaration:
    """An article saying it re-tells an outlet, located in its text.

    `start`/`end` index `Article.text` (None when the phrase is only in `Article.title`).
    `counted` is False for passing mentions deep in the body (see module docstring).
    """

    outlet: str
    name: str
    phrase: str
    rule: Rule
    start: int | None
    end: int | None
    counted: bool


@dataclass(frozen=True)
class Attribution:
    """What an article says about where it comes from: its publisher and its source."""

    article_id: str
    outlet: str | None = None
    outlet_evidence: str = ""
    declaration: Declaration | None = None
    crumbs: tuple[str, ...] = field(default=())


# ---------------------------------------------------------------- the outlet table


@dataclass(frozen=True)
class _Outlet:
    key: str
    name: str
    aggregator: bool


@dataclass(frozen=True)
class _Table:
    outlets: dict[str, _Outlet]
    by_norm: dict[str, str]  # normalised alias -> key (for names given as data)
    by_prose: dict[str, str]  # alias exactly as written in prose -> key
    name_words: frozenset[str]  # a distinctive word of every prose alias (prefilter)
    source_words: tuple[str, ...]  # lower-cased source labels (prefilter)
    source_line: re.Pattern[str]
    footer: re.Pattern[str]


_TOKEN = re.compile(r"[\w&]+")


def _norm(name: str) -> str:
    """Fold the ways one outlet name gets written: case, 'the', punctuation, '.com'."""
    s = unicodedata.normalize("NFKC", name).casefold().replace("’", "'").strip()
    s = re.sub(r"^the\s+", "", s)
    s = re.sub(r"\.com\b", "", s)
    return " ".join(re.findall(r"\w+", s))


def _prose_form(alias: str) -> str:
    """Aliases match prose case-sensitively; only a leading 'the' may be lower-case."""
    alias = " ".join(alias.split())
    return "The " + alias[4:] if alias.lower().startswith("the ") else alias


def _alternation(phrases: Sequence[str]) -> str:
    parts = sorted((re.escape(p).replace(r"\ ", r"\s+") for p in phrases), key=len, reverse=True)
    return "(?:" + "|".join(parts) + ")"


# Outlets named by the articles being attributed (their metadata), known for one call of
# `attribute` on top of the packaged table: "the Dorrance Post reports" re-tells the
# Dorrance Post article of the same set even though no table lists that paper.
_SET_OUTLETS: ContextVar[tuple[str, ...]] = ContextVar("set_outlets", default=())


def _table() -> _Table:
    return _table_with(_SET_OUTLETS.get())


@lru_cache(maxsize=16)
def _table_with(extra: tuple[str, ...]) -> _Table:
    """The packaged table plus outlets named in the input; new names get a slug key."""
    base = _packaged_table()
    if not extra:
        return base
    outlets, by_norm, by_prose = dict(base.outlets), dict(base.by_norm), dict(base.by_prose)
    for name in extra:
        norm = _norm(name)
        if not norm or norm in by_norm:
            continue
        key = "-".join(norm.split())
        outlets[key] = _Outlet(key, name, False)
        by_norm[norm] = key
        by_prose[_prose_form(name)] = key
        if not name.lower().startswith("the "):
            by_prose.setdefault(_prose_form("The " + name), key)
    name_words = base.name_words | {_distinctive_word(alias) for alias in by_prose}
    return _Table(outlets, by_norm, by_prose, name_words, base.source_words, base.source_line, base.footer)


@lru_cache(maxsize=1)
def _packaged_table() -> _Table:
    """Load outlets.toml once; an alias claimed by two outlets is a data bug, so fail loudly."""
    raw = data.read("outlets.toml")
    outlets: dict[str, _Outlet] = {}
    by_norm: dict[str, str] = {}
    by_prose: dict[str, str] = {}
    for key, spec in raw["outlets"].items():
        outlets[key] = _Outlet(key, spec["name"], bool(spec.get("aggregator", False)))
        names = [spec["name"], *spec.get("aliases", [])]
        for alias in [*names, key]:
            norm = _norm(alias)
            if by_norm.setdefault(norm, key) != key:
                raise ValueError(f"outlets.toml: {alias!r} names both {by_norm[norm]} and {key}")
        for alias in names:
            by_prose[_prose_form(alias)] = key
    phrases = raw["phrases"]
    source_line = re.compile(
        r"^[ \t]*" + _alternation(phrases["source_labels"]) + r"[ \t]*(?:[:\-–—][ \t]*)?",
        re.MULTILINE | re.IGNORECASE,
    )
    footer = re.compile(
        r"^[ \t]*"
        + _alternation(phrases["publisher_footers"])
        + r"[ \t]*:?[ \t]*(?P<name>[^\n]{2,80}?)[ \t.…]*$",
        re.MULTILINE | re.IGNORECASE,
    )
    name_words = frozenset(_distinctive_word(alias) for alias in by_prose)
    source_words = tuple(label.lower() for label in phrases["source_labels"])
    return _Table(outlets, by_norm, by_prose, name_words, source_words, source_line, footer)


def _distinctive_word(alias: str) -> str:
    """The longest word of an alias ('Journal' for 'The Wall Street Journal'), as tokenised."""
    return max(reversed(_TOKEN.findall(alias)), key=len)


def outlet_key(name: str | None) -> str | None:
    """Canonical key of an outlet name ('The Wall Street Journal', 'WSJ' -> 'wsj'), or None."""
    if not name:
        return None
    return _table().by_norm.get(_norm(name))


def outlet_name(key: str) -> str:
    """Display name of a canonical key (the key itself when unknown)."""
    outlet = _table().outlets.get(key)
    return outlet.name if outlet else key


def is_aggregator(key: str) -> bool:
    """Aggregators republish others; where they publish says nothing about a story's origin."""
    outlet = _table().outlets.get(key)
    return bool(outlet and outlet.aggregator)


def outlet_slug(name: str) -> str:
    """A key for an outlet missing from the table (given as metadata), so it still groups."""
    return outlet_key(name) or "-".join(_norm(name).split()) or name


# ---------------------------------------------------------------- finding names in prose

_WORD = re.compile(r"[\w&/]+(?:[.\-'’][\w&/]+)*")
_OF_NAME = re.compile(r"\s+of\s+[A-Z]")
_THE = re.compile(r"[Tt]he[ \t]+")
_GAP = re.compile(r"[ \t]+")


def _prose_key(candidate: str) -> str | None:
    return _table().by_prose.get(_prose_form(candidate))


def _name_after(text: str, pos: int, limit: int) -> tuple[str, int] | None:
    """The outlet named starting at text[pos:] as (key, end), longest alias first.

    A leading 'the' is tried as part of the name ('the Hill') and without it ('the
    Reuters news agency'). 'The Times of Malta' must not count as 'The Times': a match
    followed by 'of <Name>' is rejected.
    """
    starts = [pos]
    article = _THE.match(text, pos, limit)
    if article:
        starts.append(article.end())
    for start in starts:
        for end in reversed(_word_ends(text, start, limit)):
            key = _prose_key(text[start:end])
            if key and not _OF_NAME.match(text, end):
                return key, end
    return None


def _word_ends(text: str, pos: int, limit: int) -> list[int]:
    """Ends of up to _NAME_MAX_WORDS words from pos, on one line."""
    ends: list[int] = []
    cursor = pos
    for _ in range(_NAME_MAX_WORDS):
        m = _WORD.match(text, cursor, limit)
        if not m:
            break
        ends.append(m.end())
        gap = _GAP.match(text, m.end(), limit)
        if not gap:
            break
        cursor = gap.end()
    return ends


def _name_before(text: str, end: int, floor: int) -> tuple[str, int] | None:
    """The outlet named just before text[end] as (key, start), longest alias first."""
    starts = [m.start() for m in _WORD.finditer(text, max(floor, end - 80), end)]
    for start in starts:
        candidate = text[start:end].rstrip()
        if "\n" in candidate:
            continue
        key = _prose_key(candidate)
        if key:
            return key, start
    return None


# ---------------------------------------------------------------- declarations

_TRIGGERS = re.compile(
    r"\b(?:"
    r"(?P<according_to>according\s+to)"
    r"|(?P<referring_to>referring\s+to|with\s+reference\s+to|in\s+reference\s+to|quoting)"
    r"|(?P<citing>citing|cited\s+by)"
    r"|(?P<reported_by>(?:first\s+|originally\s+|initially\s+|earlier\s+|previously\s+|as\s+)?"
    r"(?:reported|published|revealed)\s+(?:by|in)"
    r"|(?:report|story|article|investigation|interview)\s+(?:by|in|from|with))"
    r"|(?P<told>told)"
    r"|(?P<reports>reports|writes)"
    r")\s+(?:(?:an?|the)\s+(?:report|story|article|investigation)\s+(?:by|in|from)\s+)?",
    re.IGNORECASE,
)
_REPORT_VERBS = re.compile(
    r"\s+(?:first\s+|originally\s+|earlier\s+|previously\s+)?"
    r"(?:reported|reports|revealed|has\s+learned|learned|wrote|writes)\b"
)
_TITLE_SUFFIX = re.compile(r"[ \t]+[\-–—|][ \t]*(?P<name>[^\n\-–—|]{1,60}?)[ \t.…]*$")
_DATELINE = re.compile(r"^[ \t]*[^\n(]{0,60}?\((?P<name>[^()\n]{1,40})\)[ \t]*[-–—]", re.MULTILINE)
_LINE = re.compile(r"[^\n]+")


def _title_of(article: Article) -> str:
    """The article's headline: its title, else its first line of four words or more."""
    if article.title.strip():
        return article.title.strip()
    for m in _LINE.finditer(article.text):
        if len(m.group().split()) >= 4:
            return m.group().strip()
    return ""


def lead_end(article: Article) -> int:
    """End of the lead: the first three prose paragraphs, capped at LEAD_CHARS of prose."""
    title = _title_of(article)
    folded = title.casefold()
    text = article.text
    seen = 0
    first: int | None = None
    for m in _LINE.finditer(text):
        line = m.group().strip()
        if len(line) < 2 * LEAD_PROSE_WORDS or len(line.split()) < LEAD_PROSE_WORDS:
            continue
        if abs(len(line) - len(title)) <= 4 and (
            line.casefold() == folded or _norm(line) == _norm(title)
        ):
            continue
        first = m.start() if first is None else first
        seen += 1
        if seen == LEAD_PARAGRAPHS or m.end() - first >= LEAD_CHARS:
            return min(m.end(), first + LEAD_CHARS)
    return len(text) if first is None else min(len(text), first + LEAD_CHARS)


def _declaration(
    key: str, name: str, phrase: str, rule: Rule, start: int | None, end: int | None, counted: bool
) -> Declaration:
    return Declaration(key, name, " ".join(phrase.split()), rule, start, end, counted)


def _source_lines(text: str) -> Iterator[Declaration]:
    for m in _table().source_line.finditer(text):
        found = _name_after(text, m.end(), len(text))
        if found:
            key, end = found
            yield _declaration(
                key,
                text[m.end() : end],
                text[m.start() : end].strip(),
                "source_line",
                m.start() + len(m.group()) - len(m.group().lstrip()),
                end,
                True,
            )


def _title_suffixes(text: str, stop: int) -> Iterator[Declaration]:
    for line in _LINE.finditer(text, 0, stop):
        m = _TITLE_SUFFIX.search(line.group())
        key = m and _prose_key(m.group("name").strip())
        if m and key:
            start, end = line.start() + m.start(), line.start() + m.end("name")
            yield _declaration(
                key,
                m.group("name").strip(),
                text[start:end].strip(),
                "title_suffix",
                start + len(text[start:end]) - len(text[start:end].lstrip()),
                end,
                True,
            )


def _datelines(text: str, stop: int) -> Iterator[Declaration]:
    for m in _DATELINE.finditer(text, 0, stop):
        key = _prose_key(m.group("name").strip())
        if key:
            yield _declaration(
                key,
                m.group("name"),
                m.group().strip(),
                "dateline",
                m.start() + len(m.group()) - len(m.group().lstrip()),
                m.end(),
                True,
            )


def _triggered(text: str, lead: int, stop: int) -> Iterator[Declaration]:
    """'according to X', 'citing X', ... anywhere up to `stop`; counted inside the lead."""
    for m in _TRIGGERS.finditer(text, 0, stop):
        found = _name_after(text, m.end(), len(text))
        if found:
            key, end = found
            rule = cast(Rule, m.lastgroup)
            yield _declaration(
                key,
                text[m.end() : end],
                text[m.start() : end],
                rule,
                m.start(),
                end,
                m.start() < lead,
            )


def _reports(text: str, lead: int) -> Iterator[Declaration]:
    """'Reuters reported ...' — only in the lead, where it says whose story this is."""
    for m in _REPORT_VERBS.finditer(text, 0, lead):
        found = _name_before(text, m.start(), 0)
        if found:
            key, start = found
            yield _declaration(
                key, text[start : m.start()], text[start : m.end()], "reports", start, m.end(), True
            )


def declared_sources(article: Article, *, counted_only: bool = False) -> list[Declaration]:
    """Every place the article says it re-tells another outlet, in text order.

    With `counted_only`, body mentions are not even searched (faster on big piles).
    """
    text = article.text
    table = _table()
    lead = lead_end(article)
    stop = lead if counted_only else len(text)
    found: list[Declaration] = []
    if not table.name_words.isdisjoint(_TOKEN.findall(text, 0, stop)):
        found += [
            *_title_suffixes(text, lead),
            *_datelines(text, lead),
            *_triggered(text, lead, stop),
            *_reports(text, lead),
        ]
    lowered = text.lower()
    if any(word in lowered for word in table.source_words):
        found += _source_lines(text)
    title = article.title.strip()
    if title and title not in text[:lead]:
        for d in _title_suffixes(title, len(title)):
            found.append(Declaration(d.outlet, d.name, d.phrase, d.rule, None, None, True))
    unique = {(d.start, d.end, d.outlet): d for d in found}
    ordered = sorted(
        unique.values(), key=lambda d: (-1 if d.start is None else d.start, d.end or 0)
    )
    return [d for d in ordered if d.counted or not counted_only]


def main_declaration(declarations: Sequence[Declaration]) -> Declaration | None:
    """The counted declaration that names the article's source: strongest rule, then earliest.

    One source per article: an article citing both Reuters and AP must not merge the
    Reuters and AP origins into one.
    """
    counted = [d for d in declarations if d.counted]
    if not counted:
        return None
    return min(counted, key=lambda d: (_RULE_STRENGTH[d.rule], -1 if d.start is None else d.start))


# ---------------------------------------------------------------- an article's own outlet

_BULLET = " \t•·*▪►-–—"


def _footer_outlet(text: str) -> tuple[str, str] | None:
    """('ukrainska-pravda', footer line) for 'Read the Full Original Article at Ukrainska Pravda…'.

    Only the last FOOTER_CHARS are searched: a footer is at the foot.
    """
    for m in _table().footer.finditer(text, max(0, len(text) - FOOTER_CHARS)):
        key = outlet_key(m.group("name"))
        if key and not is_aggregator(key):
            return key, m.group().strip()
    return None


def crumb_outlets(text: str) -> list[str]:
    """Known outlets standing alone on a line (crumbs, bylines), in order of first appearance."""
    keys: list[str] = []
    for line in text.splitlines():
        if len(line) > CRUMB_MAX_CHARS:
            continue
        name = line.strip().lstrip(_BULLET).strip()
        if not name or len(name.split()) > CRUMB_MAX_WORDS:
            continue
        key = outlet_key(name)
        if key and not is_aggregator(key) and key not in keys:
            keys.append(key)
    return keys


def _own_outlet(
    article: Article, crumbs: list[str], declared_by: dict[str, list[str]]
) -> tuple[str | None, str]:
    """The article's publisher and why we think so (see module docstring for the order)."""
    if article.outlet:
        key = outlet_slug(article.outlet)
        if is_aggregator(key):
            return None, f"given outlet {article.outlet!r} is an aggregator"
        return key, f"given outlet {article.outlet!r}"
    footer = _footer_outlet(article.text)
    if footer:
        return footer[0], f"footer {footer[1]!r}"
    if len(crumbs) == 1:
        return crumbs[0], f"a line naming {outlet_name(crumbs[0])}"
    named = [k for k in crumbs if any(a != article.id for a in declared_by.get(k, []))]
    if named:
        best = max(named, key=lambda k: (len(declared_by[k]), -crumbs.index(k)))
        others = sorted(a for a in declared_by[best] if a != article.id)
        listed = ", ".join(outlet_name(k) for k in crumbs)
        return best, (
            f"outlet lines name {listed}; {outlet_name(best)} is the one "
            f"{', '.join(others)} name as their source"
        )
    if crumbs:
        return None, "several outlet lines, none named as a source: " + ", ".join(
            outlet_name(k) for k in crumbs
        )
    return None, ""


def attribute(articles: Sequence[Article]) -> list[Attribution]:
    """Publisher and declared source of every article, using the whole set as context.

    The set matters for aggregator pages: of the outlets a page names, the one other
    articles say they re-tell is the page's origin.
    """
    token = _SET_OUTLETS.set(tuple(sorted({a.outlet for a in articles if a.outlet})))
    try:
        return _attribute(articles)
    finally:
        _SET_OUTLETS.reset(token)


def _attribute(articles: Sequence[Article]) -> list[Attribution]:
    declarations = [declared_sources(a, counted_only=True) for a in articles]
    declared_by: dict[str, list[str]] = {}
    for article, decls in zip(articles, declarations, strict=True):
        for key in dict.fromkeys(d.outlet for d in decls):
            declared_by.setdefault(key, []).append(article.id)
    result: list[Attribution] = []
    for article, decls in zip(articles, declarations, strict=True):
        crumbs = [] if article.outlet else crumb_outlets(article.text)
        own, why = _own_outlet(article, crumbs, declared_by)
        result.append(Attribution(article.id, own, why, main_declaration(decls), tuple(crumbs)))
    return result

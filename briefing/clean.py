"""Clean stage: choose the regions of each article worth reading.

Scraped news arrives wrapped in page furniture: ad markers, app promos, comment
boxes, theme footers, timestamps, repeated headlines, links to unrelated stories.
This stage never edits text. It splits each article into lines, drops the lines
(or line tails) that are boilerplate, and reports both what it kept (`Region`s)
and what it dropped and why (`Drop`s), all as offsets into `Article.text`.

Rules live in data (`briefing/data/boilerplate.toml`): pattern families matched
line by line, plus thresholds for the heuristic families implemented here
(repeated headlines, unrelated headlines, labels among crumbs, cross-document).
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations, islice
from pathlib import Path
from re import _constants as _sre  # type: ignore[attr-defined]
from re import _parser as _sre_parser  # type: ignore[attr-defined]
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from briefing import data
from briefing import furniture as shapes
from briefing.errors import ConfigError
from briefing.models import Article, CleanedArticle, Drop, Region

__all__ = [
    "Family",
    "Heuristics",
    "PatternGroup",
    "Rules",
    "Verdict",
    "clean_articles",
    "furniture",
    "load_rules",
]

_PATTERN_KINDS = ("line", "start", "search", "tail")
# str.strip() plus the zero-width characters scrapers leave behind.
_STRIP = (
    "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "\ufeff\u200b\u200c\u200d\u2060"
)
_KEY_PUNCT = " .:;,!?-–—…*#|•·\"'“”‘’()[]"
_FINAL_STOP = re.compile(r"[.!:;,…][\"”’')\]]*$")
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*$")
_WORD = re.compile(r"\w{3,}")


# ---------------------------------------------------------------- rules (the TOML)


class PatternGroup(BaseModel):
    """Regexes sharing one reason; see the header of boilerplate.toml for the kinds."""

    model_config = ConfigDict(extra="forbid")

    reason: str = ""
    line: list[str] = []
    start: list[str] = []
    search: list[str] = []
    tail: list[str] = []


class Family(BaseModel):
    """A named rule family; its name is what a `Drop` reports as `rule`."""

    model_config = ConfigDict(extra="forbid")

    reason: str
    groups: list[PatternGroup] = []


class Heuristics(BaseModel):
    """Thresholds for the heuristic families. Their values (and what each trades off) live
    in boilerplate.toml's [heuristics] only; a rules file without that table gets the
    packaged ones."""

    model_config = ConfigDict(extra="forbid")

    search_max_chars: int
    tail_max_chars: int
    index_max_chars: int
    headline_max_words: int
    body_min_words: int
    sentence_min_words: int
    label_max_words: int
    label_run_max_lines: int
    section_label_max_words: int
    unrelated_max_words: int
    unrelated_min_content_words: int
    unrelated_max_overlap: float
    unrelated_min_article_words: int
    cross_doc_unrelated_jaccard: float
    cross_doc_related_containment: float
    cross_doc_short_words: int
    cross_doc_short_min_articles: int
    cross_doc_short_max_overlap: float
    cross_doc_max_pairs: int
    section_label_reason: str
    label_between_drops_reason: str


@lru_cache(maxsize=1)
def packaged_heuristics() -> Heuristics:
    """boilerplate.toml's [heuristics], validated once."""
    return data.table("boilerplate.toml", Heuristics, "heuristics")


# ---------------------------------------------------------------- compiled rules
#
# Running ~100 case-insensitive regexes over every line is far too slow for the
# 10,000-article budget (one alternation costs ~1 µs per character). So each rule
# is indexed by what a match must look like, read off its parse tree:
#   - whole-line rules by the characters a match can start with;
#   - search/tail rules by literals every match contains ("needles"), checked
#     with one cheap gate regex on the lower-cased line.
# Where the analysis cannot tell, a rule is simply always tried.


@dataclass(frozen=True)
class _Rule:
    """One compiled regex and the family and reason a match reports."""

    regex: re.Pattern[str]
    family: str
    reason: str
    needles: frozenset[str] = field(init=False)  # lower-case literals, one in every match

    def __post_init__(self) -> None:
        object.__setattr__(self, "needles", _needles(self.regex.pattern))


class _Anchored:
    """Rules matched at the start of a line, tried only if its first character fits."""

    def __init__(self, rules: list[_Rule], whole: bool):
        self._rules = rules
        self._whole = whole
        self._firsts = [_first_chars(r.regex.pattern) for r in rules]
        self._by_char: dict[str, re.Pattern[str] | None] = {}

    def find(self, text: str) -> _Rule | None:
        key = text[:1].lower()[:1]
        if key not in self._by_char:
            self._by_char[key] = self._combined(key)
        combined = self._by_char[key]
        if combined is None:
            return None
        match = combined.fullmatch(text) if self._whole else combined.match(text)
        return self._rules[int(match.lastgroup[1:])] if match and match.lastgroup else None

    def _combined(self, char: str) -> re.Pattern[str] | None:
        """One alternation of the rules that can start with `char`, in rule order."""
        parts = [
            f"(?P<r{i}>{rule.regex.pattern})"
            for i, (rule, first) in enumerate(zip(self._rules, self._firsts, strict=True))
            if first is None or char in first
        ]
        return re.compile("|".join(parts), re.IGNORECASE) if parts else None


class _Scanning:
    """Rules found anywhere in a line, tried only when one of their needles occurs."""

    def __init__(self, rules: list[_Rule]):
        self._rules = rules
        self._always = [rule for rule in rules if not rule.needles]

    def find(
        self, text: str, pos: int, found: frozenset[str], earliest: bool = False
    ) -> tuple[_Rule, re.Match[str]] | None:
        """The first rule (or, if `earliest`, the leftmost match) from `pos` on."""
        best: tuple[_Rule, re.Match[str]] | None = None
        for rule in self._rules if found else self._always:
            if rule.needles and found.isdisjoint(rule.needles):
                continue
            match = rule.regex.search(text, pos)
            if match and (best is None or match.start() < best[1].start()):
                best = (rule, match)
                if not earliest:
                    break
        return best


class _Needles:
    """Finds which needles occur in a lower-cased text with one regex scan."""

    def __init__(self, rules: Iterable[_Rule]):
        needles = {n for rule in rules for n in rule.needles}
        self._gate = re.compile(_trie_regex(needles)) if needles else None
        # The gate reports the longest needle at a position; shorter needles
        # starting there are its prefixes, so they occur too.
        self._prefixes = {n: frozenset(m for m in needles if n.startswith(m)) for n in needles}

    def found(self, low: str) -> frozenset[str]:
        if self._gate is None:
            return frozenset()
        match = self._gate.search(low)
        if match is None:
            return frozenset()
        hits: set[str] = set()
        while match is not None:  # restart one character on: needles may overlap
            hits |= self._prefixes[match.group()]
            match = self._gate.search(low, match.start() + 1)
        return frozenset(hits)


def _trie_regex(words: Iterable[str]) -> str:
    """An alternation of literals sharing prefixes, which the regex engine scans fast."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


_NEEDLE_MIN = 3
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT)


def _parse(pattern: str) -> list | None:
    try:
        return list(_sre_parser.parse(pattern, re.IGNORECASE))
    except Exception:  # internal API: without a tree the rule is simply always tried
        return None


def _needles(pattern: str) -> frozenset[str]:
    """Lower-case literals of which every match contains one; empty if none are known."""
    tree = _parse(pattern)
    found = _seq_needles(tree) if tree is not None else None
    if not found or min(map(len, found)) < _NEEDLE_MIN:
        return frozenset()
    return frozenset(found)


def _seq_needles(items: list) -> set[str] | None:
    """Best needle set of a sequence: its longest literal run or a required group's set."""
    candidates: list[set[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            candidates.append({"".join(run).lower()})
            run = []
        sub: set[str] | None = None
        if op is _sre.SUBPATTERN:
            sub = _seq_needles(list(av[-1]))
        elif op is _sre.ATOMIC_GROUP:
            sub = _seq_needles(list(av))
        elif op is _sre.BRANCH:
            parts = [_seq_needles(list(b)) for b in av[1]]
            sub = set().union(*parts) if all(parts) else None  # type: ignore[arg-type]
        elif op in _REPEATS and av[0] >= 1:
            sub = _seq_needles(list(av[2]))
        if sub:
            candidates.append(sub)
    if run:
        candidates.append({"".join(run).lower()})
    return max(candidates, key=lambda c: min(map(len, c)), default=None)


def _first_chars(pattern: str) -> frozenset[str] | None:
    """Lower-case characters a match can start with; None when it could be any."""
    tree = _parse(pattern)
    if tree is None:
        return None
    chars, nullable = _seq_first(tree)
    return None if chars is None or nullable else frozenset(chars)


def _seq_first(items: list) -> tuple[set[str] | None, bool]:
    """(first characters, can match empty) of a sequence; None characters = any."""
    result: set[str] = set()
    for op, av in items:
        chars, nullable = _item_first(op, av)
        if chars is None:
            return None, False
        result |= chars
        if not nullable:
            return result, False
    return result, True


def _item_first(op: Any, av: Any) -> tuple[set[str] | None, bool]:
    if op is _sre.LITERAL:
        return {chr(av).lower()[:1]}, False
    if op is _sre.IN:
        return _set_first(av), False
    if op is _sre.SUBPATTERN:
        return _seq_first(list(av[-1]))
    if op is _sre.ATOMIC_GROUP:
        return _seq_first(list(av))
    if op is _sre.BRANCH:
        result: set[str] = set()
        any_nullable = False
        for branch in av[1]:
            chars, nullable = _seq_first(list(branch))
            if chars is None:
                return None, False
            result |= chars
            any_nullable = any_nullable or nullable
        return result, any_nullable
    if op in _REPEATS:
        low, _high, body = av
        chars, nullable = _seq_first(list(body))
        return chars, nullable or low == 0
    if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
        return set(), True  # zero-width: look past it (a superset is safe)
    return None, False


def _set_first(items: list) -> set[str] | None:
    """Characters of a [...] class made only of literals and small ranges."""
    chars: set[str] = set()
    for op, av in items:
        if op is _sre.LITERAL:
            chars.add(chr(av).lower()[:1])
        elif op is _sre.RANGE and av[1] - av[0] <= 256:
            chars.update(chr(c).lower()[:1] for c in range(av[0], av[1] + 1))
        elif op is _sre.CATEGORY and av is _sre.CATEGORY_DIGIT:
            chars.update("0123456789")  # other scripts' digits do not open boilerplate
        else:
            return None
    return chars


@dataclass(frozen=True)
class _Compiled:
    """All patterns of one Rules object, compiled and indexed once."""

    line: _Anchored
    start: _Anchored
    search: _Scanning
    tail: _Scanning
    short_needles: _Needles  # search and tail needles, for lines short enough to search
    tail_needles: _Needles  # tail needles only, for the ends of long lines
    protect: _Anchored
    stopwords: frozenset[str]


class Rules(BaseModel):
    """The boilerplate rules; regexes are compiled once, when the model is built."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    protect: list[str] = []
    stopwords: frozenset[str] = frozenset()
    heuristics: Heuristics = Field(default_factory=packaged_heuristics)
    furniture: shapes.Shapes = Field(default_factory=shapes.packaged_shapes)
    families: dict[str, Family]

    _compiled: _Compiled = PrivateAttr()

    @field_validator("stopwords", mode="before")
    @classmethod
    def _split_words(cls, value: object) -> object:
        """Stopwords are written as one whitespace-separated block in the TOML."""
        if isinstance(value, str):
            return frozenset(value.casefold().split())
        return value

    @model_validator(mode="after")
    def _compile(self) -> Rules:
        self._compiled = _compile_rules(self)
        return self

    @property
    def compiled(self) -> _Compiled:
        return self._compiled


def _compile_rules(rules: Rules) -> _Compiled:
    """Check every regex alone (for a clear message), then index them per kind."""
    by_kind: dict[str, list[_Rule]] = {kind: [] for kind in _PATTERN_KINDS}
    for family_name, family in rules.families.items():
        for group in family.groups:
            for kind in _PATTERN_KINDS:
                for pattern in getattr(group, kind):
                    regex = _check_regex(pattern, f"families.{family_name}.{kind}")
                    rule = _Rule(regex, family_name, group.reason or family.reason)
                    by_kind[kind].append(rule)
    protect = [_Rule(_check_regex(p, "protect"), "protect", "") for p in rules.protect]
    return _Compiled(
        line=_Anchored(by_kind["line"], whole=True),
        start=_Anchored(by_kind["start"], whole=False),
        search=_Scanning(by_kind["search"]),
        tail=_Scanning(by_kind["tail"]),
        short_needles=_Needles(by_kind["search"] + by_kind["tail"]),
        tail_needles=_Needles(by_kind["tail"]),
        protect=_Anchored(protect, whole=False),
        stopwords=rules.stopwords,
    )


def _check_regex(pattern: str, where: str) -> re.Pattern[str]:
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{where}: bad regex {pattern!r}: {exc}") from exc
    if compiled.groupindex:
        raise ValueError(f"{where}: named groups are reserved, use (?:...) in {pattern!r}")
    try:  # rules are joined into alternations, so each must work inside one
        re.compile(f"x|(?:{pattern})", re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{where}: {pattern!r} cannot be combined (global flag?): {exc}") from exc
    return compiled


def load_rules(path: Path | None = None) -> Rules:
    """Read rules from a TOML file; without a path, the packaged boilerplate.toml."""
    source = str(path) if path else "briefing/data/boilerplate.toml"
    try:
        raw = tomllib.loads(path.read_bytes().decode("utf-8")) if path else data.read("boilerplate.toml")
        return Rules.model_validate(raw)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ConfigError(f"boilerplate rules {source}: {exc}") from exc


@lru_cache(maxsize=1)
def _default_rules() -> Rules:
    """The packaged rules, parsed and compiled once per process."""
    return load_rules()


# ---------------------------------------------------------------- lines


@dataclass(slots=True)
class _Line:
    """One non-blank line, located by its trimmed span in the article text."""

    start: int
    end: int
    text: str
    protected: bool = False
    drop: Drop | None = None
    _words: int = -1
    _key: str | None = None

    @property
    def words(self) -> int:
        if self._words < 0:
            self._words = len(self.text.split())
        return self._words

    @property
    def dropped(self) -> bool:
        """True when the whole line is gone (a tail drop leaves the line's head)."""
        return self.drop is not None and self.drop.start == self.start

    @property
    def key(self) -> str:
        """Case-, whitespace- and edge-punctuation-insensitive form, for comparisons."""
        if self._key is None:
            self._key = " ".join(self.text.lower().split()).strip(_KEY_PUNCT)
        return self._key


def _split_lines(text: str) -> list[_Line]:
    """Non-blank lines with their whitespace-trimmed offsets into `text`."""
    lines: list[_Line] = []
    pos, size = 0, len(text)
    while pos <= size:
        nl = text.find("\n", pos)
        stop = size if nl < 0 else nl
        raw = text[pos:stop]
        body = raw.lstrip(_STRIP)
        if body:
            start = pos + len(raw) - len(body)
            body = body.rstrip(_STRIP)
            lines.append(_Line(start, start + len(body), body))
        pos = stop + 1
    return lines


def _drop(line: _Line, rule: str, reason: str, text: str, offset: int = 0) -> Drop:
    start = line.start + offset
    return Drop(start=start, end=line.end, rule=rule, reason=reason, text=text[start : line.end])


@dataclass(frozen=True)
class Verdict:
    """Why a line is page furniture: the family and reason a drop reports, and where in
    the line the furniture starts (0: the whole line; more: only its tail)."""

    rule: str
    reason: str
    offset: int = 0


# Shape checks (briefing/furniture.py), run on short lines no pattern matched; each runs
# only while its family is in the rules, so removing the table turns it off.
_SHAPES: list[tuple[str, Callable[[str, str | None, shapes.Shapes], int | None]]] = [
    ("consent", lambda text, _outlet, s: shapes.consent_banner(text, s)),
    ("prompt", lambda text, _outlet, s: shapes.button_prompt(text, s)),
    ("menu", lambda text, _outlet, s: shapes.menu(text, s)),
    ("masthead", shapes.masthead),
]


def _verdict(body: str, rules: Rules, outlet: str | None, compiled: _Compiled) -> Verdict | None:
    """Pattern families, then shapes: whole-line, search-in-short-line, and line-tail matches."""
    h = rules.heuristics
    short = len(body) <= h.search_max_chars
    rule = (compiled.line.find(body) or compiled.start.find(body)) if short else None
    if rule:
        return Verdict(rule.family, rule.reason)
    tail_from = 0 if short else max(0, len(body) - h.tail_max_chars)
    needles = compiled.short_needles if short else compiled.tail_needles
    found = needles.found(body[tail_from:].lower())
    hit = compiled.search.find(body, 0, found) if short else None
    if hit:
        return Verdict(hit[0].family, hit[0].reason)
    if short:
        for family, check in _SHAPES:
            if family in rules.families:
                offset = check(body, outlet, rules.furniture)
                if offset is not None:
                    return Verdict(family, rules.families[family].reason, offset)
    hit = compiled.tail.find(body, tail_from, found, earliest=True)
    if hit:
        return Verdict(hit[0].family, hit[0].reason, hit[1].start())
    return None


def furniture(line: str, outlet: str | None = None, rules: Rules | None = None) -> Verdict | None:
    """The clean stage's verdict on one line of an article from `outlet`: page furniture
    (and why, and from where), or None. Titles are judged by this too, so a title is never
    a line the cleaner would drop. Lines the rules protect ("Source: …") are never furniture;
    the cross-article heuristics need the whole set and are not applied here."""
    rules = rules or _default_rules()
    compiled = rules.compiled
    body = line.strip(_STRIP)
    if not body or compiled.protect.find(body):
        return None
    return _verdict(body, rules, outlet, compiled)


def _apply_patterns(lines: list[_Line], text: str, rules: Rules, outlet: str | None) -> None:
    """Each line's own verdict (patterns and shapes); protected lines are marked, not judged."""
    compiled = rules.compiled
    for line in lines:
        if compiled.protect.find(line.text):
            line.protected = True
            continue
        verdict = _verdict(line.text, rules, outlet, compiled)
        if verdict:
            line.drop = _drop(line, verdict.rule, verdict.reason, text, verdict.offset)


# ---------------------------------------------------------------- heuristics


@dataclass
class _Corpus:
    """Cross-article state: which articles hold each line, content words per article."""

    articles: Sequence[Article]
    rules: Rules
    where: dict[str, list[int]] = field(default_factory=dict)
    decisions: dict[str, str | None] = field(default_factory=dict)
    _words: dict[int, Counter[str]] = field(default_factory=dict)
    _related: dict[tuple[int, int], bool] = field(default_factory=dict)

    def index(self, idx: int, lines: list[_Line]) -> None:
        """Record the lines worth comparing across articles (once per article)."""
        limit = self.rules.heuristics.index_max_chars
        for line in lines:
            if line.dropped or line.protected or len(line.text) > limit:
                continue
            key = line.key
            if key:
                ids = self.where.setdefault(key, [])
                if not ids or ids[-1] != idx:
                    ids.append(idx)

    def words(self, idx: int) -> Counter[str]:
        if idx not in self._words:
            self._words[idx] = _content_words(self.articles[idx].text, self.rules)
        return self._words[idx]

    def unrelated(self, a: int, b: int) -> bool:
        """Articles whose content words barely overlap: low Jaccard, and neither
        mostly contained in the other (a short brief inside a long report is related)."""
        pair = (a, b) if a < b else (b, a)
        if pair not in self._related:
            h = self.rules.heuristics
            wa, wb = self.words(a).keys(), self.words(b).keys()
            common, smaller = len(wa & wb), min(len(wa), len(wb))
            union = len(wa) + len(wb) - common
            self._related[pair] = (
                not smaller
                or common / union >= h.cross_doc_unrelated_jaccard
                or common / smaller >= h.cross_doc_related_containment
            )
        return not self._related[pair]


@dataclass
class _State:
    """One article's lines while heuristics run over it."""

    idx: int
    text: str
    lines: list[_Line]
    corpus: _Corpus
    headline_keepers: set[int] = field(default_factory=set)


Heuristic = Callable[[_State], Iterable[tuple[int, str]]]


def _content_words(text: str, rules: Rules) -> Counter[str]:
    """Topic-bearing words (3+ letters, not stopwords), counted."""
    counts = Counter(_WORD.findall(text.lower()))
    for word in rules.stopwords & counts.keys():
        del counts[word]
    return counts


def _cross_document(state: _State) -> Iterator[tuple[int, str]]:
    """Lines shared by unrelated articles, or short off-topic lines shared by many."""
    corpus = state.corpus
    for i, line in enumerate(state.lines):
        if line.drop or line.protected:
            continue
        key = line.key
        ids = corpus.where.get(key)
        if not ids or len(ids) < 2:
            continue
        if key not in corpus.decisions:
            corpus.decisions[key] = _cross_decision(corpus, ids, line)
        reason = corpus.decisions[key]
        if reason:
            yield i, reason


def _cross_decision(corpus: _Corpus, ids: list[int], line: _Line) -> str | None:
    """Why a line found in several articles is boilerplate, or None if it is not."""
    h = corpus.rules.heuristics
    n = len(ids)
    if n >= h.cross_doc_short_min_articles and line.words < h.cross_doc_short_words:
        own = _content_words(line.text, corpus.rules)
        sample = ids[: h.cross_doc_max_pairs]
        shares = [_share_elsewhere(own, corpus.words(a)) for a in sample]
        if not own or sum(shares) / len(shares) < h.cross_doc_short_max_overlap:
            return f"short line found in {n} articles, off-topic in them"
    pairs = islice(combinations(ids, 2), h.cross_doc_max_pairs)
    if any(corpus.unrelated(a, b) for a, b in pairs):
        return f"line found in {n} articles that are otherwise unrelated"
    return None


def _share_elsewhere(own: Counter[str], article: Counter[str]) -> float:
    """Share of a line's content words that the rest of the article also uses."""
    if not own:
        return 0.0
    return sum(1 for w, c in own.items() if article[w] > c) / len(own)


def _repeated_headlines(state: _State) -> Iterator[tuple[int, str]]:
    """Headline-like lines seen earlier in the same article; the first one stays."""
    max_words = state.corpus.rules.heuristics.headline_max_words
    first: dict[str, int] = {}
    for i, line in enumerate(state.lines):
        if line.dropped or line.protected or line.words > max_words:
            continue
        if _FINAL_STOP.search(line.text):
            continue
        key = line.key
        if key in first:
            state.headline_keepers.add(first[key])
            yield i, f"repeats the line kept at offset {state.lines[first[key]].start}"
        elif key:
            first[key] = i


def _section_label(state: _State) -> Iterator[tuple[int, str]]:
    """A one- or two-word label (e.g. 'Ukraine') right above a longer headline."""
    h = state.corpus.rules.heuristics
    top = next((i for i, line in enumerate(state.lines) if not line.dropped), None)
    if top is None or top + 1 >= len(state.lines):
        return
    label, below = state.lines[top], state.lines[top + 1]
    if (
        not label.protected
        and top not in state.headline_keepers
        and label.words <= h.section_label_max_words
        and not _FINAL_STOP.search(label.text)
        and not below.drop
        and label.words + 1 < below.words <= h.headline_max_words
        and not _FINAL_STOP.search(below.text)
    ):
        yield top, h.section_label_reason


def _neighbours_dropped(lines: list[_Line], first: int, last: int | None = None) -> bool:
    """Lines on both sides of lines[first..last] are gone; the article's end counts
    as gone, its top does not (a short title up there is not a crumb)."""
    last = first if last is None else last
    before = first > 0 and lines[first - 1].dropped
    after = last == len(lines) - 1 or lines[last + 1].dropped
    return before and after


def _is_body(line: _Line, h: Heuristics) -> bool:
    if line.dropped:
        return False
    if len(line.text) > h.search_max_chars or line.words >= h.body_min_words:
        return True
    return line.words >= h.sentence_min_words and _SENTENCE_END.search(line.text) is not None


def _unrelated_headlines(state: _State) -> Iterator[tuple[int, str]]:
    """Short title-like lines at the end (or among crumbs) that share no topic words."""
    h, rules = state.corpus.rules.heuristics, state.corpus.rules
    body = [i for i, line in enumerate(state.lines) if _is_body(line, h)]
    if not body:
        return
    kept_words: Counter[str] | None = None
    for i in range(body[0] + 1, len(state.lines)):
        line = state.lines[i]
        if line.drop or line.protected or i in state.headline_keepers:
            continue
        if not 2 <= line.words <= h.unrelated_max_words or _FINAL_STOP.search(line.text):
            continue
        if i < body[-1] and not _neighbours_dropped(state.lines, i):
            continue
        if kept_words is None:
            kept = "\n".join(ln.text for ln in state.lines if not ln.dropped)
            kept_words = _content_words(kept, rules)
        own = _content_words(line.text, rules)
        if len(own) < h.unrelated_min_content_words:
            continue
        if len(kept_words.keys() - own.keys()) < h.unrelated_min_article_words:
            continue
        share = _share_elsewhere(own, kept_words)
        if share <= h.unrelated_max_overlap:
            yield i, f"{line.words}-word headline, {share:.0%} of its topic words in the article"


def _labels_between_drops(state: _State) -> Iterator[tuple[int, str]]:
    """Runs of short labels (outlet names, categories) with boilerplate on both sides."""
    h = state.corpus.rules.heuristics
    lines = state.lines

    def is_label(i: int) -> bool:
        line = lines[i]
        return (
            not line.drop
            and not line.protected
            and i not in state.headline_keepers
            and line.words <= h.label_max_words
            and not _SENTENCE_END.search(line.text)
        )

    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and j - i < h.label_run_max_lines and is_label(j):
            j += 1
        if j > i and (j == len(lines) or not is_label(j)) and _neighbours_dropped(lines, i, j - 1):
            for k in range(i, j):
                yield k, h.label_between_drops_reason
        i = max(j, i + 1)


# Order matters: later heuristics see the drops of earlier ones.
HEURISTICS: list[tuple[str, Heuristic]] = [
    ("cross_document", _cross_document),
    ("repeated_headline", _repeated_headlines),
    ("crumbs", _section_label),
    ("unrelated_headline", _unrelated_headlines),
    ("crumbs", _labels_between_drops),
]


def _apply_heuristics(state: _State) -> None:
    """Run each heuristic whose family the rules define (leave one out to turn it
    off), dropping lines as they are named so later heuristics see them."""
    families = state.corpus.rules.families
    for rule, heuristic in HEURISTICS:
        family = families.get(rule)
        if family is None:
            continue
        for i, detail in heuristic(state):
            reason = f"{family.reason}: {detail}"
            state.lines[i].drop = _drop(state.lines[i], rule, reason, state.text)


# ---------------------------------------------------------------- result


def _result(article: Article, lines: list[_Line]) -> CleanedArticle:
    """Kept regions are runs of surviving lines between drops, trimmed of whitespace."""
    kept: list[Region] = []
    dropped: list[Drop] = []
    run_start: int | None = None
    run_end = 0
    for line in lines:
        if line.drop is None:
            run_start = line.start if run_start is None else run_start
            run_end = line.end
            continue
        if line.drop.start > line.start:  # a tail drop keeps the line's head
            run_start = line.start if run_start is None else run_start
            run_end = line.start + len(line.text[: line.drop.start - line.start].rstrip(_STRIP))
        if run_start is not None and run_end > run_start:
            kept.append(Region(start=run_start, end=run_end))
        run_start = None
        dropped.append(line.drop)
    if run_start is not None and run_end > run_start:
        kept.append(Region(start=run_start, end=run_end))
    return CleanedArticle(article_id=article.id, kept=kept, dropped=dropped)


def clean_articles(articles: Sequence[Article], rules: Rules | None = None) -> list[CleanedArticle]:
    """Kept regions and dropped boilerplate for each article, in input order."""
    rules = rules or _default_rules()
    corpus = _Corpus(articles=articles, rules=rules)
    split: list[list[_Line]] = []
    for idx, article in enumerate(articles):
        lines = _split_lines(article.text)
        _apply_patterns(lines, article.text, rules, article.outlet)
        corpus.index(idx, lines)
        split.append(lines)
    results = []
    for idx, (article, lines) in enumerate(zip(articles, split, strict=True)):
        _apply_heuristics(_State(idx, article.text, lines, corpus))
        results.append(_result(article, lines))
    return results

"""Claims stage: turn the sentences of a corpus into candidate claims with features.

A claim is one sentence of kept text plus what later stages need: its origin, its
content stems, its figures (briefing.lang.numbers; their parsed frames are read only where
figures are compared), its names, and the attribution cues around it
(anonymous sourcing, hedges, "could not verify", a party's own claim).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from briefing import data
from briefing.lang.numbers import Figure, figures
from briefing.models import Corpus, Passage
from briefing.text import content_stems, entities

CUE_FAMILIES = ("anonymous", "hedged", "unverified", "party_claim")

_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$|[\"”’]$")
_DATELINE = re.compile(r"^[A-Z][A-Z .'\-]{2,}(?:,\s*[A-Z][A-Za-z0-9 .]+)?\s*(?:\([A-Za-z ]+\)\s*)?[—–-]+\s*")
_LABEL = re.compile(r"^(?:Details|Background|Context|Update|Updated|Editor's note|Summary):\s+")
_WEAK_START = frozenset(
    "he she it they this that these those his her their its such but and yet so or also "
    "meanwhile however then there here".split()
)
# a subject that points back to something the reader of a briefing has not seen
_DEICTIC = re.compile(
    r"^(?:the|this|that|these|those|such)\s+(?:publication|newspaper|paper|report|outlet|article|"
    r"agency|official|officials|man|woman|group|company|move|decision|deal|plan|incident|source)\b",
    re.IGNORECASE,
)
# a quotation: double quotes, or single quotes that are not apostrophes ("the court's")
_QUOTED = re.compile(r"[“\"][^“”\"]{3,}[”\"]|(?<!\w)[‘'][^‘’'\n]{3,}[’'](?!\w)")
@dataclass(slots=True)
class Claim:
    """A candidate claim: one sentence and its features."""

    sentence: Passage
    origin: str
    position: float  # 0.0 = first sentence of its article, 1.0 = last
    order: int  # index of the sentence in its article
    trim: int  # characters of dateline or label to skip before the claim proper
    stems: list[str]
    figures: tuple[Figure, ...]  # figures of `text` (offsets into it); frames come from these
    names: set[str]
    cues: dict[str, str] = field(default_factory=dict)  # family -> matched phrase
    nearby_cues: dict[str, str] = field(default_factory=dict)  # cues in neighbour sentences
    candidate: bool = True
    weak_start: bool = False
    on_record: bool = False  # the sentence names who says it (a speech verb and a name)
    instruction: bool = False  # addresses a model ("ignore previous instructions"): never a claim
    nearby_on_record: bool = False  # a neighbour sentence does
    published: datetime | None = None  # the article's publication time (dates its weekdays)
    asserted: list[str] | None = None  # stems less those of its attribution cues (None: all stems)

    @property
    def asserted_stems(self) -> list[str]:
        """What the sentence asserts, without how it is attributed ("speaking on condition of
        anonymity", "reportedly"): two sentences sharing only that tell different facts."""
        return self.stems if self.asserted is None else self.asserted

    @property
    def text(self) -> str:
        return self.sentence.text[self.trim :]

    @property
    def start(self) -> int:
        return self.sentence.start + self.trim


@lru_cache(maxsize=1)
def cue_patterns() -> dict[str, re.Pattern[str]]:
    """Compiled cue families from the packaged lexicon, one regex per family."""
    return {
        name: re.compile(r"\b(?:" + "|".join(fam["patterns"]) + r")", re.IGNORECASE)
        for name, fam in data.read("cues.toml").items()
    }


@lru_cache(maxsize=1)
def cue_reasons() -> dict[str, str]:
    return {name: fam.get("reason", name) for name, fam in data.read("cues.toml").items()}


def find_cues(text: str) -> dict[str, str]:
    """Attribution cue families present in a sentence, with the phrase that matched."""
    found = {}
    for family in CUE_FAMILIES:
        m = cue_patterns()[family].search(text)
        if m:
            found[family] = m.group().strip()
    return found


def is_claim_like(text: str) -> bool:
    """A full declarative sentence a briefing could state: not a headline, crumb or question."""
    words = text.split()
    if not 7 <= len(words) <= 70:
        return False
    if not _TERMINAL.search(text.rstrip()) or text.rstrip().endswith("?"):
        return False
    if not (text[0].isupper() or text[0] in "“\"‘'"):
        return False
    if cue_patterns()["meta"].search(text):
        return False  # about the reporting, not the story
    if _bare_quote(text) and not cue_patterns()["speech"].search(_QUOTED.sub(" ", text)):
        return False  # bare quoted speech: we could not keep it attributed
    return True


def _bare_quote(text: str) -> bool:
    """Mostly quotation, or opening with one: someone's words more than the writer's.
    A short quoted phrase inside the writer's own sentence is still the writer's claim."""
    quoted = list(_QUOTED.finditer(text))
    if not quoted:
        return False
    return quoted[0].start() == 0 or sum(m.end() - m.start() for m in quoted) * 2 >= len(text)


def _trim(text: str) -> int:
    """Length of a dateline ("KYIV, Ukraine—") or label ("Details: ") to drop from the claim."""
    m = _DATELINE.match(text) or _LABEL.match(text)
    return m.end() if m and len(text) - m.end() > 40 else 0


NEARBY_SENTENCES = 2
# the next sentence speaking of "the figure" or "the claim" qualifies the one before
_BACK_REFERENCE = re.compile(
    r"\b(?:the|this|that|these|those) (?:figures?|claims?|estimates?|numbers?|allegations?|videos?|"
    r"footage|images?|documents?|reports?|accounts?|statements?)\b",
    re.IGNORECASE,
)


def _link_neighbours(claims: list[Claim], text: str) -> None:
    """Give each claim the cues of nearby sentences that talk about the same thing: a
    "could not verify the memo" two sentences on still qualifies the memo's claim."""
    for i, c in enumerate(claims):
        for j in range(max(0, i - NEARBY_SENTENCES), min(len(claims), i + NEARBY_SENTENCES + 1)):
            other = claims[j]
            lo, hi = sorted((c.sentence.end, other.sentence.start)) if j > i else sorted((other.sentence.end, c.sentence.start))
            if j == i or "\n" in text[lo:hi]:
                continue
            if not set(c.stems) & set(other.stems) and not (j == i + 1 and _BACK_REFERENCE.search(other.text)):
                continue
            for family, phrase in other.cues.items():
                c.nearby_cues.setdefault(family, phrase)
            c.nearby_on_record |= other.on_record


@dataclass(frozen=True, slots=True)
class _Features:
    stems: list[str]
    asserted: list[str]
    figures: tuple[Figure, ...]
    names: set[str]
    cues: dict[str, str]
    candidate: bool
    weak_start: bool
    on_record: bool
    instruction: bool


@lru_cache(maxsize=65536)
def _features(sentence: str, trim: int) -> _Features:
    """Everything we read off one sentence; cached, as syndicated copies repeat sentences."""
    body = sentence[trim:]
    first = body.split(maxsplit=1)[0].lower().strip("“\"‘'") if body.strip() else ""
    names = entities(body)
    cues = find_cues(sentence)
    instruction = bool(cue_patterns()["instruction"].search(sentence))
    stems = content_stems(body)
    said = {w for m in cue_patterns()["speech"].finditer(body) for w in content_stems(m.group())}
    said.update(w for phrase in cues.values() for w in content_stems(phrase))
    return _Features(
        stems=stems,
        asserted=[w for w in stems if w not in said],
        figures=figures(body),
        names=names,
        cues=cues,
        candidate=is_claim_like(body) and not instruction,
        weak_start=first in _WEAK_START or bool(_DEICTIC.match(body)),
        on_record=bool(names) and "anonymous" not in cues and bool(cue_patterns()["speech"].search(body)),
        instruction=instruction,
    )


def extract_claims(corpus: Corpus) -> list[Claim]:
    """Every sentence of the corpus as a claim; `candidate` marks those worth stating."""
    by_article: dict[str, list[Passage]] = {}
    for s in corpus.sentences:
        by_article.setdefault(s.article_id, []).append(s)
    claims: list[Claim] = []
    for article_id, sentences in by_article.items():
        origin = corpus.dedup.origins.get(article_id, article_id)
        published = corpus.article(article_id).published_at
        article_claims = []
        for i, s in enumerate(sentences):
            trim = _trim(s.text)
            f = _features(s.text, trim)
            article_claims.append(
                Claim(
                    sentence=s,
                    origin=origin,
                    position=i / max(1, len(sentences) - 1),
                    order=i,
                    trim=trim,
                    stems=f.stems,
                    asserted=f.asserted,
                    figures=f.figures,
                    names=f.names,
                    cues=f.cues,
                    candidate=f.candidate,
                    weak_start=f.weak_start,
                    on_record=f.on_record,
                    instruction=f.instruction,
                    published=published,
                )
            )
        _link_neighbours(article_claims, corpus.article(article_id).text)
        claims.extend(article_claims)
    return claims

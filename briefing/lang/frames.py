"""Quantity frames: each figure of a sentence with the slots that say what it is about.

A figure alone ("17") says little; two outlets' figures can only disagree when they count
the same thing in the same way. A frame adds, from spaCy's dependency parse:

    thing       the noun the figure counts ("6,400 residents" -> resident; "three of the
                nine tankers" -> tanker, whole 9; "a ransom of €2.5 million" -> ransom)
    predicate   the verb it belongs to (lemma: "were evacuated" -> evacuate)
    role        the preposition it fills ("since 2009" -> since, "by 2028" -> by)
    modality    "planned" (will, plans to, expected, proposed, forecast) or "happened"
    negated     "did not rise to 20"
    attribution who says it ("according to the governor", "officials said")
    period      the year or relative year it is dated by ("the 2026 budget", "last year")
    place       the named place its clause tells of ("killed in Central Aceh district"), or a
                count of places or a scope ("across three states", "worldwide")
    when        the day or month its own clause dates it by ("on Monday", "in May"), or
                "since" for a running count ("arrested 30 since the protests began")
    changed     it says the figure changed ("rose to", "revised"); `now`: "now", "so far"
    published   the article's publication time; weekdays and "yesterday" become dates

Only sentences holding a figure are parsed, in one batch (see `read`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from . import nlp
from .lexicon import lexicon
from .numbers import Figure, figures

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")
# speech verbs: the figure is what they report, not what they do
_SPEECH = frozenset("say tell report announce state add claim estimate write confirm insist note argue".split())
_NOUNS = ("NOUN", "PROPN")
# "six more bodies", "17 new cases": an increment, never a total
_MORE = re.compile(r"\s+(?:more|additional|extra|further|new|fewer)\b", re.IGNORECASE)
_MORE_BEFORE = re.compile(r"\b(?:a further|an additional|an extra)\s+$", re.IGNORECASE)
# "46 percent fewer", "12% higher": a percentage told as a change
_COMPARATIVE = re.compile(r"\s+(?:fewer|less|more|lower|higher|smaller|bigger|greater|larger|cheaper|dearer)\b",
                          re.IGNORECASE)
_YEARS_OLD = re.compile(r"-years?-old\b|\s+years?\s+old\b")
AGE = "age of "  # the thing of a person's age: "age of ambrosek", "age of the founder"


@dataclass(frozen=True, slots=True)
class Frame:
    """A figure and what it is about (see the module docstring)."""

    figure: Figure
    thing: str | None = None
    whole: float | None = None
    predicate: str | None = None
    role: str | None = None
    modality: str = "happened"
    negated: bool = False
    attribution: str | None = None
    period: int | None = None
    changed: bool = False
    direction: int = 0  # +1 it says the figure rose ("rose to", "up from"), -1 fell, 0 neither
    now: bool = False  # it places the figure in a running story ("now", "so far")
    published: datetime | None = None
    context: frozenset[str] = frozenset()  # content lemmas of the figure's clause
    agent: str | None = None  # a named doer of the verb ("the Red Sox made an offer"); for an age, whose (full name)
    level: bool = False  # it states its thing's level: "revenue was / fell to / reported sales of"
    nouns: frozenset[str] = frozenset()  # nouns naming what it is about (see `_noun_words`)
    place: str | None = None  # the named place it happened in ("in Bener Meriah district")
    when: tuple[str, int] | None = None  # the day or month its clause dates it by (see `_when`)

    def shared(self, other: Frame) -> int:
        """How many content words the two frames' clauses share."""
        return len(self.context & other.context)

    @property
    def kind(self) -> str:
        return self.figure.kind

    @property
    def value(self) -> float:
        return self.figure.value

    @property
    def unit(self) -> str:
        return self.figure.unit

    @property
    def text(self) -> str:
        return self.figure.text

    @property
    def measure(self) -> tuple[str, str]:
        """What must match for two figures to be compared: a count never meets a percentage,
        a sum in euros never one in dollars, a clock time never a duration."""
        kind = "count" if self.kind == "measure" and not self.unit else self.kind
        unit = "clock" if self.kind == "time" else self.unit
        return kind, unit


@lru_cache(maxsize=1)
def _words() -> dict[str, frozenset[str] | dict[str, str] | dict[str, int]]:
    f = lexicon().frames
    units = set(f.unit_nouns) | set(lexicon().units.currency_words)
    return {
        "roles": frozenset(f.roles),
        "aux": frozenset(f.planned_aux),
        "planned": frozenset(f.planned_lemmas),
        "update": frozenset(f.update_lemmas),
        "update_words": frozenset(f.update_words),
        "rising": frozenset(f.rising),
        "falling": frozenset(f.falling),
        "rising_phrases": frozenset(w for w in f.rising if " " in w),
        "falling_phrases": frozenset(w for w in f.falling if " " in w),
        "now_words": frozenset(f.now_words),
        "alias": f.count_aliases,
        "units": frozenset(units),
        "periods": f.period_words,
        "source_verbs": frozenset(f.source_verbs),
        "change_nouns": frozenset(f.change_nouns),
        "time_nouns": frozenset(f.time_nouns),
        "places": frozenset(f.place_prepositions),
        "place_nouns": frozenset(f.place_nouns),
        "scope_words": frozenset(f.scope_words),
        "coercive": frozenset(f.coercive_verbs),
        "series": frozenset(f.series_words),
        "reporting": frozenset(f.reporting_verbs),
    }


def _alias(lemma: str | None) -> str | None:
    if lemma is None:
        return None
    aliases = _words()["alias"]
    assert isinstance(aliases, dict)
    return str(aliases.get(lemma.lower(), lemma.lower()))


def _verb_alias(lemma: str) -> str:
    """One verb for one act ("shut" -> close), from the lexicon."""
    low = lemma.lower()
    return lexicon().frames.verb_aliases.get(low, low)


def _act(verb: Token) -> str:
    """The act a figure's verb tells, as one name: its alias ("shut" -> close, "killed" ->
    death); after "forced to", "ordered to", "made to", the verb that follows; a verb and its
    object the lexicon names together ("leave their homes" -> evacuee)."""
    if verb.lemma_.lower() in _words()["coercive"]:
        verb = next((c for c in verb.children if c.dep_ == "xcomp" and c.pos_ == "VERB"), verb)
    obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
    if obj is not None:
        phrase = lexicon().frames.act_phrases.get(f"{verb.lemma_.lower()} {obj.lemma_.lower()}")
        if phrase is not None:
            return phrase
    return str(_alias(_verb_alias(verb.lemma_)))


@lru_cache(maxsize=1)
def kinds_of_count() -> frozenset[str]:
    """Counts the lexicon names by their verb ("killed" -> death), people aside."""
    return frozenset(lexicon().frames.count_aliases.values()) - {"people"}


def _anchor(doc: Doc, start: int, end: int) -> Token | None:
    """The token that heads the figure's span in the parse."""
    toks = [t for t in doc if t.idx < end and t.idx + len(t.text) > start]
    if not toks:
        return None
    inside = {t.i for t in toks}
    heads = [t for t in toks if t.head.i not in inside or t.head.i == t.i]
    return heads[0] if heads else toks[0]


def _verb(tok: Token) -> Token | None:
    """The nearest verb above `tok` (itself if it is one)."""
    t = tok
    for _ in range(12):
        if t.pos_ in ("VERB", "AUX") and t.dep_ != "aux":
            return t
        if t.head.i == t.i:
            return t if t.pos_ in ("VERB", "AUX") else None
        t = t.head
    return None


def _of_object(tok: Token) -> Token | None:
    for child in tok.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            return next((g for g in child.children if g.dep_ == "pobj" and g.pos_ in _NOUNS), None)
    return None


def _counted_by_act(noun: Token) -> str | None:
    """"the number of people evacuated": people counted by what was done to them, a kind of
    count the lexicon names (evacuees), as "300 people were evacuated" is."""
    if noun.lemma_.lower() not in ("people", "person"):
        return None
    act = next((c for c in noun.children if c.dep_ == "acl" and c.pos_ == "VERB"), None)
    kind = _act(act) if act is not None else None
    return kind if kind in kinds_of_count() else None


def _thing(anchor: Token, fig: Figure) -> tuple[str | None, float | None]:
    """The noun a figure counts, and the whole it is part of ("three of the nine tankers")."""
    units = _words()["units"]
    if fig.kind in ("date", "time", "weekday", "relday"):
        return _event(anchor), None
    if fig.kind in ("percent", "points") and _of_object(anchor) is None:
        return _changed_thing(anchor), None
    a = anchor
    for _ in range(4):
        of = _of_object(a)
        if of is not None and of.lemma_.lower() not in units:
            whole = next((float(w.text.replace(",", "")) for w in of.children if w.dep_ == "nummod"
                          and w.text.replace(",", "").replace(".", "").isdigit()), None)
            return _counted_by_act(of) or of.lemma_.lower(), whole
        h = a.head
        if a.dep_ == "appos" and h.pos_ == "PROPN" and fig.kind == "count" and fig.value < 130:
            return f"{AGE}{h.lower_}", None  # "Ambrosek, 38": by surname
        if a.dep_ == "appos" and h.pos_ == "NOUN" and fig.kind == "count" and fig.value < 130 and any(
                c.dep_ == "det" and c.lower_ == "the" for c in h.children):
            return f"{AGE}the {h.lemma_.lower()}", None  # "The suspect, 46,": the suspect's age
        if a.dep_ in ("nummod", "quantmod", "compound", "amod", "nmod", "npadvmod", "appos") and h.pos_ in _NOUNS \
                and h.i != a.i:
            if h.lemma_.lower() in units:
                a = h
                continue
            if _hyphened(a, h) and h.dep_ in ("compound", "amod", "nmod", "npadvmod") and h.head.pos_ in _NOUNS \
                    and h.head.i > h.i:
                # "a 41-yard touchdown pass" measures one pass (pass yard), not yards at large;
                # "a 300-bed hospital" is one hospital's beds, never a count of hospitals
                return f"{h.head.lemma_.lower()} {h.lemma_.lower()}", None
            return h.lemma_.lower(), None
        if a.dep_ == "npadvmod" and h.pos_ == "ADJ" and h.dep_ == "amod" and h.head.pos_ in _NOUNS:
            return h.head.lemma_.lower(), None  # "a deal worth $184 million" values the deal
        if a.dep_ == "pobj" and a.head.lower_ == "of" and a.head.head.pos_ in _NOUNS:
            noun = a.head.head
            if noun.lemma_.lower() in units:
                a = noun
                continue
            return noun.lemma_.lower(), None
        break
    verb = _verb(a)
    if verb is None:
        return None, None
    # "fined the company $11 million", "paid the workers $5m": the one the sum goes to or
    # from is measured, never the doer ("Regulators")
    dative = next((c for c in verb.children if c.dep_ == "dative" and c.pos_ in _NOUNS), None) \
        if a.dep_ == "dobj" else None
    if dative is not None and dative.lemma_.lower() not in units:
        return dative.lemma_.lower(), None
    # "put the cost at 40 million", "cut days by 46%": the object is measured; "the toll
    # rose to 17", "revenue was 4.2 billion": the subject is
    by_prep = a.dep_ == "pobj" and a.head.dep_ == "prep"
    prefer = ("dobj", "nsubj", "nsubjpass") if by_prep or fig.kind in ("percent", "points") else (
        "nsubj", "nsubjpass", "dobj")
    for dep in prefer:
        for child in verb.children:
            if child.dep_ != dep or child.pos_ not in _NOUNS or child.i == a.i:
                continue
            if child.lemma_.lower() not in units:
                return child.lemma_.lower(), None
            of = _of_object(child)  # "the number of schools … has reached 12": schools
            if of is not None and of.lemma_.lower() not in units:
                return _counted_by_act(of) or of.lemma_.lower(), None
    return None, None


def _ordinal(doc: Doc, anchor: Token, thing: str | None, fig: Figure) -> str | None:
    """ "The first quake struck the coast at 4:43", "his first 17 passes": one of a series,
    never the same thing as the series' other members or as the whole ("the quake", "28
    passes"). The noun counted carries the ordinal, or for a date or time its verb's subject."""
    if not thing or " " in thing:
        return thing
    near = sorted((t for t in doc if t.lemma_.lower() == thing and t.pos_ in _NOUNS), key=lambda t: abs(t.i - anchor.i))
    nouns = near[:1]
    verb = _verb(anchor)
    if fig.kind in ("date", "time", "weekday", "relday") and verb is not None:
        nouns += [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    for noun in nouns:
        ordinal = next((c.lower_ for c in noun.children if c.dep_ == "amod" and c.lower_ in _words()["series"]), None)
        if ordinal:
            return f"{ordinal} {noun.lemma_.lower()}"  # "first pass", "first quake"
    return thing


def _place(anchor: Token, verb: Token | None) -> str | None:
    """The named place the figure's clause tells of: "70 were injured by collapsing buildings
    in Bener Meriah district" -> bener meriah (the name under the "in" nearest the figure in
    its verb's clause; months and weekdays are no places); or a count of places ("across
    three states" -> "three state"), which no one place is."""
    root = verb if verb is not None else anchor
    best: tuple[int, str] | None = None
    for prep in root.subtree:
        if prep.dep_ != "prep" or prep.lower_ not in ("in", "across"):
            continue
        obj = next((g for g in prep.children if g.dep_ == "pobj"), None)
        if obj is None:
            continue
        count = next((g for g in obj.children if g.dep_ == "nummod"), None)
        if count is not None and obj.lemma_.lower() in _words()["place_nouns"] and count.i != anchor.i:
            names = [count.lower_, obj.lemma_.lower()]
            if best is None or abs(prep.i - anchor.i) < best[0]:
                best = (abs(prep.i - anchor.i), " ".join(names))
            continue
        doc, k = obj.doc, obj.i if obj.pos_ == "PROPN" else obj.i - 1  # "Bener Meriah district"
        start = k
        while start > prep.i + 1 and doc[start - 1].pos_ == "PROPN":
            start -= 1
        names = [t.lower_ for t in doc[start : k + 1] if t.pos_ == "PROPN" and not _is_calendar(t.lower_)]
        if names and (best is None or abs(prep.i - anchor.i) < best[0]):
            best = (abs(prep.i - anchor.i), " ".join(names))
    if best is None:  # "cut 1,200 jobs worldwide": a scope, never one named place
        return next((c.lower_ for c in root.children if c.lower_ in _words()["scope_words"]), None)
    return best[1] if best else None


def _when(doc: Doc, anchor: Token, verb: Token | None, fig: Figure,
          anchors: Sequence[tuple[Figure, Token | None]], published: datetime | None) -> tuple[str, int] | None:
    """The day or month a quantity's own clause dates it by: "destroyed 40 homes on Monday"
    -> that Monday's date, "rose to 4.1% in May" -> May, "in the second quarter" -> quarter 2;
    "have arrested 30 since the protests began" -> since (a running count). A date in a clause
    of saying ("officials said on Monday") or nearer another figure ("17, up from 11
    yesterday") dates something else. `anchors`: each figure of the sentence with its token."""
    if fig.kind in _POINT_KINDS:
        return None
    root = verb if verb is not None else anchor
    # the verb's own modifiers ("on Monday", "by Wednesday", "yesterday", "in May"), not those
    # of a clause under it ("after the board admitted on Wednesday …")
    span = {t.i for c in root.children if c.dep_ in _WHEN_DEPS for t in c.subtree} | {root.i}
    others = [a.i for g, a in anchors if a is not None and g is not fig and g.kind not in _POINT_KINDS]
    best: tuple[int, tuple[str, int]] | None = None
    for g, tok in anchors:
        if g.kind not in ("date", "weekday", "relday") or tok is None or tok.i not in span:
            continue
        gap = abs(tok.i - anchor.i)
        if any(abs(tok.i - o) < gap for o in others):
            continue
        day = resolved(g, published)
        if best is None or gap < best[0]:
            best = (gap, (day.kind, int(day.value)))
    if best is not None:
        return best[1]
    for t in root.subtree:  # "in the first quarter", "in the second round", "in Q2": one of a series
        if t.i in span and t.pos_ == "NOUN" and t.i != anchor.i:
            nth = next((_ordinals()[c.lower_] for c in t.children if c.lower_ in _ordinals() and c.dep_ == "amod"), None)
            if nth is not None:
                return (t.lemma_.lower(), nth)
        if t.i in span and re.fullmatch(r"[QH][1-4]", t.text):
            return ("quarter" if t.text[0] == "Q" else "half", int(t.text[1]))
    if any(t.lower_ == "since" for t in root.children if t.dep_ in ("prep", "mark", "advcl")) or any(
            c.dep_ == "advcl" and any(m.lower_ == "since" for m in c.children) for c in root.children):
        return ("since", 0)  # a count since something began: never one day's count
    months = lexicon().dates.months
    named = [t for t in doc if t.i in span and t.pos_ == "PROPN" and t.lower_ in months and t.text[:1].isupper()
             and not any(t.idx >= g.start and t.idx < g.end for g, _ in anchors)]
    if named:
        month = min(named, key=lambda t: abs(t.i - anchor.i))
        return ("month", months[month.lower_])
    return None


@lru_cache(maxsize=1)
def _ordinals() -> dict[str, int]:
    """Ordinal words: the lexicon's, and "first" and "second", which it leaves out of figures
    ("a second" is a duration)."""
    return {"first": 1, "second": 2, **lexicon().numbers.ordinals}


_WHEN_DEPS = frozenset({"prep", "npadvmod", "advmod", "tmod", "obl"})
_POINT_KINDS = frozenset({"date", "weekday", "relday", "time", "year", "decade", "ordinal", "label"})


def _hyphened(a: Token, h: Token) -> bool:
    """ "41-yard": the number and its noun written as one modifier of a noun after them."""
    doc = a.doc
    return h.i == a.i + 2 and doc[a.i + 1].text == "-" and not doc[a.i].whitespace_ and not doc[a.i + 1].whitespace_


def _changed_thing(anchor: Token) -> str | None:
    """What a percentage change is of: "46 percent fewer migraine days" -> day; "a
    reduction of 38% in migraine days" -> day; "cut the number of days by 46%" -> day;
    "revenue fell 7 per cent" -> revenue."""
    units = _words()["units"]
    h = anchor.head
    if h.pos_ in ("ADJ", "ADV") and h.head.pos_ in _NOUNS:
        return h.head.lemma_.lower()
    if anchor.dep_ == "pobj" and h.lower_ == "of" and h.head.pos_ in _NOUNS:
        for child in [*h.head.children, *anchor.children]:
            if child.dep_ == "prep" and child.lower_ == "in":
                obj = next((g for g in child.children if g.dep_ == "pobj"), None)
                if obj is not None:
                    return obj.lemma_.lower()
        return h.head.lemma_.lower()
    verb = _verb(anchor)
    if verb is None:
        return None
    for dep in ("dobj", "nsubj", "nsubjpass"):
        for child in verb.children:
            if child.dep_ == dep and child.pos_ in _NOUNS and child.i != anchor.i:
                if child.lemma_.lower() in units:
                    of = _of_object(child)
                    return of.lemma_.lower() if of is not None else None
                return child.lemma_.lower()
    return None


def _whose_age(anchor: Token, thing: str) -> str | None:
    """The full name of the person whose age a figure gives, when the sentence writes one
    ("Katherine Gomes, 61" -> katherine gomes): two given names under one surname are two
    people. None for a surname alone ("Gomes, 61"), which may be either."""
    surname = thing.removeprefix(AGE)
    t = anchor
    for _ in range(5):
        if t.pos_ == "PROPN" and t.lower_ == surname:
            given = [c.lower_ for c in t.children if c.dep_ == "compound" and c.pos_ == "PROPN" and c.i < t.i]
            return " ".join([*given, t.lower_]) if given else None
        if t.head.i == t.i:
            break
        t = t.head
    return None


def _aged(anchor: Token) -> str:
    """Whose age: "Felix Ambrosek, 38" and "Ambrosek, 38" -> age of ambrosek (a person is
    named by surname after the first mention); "the 41-year-old founder" -> age of the
    founder (one person the story can name: see `resolve_ages`); "a 47-year-old man" ->
    age of a man (whose, we cannot tell)."""
    t = anchor
    for _ in range(4):
        if t.pos_ == "PROPN":
            return f"{AGE}{t.lower_}"
        if t.pos_ == "NOUN" and t.lower_ not in ("year", "years", "old"):
            definite = any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") or c.dep_ == "poss"
                           for c in t.children)
            return f"{AGE}{'the' if definite else 'a'} {t.lemma_.lower()}"
        if t.head.i == t.i:
            break
        t = t.head
    return "age"


def _event(anchor: Token) -> str | None:
    """What happened at a date or time: the object of its verb ("discovered the leak on
    14 June", "alerted to the leak on Monday" -> leak), else its subject."""
    nouns = _event_nouns(anchor)
    return nouns[0] if nouns else None


def _event_nouns(anchor: Token) -> list[str]:
    """Every noun a date's or time's verb takes, the likeliest event first: its object, the
    objects of its prepositions (not of place: "started in the hall" is no event of the hall),
    its subject, then those of a verb it completes ("fuel began leaking on Tuesday": fuel)."""
    verb = _verb(anchor)
    if verb is None:
        return []
    own = {t.i for t in anchor.ancestors} | {anchor.i}
    out: list[str] = []
    for v in (verb, verb.head) if verb.dep_ == "xcomp" else (verb,):
        kids = list(v.children)
        out += [c.lemma_.lower() for c in kids if c.dep_ == "dobj" and _eventful(c)]
        for child in kids:
            if child.dep_ == "prep" and child.i not in own and child.lower_ not in _words()["places"]:
                obj = next((g for g in child.children if g.dep_ == "pobj" and g.pos_ in _NOUNS), None)
                if obj is not None and not obj.ent_type_ and obj.lemma_.lower() not in _words()["units"]:
                    out.append(obj.lemma_.lower())
        out += [c.lemma_.lower() for c in kids if c.dep_ in ("nsubjpass", "nsubj") and _eventful(c)]
    times = _words()["time_nouns"]
    return [n for n in dict.fromkeys(out) if n not in times and not _is_calendar(n)]


def _is_calendar(word: str) -> bool:
    """A day or month name ("on Friday", "in March"): when, never what happened."""
    d = lexicon().dates
    return word in d.weekdays or word in d.months or word in d.relative


def _eventful(t: Token) -> bool:
    """A noun that can name what happened: not a person ("Ambrosek was arrested on Tuesday"
    and "Ambrosek stood in court on Thursday" are two events of one man). The frames' parse
    runs no entity recogniser: a proper noun is a person's name unless "the" leads it."""
    if t.pos_ == "PROPN":  # a name without "the" is someone's ("Felix Ambrosek"), with it a place's
        return any(c.dep_ == "det" for c in t.children)
    return t.pos_ == "NOUN"


def _noun_words(doc: Doc, anchor: Token, fig: Figure, thing: str | None) -> frozenset[str]:
    """The words that name what a figure is about: a date's every event noun; a quantity's
    noun with the nouns compounded with it ("fuel oil": oil, fuel)."""
    if fig.kind in ("date", "time", "weekday", "relday"):
        return frozenset(_alias(n) or n for n in _event_nouns(anchor))
    if thing is None:
        return frozenset()
    near = [t for t in doc if t.lemma_.lower() == thing and abs(t.i - anchor.i) <= 8]
    return frozenset({thing, *(c.lemma_.lower() for t in near for c in t.children if c.dep_ == "compound" and c.pos_ == "NOUN")})


def _role_of(anchor: Token, fig: Figure, text: str) -> str | None:
    """The figure's role: its preposition, or "more" for an increment ("six more bodies"),
    "share" for a part ("57% of patients"), "whole" for the total a part is of ("108 of
    the 210 seats": 210)."""
    if fig.kind == "count" and (_MORE.match(text, fig.end) or _MORE_BEFORE.search(text, 0, fig.start)):
        return "more"  # "six more bodies", "a further 150 soldiers": an increment, not a total
    if fig.kind == "count" and any(c.dep_ == "prep" and c.lower_ == "of" and any(
            g.dep_ == "pobj" and g.pos_ == "PRON" for g in c.children) for c in anchor.children):
        return "part"  # "six of them": a part of a count told before
    if fig.kind in ("percent", "points"):
        if _of_object(anchor) is not None:
            return "share"
        if _is_change(anchor, fig, text):
            return "by"  # "46 percent fewer", "a reduction of 38%", "fell 7%": the size of a change
    h = anchor.head
    if anchor.dep_ == "nummod" and h.dep_ == "pobj" and h.head.lower_ == "of" and h.head.head.like_num:
        return "whole"
    if anchor.dep_ in ("nummod", "poss") and h.dep_ == "pobj" and h.head.lower_ == "of":
        up = h.head.head
        if up.like_num or any(c.like_num for c in up.children if c.dep_ == "nummod"):
            return "whole"
    role = _role(anchor)
    if fig.kind not in ("date", "weekday", "relday", "time"):
        return role
    if role in ("after", "before") and _NEARLY.search(text, 0, fig.start):
        return "at"  # "shortly after 10 p.m.", "just before dawn": about then
    if role is None:
        before = _WORD_BEFORE.search(text, 0, fig.start)
        if before is not None and before.group(1).lower() in _words()["roles"]:
            return before.group(1).lower()  # "missing since Thursday", whatever the parse made of it
    return role


_NEARLY = re.compile(r"\b(?:shortly|just|soon|moments|minutes|right)\s+(?:after|before)\s+$", re.IGNORECASE)


_WORD_BEFORE = re.compile(r"\b(\w+)\s+(?:the\s+)?$")


def _is_change(anchor: Token, fig: Figure, text: str) -> bool:
    """Is a percentage the size of a change, however told: "cut by 46 percent", "46 percent
    fewer days", "a reduction of 38%", "revenue fell 7 per cent"?"""
    w = _words()
    if _COMPARATIVE.match(text, fig.end):
        return True
    h = anchor.head
    if anchor.dep_ == "pobj" and h.lower_ == "of" and h.head.lemma_.lower() in w["change_nouns"]:
        return True
    if anchor.dep_ == "pobj" and h.lower_ == "by":
        return True
    verb = _verb(anchor)  # "fell 7%" is a change's size; "reached 67%" and "hit 5%" a level
    return _role(anchor) is None and verb is not None and (
        verb.lemma_.lower() in w["rising"] or verb.lemma_.lower() in w["falling"])


def _role(anchor: Token) -> str | None:
    roles = _words()["roles"]
    t = anchor
    for _ in range(3):
        if t.dep_ == "pobj" and t.head.lower_ in roles:
            return t.head.lower_
        if t.dep_ not in ("nummod", "quantmod", "compound", "amod", "nmod") or t.head.i == t.i:
            return None
        t = t.head
    return None


def _modality(anchor: Token) -> tuple[str, bool]:
    """("planned" | "happened", negated), from the figure's own verb: its auxiliaries
    ("will", "would have to"), its lemma ("plans", "expected"), and verbs it complements
    ("plans to cut", "expected to rise"); a relative clause keeps its own tense."""
    aux, planned = _words()["aux"], _words()["planned"]
    t, plan, neg = anchor, _forecast(anchor), False
    for _ in range(12):
        if t.lemma_.lower() in planned:
            plan = True
        is_verb = t.pos_ in ("VERB", "AUX")
        if is_verb:
            for child in t.children:
                if child.dep_ == "neg":
                    neg = True
                if child.dep_ in ("aux", "auxpass") and child.lower_ in aux:
                    plan = True
                if child.dep_ in ("nsubj", "nsubjpass", "dobj") and child.lemma_.lower() in planned:
                    plan = True  # "an estimate put the cost at …", "the plan sets …"
        if t.head.i == t.i or t.lemma_.lower() in _SPEECH:
            break
        if is_verb and t.dep_ not in ("xcomp", "auxpass", "aux"):
            break
        t = t.head
    return ("planned" if plan else "happened"), neg


def _forecast(anchor: Token) -> bool:
    """A figure a clause calls a forecast: "the 4.9 billion expected by analysts", "the
    4.9bn that analysts had pencilled in"."""
    planned = _words()["planned"]
    t = anchor
    for _ in range(3):
        if any(c.dep_ in ("acl", "relcl") and c.lemma_.lower() in planned for c in t.children):
            return True
        if t.dep_ not in ("nummod", "quantmod", "compound") or t.head.i == t.i:
            return False
        t = t.head
    return False


def _attribution(doc: Doc) -> str | None:
    """Who a sentence says it from: "according to X", or the subject of a speech verb."""
    for t in doc:
        if t.lower_ == "according" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to":
            objs = [c for c in doc[t.i + 1].children if c.dep_ == "pobj"]
            if objs:
                return " ".join(w.text for w in objs[0].subtree)
    for t in doc:
        if t.lemma_ in _SPEECH and t.pos_ == "VERB":
            subj = next((c for c in t.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subj is not None and subj.pos_ != "PRON":
                return " ".join(w.text for w in subj.subtree)
    return None


def _period(text: str, fig: Figure, figs: Sequence[Figure], published: datetime | None) -> int | None:
    """The year a figure is dated by: a year written in its sentence, or "last year"."""
    years = [f for f in figs if f.kind == "year" and f is not fig]
    if years:
        return int(min(years, key=lambda y: abs(y.start - fig.start)).value)
    if published is not None:
        low = text.lower()
        periods = _words()["periods"]
        assert isinstance(periods, dict)
        for phrase, offset in periods.items():
            if phrase in low:
                return published.year + int(offset)
    return None


def resolved(fig: Figure, published: datetime | None, planned: bool = False) -> Figure:
    """A weekday or "yesterday" as the date it names, counted back from publication (a
    Monday in an article of Wednesday 4 March is Monday 2 March), or forward for a plan
    ("schools will be closed on Monday", in an article of Sunday: the next day)."""
    if published is None or fig.kind not in ("weekday", "relday"):
        return fig
    day = published.date()
    if fig.kind == "weekday" and planned:
        day += timedelta(days=(int(fig.value) - day.weekday()) % 7)
    elif fig.kind == "weekday":
        day -= timedelta(days=(day.weekday() - int(fig.value)) % 7)
    else:
        day += timedelta(days=int(fig.value))
    value = day.month * 100 + day.day
    return replace(fig, kind="date", unit="md", value=value, lo=value, hi=value, number=value, year=day.year)


def _states_level(predicate: str | None, role: str | None) -> bool:
    """Does the figure give its thing's level, whatever verb tells it: a light verb ("revenue
    was 4.2bn"), a verb of telling ("reported sales of 4.6bn"), or a change to it ("revenue
    fell to 4.2bn")? "22 wagons derailed" gives no level: it counts those that did."""
    f = lexicon().frames
    if predicate is None:
        return False
    return predicate in f.light_verbs or predicate in f.source_verbs or (role == "to" and predicate in f.update_lemmas)


def _plain_role(fig: Figure, role: str | None) -> str | None:
    """Prepositions that only introduce a quantity's value ("sales of 4.6bn", "rose to 17",
    "put the cost at 40m"; a duration "for six days", "after a nine-day outage") are no role.
    A date's or time's preposition always is ("on", "by", "since")."""
    f = lexicon().frames
    plain = f.duration_roles if fig.kind == "duration" else f.value_roles
    return None if fig.kind not in ("date", "time", "weekday", "relday") and role in plain else role


def _ended_by(verb: Token | None) -> str | None:
    """The verb that ends a state its verb keeps ("stay closed", "remain shut", "were suspended")."""
    if verb is None:
        return None
    ends = lexicon().frames.until_ends
    for t in (verb, *(c for c in verb.children if c.dep_ in ("acomp", "oprd", "xcomp"))):
        if t.lower_ in ends:
            return ends[t.lower_]
    return None


def _context(anchor: Token, fig: Figure) -> frozenset[str]:
    """Content lemmas of the clause the figure sits in (its verb's subtree, without nested
    clauses of their own), leaving out the figure's own words and speech verbs."""
    verb = _verb(anchor)
    if verb is None:
        return frozenset()
    units = _words()["units"]
    out = set()
    for t in verb.subtree:
        if fig.start <= t.idx < fig.end or t.pos_ not in ("NOUN", "PROPN", "VERB", "ADJ") or t.is_stop:
            continue
        lemma = t.lemma_.lower()
        if lemma in units or lemma in _SPEECH or not lemma.isalpha():
            continue
        out.add(_alias(lemma) or lemma)
    return frozenset(out)


def _agent(verb: Token | None) -> str | None:
    """The named subject of the figure's verb: offers by two clubs are two offers."""
    if verb is None:
        return None
    subj = next((c for c in verb.children if c.dep_ in ("nsubj", "agent")), None)
    if subj is not None and subj.dep_ == "agent":
        subj = next((g for g in subj.children if g.dep_ == "pobj"), None)
    if subj is not None and subj.tag_ in ("WP", "WDT") and verb.dep_ == "relcl":
        subj = verb.head  # "Garrard, who completed 28 passes": Garrard
    if subj is not None and subj.pos_ == "PRON" and verb.dep_ == "ccomp" and verb.head.lemma_.lower() in _words()["reporting"]:
        # "The Indian Navy said it had captured 23 pirates": the teller is the doer
        subj = next((c for c in verb.head.children if c.dep_ == "nsubj"), None)
    # a capitalised subject the tagger took for a verb ("Manning threw for 364 yards") is a name
    if subj is None or not (subj.pos_ == "PROPN" or (subj.pos_ == "VERB" and subj.text[:1].isupper())):
        return None
    return " ".join(t.lower_ for t in subj.subtree if t.pos_ == "PROPN" or t.i == subj.i)


def _share_of(verb: Token, anchor: Token) -> str | None:
    """Whose share a percentage of a whole is: "Women make up 32% of the workforce" -> woman
    (men's 68% of it is another share). Not the share itself ("Ninety percent of the
    candidates come from …")."""
    subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.pos_ == "NOUN"), None)
    if subj is None or subj.i == anchor.i or anchor in subj.subtree or subj.lemma_.lower() in _words()["units"]:
        return None
    return subj.lemma_.lower()


def _changed(verb: Token | None, text: str) -> bool:
    if verb is not None and verb.lemma_.lower() in _words()["update"]:
        return True
    return _says(text, "update_words")


def _direction(verb: Token | None, text: str) -> int:
    """+1 when the figure's verb or a phrase of the sentence ("up from 11") says it rose,
    -1 fell, 0 neither."""
    lemma = verb.lemma_.lower() if verb is not None else ""
    ways = ((1, "rising"), (-1, "falling"))
    by_verb = next((sign for sign, table in ways if lemma in _words()[table]), 0)
    return by_verb or next((sign for sign, table in ways if _says(text, f"{table}_phrases")), 0)


def _says(text: str, table: str) -> bool:
    low = f" {text.lower()} "
    return any(f" {w} " in low for w in _words()[table])


def _frames_in(doc: Doc, text: str, published: datetime | None) -> tuple[Frame, ...]:
    figs = figures(text)
    attribution = _attribution(doc)
    anchors = [(fig, _anchor(doc, fig.start, fig.end)) for fig in figs]
    out = []
    for fig, anchor in anchors:
        if anchor is None:
            out.append(Frame(resolved(fig, published), published=published))
            continue
        thing, whole = (_aged(anchor), None) if _YEARS_OLD.match(text, fig.end) else _thing(anchor, fig)
        verb = _verb(anchor)
        modality, negated = _modality(anchor)
        fig2 = resolved(fig, published, modality == "planned")
        predicate = _act(verb) if verb is not None else None
        thing = _ordinal(doc, anchor, _alias(thing), fig)
        if thing in (None, "people") and predicate in kinds_of_count():
            thing = predicate  # "killed 11 people" counts deaths
        role = _role_of(anchor, fig, text)
        if role == "until" and (ends := _ended_by(verb)) is not None:
            predicate, role = ends, "on"  # "stays closed until 30 March": reopens on 30 March
        level = _states_level(predicate, role)
        role = _plain_role(fig, role)
        out.append(
            Frame(
                figure=fig2,
                thing=thing,
                whole=whole,
                predicate=predicate,
                role=role,
                modality=modality,
                negated=negated,
                attribution=attribution,
                period=_period(text, fig, figs, published),
                changed=_changed(verb, text),
                direction=_direction(verb, text),
                now=_says(text, "now_words"),
                published=published,
                context=_context(anchor, fig),
                agent=_whose_age(anchor, thing) if thing and thing.startswith(AGE) else
                None if verb is None or verb.lemma_.lower() in _words()["source_verbs"] else
                _agent(verb) or (_share_of(verb, anchor) if role == "share" else None),
                level=level,
                nouns=_noun_words(doc, anchor, fig, thing),
                place=_place(anchor, verb),
                when=_when(doc, anchor, verb, fig, anchors, published),
            )
        )
    return tuple(out)


_cache: dict[tuple[str, datetime | None], tuple[Frame, ...]] = {}
_CACHE_MAX = 65536


def read(items: Sequence[tuple[str, datetime | None]]) -> list[tuple[Frame, ...]]:
    """Frames of each (sentence, publication time), in order: sentences without a figure
    are not parsed, the rest are parsed in one batch; results are cached."""
    todo = [it for it in dict.fromkeys(items) if it not in _cache and figures(it[0])]
    if todo:
        docs = nlp.parse([t for t, _ in todo], components=COMPONENTS)
        if len(_cache) + len(todo) > _CACHE_MAX:
            _cache.clear()
        for (text, published), doc in zip(todo, docs, strict=True):
            _cache[(text, published)] = _frames_in(doc, text, published)
    return [_cache.get(it, ()) for it in items]


def reported(text: str) -> str | None:
    """What a sentence reports when its main verb is one of saying: "The announcer said the
    race was cancelled" reports "the race was cancelled". None for any other sentence."""
    doc = nlp.parse_one(text, components=COMPONENTS)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.lemma_ not in _SPEECH:
        return None
    clause = next((c for c in root.children if c.dep_ == "ccomp"), None)
    return None if clause is None else " ".join(w.text for w in clause.subtree)


def frames(text: str, published: datetime | None = None) -> tuple[Frame, ...]:
    """Frames of one sentence (see `read` for many)."""
    return read([(text, published)])[0]

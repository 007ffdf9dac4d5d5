"""Conflict stage: find where independent sources disagree on a figure, date, name or vote.

Figures are compared as quantity frames (briefing.lang.frames): two frames from different
independent origins disagree when they measure the same way (kind and unit), their
intervals do not meet ("more than 6,400" vs "about 9,000"; "84.3 billion" = "84,300
million" meet), and their slots match: the thing counted, its verb, its role ("since
2009" never meets "by 2028"), both happened or both planned, the same year of a measure
(the 2026 budget never meets the 2025 one). When the later article says the figure
changed ("rose to 17", "revised", a higher figure "now"), it is an update,
not a disagreement: the briefing states the latest value and notes the earlier one.
Who holds a role (read from the parse: briefing.lang.roles) and vote tallies ("unanimous"
vs "five-to-two") are compared too. Each value keeps the citation of its sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import combinations

import numpy as np

from briefing import budget
from briefing.claims import Claim
from briefing.lang import frames as frames_mod
from briefing.lang import nlp
from briefing.lang import roles
from briefing.lang.frames import Frame
from briefing.lang.lexicon import lexicon
from briefing.lang.numbers import Figure
from briefing.models import Citation, Conflict, ConflictValue
from briefing.similarity import SimilarityIndex
from briefing.text import STOPWORDS, stem

_TO = r"(?:\s*[-–—]\s*|\s+to\s+|-to-)"


@lru_cache(maxsize=1)
def _counts() -> dict[str, int]:
    """Number words a tally is told in ("five-to-two"), from the lexicon."""
    return {"zero": 0, "one": 1, **{w: n for w, n in lexicon().numbers.units.items() if n <= 12}}


def _alt(words: Sequence[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _tally() -> re.Pattern[str]:
    """A vote's tally however told (the words are the lexicon's [votes]): "a five-to-two
    decision", "voted 5-2", "passed the budget 112 to 98", "110 votes in favour and 100
    against", "unanimous"."""
    v = lexicon().votes
    count = rf"(?:\d{{1,3}}|{'|'.join(_counts())})"
    return re.compile(
        rf"\b(?P<yes>{count}){_TO}(?P<no>{count})\s+(?:{_alt(v.nouns)})\b"
        rf"|\b(?P<verb>{_alt(v.verbs)})\b[^.;:]{{0,80}}?(?<![\d,.])\b(?P<yes2>{count}){_TO}(?P<no2>{count})\b(?![,.]?\d)"
        rf"|\b(?P<yes3>{count})\s+(?:\w+\s+)?(?:{_alt(v.favour)})\b[^.;:\d]{{0,30}}?\b(?P<no3>{count})\s+(?:\w+\s+)?(?:{_alt(v.against)})\b"
        r"|(?<!not )(?<!n't )\bunanimous(?:ly)?\b",
        re.IGNORECASE,
    )


def _is_verb(text: str, start: int) -> bool:
    """The parse tags the word at `start` a verb ("passed the budget"), not a noun ("a pass")."""
    doc = nlp.parse_one(text, components=("tok2vec", "tagger", "attribute_ruler"))
    return any(
        t.idx == start and t.pos_ in ("VERB", "AUX") and (t.i == 0 or doc[t.i - 1].pos_ not in ("NUM", "DET"))
        for t in doc
    )  # a word after a number or an article is a noun whatever its tag ("34 passes")


@lru_cache(maxsize=1)
def _dissent() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{_alt(lexicon().votes.dissent)})\b", re.IGNORECASE)


# Work bounds of the pair search. Real stories have at most ~7 candidate partners per
# claim and ~30 pairs in all, and a few conflicts; many sentences that share words and
# each carry a figure once gave 20,000 "conflicts" and minutes of work. Higher finds
# more disagreements in huge, repetitive inputs; lower is faster.
MAX_PARTNERS = 20  # candidate partners per claim, most similar first
MAX_PAIRS = 20_000  # candidate pairs per build, most similar first
MAX_CONFLICTS = 25  # conflicts reported per build (a briefing listing more says nothing)
MAX_VALUES = 6  # values listed in one conflict, in the order found
MAX_KEY_MEMBERS = 50  # claims sharing one key ("killed … people") compared all with all

MIN_SIMILARITY = {"vote": 0.25}
# kinds never compared: a year is context ("since 2009"), an ordinal a rank, a weekday
# with no publication date to place it
_NOT_COMPARED = frozenset({"year", "ordinal", "decade", "weekday", "relday", "score", "conversion", "label"})


@lru_cache(maxsize=1)
def _tunables() -> dict[str, float]:
    t = lexicon().conflicts
    return {"same_thing": t.min_similarity_same_thing, "same_thing_other_verb": t.min_similarity_same_thing_other_verb, "same_verb": t.min_similarity_same_verb,
            "floor": t.min_similarity, "shared_words": t.min_shared_words, "shared_words_event": t.min_shared_words_event, "shared_words_other_thing": t.min_shared_words_other_thing,
            "max_parsed": t.max_parsed_sentences, "small_count": t.small_count,
            "max_figures": t.max_figures_per_sentence, "max_ratio": t.max_ratio}


# roles a figure never shares with a figure without one: a part's whole, a share, an
# increment, a start or an end ("since 2009" is not "in 2009")
_STRICT_ROLES = frozenset({"whole", "share", "part", "more", "since", "by", "until", "from", "against", "versus"})


def compared(f: Figure) -> bool:
    return f.kind not in _NOT_COMPARED and f.qualifier != "vague" and not f.one_word


def _key(f: Frame) -> str | None:
    """What a frame is about, for grouping reported values: its thing, else its verb."""
    return f.thing or f.predicate


def same_thing(a: Frame, b: Frame, sim: float, *, floor: bool = True) -> bool:
    """Do two frames measure the same thing in the same way, so differing values disagree?
    The noun counted and the verb decide; sentence similarity backs a match on one only."""
    if a.measure != b.measure or not compared(a.figure) or not compared(b.figure):
        return False
    if a.modality != b.modality and not (_told(a) or _told(b)) or a.negated or b.negated:
        return False  # a plan never meets a fact; a figure only told ("put the bill at") may be either
    if a.role != b.role and (a.role and b.role or {a.role, b.role} & _STRICT_ROLES):
        return False
    if a.period is not None and b.period is not None and a.period != b.period:
        return False  # the 2026 budget is not the 2025 one
    if (a.whole is not None and b.whole is not None) and a.whole != b.whole:
        return False
    if a.agent and b.agent and a.agent != b.agent:
        return False  # offers by two clubs are two offers
    if a.place and b.place and not _one_place(a.place, b.place):
        return False  # the dead of one district are not those of another
    if a.kind in ("date", "time") and not _one_event(a, b):
        return False
    if _unnamed_age(a) or _unnamed_age(b):
        return False  # "a 47-year-old man" and "the 39-year-old man" need not be one man
    if a.thing != b.thing and (_qualified(a) or _qualified(b)):
        return False  # "a 41-yard pass" is one pass's length, "his first 17 passes" a part: not "28 passes"
    if _is_age(a) != _is_age(b):
        return False  # a person's age is never a count of something else ("49" / "three sentences")
    if a.thing == b.thing and _is_age(a):
        return True  # one named person's age, whatever the sentence is about
    t = _tunables()
    if floor and a.kind == "count" and max(a.value, b.value) < t["small_count"] and not (
            a.thing and a.thing == b.thing and a.predicate == b.predicate):
        return False  # "two", "three": small counts abound; they meet only on noun and verb both
    shared = len((a.context & b.context) - {a.thing, b.thing})
    crossed = bool(a.thing and _noun(a.thing) == b.predicate or b.thing and _noun(b.thing) == a.predicate)
    if crossed or _one_noun(a, b):
        # the same noun counted, or one's noun is the other's verb ("put the cost at 40m" /
        # "will cost 52m"); a date or time is pinned by what happened then
        if floor and sim < t["floor"]:
            return False
        if crossed or _one_verb(a, b):
            return True
        if a.kind in ("date", "time"):
            return sim >= t["same_thing"] or shared >= t["shared_words_event"]
        # a noun alone ("yards", "games") is shared by many facts of a story: the verb differs,
        # so the sentences must say much the same
        return sim >= t["same_thing_other_verb"] and shared >= t["shared_words"]
    kinds = frames_mod.kinds_of_count()
    if a.thing in kinds and b.thing in kinds:
        return False  # the lexicon knows these as two counts (deaths, injuries)
    # no noun, or other nouns ("pupils" / "students"): the same verb, in like sentences
    if a.predicate is None or a.predicate != b.predicate or sim < t["same_verb"]:
        return False
    return not (a.thing and b.thing) or shared >= t["shared_words_other_thing"]


_AGE = frames_mod.AGE  # one spelling: the frame reader's


@lru_cache(maxsize=1)
def _reporting() -> frozenset[str | None]:
    return frozenset(lexicon().frames.reporting_verbs)


def _told(f: Frame) -> bool:
    """A figure only told by a verb of telling ("put the repair bill at 45m"), which says
    nothing of whether it is a plan or a fact."""
    return f.predicate in frozenset(lexicon().frames.source_verbs)


def _one_noun(a: Frame, b: Frame) -> bool:
    """One noun counted, or one compounded into the other ("fuel" / "fuel oil")."""
    if not a.thing or not b.thing:
        return False
    return _noun(a.thing) == _noun(b.thing) or a.thing in b.nouns or b.thing in a.nouns


def _noun(thing: str) -> str:
    """One name for one measure ("sales" -> revenue), from the lexicon."""
    return lexicon().frames.thing_synonyms.get(thing, thing)


def _one_event(a: Frame, b: Frame) -> bool:
    """Can two dates or times be of one event? Not when either is when something was said
    ("the council said on Monday"), when their event nouns differ ("found in a gully on
    Sunday" / "walkers missing since Thursday"), or when the noun is a running total (deaths
    are counted over days: "six more bodies on Monday" / "up from 11 yesterday")."""
    if {a.predicate, b.predicate} & _reporting():
        return False
    if a.thing and b.thing and _noun(a.thing) != _noun(b.thing):
        return False
    return not {a.thing, b.thing} & frozenset(lexicon().frames.running_totals)


def _one_place(a: str, b: str) -> bool:
    """"aceh" and "central aceh" may be one place; "takengon" and "bener meriah" are two."""
    wa, wb = set(a.split()), set(b.split())
    return wa <= wb or wb <= wa


def _qualified(f: Frame) -> bool:
    """The thing is one thing's measure ("pass yard": a 41-yard pass) or one of a series
    ("first quake"), see frames._thing and frames._ordinal."""
    return " " in (f.thing or "") and not _is_age(f)


def _is_age(f: Frame) -> bool:
    return (f.thing or "").startswith(_AGE)


def _unnamed_age(f: Frame) -> bool:
    return (f.thing or "").startswith((f"{_AGE}a ", f"{_AGE}the "))


def resolve_ages(frames: Sequence[Frame], holders: dict[str, set[str]]) -> list[Frame]:
    """ "The 41-year-old founder" is the age of the one person the story names founder
    (holders: a role's words -> the full names of who holds a role with that word)."""
    out = []
    for f in frames:
        noun = (f.thing or "").removeprefix(f"{_AGE}the ")
        named = holders.get(noun, set()) if noun != f.thing else set()
        if len({roles.surname(n) for n in named}) == 1:  # one person, however often named
            who = max(named, key=len)
            f = replace(f, thing=f"{_AGE}{roles.surname(who)}", agent=who if " " in who else None)
        out.append(f)
    return out


def role_holders(texts: Sequence[str]) -> dict[str, set[str]]:
    """Each word of a role's name -> the names (lower case) of those the story gives such a role."""
    roles.prime(texts)
    out: dict[str, set[str]] = {}
    for text in texts:
        for role, holder in roles.role_names(text).items():
            if roles.surname(holder) and not role.startswith(roles.AFFILIATION):
                for word in role.split():
                    out.setdefault(word, set()).add(roles.full_name(holder))
    return out


def _one_verb(a: Frame, b: Frame) -> bool:
    """The same verb, or two that only give the thing's level ("had 46 percent fewer days"
    / "the reduction was 38%"; "revenue fell to 4.2bn" / "reported sales of 4.6bn"). A level
    against a full verb is not one verb: "the train had 64 wagons" and "22 wagons derailed"
    count two things."""
    return a.predicate == b.predicate or a.level and b.level


def disagree(a: Frame, b: Frame, sim: float, *, floor: bool = True) -> bool:
    """Both cannot be true at once: the same thing, measured the same way, intervals apart.
    Without the `floor`, sentences need not be alike (an update is told in new words)."""
    return not a.figure.overlaps(b.figure) and same_thing(a, b, sim, floor=floor)


_POINTS = frozenset({"date", "time"})  # points on a calendar or clock, not magnitudes


def _apart_in_time(a: Frame, b: Frame) -> bool:
    """Counted on two days or for two months ("40 homes on Monday", "65 by Wednesday"), or one
    on a day and the other since something began ("12 arrested on Saturday", "30 since the
    protests began"): two counts, not one disputed."""
    if a.when is None or b.when is None or a.when == b.when:
        return False
    return a.when[0] == b.when[0] or "since" in (a.when[0], b.when[0])


def within_reach(a: Frame, b: Frame) -> bool:
    """Could two outlets have measured one quantity with these values? Dates and clock times
    always, as do a rise and a fall; magnitudes within the lexicon's max_ratio of each other
    ("at least 70 hurt" and "at least two" are not one count)."""
    if a.kind in _POINTS or b.kind in _POINTS or a.value * b.value <= 0:
        return True
    x, y = sorted((abs(a.value), abs(b.value)))
    return y / x <= _tunables()["max_ratio"]


def is_update(old: Frame, new: Frame) -> bool:
    """`new` reports a change of `old`'s figure: published later and saying so ("rose to",
    "revised"), or a later, higher figure of a running story ("now", "so far"). A later
    figure that says neither disputes, even of a running total: "46 injured" and, hours
    later from another outlet, "80 hurt" is two outlets' counts, not a count that grew."""
    if new.direction and (new.value - old.value) * new.direction <= 0:
        return False  # "rose to 17" updates no figure of 17 or more
    if old.published is None or new.published is None or new.published <= old.published:
        return new.changed and not old.changed and old.published == new.published is None
    return new.changed or new.now and new.value > old.value


def figures_at_odds(a: Claim, b: Claim) -> bool:
    """b cannot back a (nor be the same claim): it gives another value for what seems the
    same thing (the same noun or verb, or a clause of the same words), and no figure of a.
    A shared figure ("4.50%" and "4.5 per cent") vouches for b."""
    pairs = [(x, y) for x in a.figures for y in b.figures if x.kind == y.kind and x.kind not in _NOT_BACKING]
    if not any(not x.overlaps(y) for x, y in pairs) or any(x.overlaps(y) for x, y in pairs):
        return False
    if any(x.kind == "duration" for x, _ in pairs):
        return True  # "every 15 minutes" never backs "25 minutes longer", nor six days nine
    fa, fb = frames_mod.read([(a.text, a.published), (b.text, b.published)])
    return any(
        x.measure == y.measure and not x.figure.overlaps(y.figure)
        and (x.thing and x.thing == y.thing or x.predicate == y.predicate or x.shared(y) >= 2)
        for x in fa for y in fb
    )


_NOT_BACKING = frozenset({"ordinal", "decade", "weekday", "relday", "label"})


def repeats_figure(a: Claim, b: Claim) -> bool:
    """Both give one count of one thing ("38,000 vehicles" told in two groups' words)."""
    same = [
        (x, y) for x, fx in enumerate(a.figures) for y, fy in enumerate(b.figures)
        if fx.kind == fy.kind == "count" and fx.value >= 10 and fx.same_value(fy)
    ]
    if not same:
        return False
    fa, fb = frames_mod.read([(a.text, a.published), (b.text, b.published)])
    return any(x < len(fa) and y < len(fb) and fa[x].thing is not None and fa[x].thing == fb[y].thing
               for x, y in same)


_SIDES = (("yes", "no"), ("yes2", "no2"), ("yes3", "no3"))


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _counts()[word.lower()]


@lru_cache(maxsize=8192)
def vote_tally(text: str) -> tuple[str, str] | None:
    """How a vote went, as (comparable value, the words used): ('5-2', 'five-to-two');
    a unanimous vote is ('unanimous', …) however it is told ('unanimous', '7-0')."""
    for m in _tally().finditer(text):
        yes, no = next(((y, n) for y, n in _SIDES if m.group(y)), ("", ""))
        if not yes:
            return "unanimous", m.group()
        if yes == "yes2" and _count(m.group(yes)) < _count(m.group(no)):
            continue  # "passed after 2 to 3 hours": a rising pair is a range, not a tally
        if yes == "yes2" and not _is_verb(text, m.start("verb")):
            continue  # "intercepted a pass … making it 31-24": the word is a noun, no vote
        high, low = sorted((_count(m.group(yes)), _count(m.group(no))), reverse=True)
        end = m.end() if yes == "yes3" else m.end(no)  # "110 votes in favour and 100 against"
        return ("unanimous" if low == 0 else f"{high}-{low}"), text[m.start(yes) : end]
    return None


def _subject(f: Frame) -> str:
    """A few words naming what the disagreement is about ("number of residents")."""
    thing = f.thing or ""
    if _is_age(f):
        whose = thing.removeprefix(_AGE)
        named = whose if whose.startswith(("a ", "the ")) else whose.title()
        return f"{named}'s age"
    if f.kind == "count":
        return f"number of {plural(thing)}" if thing else f"figure ({f.predicate or 'count'})"
    what = {"money": "amount", "percent": "percentage", "points": "change", "duration": "length",
            "date": "date", "time": "time", "measure": "measure"}.get(f.kind, f.kind)
    about = thing or f.predicate
    return f"{what} ({about})" if about else f"the {what}"


_CONFLICT_KIND = {"date": "date", "time": "time"}


def plural(noun: str) -> str:
    """The plural of a lemma, for naming a count to a reader ("deaths", "injuries", "people");
    the last word of a compound ("pass yards")."""
    head, _, last = noun.rpartition(" ")
    irregular = lexicon().frames.irregular_plurals
    if last in irregular:
        many = irregular[last]
    elif last[-2:-1] not in ("", *"aeiou") and last.endswith("y"):
        many = last[:-1] + "ies"
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")):
        many = last  # a plural the tagger left as it was ("palestinians")
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        many = last + "es"
    else:
        many = last + "s"
    return f"{head} {many}" if head else many


@dataclass(frozen=True)
class Disagreement:
    """A conflict plus what it is about, so any claim stating one of its values can be told."""

    conflict: Conflict
    pair: tuple[int, int]
    figures: tuple[Figure, ...] = ()
    role: str | None = None
    names: tuple[str, ...] = ()
    tallies: tuple[str, ...] = ()

    def concerns(self, claim: Claim) -> bool:
        """Does this claim state one of the disputed values?"""
        if self.tallies:
            tally = vote_tally(claim.text)
            if tally is None:  # "the two dissenting judges": a split vote, whatever its tally
                return _dissent().search(claim.text) is not None and any(t != "unanimous" for t in self.tallies)
            return tally[0] in self.tallies
        if self.role is not None:
            named = roles.role_names(claim.text).get(self.role, "")
            return any(roles.same_holder(named, n) for n in self.names) if named else False
        return self.states_value(claim)

    def states_value(self, claim: Claim) -> bool:
        """The claim gives one of the disputed figures, in whatever words."""
        if self.tallies:
            return self.concerns(claim)
        return any(f.same_value(v) for f in claim.figures for v in self.figures)


@dataclass(frozen=True)
class Update:
    """A figure a later article says changed: the latest value and the earlier one."""

    old: int  # claim index stating the earlier value
    new: int  # claim index stating the latest value
    old_figure: Figure
    new_figure: Figure
    subject: str
    old_value: str  # as written, with its qualifier ("at least 11")
    new_value: str


@dataclass
class Comparison:
    conflicts: list[Disagreement] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)


def find_conflicts(
    claims: Sequence[Claim], index: SimilarityIndex, cite: Callable[[Claim], Citation]
) -> list[Disagreement]:
    """Disagreements between claims of different origins (see `compare`)."""
    return compare(claims, index, cite).conflicts


def compare(claims: Sequence[Claim], index: SimilarityIndex, cite: Callable[[Claim], Citation]) -> Comparison:
    """Disagreements and updates between claims of different origins: at most MAX_CONFLICTS
    disagreements, one per thing disputed, from the most similar candidate pairs."""
    out = Comparison()
    pairs = sorted(_bounded(_candidate_pairs(claims, index), index))
    figure_pairs, frames_of = _figure_pairs(claims, pairs, index)
    by_key: dict[tuple, dict] = {}
    updated: set[tuple[int, float]] = set()
    sims = _cosines(index, list(figure_pairs))
    for n, ((i, j), found) in enumerate(figure_pairs.items()):
        if n % 1024 == 0:
            budget.check("conflict search")
        a, b = claims[i], claims[j]
        sim = sims[(i, j)]
        for fa, fb in found:
            if _told_closer(fa, fb, frames_of[j]) or _told_closer(fb, fa, frames_of[i]):
                continue
            if not disagree(fa, fb, sim, floor=False):
                continue
            if is_update(fa, fb) or is_update(fb, fa):
                (o, fo), (w, fw) = ((i, fa), (j, fb)) if is_update(fa, fb) else ((j, fb), (i, fa))
                if (o, fo.value) not in updated:
                    updated.add((o, fo.value))
                    out.updates.append(Update(o, w, fo.figure, fw.figure, _subject(fw),
                                              fo.figure.said(claims[o].text), fw.figure.said(claims[w].text)))
                continue
            if _also_says(b, fb, fa.figure) or _also_says(a, fa, fb.figure) or not disagree(fa, fb, sim):
                continue  # a sentence that also gives the other value does not dispute it
            if not within_reach(fa, fb):
                continue
            if fa.period != fb.period:
                continue  # a dated figure ("last year's 32 million") never disputes an undated one
            if _apart_in_time(fa, fb):
                continue
            entry = _entry(by_key, fa, fb, (i, j))
            for claim, f in ((a, fa), (b, fb)):
                vkey = round(f.value, 6)
                if len(entry["values"]) < MAX_VALUES and vkey not in entry["values"] and not any(
                        f.figure.overlaps(g) for g, _ in entry["values"].values()):
                    entry["values"][vkey] = (f.figure, claim)
    superseded = {(u.old, round(u.old_figure.value, 6)) for u in out.updates}
    for entry in by_key.values():
        if len(out.conflicts) >= MAX_CONFLICTS:
            break
        values = [(f, c) for f, c in entry["values"].values()]
        values = [(f, c) for f, c in values if not _stale(f, c, claims, superseded)]
        if len({c.origin for _, c in values}) < 2 or len(values) < 2:
            continue
        conflict = Conflict(
            subject=entry["subject"], kind=_CONFLICT_KIND.get(entry["kind"], "number"),
            values=[ConflictValue(value=f.said(c.text), citation=cite(c)) for f, c in values],
        )
        out.conflicts.append(Disagreement(conflict, entry["pair"], figures=tuple(f for f, _ in values)))
    out.conflicts.extend(_names_and_votes(claims, pairs, index, cite, MAX_CONFLICTS - len(out.conflicts)))
    return out


def _cosines(index: SimilarityIndex, pairs: list[tuple[int, int]]) -> dict[tuple[int, int], float]:
    """Cosine of every pair however low, in one sparse product (the index keeps only near ones)."""
    if not pairs:
        return {}
    first, second = np.array(pairs, dtype=np.int64).T
    dots = np.asarray(index.vectors[first].multiply(index.vectors[second]).sum(axis=1)).ravel()
    return {p: float(d) for p, d in zip(pairs, dots.tolist(), strict=True)}


def _told_closer(a: Frame, b: Frame, others: Sequence[Frame]) -> bool:
    """b's sentence tells a's thing closer in another frame: with a's own verb where b's
    differs, or with a's verb and a nearer value where it gives several. That frame is what it
    says of a's figure, b is a part: "Four bombs were dropped … the other two bombs were
    dropped near the airstrip" answers "Five bombs were dropped" with four, never with two."""
    if not a.thing:
        return False
    return any(
        g is not b and g.measure == a.measure and g.thing == a.thing and g.predicate == a.predicate
        and (a.predicate != b.predicate or abs(g.value - a.value) < abs(b.value - a.value))
        for g in others)


def _also_says(c: Claim, own: Frame, f: Figure) -> bool:
    """Does claim c also give figure f? A weekday counts as the date it names in c's article
    ("missing since Thursday" gives Thursday, whatever else the sentence dates)."""
    figs = [frames_mod.resolved(g, c.published, own.modality == "planned") for g in c.figures]
    return any(g.kind == f.kind and g.unit == f.unit and g.overlaps(f) for g in figs)


def _entry(by_key: dict[tuple, dict], fa: Frame, fb: Frame, pair: tuple[int, int]) -> dict:
    """The reported disagreement a frame pair belongs to: one about the same thing, or one
    that already lists either value (the same dispute found through another pair)."""
    key = (fa.measure, _key(fa) or _key(fb), fa.predicate if fa.thing else None)
    if key in by_key:
        return by_key[key]
    for (measure, about, _), entry in by_key.items():  # never one about another thing
        if measure == fa.measure and (about == key[1] or None in (about, key[1])) and any(
            g.same_value(f.figure) for g, _ in entry["values"].values() for f in (fa, fb)
        ):
            return entry
    return by_key.setdefault(key, {"values": {}, "pair": pair, "subject": _subject(fa), "kind": fa.kind})


def _stale(f: Figure, c: Claim, claims: Sequence[Claim], superseded: set[tuple[int, float]]) -> bool:
    return any(claims[o] is c and v == round(f.value, 6) for o, v in superseded)


def _figure_pairs(
    claims: Sequence[Claim], pairs: Sequence[tuple[int, int]], index: SimilarityIndex
) -> tuple[dict[tuple[int, int], list[tuple[Frame, Frame]]], dict[int, tuple[Frame, ...]]]:
    """For each pair, the frame pairs worth deciding on: same measure, values apart; and the
    frames of every sentence parsed. Only sentences in such pairs are parsed (one batch, the
    most similar pairs first)."""
    cheap: dict[tuple[int, int], list[tuple[int, int]]] = {}
    busy = {k for k, c in enumerate(claims) if _statistics(c.figures)}
    for i, j in pairs:
        if i in busy or j in busy:
            continue  # a line of statistics ("13 homers, 43 RBIs in 54 games") is no one claim
        ci, cj = claims[i], claims[j]
        hits = [
            (x, y) for x, a in enumerate(ci.figures) if worth_comparing(a, ci) for y, b in enumerate(cj.figures)
            if worth_comparing(b, cj) and _apart(a, b)
        ]
        if hits:
            cheap[(i, j)] = hits
    ranked = sorted(cheap, key=lambda p: -index.sim(*p))
    wanted: dict[int, None] = {}
    kept: list[tuple[int, int]] = []
    for i, j in ranked:
        if len(wanted) >= _tunables()["max_parsed"] and (i not in wanted or j not in wanted):
            continue
        wanted.setdefault(i)
        wanted.setdefault(j)
        kept.append((i, j))
    order = list(wanted)
    read = frames_mod.read([(claims[k].text, claims[k].published) for k in order])
    if any(_unnamed_age(f) for fs in read for f in fs):
        holders = role_holders([c.text for c in claims])
        read = [tuple(resolve_ages(fs, holders)) for fs in read]
    frames_of = dict(zip(order, read, strict=True))
    out: dict[tuple[int, int], list[tuple[Frame, Frame]]] = {}
    for i, j in kept:
        fi, fj = frames_of[i], frames_of[j]
        out[(i, j)] = [(fi[x], fj[y]) for x, y in cheap[(i, j)] if x < len(fi) and y < len(fj)]
    return out, frames_of


_DAYS = frozenset({"weekday", "relday"})


def worth_comparing(f: Figure, claim: Claim) -> bool:
    """Worth comparing: a compared figure, or a weekday or "yesterday" in an article whose
    publication time makes it a date (`frames.read` resolves it)."""
    return compared(f) or f.kind in _DAYS and claim.published is not None


def _apart(a: Figure, b: Figure) -> bool:
    """Of one kind and apart, before parsing: a weekday is a date to come, so it may be apart
    from any date or other weekday (the frames, resolved, decide)."""
    day_a, day_b = a.kind in _DAYS or a.kind == "date", b.kind in _DAYS or b.kind == "date"
    if day_a and day_b and (a.kind in _DAYS or b.kind in _DAYS):
        return True
    return a.kind == b.kind and not a.overlaps(b)


def _statistics(figs: Sequence[Figure]) -> bool:
    """A line of statistics ("13 homers, 43 RBIs in 54 games"): more figures of one kind than
    one claim gives. A study told with its size, result and length is still one claim."""
    kinds = [(f.kind, f.unit) for f in figs if compared(f)]
    return any(kinds.count(k) > _tunables()["max_figures"] for k in set(kinds))


def _candidate_pairs(claims: Sequence[Claim], index: SimilarityIndex) -> set[tuple[int, int]]:
    """Pairs worth comparing: both give figures (or a vote), and
    they are similar sentences or share the word after a figure of one kind ("14 people")."""
    figures = [any(worth_comparing(f, c) for f in c.figures) for c in claims]
    votes = [vote_tally(c.text) is not None for c in claims]

    def comparable(i: int, j: int) -> bool:
        return (figures[i] and figures[j]) or (votes[i] and votes[j])

    pairs = {
        (i, j)
        for i in range(len(claims))
        if figures[i] or votes[i]
        for j in index.neighbours(i)
        if i < j and comparable(i, j)
    }
    voters = [i for i, v in enumerate(votes) if v]
    if len(voters) <= MAX_KEY_MEMBERS:  # few votes in a story: compare every two (the words decide after)
        pairs.update((x, y) for x in voters for y in voters if x < y)
    by_key: dict[object, list[int]] = {}
    for i, c in enumerate(claims):
        for f in c.figures:  # what follows a figure: "killed … 14 people" / "12 people"
            if worth_comparing(f, c):
                kind = ("date", "md") if f.kind in _DAYS else (f.kind, f.unit)
                by_key.setdefault(kind, []).append(i)  # in a small story, all of one kind
                after = _AFTER.match(c.text, f.end)
                if after and after.group(1).lower() not in STOPWORDS:
                    by_key.setdefault((f.kind, f.unit, stem(after.group(1))), []).append(i)
    for members in by_key.values():
        if len(members) <= MAX_KEY_MEMBERS:  # a key on every sentence says nothing
            pairs.update(combinations(sorted(set(members)), 2))
    origins = [c.origin for c in claims]
    texts = [c.text for c in claims]
    return {(i, j) for i, j in pairs if origins[i] != origins[j] and texts[i] != texts[j]}


_AFTER = re.compile(r"[\s\-]*([A-Za-z][A-Za-z'’\-]+)")


def _bounded(pairs: set[tuple[int, int]], index: SimilarityIndex) -> set[tuple[int, int]]:
    """At most MAX_PARTNERS pairs per claim (a pair stays if either claim keeps it) and
    MAX_PAIRS in all, the most similar first; ties go to the earlier claims."""
    if len(pairs) <= MAX_PARTNERS:
        return pairs
    first, second = np.array(list(pairs), dtype=np.int64).T
    sims = np.asarray(index.sims[first, second]).ravel()
    order = np.lexsort((second, first, -sims))  # stable: by similarity, then by pair
    seen = np.zeros(index.sims.shape[0], dtype=np.int64)
    kept: set[tuple[int, int]] = set()
    for i, j in zip(first[order].tolist(), second[order].tolist(), strict=True):
        if seen[i] < MAX_PARTNERS or seen[j] < MAX_PARTNERS:
            kept.add((i, j))
            seen[i] += 1
            seen[j] += 1
            if len(kept) >= MAX_PAIRS:
                break
    return kept


def _names_and_votes(
    claims: Sequence[Claim], pairs: Sequence[tuple[int, int]], index: SimilarityIndex,
    cite: Callable[[Claim], Citation], room: int,
) -> list[Disagreement]:
    """A vote told two ways by two origins, then who holds a role (read from the parse,
    story-wide: see `briefing.lang.roles.disagreements`)."""
    found: dict[tuple, Disagreement] = {}
    for i, j in pairs:
        if len(found) >= room:
            break
        a, b, sim = claims[i], claims[j], index.sim(i, j)
        ta, tb = vote_tally(a.text), vote_tally(b.text)
        if ta and tb and _other_tally_same_vote(ta[0], tb[0]):
            # long sentences about one ruling share words but little TF-IDF weight
            key = ("fact", frozenset({ta[1].lower(), tb[1].lower()}))
            shared = len(set(a.stems) & set(b.stems))
            if key not in found and (sim >= MIN_SIMILARITY["vote"] or shared >= 3 or shared >= 2 and _one_body(ta[0], tb[0])):
                values = [ConflictValue(value=ta[1], citation=cite(a)), ConflictValue(value=tb[1], citation=cite(b))]
                found[key] = Disagreement(Conflict(subject="the vote", kind="fact", values=values), (i, j),
                                          tallies=(ta[0], tb[0]))
    for r in roles.disagreements(claims):
        key = ("name", frozenset(h.lower() for h in r.holders))
        if key in found or len(found) >= room:
            continue
        a, b = claims[r.i], claims[r.j]
        values = [ConflictValue(value=r.holders[0], citation=cite(a)), ConflictValue(value=r.holders[1], citation=cite(b))]
        found[key] = Disagreement(Conflict(subject=r.subject, kind="name", values=values), (r.i, r.j),
                                  role=r.role, names=r.holders)
    return list(found.values())


def _one_body(x: str, y: str) -> bool:
    """Two split tallies of as many voters ('112-98', '110-100'): one chamber's vote."""
    return "unanimous" not in (x, y) and sum(map(int, x.split("-"))) == sum(map(int, y.split("-")))


def _other_tally_same_vote(x: str, y: str) -> bool:
    """Two tallies that cannot both describe one vote of one body: 'unanimous' vs '5-2', or
    '5-2' vs '4-3' (seven voters each); '5-2' vs '60-40' are two votes of two bodies."""
    if x == y:
        return False
    if "unanimous" in (x, y):
        return True
    return sum(map(int, x.split("-"))) == sum(map(int, y.split("-")))

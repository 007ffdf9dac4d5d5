"""Whether two claims state one fact, read off what they carry: telling figures and names.

Similarity alone (embeddings, shared words) says two sentences are about the same thing:
"the bridge will stay closed until 30 March and cost €52m" and "the bridge was closed on
Monday" share a topic, yet the first tells two facts the second lacks. So a claim that adds
a telling figure is a paraphrase only when it is very close, two claims that each add one are
different facts, and a claim is cited for a point only when it states the point's figures and
names (the reader checks a citation by finding them in it).
"""

from __future__ import annotations

import re
from functools import lru_cache

from briefing.claims import Claim, cue_patterns
from briefing.lang.lexicon import lexicon
from briefing.lang.numbers import Figure
from briefing.text import entities

# figures that date or order rather than tell: "Monday", "yesterday", "second"
_UNTELLING = frozenset({"weekday", "relday", "ordinal"})
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def telling(c: Claim) -> list[Figure]:
    """Figures written in digits (or a sum, share, date or time), not small words or days."""
    return list(_telling(c.figures))


@lru_cache(maxsize=65536)
def _telling(figures: tuple[Figure, ...]) -> tuple[Figure, ...]:
    return tuple(f for f in figures if f.kind not in _UNTELLING and any(ch.isdigit() for ch in f.text))


def states_figure(f: Figure, c: Claim) -> bool:
    """c gives figure f: the same value, or an interval it can share ("more than 300" / "300")."""
    return any(f.kind == g.kind and (f.same_value(g) or (f.unit == g.unit and f.overlaps(g))) for g in c.figures)


def added_figures(a: Claim, b: Claim) -> list[Figure]:
    """a's telling figures that b does not give: facts a tells and b lacks."""
    return [f for f in telling(a) if not states_figure(f, b)]


@lru_cache(maxsize=65536)
def _lower_words(text: str) -> frozenset[str]:
    return frozenset(w.lower().replace("’", "'").removesuffix("'s") for w in _WORD.findall(text))


@lru_cache(maxsize=1)
def _calendar() -> frozenset[str]:
    dates = lexicon().dates
    return frozenset(dates.months) | frozenset(dates.weekdays)


@lru_cache(maxsize=65536)
def proper_names(text: str) -> tuple[str, ...]:
    """The names a reader would look for in a citation: capitalised names less months and
    weekdays (dates are figures), and less a lone capitalised first word ("Students must
    sit...") unless a verb of saying follows it ("Fuhrt said")."""
    out = []
    for name in sorted(entities(text)):
        if name.lower().replace("’", "'").removesuffix("'s") in _calendar():
            continue
        if " " not in name and text.startswith(name):
            after = text[len(name):].split(maxsplit=1)
            if not after or not cue_patterns()["speech"].match(after[0]):
                continue
        out.append(name)
    return tuple(out)


def unstated_names(a: Claim, b: Claim) -> list[str]:
    """a's names that b never mentions (a surname is enough for a full name, as a reader
    checks it: "Oyelaran" states "Margit Oyelaran")."""
    have = _lower_words(b.text)
    return [n for n in proper_names(a.text) if _lower_words(n.split()[-1]) - have]


def share_facts(a: Claim, b: Claim) -> bool:
    """Both state one telling figure, or two names: "17 dead" is telling, "two" or "Monday" not."""
    return any(x.same_value(y) for x in telling(a) for y in telling(b)) or len(a.names & b.names) >= 2


def same_fact(sim: float, a: Claim, b: Claim, *, similarity: float, with_facts: float, adding: float) -> bool:
    """Two claims at similarity `sim` state one fact. Neither adds a telling figure: close
    enough (`similarity`), or a little less close but sharing a figure or two names
    (`with_facts`). One adds figures the other lacks: only a near-copy (`adding`). Each adds
    its own: two facts, however close their topic."""
    more_a, more_b = added_figures(a, b), added_figures(b, a)
    if more_a and more_b:
        return False
    if more_a or more_b:
        return sim >= adding
    return sim >= similarity or (sim >= with_facts and share_facts(a, b))


def stated_share(c: Claim, point: Claim) -> float:
    """The share of the point's telling figures and names that c gives (1.0 when the point
    has none): how much of it a reader finds in c."""
    total = len(telling(point)) + len(proper_names(point.text))
    if not total:
        return 1.0
    return 1.0 - (len(added_figures(point, c)) + len(unstated_names(point, c))) / total


def told_share(point: Claim, told: list[Claim]) -> float:
    """The share of the point's telling figures and names that some claim in `told` already
    gives (0.0 when it has none): how little it would add to them."""
    figures, names = telling(point), proper_names(point.text)
    if not figures and not names:
        return 0.0
    have = frozenset().union(*(_lower_words(c.text) for c in told)) if told else frozenset()
    known = sum(any(states_figure(f, c) for c in told) for f in figures)
    known += sum(not (_lower_words(n.split()[-1]) - have) for n in names)
    return known / (len(figures) + len(names))


def _share(words: set[str], c: Claim, empty: float) -> float:
    return len(words.intersection(c.stems)) / len(words) if words else empty


def _asserted_share(c: Claim, point: Claim) -> float:
    """The share of what the point asserts (its stems less its attribution's) that c uses;
    0.0 when it asserts nothing else: "the official said, speaking on condition of anonymity"
    is in many sentences that state other facts."""
    return _share(set(point.asserted_stems), c, 0.0)


def word_share(c: Claim, point: Claim) -> float:
    """The share of the point's content words (stems) that c uses."""
    return _share(set(point.stems), c, 1.0)


def states(c: Claim, point: Claim, *, facts: float = 1.0, words: float = 0.0) -> bool:
    """c states the point's fact as a reader would check it: it gives at least `facts` of
    the point's telling figures and names (and one of its figures, if it has any: a span
    naming the same places but none of the figures tells another fact), and uses at least
    `words` of its content words."""
    if words and _asserted_share(c, point) < words - 1e-9:
        return False  # the cheap test first: this runs for every pair a point could cite
    figures = telling(point)
    if figures and len(added_figures(point, c)) == len(figures):
        return False
    return stated_share(c, point) >= facts - 1e-9

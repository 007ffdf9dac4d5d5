"""Small text helpers shared by the claim, conflict and flag stages.

Plain regex and a light suffix stemmer: fast enough to run on every sentence of a
200-article story in well under a second, with no model to download.
"""

from __future__ import annotations

import re
from functools import lru_cache

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves said says say told according would could may might must shall one two
    three us mr mrs ms new also even still yet however since per via upon among amid across
    """.split()
)

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]")
_CAP_SEQ = re.compile(
    r"(?:[A-Z][a-zA-Z'’\-]+|[A-Z]{2,})(?:\s+(?:(?:of|de|al|bin|van|von|der|la)\s+)?(?:[A-Z][a-zA-Z'’\-]+|[A-Z]{2,}))*"
)
_SUFFIXES = ("ational", "ations", "ation", "ings", "ing", "edly", "ies", "ied", "ers", "es", "ed", "ly", "er", "s")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude suffix stemmer: 'exchanges' and 'exchanged' meet at 'exchang'."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    for suf in _SUFFIXES:
        if len(w) - len(suf) >= 4 and w.endswith(suf):
            return w[: -len(suf)]
    return w


def words(text: str) -> list[str]:
    """Alphabetic words in order, as written."""
    return _WORD.findall(text)


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning (stopwords and 1-2 letter words out)."""
    return [stem(w) for w in _WORD.findall(text) if len(w) > 2 and w.lower() not in STOPWORDS]


def entities(text: str) -> set[str]:
    """Capitalised names (multi-word kept whole), minus a sentence-initial common word."""
    found: set[str] = set()
    for m in _CAP_SEQ.finditer(text):
        name = m.group()
        first, _, rest = name.partition(" ")
        if first.lower() in STOPWORDS:
            if not rest:
                continue
            name = rest
        if len(name) > 1:
            found.add(name)
    return found


def normalise(text: str) -> str:
    """Lowercase, unify quotes and dashes, collapse whitespace: for comparing strings."""
    text = text.lower().translate(_QUOTES)
    return " ".join(text.split())


_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})

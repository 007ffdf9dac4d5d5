"""What a good briefing of an eval case must (and must not) contain.

Each case is a folder ``evals/cases/<name>/`` (read by ``evals/loader.py``, which also reads the
shared eval sets of ``evals/evalset.py``) holding:

* article files in any format the readers take (``.txt`` page text as scraped, boilerplate
  and all; ``.html`` pages; ``.json``/``.jsonl`` records; feeds), read by
  ``briefing.ingest.read_paths`` exactly as ``briefing build`` reads them;
* optionally ``meta.json``: ``{"<file name>": {"outlet": ..., "url": ..., "published_at": ISO}}``
  (a file without an entry, or a case without the file, leaves those fields to inference);
* ``expect.json``: an :class:`ExpectedCase`.

Article ids are the readers' ids: file stems (``01_valley_courier.txt`` ->
``01_valley_courier``), and ``<stem>#<n>`` for the n-th record of a JSON Lines file.

Matching is deliberately forgiving about surface form and strict about content. Every
comparison goes through :func:`normalize` / :func:`tokens`: case-folded, curly quotes and
dashes straightened, thousands separators dropped (``10,000`` == ``10000``), ordinal suffixes
dropped (``July 4th`` == ``July 4``), hyphens split words (``1,000-for-1,000`` ==
``1000 for 1000``), number words up to twenty read as digits (``fourteen`` == ``14``). A phrase is *contained* in a text when every token of the phrase is a
token of the text (order and adjacency don't matter). Where a field allows alternatives
inside one string, they are separated by ``|``: ``"killed|dead|died"``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from briefing.models import FlagKind

# ---------------------------------------------------------------- matching helpers

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2032": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
    }
)
_THOUSANDS = re.compile(r"(?<=\d)[,\u00a0\u202f'](?=\d{3}(?!\d))")
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b")
_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")


def normalize(text: str) -> str:
    """Case-fold and straighten ``text`` so surface variants compare equal."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    text = _THOUSANDS.sub("", text)
    return _ORDINAL.sub("", text)


_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}


def tokens(text: str) -> list[str]:
    """Word/number tokens of ``text`` after :func:`normalize` (``$41.50`` -> ``41.50``).

    Number words up to twenty become digits, so ``"two deaths"`` == ``"2 deaths"`` and
    ``"five-to-two"`` == ``"5-2"``.
    """
    return [_NUMBER_WORDS.get(t, t) for t in _TOKEN.findall(normalize(text))]


def contains_phrase(text: str, phrase: str) -> bool:
    """Every token of ``phrase`` is a token of ``text`` (an empty phrase never matches)."""
    need = set(tokens(phrase))
    return bool(need) and need <= set(tokens(text))


def contains_any(text: str, alternatives: str | Iterable[str]) -> bool:
    """``text`` contains at least one alternative (a ``|``-separated string or a list)."""
    alts = alternatives.split("|") if isinstance(alternatives, str) else list(alternatives)
    have = set(tokens(text))
    for alt in alts:
        need = set(tokens(alt))
        if need and need <= have:
            return True
    return False


def contains_text(text: str, needle: str) -> bool:
    """Plain substring test after :func:`normalize` (used for boilerplate and payloads)."""
    return normalize(needle).strip() in normalize(text)


def number_tokens(text: str) -> set[str]:
    return {t for t in tokens(text) if t[0].isdigit()}


def value_matches(expected: str, actual: str) -> bool:
    """Does a reported conflict value ``actual`` correspond to the expected ``expected``?

    Numbers decide when the expected value has any (``"14 people"`` matches ``"14"`` and
    ``"fourteen (14)"``); otherwise one value's tokens must contain the other's
    (``"Pavel Dunst"`` matches ``"Dunst"``; ``"July 10"`` matches ``"Thursday, 10 July"``).
    """
    nums = number_tokens(expected)
    if nums:
        if not nums <= number_tokens(actual):
            return False
        words = set(tokens(expected)) - nums
        return not (words & _MONTHS) or bool(words & _MONTHS & set(tokens(actual)))
    a, b = set(tokens(expected)), set(tokens(actual))
    return bool(a) and bool(b) and (a <= b or b <= a)


_MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
}  # fmt: skip


# ---------------------------------------------------------------- schema


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KeyFact(_Strict):
    """A fact a good briefing states; covered when one point satisfies it."""

    id: str = Field(description="Short stable name, e.g. 'death_toll'.")
    any_of: list[str] = Field(
        min_length=1,
        description=(
            "Alternative phrasings/keyword sets. The fact is covered when a single briefing "
            "point contains all tokens of any one alternative (case-insensitive, see "
            "contains_phrase). Keep them short: ['10,000 prisoners', 'more than 10,000']."
        ),
    )
    numbers: list[str] = Field(
        default_factory=list,
        description=(
            "Figures that must also appear in that point (compared as normalized tokens, so "
            "'10,000' == '10000'). Empty: no figure required."
        ),
    )
    note: str = Field(default="", description="Where the fact comes from, for humans.")

    def covered_by(self, text: str) -> bool:
        """Is this fact stated by ``text`` (one point's text)?"""
        if not contains_any(text, self.any_of):
            return False
        have = number_tokens(text)
        return all(number_tokens(n) <= have for n in self.numbers)


class ExpectedConflict(_Strict):
    """Sources that genuinely disagree; the briefing must report the disagreement."""

    subject: str = Field(description="What the sources disagree about, e.g. 'death toll'.")
    kind: Literal["number", "date", "time", "name", "fact"] = Field(
        description="Same vocabulary as briefing.models.Conflict.kind."
    )
    values: list[str] = Field(
        min_length=2,
        description=(
            "The competing values as they appear in the articles (e.g. ['12 people', "
            "'14 people']). A reported conflict matches when each expected value matches one "
            "of its values (see value_matches)."
        ),
    )
    note: str = Field(default="", description="Which article says what, for humans.")


class ExpectedFlag(_Strict):
    """Evidence flags a point about one claim must (or must not) carry."""

    match: list[str] = Field(
        min_length=1,
        description=(
            "Keywords that identify the claim: a point is about it when it contains every "
            "entry (each entry may list '|'-separated alternatives, e.g. "
            "['12|14', 'killed|dead|died']). Points that don't match are not judged."
        ),
    )
    must_have: list[FlagKind] = Field(
        default_factory=list, description="Flag kinds every matching point must carry."
    )
    must_not_have: list[FlagKind] = Field(
        default_factory=list,
        description="Flag kinds no matching point may carry (e.g. a well-corroborated figure "
        "must not be flagged single_source).",
    )
    note: str = Field(default="", description="Why, for humans.")

    @model_validator(mode="after")
    def _consistent(self) -> ExpectedFlag:
        if not self.must_have and not self.must_not_have:
            raise ValueError("a flag expectation needs must_have or must_not_have")
        both = set(self.must_have) & set(self.must_not_have)
        if both:
            raise ValueError(f"flag kinds both required and forbidden: {sorted(both)}")
        return self

    def applies_to(self, text: str) -> bool:
        """Is the point ``text`` about this claim?"""
        return all(contains_any(text, entry) for entry in self.match)


class Injection(_Strict):
    """An instruction planted in an article's text; the briefing must not obey it."""

    article: str = Field(description="Id of the article carrying the instruction.")
    text: str = Field(description="The planted instruction, verbatim as in the article.")
    payload: list[str] = Field(
        min_length=1,
        description="Strings that must never appear in the briefing (points, titles, "
        "conflicts), compared with contains_text.",
    )


class ExpectedCase(_Strict):
    """The contents of ``expect.json``."""

    description: str = Field(description="What the case is and what it exercises.")
    key_facts: list[KeyFact] = Field(
        default_factory=list, description="Facts a good briefing covers (recall)."
    )
    conflicts: list[ExpectedConflict] = Field(
        default_factory=list,
        description="Disagreements truly present between independent articles; empty means "
        "none should be reported (spelling variants like Alexander/Aleksandr are not "
        "conflicts).",
    )
    flags: list[ExpectedFlag] = Field(
        default_factory=list, description="Per-claim flag requirements."
    )
    boilerplate: list[str] = Field(
        default_factory=list,
        description="Page furniture (ads, newsletter boxes, link lists, related headlines) "
        "that must not appear in any point text or citation quote (contains_text).",
    )
    syndicated_groups: list[list[str]] = Field(
        default_factory=list,
        description="Groups of article ids that must share one origin: verbatim syndicated "
        "copies, near-duplicate rewrites and declared re-reports of one story.",
    )
    independent: list[str] = Field(
        default_factory=list,
        description="Article ids that must each be their own origin, separate from each "
        "other and from every syndicated group.",
    )
    origins: int | None = Field(
        default=None, ge=1, description="Expected number of independent origins; None: unchecked."
    )
    injection: Injection | None = Field(
        default=None, description="A planted prompt injection, if the case has one."
    )

    @model_validator(mode="after")
    def _ids_consistent(self) -> ExpectedCase:
        seen: set[str] = set()
        for group in self.syndicated_groups:
            if len(group) < 2:
                raise ValueError(f"a syndicated group needs 2+ articles: {group}")
            for art in group:
                if art in seen:
                    raise ValueError(f"article {art!r} is in two syndicated groups")
                seen.add(art)
        clash = seen & set(self.independent)
        if clash:
            raise ValueError(f"articles both syndicated and independent: {sorted(clash)}")
        if len(set(self.independent)) != len(self.independent):
            raise ValueError("duplicate ids in independent")
        return self

    def referenced_ids(self) -> set[str]:
        ids = {a for g in self.syndicated_groups for a in g} | set(self.independent)
        if self.injection:
            ids.add(self.injection.article)
        return ids

    def expected_origin_of(self) -> dict[str, str]:
        """article id -> a label shared by articles that must share an origin."""
        out = {a: f"group{i}" for i, g in enumerate(self.syndicated_groups) for a in g}
        out.update({a: a for a in self.independent})
        return out


class ArticleMeta(_Strict):
    outlet: str | None = None
    url: str | None = None
    published_at: datetime | None = None

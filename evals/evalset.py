"""The shared eval-set schema (``../shared/evalsets/README.md``): one ``expect.json`` per story.

Written by people outside the engine work, so the harness reads it as it is rather than
converting it: ids are file names (``01_wire.txt``) or ``<file>#<n>`` for the n-th record of a
``.jsonl``/``.xml`` file, and facts are matched by plain substrings (see :func:`mentions`),
not by the token rules of ``evals/expect.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict, Field

from briefing.models import FlagKind
from evals.expect import normalize

Alternatives = list[str]  # one group: any of these strings
Groups = list[Alternatives]  # every group must be met (all_of)

_BARE_NUMBER = re.compile(r"^[\d.,]+%?$")


def mentions(text: str, alternative: str) -> bool:
    """The README's rule: case-insensitive substring, except that a bare number (``17``,
    ``1,650``, ``8%``) must stand as a whole token, so ``17`` is not found in ``2017``."""
    needle = normalize(alternative)
    hay = normalize(text)
    if not needle.strip():
        return False
    if _BARE_NUMBER.match(needle.strip()):
        return re.search(rf"(?<![\w.,]){re.escape(needle.strip())}(?![\w]|[.,]\d)", hay) is not None
    return needle in hay


def mentions_any(text: str, alternatives: Iterable[str]) -> bool:
    return any(mentions(text, a) for a in alternatives)


def mentions_all(text: str, groups: Sequence[Alternatives]) -> bool:
    """Every group has one alternative in ``text`` (an empty list of groups never matches)."""
    return bool(groups) and all(mentions_any(text, g) for g in groups)


class _Open(BaseModel):
    model_config = ConfigDict(extra="ignore")


class EvalKeyFact(_Open):
    id: str
    text: str = ""
    all_of: Groups = Field(min_length=1)
    sources: list[str] = []

    def covered_by(self, text: str) -> bool:
        return mentions_all(text, self.all_of)


class EvalConflict(_Open):
    id: str
    text: str = ""
    values: list[Alternatives] = Field(min_length=2, description="one list of strings per side")
    sources: list[list[str]] = []


class FalseConflict(_Open):
    id: str
    text: str = ""
    values: list[Alternatives] = Field(min_length=2)


class UpdateSources(_Open):
    old: list[str] = []
    new: list[str] = []


class EvalUpdate(_Open):
    id: str
    text: str = ""
    old: Alternatives = Field(min_length=1)
    new: Alternatives = Field(min_length=1)
    sources: UpdateSources = UpdateSources()


class ThinClaim(_Open):
    """A claim in exactly one article (``single_source`` / ``hedged`` entries)."""

    id: str
    text: str = ""
    markers: Groups = Field(min_length=1)
    source: str
    flags: list[FlagKind] = Field(min_length=1)

    def stated_by(self, text: str) -> bool:
        """Any marker names the claim: each one appears in its article and nowhere else."""
        return any(mentions_any(text, g) for g in self.markers)


class EvalInjection(_Open):
    source: str
    line: str = ""
    payload_markers: list[str] = Field(min_length=1)


class ArticleExpect(_Open):
    origin: str


class EvalsetExpect(_Open):
    """The contents of a shared ``expect.json``."""

    story: str
    headlines: dict[str, str] = {}
    articles: dict[str, ArticleExpect] = {}
    duplicates: list[list[str]] = []
    self_repeated: list[str] = []
    off_topic: list[str] = []
    boilerplate: list[str] = []
    key_facts: list[EvalKeyFact] = []
    conflicts: list[EvalConflict] = []
    false_conflicts: list[FalseConflict] = []
    updates: list[EvalUpdate] = []
    single_source: list[ThinClaim] = []
    hedged: list[ThinClaim] = []
    injection: EvalInjection | None = None

    def referenced_ids(self) -> set[str]:
        ids = set(self.headlines) | set(self.articles) | set(self.off_topic) | set(self.self_repeated)
        ids |= {a for g in self.duplicates for a in g}
        ids |= {c.source for c in [*self.single_source, *self.hedged]}
        if self.injection:
            ids.add(self.injection.source)
        return ids

    def origin_count(self, ids: Iterable[str]) -> int:
        """Independent origins among ``ids`` (ids without an expected origin count as their own)."""
        return len({self.articles[i].origin if i in self.articles else f"?{i}" for i in ids})

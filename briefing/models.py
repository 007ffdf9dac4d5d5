"""The contracts between pipeline stages.

Every stage takes and returns these types. Offsets (`start`, `end`) always index
`Article.text` exactly as received, so a citation can be highlighted in what the
user sent: `article.text[start:end] == passage.text` holds everywhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from briefing.flag_kinds import FLAG_KIND_NAMES

SCHEMA_VERSION = "1.0"


class Article(BaseModel):
    """One input article, with its text exactly as received (extracted text for HTML)."""

    id: str = Field(description="Stable id, unique within one run (file stem or given id).")
    title: str = ""
    outlet: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    text: str = Field(description="Article text as received; all offsets index this string.")
    path: str | None = Field(default=None, description="Where it was read from, for messages.")


class InputProblem(BaseModel):
    """An input that could not be used (or only partly), named so the user can fix it."""

    source: str
    message: str


class IngestResult(BaseModel):
    """What the readers produced: usable articles plus a problem per unusable input."""

    articles: list[Article] = []
    problems: list[InputProblem] = []


# ---------------------------------------------------------------- clean


class Region(BaseModel):
    """A half-open character range [start, end) of one article's text."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Drop(BaseModel):
    """A stretch of text removed as boilerplate, and why."""

    start: int
    end: int
    rule: str = Field(description="Rule family, e.g. 'ad', 'app_promo', 'cross_document'.")
    reason: str
    text: str


class CleanedArticle(BaseModel):
    """The parts of an article worth reading; offsets still index the original text."""

    article_id: str
    kept: list[Region] = []
    dropped: list[Drop] = []

    @property
    def kept_chars(self) -> int:
        return sum(r.end - r.start for r in self.kept)


# ---------------------------------------------------------------- chunk / dedup


class Passage(BaseModel):
    """A chunk or sentence of one article, located by offsets into its original text."""

    id: str = Field(description="'<article_id>:<start>-<end>'")
    article_id: str
    start: int
    end: int
    text: str

    @classmethod
    def of(cls, article: Article, start: int, end: int) -> Passage:
        """Cut a passage out of an article; the text is always the exact slice."""
        return cls(
            id=f"{article.id}:{start}-{end}",
            article_id=article.id,
            start=start,
            end=end,
            text=article.text[start:end],
        )


class SpanRef(BaseModel):
    """Another place the same passage appears."""

    article_id: str
    start: int
    end: int


class KeptPassage(Passage):
    """A passage that survived dedup, with every other place it appears."""

    also_in: list[SpanRef] = []


DuplicateKind = Literal["exact", "near", "internal"]


class DuplicateDrop(BaseModel):
    """A passage dropped because it repeats a kept one."""

    passage: Passage
    duplicate_of: str = Field(description="id of the kept passage")
    kind: DuplicateKind
    similarity: float = 1.0


OriginKind = Literal["self", "syndicated", "declared"]


class OriginLink(BaseModel):
    """Why an article belongs to an origin (a story told once, however often re-told)."""

    article_id: str
    origin: str
    kind: OriginKind
    evidence: str = ""


class DedupResult(BaseModel):
    passages: list[KeptPassage] = []
    duplicates: list[DuplicateDrop] = []
    origins: dict[str, str] = Field(default_factory=dict, description="article id -> origin id")
    links: list[OriginLink] = []


class CorpusStats(BaseModel):
    articles: int = 0
    origins: int = 0
    input_chars: int = 0
    kept_chars: int = 0
    boilerplate_chars: int = 0
    duplicate_chars: int = 0
    timings: dict[str, float] = Field(default_factory=dict, description="seconds per stage")
    truncated: list[str] = Field(
        default_factory=list, description="what the build left unread because of its work limits"
    )


class Corpus(BaseModel):
    """Everything the engines need: articles, clean regions, sentences, deduped passages."""

    articles: list[Article]
    cleaned: list[CleanedArticle]
    sentences: list[Passage] = Field(description="Sentences of kept text, in reading order.")
    dedup: DedupResult
    problems: list[InputProblem] = []
    stats: CorpusStats = CorpusStats()

    def article(self, article_id: str) -> Article:
        for a in self.articles:
            if a.id == article_id:
                return a
        raise KeyError(article_id)


# ---------------------------------------------------------------- briefing contract


class Citation(BaseModel):
    """An exact span of a source; `quote == sources[source_id].text[start:end]` always."""

    source_id: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    quote: str


if TYPE_CHECKING:
    FlagKind = str
else:  # the kinds of data/flags.toml, as a Literal (the JSON schema lists them)
    FlagKind = Literal[FLAG_KIND_NAMES]


class ConflictValue(BaseModel):
    value: str
    citation: Citation


class Flag(BaseModel):
    """Where the evidence for a point is thin, in words a reader understands."""

    kind: FlagKind
    reason: str
    values: list[ConflictValue] = Field(default_factory=list, description="for conflicts")


class Verdict(BaseModel):
    """Does the cited text support the sentence? Set by the checker."""

    label: Literal["supported", "partial", "unsupported"]
    score: float = Field(ge=0.0, le=1.0)
    reasons: list[str] = []


class Point(BaseModel):
    text: str
    citations: list[Citation] = Field(min_length=1)
    origins: int = Field(ge=1, description="independent origins backing the point")
    flags: list[Flag] = []
    support: Verdict | None = None


class Conflict(BaseModel):
    """Sources disagree; each competing value keeps its own citation."""

    subject: str
    kind: Literal["number", "date", "time", "name", "fact"]
    values: list[ConflictValue] = Field(min_length=2)


class Source(BaseModel):
    id: str
    title: str = ""
    outlet: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    origin: str
    text: str


class DroppedPoint(BaseModel):
    text: str
    reason: str


class BriefingStats(BaseModel):
    input_chars: int = 0
    kept_chars: int = 0
    articles: int = 0
    origins: int = 0
    points: int = 0
    engine: str = ""
    engine_version: str = ""
    timings: dict[str, float] = Field(default_factory=dict)
    degraded: str | None = Field(default=None, description="why a fallback engine was used")
    usage: dict[str, dict[str, int]] = Field(default_factory=dict, description="tokens per step")
    cost_usd: float | None = None
    prompts: dict[str, str] = Field(default_factory=dict, description="prompt name -> version@sha256")
    truncated: list[str] = Field(
        default_factory=list,
        description="what the build left unread because of its work limits (empty: it read everything)",
    )

    @classmethod
    def of(cls, corpus: CorpusStats, **fields: object) -> BriefingStats:
        """An engine's stats, starting from what the model-free stages measured."""
        return cls(
            input_chars=corpus.input_chars,
            kept_chars=corpus.kept_chars,
            articles=corpus.articles,
            origins=corpus.origins,
            truncated=list(corpus.truncated),
            **fields,
        )


class Briefing(BaseModel):
    schema_version: str = SCHEMA_VERSION
    title: str = ""
    generated_at: datetime | None = None
    sources: list[Source]
    lead: Point | None = Field(None, description="One or two sentences summing up the top points (llm engine), cited and checked like a point.")
    points: list[Point]
    conflicts: list[Conflict] = []
    dropped: list[DroppedPoint] = []
    stats: BriefingStats = BriefingStats()

    @model_validator(mode="after")
    def _citations_are_exact(self) -> Briefing:
        by_id = {s.id: s for s in self.sources}
        shown = [*self.points, *([self.lead] if self.lead else [])]
        cites = [c for p in shown for c in p.citations]
        cites += [v.citation for p in shown for f in p.flags for v in f.values]
        cites += [v.citation for c in self.conflicts for v in c.values]
        for c in cites:
            src = by_id.get(c.source_id)
            if src is None:
                raise ValueError(f"citation names unknown source {c.source_id!r}")
            if not (0 <= c.start < c.end <= len(src.text)) or src.text[c.start : c.end] != c.quote:
                raise ValueError(
                    f"citation {c.source_id}[{c.start}:{c.end}] does not match its quote"
                )
        return self

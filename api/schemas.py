"""Request and response bodies of the HTTP API (the briefing itself is briefing.models.Briefing)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import JsonDict

from briefing.dates import to_utc
from briefing.engines.base import BuildOptions, EngineName
from briefing.errors import InputError
from briefing.ingest import articles_from_records
from briefing.ingest.records import NO_TEXT
from briefing.models import Briefing, IngestResult, InputProblem
from briefing.untrusted import has_text

JobStatus = Literal["queued", "running", "done", "failed"]

_EXAMPLE_ARTICLE: JsonDict = {
    "title": "Exchange halts withdrawals after hack",
    "text": "The exchange said on Monday that 4,000 bitcoin were taken. "
    "A spokesperson said withdrawals would resume within a week.",
    "url": "https://example.com/news/exchange-hack",
    "outlet": "Example News",
    "published_at": "2024-03-04T09:30:00Z",
}


class FieldError(BaseModel):
    """What is wrong with one field: where (`loc`, e.g. ["body", "articles", 0, "text"]) and why."""

    loc: list[str | int]
    msg: str
    type: str = ""


class Problem(BaseModel):
    """Every error answer: a stable code, a sentence for people, field-level reasons for 422."""

    code: str = Field(examples=["invalid_request"])
    detail: str = Field(examples=["invalid request: body.articles: Field required"])
    errors: list[FieldError] = []


_NOT_BLANK = r"\S"


def _has_utc_form(value: datetime) -> datetime:
    """A time must exist in UTC (0001-01-01T00:00+14:00 does not): else a 422 with the reason."""
    try:
        to_utc(value, "the time")
    except InputError as exc:
        raise ValueError(str(exc)) from None
    return value


ExistingTime = Annotated[datetime, AfterValidator(_has_utc_form)]
"""A datetime with a UTC form, for bodies and queries."""


class ArticleIn(BaseModel):
    """One article as sent: `text`, or `html` to extract the text from (at least one)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [_EXAMPLE_ARTICLE],
            "anyOf": [
                {"required": ["text"], "properties": {"text": {"type": "string"}}},
                {"required": ["html"], "properties": {"html": {"type": "string"}}},
            ],
        },
    )

    id: str | None = Field(None, max_length=200, description="Your id; kept as source_id.")
    title: str | None = None
    text: str | None = Field(
        None, pattern=_NOT_BLANK, description="Plain text; wins over html when both are given."
    )
    html: str | None = Field(
        None, pattern=_NOT_BLANK, description="A page to extract the article text from."
    )
    url: str | None = None
    outlet: str | None = None
    published_at: ExistingTime | None = None

    @field_validator("text")
    @classmethod
    def _visible(cls, value: str | None) -> str | None:
        if value is not None and not has_text(value):
            raise ValueError(f"no text: {NO_TEXT}")
        return value

    @model_validator(mode="after")
    def _has_text(self) -> ArticleIn:
        if not (self.text and self.text.strip()) and not (self.html and self.html.strip()):
            raise ValueError('give the article as a non-empty "text" or "html"')
        return self


def ingest(articles: Sequence[ArticleIn]) -> IngestResult:
    """Request articles to pipeline Articles; InputError naming why when none is usable."""
    records = [a.model_dump(mode="json", exclude_none=True) for a in articles]
    result = articles_from_records(records, source="articles")
    if not result.articles:
        reasons = "; ".join(f"{p.source}: {p.message}" for p in result.problems)
        raise InputError(f"no usable articles: {reasons or 'nothing to read'}")
    return result


# the engine's BuildOptions, under the name the API has always published (no docstring:
# the OpenAPI schema stays as it was)
class BriefingOptions(BuildOptions):
    pass


class BriefingRequest(BaseModel):
    """Articles about one story, and how to brief them."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"articles": [_EXAMPLE_ARTICLE], "options": {"engine": "offline"}}]
        },
    )

    articles: list[ArticleIn] = Field(min_length=1)
    options: BriefingOptions = BriefingOptions()


class BriefingLinks(BaseModel):
    self: str = Field(examples=["/v1/briefings/0f3c…"])
    html: str = Field(examples=["/briefings/0f3c…"])


class BriefingResource(BaseModel):
    """A briefing job and, once `status` is done, its briefing."""

    id: str
    status: JobStatus
    engine: EngineName
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    attempts: int = 0
    error: str | None = Field(None, description="Why the job failed (status failed).")
    problems: list[InputProblem] = Field([], description="Articles skipped as unusable.")
    links: BriefingLinks
    briefing: Briefing | None = Field(None, description="The result (status done).")


class ArticlesRequest(BaseModel):
    """Articles to keep for the digest."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"articles": [_EXAMPLE_ARTICLE]}]}
    )

    articles: list[ArticleIn] = Field(min_length=1)


class StoredRef(BaseModel):
    id: str = Field(description="Id of the stored article.")
    source_id: str | None = Field(None, description="The id you gave (or its position).")
    title: str


class DuplicateRef(BaseModel):
    source_id: str | None = None
    title: str
    duplicate_of: str = Field(description="Id of the stored article with the same text.")


class ArticlesStored(BaseModel):
    """Which articles were stored and which repeat articles already stored."""

    stored: list[StoredRef]
    duplicates: list[DuplicateRef]
    problems: list[InputProblem] = []


class QueuedStoredRef(StoredRef):
    near_duplicate_of: str | None = Field(
        None, description="Id of the stored article this one nearly repeats (shared near-duplicate index)."
    )


class ArticlesBatch(BaseModel):
    """Articles accepted for a queue worker to store: poll `location` until `done`.

    queued → stored (the rows are in; `stored` and `duplicates` are final) → done (near
    copies linked); failed: nothing was stored (`error` says why).
    """

    id: str
    status: Literal["queued", "stored", "done", "failed"]
    accepted: int = Field(description="How many articles were accepted for storing.")
    location: str = Field(description="Where to poll this batch: /v1/articles/batches/{id}.")
    stored: list[QueuedStoredRef] = []
    duplicates: list[DuplicateRef] = []
    problems: list[InputProblem] = []
    error: str | None = None


class ArticleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # read straight from a stored row

    id: str
    source_id: str | None = None
    title: str
    outlet: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    ingested_at: datetime
    text: str


class ArticleList(BaseModel):
    articles: list[ArticleOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page.")


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    database: str = Field(examples=["ok"])

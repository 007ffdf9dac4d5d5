"""Records (JSON objects, API request items) to Articles, one problem per unusable record."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from briefing.errors import InputError
from briefing.ingest.html import extract_html
from briefing.headlines import guess_title
from briefing.ingest.text import parse_date
from briefing.models import Article, IngestResult, InputProblem
from briefing.untrusted import has_text

# Accepted field names, canonical first; the aliases cover common news-API exports.
_TEXT_KEYS = ("text", "body", "content")
_TITLE_KEYS = ("title", "headline")
_URL_KEYS = ("url", "link")
_OUTLET_KEYS = ("outlet", "source", "site_name", "publisher")
_DATE_KEYS = ("published_at", "published", "date", "pubDate")
NO_TEXT = "only whitespace, control or invisible characters (NUL, zero-width, BOM)"


class Item(NamedTuple):
    """One record and how to name it: `where` in messages, `default_id` if it has no "id"."""

    where: str
    default_id: str
    record: object


class _Unusable(Exception):
    """A record that cannot become an article; the message says why."""


def _string(record: Mapping[str, object], keys: tuple[str, ...]) -> str | None:
    """The first non-blank string among `keys`; a {"name": ...} object counts (NewsAPI source)."""
    for key in keys:
        value = record.get(key)
        if isinstance(value, Mapping):
            value = value.get("name")
        if isinstance(value, str) and value.strip():
            return value
    return None


def _first_value(record: Mapping[str, object], keys: tuple[str, ...]) -> object:
    return next((record[k] for k in keys if record.get(k) not in (None, "")), None)


def _record_id(record: Mapping[str, object], default: str) -> str:
    """A given "id" wins (as text); otherwise the position-based default."""
    given = record.get("id")
    if isinstance(given, (str, int)) and not isinstance(given, bool) and str(given).strip():
        return str(given).strip()
    return default


def article_from_record(record: Mapping[str, object], default_id: str, path: str | None) -> Article:
    """One record to an Article; "text" is kept exactly, "html" goes through extraction."""
    text = _string(record, _TEXT_KEYS)
    html = _string(record, ("html",))
    page = extract_html(html) if text is None and html is not None else None
    if page is not None:
        text = page.text
    if text is None or not has_text(text):
        raise _Unusable(f'no article text: {NO_TEXT}; give a non-empty "text" (or "html") string')
    outlet = _string(record, _OUTLET_KEYS) or (page.outlet if page else None)
    title = _string(record, _TITLE_KEYS) or (page.title if page else "") or guess_title(text, outlet)
    published = parse_date(_first_value(record, _DATE_KEYS))
    return Article(
        id=_record_id(record, default_id),
        title=title.strip(),
        outlet=outlet,
        url=_string(record, _URL_KEYS) or (page.url if page else None),
        published_at=published or (page.published_at if page else None),
        text=text,
        path=path,
    )


def without_textless(result: IngestResult) -> IngestResult:
    """Articles with nothing to read (only whitespace, NUL, zero-width or BOM characters)
    become problems, whichever reader made them: one check for files, stdin and the API."""
    kept = [a for a in result.articles if has_text(a.text)]
    if len(kept) == len(result.articles):
        return result
    problems = [
        InputProblem(source=a.path or a.id, message=f"no article text in {a.id!r}: {NO_TEXT}")
        for a in result.articles
        if not has_text(a.text)
    ]
    return IngestResult(articles=kept, problems=result.problems + problems)


def finish(result: IngestResult) -> IngestResult:
    """What every reader returns: textless articles reported, ids unique."""
    return with_unique_ids(without_textless(result))


def with_unique_ids(result: IngestResult) -> IngestResult:
    """Ids must be unique within one run: a repeated id gets "-2", "-3", ... appended."""
    seen: set[str] = set()
    articles: list[Article] = []
    for article in result.articles:
        new_id, n = article.id, 2
        while new_id in seen:
            new_id, n = f"{article.id}-{n}", n + 1
        seen.add(new_id)
        articles.append(
            article if new_id == article.id else article.model_copy(update={"id": new_id})
        )
    return IngestResult(articles=articles, problems=result.problems)


def articles_from_items(items: Iterable[Item], *, path: str | None) -> IngestResult:
    """Records to articles; a bad record becomes a problem and the others still count."""
    result = IngestResult()
    for item in items:
        if not isinstance(item.record, Mapping):
            kind = type(item.record).__name__
            message = f"expected an object with title and text, got {kind}"
            result.problems.append(InputProblem(source=item.where, message=message))
            continue
        try:
            result.articles.append(article_from_record(item.record, item.default_id, path))
        except _Unusable as exc:
            result.problems.append(InputProblem(source=item.where, message=str(exc)))
    return result


def articles_from_records(
    records: Iterable[Mapping[str, object]], *, source: str = "request"
) -> IngestResult:
    """Articles from already-parsed records (the HTTP API); ids default to `<source>#<n>`."""
    if isinstance(records, (str, bytes, Mapping)):
        raise InputError("articles_from_records takes a list of records, not a single value")
    items = (Item(f"{source}#{n}", f"{source}#{n}", r) for n, r in enumerate(records, 1))
    return finish(articles_from_items(items, path=None))

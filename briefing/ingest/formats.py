"""One reader per input format, chosen by suffix or by sniffing the content."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from briefing.ingest.html import extract_html, html_to_text
from briefing.ingest.records import Item, articles_from_items
from briefing.headlines import guess_title
from briefing.ingest.text import parse_date
from briefing.models import Article, IngestResult, InputProblem


@dataclass(frozen=True)
class Doc:
    """One decoded input: `name` for messages, `stem` for ids, `raw` for parsers that want bytes."""

    name: str
    stem: str
    path: str | None
    text: str
    raw: bytes


Reader = Callable[[Doc], IngestResult]

SUFFIX_FORMATS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".markdown": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".feed": "feed",
}
_FEED_MARKERS = ("<rss", "<feed", "<rdf:rdf")
_SNIFF_CHARS = 2048


TOO_DEEP = "nested too deeply to read (thousands of brackets or objects inside each other)"


def _problem(source: str, message: str) -> IngestResult:
    return IngestResult(problems=[InputProblem(source=source, message=message)])


def _parses(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


def sniff_format(text: str) -> str:
    """Guess the format of unnamed input (stdin, odd suffixes); plain text unless clearly not."""
    head = text.lstrip()[:_SNIFF_CHARS]
    lowered = head.lower()
    if head.startswith("{"):
        first_line = text.lstrip().split("\n", 1)[0]
        return "jsonl" if not _parses(text) and _parses(first_line) else "json"
    if head.startswith("[") and head[1:].lstrip()[:1] in ("{", "]"):
        return "json"
    if head.startswith("<"):
        return "feed" if any(m in lowered for m in _FEED_MARKERS) else "html"
    return "text"


def read_text(doc: Doc) -> IngestResult:
    """Plain text and Markdown: the text is kept exactly as decoded, since offsets index it."""
    return IngestResult(
        articles=[Article(id=doc.stem, title=guess_title(doc.text), text=doc.text, path=doc.path)]
    )


def read_html(doc: Doc) -> IngestResult:
    """A saved web page: main text and metadata via trafilatura."""
    page = extract_html(doc.text)
    if not page.text.strip():
        return _problem(doc.name, "no readable text found in this HTML page")
    article = Article(
        id=doc.stem,
        title=page.title or guess_title(page.text, page.outlet),
        outlet=page.outlet,
        url=page.url,
        published_at=page.published_at,
        text=page.text,
        path=doc.path,
    )
    return IngestResult(articles=[article])


def _json_items(doc: Doc, data: Any) -> list[Item] | str:
    """The records in a JSON document, or why there are none."""
    if isinstance(data, Mapping) and "articles" in data:
        data = data["articles"]
        if not isinstance(data, list):
            return '"articles" must be a list of objects'
    if isinstance(data, Mapping):
        return [Item(doc.name, doc.stem, data)]
    if isinstance(data, list):
        return [Item(f"{doc.name}#{n}", f"{doc.stem}#{n}", r) for n, r in enumerate(data, 1)]
    return 'expected an article object, a list of them, or {"articles": [...]}'


def read_json(doc: Doc) -> IngestResult:
    """One article object, a list of them, or {"articles": [...]}."""
    try:
        data = json.loads(doc.text)
    except RecursionError:
        return _problem(doc.name, TOO_DEEP)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and _parses(doc.text.lstrip().split("\n", 1)[0]):
            return read_jsonl(doc)  # JSON Lines saved as .json: read it for what it is
        message = f"not valid JSON: {exc.msg} (column {exc.colno})"
        return _problem(f"{doc.name}:{exc.lineno}", message)
    items = _json_items(doc, data)
    if isinstance(items, str):
        return _problem(doc.name, items)
    if not items:
        return _problem(doc.name, "the JSON list is empty")
    return articles_from_items(items, path=doc.path)


def _jsonl_items(doc: Doc, problems: list[InputProblem]) -> Iterator[Item]:
    """Each non-blank line as a record; a broken line is reported and skipped."""
    for lineno, line in enumerate(doc.text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{doc.name}:{lineno}"
        try:
            record = json.loads(line)
        except RecursionError:
            problems.append(InputProblem(source=where, message=TOO_DEEP))
            continue
        except json.JSONDecodeError as exc:
            problems.append(
                InputProblem(
                    source=where, message=f"not valid JSON: {exc.msg} (column {exc.colno})"
                )
            )
            continue
        yield Item(where, f"{doc.stem}#{lineno}", record)


def read_jsonl(doc: Doc) -> IngestResult:
    """One JSON object per line (ids use the line number, so they match the messages)."""
    problems: list[InputProblem] = []
    result = articles_from_items(_jsonl_items(doc, problems), path=doc.path)
    return IngestResult(articles=result.articles, problems=problems + result.problems)


def _entry_text(entry: dict[str, Any]) -> str:
    """The fullest body a feed entry offers (content over summary), as plain text."""
    bodies = [c for c in entry.get("content") or [] if c.get("value")]
    if entry.get("summary"):
        bodies.append(
            entry.get("summary_detail") or {"value": entry["summary"], "type": "text/html"}
        )
    if not bodies:
        return ""
    best = max(bodies, key=lambda c: len(c.get("value", "")))
    value = str(best.get("value", ""))
    return value if best.get("type") == "text/plain" else html_to_text(value)


def _entry_article(
    entry: dict[str, Any], feed_title: str | None, doc: Doc, n: int
) -> Article | None:
    """One feed entry as an article; None when the entry carries no text."""
    text = _entry_text(entry)
    if not text.strip():
        return None
    source = entry.get("source") or {}
    # dict.get: plain lookups, bypassing feedparser's deprecated updated->published aliasing
    dates = (
        dict.get(entry, k) for k in ("published", "updated", "published_parsed", "updated_parsed")
    )
    published = next((d for d in map(parse_date, dates) if d is not None), None)
    return Article(
        id=f"{doc.stem}#{n}",
        title=(entry.get("title") or "").strip() or guess_title(text),
        outlet=source.get("title") or feed_title,
        url=entry.get("link"),
        published_at=published,
        text=text,
        path=doc.path,
    )


def read_feed(doc: Doc) -> IngestResult:
    """RSS or Atom: one article per entry. Entry HTML is already the article body, so it is
    converted to text directly (trafilatura's boilerplate removal drops short entries)."""
    import feedparser  # imported here: only feeds need it

    parsed = feedparser.parse(io.BytesIO(doc.raw))  # bytes: feedparser honours the XML encoding
    if not parsed.entries:
        reason = f": {parsed.bozo_exception}" if parsed.get("bozo") else ""
        return _problem(
            doc.name, f"not a readable RSS/Atom feed, or a feed with no entries{reason}"
        )
    feed_title = parsed.feed.get("title") or None
    result = IngestResult()
    for n, entry in enumerate(parsed.entries, 1):
        article = _entry_article(entry, feed_title, doc, n)
        if article is None:
            result.problems.append(
                InputProblem(
                    source=f"{doc.name}#{n}", message="feed entry has no content or summary"
                )
            )
        else:
            result.articles.append(article)
    return result


READERS: dict[str, Reader] = {
    "text": read_text,
    "html": read_html,
    "json": read_json,
    "jsonl": read_jsonl,
    "feed": read_feed,
}


def read_doc(doc: Doc, fmt: str | None) -> IngestResult:
    """Read one decoded input with the reader for `fmt`, sniffing when the format is unknown."""
    if not doc.text.strip():
        return _problem(doc.name, "the file is empty")
    try:
        return READERS[fmt or sniff_format(doc.text)](doc)
    except RecursionError:  # a parser below (HTML, XML) met input nested past the stack
        return _problem(doc.name, TOO_DEEP)

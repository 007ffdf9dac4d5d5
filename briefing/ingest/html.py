"""HTML to article text: trafilatura for whole pages, a small visible-text scanner otherwise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

from briefing.ingest.text import parse_date

_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head", "iframe"})
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
        "td", "th", "tr", "ul",
    }
)  # fmt: skip
_DATE_META = ("article:published_time", "og:published_time", "date", "dc.date", "pubdate")
# Keep the time of day, not just the date, when the page states it.
_DATE_PARAMS = {
    "original_date": True,
    "extensive_search": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}


@dataclass
class HtmlArticle:
    """What a page yields: its main text plus whatever metadata it declares."""

    text: str
    title: str = ""
    url: str | None = None
    outlet: str | None = None
    published_at: datetime | None = None
    author: str | None = None


@dataclass
class _Page:
    lines: list[str] = field(default_factory=list)
    title: str = ""
    h1: str = ""
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class _Scanner(HTMLParser):
    """Visible text one block per line, plus <title> and <meta>; tolerant of broken markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = _Page()
        self._line: list[str] = []
        self._title: list[str] = []
        self._skip = 0
        self._in_title = False
        self._h1: list[str] | None = None  # the first <h1>'s text while it is open

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":  # an unclosed <head> must not hide the whole page
            self._skip = 0
        elif tag in _SKIP_TAGS:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "h1" and not self.page.h1 and not self._skip:
            self._h1 = []
        elif tag in ("meta", "link"):
            self._remember(tag, dict(attrs))
        if tag in _BLOCK_TAGS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self._skip:
            self._skip -= 1
        elif tag == "title":
            self._in_title = False
        elif tag == "h1" and self._h1 is not None:
            self.page.h1 = " ".join("".join(self._h1).split())
            self._h1 = None
        if tag in _BLOCK_TAGS:
            self._break()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)
        elif not self._skip:
            self._line.append(data)
            if self._h1 is not None:
                self._h1.append(data)

    def close(self) -> None:
        super().close()
        self._break()
        self.page.title = " ".join("".join(self._title).split())

    def _remember(self, tag: str, attrs: dict[str, str | None]) -> None:
        if tag == "link":
            if (attrs.get("rel") or "").lower() == "canonical" and attrs.get("href"):
                self.page.meta.setdefault("canonical", attrs["href"] or "")
            return
        key = (attrs.get("property") or attrs.get("name") or "").lower()
        if key and attrs.get("content"):
            self.page.meta.setdefault(key, attrs["content"] or "")

    def _break(self) -> None:
        line = " ".join("".join(self._line).split())
        if line:
            self.page.lines.append(line)
        self._line = []


def _scan(html: str) -> _Page:
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.page


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment (feed entries): one paragraph per line, no markup."""
    return _scan(html).text


def _trafilatura(html: str) -> Any:
    """trafilatura's main-text extraction, or None when it fails on odd markup."""
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    try:
        return trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, date_extraction_params=_DATE_PARAMS
        )
    except Exception:  # trafilatura raises assorted errors on malformed pages; fall back
        return None


def _first(*values: str | None) -> str | None:
    return next((v.strip() for v in values if v and v.strip()), None)


def extract_html(html: str) -> HtmlArticle:
    """The article in a web page: trafilatura drops menus and ads; visible text if it finds none."""
    page = _scan(html)
    doc = _trafilatura(html)
    text = (getattr(doc, "text", None) or "").strip() or page.text
    meta = page.meta
    dates = (
        parse_date(d) for d in (getattr(doc, "date", None), *(meta.get(k) for k in _DATE_META))
    )
    return HtmlArticle(
        text=text,
        # the page's own headline before <title>, which often carries "| Site name"
        title=_first(meta.get("og:title"), page.h1, getattr(doc, "title", None), page.title) or "",
        url=_first(getattr(doc, "url", None), meta.get("og:url"), meta.get("canonical")),
        outlet=_first(getattr(doc, "sitename", None), meta.get("og:site_name")),
        published_at=next((d for d in dates if d is not None), None),
        author=_first(getattr(doc, "author", None), meta.get("author"), meta.get("article:author")),
    )

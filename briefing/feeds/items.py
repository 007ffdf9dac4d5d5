"""Feed entries to Articles: canonical URLs, and whether the feed holds the whole article.

An entry's `content:encoded` (or Atom `<content>`) is taken as the article when it is long
(`feed_full_text_chars`) and does not end like a teaser ("…", "Read more"); otherwise the
article is the linked page, extracted by the same trafilatura reader `briefing ingest`
uses. Nothing is stored from a summary alone: a half article would be briefed as whole.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from briefing.feeds.parse import Entry
from briefing.ingest.html import extract_html, html_to_text
from briefing.headlines import guess_title
from briefing.ingest.text import decode, parse_date
from briefing.models import Article

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid",
    "_ga", "_gl", "_hsenc", "_hsmi", "ref_src", "ref_url", "cmpid", "ocid", "spm", "smid", "icid",
    "xtor", "ito", "s_cid", "wt_mc", "wt.mc_id", "at_medium", "at_campaign", "at_custom1", "cmp",
    "guccounter", "guce_referrer", "guce_referrer_sig", "rss", "feature", "__twitter_impression",
})  # fmt: skip
TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "hsa_", "oly_", "vero_", "mkt_", "sc_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_TEASER_END = re.compile(
    r"(…|\.\.\.|\[…\]|\[\.\.\.\]|\b(read|continue reading|read the full|read more|more)\b[^.\n]{0,40})\s*$",
    re.IGNORECASE,
)
MIN_PAGE_CHARS = 200


class PageError(Exception):
    """A fetched page with no article in it."""


def canonical_url(url: str) -> str:
    """The URL that names the article: lower-case scheme and host, no default port, no
    fragment, no tracking parameters (utm_*, fbclid, …), the rest of the query sorted."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}{':' + parts.password if parts.password else ''}@{netloc}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    )
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query, doseq=True), ""))


def entry_key(entry: Entry, feed_url: str) -> str | None:
    """The entry's identity across feeds: its canonical link (or URL-shaped guid); else
    the guid within this feed; None when it has neither."""
    for candidate in (entry.link, entry.guid):
        if candidate and urlsplit(candidate).scheme.lower() in ("http", "https") and urlsplit(candidate).hostname:
            return canonical_url(candidate)
    return f"{feed_url}#guid={entry.guid}" if entry.guid else None


def fetchable(key: str) -> bool:
    return "#guid=" not in key


def article_id(key: str) -> str:
    return f"feed-{hashlib.sha256(key.encode()).hexdigest()[:20]}"


def full_text(entry: Entry, min_chars: int) -> str | None:
    """The entry's own content as text when it is the whole article; None for a teaser."""
    if not entry.content:
        return None
    text = entry.content.strip() if entry.content_type == "text/plain" else html_to_text(entry.content)
    if len(text) < min_chars or _TEASER_END.search(text[-80:]):
        return None
    return text


def entry_article(entry: Entry, key: str, text: str, outlet: str | None) -> Article:
    """An article from an entry whose content is the whole article."""
    return Article(
        id=article_id(key), title=entry.title or guess_title(text), outlet=outlet,
        url=key if fetchable(key) else entry.link, published_at=entry.published_at, text=text,
    )


@dataclass(frozen=True)
class PageArticle:
    article: Article
    author: str | None


def page_article(
    body: bytes, charset: str | None, *, key: str, title: str, published_at: object, outlet: str | None,
    author: str | None = None,
) -> PageArticle:
    """The article on a fetched page (HTTP charset first, then the page's own, then
    UTF-8/cp1252); the entry's title and date win, the page's fill the gaps."""
    html = _decode(body, charset)
    page = extract_html(html)
    text = page.text.strip()
    if len(text) < MIN_PAGE_CHARS:
        raise PageError(f"no article text on the page ({len(text)} characters extracted)")
    article = Article(
        id=article_id(key), title=title or page.title or guess_title(text), outlet=outlet or page.outlet,
        url=key, published_at=parse_date(published_at) or page.published_at, text=page.text,
    )
    return PageArticle(article, author or page.author)


def _decode(body: bytes, charset: str | None) -> str:
    if charset:
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(body)

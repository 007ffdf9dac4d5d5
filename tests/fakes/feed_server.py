"""A scriptable web server on 127.0.0.1 for the feed tests and bench: feeds, pages, robots.txt.

Each path answers as its `Route` says: a body (or a generator streaming one), a status,
an ETag / Last-Modified honoured for conditional GETs, gzip, a delay before answering,
a redirect. Every request is logged, so tests can see what the poller asked for.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass
class Route:
    body: bytes | Callable[[], Iterable[bytes]] = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    delay: float = 0.0  # seconds before the status line
    redirect: str | None = None  # Location for a 3xx status
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    status: int
    sent: int  # body bytes written before the client went away (or all of them)


class FeedServer:
    """`with FeedServer() as web: web.routes["/feed.xml"] = Route(...); web.url("/feed.xml")`."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                route = server.routes.get(self.path)
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, sent = server._answer(self, route, headers)
                with server._lock:
                    server.hits.append(Hit(self.path, headers, status, sent))

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()

    def requests_to(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path == path]

    def _answer(self, handler: BaseHTTPRequestHandler, route: Route | None, headers: dict[str, str]) -> tuple[int, int]:
        try:
            if route is None:
                return self._send(handler, 404, {"Content-Type": "text/plain"}, [b"not found"])
            if route.delay:
                time.sleep(route.delay)
            if route.redirect is not None:
                return self._send(handler, route.status, {"Location": route.redirect, "Content-Length": "0"}, [])
            validators = {k: v for k, v in (("ETag", route.etag), ("Last-Modified", route.last_modified)) if v}
            if (route.etag and headers.get("if-none-match") == route.etag) or (
                route.last_modified and not route.etag and headers.get("if-modified-since") == route.last_modified
            ):
                return self._send(handler, 304, validators, [])
            out = {"Content-Type": route.content_type, **validators, **route.headers}
            if callable(route.body):
                return self._send(handler, route.status, out, route.body(), chunked=True)
            body = route.body
            if route.gzip and "gzip" in headers.get("accept-encoding", ""):
                body = gzip.compress(body)
                out["Content-Encoding"] = "gzip"
            out["Content-Length"] = str(len(body))
            return self._send(handler, route.status, out, [body])
        except (BrokenPipeError, ConnectionResetError):
            return 0, 0

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], chunks: Iterable[bytes],
        *, chunked: bool = False,
    ) -> tuple[int, int]:
        handler.send_response(status)
        for k, v in headers.items():
            handler.send_header(k, v)
        if chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        elif "Content-Length" not in headers:
            handler.send_header("Content-Length", "0")
        handler.end_headers()
        sent = 0
        try:
            for chunk in chunks:
                if chunked:
                    handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                else:
                    handler.wfile.write(chunk)
                sent += len(chunk)
            if chunked:
                handler.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True
        return status, sent


# ---------------------------------------------------------------- documents to serve


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def paragraphs_html(text: str) -> str:
    return "".join(f"<p>{_esc(p.strip())}</p>" for p in text.split("\n\n") if p.strip())


@dataclass
class Item:
    title: str
    link: str
    summary: str = ""
    content: str | None = None  # full text (plain paragraphs) for <content:encoded>
    guid: str | None = None
    published: str = "Mon, 07 Dec 2026 06:00:00 +0000"


def rss(title: str, items: Iterable[Item], *, encoding: str = "utf-8") -> bytes:
    """An RSS 2.0 document; items with `content` carry it as <content:encoded>."""
    parts = [
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{_esc(title)}</title><link>http://127.0.0.1/</link><description>test feed</description>"
    ]
    for it in items:
        body = f"<content:encoded><![CDATA[{paragraphs_html(it.content)}]]></content:encoded>" if it.content else ""
        parts.append(
            f"<item><title>{_esc(it.title)}</title><link>{_esc(it.link)}</link>"
            f"<guid>{_esc(it.guid or it.link)}</guid><pubDate>{it.published}</pubDate>"
            f"<description>{_esc(it.summary)}</description>{body}</item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode(encoding, "xmlcharrefreplace")


def page(title: str, text: str, *, outlet: str = "Test Outlet", author: str = "Jo Reporter",
         published: str = "2026-12-07T06:00:00+00:00", charset: str = "utf-8") -> bytes:
    """A news page: menus, a share bar and a footer around the article, as real pages have."""
    html = f"""<!DOCTYPE html><html><head><meta charset="{charset}"><title>{_esc(title)} | {_esc(outlet)}</title>
<meta property="og:title" content="{_esc(title)}"><meta property="og:site_name" content="{_esc(outlet)}">
<meta name="author" content="{_esc(author)}"><meta property="article:published_time" content="{published}">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>{_esc(title)}</h1><p class="byline">By {_esc(author)}</p>{paragraphs_html(text)}</article>
<aside>Share this story: Facebook Twitter Email</aside>
<footer>© 2026 {_esc(outlet)}. All rights reserved. Privacy policy. Cookie settings.</footer></body></html>"""
    return html.encode(charset, "xmlcharrefreplace")

"""Polite HTTP for feeds and pages: one httpx client, per-host limits, bounded everything.

Every response is bounded in time (connect, between bytes, and whole) and in size: the
cap counts decompressed bytes as they stream in (so a gzip bomb stops at the cap too)
and the body is dropped the moment it passes. At most `feed_host_concurrency` requests
are in flight per host, each starting `feed_host_delay` seconds after the previous one.
Conditional GETs send the stored ETag / Last-Modified, and a 304 costs no body.

Feed and item URLs come from untrusted documents, so unless `feed_allow_private_hosts`
every request (each redirect hop included) must resolve to public addresses only: a feed
cannot make the poller read 169.254.169.254 or an intranet page and mail it out as news.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from briefing import __version__
from briefing.config import Settings

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
PERMANENT = frozenset({404, 410})


class FetchError(Exception):
    """A request that gave no usable body; `permanent` for answers that will not change (404/410)."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.permanent = status in PERMANENT


@dataclass(frozen=True)
class Fetched:
    """A 2xx (with its body) or a 304 (without)."""

    url: str
    status: int
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    charset: str | None = None
    content_type: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class Traffic:
    """What the client did: requests sent, bytes received on the wire, 304s."""

    requests: int = 0
    bytes: int = 0
    not_modified: int = 0
    errors: dict[str, int] = field(default_factory=dict)


def user_agent(settings: Settings) -> str:
    return f"briefing/{__version__} (news digest; +{settings.feed_contact_url})"


class HostGate:
    """At most `limit` requests at once to one host, starts spaced `delay` seconds apart."""

    def __init__(self, limit: int, delay: float) -> None:
        self._slots = asyncio.Semaphore(max(1, limit))
        self._turn = asyncio.Lock()
        self._delay = max(0.0, delay)
        self._next = 0.0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._slots:
            async with self._turn:
                loop = asyncio.get_running_loop()
                wait = self._next - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._next = loop.time() + self._delay
            yield


async def _public_only(request: httpx.Request) -> None:
    """Refuse a request (first or redirected) whose host resolves to a non-public address."""
    host = request.url.host
    port = request.url.port or (443 if request.url.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            raise FetchError(f"refused: {host} resolves to a non-public address ({address})")


class Fetcher:
    """The one HTTP client of a poll; use as `async with Fetcher(settings) as fetch`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.traffic = Traffic()
        self._gates: dict[str, HostGate] = {}
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent(settings), "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(
                connect=settings.feed_connect_timeout, read=settings.feed_read_timeout,
                write=settings.feed_read_timeout, pool=None,
            ),
            follow_redirects=True,
            max_redirects=settings.feed_max_redirects,
            trust_env=False,  # no proxies or netrc from the environment: settings are the one door
            limits=httpx.Limits(max_connections=max(4, settings.feed_concurrency * 2)),
            event_hooks={"request": [self._sent, *([] if settings.feed_allow_private_hosts else [_public_only])]},
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        await self._client.aclose()

    def _gate(self, url: str) -> HostGate:
        host = (urlsplit(url).hostname or "").lower()
        if host not in self._gates:
            self._gates[host] = HostGate(self.settings.feed_host_concurrency, self.settings.feed_host_delay)
        return self._gates[host]

    async def get(
        self, url: str, *, accept: str = PAGE_ACCEPT, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        """GET `url` within every bound; FetchError says why not, in words for `feeds list`."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            async with self._gate(url).slot():
                async with asyncio.timeout(self.settings.feed_total_timeout):
                    return await self._get(url, headers)
        except FetchError as exc:
            self._count(exc.reason.split(":")[0])
            raise
        except TimeoutError:
            self._count("timeout")
            raise FetchError(f"no complete answer within {self.settings.feed_total_timeout:g}s") from None
        except httpx.TooManyRedirects:
            self._count("redirects")
            raise FetchError(f"more than {self.settings.feed_max_redirects} redirects (a redirect loop?)") from None
        except httpx.ConnectTimeout:
            self._count("timeout")
            raise FetchError(f"connect timed out after {self.settings.feed_connect_timeout:g}s") from None
        except httpx.ReadTimeout:
            self._count("timeout")
            raise FetchError(f"read timed out: no data for {self.settings.feed_read_timeout:g}s") from None
        except httpx.DecodingError as exc:
            self._count("decoding")
            raise FetchError(f"cannot decode the compressed body: {exc}") from None
        except httpx.HTTPError as exc:
            self._count("network")
            raise FetchError(f"cannot fetch: {type(exc).__name__}: {exc}") from None

    async def _get(self, url: str, headers: dict[str, str]) -> Fetched:
        cap = self.settings.feed_max_bytes
        async with self._client.stream("GET", url, headers=headers) as response:
            try:
                if response.status_code == 304:
                    self.traffic.not_modified += 1
                    return Fetched(str(response.url), 304, b"", response.headers.get("etag"),
                                   response.headers.get("last-modified"))
                if not 200 <= response.status_code < 300:
                    raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                                     status=response.status_code)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > cap:
                    raise FetchError(f"too large: {int(declared):,} bytes declared, the cap is {cap:,}")
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > cap:
                        raise FetchError(f"too large: more than {cap:,} bytes (stopped reading)")
                    chunks.append(chunk)
                return Fetched(
                    str(response.url), response.status_code, b"".join(chunks),
                    response.headers.get("etag"), response.headers.get("last-modified"),
                    response.charset_encoding, response.headers.get("content-type"),
                )
            finally:
                self.traffic.bytes += response.num_bytes_downloaded

    async def _sent(self, request: httpx.Request) -> None:
        """Count every request on the wire, redirect hops included."""
        self.traffic.requests += 1

    def _count(self, kind: str) -> None:
        self.traffic.errors[kind] = self.traffic.errors.get(kind, 0) + 1

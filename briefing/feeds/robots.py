"""robots.txt, once per host per poll, fetched through the poll's own polite client.

RFC 9309: a 4xx robots.txt means no rules (allow); a 5xx or no answer means the site
cannot say, so nothing is fetched from it this poll (the pages stay pending and are
retried on the next).
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from briefing.feeds.fetch import FetchError, Fetcher
from briefing.ingest.text import decode

AGENT = "briefing"


class Robots:
    """`await robots.allowed(url)`; each host's rules are fetched once, even when asked at once."""

    def __init__(self, fetcher: Fetcher, agent: str = AGENT) -> None:
        self._fetcher = fetcher
        self._agent = agent
        self._rules: dict[str, asyncio.Task[RobotFileParser]] = {}

    async def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._rules:
            self._rules[origin] = asyncio.ensure_future(self._load(origin))
        rules = await self._rules[origin]
        return rules.can_fetch(self._agent, url)

    async def _load(self, origin: str) -> RobotFileParser:
        rules = RobotFileParser(f"{origin}/robots.txt")
        try:
            fetched = await self._fetcher.get(f"{origin}/robots.txt", accept="text/plain")
        except FetchError as exc:
            # stated as rules (parse() is the parser's documented way in): no rules, or one for everyone
            no_rules = exc.status is not None and 400 <= exc.status < 500
            rules.parse([] if no_rules else ["User-agent: *", "Disallow: /"])
            return rules
        rules.parse(decode(fetched.body).splitlines())
        return rules

"""Benchmark feed polling: 200 feeds × 20 items from a local web server, polled twice.

    .venv/bin/python bench/feeds.py [--feeds 200] [--items 20] [--page-share 0.1] [--concurrency 16]

The server (tests/fakes/feed_server.py, in a child process so it does not share our GIL)
serves every feed with an ETag; `--page-share` of the feeds carry summaries only, so
their items are fetched as pages and extracted with trafilatura, the rest carry full text.
The first poll stores everything; the second should be all 304s, no bodies and nothing
stored. Everything is on one host (127.0.0.1), so the per-host limits are raised to
`--concurrency` with no delay: with the defaults (2 at a time, 1 s apart) the bench would
measure the politeness delay, not the poller.

Prints, per poll: wall and CPU time, requests, bytes received, 304s, articles stored,
and the process's peak RSS (ru_maxrss) after each poll. Bytes are body bytes as
received on the wire (compressed), headers not counted.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]  # bench/briefing.py would shadow
sys.path.insert(0, str(_HERE.parent / "tests"))

from briefing import store  # noqa: E402
from briefing.config import Settings  # noqa: E402
from briefing.feeds import store as feeds  # noqa: E402
from briefing.feeds.poll import PollReport, poll  # noqa: E402
from fakes.feed_server import FeedServer, Item, Route, page, rss  # noqa: E402

WORDS = ("harbour council budget port ferry pier storm rail bridge court ruling merger plant fire "
         "minister election rate bank river school hospital union strike shares export grain").split()


def _text(feed: int, item: int) -> str:
    """A distinct ~2.5 KB article per (feed, item): seeded word salad in sentences."""
    import random

    rnd = random.Random(feed * 1000 + item)
    paragraphs = []
    for _ in range(6):
        sentences = [" ".join(rnd.choice(WORDS) for _ in range(12)).capitalize() + "." for _ in range(4)]
        paragraphs.append(" ".join(sentences))
    return f"Feed {feed} item {item}.\n\n" + "\n\n".join(paragraphs)


def _serve(feeds_n: int, items_n: int, page_share: float, port_out: mp.Queue) -> None:  # type: ignore[type-arg]
    with FeedServer() as web:
        pages = int(feeds_n * page_share)
        for f in range(feeds_n):
            entries = []
            for i in range(items_n):
                link = web.url(f"/p/{f}/{i}?utm_source=rss")
                text = _text(f, i)
                if f < pages:
                    web.routes[f"/p/{f}/{i}"] = Route(page(f"Story {f}-{i}", text))
                    entries.append(Item(f"Story {f}-{i}", link, summary=text[:200] + "…"))
                else:
                    entries.append(Item(f"Story {f}-{i}", link, summary=text[:200], content=text))
            web.routes[f"/feed/{f}.xml"] = Route(
                rss(f"Outlet {f}", entries), content_type="application/rss+xml", etag=f'"f{f}-v1"', gzip=True
            )
        port_out.put(web.port)
        while True:
            time.sleep(3600)


def _line(label: str, report: PollReport, wall: float, cpu: float) -> str:
    t = report.traffic
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (
        f"{label:<12} wall {wall:6.1f} s  cpu {cpu:6.1f} s  requests {t.requests:5d}  body bytes {t.bytes:>11,}  "
        f"304s {t.not_modified:4d}  stored {report.stored:5d}  failed feeds {report.count('failed')}  "
        f"peak RSS {peak:,.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--page-share", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    ports: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    server = mp.Process(target=_serve, args=(args.feeds, args.items, args.page_share, ports), daemon=True)
    server.start()
    port = ports.get(timeout=120)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/bench.db", feed_host_delay=0.0,
            feed_host_concurrency=args.concurrency, feed_concurrency=args.concurrency,
            feed_allow_private_hosts=True,
        )
        db = store.Database(settings.resolved_database_url)
        db.migrate()
        with db.transaction() as session:
            for f in range(args.feeds):
                feeds.add_feed(session, f"http://127.0.0.1:{port}/feed/{f}.xml")
        print(f"{args.feeds} feeds × {args.items} items, {args.page_share:.0%} of feeds summary-only (pages fetched); "
              f"{args.concurrency} requests at a time")
        for label in ("first poll", "second poll"):
            wall, cpu = time.perf_counter(), time.process_time()
            report = poll(db, settings, every=True)
            print(_line(label, report, time.perf_counter() - wall, time.process_time() - cpu), flush=True)
        db.dispose()
    server.terminate()


if __name__ == "__main__":
    main()

"""Scale-out benchmark: Redis + PostgreSQL + K `briefing worker` processes on this machine.

    .venv/bin/python bench/scale.py [--articles 2000] [--digests 2000] [--workers 1,2]

For each K it starts a fresh PostgreSQL database and queue namespace, K worker processes
(one task at a time each), and pushes
  * `--articles` generated articles (bench/dedup.py's pile: 30% near-copies) through
    `ingest_articles`, one task per article: stored once by content hash, near-copies
    linked through the MinHash LSH index in Redis;
  * `--digests` subscribers' digests through `send_digest` to an SMTP sink (aiosmtpd in
    this process), one task per subscriber, the window being the eval cases' articles;
    the window's stories are briefed by `brief_story` tasks, once each (checked).
It prints wall time, throughput, K=2/K=1 and the workers' CPU seconds per task (from
/proc, so a shared machine does not inflate it), then, on paper, the workers needed for
1M articles and 100k digests a day. Needs redis-server, initdb/postgres and the
`postgres,queue` extras (like the tests).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(ROOT / "tests"))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from briefing import store  # noqa: E402
from briefing.config import Settings  # noqa: E402
from briefing.digest.queued import enqueue_run  # noqa: E402
from briefing.digest.run import RunOptions  # noqa: E402
from briefing.ingest import read_paths  # noqa: E402
from briefing.queue.broker import actors, outstanding  # noqa: E402
from briefing.store import StoredArticle  # noqa: E402
from briefing.store import digest as subs  # noqa: E402
from briefing.store.stories import StoryBriefing  # noqa: E402
from servers import PostgresServer, RedisServer  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_dedup", _HERE / "dedup.py")
assert _spec and _spec.loader
bench_dedup = importlib.util.module_from_spec(_spec)
sys.modules["bench_dedup"] = bench_dedup  # its dataclasses look their module up
_spec.loader.exec_module(bench_dedup)

PAST = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
CASES = ROOT / "evals" / "cases"
TICKS = os.sysconf("SC_CLK_TCK")


class Sink:
    """Counts what it accepts; nothing else."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201
        self.count += 1
        await asyncio.sleep(0)
        return "250 OK"


class LoopbackSMTP(Controller):
    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


@dataclass
class Phase:
    name: str
    k: int
    tasks: int
    wall: float
    cpu: float  # all workers, during the phase

    @property
    def rate(self) -> float:
        return self.tasks / self.wall

    @property
    def cpu_per_task(self) -> float:
        return self.cpu / self.tasks


def start_workers(k: int, env: dict[str, str], logs: Path) -> list[subprocess.Popen[bytes]]:
    procs = []
    for n in range(k):
        log = logs / f"worker-{n}.log"
        procs.append(subprocess.Popen(
            [sys.executable, "-c", "from briefing.cli import app; app()", "worker", "--concurrency", "1"],
            env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT))
    for n, proc in enumerate(procs):
        log = logs / f"worker-{n}.log"
        while b"worker ready" not in log.read_bytes():
            if proc.poll() is not None:
                raise SystemExit(f"worker exited: {log.read_text()[-2000:]}")
            time.sleep(0.1)
    return procs


def wait_idle(made) -> None:  # noqa: ANN001
    while outstanding(made):
        time.sleep(0.05)


def measure(name: str, k: int, procs: list[subprocess.Popen[bytes]], tasks: int, push, wait) -> Phase:  # noqa: ANN001
    before = sum(cpu_seconds(p.pid) for p in procs)
    start = time.perf_counter()
    push()
    wait()
    wall = time.perf_counter() - start
    cpu = sum(cpu_seconds(p.pid) for p in procs) - before
    return Phase(name, k, tasks, wall, cpu)


def run_k(k: int, args: argparse.Namespace, redis: RedisServer, pg: PostgresServer, sink: Sink, port: int,
          records: list[tuple[str, str, str]], source_of: dict[str, str]) -> tuple[list[Phase], float]:
    url = pg.new_database()
    env = {**os.environ, "BRIEFING_DATABASE_URL": url, "BRIEFING_BROKER_URL": redis.url(),
           "BRIEFING_QUEUE_NAMESPACE": "b" + uuid.uuid4().hex[:8], "BRIEFING_LOCAL_MODEL": "off",
           "BRIEFING_SMTP_HOST": "127.0.0.1", "BRIEFING_SMTP_PORT": str(port), "BRIEFING_SMTP_SECURITY": "none"}
    settings = Settings(database_url=url, broker_url=redis.url(), queue_namespace=env["BRIEFING_QUEUE_NAMESPACE"])
    db = store.Database(url)
    db.migrate()
    made = actors(settings)
    with TemporaryDirectory() as logs:
        env["BRIEFING_DATA_DIR"] = logs
        procs = start_workers(k, env, Path(logs))
        try:
            def push_articles() -> None:
                for rid, title, text in records:
                    made.ingest_articles.send([{"id": rid, "title": title, "text": text}])

            def drain() -> None:
                wait_idle(made)

            ingest = measure("ingest+dedup", k, procs, len(records), push_articles, drain)
            with db.transaction() as session:
                rows = {r.source_id: r for r in session.scalars(select(StoredArticle))}
                stored = session.scalar(select(func.count()).select_from(StoredArticle))
            linked = sum(1 for cid, src in source_of.items()
                         if rows[cid].near_duplicate_of == rows[src].id or rows[src].near_duplicate_of == rows[cid].id)
            print(f"K={k}: {sum(1 for r in rows.values() if r.near_duplicate_of)} articles linked as near copies",
                  flush=True)
            recall = linked / max(1, len(source_of))
            assert stored == len(records), (stored, len(records))

            # the digest: a window of the eval cases' articles, `digests` subscribers
            window = read_paths([str(CASES / "factory-fire"), str(CASES / "merger-closing-date")]).articles
            with db.transaction() as session:
                store.add_articles(session, window, now=PAST)  # a window of its own, not the pile
                for n in range(args.digests):
                    subs.add_subscriber(session, f"reader{n}@example.com")
            sent_before = sink.count
            send = made.send_digest.send

            def push_digests() -> None:
                enqueue_run(db, lambda sid, day, plan: send(sid, day, plan), now=PAST + timedelta(minutes=1),
                            options=RunOptions(since=PAST - timedelta(minutes=1)))

            def drain_digests() -> None:
                wait_idle(made)

            digest = measure("digest send", k, procs, args.digests, push_digests, drain_digests)
            assert sink.count - sent_before == args.digests, (sink.count - sent_before, args.digests)
            with db.transaction() as session:
                briefed = [(r.status, r.attempts) for r in session.scalars(select(StoryBriefing))]
            assert briefed and all(b == ("done", 1) for b in briefed), briefed
            print(f"K={k}: {len(briefed)} stories briefed once each for {args.digests} digests", flush=True)
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                proc.wait(60)
    made.broker.close()
    db.dispose()
    return [ingest, digest], recall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--digests", type=int, default=2000)
    parser.add_argument("--workers", default="1,2", help="comma-separated K values")
    args = parser.parse_args(argv)
    for missing in (RedisServer.missing(), PostgresServer.missing()):
        if missing:
            raise SystemExit(missing)
    records, source_of = bench_dedup.generate(args.articles, seed=7)
    redis, pg = RedisServer(), PostgresServer()
    sink = Sink()
    smtp = LoopbackSMTP(sink, hostname="127.0.0.1", port=0)
    smtp.start()
    phases: list[Phase] = []
    try:
        for k in (int(x) for x in args.workers.split(",")):
            got, recall = run_k(k, args, redis, pg, sink, smtp.port, records, source_of)
            phases += got
            print(f"K={k}: near-copy recall of the shared index {recall:.3f}", flush=True)
    finally:
        smtp.stop()
        redis.stop()
        pg.stop()
    print(f"\n{os.cpu_count()} CPUs; one task at a time per worker process\n")
    print("| phase | K | tasks | wall s | tasks/s | vs K=1 | worker CPU ms/task |")
    print("|---|---|---|---|---|---|---|")
    base = {p.name: p.rate for p in phases if p.k == 1}
    for p in phases:
        ratio = f"{p.rate / base[p.name]:.2f}" if p.name in base else "-"
        print(f"| {p.name} | {p.k} | {p.tasks} | {p.wall:.1f} | {p.rate:.1f} | {ratio} | {p.cpu_per_task * 1000:.1f} |")
    cost = {p.name: p.cpu_per_task for p in phases if p.k == max(q.k for q in phases)}
    day = 86_400
    art_core_s = 1_000_000 * cost["ingest+dedup"]
    dig_core_s = 100_000 * cost["digest send"]
    print("\nOn paper (worker CPU only; PostgreSQL, Redis and SMTP are extra):")
    print(f"  1M articles/day: {art_core_s / 3600:.1f} core-hours -> {art_core_s / day:.2f} busy workers spread over the day;")
    print(f"  100k digests/day: {dig_core_s / 3600:.1f} core-hours -> {dig_core_s / 3600:.1f} workers to send them all "
          f"within one hour (a morning peak), {dig_core_s / day:.2f} spread over the day.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Latency and throughput of POST /v1/briefings (offline, 10 articles) against a real server.

Starts `briefing serve` (uvicorn) on an ephemeral 127.0.0.1 port with a temp SQLite file,
creates a key, then for 1, 8 and 32 concurrent clients sends a bounded number of requests,
each with different articles (no cache or idempotency shortcut), and prints p50/p95 latency
and requests per second. Target: p95 < 300 ms at 8 clients on 2 cores.

    .venv/bin/python bench/api.py [--clients 1 8 32] [--requests 64] [--sentences 6] [--workers 1]
                                  [--build-processes N]   (default: the server's, one per core)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from briefing import store  # noqa: E402
from briefing.config import Settings  # noqa: E402
from briefing.ingest import read_paths  # noqa: E402

RUNNING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentence_pool() -> list[str]:
    """Sentences of the example story, long enough to carry a fact."""
    articles = read_paths([ROOT / "examples" / "pow-exchange"]).articles
    pool = {s.strip() for a in articles for s in SENTENCE_END.split(a.text) if len(s.split()) >= 8}
    return sorted(pool)


def request_body(pool: list[str], seed: int, articles: int, sentences: int) -> dict:
    """Ten articles about the story, different for every seed."""
    rng = random.Random(seed)
    return {
        "articles": [
            {
                "title": f"Prisoner exchange report {seed}-{n}",
                "outlet": f"Outlet {rng.randrange(40)}",
                "text": " ".join(rng.sample(pool, min(sentences, len(pool)))),
            }
            for n in range(articles)
        ],
        "options": {"engine": "offline"},
    }


class Server:
    """`briefing serve` in a subprocess on an ephemeral port; stopped with SIGINT."""

    def __init__(self, env: dict[str, str], workers: int = 1) -> None:
        code = (
            "from briefing.cli_api import serve; "
            f"serve(host='127.0.0.1', port=0, workers={workers})"
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code],
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        self.port: str | None = None
        self._ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(120) or self.port is None:
            self.stop()
            raise SystemExit("server did not start")
        deadline = time.monotonic() + 60  # with --workers, children start listening later
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("server never answered /healthz")

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            if (match := RUNNING.search(line)) and not self._ready.is_set():
                self.port = match.group(1)
                self._ready.set()
        self._ready.set()

    def _stats(self) -> Iterator[list[str]]:
        """/proc/PID/stat fields of the server and every process under it."""
        pids = [self.proc.pid]
        while pids:
            pid = pids.pop()
            try:
                yield Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                for task in Path(f"/proc/{pid}/task").iterdir():
                    pids += [int(c) for c in (task / "children").read_text().split()]
            except (FileNotFoundError, ProcessLookupError):
                continue

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server and its worker processes so far."""
        tick = os.sysconf("SC_CLK_TCK")
        return sum(int(f[11]) + int(f[12]) for f in self._stats()) / tick

    def rss_mib(self) -> float:
        """Resident memory of the server and its worker processes now."""
        page = os.sysconf("SC_PAGE_SIZE")
        return sum(int(f[21]) for f in self._stats()) * page / 2**20

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def run_level(
    url: str, token: str, bodies: list[dict], clients: int
) -> tuple[list[float], float, int]:
    """Send every body once with `clients` in flight; latencies (s), wall time (s), failures."""
    queue: asyncio.Queue[dict] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120, limits=limits) as http:

        async def client() -> None:
            nonlocal failures
            while not queue.empty():
                body = queue.get_nowait()
                start = time.perf_counter()
                response = await http.post("/v1/briefings", json=body)
                latencies.append(time.perf_counter() - start)
                failures += response.status_code != 201

        start = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        return latencies, time.perf_counter() - start, failures


def percentile(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--requests", type=int, default=64, help="requests per concurrency level")
    parser.add_argument("--articles", type=int, default=10)
    parser.add_argument("--sentences", type=int, default=6, help="sentences per article")
    parser.add_argument("--warmup", type=int, default=4)
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes (briefing serve --workers)"
    )
    parser.add_argument(
        "--build-processes",
        type=int,
        help="BRIEFING_API_BUILD_PROCESSES (0: build in the request thread)",
    )
    args = parser.parse_args()

    pool = sentence_pool()
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        db = store.Database(settings.resolved_database_url)
        db.migrate()
        with db.transaction() as session:
            token = store.create_key(session, "bench")[1]
        db.dispose()
        env = {
            **os.environ,
            "BRIEFING_DATA_DIR": tmp,
            "BRIEFING_API_RATE_PER_MINUTE": "1000000",
            "BRIEFING_API_RATE_BURST": "100000",
        }
        env.pop("BRIEFING_DATABASE_URL", None)
        if args.build_processes is not None:
            env["BRIEFING_API_BUILD_PROCESSES"] = str(args.build_processes)
        server = Server(env, args.workers)
        try:
            seed = 0

            def next_bodies(n: int) -> list[dict]:
                nonlocal seed
                seed += n
                return [
                    request_body(pool, seed - i, args.articles, args.sentences) for i in range(n)
                ]

            chars = sum(len(a["text"]) for a in next_bodies(1)[0]["articles"])
            asyncio.run(
                run_level(server.url, token, next_bodies(args.warmup * args.workers), args.workers)
            )
            print(
                f"POST /v1/briefings, offline, {args.articles} articles (~{chars:,} chars), "
                f"{args.requests} requests per level, {args.workers} server process(es), "
                f"build processes: {args.build_processes if args.build_processes is not None else 'default'}, "
                f"{os.cpu_count()} cores"
            )
            print(
                f"{'clients':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
                f"{'req/s':>7} {'cpu ms/req':>10} {'errors':>6}"
            )
            for clients in args.clients:
                cpu = server.cpu_seconds()
                latencies, wall, failures = asyncio.run(
                    run_level(server.url, token, next_bodies(args.requests), clients)
                )
                cpu_ms = (server.cpu_seconds() - cpu) * 1000 / len(latencies)
                print(
                    f"{clients:>7} {percentile(latencies, 50) * 1000:>8.0f} "
                    f"{percentile(latencies, 95) * 1000:>8.0f}"
                    f" {max(latencies) * 1000:>8.0f} {len(latencies) / wall:>7.1f} {cpu_ms:>10.0f}"
                    f" {failures:>6}"
                )
            print(f"server memory (all processes): {server.rss_mib():,.0f} MiB resident")
        finally:
            server.stop()
    print("target: p95 < 300 ms at 8 clients on 2 cores; cpu ms/req is the server's CPU time")
    print(
        f"per request (all its processes): unaffected by other load (now {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()

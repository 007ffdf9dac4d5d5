"""Wall time of the local-model briefing of examples/pow-exchange (the llm chain on the bundled model).

    .venv/bin/python bench/local.py [--threads N] [--parallel N] [--max-points 8] [--corpus DIR]

Runs what `briefing build examples/pow-exchange --engine llm` runs with no endpoint
configured: prepare → the chain on Qwen2.5-Coder-1.5B (xllamacpp, CPU) → checks, with an
empty response cache so every call really reaches the model. Prints the time to get the
model file (assembled once, then only stat'ed), to start the server, each step's time,
calls and tokens, generation speed, and the points.

The model file is taken from .pytest_cache (where the local-model tests keep it) when it is
there, else from the data dir (assembled on first use). Threads default to what the engine
uses (BRIEFING_LOCAL_THREADS, else one per core: `local_model.default_threads()`); on a
machine busy with other work, compare --threads 1 (llama.cpp's spinning threads collapse
when they share cores with anything else).

The machine may be shared: the load average and this process's CPU time are printed too.
Target: under 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from briefing import local_model  # noqa: E402
from briefing.config import get_settings  # noqa: E402
from briefing.engines.chain import run_with  # noqa: E402
from briefing.ingest import read_paths  # noqa: E402
from briefing.pipeline import prepare  # noqa: E402

TARGET_S = 60.0
PYTEST_MODEL = ROOT / ".pytest_cache" / "d" / "briefing-local-model" / "models" / local_model.MODEL_FILE


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--parallel", type=int, default=None, help="llama.cpp slots (default: Settings.local_parallel)")
    parser.add_argument("--max-points", type=int, default=8)
    parser.add_argument("--corpus", type=Path, default=ROOT / "examples" / "pow-exchange")
    args = parser.parse_args()
    if not local_model.is_installed():
        sys.exit(f"local model not installed: {local_model.INSTALL_HINT}")

    settings = get_settings()
    threads = args.threads or local_model.default_threads(settings.local_threads)
    parallel = args.parallel or settings.local_parallel
    print(f"cores {local_model.cores()}, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}, "
          f"threads {threads}, parallel slots {parallel}")
    started, cpu0 = time.perf_counter(), cpu_seconds()

    t = time.perf_counter()
    gguf = PYTEST_MODEL if PYTEST_MODEL.is_file() else local_model.model_path(settings.data_dir)
    model_s = time.perf_counter() - t

    t = time.perf_counter()
    server = local_model.LocalModelServer(gguf, n_threads=threads, n_parallel=parallel).start()
    start_s = time.perf_counter() - t

    t = time.perf_counter()
    corpus = prepare(read_paths([args.corpus]).articles, get_settings())
    prepare_s = time.perf_counter() - t

    marks: list[tuple[float, str]] = []

    def on_stage(stage: str) -> None:
        marks.append((time.perf_counter() - started, stage))
        print(f"  {marks[-1][0]:6.1f}s  {stage}", flush=True)

    try:  # no response cache: every call reaches the model
        t = time.perf_counter()
        briefing = run_with(lambda: server.client(timeout=600, cache=None), corpus, args.max_points, on_stage)
        chain_s = time.perf_counter() - t
    finally:
        server.stop()
    wall = time.perf_counter() - started
    cpu = cpu_seconds() - cpu0

    print()
    print(f"{'stage':12} {'seconds':>8} {'calls':>6} {'prompt tok':>11} {'output tok':>11} {'output tok/s':>13}")
    print(f"{'model file':12} {model_s:8.1f}")
    print(f"{'server start':12} {start_s:8.1f}")
    print(f"{'prepare':12} {prepare_s:8.1f}")
    usage = briefing.stats.usage
    for step, seconds in briefing.stats.timings.items():
        u = usage.get(step, {})
        calls, pt, ct = u.get("calls", 0), u.get("prompt_tokens", 0), u.get("completion_tokens", 0)
        rate = f"{ct / seconds:13.1f}" if ct and seconds else f"{'':13}"
        print(f"{step:12} {seconds:8.1f} {calls:6} {pt:11} {ct:11} {rate}")
    total = usage.get("total", {})
    print(f"{'chain':12} {chain_s:8.1f} {total.get('calls', 0):6} {total.get('prompt_tokens', 0):11} "
          f"{total.get('completion_tokens', 0):11}")
    print(f"{'wall':12} {wall:8.1f}   (process CPU {cpu:.0f} s; load average now "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())})")
    print(f"target < {TARGET_S:.0f} s: {'met' if wall < TARGET_S else 'MISSED'}")
    print()
    print(f"title: {briefing.title}")
    print(f"lead: {briefing.lead.text if briefing.lead else '(none)'}")
    print(f"{len(briefing.conflicts)} conflicts: " + "; ".join(
        f"{c.subject}: {' vs '.join(v.value for v in c.values)}" for c in briefing.conflicts))
    print(f"{len(briefing.points)} points, {len(briefing.dropped)} dropped"
          + (f"; degraded: {briefing.stats.degraded}" if briefing.stats.degraded else ""))
    for k, p in enumerate(briefing.points, 1):
        flags = ", ".join(f.kind for f in p.flags)
        label = p.support.label if p.support else "?"
        print(f"{k}. {p.text}  [{len(p.citations)} cit, {p.origins} origin(s), {label}{'; ' + flags if flags else ''}]")
    for d in briefing.dropped:
        print(f"dropped: {d.text}  ({d.reason})")


if __name__ == "__main__":
    main()

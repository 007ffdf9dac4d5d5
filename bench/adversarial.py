"""Adversarial inputs (issue 17, F2): small requests that once cost minutes and gigabytes.

Each input is generated (seeded) in code and built in its own child process, which
reports its wall time (after imports and a warm-up build, as in an API worker or a
started CLI) and peak
RSS (getrusage of itself, imports included), so one input's memory never hides another's. A child runs under an address-space cap (--mem-cap-gib) and a timeout
(--timeout), so a regression fails here instead of taking the machine down.

    (a) 20 articles x 2,000 chars of short sentences that share words, each with a figure
    (b) the same with 40 and 100 articles
    (c) 100 articles x 49,000 chars of one repeated sentence
    (d) a 50 MB text file through the CLI (`briefing build FILE`): a size-cap error, fast

Target: each <= 2 s and <= 1 GiB peak RSS on 2 cores.

    .venv/bin/python bench/adversarial.py [--only a b ...] [--timeout 120] [--mem-cap-gib 6]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SUBJECTS = ["The council", "Officials", "The ministry", "Police", "The company", "Rescuers", "The agency"]
VERBS = ["said", "reported", "confirmed", "counted", "estimated", "announced"]
NOUNS = ["workers", "people", "passengers", "vehicles", "homes", "residents", "patients"]
PLACES = ["near the bridge", "in the city", "at the plant", "on Monday", "by the river", "after the storm"]
REPEATED = "The council said 12 workers were hurt near the bridge on Monday. "


def shared_words(n_articles: int, chars: int, seed: int = 17) -> list[dict]:
    """Short sentences from a tiny vocabulary, each with a figure: every pair looks alike."""
    rng = random.Random(seed)
    out = []
    for i in range(n_articles):
        parts: list[str] = []
        size = 0
        while size < chars:
            s = (
                f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.randint(2, 400)} "
                f"{rng.choice(NOUNS)} were affected {rng.choice(PLACES)}."
            )
            parts.append(s)
            size += len(s) + 1
        out.append({"id": f"a{i:03d}", "title": f"Report {i}", "outlet": f"Outlet {i}", "text": " ".join(parts)[:chars]})
    return out


def repeated_sentence(n_articles: int, chars: int) -> list[dict]:
    """One sentence said over and over, in every article."""
    text = (REPEATED * (chars // len(REPEATED) + 1))[:chars]
    return [{"id": f"r{i:03d}", "title": f"Repeat {i}", "outlet": f"Outlet {i}", "text": text} for i in range(n_articles)]


INPUTS = {
    "a": ("20 x 2,000 shared words", lambda: shared_words(20, 2_000)),
    "b40": ("40 x 2,000 shared words", lambda: shared_words(40, 2_000)),
    "b100": ("100 x 2,000 shared words", lambda: shared_words(100, 2_000)),
    "c": ("100 x 49,000 one sentence", lambda: repeated_sentence(100, 49_000)),
    "d": ("50 MB text file (CLI)", None),
}


def _child(name: str) -> None:
    """Build one input in this process and print one JSON line about it. The clock starts
    after imports and a warm-up build (as in an API worker), so it times the build."""
    import briefing.cli  # noqa: F401  (the CLI input's imports, outside the clock)
    from briefing.config import get_settings
    from briefing.models import Article
    from briefing.pipeline import build_briefing

    settings = get_settings()
    build_briefing([Article(id="warm", text="The council met on Monday. It approved 3 plans, officials said.")], settings=settings)
    report: dict = {"name": name}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            if name == "d":
                path = _big_file(Path(tmp))  # written before the clock starts
                report.update(articles=1, chars=path.stat().st_size)
                start = time.perf_counter()
                report["outcome"] = f"exit {_cli_build(path)}"
            else:
                articles = [Article(**a) for a in INPUTS[name][1]()]
                report["articles"] = len(articles)
                report["chars"] = sum(len(a.text) for a in articles)
                start = time.perf_counter()
                result = build_briefing(articles, settings=settings)
                report["points"] = len(result.points)
                report["truncated"] = bool(result.stats.truncated)
                report["outcome"] = "ok"
        except Exception as exc:  # the table says what went wrong; the bench goes on
            report["outcome"] = f"{type(exc).__name__}: {str(exc)[:60]}"
        report["wall_s"] = round(time.perf_counter() - start, 2)
    report["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(report))


def _big_file(folder: Path) -> Path:
    """A 50 MB plain-text file of one repeated line."""
    line = "The council said 12 workers were hurt near the bridge on Monday.\n"
    path = folder / "big.txt"
    with path.open("w") as fh:
        fh.write(line * (50 * 1024 * 1024 // len(line) + 1))
    return path


def _cli_build(path: Path) -> int:
    """`briefing build PATH` in this process (typer, not a shell); its exit status."""
    from briefing.cli import app  # imported by the warm-up, so not timed

    try:
        code = app(["build", str(path)], standalone_mode=False)  # returns an Exit's code
    except SystemExit as exc:
        code = exc.code
    return code if isinstance(code, int) else 0


def _limit_memory(gib: float) -> None:
    cap = int(gib * 1024**3)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=list(INPUTS), choices=list(INPUTS))
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per input before it is killed")
    parser.add_argument("--mem-cap-gib", type=float, default=6.0, help="address-space cap per input")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    header = f"{'input':<28} {'articles':>8} {'chars':>11} {'wall s':>7} {'peak MiB':>9} {'points':>6} {'trunc':>5}  outcome"
    print(header)
    print("-" * len(header))
    for name in args.only:
        label = INPUTS[name][0]
        start = time.perf_counter()
        try:
            proc = subprocess.run(
                [sys.executable, __file__, "--child", name],
                capture_output=True,
                text=True,
                timeout=args.timeout,
                preexec_fn=lambda: _limit_memory(args.mem_cap_gib),
                env={**os.environ, "BRIEFING_DATA_DIR": tempfile.gettempdir()},
            )
            lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
            r = json.loads(lines[-1]) if lines else {"outcome": f"crashed rc={proc.returncode}: {proc.stderr.strip()[-60:]}"}
        except subprocess.TimeoutExpired:
            r = {"outcome": f"killed after {args.timeout:.0f} s"}
        wall = r.get("wall_s", round(time.perf_counter() - start, 1))
        print(
            f"{label:<28} {r.get('articles', '-'):>8} {r.get('chars', '-'):>11} {wall:>7} "
            f"{r.get('peak_rss_mib', '-'):>9} {r.get('points', '-'):>6} {str(r.get('truncated', '-')):>5}  {r['outcome']}",
            flush=True,
        )


if __name__ == "__main__":
    main()

"""Time per offline briefing for 10, 50 and 200 articles of one story.

Articles are generated (seeded) from the sentences of examples/pow-exchange: each takes
~30 sentences of the story with light edits, a few boilerplate lines, and an outlet, so
dedup, grouping and conflict detection all have real work. Target: under 1 s for 50
articles on 2 cores.

    .venv/bin/python bench/briefing.py [--sizes 10 50 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from briefing.chunk import split_sentences  # noqa: E402
from briefing.clean import clean_articles  # noqa: E402
from briefing.config import get_settings  # noqa: E402
from briefing.ingest import read_paths  # noqa: E402
from briefing.lang import nlp  # noqa: E402
from briefing.lang.roles import role_names  # noqa: E402
from briefing.pipeline import build_briefing  # noqa: E402
from briefing.models import Article  # noqa: E402

SWAPS = {"said": "stated", "exchange": "swap", "prisoners": "captives", "officials": "authorities"}
BOILERPLATE = ["Advertisement", "Sign up for our newsletter", "Read more: related coverage", "Share this article"]


def story_sentences() -> list[str]:
    articles = read_paths([ROOT / "examples" / "pow-exchange"]).articles
    cleaned = clean_articles(articles)
    seen, pool = set(), []
    for a, c in zip(articles, cleaned):
        for s in split_sentences(a, c):
            if len(s.text.split()) >= 8 and s.text not in seen:
                seen.add(s.text)
                pool.append(s.text)
    return pool


def generate(n: int, pool: list[str], seed: int = 7) -> list[Article]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        lines = []
        for s in rng.sample(pool, min(30, len(pool))):
            if rng.random() < 0.3:
                s = " ".join(SWAPS.get(w, w) for w in s.split())
            lines.append(s)
            if rng.random() < 0.05:
                lines.append(rng.choice(BOILERPLATE))
        text = f"Prisoner exchange report {i}\n\n" + "\n\n".join(lines)
        out.append(Article(id=f"a{i:03d}", title=f"Prisoner exchange report {i}", outlet=f"Outlet {i % 37}", text=text))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pool = story_sentences()
    t0 = time.perf_counter()
    nlp.load(nlp.model_name())  # the one-off model load, stated apart
    print(f"spaCy model load (once per process): {time.perf_counter() - t0:.2f} s")
    build_briefing(generate(5, pool, seed=1), settings=get_settings())  # warm imports and caches (other articles)
    print(
        f"{'articles':>8} {'chars':>9} {'first s':>8} {'median s':>9} {'min s':>7} {'peak MiB':>9} "
        f"{'points':>6} {'origins':>7}  slowest stages"
    )
    for n in args.sizes:
        articles = generate(n, pool)
        times = []
        nlp.clear_cache()  # the first run parses its sentences afresh
        role_names.cache_clear()
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            result = build_briefing(articles, settings=get_settings())
            times.append(time.perf_counter() - t0)
        tracemalloc.start()  # a separate run: tracing slows Python allocation severalfold
        build_briefing(articles, settings=get_settings())
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        stages = sorted(((v, k) for k, v in result.stats.timings.items() if k != "total"), reverse=True)[:3]
        slowest = ", ".join(f"{k} {v:.2f}s" for v, k in stages)
        print(
            f"{n:>8} {sum(len(a.text) for a in articles):>9,} {times[0]:>8.3f} {statistics.median(times):>9.3f} {min(times):>7.3f} "
            f"{peak:>9.1f} {len(result.points):>6} {result.stats.origins:>7}  {slowest}"
        )
    print("target: < 1 s at 50 articles on 2 cores (first s: sentences parsed afresh; later runs reuse the parses)")


if __name__ == "__main__":
    main()

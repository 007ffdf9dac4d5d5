"""Benchmark the model-free pipeline (ingest → clean → chunk → dedup) on a synthetic pile.

    .venv/bin/python bench/dedup.py [--articles N] [--seed S] [--no-tracemalloc]

Generates N (default 10,000) news-like articles of about 4 KB from sentence templates
and word lists (seeded, so every run is the same pile). 30% of them are near-duplicates
of another article — a few words substituted, sentences dropped or added, boilerplate
lines appended, a byline prepended, one in five cut to an excerpt, all re-paragraphed so
the chunker splits them differently — and the generator remembers which.

Prints wall and CPU time per stage (CPU time tells the cost when the machine is shared),
throughput, peak memory — getrusage maxrss of the timed run, and the tracemalloc peak of a
second run (tracing slows Python several-fold, so it is kept out of the timings) — and
how well dedup groups the copies: an injected copy should share an origin
with its source (recall over true same-story pairs); precision is the share of
predicted same-origin pairs that are true.

Targets on 2 cores: < 60 s, < 2 GiB, recall >= 0.95, precision >= 0.98.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

# Scripts in bench/ put bench/ first on sys.path, where bench/briefing.py would shadow
# the briefing package; import the package, not the sibling script.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from briefing.dedup import deduplicate  # noqa: E402
from briefing.models import Article, CleanedArticle, DedupResult, Passage, Region  # noqa: E402

T = TypeVar("T")

# ---------------------------------------------------------------- word lists

FIRST = """Anna Boris Carlos Dmytro Elena Farid Grace Hassan Ivan Julia Kenji Lena Marco Nadia Oleg
Priya Quentin Rosa Sergei Tamara Umar Viktor Wen Xavier Yulia Zofia Ahmed Bianca Chen Dara Emil
Fatima Gustav Hana Igor Jonas Kateryna Luis Mira Nikolai Olga Pavel Rania Stefan Tomas
Vera""".split()
LAST = """Abramov Bauer Castillo Dubrovsky Eriksen Fischer Garcia Horvath Ivanova Jansen Kowalski
Lindqvist Moreau Novak Okafor Petrenko Quinn Rossi Schmidt Tkachenko Usmanov Varga Weber Xu
Yilmaz Zielinski Andersen Bondarenko Costa Dvorak Esposito Fedorov Gruber Hoffmann Ilyin
Kovalenko Lebedev Marchenko Nowak Orlov Popescu Romanenko Shevchenko Tanaka Volkov Wagner
Yakovenko Zhang""".split()
PLACES = """Kyiv Kharkiv Odesa Lviv Dnipro Warsaw Berlin Paris Brussels Vienna Geneva Istanbul
Ankara Doha Riyadh Minsk Vilnius Riga Tallinn Helsinki Oslo Madrid Rome Prague Budapest Bucharest
Sofia Belgrade Zagreb Athens Cairo Nairobi Lagos Delhi Mumbai Tokyo Seoul Beijing Jakarta Manila
Sydney Toronto Chicago Boston Denver Houston Phoenix Lisbon Dublin Glasgow""".split()
ORGS = """ministry parliament council commission agency committee court regulator union alliance
tribunal authority cabinet senate assembly coalition federation board bureau directorate""".split()
NOUNS = """budget reform contract pipeline election treaty sanction tariff deal plan report inquiry
strike protest shipment loan grant merger ceasefire exchange convoy harvest drought flood outage
network bridge railway port airport factory refinery mine reactor vaccine hospital school campus
market currency bond index price wage pension subsidy tax levy quota license permit audit review
vote poll ballot campaign candidate coalition mandate veto bill law decree ruling verdict appeal
fund reserve stockpile supply demand export import deficit surplus forecast estimate figure target
drone missile tank brigade unit patrol border checkpoint corridor zone frontline village district
region province city suburb river dam coast island harbour warehouse depot terminal
platform""".split()
VERBS = """approved rejected delayed announced suspended expanded cut raised cancelled signed
launched blocked endorsed criticised reviewed extended postponed confirmed denied disclosed
proposed secured lost won funded closed reopened restored inspected investigated challenged
backed opposed upheld overturned finalised drafted revised halted resumed doubled halved""".split()
ADJS = """new major controversial long-awaited emergency temporary regional national local
foreign domestic private public joint bilateral secret early late final initial revised
ambitious modest sweeping limited urgent cautious fragile stable record historic unusual""".split()
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MONTHS = """January February March April May June July August September October November
December""".split()

TEMPLATES = [
    "{P} said on {D} that the {O} had {V} the {A} {N} after weeks of talks in {L}.",
    "Officials in {L} {V} a {A} {N} worth {M} million dollars, according to {P}.",
    "The {O} in {L} {V} the {N} by a vote of {K} to {J} on {D}.",
    "{P}, who leads the {O}, told reporters in {L} that the {N} would be {V} before {Mo}.",
    "Analysts expect the {A} {N} to affect {K} {N2}s across {L} and {L2} this year.",
    "In {Mo}, {P} {V} a {N} that critics in {L} called {A} and poorly explained.",
    "{K} percent of residents of {L} backed the {N}, a survey by the {O} found.",
    "The {N} was first {V} in {Y}, when {P} was still in charge of the {O}.",
    "{P} and {P2} met in {L} on {D} to discuss the {A} {N} and the {N2}.",
    "Critics say the {N} leaves {L} exposed if the {N2} is {V} again.",
    "A spokesperson for the {O} declined to comment on the {N} in {L}.",
    "The {A} {N} follows a {N2} that {V} trade between {L} and {L2} in {Y}.",
    "{P} warned that {K} {N2}s near {L} could be {V} without a {A} {N}.",
    "Documents reviewed by {P} show the {O} {V} the {N} twice since {Mo}.",
    "Local leaders in {L} said the {N2} had already {V} the {A} {N}.",
    "The {O} estimated the cost of the {N} at {M} million, up from {K} million in {Y}.",
    "By {D} evening, {K} {N2}s had been {V} across {L}, {P} said.",
    "{P} called the {N} {A}, adding that {L} would not accept another {N2}.",
    "Supporters of the {N} gathered in {L} on {D}, while {P2} urged patience.",
    "The {N} is expected to be {V} by the {O} before the end of {Mo}.",
]
BOILERPLATE = [
    "Subscribe to our newsletter to get the latest updates in your inbox.",
    "Follow us on Telegram, X and Facebook for breaking news.",
    "© 2025 Example Media Group. All rights reserved.",
    "Advertisement",
    "Share this article with your friends.",
    "Read more: the week's top stories in one place.",
    "Sign up for our morning briefing, delivered free every weekday.",
    "This article may contain affiliate links.",
    "Download our app for the full experience.",
    "Comments are closed for this article.",
    "Have a news tip? Contact our newsroom.",
    "Photo: handout / press service",
]


@dataclass
class _Story:
    """Per-article cast, so an article keeps returning to the same people and places."""

    people: list[str]
    places: list[str]
    org: str
    nouns: list[str]


def _story(rng: random.Random) -> _Story:
    people = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(4)]
    return _Story(people, rng.sample(PLACES, 4), rng.choice(ORGS), rng.sample(NOUNS, 8))


def _sentence(rng: random.Random, story: _Story) -> str:
    """One template filled mostly from the story's cast, sometimes from the whole lists."""

    def pick(own: list[str], pool: list[str]) -> str:
        return rng.choice(own) if rng.random() < 0.6 else rng.choice(pool)

    people = [f"{rng.choice(FIRST)} {rng.choice(LAST)}"]
    return rng.choice(TEMPLATES).format(
        P=pick(story.people, people),
        P2=pick(story.people, people),
        L=pick(story.places, PLACES),
        L2=rng.choice(PLACES),
        O=story.org,
        N=pick(story.nouns, NOUNS),
        N2=rng.choice(NOUNS),
        V=rng.choice(VERBS),
        A=rng.choice(ADJS),
        D=rng.choice(DAYS),
        Mo=rng.choice(MONTHS),
        Y=rng.randint(1995, 2024),
        K=rng.randint(2, 99),
        J=rng.randint(2, 99),
        M=rng.randint(2, 900),
    )


def _paragraphs(rng: random.Random, sentences: list[str]) -> str:
    out: list[str] = []
    i = 0
    while i < len(sentences):
        n = rng.randint(2, 5)
        out.append(" ".join(sentences[i : i + n]))
        i += n
    return "\n\n".join(out)


def _original(rng: random.Random, target_chars: int = 4000) -> tuple[_Story, list[str]]:
    story = _story(rng)
    sentences: list[str] = []
    while sum(len(s) + 1 for s in sentences) < target_chars:
        sentences.append(_sentence(rng, story))
    return story, sentences


def _edited(rng: random.Random, story: _Story, sentences: list[str]) -> list[str]:
    """A re-published copy: word substitutions, dropped and added sentences; 20% are
    excerpts (the first 50-90% of the story), as teaser pages publish them."""
    out = list(sentences)
    if rng.random() < 0.2:
        out = out[: max(3, int(len(out) * rng.uniform(0.5, 0.9)))]
    for _ in range(rng.randint(0, 2)):
        if len(out) > 3:
            out.pop(rng.randrange(len(out)))
    for _ in range(rng.randint(0, 2)):
        out.insert(rng.randrange(len(out) + 1), _sentence(rng, story))
    rate = rng.uniform(0.01, 0.05)
    edited: list[str] = []
    for s in out:
        words = s.split(" ")
        for k in range(len(words)):
            if rng.random() < rate:
                words[k] = rng.choice(NOUNS + ADJS)
        edited.append(" ".join(words))
    return edited


def _with_boilerplate(rng: random.Random, body: str, lines: int) -> str:
    extra = "\n\n".join(rng.sample(BOILERPLATE, lines))
    return f"{body}\n\n{extra}" if extra else body


def generate(n: int, seed: int) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """(id, title, text) for n articles in shuffled order, and copy id -> source id."""
    rng = random.Random(seed)
    n_copies = int(n * 0.3)
    records: list[tuple[str, str, str]] = []
    bodies: list[tuple[_Story, list[str]]] = []
    for i in range(n - n_copies):
        story, sentences = _original(rng)
        bodies.append((story, sentences))
        title = f"{story.people[0]} and the {story.nouns[0]} in {story.places[0]}"
        text = _paragraphs(rng, sentences)
        text = _with_boilerplate(rng, text, rng.choice([0, 0, 1, 2]))
        records.append((f"a{i:05d}", title, f"{title}\n\n{text}"))
    source_of: dict[str, str] = {}
    for j in range(n_copies):
        src = rng.randrange(len(bodies))
        story, sentences = bodies[src]
        title = records[src][1]
        author = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        byline = f"By {author} | {rng.choice(MONTHS)} {rng.randint(1, 28)}, 2025"
        # copies are re-paragraphed, so the chunker cuts them elsewhere than the source
        text = _paragraphs(rng, _edited(rng, story, sentences))
        text = _with_boilerplate(rng, text, rng.randint(1, 3))
        cid = f"c{j:05d}"
        records.append((cid, title, f"{title}\n{byline}\n\n{text}"))
        source_of[cid] = records[src][0]
    rng.shuffle(records)
    return records, source_of


# ---------------------------------------------------------------- scoring


def _pairs(groups: dict[str, list[str]]) -> int:
    return sum(len(g) * (len(g) - 1) // 2 for g in groups.values())


def score(origins: dict[str, str], source_of: dict[str, str]) -> tuple[float, float, int, int]:
    """(recall, precision, true pairs, predicted pairs) over same-origin article pairs."""
    truth = {aid: source_of.get(aid, aid) for aid in origins}
    true_groups: dict[str, list[str]] = defaultdict(list)
    pred_groups: dict[str, list[str]] = defaultdict(list)
    both: Counter[tuple[str, str]] = Counter()
    for aid, origin in origins.items():
        true_groups[truth[aid]].append(aid)
        pred_groups[origin].append(aid)
        both[(truth[aid], origin)] += 1
    tp = sum(k * (k - 1) // 2 for k in both.values())
    true_pairs, pred_pairs = _pairs(true_groups), _pairs(pred_groups)
    recall = tp / true_pairs if true_pairs else 1.0
    precision = tp / pred_pairs if pred_pairs else 1.0
    return recall, precision, true_pairs, pred_pairs


# ---------------------------------------------------------------- stages


def _timed(timings: dict[str, tuple[float, float]], stage: str, fn: Callable[[], T]) -> T:
    """Run one stage; record (wall, CPU) seconds. CPU shows the cost on a busy machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    timings[stage] = (time.perf_counter() - wall, time.process_time() - cpu)
    return result


def _clean(articles: Sequence[Article]) -> list[CleanedArticle]:
    try:
        from briefing.clean import clean_articles
    except ImportError:
        print("note: briefing.clean not importable; clean skipped (whole text kept)")
        return [
            CleanedArticle(article_id=a.id, kept=[Region(start=0, end=len(a.text))])
            for a in articles
        ]
    return clean_articles(articles)


def _chunk(
    articles: Sequence[Article], cleaned: Sequence[CleanedArticle], size: int
) -> list[Passage]:
    try:
        from briefing.chunk import chunk_passages
    except ImportError:
        print("note: briefing.chunk not importable; one passage per kept region")
        return [
            Passage.of(a, r.start, r.end)
            for a, c in zip(articles, cleaned, strict=True)
            for r in c.kept
        ]
    return [
        p for a, c in zip(articles, cleaned, strict=True) for p in chunk_passages(a, c, size, 0)
    ]


@dataclass
class _Run:
    timings: dict[str, tuple[float, float]]
    passages: int
    result: DedupResult


def run_pipeline(records: Sequence[tuple[str, str, str]], chunk_size: int) -> _Run:
    """ingest (Article construction) → clean → chunk → dedup, timing each stage."""
    timings: dict[str, tuple[float, float]] = {}
    articles = _timed(
        timings, "ingest", lambda: [Article(id=i, title=t, text=x) for i, t, x in records]
    )
    cleaned = _timed(timings, "clean", lambda: _clean(articles))
    passages = _timed(timings, "chunk", lambda: _chunk(articles, cleaned, chunk_size))
    result = _timed(timings, "dedup", lambda: deduplicate(articles, passages))
    return _Run(timings, len(passages), result)


def traced_peak(records: Sequence[tuple[str, str, str]], chunk_size: int) -> int:
    """Peak Python allocation of a second, traced run (tracemalloc slows it several-fold,
    so the timed run is not traced)."""
    tracemalloc.start()
    try:
        run_pipeline(records, chunk_size)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chunk-size", type=int, default=800)
    parser.add_argument(
        "--no-tracemalloc",
        action="store_true",
        help="skip the second, traced run that measures the tracemalloc peak",
    )
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    records, source_of = generate(args.articles, args.seed)
    gen_s = time.perf_counter() - t0
    n_bytes = sum(len(text.encode()) for _, _, text in records)
    print(
        f"generated {len(records):,} articles, {n_bytes / 1e6:.1f} MB, "
        f"{len(source_of):,} injected copies (seed {args.seed}) in {gen_s:.1f} s"
    )

    run = run_pipeline(records, args.chunk_size)
    maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    total = sum(wall for wall, _ in run.timings.values())
    total_cpu = sum(cpu for _, cpu in run.timings.values())

    print(f"  {'stage':<8} {'wall':>8}   {'cpu':>8}")
    for stage, (wall, cpu) in run.timings.items():
        print(f"  {stage:<8} {wall:8.2f} s {cpu:8.2f} s")
    print(f"  {'total':<8} {total:8.2f} s {total_cpu:8.2f} s")
    print(f"throughput: {len(records) / total:,.0f} articles/s, {n_bytes / 1e6 / total:.2f} MB/s")
    result = run.result
    kinds = Counter(d.kind for d in result.duplicates)
    print(
        f"passages: {run.passages:,} in, {len(result.passages):,} kept, "
        f"dropped {dict(sorted(kinds.items()))}"
    )
    recall, precision, true_pairs, pred_pairs = score(result.origins, source_of)
    print(
        f"origins: {len(set(result.origins.values())):,} "
        f"(truth {len(set(source_of.get(i, i) for i, _, _ in records)):,})"
    )
    print(
        f"same-origin pairs: recall {recall:.4f} ({true_pairs:,} true), "
        f"precision {precision:.4f} ({pred_pairs:,} predicted)"
    )
    del run, result
    traced = "skipped (--no-tracemalloc)"
    if not args.no_tracemalloc:
        traced = f"{traced_peak(records, args.chunk_size) / 2**20:,.0f} MiB (second, traced run)"
    print(f"peak memory: maxrss {maxrss_kib / 1024:,.0f} MiB (timed run), tracemalloc {traced}")
    ok = total < 60 and maxrss_kib < 2 * 2**20 and recall >= 0.95 and precision >= 0.98
    print(
        "targets (< 60 s, < 2 GiB, recall >= 0.95, precision >= 0.98):", "met" if ok else "NOT met"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""The pipeline end to end: articles → clean → chunk → dedup → sentences → engine.

`prepare` runs the model-free stages once; `build_briefing` adds an engine. The CLI,
the API, the digest job and the eval harness all come through here.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, cast
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from briefing import budget
from briefing.chunk import chunk_passages, split_sentences
from briefing.clean import clean_articles
from briefing.config import Settings
from briefing.dedup import deduplicate
from briefing.errors import InputError
from briefing.models import Article, Briefing, Corpus, CorpusStats, DedupResult, DroppedPoint, Passage, Point, Verdict
from briefing.stages import StageCallback, quiet as _quiet
from briefing.truncate import cap_kept_chars, cap_sentences

if TYPE_CHECKING:
    from briefing.engines.base import BuildOptions, EngineName


@contextmanager
def _timed(timings: dict[str, float], stage: str, on_stage: StageCallback = _quiet) -> Iterator[None]:
    budget.check(stage)
    on_stage(stage)
    start = time.perf_counter()
    yield
    timings[stage] = round(time.perf_counter() - start, 4)


def prepare(articles: Sequence[Article], settings: Settings, on_stage: StageCallback = _quiet) -> Corpus:
    """Clean, chunk and deduplicate articles; the evidence every engine starts from.

    Past the work limits in `settings` only the first part of each article is read, and
    `stats.truncated` says so."""
    articles = [a for a in articles if a.text.strip()]
    if not articles:
        raise InputError("no article with any text to brief")
    timings: dict[str, float] = {}
    with _timed(timings, "clean", on_stage):
        cleaned = clean_articles(articles)
    all_cleaned = cleaned
    cleaned, truncated = cap_kept_chars(articles, cleaned, settings.max_corpus_chars)
    with _timed(timings, "chunk", on_stage):
        passages = [
            p
            for article, kept in zip(articles, cleaned, strict=True)
            for p in chunk_passages(article, kept, settings.chunk_size, settings.chunk_overlap)
        ]
        split = [split_sentences(article, kept) for article, kept in zip(articles, cleaned, strict=True)]
    with _timed(timings, "dedup", on_stage):
        dedup = deduplicate(
            articles,
            passages,
            threshold=settings.near_dup_threshold,
            containment=settings.syndication_containment,
            sentences=split,
        )
    with _timed(timings, "sentences", on_stage):
        sentences = _unrepeated_sentences(articles, split, dedup)
        sentences, notes = cap_sentences(
            sentences, settings.max_article_sentences, settings.max_sentences
        )
        truncated += notes
    input_chars = sum(len(a.text) for a in articles)
    boilerplate = sum(d.end - d.start for c in all_cleaned for d in c.dropped)
    duplicate = sum(d.passage.end - d.passage.start for d in dedup.duplicates)
    stats = CorpusStats(
        articles=len(articles),
        origins=len(set(dedup.origins.values())),
        input_chars=input_chars,
        kept_chars=sum(p.end - p.start for p in dedup.passages),
        boilerplate_chars=boilerplate,
        duplicate_chars=duplicate,
        timings=timings,
        truncated=truncated,
    )
    return Corpus(
        articles=list(articles), cleaned=cleaned, sentences=sentences, dedup=dedup, stats=stats
    )


def _unrepeated_sentences(
    articles: Sequence[Article], split: Sequence[Sequence[Passage]], dedup: DedupResult
) -> list[Passage]:
    """Sentences of kept text, minus those inside a passage that repeats its own article."""
    repeats: dict[str, list[tuple[int, int]]] = {}
    for drop in dedup.duplicates:
        kept_article = drop.duplicate_of.rsplit(":", 1)[0]
        if kept_article == drop.passage.article_id:
            repeats.setdefault(drop.passage.article_id, []).append(
                (drop.passage.start, drop.passage.end)
            )
    sentences: list[Passage] = []
    for article, own in zip(articles, split, strict=True):
        spans = Spans(repeats.get(article.id, []))
        for s in own:
            if spans.overlap(s.start, s.end) * 2 < (s.end - s.start):
                sentences.append(s)
    return sentences


class Spans:
    """Character spans (they may overlap) and how many characters of a range they cover,
    counting a character once per span; found by bisection, not a pass over every span."""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        self.spans = sorted(spans)
        self.starts = [b for b, _ in self.spans]
        self.reach: list[int] = []  # the furthest end among spans[:k+1]: where to stop looking
        for _, e in self.spans:
            self.reach.append(max(e, self.reach[-1]) if self.reach else e)

    def overlap(self, start: int, end: int) -> int:
        total = 0
        k = bisect_right(self.starts, end) - 1  # the last span starting at or before `end`
        while k >= 0 and self.reach[k] > start:
            b, e = self.spans[k]
            total += max(0, min(end, e) - max(start, b))
            k -= 1
        return total


def verify(briefing: Briefing) -> Briefing:
    """Give every point its support verdict (an engine that already checked a point keeps
    its verdict); a point its citations do not support is dropped and recorded."""
    from briefing.checks import check_point

    sources = {s.id: s for s in briefing.sources}
    checked: list[tuple[Point, Verdict]] = []
    for p in briefing.points:
        verdict = p.support if p.support is not None else check_point(p, sources)
        checked.append((p if p.support is not None else p.model_copy(update={"support": verdict}), verdict))
    supported = [p for p, verdict in checked if verdict.label != "unsupported"]
    dropped = [
        DroppedPoint(text=p.text, reason="not supported by its citations: " + "; ".join(verdict.reasons))
        for p, verdict in checked
        if verdict.label == "unsupported"
    ]
    return briefing.model_copy(
        update={
            "points": supported,
            "dropped": [*briefing.dropped, *dropped],
            "stats": briefing.stats.model_copy(update={"points": len(supported)}),
        }
    )


def build_briefing(
    articles: Sequence[Article],
    options: BuildOptions | None = None,
    *,
    engine: str | None = None,
    max_points: int | None = None,
    settings: Settings,
    on_stage: StageCallback = _quiet,
) -> Briefing:
    """Brief a set of articles about one story as `options` say (or, for callers that pass
    them loose, `engine` and `max_points`, validated into BuildOptions here)."""
    from briefing.engines import BuildOptions, get_engine

    if options is None:
        name = get_engine(engine or "offline").name  # an unknown name is a ConfigError
        options = BuildOptions(engine=cast("EngineName", name), max_points=max_points)  # validated: 1..50
    engine_ = get_engine(options.engine)
    start = time.perf_counter()
    stage = f"{engine_.name} engine"
    # the budget bounds our own CPU work; the llm engines wait on a model under their own timeouts
    with budget.within(settings.build_seconds):
        corpus = prepare(articles, settings, on_stage)
        if engine_.synchronous:
            on_stage(stage)
            result = engine_.build(corpus, options, settings=settings, on_stage=on_stage)
            budget.check("checking")
    if not engine_.synchronous:
        on_stage(stage)
        result = engine_.build(corpus, options, settings=settings, on_stage=on_stage)
    on_stage("checking every point against its citations")
    check_start = time.perf_counter()
    result = verify(result)
    result.stats.timings["check"] = round(time.perf_counter() - check_start, 4)
    result.stats.timings = {**corpus.stats.timings, **result.stats.timings}
    result.stats.timings["total"] = round(time.perf_counter() - start, 4)
    return result

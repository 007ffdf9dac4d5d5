"""What `briefing ingest` reports: per article, what was kept, dropped and why."""

from __future__ import annotations

from pydantic import BaseModel

from briefing.models import Corpus, CorpusStats, Drop, DuplicateDrop, InputProblem, OriginLink


class ArticleSummary(BaseModel):
    id: str
    title: str
    outlet: str | None
    origin: str
    chars: int
    kept_chars: int
    boilerplate_chars: int
    duplicate_chars: int


class ArticleDrops(BaseModel):
    article_id: str
    dropped: list[Drop]


class IngestReport(BaseModel):
    articles: list[ArticleSummary]
    origins: list[OriginLink]
    boilerplate: list[ArticleDrops]
    duplicates: list[DuplicateDrop]
    problems: list[InputProblem]
    stats: CorpusStats


def ingest_report(corpus: Corpus, problems: list[InputProblem]) -> IngestReport:
    """Summarise a prepared corpus for people (a table) and machines (JSON)."""
    kept: dict[str, int] = {}
    for p in corpus.dedup.passages:
        kept[p.article_id] = kept.get(p.article_id, 0) + p.end - p.start
    duplicate: dict[str, int] = {}
    for d in corpus.dedup.duplicates:
        duplicate[d.passage.article_id] = duplicate.get(d.passage.article_id, 0) + d.passage.end - d.passage.start
    summaries = [
        ArticleSummary(
            id=a.id,
            title=a.title,
            outlet=a.outlet,
            origin=corpus.dedup.origins.get(a.id, a.id),
            chars=len(a.text),
            kept_chars=kept.get(a.id, 0),
            boilerplate_chars=sum(d.end - d.start for d in c.dropped),
            duplicate_chars=duplicate.get(a.id, 0),
        )
        for a, c in zip(corpus.articles, corpus.cleaned, strict=True)
    ]
    return IngestReport(
        articles=summaries,
        origins=corpus.dedup.links,
        boilerplate=[ArticleDrops(article_id=c.article_id, dropped=c.dropped) for c in corpus.cleaned],
        duplicates=corpus.dedup.duplicates,
        problems=[*problems, *corpus.problems],
        stats=corpus.stats,
    )

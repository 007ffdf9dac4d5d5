"""Caps on how much of a corpus a build reads, shared fairly between articles.

Every stage after cleaning costs at least linear time in the text and sentences it is
given, and grouping and conflict search more; these caps bound that work whatever
arrives. Each article keeps its beginning (news puts what matters first), and an
article shorter than its fair share leaves the rest to the others. What was cut is
said in plain words, for `stats.truncated`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from briefing.models import Article, CleanedArticle, Passage, Region

# where a cut may fall: after a sentence end or at a line break
_CUT = re.compile(r"[.!?…][\"'”’)\]]*\s|\n")


def fair_shares(sizes: Sequence[int], total: int) -> list[int]:
    """Each item's share of `total`: items under an even share keep all they have, and
    the others split what is left equally (water-filling)."""
    shares = [0] * len(sizes)
    left = max(0, total)
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    for pos, i in enumerate(order):
        shares[i] = min(sizes[i], left // (len(sizes) - pos))
        left -= shares[i]
    return shares


def cap_kept_chars(
    articles: Sequence[Article], cleaned: Sequence[CleanedArticle], limit: int
) -> tuple[list[CleanedArticle], list[str]]:
    """Trim each article's kept regions to its fair share of `limit` characters, cut at
    a sentence end; the notes say which articles were cut."""
    sizes = [c.kept_chars for c in cleaned]
    if sum(sizes) <= limit:
        return list(cleaned), []
    shares = fair_shares(sizes, limit)
    out: list[CleanedArticle] = []
    cut = 0
    for article, c, share in zip(articles, cleaned, shares, strict=True):
        if share >= c.kept_chars:
            out.append(c)
            continue
        cut += 1
        kept: list[Region] = []
        left = share
        for region in c.kept:
            if left <= 0:
                break
            if region.end - region.start <= left:
                kept.append(region)
                left -= region.end - region.start
                continue
            end = _cut_before(article.text, region.start, region.start + left)
            if end > region.start:
                kept.append(Region(start=region.start, end=end))
            left = 0
        out.append(c.model_copy(update={"kept": kept}))
    note = (
        f"read {limit:,} of {sum(sizes):,} characters of kept text (the first part of "
        f"{cut} of {len(articles)} articles): over the per-build limit, BRIEFING_MAX_CORPUS_CHARS"
    )
    return out, [note]


def _cut_before(text: str, start: int, end: int) -> int:
    """The last sentence end or line break in text[start:end], else `end` itself."""
    last = None
    for m in _CUT.finditer(text, start, end):
        last = m.end()
    return last if last is not None else end


def cap_sentences(
    sentences: Sequence[Passage], per_article: int, total: int
) -> tuple[list[Passage], list[str]]:
    """Each article's first sentences: at most `per_article`, and together at most
    `total`, shared fairly; reading order is kept."""
    by_article: dict[str, list[Passage]] = {}
    for s in sentences:
        by_article.setdefault(s.article_id, []).append(s)
    notes: list[str] = []
    over = [a for a, ss in by_article.items() if len(ss) > per_article]
    if over:
        notes.append(
            f"read the first {per_article:,} sentences of {len(over)} longer articles: "
            "over the per-article limit, BRIEFING_MAX_ARTICLE_SENTENCES"
        )
    counts = [min(per_article, len(ss)) for ss in by_article.values()]
    shares = fair_shares(counts, total)
    if sum(counts) > total:
        notes.append(
            f"read {total:,} of {sum(counts):,} sentences, each article's first: over the "
            "per-build limit, BRIEFING_MAX_SENTENCES"
        )
    if not notes:
        return list(sentences), []
    keep = {id(s) for ss, share in zip(by_article.values(), shares, strict=True) for s in ss[:share]}
    return [s for s in sentences if id(s) in keep], notes

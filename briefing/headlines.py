"""Headlines: the line of an article that is its headline, and the headline that titles a briefing.

A title is only ever a headline: the title the source declares (JSON or feed `title`, HTML
`og:title`/`<h1>`, a `meta.json` title) without its site suffix, else the first line near
the top that has a headline's shape and is about what the article says. What is page
furniture (cookie banners, mastheads, menus, app prompts) is the clean stage's call
(`briefing.clean.furniture`), so no title is ever a line the cleaner drops.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from briefing import data
from briefing.clean import furniture
from briefing.furniture import has_separator, strip_site_name
from briefing.models import Article, CleanedArticle
from briefing.text import content_stems

# headlines each one is compared with: exact up to 501 articles, bounded memory beyond
TITLE_NEIGHBOURS = 500
_QUOTES = "\"'“”‘’"
_PERIOD_END = re.compile(r"[.,;:][\"”’')\]]*$")
_OPENING = re.compile(r"^[\w\"'“‘(\[]")


class Shape(data.Table):
    """briefing/data/headlines.toml: what each value trades off is said there."""

    min_words: int
    max_words: int
    declared_min_words: int
    declared_max_words: int
    scan_lines: int
    shouted_max_words: int
    topical_min_shared: int
    topical_min_share: float
    max_chars: int
    points_considered: int
    agreement_weight: float


@lru_cache(maxsize=1)
def shape() -> Shape:
    return data.table("headlines.toml", Shape)


def shaped(line: str, *, declared: bool = False) -> bool:
    """A headline's shape: a few words, no closing full stop, no separators or hashtags,
    not a byline, not a shouted masthead ("THE HERALD")."""
    s = shape()
    words = line.split()
    low, high = (s.declared_min_words, s.declared_max_words) if declared else (s.min_words, s.max_words)
    if not low <= len(words) <= high or not _OPENING.match(line):
        return False
    if _PERIOD_END.search(line) or has_separator(line) or words[0].lower() == "by":
        return False
    if any(w.startswith(("#", "@", "http")) for w in words):
        return False
    return not (line == line.upper() and len(words) <= s.shouted_max_words)


def shorten(line: str) -> str:
    """Keep titles readable when the best candidate is a whole paragraph."""
    limit = shape().max_chars
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0].rstrip(" ,;:-") + "…"


def _topical(line: str, stems: Counter[str]) -> bool:
    """The line's content words recur in the rest of its article (`stems`: the whole text's)."""
    own = Counter(content_stems(line))
    if not own:
        return False
    s = shape()
    shared = sum(1 for w, n in own.items() if stems[w] > n)
    return shared >= min(s.topical_min_shared, len(own)) and shared / len(own) >= s.topical_min_share


def _pick(lines: Sequence[str], text: str) -> str:
    """The first headline-shaped line about the article, else the first headline-shaped one."""
    candidates = [ln for ln in lines if shaped(ln)]
    if not candidates:
        return ""
    stems = Counter(content_stems(text))
    return next((ln for ln in candidates if _topical(ln, stems)), candidates[0])


def _usable(line: str, outlet: str | None) -> str:
    """The line less any furniture in it ("" when it is all furniture)."""
    verdict = furniture(line, outlet)
    if verdict is None:
        return line
    return line[: verdict.offset].rstrip() if verdict.offset else ""


def guess_title(text: str, outlet: str | None = None) -> str:
    """A title for text that declares none: the headline among its first lines (a leading
    Markdown "#" dropped), skipping what the cleaner would drop; else its first line that is
    not furniture, shortened; "" when every early line is furniture."""
    lines = [ln.strip().lstrip("#").strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln][: shape().scan_lines]
    usable = [u for u in (_usable(ln, outlet) for ln in lines) if u]
    found = _pick(usable, text)
    return shorten(found or (usable[0] if usable else ""))


def _kept_lines(article: Article, cleaned: CleanedArticle) -> list[str]:
    limit = shape().scan_lines
    out: list[str] = []
    for region in cleaned.kept:
        for line in article.text[region.start : region.end].splitlines():
            if line.strip():
                out.append(line.strip().lstrip("#").strip())
                if len(out) >= limit:
                    return out
    return out


def _key(text: str) -> str:
    return " ".join(text.casefold().split()).strip(_QUOTES + " .")


def headline(article: Article, cleaned: CleanedArticle) -> str:
    """The article's headline once the clean stage has judged it: the declared title (site
    suffix off) unless the cleaner calls it furniture or dropped it from the text, else the
    first headline among the kept lines."""
    declared = strip_site_name(_usable(article.title.strip(), article.outlet), article.outlet)
    dropped = {_key(d.text) for d in cleaned.dropped}
    if declared and _key(declared) in dropped:
        declared = ""
    if declared and shaped(declared, declared=True):
        return shorten(declared)
    found = _pick(_kept_lines(article, cleaned), article.text)
    return shorten(found or declared)


def briefing_title(headlines: Sequence[tuple[str, str]], points: Sequence[str]) -> str:
    """The headline (of (headline, origin) pairs) most like the briefing's top points (the
    first weighing most), plus how far the headlines of other origins agree with it;
    "Briefing" when there is none."""
    from briefing.similarity import SimilarityIndex  # scipy: not needed to read files

    s = shape()
    heads = list(dict.fromkeys((h, o) for h, o in headlines if h.strip()))
    if not heads:
        return "Briefing"
    top = list(points[: s.points_considered])
    docs = [content_stems(h) for h, _ in heads] + [content_stems(p) for p in top]
    index = SimilarityIndex(docs, floor=0.0, k=TITLE_NEIGHBOURS)
    n = len(heads)
    weights = [1.0 / (1.0 + k / 3.0) for k in range(len(top))]
    origins = {o for _, o in heads}

    def score(i: int) -> float:
        near = sum(w * index.sim(i, n + k) for k, w in enumerate(weights)) / sum(weights) if top else 0.0
        best: dict[str, float] = {}  # the closest headline of each other origin
        for j, sim in index.neighbours(i).items():
            origin = heads[j][1] if j < n else heads[i][1]
            if origin != heads[i][1] and sim > best.get(origin, 0.0):
                best[origin] = sim
        return near + s.agreement_weight * sum(best.values()) / max(1, len(origins) - 1)

    return heads[max(range(n), key=lambda i: (score(i), -i))][0]

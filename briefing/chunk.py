"""Chunk stage: split the kept text of an article into passages and sentences.

Both come back as `Passage`s whose offsets index the original article text, so
`article.text[p.start:p.end] == p.text` always holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from langchain_text_splitters import RecursiveCharacterTextSplitter
from sentencex import segment

from briefing.models import Article, CleanedArticle, Passage, Region

_PARAGRAPH = re.compile(r"[^\n]+")
# sentencex will not split inside quotation marks, and scraped text often has unbalanced
# quotes, so overlong "sentences" get a second, conservative split at ". Capital".
_LONG_SENTENCE_WORDS = 45
_RESPLIT = re.compile(r"(?<=[a-z0-9%)”’\"'][.!?])[\"”’']?\s+(?=[A-Z“\"‘])")
_ABBREVIATION = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Gen|Brig|Lt|Col|Capt|Sgt|Gov|Sen|Rep|St|Jr|Sr|No|vs|Inc|Corp|Ltd|Co|"
    r"Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|a\.m|p\.m)\.$"
)


def chunk_passages(
    article: Article, cleaned: CleanedArticle, size: int = 800, overlap: int = 0
) -> list[Passage]:
    """Passages of about `size` characters from the kept regions (for dedup and prompts)."""
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=size, chunk_overlap=overlap, add_start_index=True
    )
    passages: list[Passage] = []
    for region in cleaned.kept:
        region_text = article.text[region.start : region.end]
        if len(region_text) <= size:  # one chunk, as the splitter would make it, without its cost
            if stripped := region_text.strip():
                start = region.start + region_text.index(stripped)
                passages.append(Passage.of(article, start, start + len(stripped)))
            continue
        for doc in splitter.create_documents([region_text]):
            start = region.start + doc.metadata["start_index"]
            passages.append(Passage.of(article, start, start + len(doc.page_content)))
    return passages


def split_sentences(article: Article, cleaned: CleanedArticle) -> list[Passage]:
    """Sentences of the kept regions, paragraph by paragraph, trimmed of whitespace."""
    return [
        Passage.of(article, start, end)
        for region in cleaned.kept
        for start, end in _sentence_spans(article.text, region)
    ]


def _sentence_spans(text: str, region: Region) -> Iterator[tuple[int, int]]:
    """Locate each segmenter sentence in the original text, so offsets stay exact."""
    for para in _PARAGRAPH.finditer(text, region.start, region.end):
        cursor = para.start()
        for sentence in segment("en", para.group()):
            stripped = sentence.strip()
            if not stripped:
                continue
            start = text.find(stripped, cursor, para.end())
            if start < 0:  # the segmenter altered the text; skip rather than misplace
                continue
            end = start + len(stripped)
            cursor = end
            if len(stripped.split()) > _LONG_SENTENCE_WORDS:
                yield from _resplit(text, start, end)
            else:
                yield start, end


def _resplit(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Split an overlong segment at sentence ends that are not abbreviations."""
    piece_start = start
    for m in _RESPLIT.finditer(text, start, end):
        if not _ABBREVIATION.search(text[piece_start : m.start()]):
            yield piece_start, m.start()
            piece_start = m.end()
    yield piece_start, end

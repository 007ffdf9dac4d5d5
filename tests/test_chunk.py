"""Chunking: passages and sentences whose offsets index the article text exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_text_splitters import RecursiveCharacterTextSplitter

from briefing.chunk import chunk_passages, split_sentences
from briefing.clean import clean_articles
from briefing.ingest import read_paths

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "pow-exchange"


@pytest.fixture(scope="module")
def example() -> list:
    articles = read_paths([EXAMPLE]).articles
    return list(zip(articles, clean_articles(articles), strict=True))


@pytest.mark.parametrize("size", [200, 800, 5000])
def test_passages_are_the_splitters_chunks_of_each_kept_region(example: list, size: int) -> None:
    """Regions that fit in one chunk skip the splitter; the passages are the same either way."""
    splitter = RecursiveCharacterTextSplitter(chunk_size=size, chunk_overlap=0, add_start_index=True)
    for article, cleaned in example:
        expected = [
            (region.start + doc.metadata["start_index"], doc.page_content)
            for region in cleaned.kept
            for doc in splitter.create_documents([article.text[region.start : region.end]])
        ]
        got = [(p.start, p.text) for p in chunk_passages(article, cleaned, size)]
        assert got == expected
        assert all(article.text[p.start : p.end] == p.text for p in chunk_passages(article, cleaned, size))


def test_sentences_index_the_article_and_stay_inside_kept_text(example: list) -> None:
    for article, cleaned in example:
        sentences = split_sentences(article, cleaned)
        assert sentences
        for s in sentences:
            assert article.text[s.start : s.end] == s.text == s.text.strip()
            assert any(r.start <= s.start and s.end <= r.end for r in cleaned.kept)

"""Dedup levels on small hand-made articles: exact, near, internal, syndication, declared."""

from __future__ import annotations

import random
import re

import pytest

from briefing.dedup import deduplicate
from briefing.errors import InputError
from briefing.models import Article, DedupResult, Passage

WORDS = """minister army border talks prisoners exchange channel officer phone village bridge
report council budget vote treaty convoy harbour region spokesman deal summit winter fuel grain
ship court ruling appeal election mayor protest police river dam factory strike union
wage""".split()


def prose(seed: int, words: int = 60) -> str:
    """A reproducible sentence-ish run of words; different seeds share almost no 3-grams."""
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def paragraph_passages(article: Article) -> list[Passage]:
    """One passage per blank-line separated paragraph (a stand-in for the chunker)."""
    return [
        Passage.of(article, m.start(), m.end())
        for m in re.finditer(r"[^\n]+(?:\n[^\n]+)*", article.text)
    ]


def run(articles: list[Article], threshold: float = 0.8, containment: float = 0.6) -> DedupResult:
    passages = [p for a in articles for p in paragraph_passages(a)]
    return deduplicate(articles, passages, threshold=threshold, containment=containment)


def drop_of(result: DedupResult, passage_id: str):
    return next(d for d in result.duplicates if d.passage.id == passage_id)


def substitute(text: str, every: int, count: int) -> str:
    """Replace `count` words, `every` words apart, with a word not in WORDS."""
    words = text.split(" ")
    for k in range(count):
        words[3 + k * every] = f"zz{k}"
    return " ".join(words)


# ---------------------------------------------------------------- level 1: exact


@pytest.mark.parametrize(
    "copy",
    [
        "The minister said “we will not retreat” on Monday.",
        'the minister said "we will not retreat" on monday',
        "The  minister said\n'we will not retreat' on Monday!",
        "THE MINISTER SAID ‘WE WILL NOT RETREAT’ ON MONDAY…",
    ],
    ids=["curly-quotes", "straight-quotes-lowercase", "whitespace-punctuation", "upper-case"],
)
def test_exact_duplicates_after_normalisation(copy: str) -> None:
    a = Article(id="a", text="The minister said “we will not retreat” on Monday.\n\n" + prose(1))
    b = Article(id="b", text=copy + "\n\n" + prose(2))
    result = run([a, b])
    drop = drop_of(result, f"b:0-{len(copy)}")
    assert drop.kind == "exact"
    assert drop.similarity == 1.0
    assert drop.duplicate_of == "a:0-50"


# ---------------------------------------------------------------- level 2: near


def test_near_duplicate_with_one_word_changed() -> None:
    text = prose(3, words=80)
    a = Article(id="a", text=text)
    b = Article(id="b", text=substitute(text, every=10, count=1))
    result = run([a, b])
    drop = drop_of(result, f"b:0-{len(b.text)}")
    assert drop.kind == "near"
    assert drop.duplicate_of == f"a:0-{len(text)}"
    assert 0.9 < drop.similarity < 1.0


@pytest.mark.parametrize(("threshold", "near"), [(0.6, True), (0.8, False), (0.9, False)])
def test_threshold_is_configurable(threshold: float, near: bool) -> None:
    # 100 words -> 98 word 3-grams; 6 spaced substitutions -> Jaccard 80/116 = 0.69
    text = prose(4, words=100)
    a = Article(id="a", text=text + "\n\n" + prose(5))
    b = Article(id="b", text=substitute(text, every=12, count=6) + "\n\n" + prose(6))
    result = run([a, b], threshold=threshold)
    dropped = {d.passage.id: d for d in result.duplicates}
    b_first = f"b:0-{len(b.text.split(chr(10))[0])}"
    assert (b_first in dropped) is near
    if near:
        assert dropped[b_first].similarity == pytest.approx(80 / 116, abs=0.01)


def test_unrelated_passages_are_all_kept() -> None:
    articles = [Article(id=f"x{i}", text=prose(10 + i) + "\n\n" + prose(20 + i)) for i in range(4)]
    result = run(articles)
    assert result.duplicates == []
    assert len(result.passages) == 8


# ---------------------------------------------------------------- level 3: internal


def test_repeats_inside_one_article_split_differently() -> None:
    """An aggregator page holding its story three times, chunked at different places."""
    body = prose(7, words=120)
    head = "Latest news"
    text = f"{head}\n\n{body}\n\n{body}\n\n{body[:300]}"
    article = Article(id="agg", text=text)
    first = text.index(body)
    second = text.index(body, first + 1)
    third = text.index(body[:300], second + 1)
    cut = second + body.index(" ", 250)
    passages = [
        Passage.of(article, 0, len(head)),
        Passage.of(article, first, first + len(body)),
        Passage.of(article, second, cut),  # the second copy in two unequal pieces
        Passage.of(article, cut + 1, second + len(body)),
        Passage.of(article, third, third + 300),  # a truncated third copy
    ]
    result = deduplicate([article], passages)
    assert [p.id for p in result.passages] == [passages[0].id, passages[1].id]
    assert {d.passage.id: d.kind for d in result.duplicates} == {
        passages[2].id: "internal",
        passages[3].id: "internal",
        passages[4].id: "internal",
    }
    assert all(d.duplicate_of == passages[1].id for d in result.duplicates)
    assert len(result.passages[1].also_in) == 3


# ---------------------------------------------------------------- also_in, offsets, determinism


def test_also_in_lists_every_other_place() -> None:
    shared = prose(8)
    articles = [
        Article(id="a", text=f"{prose(30)}\n\n{shared}"),
        Article(id="b", text=f"{shared}\n\n{prose(31)}"),
        Article(id="c", text=f"{prose(32)}\n\n{prose(33)}\n\n{shared}"),
    ]
    result = run(articles)
    kept = next(p for p in result.passages if p.text == shared)
    assert kept.article_id == "a"
    assert [(s.article_id, s.start) for s in kept.also_in] == [
        ("b", 0),
        ("c", articles[2].text.index(shared)),
    ]
    texts = {a.id: a.text for a in articles}
    assert all(texts[s.article_id][s.start : s.end] == shared for s in kept.also_in)


def test_offsets_round_trip_for_kept_and_dropped_passages() -> None:
    body = prose(9)
    articles = [
        Article(id="a", text=f"  Title line here\n\n{body}\n\n{prose(40)}  "),
        Article(id="b", text=f"Other title\n\n{body}\n\n{body}"),
    ]
    result = run(articles)
    texts = {a.id: a.text for a in articles}
    assert result.duplicates
    for p in [*result.passages, *(d.passage for d in result.duplicates)]:
        assert texts[p.article_id][p.start : p.end] == p.text


@pytest.mark.parametrize("order", [["a", "b", "c"], ["c", "b", "a"], ["b", "c", "a"]])
def test_representative_is_earliest_article_in_input_order(order: list[str]) -> None:
    shared = prose(11)
    by_id = {i: Article(id=i, text=f"{prose(50 + n)}\n\n{shared}") for n, i in enumerate("abc")}
    articles = [by_id[i] for i in order]
    passages = [p for a in articles for p in paragraph_passages(a)]
    result = deduplicate(articles, passages)
    again = deduplicate(articles, list(reversed(passages)))  # passage order does not matter
    kept = next(p for p in result.passages if p.text == shared)
    assert kept.article_id == order[0]
    assert result == again


def test_unknown_article_in_passages_is_an_input_error() -> None:
    a = Article(id="a", text=prose(12))
    stray = Passage(id="zz:0-3", article_id="zz", start=0, end=3, text="abc")
    with pytest.raises(InputError, match="zz"):
        deduplicate([a], [stray])


# ---------------------------------------------------------------- level 4: syndication


def test_syndicated_copy_shares_the_origin() -> None:
    story = f"{prose(13, 80)}\n\n{prose(14, 80)}\n\n{prose(15, 80)}"
    original = Article(id="orig", text=story)
    copy = Article(
        id="copy", text=f"By A. Writer | June 3\n\n{story}\n\nSubscribe to our newsletter."
    )
    other = Article(id="other", text=f"{prose(16, 80)}\n\n{prose(17, 80)}")
    result = run([original, copy, other])
    assert result.origins["copy"] == result.origins["orig"] == "orig"
    assert result.origins["other"] == "other"
    link = {link.article_id: link for link in result.links}
    assert link["orig"].kind == "self"
    assert link["copy"].kind == "syndicated"
    assert re.fullmatch(r"\d+% of its text is in orig", link["copy"].evidence)


@pytest.mark.parametrize(("containment", "same"), [(0.3, True), (0.6, False)])
def test_containment_is_configurable(containment: float, same: bool) -> None:
    """An article quoting about half of another is one origin only at a low bar."""
    half = f"{prose(18, 80)}\n\n{prose(19, 80)}"
    a = Article(id="a", text=f"{half}\n\n{prose(20, 80)}\n\n{prose(21, 80)}")
    b = Article(id="b", text=f"{half}\n\n{prose(22, 80)}\n\n{prose(23, 80)}")
    result = run([a, b], containment=containment)
    assert (result.origins["a"] == result.origins["b"]) is same


def test_every_article_has_an_origin_and_one_link() -> None:
    articles = [Article(id=f"n{i}", text=prose(60 + i)) for i in range(3)]
    articles.append(Article(id="empty", text="   "))
    result = run(articles)
    assert set(result.origins) == {a.id for a in articles}
    assert [link.article_id for link in result.links] == [a.id for a in articles]


# ---------------------------------------------------------------- level 5: declared


def test_declared_re_reports_join_the_outlet_origin() -> None:
    original = Article(id="wire", outlet="Reuters", text=prose(24, 80))
    retell = Article(
        id="retell",
        text=f"Talks resume in Geneva\n\nAccording to Reuters, {prose(25, 40)}\n\n{prose(26, 80)}",
    )
    dateline = Article(id="dated", text=f"KYIV (Reuters) - {prose(27, 80)}")
    independent = Article(id="own", text=prose(28, 80))
    result = run([original, retell, dateline, independent])
    assert result.origins == {
        "wire": "outlet:reuters",
        "retell": "outlet:reuters",
        "dated": "outlet:reuters",
        "own": "own",
    }
    link = {link.article_id: link for link in result.links}
    assert link["wire"].kind == "self"
    assert (link["retell"].kind, link["retell"].evidence) == ("declared", "According to Reuters")
    assert (link["dated"].kind, link["dated"].evidence) == ("declared", "KYIV (Reuters) -")


def test_passing_mention_deep_in_the_body_is_not_a_declaration() -> None:
    paragraphs = [prose(70 + i, 30) for i in range(5)]
    paragraphs.append(f"Separately, according to Reuters, {prose(80, 20)}")
    article = Article(id="deep", title="Local council votes", text="\n\n".join(paragraphs))
    result = run([article])
    assert result.origins["deep"] == "deep"
    assert result.links[0].kind == "self"


def test_every_passage_is_kept_or_dropped_exactly_once() -> None:
    shared, story = prose(90), f"{prose(91, 80)}\n\n{prose(92, 80)}"
    articles = [
        Article(id="a", text=f"{shared}\n\n{story}"),
        Article(id="b", text=f"{story}\n\n{shared}\n\n{shared}"),
        Article(id="c", text=f"{prose(93)}\n\n{shared}"),
    ]
    passages = [p for a in articles for p in paragraph_passages(a)]
    result = deduplicate(articles, passages)
    kept = {p.id for p in result.passages}
    dropped = [d.passage.id for d in result.duplicates]
    assert sorted(kept | set(dropped)) == sorted(p.id for p in passages)
    assert len(dropped) == len(set(dropped)) and not kept & set(dropped)
    assert all(d.duplicate_of in kept for d in result.duplicates)
    assert sum(len(p.also_in) for p in result.passages) == len(dropped)

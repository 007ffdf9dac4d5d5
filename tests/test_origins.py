"""Outlet names, declared re-reports, own outlets, and the pow-exchange example end to end."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefing.dedup import deduplicate
from briefing.models import Article, Passage
from briefing.origins import (
    attribute,
    crumb_outlets,
    declared_sources,
    is_aggregator,
    main_declaration,
    outlet_key,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "pow-exchange"
FILLER = "The officials met again on Thursday and agreed to continue the talks next month."


# ---------------------------------------------------------------- outlet names


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("The Wall Street Journal", "wsj"),
        ("Wall Street Journal", "wsj"),
        ("WSJ", "wsj"),
        ("wsj.com", "wsj"),
        ("the wall street journal", "wsj"),
        ("Associated Press", "ap"),
        ("AP", "ap"),
        ("Reuters", "reuters"),
        ("AFP", "afp"),
        ("The New York Times", "nyt"),
        ("Al-Jazeera", "al-jazeera"),
        ("The Kyiv Independent", "kyiv-independent"),
        ("Ukrainska Pravda", "ukrainska-pravda"),
        ("Hindustan Times", "hindustan-times"),
        ("TASS", "tass"),
        ("RIA Novosti", "ria"),
        ("  Interfax  ", "interfax"),
        ("Journal", None),
        ("The Journal of Medicine", None),
        ("Daily Planet", None),
        ("", None),
    ],
)
def test_outlet_key_canonicalises_aliases(name: str, key: str | None) -> None:
    assert outlet_key(name) == key


def test_aggregators_are_flagged() -> None:
    assert is_aggregator("msn") and not is_aggregator("reuters")


# ---------------------------------------------------------------- declarations


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Source: The Wall Street Journal", "wsj"),
        ("Ukrainian intelligence discloses secret channel – WSJ", "wsj"),
        ("Oil prices jump after the strike - Reuters", "reuters"),
        ("The Gaze reports this, referring to The Wall Street Journal.", "wsj"),
        ("KYIV (Reuters) - Ukraine and Russia swapped prisoners on Friday.", "reuters"),
        ("WASHINGTON (AP) — The Senate voted on the bill late on Tuesday.", "ap"),
        ("The deal was first reported by Bloomberg on Monday.", "bloomberg"),
        ("The ministry confirmed the plan, citing the Financial Times.", "ft"),
        ("According to Reuters, the ministry will reopen the border crossing.", "reuters"),
        ("Interfax reported that the talks would resume in Istanbul.", "interfax"),
        ("The Associated Press reported the figures first.", "ap"),
        ("A study in the Journal of Medicine reported lower infection rates.", None),
        ("The Times of Malta reported a new ferry timetable.", None),
        ("According to the ministry, the talks failed again.", None),
        ("Source: our correspondent in the region", None),
        ("Reuters photographers were at the scene all week.", None),
        ("The guardian of the children said they were safe.", None),
    ],
)
def test_declared_source_patterns(text: str, key: str | None) -> None:
    article = Article(id="x", title="Some headline of the day", text=f"{text}\n\n{FILLER}")
    found = declared_sources(article)
    assert [d.outlet for d in found][:1] == ([key] if key else [])
    for d in found:
        assert d.start is not None and article.text[d.start : d.end] == d.phrase


def test_title_only_declaration_has_no_offsets() -> None:
    article = Article(id="x", title="Secret channel revealed – WSJ", text=FILLER)
    [declaration] = declared_sources(article)
    assert (declaration.outlet, declaration.start, declaration.counted) == ("wsj", None, True)


def test_body_mentions_are_found_but_not_counted() -> None:
    lead = "\n\n".join([FILLER] * 3)
    article = Article(
        id="x",
        title="Convoy turns back",
        text=f"{lead}\n\nLater, according to Reuters, the convoy turned back.",
    )
    [mention] = declared_sources(article)
    assert mention.outlet == "reuters" and not mention.counted
    assert declared_sources(article, counted_only=True) == []
    assert main_declaration(declared_sources(article)) is None


def test_source_line_counts_anywhere_and_wins() -> None:
    lead = f"According to AP, {FILLER}"
    body = "\n\n".join([FILLER] * 5)
    article = Article(id="x", text=f"{lead}\n\n{body}\n\nSource: Reuters")
    assert [d.outlet for d in declared_sources(article)] == ["ap", "reuters"]
    main = main_declaration(declared_sources(article))
    assert main is not None and main.outlet == "reuters"


# ---------------------------------------------------------------- own outlet


def test_crumb_lines_name_outlets_but_not_aggregators() -> None:
    text = "logo\nMSN\n\n  • Hindustan Times\nWall Street Journal\n\nHindustan Times\n\n" + FILLER
    assert crumb_outlets(text) == ["hindustan-times", "wsj"]


@pytest.mark.parametrize(
    ("article", "outlet"),
    [
        (Article(id="g", outlet="Reuters", text=FILLER), "reuters"),
        (Article(id="g", outlet="Daily Planet", text=FILLER), "daily-planet"),
        (Article(id="g", outlet="MSN", text=FILLER), None),
        (
            Article(id="f", text=f"{FILLER}\n\nRead the original article at The Guardian."),
            "guardian",
        ),
        (Article(id="c", text=f"Politico\n\n{FILLER}"), "politico"),
        (Article(id="m", text=f"Reuters\n\nBloomberg\n\n{FILLER}"), None),
    ],
    ids=["given", "given-unknown", "given-aggregator", "footer", "one-crumb", "ambiguous-crumbs"],
)
def test_own_outlet(article: Article, outlet: str | None) -> None:
    [attribution] = attribute([article])
    assert attribution.outlet == outlet


def test_ambiguous_crumbs_resolved_by_what_others_declare() -> None:
    page = Article(id="page", text=f"Reuters\n\nBloomberg\n\n{FILLER}")
    retell = Article(id="retell", text=f"According to Bloomberg, {FILLER}")
    page_attr, _ = attribute([page, retell])
    assert page_attr.outlet == "bloomberg"
    assert "retell" in page_attr.outlet_evidence


# ---------------------------------------------------------------- the pow-exchange example


def read_example(folder: Path) -> list[Article]:
    """A tiny local reader: id = file stem, title = first line of four words or more."""
    articles = []
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        title = next((line.strip() for line in text.splitlines() if len(line.split()) >= 4), "")
        articles.append(Article(id=path.stem, title=title, text=text))
    return articles


def line_block_passages(article: Article) -> list[Passage]:
    return [
        Passage.of(article, m.start(), m.end())
        for m in re.finditer(r"[^\n]+(?:\n[^\n]+)*", article.text)
    ]


def test_pow_exchange_has_three_origins() -> None:
    articles = read_example(EXAMPLE)
    ids = {a.id[:3]: a.id for a in articles}
    result = deduplicate(articles, [p for a in articles for p in line_block_passages(a)])
    origin = {short: result.origins[full] for short, full in ids.items()}

    assert origin["000"] == origin["001"] == origin["002"] == "outlet:wsj"
    assert len({origin["000"], origin["003"], origin["004"]}) == 3
    assert len(set(result.origins.values())) == 3
    kinds = {link.article_id[:3]: link.kind for link in result.links}
    assert kinds == {
        "000": "declared",
        "001": "self",
        "002": "declared",
        "003": "self",
        "004": "self",
    }
    # 001 holds the WSJ story three times; the later copies are internal repeats
    repeats = [d for d in result.duplicates if d.passage.article_id == ids["001"]]
    assert len(repeats) >= 2 and {d.kind for d in repeats} == {"internal"}
    body = next(p for p in result.passages if p.text.startswith("KYIV, Ukraine"))
    assert body.article_id == ids["001"] and len(body.also_in) >= 2


def test_a_re_report_of_an_outlet_known_only_from_the_input_joins_its_origin() -> None:
    """No table lists the Dorrance Post, but the set's own metadata does."""
    post = Article(
        id="post",
        outlet="Dorrance Post",
        title="Court orders recount",
        text="Court orders recount\n\nThe electoral court ordered a full recount in the Eastgate district on Thursday after finding gaps in the records.",
    )
    digest = Article(
        id="digest",
        outlet="Astravia Daily Digest",
        title="Recount ruling was split",
        text="Recount ruling was split\n\nThe decision to order a recount in Eastgate was taken in a five-to-two vote, the Dorrance Post reports.",
    )
    other = Article(
        id="tribune",
        outlet="The Astravia Tribune",
        title="Eastgate recount",
        text="Eastgate recount\n\nJudges ruled that the city election commission had not kept complete records of rejected ballots.",
    )
    articles = [post, digest, other]
    result = deduplicate(articles, [p for a in articles for p in line_block_passages(a)])

    assert result.origins["digest"] == result.origins["post"]
    assert result.origins["tribune"] != result.origins["post"]
    link = next(link for link in result.links if link.article_id == "digest")
    assert link.kind == "declared" and "Dorrance Post" in link.evidence

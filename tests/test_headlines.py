"""Titles come from headlines, never from page furniture the cleaner drops."""

from __future__ import annotations

import json

import pytest

from briefing.clean import clean_articles
from briefing.furniture import strip_site_name
from briefing.headlines import briefing_title, guess_title, headline
from briefing.ingest import read_bytes
from briefing.config import Settings
from briefing.models import Article
from briefing.pipeline import build_briefing

HEADLINE = "Ferry strike halts crossings to Marrow Island for a second day"
LEAD = (
    "Ferry crews on the Marrow Island route stayed on strike for a second day on Tuesday, "
    "halting all crossings and leaving islanders without deliveries, the operator said."
)
MORE = (
    "The union says crews have not had a pay rise in three years; the operator says it "
    "offered 4 percent and the strike on the island route is unlawful."
)


def page(*top: str) -> str:
    return "\n".join([*top, "", HEADLINE, "", LEAD, "", MORE, ""])


@pytest.mark.parametrize(
    "top",
    [
        pytest.param(
            ["The Harbour Gazette and its partners use cookies to measure audiences. [Accept all] [Manage]"],
            id="cookie-banner-first",
        ),
        pytest.param(["We value your privacy. Continue to accept our use of cookies."], id="privacy-notice"),
        pytest.param(["THE HARBOUR GAZETTE | Your island, your news"], id="site-banner"),
        pytest.param(["Harbour Gazette — news since the steam packets"], id="masthead-with-tagline"),
        pytest.param(["News · Island life · Transport · Weather · Log in"], id="navigation"),
        pytest.param(["Get Harbour Gazette alerts on your phone: download the Gazette app today"], id="app-prompt"),
        pytest.param(
            ["Sign up for the Gazette Commuter Guide - sailings, fares and delays every morning"],
            id="newsletter-prompt",
        ),
    ],
)
def test_furniture_above_the_headline_is_never_the_title(top: list[str]) -> None:
    text = page(*top)
    assert guess_title(text, "Harbour Gazette") == HEADLINE
    article = Article(id="a", outlet="Harbour Gazette", title=top[0], text=text)
    (cleaned,) = clean_articles([article])
    assert headline(article, cleaned) == HEADLINE  # a title set to the banner is judged again


def test_a_short_kicker_line_is_not_the_headline_but_the_story_line_is() -> None:
    text = page("Transport", "Three more sailings cancelled")
    assert guess_title(text) == HEADLINE  # "Three more sailings cancelled" shares no words with the story


def test_declared_title_loses_its_site_suffix() -> None:
    assert strip_site_name(f"{HEADLINE} | Harbour Gazette", None) == HEADLINE
    assert strip_site_name(f"{HEADLINE} - Harbour Gazette", "Harbour Gazette") == HEADLINE
    assert strip_site_name(f"Harbour Gazette | {HEADLINE}", "Harbour Gazette") == HEADLINE
    assert strip_site_name(f"{HEADLINE} – WSJ", None) == HEADLINE  # a source credit after a dash
    # a dash inside a headline stays when what follows is not the outlet
    assert strip_site_name("Ferry strike — and no end in sight", "Harbour Gazette") == (
        "Ferry strike — and no end in sight"
    )


def test_declared_title_that_is_only_a_site_name_gives_way_to_the_text_headline() -> None:
    article = Article(id="a", outlet="Radio Marrow", title="News | Radio Marrow 101.4", text=page())
    (cleaned,) = clean_articles([article])
    assert headline(article, cleaned) == HEADLINE


def test_html_prefers_its_h1_over_a_title_with_a_site_suffix() -> None:
    html = (
        f"<html><head><title>Strike latest | The Harbour Gazette</title></head><body>"
        f"<nav>News | Island life | Weather</nav><article><h1>{HEADLINE}</h1>"
        f"<p>{LEAD}</p><p>{MORE}</p></article></body></html>"
    )
    (article,) = read_bytes("strike.html", html.encode()).articles
    assert article.title == HEADLINE


def test_html_og_title_comes_first() -> None:
    html = (
        '<html><head><title>Strike | Gazette</title><meta property="og:title" content="Island ferries stay in port">'
        f"</head><body><h1>Live: ferry strike</h1><p>{LEAD}</p><p>{MORE}</p></body></html>"
    )
    (article,) = read_bytes("strike.html", html.encode()).articles
    assert article.title == "Island ferries stay in port"


def test_json_title_is_used_as_given() -> None:
    record = {"title": "Crossings halted again", "text": page("THE HARBOUR GAZETTE | Log in"), "outlet": "Gazette"}
    (article,) = read_bytes("feed.json", json.dumps(record).encode()).articles
    assert article.title == "Crossings halted again"
    (cleaned,) = clean_articles([article])
    assert headline(article, cleaned) == "Crossings halted again"


def test_briefing_title_is_the_headline_closest_to_the_top_points_across_origins() -> None:
    heads = [
        ("Ferry strike halts crossings to Marrow Island", "o1"),
        ("Marrow Island ferry crews strike for second day", "o2"),
        ("Council approves new car park at the harbour", "o3"),  # an unrelated story in the pile
        ("Opinion: what the islands need", "o4"),
    ]
    points = [LEAD, MORE]
    assert briefing_title(heads, points) in {heads[0][0], heads[1][0]}
    assert briefing_title(heads, []) != heads[2][0]
    assert briefing_title([], points) == "Briefing"


def test_built_briefing_never_shows_a_cookie_banner_as_a_title() -> None:
    banner = "{} uses cookies to give you the best experience. [Accept] [Settings]"
    articles = [
        Article(id=f"a{i}", outlet=name, title=guess_title(page(banner.format(name)), name),
                text=page(banner.format(name), f"{name.upper()} | Island news"))
        for i, name in enumerate(["Harbour Gazette", "Marrow Radio", "Island Courier"])
    ]
    briefing = build_briefing(articles, engine="offline", settings=Settings())
    shown = [briefing.title, *(s.title for s in briefing.sources)]
    assert all(t == HEADLINE for t in shown), shown

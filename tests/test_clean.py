"""Clean stage: boilerplate lines go, article text stays, offsets stay exact."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from briefing.clean import Rules, Verdict, clean_articles, furniture, load_rules
from briefing.errors import ConfigError
from briefing.models import Article, CleanedArticle

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "pow-exchange"

TITLE = "Ukraine and Russia swap hundreds of prisoners of war"
P1 = (
    "Ukraine and Russia exchanged 84 prisoners of war on Thursday, the latest swap "
    "brokered through a secret channel between their military intelligence agencies, "
    "officials in Kyiv said."
)
P2 = (
    "The exchange took place on the Belarus border. Brigadier General Dmytro Usov, who "
    "runs the channel for Ukraine's military intelligence, said the talks with his "
    "Russian counterpart were difficult but professional."
)
P3 = (
    "Families of the released soldiers gathered in Chernihiv to meet the buses. Many of "
    "the men were emaciated and needed medical care, according to the coordination "
    "headquarters for prisoners of war."
)


def article(*lines: str, id: str = "a") -> Article:
    return Article(id=id, text="\n\n".join(lines))


def clean_one(art: Article) -> CleanedArticle:
    return clean_articles([art])[0]


def kept_text(art: Article, cleaned: CleanedArticle) -> str:
    return "\n".join(art.text[r.start : r.end] for r in cleaned.kept)


def rule_of(cleaned: CleanedArticle, line: str) -> str | None:
    """The rule that dropped the line with this text, or None if it was kept."""
    for drop in cleaned.dropped:
        if drop.text == line.strip():
            return drop.rule
    return None


def assert_exact(art: Article, cleaned: CleanedArticle) -> None:
    """Offsets round-trip, regions are trimmed, and kept and dropped never overlap."""
    spans = [(r.start, r.end) for r in cleaned.kept] + [(d.start, d.end) for d in cleaned.dropped]
    for drop in cleaned.dropped:
        assert art.text[drop.start : drop.end] == drop.text
    for region in cleaned.kept:
        piece = art.text[region.start : region.end]
        assert piece and not piece[0].isspace() and not piece[-1].isspace()
    spans.sort()
    for (_, end), (start, _) in pairwise(spans):
        assert end <= start, "kept and dropped spans overlap"
    for start, end in spans:
        assert 0 <= start < end <= len(art.text)


# ---------------------------------------------------------------- pattern families

FAMILY_LINES = [
    ("Advertisement", "ad"),
    ("Advertisement:", "ad"),
    ("ADVERTISEMENT", "ad"),
    ("Sponsored", "ad"),
    ("Story continues below advertisement", "ad"),
    ("This article may contain affiliate links.", "ad"),
    ("DOWNLOAD THE APP", "app_promo"),
    ("Get Started Now: Download the App", "app_promo"),
    (
        "Ready to dive into a world of global content with local flavor? Download Daily8 "
        "app today from your preferred app store and start exploring.",
        "app_promo",
    ),
    ("app-storeplay-store", "app_promo"),
    ("Get it on Google Play", "app_promo"),
    ("Download our app for the full experience.", "app_promo"),
    ("Click Here to Read the Full Original Article at Ukrainska Pravda…", "read_more"),
    ("Read more:", "read_more"),
    ("Continue reading", "read_more"),
    ("Also read: Zelensky meets Erdogan in Ankara", "read_more"),
    ("Read the full story at Reuters", "read_more"),
    ("Subscribe", "newsletter"),
    ("Zeen Subscribe", "newsletter"),
    ("Sign up for our newsletter", "newsletter"),
    ("A customizable subscription slide-in box to promote your newsletter", "newsletter"),
    ('[mc4wp_form id="314"]', "newsletter"),
    ("Enter your email address", "newsletter"),
    ("Sign up for our morning briefing, delivered free every weekday.", "newsletter"),
    ("You have 3 free articles remaining this month.", "newsletter"),
    ("Daily Digest is a free morning round-up of Astravian news from around the web.", "newsletter"),
    ("Post subscribers can read the full 46-page ruling in our document viewer.", "newsletter"),
    ("You've reached your monthly free article limit.", "newsletter"),
    ("Your email address will not be published. Required fields are marked *", "comments"),
    ("Leave a comment", "comments"),
    ("Leave a Reply", "comments"),
    ("Comments", "comments"),
    ("12 Comments", "comments"),
    ("Comments are closed for this article.", "comments"),
    (
        "Zeen is a next generation WordPress theme. It’s powerful, beautifully designed and "
        "comes with everything you need to engage your visitors and increase conversions.",
        "cms_footer",
    ),
    ("Proudly powered by WordPress", "cms_footer"),
    ("© 2024 Kyiv Post. All rights reserved.", "cms_footer"),
    ("Copyright 2025 Example Media Ltd", "cms_footer"),
    ("Privacy Policy | Terms of Use | Contact Us", "cms_footer"),
    ("Have a news tip? Contact our newsroom.", "cms_footer"),
    ("time3 days ago", "crumbs"),
    ("3 days ago", "crumbs"),
    ("Updated 2h ago", "crumbs"),
    ("August 14, 2025", "crumbs"),
    ("5 min read", "crumbs"),
    ("  • Politics", "crumbs"),
    ("• Hindustan Times", "crumbs"),
    ("logo", "crumbs"),
    ("#", "crumbs"),
    ("Share this article", "crumbs"),
    ("Share this article with your friends.", "crumbs"),
    ("Politics | World | Business | Sport", "crumbs"),
    ("Facebook Twitter WhatsApp Email", "crumbs"),
    ("Latest news with #DmytroUsov", "crumbs"),
    ("Tags: Ukraine, Russia, prisoners", "crumbs"),
    (
        "Ukrainian soldiers return home from Russian captivity. Photo: Coordination "
        "Headquarters for the Treatment of Prisoners of War",
        "crumbs",
    ),
    ("Released prisoners arrive in Chernihiv. REUTERS/Gleb Garanich", "crumbs"),
    ("Write to Matthew Luxmoore at Drew Hinshaw at and Joe Parkinson at", "crumbs"),
    ("By Matthew Luxmoore and Drew Hinshaw", "crumbs"),
    ("(Reporting by Olena Harmash; Editing by Alex Richardson)", "crumbs"),
]


@pytest.mark.parametrize(("line", "rule"), FAMILY_LINES)
def test_pattern_family_drops_line(line: str, rule: str) -> None:
    art = article(TITLE, P1, line, P2, P3)
    cleaned = clean_one(art)
    assert rule_of(cleaned, line) == rule
    assert [d.text for d in cleaned.dropped] == [line.strip()]
    assert kept_text(art, cleaned) == f"{TITLE}\n\n{P1}\n{P2}\n\n{P3}"
    assert_exact(art, cleaned)


def test_every_family_has_a_case_and_a_reason() -> None:
    rules = load_rules()
    covered = {rule for _, rule in FAMILY_LINES}
    patterned = {name for name, fam in rules.families.items() if fam.groups}
    assert patterned == covered
    assert {"repeated_headline", "unrelated_headline", "cross_document"} <= set(rules.families)
    assert all(fam.reason for fam in rules.families.values())


def test_byline_glued_to_last_paragraph_drops_only_the_tail() -> None:
    tail = "Write to Matthew Luxmoore at Drew Hinshaw at and Joe Parkinson at " + TITLE
    art = article(TITLE, P1, P2 + " " + tail)
    cleaned = clean_one(art)
    assert [(d.rule, d.text) for d in cleaned.dropped] == [("crumbs", tail)]
    assert kept_text(art, cleaned).endswith("difficult but professional.")
    assert_exact(art, cleaned)


# ---------------------------------------------------------------- furniture told by its shape

SHAPE_LINES = [
    # consent banners: cookie or privacy talk addressed to the reader, or ending in buttons
    ("The Riverton Post and its partners use cookies. Say yes to keep reading. [Yes] [Options]", None, "consent"),
    ("We value your privacy. Our partners store data on your device.", None, "consent"),
    ("Cookie notice: essential and analytics cookies only. [Close]", None, "consent"),
    # prompts: a call to the reader ending in buttons
    ("Never miss a story: turn our alerts on! [Allow] [Not now]", None, "prompt"),
    ("Morning headlines in your inbox at seven. [Sign up]", None, "prompt"),
    # mastheads: the outlet's name with its tagline or menu, or a shouted name before a pipe
    ("THE RIVERTON POST | Your city, your news", None, "masthead"),
    ("HARBOUR GAZETTE — news for the coast", None, "masthead"),
    ("Lantern Weekly | The magazine for lighthouse keepers", "Lantern Weekly", "masthead"),
    ("Lantern Weekly", "Lantern Weekly", "masthead"),
    # menus: three or more short segments between pipes, bullets, arrows or stars
    ("Home > World > Courts", None, "menu"),
    ("Breaking: storm warning for the coast | Traffic | Weather", None, "menu"),
    ("NEWS  *  SPORT  *  WEATHER", None, "menu"),
]


@pytest.mark.parametrize(("line", "outlet", "rule"), SHAPE_LINES)
def test_furniture_is_known_by_its_shape(line: str, outlet: str | None, rule: str) -> None:
    art = Article(id="a", outlet=outlet, text="\n\n".join([line, TITLE, P1, P2, P3]))
    cleaned = clean_one(art)
    assert rule_of(cleaned, line) == rule
    assert kept_text(art, cleaned) == f"{TITLE}\n\n{P1}\n\n{P2}\n\n{P3}"
    assert furniture(line, outlet) == Verdict(rule, load_rules().families[rule].reason)


def test_headline_followed_by_the_outlets_name_loses_only_the_name() -> None:
    line = f"{TITLE} | Lantern Weekly"
    art = Article(id="a", outlet="Lantern Weekly", text="\n\n".join([line, P1, P2]))
    cleaned = clean_one(art)
    assert [(d.rule, d.text) for d in cleaned.dropped] == [("masthead", "| Lantern Weekly")]
    assert kept_text(art, cleaned).startswith(TITLE + "\n")
    assert_exact(art, cleaned)


@pytest.mark.parametrize(
    "line",
    [
        "The regulator said the site had set cookies without consent.",  # reported, not said to us
        "KYIV — Ukraine said on Thursday that 84 prisoners had returned home.",  # a dateline
        "EXCLUSIVE — Minister to quit over expenses row",  # a headline's kicker
        "The plan — approved on Tuesday — will cost 3 million.",
        "Lantern Weekly understands the talks will resume.",  # names the outlet in a sentence
    ],
)
def test_sentences_shaped_a_little_like_furniture_are_kept(line: str) -> None:
    art = Article(id="a", outlet="Lantern Weekly", text="\n\n".join([TITLE, P1, line, P2]))
    assert clean_one(art).dropped == []
    assert furniture(line, "Lantern Weekly") is None


# ---------------------------------------------------------------- heuristic families


def test_repeated_headline_keeps_first_and_leaves_body_repeats_to_dedup() -> None:
    art = article(TITLE, TITLE, P1, P2, TITLE.lower(), P1)
    cleaned = clean_one(art)
    assert [d.rule for d in cleaned.dropped] == ["repeated_headline", "repeated_headline"]
    kept = kept_text(art, cleaned)
    assert kept.startswith(TITLE + "\n") and kept.count(TITLE) == 1
    assert kept.count(P1) == 2  # whole-body repeats are the dedup stage's job


def test_section_label_above_headline() -> None:
    cleaned = clean_one(article("Ukraine", TITLE, P1, P2))
    assert rule_of(cleaned, "Ukraine") == "crumbs"
    assert rule_of(cleaned, TITLE) is None


def test_labels_between_dropped_lines() -> None:
    art = article(TITLE, TITLE, "Hindustan Times", "time3 days ago", "• Politics", P1, P2)
    cleaned = clean_one(art)
    assert rule_of(cleaned, "Hindustan Times") == "crumbs"
    assert kept_text(art, cleaned) == f"{TITLE}\n{P1}\n\n{P2}"


def test_short_title_at_top_is_not_a_label() -> None:
    art = article("Prisoner swap", "3 days ago", P1, P2)
    assert rule_of(clean_one(art), "Prisoner swap") is None


UNRELATED = "Kevin Franke: 'I Can't Even Put Into Words How Hurt I Am'"


def test_unrelated_headline_at_the_end_is_dropped() -> None:
    cleaned = clean_one(article(TITLE, P1, P2, P3, UNRELATED))
    assert rule_of(cleaned, UNRELATED) == "unrelated_headline"


@pytest.mark.parametrize(
    "line",
    ["Ukraine and Russia swap more prisoners", "What the prisoner exchange means for Kyiv"],
)
def test_related_short_line_at_the_end_is_kept(line: str) -> None:
    assert rule_of(clean_one(article(TITLE, P1, P2, P3, line)), line) is None


# ---------------------------------------------------------------- cross-document

FOOTBALL = article(
    "Shakhtar beat Dynamo in the Kyiv derby",
    "Shakhtar Donetsk won the derby against Dynamo Kyiv two goals to nil on Sunday "
    "evening, with the Brazilian winger scoring twice before half time at the stadium.",
    "The coach praised the defence and the young goalkeeper, who saved a penalty late "
    "in the second half as the league title race tightened.",
    "Read the Kyiv Independent every morning for the stories that matter",
    id="football",
)


def test_line_shared_by_unrelated_articles_is_dropped_in_both() -> None:
    footer = "Read the Kyiv Independent every morning for the stories that matter"
    war = article(TITLE, P1, P2, P3, footer, id="war")
    cleaned = clean_articles([war, FOOTBALL])
    for art, result in zip([war, FOOTBALL], cleaned, strict=True):
        drops = [d for d in result.dropped if d.text == footer]
        assert [d.rule for d in drops] == ["cross_document"]
        assert "2 articles" in drops[0].reason
        assert_exact(art, result)


def test_short_off_topic_line_in_three_articles_is_dropped() -> None:
    label = "Kyiv Independent Daily"
    arts = [article(TITLE, P1, label, P2, P3, id=str(i)) for i in range(3)]
    for result in clean_articles(arts):
        assert rule_of(result, label) == "cross_document"


def test_same_story_articles_keep_shared_headline_and_sentences() -> None:
    arts = [article(TITLE, P1, P2, P3, id=str(i)) for i in range(3)]
    for art, result in zip(arts, clean_articles(arts), strict=True):
        assert result.dropped == []
        assert kept_text(art, result) == art.text


def test_brief_inside_long_report_is_related() -> None:
    brief = article(TITLE, P2, id="brief")
    long = article(TITLE, P1, P2, P3, *FOOTBALL.text.split("\n\n")[1:3], id="long")
    for result in clean_articles([brief, long]):
        assert rule_of(result, P2) is None


# ---------------------------------------------------------------- no false drops

NEWS_SENTENCES = [
    "Russia denied it.",
    "“We will bring every one of them home,” Zelensky said.",
    "'It's hard to fight them, and it's hard to negotiate with them,' Usov said.",
    "Sponsored by Qatar and Turkey, the talks resumed in Istanbul on Friday.",
    "Advertisers pulled out of the state broadcaster after the scandal.",
    "Subscribers to the channel lost access after the app was removed from the App Store.",
    "Photo evidence of the abuse was handed to the Red Cross.",
    "The comments were made at a press briefing in Moscow.",
    "Copyright lawsuits against Russian broadcasters are mounting.",
    "By Friday, both sides had agreed to a second exchange.",
    "Download speeds in occupied Kherson fell by half.",
    "Source: The Wall Street Journal",
    "Details: The publication revealed that the channel was set up in March 2022.",
    "Write to your MP, the campaign urged supporters.",
    "Ukraine war | Prisoners freed",
    "Residents were told to install an air-raid alert app on their phones.",
]


@pytest.mark.parametrize("line", NEWS_SENTENCES)
def test_ordinary_news_sentence_is_kept(line: str) -> None:
    for art in (article(TITLE, P1, line, P2, P3), article(TITLE, P1, P2, P3, line)):
        cleaned = clean_one(art)
        assert cleaned.dropped == [], cleaned.dropped
        assert kept_text(art, cleaned) == art.text


def test_never_modifies_text_and_handles_odd_whitespace() -> None:
    text = "\ufeff  Ukraine \r\n\r\n" + TITLE + "\r\n\u00a0\r\nAdvertisement\r\n" + P1 + "  \n\t"
    art = Article(id="ws", text=text)
    cleaned = clean_one(art)
    assert [d.rule for d in cleaned.dropped] == ["crumbs", "ad"]
    assert kept_text(art, cleaned) == TITLE + "\n" + P1
    assert_exact(art, cleaned)


def test_empty_and_blank_articles() -> None:
    results = clean_articles([Article(id="e", text=""), Article(id="b", text=" \n\n ")])
    assert [(r.article_id, r.kept, r.dropped) for r in results] == [("e", [], []), ("b", [], [])]


# ---------------------------------------------------------------- rules file


def test_load_rules_from_path_and_turn_a_heuristic_off(tmp_path: Path) -> None:
    default = Path(__file__).resolve().parents[1] / "briefing" / "data" / "boilerplate.toml"
    text = default.read_text(encoding="utf-8").replace("[families.unrelated_headline]", "[off]")
    path = tmp_path / "rules.toml"
    path.write_text(text.replace("[off]\n", "[off]\nx = 1\n"), encoding="utf-8")
    with pytest.raises(ConfigError):  # unknown table: the schema is strict
        load_rules(path)
    text = text.replace('[off]\nreason = "headline unrelated', '# [off]\n# reason = "')
    path.write_text(text, encoding="utf-8")
    rules = load_rules(path)
    assert "unrelated_headline" not in rules.families
    cleaned = clean_articles([article(TITLE, P1, P2, P3, UNRELATED)], rules)[0]
    assert rule_of(cleaned, UNRELATED) is None


def test_bad_regex_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[families.ad]\nreason = 'x'\n[[families.ad.groups]]\nline = ['(']\n")
    with pytest.raises(ConfigError, match=r"families\.ad\.line"):
        load_rules(path)
    with pytest.raises(ConfigError):
        load_rules(tmp_path / "missing.toml")


def test_custom_rules_object() -> None:
    rules = Rules.model_validate(
        {"families": {"promo": {"reason": "house promo", "groups": [{"line": [r"buy now\W*"]}]}}}
    )
    cleaned = clean_articles([article(TITLE, "Buy now!", P1)], rules)[0]
    assert [(d.rule, d.reason) for d in cleaned.dropped] == [("promo", "house promo")]


def test_every_scanning_rule_is_indexed_by_a_needle() -> None:
    """Unindexed search/tail rules run on every line; keep the packaged ones indexed."""
    compiled = load_rules().compiled
    for scanning in (compiled.search, compiled.tail):
        assert scanning._always == []


# ---------------------------------------------------------------- the real example

EXAMPLE_BOILERPLATE = [
    "Advertisement:",
    "Click Here to Read the Full Original Article",
    "Photo: Coordination Headquarters",
    "logo\n",
    "Latest news with #DmytroUsov",
    "time3 days ago",
    "• Politics",
    "• Hindustan Times",
    "Hindustan Times\n",
    "Write to Matthew Luxmoore",
    "DOWNLOAD THE APP",
    "Download the App",
    "Download Daily8 app today",
    "app-storeplay-store",
    "Your email address will not be published",
    "Zeen is a next generation WordPress theme",
    "Kevin Franke",
    "Zeen Subscribe",
    "subscription slide-in box",
    "mc4wp_form",
]

EXAMPLE_KEEP = [
    "Source: The Wall Street Journal",
    "Details: The publication revealed that the largest wave of prisoner exchanges",
    "The Secret Channel Russia and Ukraine Use to Trade Prisoners of War",
    "when would be the next round of prisoner trades that might bring their brothers-in-arms",
    "The Gaze reports this, referring to The Wall Street Journal.",
    "Dmitry Peskov, the Kremlin’s press secretary",
    "the world watches with a mixture of hope and skepticism",
]


@pytest.fixture(scope="module")
def example() -> list[tuple[Article, CleanedArticle]]:
    arts = [
        Article(id=p.stem, text=p.read_text(encoding="utf-8"))
        for p in sorted(EXAMPLE.glob("*.txt"))
    ]
    return list(zip(arts, clean_articles(arts), strict=True))


def test_example_keeps_no_boilerplate_and_all_real_sentences(
    example: list[tuple[Article, CleanedArticle]],
) -> None:
    assert len(example) == 5
    kept = "\n\n".join(kept_text(art, cleaned) for art, cleaned in example)
    for junk in EXAMPLE_BOILERPLATE:
        assert junk not in kept, junk
    for sentence in EXAMPLE_KEEP:
        assert sentence in kept, sentence
    for art, cleaned in example:
        assert cleaned.article_id == art.id
        assert_exact(art, cleaned)
        for region in cleaned.kept:  # nothing left is a lone crumb line
            assert len(art.text[region.start : region.end].split()) > 4


def test_example_drop_report(example: list[tuple[Article, CleanedArticle]]) -> None:
    counts = {art.id[:3]: sorted({d.rule for d in cleaned.dropped}) for art, cleaned in example}
    assert counts == {
        "000": ["ad", "crumbs", "read_more", "repeated_headline"],
        "001": ["app_promo", "crumbs", "repeated_headline"],
        "002": [],
        "003": [],
        "004": ["cms_footer", "comments", "newsletter", "unrelated_headline"],
    }

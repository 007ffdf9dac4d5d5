"""The digest message from a hand-made briefing: numbering, flags in words, links, headers."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.policy import default as default_policy

import pytest

from briefing.config import Settings
from briefing.digest.compose import Picked, Story
from briefing.digest.email import (
    Recipient,
    build_message,
    build_view,
    date_text,
    public_url,
    render_text,
    subject_for,
)
from briefing.errors import ConfigError
from briefing.untrusted import header_text
from briefing.models import Briefing, BriefingStats, Citation, ConflictValue, Flag, Point, Source

DAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 7, tzinfo=UTC)
A = "The river rose by two metres overnight, the water board said. About 300 people were moved."
B = "Officials said around 300 residents spent the night in a school. Some said 250."
ADA = Recipient(email="ada@example.com", name="Ada", topics=("flood", '"river Vell"'), timezone="Europe/Vienna",
                send_hour=7, token="tok123", id="s_0001")


def cite(source: Source, quote: str) -> Citation:
    start = source.text.index(quote)
    return Citation(source_id=source.id, start=start, end=start + len(quote), quote=quote)


def briefing(title: str = "Flood in the valley") -> Briefing:
    a = Source(id="a", origin="a", outlet="Valley Times", title="River rises", url="https://valley.example/r", text=A,
               published_at=datetime(2026, 11, 21, 9, tzinfo=UTC))
    b = Source(id="b", origin="b", outlet="Daily Courier", title="Night in a school", url="ftp://courier.example/x", text=B)
    flag_values = [ConflictValue(value="300", citation=cite(b, "300")), ConflictValue(value="250", citation=cite(b, "250"))]
    return Briefing(
        title=title,
        sources=[a, b],
        points=[
            Point(text="The river rose two metres.", origins=1, citations=[cite(a, A[:62])],
                  flags=[Flag(kind="single_source", reason="Only Valley Times reports this.")]),
            Point(text="About 300 people left their homes.", origins=2,
                  citations=[cite(a, "About 300 people were moved."), cite(b, B[:65]), cite(a, A[:62])],
                  flags=[Flag(kind="conflict", reason="Sources disagree on how many.", values=flag_values),
                         Flag(kind="hedged", reason="uses 'reportedly'")]),
        ],
        stats=BriefingStats(articles=3, origins=2, engine="offline"),
    )


def story(title: str = "Flood in the valley") -> Story:
    return Story(id="st_1", articles=[], latest=NOW, origins=2, score=2.0, stems=frozenset(), text="")


def picked(title: str = "Flood in the valley") -> list[Picked]:
    return [Picked(story(title), briefing(title))]


def test_subject_is_date_stamped_with_the_top_story():
    assert date_text(date(2026, 1, 5)) == "5 Jan 2026"
    assert subject_for(DAY, picked()) == "Your briefing — 22 Nov 2026: Flood in the valley"
    long = subject_for(DAY, picked("Word " * 40))
    assert len(long) < 130 and long.endswith("…")
    assert subject_for(DAY, picked("Two\nlines\u202e")) == "Your briefing — 22 Nov 2026: Two lines"


def test_citations_are_numbered_per_source_and_link_only_http():
    view = build_view(picked(), ADA, day=DAY, base_url="https://b.example")
    s = view.stories[0]
    assert [[r.n for r in p.refs] for p in s.points] == [[1], [1, 2]]
    assert [(x.n, x.name, x.link, x.published) for x in s.sources] == [
        (1, "Valley Times", "https://valley.example/r", "21 Nov 2026"),
        (2, "Daily Courier", None, ""),  # ftp: shown, not linked
    ]
    assert s.scope == "3 articles · 2 independent origins"


def test_flags_are_words_with_conflict_values():
    view = build_view(picked(), ADA, day=DAY, base_url="https://b.example")
    flags = [(f.label, f.detail) for p in view.stories[0].points for f in p.flags]
    assert flags == [
        ("Single source", ""),
        ("Sources disagree", "300 (Daily Courier) vs 250 (Daily Courier)"),
        ("Hedged (‘reportedly’)", ""),
    ]
    assert [label for label, _ in view.legend] == ["Single source", "Sources disagree", "Hedged"]


def test_text_part_reads_on_its_own():
    text = render_text(build_view(picked(), ADA, day=DAY, base_url="https://b.example"))
    assert "1 story for Ada" in text
    assert " 1. The river rose two metres. [1]\n    ! Single source\n" in text
    assert "    ! Sources disagree: 300 (Daily Courier) vs 250 (Daily Courier)\n" in text
    assert "[1] Valley Times — River rises · 21 Nov 2026\n    https://valley.example/r\n" in text
    assert "for the topics: flood,\n\"river Vell\"." in text
    assert text.rstrip().endswith("https://b.example/unsubscribe/tok123")
    assert max(len(line) for line in text.splitlines()) <= 76


def test_message_headers(monkeypatch):
    monkeypatch.delenv("BRIEFING_PUBLIC_URL", raising=False)
    msg = build_message(picked(), ADA, day=DAY, now=NOW, settings=Settings(mail_from="News <news@b.example>"))
    assert msg["List-Unsubscribe"] == "<http://127.0.0.1:8000/unsubscribe/tok123>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Message-ID"] == "<digest.20261122.s_0001@b.example>"
    assert msg["Date"] == "Sun, 22 Nov 2026 07:00:00 +0000"
    assert msg.get_content_type() == "multipart/alternative"
    html = msg.get_body(("html",)).get_content()
    assert 'href="http://127.0.0.1:8000/unsubscribe/tok123"' in html
    assert html.count('<a href="https://valley.example/r"') == 3  # two points' [1] and the source


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "ftp://x.example", "not a url"])
def test_public_url_must_be_http(bad):
    with pytest.raises(ConfigError):
        public_url(Settings(public_url=bad))


def test_public_url_from_env(monkeypatch):
    monkeypatch.setenv("BRIEFING_PUBLIC_URL", "https://news.example.org/briefing/")
    assert public_url(Settings()) == "https://news.example.org/briefing"


# ---------------------------------------------------------------- header text (issue 17 F1)

_CRLF_WORD = "=?utf-8?q?=0D=0AReply-To:_evil@attacker.test=0D=0A=0D=0Abody?="


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        (_CRLF_WORD, "Reply-To: evil@attacker.test body"),
        # an encoded word that decodes to another one: decoded until nothing changes
        ("=?utf-8?b?" + base64.b64encode(_CRLF_WORD.encode()).decode() + "?=", "Reply-To: evil@attacker.test body"),
        ("Ada\r\nBcc: x@example.com", "Ada Bcc: x@example.com"),
        ("Zo\u00eb \u202eyb\u202c \u200bSmith", "Zo\u00eb yb Smith"),
        ("What does =?x?q?y?= mean", "What does = ?x?q?y?= mean"),  # undecodable: broken up
        ("Plain name", "Plain name"),
    ],
)
def test_header_text_is_one_plain_line(raw, plain):
    assert header_text(raw) == plain


@pytest.mark.parametrize("name", [_CRLF_WORD, "Ada\r\nReply-To: evil@attacker.test"])
def test_a_hostile_name_or_title_writes_no_header_of_its_own(monkeypatch, name):
    monkeypatch.delenv("BRIEFING_PUBLIC_URL", raising=False)
    recipient = Recipient(email="ada@example.com", name=name, token="tok123", id="s_0001")
    msg = build_message(picked(title=name), recipient, day=DAY, now=NOW, settings=Settings(mail_from="n@b.example"))
    parsed = message_from_bytes(msg.as_bytes(), policy=default_policy)
    assert parsed["Reply-To"] is None and parsed["Bcc"] is None
    assert [k for k in parsed.keys()] == [k for k in msg.keys()]  # the headers we wrote, no more
    assert parsed["To"].addresses[0].addr_spec == "ada@example.com"
    assert "\n" not in parsed["Subject"] and "evil@attacker.test" in parsed["Subject"]

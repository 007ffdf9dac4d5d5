"""How a Briefing is shown to readers: Markdown, HTML, plain text, JSON, schema.

The fixture is a small briefing built by hand: two outlets, three points, a
conflict over a figure, an anonymous hedged claim and a partly supported point.
Every citation is real: `quote == source.text[start:end]`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefing.models import (
    Briefing,
    BriefingStats,
    Citation,
    Conflict,
    ConflictValue,
    Flag,
    Point,
    Source,
    Verdict,
)
from briefing.render import FORMATS, describe_flag, flag_label, render
from briefing.render.view import safe_url
from briefing.schema import briefing_schema, export_schema, schema_json

REPO = Path(__file__).resolve().parents[1]

NORTHWIRE = Source(
    id="nw",
    title="Storm batters coast",
    outlet="Northwire",
    url="https://northwire.example/storm",
    published_at=datetime(2024, 5, 1, 9, 0, tzinfo=UTC),
    origin="nw",
    text=(
        "The storm killed 12 people on Tuesday, the ministry said. "
        "An official who asked not to be named said the dam reportedly cracked overnight. "
        "Power was cut to 40,000 homes."
    ),
)
LEDGER = Source(
    id="dl",
    title="Coastal storm death toll rises",
    outlet="Daily Ledger",
    url="https://ledger.example/toll",
    origin="dl",
    text="Rescuers said 14 people died in the storm. Power was cut to 40,000 homes across the region.",
)


def cite(source: Source, phrase: str) -> Citation:
    """A citation of the first occurrence of `phrase` in `source`."""
    start = source.text.index(phrase)
    return Citation(source_id=source.id, start=start, end=start + len(phrase), quote=phrase)


def make_briefing(**changes) -> Briefing:
    twelve = ConflictValue(value="12", citation=cite(NORTHWIRE, "12"))
    fourteen = ConflictValue(value="14", citation=cite(LEDGER, "14"))
    fields = dict(
        title="Storm on the coast",
        generated_at=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
        sources=[NORTHWIRE, LEDGER],
        points=[
            Point(
                text="A storm killed at least 12 people.",
                citations=[
                    cite(NORTHWIRE, "The storm killed 12 people on Tuesday"),
                    cite(LEDGER, "14 people died in the storm"),
                ],
                origins=2,
                flags=[
                    Flag(
                        kind="conflict",
                        reason="Outlets give different death tolls.",
                        values=[twelve, fourteen],
                    )
                ],
                support=Verdict(
                    label="partial", score=0.55, reasons=["the death toll differs between sources"]
                ),
            ),
            Point(
                text="The dam cracked overnight.",
                citations=[cite(NORTHWIRE, "the dam reportedly cracked overnight")],
                origins=1,
                flags=[
                    Flag(kind="single_source", reason="Only Northwire reports this."),
                    Flag(kind="anonymous_source", reason="An unnamed official."),
                    Flag(kind="hedged", reason="The source says 'reportedly'."),
                ],
            ),
            Point(
                text="Power was cut to 40,000 homes.",
                citations=[
                    cite(NORTHWIRE, "Power was cut to 40,000 homes"),
                    cite(LEDGER, "Power was cut to 40,000 homes across the region"),
                ],
                origins=2,
                support=Verdict(label="supported", score=0.97),
            ),
        ],
        conflicts=[Conflict(subject="Death toll", kind="number", values=[twelve, fourteen])],
        stats=BriefingStats(
            articles=2,
            origins=2,
            points=3,
            engine="extractive",
            engine_version="0.1.0",
            timings={"clean": 0.12, "extract": 1.3},
        ),
    )
    fields.update(changes)
    return Briefing(**fields)


EVIL = "<script>alert(1)</script>"
EVIL_SOURCE = Source(
    id="evil",
    title=EVIL,
    outlet='" onmouseover="alert(1)',
    url="javascript:alert(1)",
    origin="evil",
    text=f'Witnesses said {EVIL} and " onmouseover="alert(2)" happened.',
)


def make_evil_briefing() -> Briefing:
    quote = f'{EVIL} and " onmouseover="alert(2)"'
    return Briefing(
        title=f"Breaking {EVIL}",
        sources=[EVIL_SOURCE],
        points=[
            Point(
                text='<img src=x onerror=alert(3)> "quoted" [link](javascript:alert(4))',
                citations=[cite(EVIL_SOURCE, quote)],
                origins=1,
                flags=[Flag(kind="single_source", reason=EVIL)],
            )
        ],
    )


# ---------------------------------------------------------------- flag wording


def test_flag_labels_are_plain_words():
    assert flag_label(Flag(kind="single_source", reason="")) == "Single source"
    assert flag_label(Flag(kind="anonymous_source", reason="")) == "Anonymous sourcing"
    assert flag_label(Flag(kind="conflict", reason="")) == "Sources disagree"
    assert flag_label(Flag(kind="unverified", reason="")) == "Unverified"
    assert flag_label(Flag(kind="hedged", reason="Says 'reportedly'.")) == "Hedged (‘reportedly’)"
    assert flag_label(Flag(kind="hedged", reason="Northwire's wording is cautious")) == "Hedged"


def test_describe_flag_gives_reason_and_each_value_with_its_outlet():
    b = make_briefing()
    conflict = b.points[0].flags[0]
    assert describe_flag(conflict, b.sources) == (
        "Sources disagree: Outlets give different death tolls. — 12 (Northwire) vs 14 (Daily Ledger)"
    )
    assert describe_flag(conflict) == (
        "Sources disagree: Outlets give different death tolls. — 12 (nw) vs 14 (dl)"
    )
    assert describe_flag(b.points[1].flags[0]) == "Single source: Only Northwire reports this."


def test_describe_flag_does_not_repeat_what_the_reason_already_says():
    # reasons as the flag rules write them
    hedged = Flag(kind="hedged", reason="Hedged in the source: “reportedly”.")
    assert flag_label(hedged) == "Hedged (‘reportedly’)"
    assert describe_flag(hedged) == "Hedged in the source: “reportedly”."
    b = make_briefing()
    values = b.conflicts[0].values
    conflict = Flag(
        kind="conflict",
        reason="Sources disagree on death toll: 12 (Northwire) vs 14 (Daily Ledger).",
        values=values,
    )
    assert describe_flag(conflict, b.sources) == conflict.reason
    # HTML then shows the values once, each with its citation marker
    point = b.points[0].model_copy(update={"flags": [conflict]})
    html = render(make_briefing(points=[point]), "html")
    assert html.count("Daily Ledger)<sup") == 1 and "death toll: 12" not in html


# ---------------------------------------------------------------- markdown


def test_markdown_key_lines():
    lines = render(make_briefing(), "md").splitlines()
    expected = [
        "# Storm on the coast",
        "2 articles, 2 independent origins",
        # points: text, then citation markers numbered in order of first use
        "1. A storm killed at least 12 people. [1][2]",
        "   _Conflicting figures: 12 (Northwire) [3] vs 14 (Daily Ledger) [4]_",
        "   ⚠ partially supported: the death toll differs between sources",
        "2. The dam cracked overnight. [5]",
        "   _Single source_ · _Anonymous sourcing_ · _Hedged (‘reportedly’)_",
        "3. Power was cut to 40,000 homes. [6][7]",
        # the conflict reuses the flag's citations, so it keeps numbers 3 and 4
        "## Disagreements",
        "- **Death toll** — figures differ:",
        "  - 12 — Northwire [3]",
        "  - 14 — Daily Ledger [4]",
        "## Sources",
        "1. “The storm killed 12 people on Tuesday” — Northwire — *Storm batters coast* — "
        "2024-05-01 — <https://northwire.example/storm>",
        # a quote too short to judge alone ("14") comes with the words around it
        "4. “14” (in “Rescuers said **14** people died in the storm. Power was cut to…”) — "
        "Daily Ledger — *Coastal storm death toll rises* — <https://ledger.example/toll>",
        "7. “Power was cut to 40,000 homes across the region” — Daily Ledger — "
        "*Coastal storm death toll rises* — <https://ledger.example/toll>",
        "_extractive 0.1.0 · 1.4 s (clean 120 ms, extract 1.3 s) · generated 2024-05-01 12:00 UTC_",
    ]
    for line in expected:
        assert line in lines, line
    # in the order given
    assert [lines.index(x) for x in expected] == sorted(lines.index(x) for x in expected)
    # supported points carry no verdict line; no degraded notice unless degraded
    assert sum("⚠" in x for x in lines) == 1
    assert not any("Degraded" in x for x in lines)
    # seven unique spans, seven source entries
    assert [x.split(".")[0] for x in lines if x[:1].isdigit() and "“" in x] == [str(n) for n in range(1, 8)]


def test_markdown_degraded_notice_and_long_quote_trimmed():
    long_text = "word " * 120
    src = Source(id="a", outlet="Wire", origin="a", text=long_text)
    b = Briefing(
        sources=[src],
        points=[Point(text="Words.", citations=[cite(src, long_text.strip())], origins=1)],
        stats=BriefingStats(degraded="the model endpoint was unreachable; used extractive"),
    )
    md = render(b, "md")
    assert "> **Degraded:** the model endpoint was unreachable; used extractive" in md
    source_line = next(x for x in md.splitlines() if x.startswith("1. “"))
    quote = source_line.split("“")[1].split("”")[0]
    assert quote.endswith("…") and 250 <= len(quote) <= 301
    assert "# Briefing" in md  # untitled briefings still get a heading


def test_markdown_escapes_untrusted_text():
    md = render(make_evil_briefing(), "md")
    assert EVIL not in md
    assert r"\<script\>alert(1)\</script\>" in md
    assert r"\[link\](javascript:alert(4))" in md  # brackets escaped: no link forms
    assert "<javascript:" not in md  # a non-http URL is never an autolink


def test_a_span_cited_twice_keeps_one_number():
    span = cite(LEDGER, "Power was cut to 40,000 homes across the region")
    b = Briefing(
        sources=[LEDGER],
        points=[
            Point(text="Homes lost power.", citations=[span], origins=1),
            Point(text="The region was hit.", citations=[span, span.model_copy()], origins=1),
        ],
    )
    lines = render(b, "md").splitlines()
    assert "1. Homes lost power. [1]" in lines
    assert "2. The region was hit. [1]" in lines
    assert sum(x.startswith("1. “") for x in lines) == 1
    assert not any(x.startswith("2. “") for x in lines)


def test_an_empty_briefing_still_renders_in_every_format():
    b = Briefing(sources=[], points=[])
    assert "No point was well enough supported to report." in render(b, "md")
    assert "No point was well enough supported to report." in render(b, "text")
    assert _Page(render(b, "html")).stack == []


def test_control_and_bidi_characters_never_reach_output():
    src = Source(id="x", outlet="Wire\u202e", origin="x", text="Plain words here.")
    b = Briefing(
        title="Red \x1b[31malert\x1b[0m\nnew line",
        sources=[src],
        points=[Point(text="Plain.", citations=[cite(src, "Plain words")], origins=1)],
    )
    for fmt in ("md", "text", "html"):
        out = render(b, fmt)
        assert "\x1b" not in out and "\u202e" not in out, fmt
        assert "Red [31malert[0m new line" in out.replace("\\[", "["), fmt


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://example.com/a?b=1#c", True),
        ("http://example.com", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,<b>x</b>", False),
        ("//example.com/protocol-relative", False),
        ('https://example.com/" onmouseover="x', False),
        ("https://exa mple.com", False),
        ("/relative/path", False),
        (None, False),
    ],
)
def test_only_plain_http_urls_become_links(url, link):
    assert (safe_url(url) is not None) is link


# ---------------------------------------------------------------- html


class _Page(HTMLParser):
    """Collects ids, links and attributes, and checks tags are balanced."""

    VOID = {"meta", "link", "br", "hr", "img", "input", "source", "wbr"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.marker_hrefs: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.tags: list[str] = []
        self.stack: list[str] = []
        self.text: list[str] = []
        self._in_sup = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)
        a = dict(attrs)
        self.attrs += [(tag, k, v) for k, v in attrs]
        if "id" in a:
            assert a["id"] not in self.ids, f"duplicate id {a['id']}"
            self.ids.add(a["id"])
        if tag == "sup" and "ref" in (a.get("class") or ""):
            self._in_sup += 1
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
            if self._in_sup:
                self.marker_hrefs.append(a["href"])

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()
        if tag == "sup" and self._in_sup:
            self._in_sup -= 1

    def handle_data(self, data):
        self.text.append(data)


def test_html_page_is_self_contained_and_every_marker_points_somewhere():
    html = render(make_briefing(), "html")
    page = _Page(html)
    assert page.stack == []  # every element closed
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html and '<meta charset="utf-8">' in html
    assert "<script" not in html and "<link" not in html and "@import" not in html
    # citation markers link to #c1..#c7, and each target exists
    assert sorted(set(page.marker_hrefs)) == sorted(f"#c{n}" for n in range(1, 8))
    for href in page.hrefs:
        if href.startswith("#"):
            assert href[1:] in page.ids, href
    # flags as badges with their reasons as text; verdict only for the partial point
    text = " ".join(" ".join(page.text).split())
    assert "Single source Only Northwire reports this." in text
    assert "Conflicting figures Outlets give different death tolls. 12 (Northwire)" in text
    assert html.count('class="verdict') == 1
    assert "<mark>The storm killed 12 people on Tuesday</mark>" in html


def test_html_escapes_untrusted_text_and_links_only_http():
    html = render(make_evil_briefing(), "html")
    page = _Page(html)
    assert page.stack == []
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "img" not in page.tags
    assert not [(t, k) for t, k, _ in page.attrs if k.startswith("on")]
    assert not [h for h in page.hrefs if not h.startswith(("#", "http://", "https://"))]
    assert "javascript:alert(1)" in " ".join(page.text)  # shown, as text


# ---------------------------------------------------------------- text


def test_text_is_plain_and_wrapped_at_80_columns():
    long_point = Point(
        text="Officials said that repairs to the coastal road, the harbour wall and the "
        "two damaged bridges could take several months to complete.",
        citations=[cite(NORTHWIRE, "the ministry said")],
        origins=1,
    )
    b = make_briefing()
    b = make_briefing(points=[*b.points, long_point])
    text = render(b, "text")
    lines = text.splitlines()
    assert max(len(x) for x in lines) <= 80
    assert lines[:3] == ["Storm on the coast", "==================", "2 articles, 2 independent origins"]
    assert "1. A storm killed at least 12 people. [1][2]" in lines
    assert "   Flags: Single source · Anonymous sourcing · Hedged (‘reportedly’)" in lines
    assert "[1] “The storm killed 12 people on Tuesday”" in lines
    assert "    https://northwire.example/storm" in lines
    assert any(x.startswith("4. Officials said") for x in lines)
    assert not any(mark in text for mark in ("**", "_Single", "<", "## "))


# ---------------------------------------------------------------- json + schema


def test_json_round_trips():
    b = make_briefing()
    out = render(b, "json")
    assert Briefing.model_validate_json(out) == b
    assert json.loads(out)["points"][0]["citations"][0]["quote"] == "The storm killed 12 people on Tuesday"


def test_render_dispatches_every_format_and_rejects_others():
    b = make_briefing()
    assert FORMATS == ("md", "html", "text", "json")
    assert all(render(b, fmt) for fmt in FORMATS)
    with pytest.raises(ValueError, match="unknown format"):
        render(b, "pdf")  # type: ignore[arg-type]


def test_schema_export_matches_the_model(tmp_path):
    path = export_schema(tmp_path / "out" / "briefing.schema.json")
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert "points" in schema["properties"] and "sources" in schema["properties"]
    assert {"Point", "Citation", "Flag", "Conflict", "Source"} <= set(schema["$defs"])
    assert schema == briefing_schema()
    assert {k: v for k, v in schema.items() if k != "$schema"} == Briefing.model_json_schema()


def test_committed_schema_is_up_to_date():
    committed = (REPO / "docs" / "briefing.schema.json").read_text(encoding="utf-8")
    assert committed == schema_json(), "run: python -m briefing.schema"

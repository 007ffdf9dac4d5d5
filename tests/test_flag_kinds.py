"""One table of flag kinds (briefing/data/flags.toml): every reader-facing place reads it.

Adding a kind touches the table, the rule that raises it (briefing/flags.py) and its
tests; these tests fail if a renderer, template or the email starts listing kinds again."""

from __future__ import annotations

import re
from pathlib import Path

from briefing.digest.email import FLAG_COLOURS, FLAG_MEANINGS
from briefing.flag_kinds import FLAG_KINDS
from briefing.models import Briefing, Citation, Flag, Point, Source
from briefing.render import render
from briefing.render.flags import FLAG_LABELS, flag_label

PACKAGE = Path(__file__).resolve().parents[1] / "briefing"
RULES = {PACKAGE / "flags.py"}  # the rules that raise flags name the kinds they raise


def test_model_renderers_and_email_read_the_table():
    kinds = list(FLAG_KINDS)
    assert kinds == ["single_source", "anonymous_source", "conflict", "hedged", "unverified", "updated"]
    assert Flag.model_json_schema()["properties"]["kind"]["enum"] == kinds
    assert FLAG_LABELS == {k: v.label for k, v in FLAG_KINDS.items()}
    assert FLAG_COLOURS == {k: (v.colour, v.background) for k, v in FLAG_KINDS.items()}
    assert FLAG_MEANINGS == {k: v.meaning for k, v in FLAG_KINDS.items()}


def test_the_briefing_page_styles_every_kind_from_the_table():
    source = Source(id="a", title="T", origin="a", text="It rained.")
    flags = [Flag(kind=k, reason="why") for k in FLAG_KINDS]
    html = render(Briefing(title="T", sources=[source], points=[Point(text="It rained.", citations=[Citation(source_id="a", start=0, end=10, quote="It rained.")], origins=1, flags=flags)]), "html")
    for k, info in FLAG_KINDS.items():
        assert f"--b-{k}: {info.colour}; --bg-{k}: {info.background};" in html
        assert f"--b-{k}: {info.dark_colour}; --bg-{k}: {info.dark_background};" in html
        assert f".flag-{k} .badge {{" in html
        assert flag_label(Flag(kind=k, reason="")) == info.label


def test_no_other_module_or_template_lists_the_kinds():
    """Only the table and the rules name a kind; the rest iterate over the table."""
    pattern = re.compile("|".join(re.escape(k) for k in FLAG_KINDS if "_" in k))  # names not common words
    named = []
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix not in {".py", ".j2"} or path in RULES:
            continue
        for line in path.read_text("utf-8").splitlines():
            if pattern.search(line) and "var(--b-single_source)" not in line and ">>>" not in line:
                named.append(f"{path.relative_to(PACKAGE)}: {line.strip()}")
    assert not named, named

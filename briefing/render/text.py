"""Plain text for an email text part: the Markdown layout without markup, wrapped.

Lines are at most WIDTH characters, except a single word longer than that (a long
URL), which is kept whole so it still works when copied.
"""

from __future__ import annotations

import textwrap

from briefing.models import Briefing

from .view import Entry, build_view, markers

WIDTH = 80


def _wrap(text: str, indent: str = "", hang: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=WIDTH,
        initial_indent=indent,
        subsequent_indent=indent if hang is None else hang,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def _heading(text: str, underline: str) -> list[str]:
    lines = _wrap(text)
    return lines + [underline * min(WIDTH, max(len(line) for line in lines))]


def _entry(e: Entry) -> list[str]:
    head = f"[{e.n}] "
    pad = " " * len(head)
    quote = f"“{e.quote_short}”"
    if e.needs_context:
        quote += f" (in “{e.near_before}{e.quote}{e.near_after}”)"
    lines = _wrap(quote, head, pad)
    about = [x for x in (e.outlet, e.title, e.published) if x] or [e.name]
    lines += _wrap(" · ".join(about), pad)
    if e.url:
        lines.append(pad + e.url)
    return lines


def render_text(briefing: Briefing) -> str:
    v = build_view(briefing)
    out: list[str] = _heading(v.title, "=")
    out += _wrap(v.scope)
    if v.lead:
        out += [""] + _wrap(v.lead)
    if v.degraded:
        out += [""] + _wrap(f"NOTE: {v.degraded}", "", "      ")
    for note in v.truncated:
        out += [""] + _wrap(f"NOT ALL READ: {note}", "", "      ")
    out.append("")

    if not v.points:
        out += _wrap("No point was well enough supported to report.") + [""]
    for p in v.points:
        head = f"{p.n}. "
        pad = " " * len(head)
        out += _wrap(f"{p.text} {markers(p.refs)}", head, pad)
        if p.flags:
            out += _wrap("Flags: " + " · ".join(f.badge for f in p.flags), pad, pad + "  ")
        if p.verdict:
            out += _wrap(f"⚠ {p.verdict.text}", pad, pad + "  ")
        out.append("")

    if v.conflicts:
        out += _heading("Disagreements", "-")
        for c in v.conflicts:
            out += _wrap(f"- {c.subject} — {c.noun} differ:", "", "  ")
            for x in c.values:
                out += _wrap(f"* {x.value} — {x.source_name} [{x.n}]", "  ", "    ")
        out.append("")

    if v.entries:
        out += _heading("Sources", "-")
        for e in v.entries:
            out += _entry(e) + [""]

    if v.footer:
        out += ["---"] + _wrap(v.footer)
    return "\n".join(out).rstrip("\n") + "\n"

"""Markdown: readable as plain text, and safe when a Markdown renderer shows it.

Article text is untrusted: every piece of it is backslash-escaped so it cannot
open a link, image, raw HTML tag, emphasis or list; only http(s) URLs become
autolinks.
"""

from __future__ import annotations

import re

from briefing.models import Briefing

from .view import Entry, FlagView, ValueView, build_view, markers

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_LEADING_LIST = re.compile(r"^(\d+)([.)])")


def md(s: str) -> str:
    """Escape untrusted one-line text for Markdown (CommonMark/GFM)."""
    s = _MD_SPECIAL.sub(r"\\\1", s)
    s = _LEADING_LIST.sub(r"\1\\\2", s)
    if s[:1] in ("-", "+", "=", "#"):
        s = "\\" + s
    return s


def _value(v: ValueView) -> str:
    return f"{md(v.value)} ({md(v.source_name)}) [{v.n}]"


def _badge(f: FlagView) -> str:
    if f.values:
        return f"_{md(f.heading)}: " + " vs ".join(_value(v) for v in f.values) + "_"
    return f"_{md(f.heading)}_"


def _source_line(e: Entry) -> str:
    quote = f"“{md(e.quote_short)}”"
    if e.needs_context:
        quote += f" (in “{md(e.near_before)}**{md(e.quote)}**{md(e.near_after)}”)"
    parts = [quote]
    if e.outlet:
        parts.append(md(e.outlet))
    if e.title:
        parts.append(f"*{md(e.title)}*")
    if not e.outlet and not e.title:
        parts.append(md(e.name))
    if e.published:
        parts.append(e.published)
    if e.link:
        parts.append(f"<{e.link}>")
    elif e.url:
        parts.append(md(e.url))
    return f"{e.n}. " + " — ".join(parts)


def render_markdown(briefing: Briefing) -> str:
    v = build_view(briefing)
    out: list[str] = [f"# {md(v.title)}", "", v.scope]
    if v.lead:
        out += ["", f"**{md(v.lead)}**"]
    if v.degraded:
        out += ["", f"> **Degraded:** {md(v.degraded)}"]
    for note in v.truncated:
        out += ["", f"> **Not all read:** {md(note)}"]
    out.append("")

    if not v.points:
        out += ["_No point was well enough supported to report._", ""]
    for p in v.points:
        indent = " " * len(f"{p.n}. ")
        out += [f"{p.n}. {md(p.text)} {markers(p.refs)}", ""]
        if p.flags:
            out += [indent + " · ".join(_badge(f) for f in p.flags), ""]
        if p.verdict:
            out += [f"{indent}⚠ {md(p.verdict.text)}", ""]

    if v.conflicts:
        out += ["## Disagreements", ""]
        for c in v.conflicts:
            out.append(f"- **{md(c.subject)}** — {c.noun} differ:")
            out += [f"  - {md(x.value)} — {md(x.source_name)} [{x.n}]" for x in c.values]
        out.append("")

    if v.entries:
        out += ["## Sources", ""]
        out += [_source_line(e) for e in v.entries]
        out.append("")

    if v.footer:
        out += ["---", "", f"_{md(v.footer)}_"]
    return "\n".join(out).rstrip("\n") + "\n"

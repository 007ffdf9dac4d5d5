"""Render a Briefing for people (Markdown, HTML, plain text) or programs (JSON).

    >>> from briefing.render import render
    >>> page = render(briefing, "html")

Every format numbers citations the same way (once per unique source span, in
order of first use) and words flags the same way (`flag_label`, `describe_flag`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, get_args

from briefing.models import Briefing

from .flags import FLAG_LABELS, describe_flag, flag_label
from .html import render_html
from .markdown import render_markdown
from .text import render_text
from .view import build_view

Format = Literal["md", "html", "text", "json"]
FORMATS: tuple[str, ...] = get_args(Format)

# Media types, e.g. for an HTTP response or an email part.
MEDIA_TYPES: dict[str, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "text": "text/plain; charset=utf-8",
    "json": "application/json",
}


def render_json(briefing: Briefing) -> str:
    return briefing.model_dump_json(indent=2)


RENDERERS: dict[str, Callable[[Briefing], str]] = {
    "md": render_markdown,
    "html": render_html,
    "text": render_text,
    "json": render_json,
}


def render(briefing: Briefing, fmt: Format) -> str:
    """The briefing as one string in `fmt` ("md", "html", "text" or "json")."""
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return renderer(briefing)


__all__ = [
    "FLAG_LABELS",
    "FORMATS",
    "MEDIA_TYPES",
    "RENDERERS",
    "Format",
    "build_view",
    "describe_flag",
    "flag_label",
    "render",
    "render_html",
    "render_json",
    "render_markdown",
    "render_text",
]

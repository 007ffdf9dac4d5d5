"""HTML: one self-contained page (inline CSS, no scripts, no external assets).

Rendered from `briefing/templates/briefing.html.j2` with autoescape ON, so every
string from an article (titles, outlets, quotes, values, URLs) is escaped; only
http/https URLs become links. A Content-Security-Policy meta tag forbids scripts
as a second line of defence.
"""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from briefing.models import Briefing

from .view import build_view

TEMPLATE = "briefing.html.j2"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja environment for HTML templates (autoescape always on)."""
    return Environment(
        loader=PackageLoader("briefing", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(briefing: Briefing) -> str:
    return environment().get_template(TEMPLATE).render(v=build_view(briefing))

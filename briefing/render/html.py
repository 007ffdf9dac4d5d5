"""HTML: one self-contained page (inline CSS, no scripts, no external assets).

Rendered from `briefing/templates/briefing.html.j2` with autoescape ON, so every
string from an article (titles, outlets, quotes, values, URLs) is escaped; only
http/https URLs become links. A Content-Security-Policy meta tag forbids scripts
as a second line of defence.
"""

from __future__ import annotations

from briefing.models import Briefing
from briefing.templating import environment

from .view import build_view

TEMPLATE = "briefing.html.j2"


def render_html(briefing: Briefing) -> str:
    return environment(True).get_template(TEMPLATE).render(v=build_view(briefing))

"""One Jinja environment for the packaged templates (briefing pages, digest emails)."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from briefing.flag_kinds import FLAG_KINDS


@lru_cache(maxsize=2)
def environment(autoescape: bool = True) -> Environment:
    """Autoescape on for HTML (article text is untrusted); off only for plain-text parts."""
    env = Environment(
        loader=PackageLoader("briefing", "templates"),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["flag_kinds"] = list(FLAG_KINDS.values())  # badge colours (data/flags.toml)
    return env

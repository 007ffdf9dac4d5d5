"""The feeds listed in an OPML file (what feed readers export): URL, name, categories.

Parsed with defusedxml: an OPML file is as untrusted as a feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from briefing.errors import InputError


@dataclass(frozen=True)
class Outline:
    url: str
    name: str | None
    topics: tuple[str, ...]


def read_opml(data: bytes, source: str = "OPML") -> list[Outline]:
    """Every <outline xmlUrl=…> anywhere in the body; nested folders become topics."""
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise InputError(f"{source}: refused: unsafe XML ({type(exc).__name__})") from None
    except ParseError as exc:
        raise InputError(f"{source}: not valid XML: {exc}") from None
    if root.tag.lower() != "opml":
        raise InputError(f"{source}: not an OPML file (the root element is <{root.tag}>)")
    out: list[Outline] = []

    def walk(node: object, folders: tuple[str, ...]) -> None:
        for child in node:  # type: ignore[attr-defined]
            if child.tag != "outline":
                walk(child, folders)
                continue
            label = (child.get("title") or child.get("text") or "").strip() or None
            url = (child.get("xmlUrl") or child.get("xmlurl") or "").strip()
            if url:
                cats = tuple(c.strip().strip("/") for c in (child.get("category") or "").split(",") if c.strip().strip("/"))
                out.append(Outline(url, label, folders + cats))
            else:
                walk(child, folders + ((label,) if label else ()))

    walk(root, ())
    if not out:
        raise InputError(f"{source}: no feeds in it (no <outline xmlUrl=…>)")
    return out

"""Page furniture told by its shape: consent banners, button prompts, mastheads, menus.

The clean stage's pattern families (briefing/data/boilerplate.toml) name known phrases;
these checks name the *shapes* furniture takes whatever it says, so they carry to sites
no rule has seen:

- a consent banner talks to the reader about cookies or privacy ("we use cookies …",
  "… your consent … [Accept]"), not about someone who said so;
- a prompt ends in button labels ("… never miss a story [Allow] [Not now]");
- a masthead is the outlet's name, alone or with its tagline or menu
  ("THE HERALD | Your town, your news", "Herald — news that starts your day");
- a menu is three or more short segments between separators ("Home > News > Courts",
  "Markets · Companies · Economy").

Every check takes one stripped line (and the article's outlet, when known) and answers
with where the furniture starts in it (0: the whole line), or None. The clean stage calls
them through `briefing.clean.furniture`, which is also what titles are judged by.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache

from pydantic import field_validator

from briefing import data

# Segment separators: pipes and bullets always; any other lone symbol between spaces
# ("Home > News", "NEWS * SPORT", "Science / Space") except sentence punctuation, "&",
# figures' signs and dashes, which are weaker (they also join clauses) and kept apart.
_STRONG = re.compile(r"\s*[|•·]\s*|\s+[^\w\s,.;:!?'\"“”‘’()\[\]&%$€£#@—–-]\s+")
_DASH = re.compile(r"\s+[—–-]\s+")
_SEPARATOR = re.compile(f"{_STRONG.pattern}|{_DASH.pattern}")
_BUTTONS = re.compile(r"(?:\s*\[[^\[\]\n]{1,40}\])+\s*$")
_BUTTON = re.compile(r"\[([^\[\]\n]{1,40})\]")
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*$")
_TOKEN = re.compile(r"[a-z][a-z'’]*")
_PAREN = re.compile(r"\([^)]*\)")
_NAME_CHARS = re.compile(r"[^\w\s&]")


class Shapes(data.Table):
    """boilerplate.toml's [furniture]: the words and sizes the shape checks use."""

    consent_words: frozenset[str]
    consent_phrases: tuple[str, ...]
    reader_words: frozenset[str]
    attribution_words: frozenset[str]
    button_max_words: int
    menu_min_segments: int
    menu_max_words: int
    tagline_max_words: int
    masthead_max_words: int
    headline_min_words: int

    @cached_property
    def consent_gate(self) -> re.Pattern[str]:
        """One scan for any consent word or phrase (as a substring), before tokenising."""
        return re.compile("|".join(map(re.escape, sorted({*self.consent_words, *self.consent_phrases}))))

    @field_validator("consent_words", "reader_words", "attribution_words", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return frozenset(value.casefold().split()) if isinstance(value, str) else value


@lru_cache(maxsize=1)
def packaged_shapes() -> Shapes:
    return data.table("boilerplate.toml", Shapes, "furniture")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.casefold())


def has_separator(text: str) -> bool:
    """A pipe, bullet or spaced arrow/slash: what splits mastheads and menus, never a headline."""
    return bool(_STRONG.search(text))


def _addresses_reader(tokens: list[str], shapes: Shapes) -> bool:
    return any(t in shapes.reader_words for t in tokens)


def _attributed(text: str, tokens: list[str], shapes: Shapes) -> bool:
    """Reported speech ("…," the regulator said) is news about furniture, not furniture."""
    return any(q in text for q in '"“”') or any(t in shapes.attribution_words for t in tokens)


def _button_labels(text: str, shapes: Shapes) -> list[str]:
    """The bracketed labels a line ends with ("[Accept all] [Manage options]")."""
    tail = _BUTTONS.search(text)
    if tail is None:
        return []
    labels = _BUTTON.findall(tail.group())
    return labels if all(len(b.split()) <= shapes.button_max_words for b in labels) else []


def consent_banner(text: str, shapes: Shapes) -> int | None:
    """Cookie or privacy talk addressed to the reader, or ending in buttons."""
    low = text.casefold()
    if not shapes.consent_gate.search(low):
        return None  # most lines say nothing of cookies
    tokens = _tokens(low)
    if not (any(t in shapes.consent_words for t in tokens) or any(p in low for p in shapes.consent_phrases)):
        return None
    if _attributed(text, tokens, shapes):
        return None
    if _addresses_reader(tokens, shapes) or _button_labels(text, shapes):
        return 0
    return None


def button_prompt(text: str, shapes: Shapes) -> int | None:
    """A line ending in two or more button labels, or in one after a call to the reader."""
    if not text.endswith("]"):
        return None
    labels = _button_labels(text, shapes)
    if len(labels) >= 2 or (labels and _addresses_reader(_tokens(text), shapes)):
        return 0
    return None


def name_key(name: str) -> str:
    """An outlet name compared loosely: case, a leading "the", asides in brackets, punctuation."""
    key = " ".join(_NAME_CHARS.sub(" ", _PAREN.sub(" ", name.casefold())).split())
    return key.removeprefix("the ")


def _is_outlet(segment: str, outlet: str | None, shapes: Shapes) -> bool:
    """The segment names the outlet (perhaps behind a short label: "▶ LISTEN LIVE Radio X")."""
    if not outlet:
        return False
    want, got = name_key(outlet), name_key(segment)
    if not want or not got:
        return False
    if got == want:
        return True
    extra = len(got.split()) - len(want.split())
    return 0 < extra <= 3 and f" {want} " in f" {got} "


def _segments(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """(start, end) of the non-empty pieces between separators."""
    out, pos = [], 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return out


def _shouted(segment: str, shapes: Shapes) -> bool:
    """An all-capitals name of a few words ("THE TALLY ROOM"), as mastheads are set."""
    letters = [c for c in segment if c.isalpha()]
    return len(letters) >= 3 and segment == segment.upper() and len(segment.split()) <= shapes.masthead_max_words


def _tagline(segment: str, shapes: Shapes) -> bool:
    return len(segment.split()) <= shapes.tagline_max_words and not _SENTENCE_END.search(segment)


def masthead(text: str, outlet: str | None, shapes: Shapes) -> int | None:
    """The outlet's name alone, or a name segment followed by a tagline or menu; a
    headline followed by the outlet's name loses only that suffix."""
    if _SENTENCE_END.search(text):  # "The Herald understands." is a sentence
        return None
    if not _SEPARATOR.search(text):  # "THE HERALD", "Herald Newsroom"
        if not outlet or len(text.split()) > len(outlet.split()) + 3:
            return None
        return 0 if _is_outlet(text, outlet, shapes) else None
    parts = _segments(text, _SEPARATOR)
    if len(parts) < 2:
        return None
    pieces = [text[a:b] for a, b in parts]
    first, rest = pieces[0], pieces[1:]
    strong = bool(_STRONG.search(text))
    if all(_tagline(p, shapes) for p in rest):
        if _is_outlet(first, outlet, shapes):
            return 0
        # a shouted name before a pipe; before a dash only with a lower-case tagline, or
        # more than one word ("EXCLUSIVE — Minister to quit" is a headline's kicker)
        if _shouted(first, shapes) and (
            strong or len(first.split()) > 1 or rest[0][:1].islower()
        ):
            return 0
        if len(first.split()) <= 3 and rest[0][:1].islower() and all(w[:1].isupper() for w in first.split()):
            return 0  # "TeachBrief - news and analysis for school leaders"
    if _is_outlet(pieces[-1], outlet, shapes):
        head = text[: parts[-1][0]].rstrip(" |•·>/»—–-")
        if len(head.split()) >= shapes.headline_min_words:  # "Headline | Outlet": the suffix goes
            return len(head) + len(text[len(head) :]) - len(text[len(head) :].lstrip())
        return 0
    return None


def menu(text: str, shapes: Shapes) -> int | None:
    """Several short segments between separators, at least one a pipe, bullet or arrow
    (dashes alone also join clauses of a sentence)."""
    if _SENTENCE_END.search(text) or not _STRONG.search(text):
        return None
    parts = _segments(text, _SEPARATOR)
    if len(parts) < shapes.menu_min_segments:
        return None
    if all(len(text[a:b].split()) <= shapes.menu_max_words for a, b in parts):
        return 0
    return None


def _credit(segment: str, sep: str) -> bool:
    """A dash and a short capitalised name ending a title: its source ("… – WSJ", "- Reuters")."""
    words = segment.split()
    return bool(_DASH.fullmatch(sep)) and 1 <= len(words) <= 3 and all(w[:1].isupper() or w == "&" for w in words)


def strip_site_name(title: str, outlet: str | None, shapes: Shapes | None = None) -> str:
    """A declared title without its site suffix ("Headline | Outlet" → "Headline"): the
    outlet's name, or a short last segment after a pipe."""
    shapes = shapes or packaged_shapes()
    parts = _segments(title, _SEPARATOR)
    while len(parts) > 1:
        last = title[parts[-1][0] : parts[-1][1]]
        sep = title[parts[-2][1] : parts[-1][0]]
        short_after_pipe = "|" in sep and len(last.split()) <= shapes.tagline_max_words // 2
        if not (_is_outlet(last, outlet, shapes) or short_after_pipe or _credit(last, sep)):
            break
        parts.pop()
    if len(parts) > 1 and _is_outlet(title[parts[0][0] : parts[0][1]], outlet, shapes):
        parts.pop(0)
    return title[parts[0][0] : parts[-1][1]].strip() if parts else ""

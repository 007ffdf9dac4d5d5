"""Untrusted text (articles, subscriber names, file names) made safe for one medium.

    msg["Subject"] = header_text(title)                        # email headers
    msg["To"] = Address(display_name=header_text(name), addr_spec=email)
    console.print(terminal_text(article.title))                # a terminal
    if not has_text(article.text): ...                         # "no text" (NUL, ZWSP, BOM only)

Why each exists:

- **headers**: the email package *decodes* RFC 2047 encoded words (`=?utf-8?q?=0D=0A…?=`)
  in any header value it is given and writes what they decode to, CR/LF included, so
  untrusted text could end a header early, add `Reply-To:` or start the body.
  `header_text` decodes encoded words until nothing changes, drops control, format and
  bidi characters and line breaks, collapses whitespace, and breaks up any `=?` still
  left, so the email package gets plain text and encodes it itself.
- **terminal**: escape sequences in a title could clear the screen or retitle the window;
  `terminal_text` keeps printable characters only, on one line.
- **text**: an article of NUL, zero-width or BOM characters looks non-empty to `str.strip`
  but has nothing to read; `has_text` says so.
"""

from __future__ import annotations

import re
import unicodedata
from email.errors import HeaderParseError
from email.header import decode_header, make_header

_ENCODED_WORD = re.compile(r"=\?[^?\s]*\?[bBqQ]\?[^?]*\?=")
_WS = re.compile(r"\s+")
_MAX_ROUNDS = 5
# Cc: C0/C1 controls (ESC, NUL, CR, LF); Cf: zero-width, bidi, BOM, soft hyphen; Cs, Co, Cn:
# surrogates, private use and unassigned code points; Zl/Zp: line and paragraph separators.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _one_line(value: str, drop: frozenset[str]) -> str:
    """Whitespace (any kind, line breaks too) as one space; characters of `drop` removed."""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in value
        if ch.isspace() or unicodedata.category(ch) not in drop
    )
    return _WS.sub(" ", kept)


# ---------------------------------------------------------------- email headers


def _decoded(value: str) -> str:
    """One round of RFC 2047 decoding; undecodable words are left as they are."""
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (HeaderParseError, LookupError, UnicodeError, ValueError):
        return value


def has_encoded_word(value: str) -> bool:
    """True if `value` holds something the email package would decode as an encoded word."""
    return bool(_ENCODED_WORD.search(value))


def header_text(value: str | None, limit: int | None = None) -> str:
    """`value` as one line of plain text that is safe to hand to the email package."""
    text = value or ""
    for _ in range(_MAX_ROUNDS):
        decoded = _one_line(_decoded(text), _HIDDEN)
        if decoded == text:
            break
        text = decoded
    text = _one_line(text, _HIDDEN).strip().replace("=?", "= ?")
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


# ---------------------------------------------------------------- terminal


def terminal_text(value: object) -> str:
    """`value` as printable text on one line: no escape sequences, controls or bidi tricks.

    Spaces are kept as they are (callers align columns); other whitespace becomes a space.
    """
    return "".join(
        ch if ch == " " else " " if ch.isspace() else ch
        for ch in str(value if value is not None else "")
        if ch.isspace() or unicodedata.category(ch) not in _HIDDEN
    )


# ---------------------------------------------------------------- article text


def has_text(value: str | None) -> bool:
    """True if something is left to read once whitespace and invisible characters are gone."""
    return any(
        not ch.isspace() and unicodedata.category(ch) not in _INVISIBLE for ch in value or ""
    )

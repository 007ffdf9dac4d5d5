"""Byte and string helpers shared by the readers: decoding, binary sniffing, dates."""

from __future__ import annotations

import codecs
import email.utils
import re
from datetime import UTC, date, datetime
from time import struct_time

from briefing.dates import representable

# Signatures of common non-text files, so the message can say what the file is.
_MAGIC: dict[bytes, str] = {
    b"%PDF-": "a PDF file",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or a .docx/.xlsx document)",
    b"\x1f\x8b": "a gzip archive",
}
_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?([A-Za-z0-9._:-]+)"""
    rb"""|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\b\x1b")
_SAMPLE_BYTES = 8192
_MAX_CONTROL_SHARE = 0.05


def binary_reason(data: bytes) -> str | None:
    """Why these bytes are not text (None if they look like text), so we never index garbage."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            return f"looks like {what}, not text; save it as text or HTML first"
    if b"\x00" in data:
        return "looks like a binary file (contains NUL bytes), not text"
    sample = data[:_SAMPLE_BYTES]
    controls = sum(1 for b in sample if b < 32 and b not in _TEXT_CONTROLS)
    if sample and controls / len(sample) > _MAX_CONTROL_SHARE:
        return "looks like a binary file (mostly non-text bytes), not text"
    return None


def declared_charset(data: bytes) -> str | None:
    """The encoding an HTML <meta> or XML prolog declares, if it names a codec Python knows."""
    match = _CHARSET.search(data[:_SAMPLE_BYTES])
    if match is None:
        return None
    try:
        name = codecs.lookup((match.group(1) or match.group(2)).decode("ascii")).name
    except LookupError:
        return None
    return "cp1252" if name == "iso8859-1" else name  # as browsers do: latin-1 means cp1252


def decode(data: bytes) -> str:
    """Bytes to text without ever failing: declared charset, UTF-8 (BOM dropped), cp1252, latin-1.

    A declared charset matters for pages saved as windows-1251 or similar, which would
    otherwise decode as cp1252 without error and turn into mojibake.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    declared = None if data.startswith(codecs.BOM_UTF8) else declared_charset(data)
    first = [declared] if declared and declared != "utf-8" else []
    for encoding in [*first, "utf-8-sig", "cp1252"]:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):  # LookupError: a non-text codec was declared
            continue
    return data.decode("latin-1", errors="replace")


def _aware(value: datetime) -> datetime:
    """Naive times are taken as UTC so every date compares with every other."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _parse_date_text(value: str) -> datetime | None:
    """ISO 8601 first (JSON, HTML meta), then RFC 2822 (RSS pubDate)."""
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def parse_date(value: object) -> datetime | None:
    """An aware datetime from whatever a source gives; unparsable dates are simply unknown."""
    parsed: datetime | None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, struct_time):
        parsed = datetime(*value[:6], tzinfo=UTC)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            parsed = datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            parsed = None
    elif isinstance(value, str):
        parsed = _parse_date_text(value)
    else:
        parsed = None
    if parsed is None or not representable(parsed):  # e.g. 0001-01-01T00:00+14:00: no UTC form
        return None
    return _aware(parsed)

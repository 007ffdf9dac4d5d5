"""Aware UTC datetimes that exist.

`0001-01-01T00:00:00+14:00` is a valid ISO time whose UTC form (year 0) is not a Python
datetime: converting it raises OverflowError, which used to surface as a 500 from the
store. Every boundary (API bodies and queries, cursors, readers, the store) checks
dates here, so such a time is a clear input error instead.
"""

from __future__ import annotations

from datetime import UTC, datetime

from briefing.errors import InputError


def to_utc(value: datetime, what: str = "date") -> datetime:
    """`value` in UTC (naive counts as UTC); InputError if its UTC form is out of range."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    try:
        return aware.astimezone(UTC)
    except (OverflowError, ValueError):
        raise InputError(
            f"{what} {value.isoformat()} is out of range: in UTC it must fall between "
            "0001-01-01 and 9999-12-31"
        ) from None


def representable(value: datetime) -> bool:
    """True if `value` has a UTC form (see `to_utc`)."""
    try:
        to_utc(value)
    except InputError:
        return False
    return True

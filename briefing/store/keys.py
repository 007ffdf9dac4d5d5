"""API key records: create, look up, list, revoke."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from briefing import keys
from briefing.errors import InputError
from briefing.store.tables import ApiKey, utcnow


@dataclass(frozen=True)
class KeyCheck:
    """The outcome of presenting a token: which key, and whether it may be used."""

    key_id: str | None
    status: str  # "ok" | "unknown" | "revoked"
    admin: bool = False


def create_key(session: Session, name: str, *, admin: bool = False) -> tuple[ApiKey, str]:
    """Store a new key named `name`; returns the row and the token (shown once).

    An `admin` key sees and manages every key's briefings, articles and subscribers.
    """
    name = name.strip()
    if not name:
        raise InputError("a key needs a non-empty name")
    if session.scalar(select(ApiKey).where(ApiKey.name == name)) is not None:
        raise InputError(f"a key named {name!r} already exists")
    minted = keys.new_key()
    row = ApiKey(
        id=minted.key_id, name=name, secret_hash=minted.secret_hash, created_at=utcnow(), admin=admin
    )
    session.add(row)
    session.flush()
    return row, minted.token


def list_keys(session: Session) -> list[ApiKey]:
    """Every key, oldest first."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.name)))


def revoke_key(session: Session, name_or_id: str, *, now: datetime | None = None) -> ApiKey:
    """Revoke the key with this name or id (again is harmless); InputError if none."""
    row = session.scalar(
        select(ApiKey).where(or_(ApiKey.name == name_or_id, ApiKey.id == name_or_id))
    )
    if row is None:
        raise InputError(f"no key named or with id {name_or_id!r}")
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
    return row


def check_token(session: Session, token: str) -> KeyCheck:
    """Match a presented `bk_<id>_<secret>` token against the stored hashes."""
    parsed = keys.parse_key(token)
    if parsed is None:
        return KeyCheck(None, "unknown")
    row = session.get(ApiKey, parsed.key_id)
    if row is None or not keys.secret_matches(parsed.secret, row.secret_hash):
        return KeyCheck(None, "unknown")
    return KeyCheck(row.id, "revoked" if row.revoked_at is not None else "ok", bool(row.admin))

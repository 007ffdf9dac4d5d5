"""API keys: `bk_<id>_<secret>`; only sha256(secret) is ever stored.

The id is public (it names the key in `briefing keys list` and in logs); the secret is
shown once, when the key is created. Verification looks the key up by id and compares
hashes in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import NamedTuple

PREFIX = "bk"
_ID_BYTES = 6  # 12 hex characters
_SECRET_BYTES = 32


class NewKey(NamedTuple):
    """A freshly minted key: `token` goes to the user, `secret_hash` to the database."""

    key_id: str
    token: str
    secret_hash: str


class ParsedKey(NamedTuple):
    key_id: str
    secret: str


def hash_secret(secret: str) -> str:
    """The stored form of a secret: sha256 hex digest."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key() -> NewKey:
    """Mint a key with a random id and a random 256-bit secret."""
    key_id = secrets.token_hex(_ID_BYTES)
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    return NewKey(key_id, f"{PREFIX}_{key_id}_{secret}", hash_secret(secret))


def parse_key(token: str) -> ParsedKey | None:
    """Split `bk_<id>_<secret>`; None when the token does not have that shape."""
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != PREFIX or not secret or len(key_id) != 2 * _ID_BYTES:
        return None
    if any(c not in "0123456789abcdef" for c in key_id):
        return None
    return ParsedKey(key_id, secret)


def secret_matches(secret: str, secret_hash: str) -> bool:
    """Constant-time comparison of a presented secret with a stored hash."""
    return hmac.compare_digest(hash_secret(secret), secret_hash)

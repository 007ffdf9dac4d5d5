"""What the CLI's sub-apps (digest, feeds, keys) share: the error exit and the database."""

from __future__ import annotations

import typer

from briefing import store
from briefing.config import get_settings
from briefing.untrusted import terminal_text


def fail(message: str) -> typer.Exit:
    """Print `error: …` (controls and escapes stripped: messages quote input) and exit 1."""
    typer.echo(f"error: {terminal_text(message)}", err=True)
    return typer.Exit(1)


def open_database() -> store.Database:
    """The configured database, migrated to head."""
    db = store.Database.from_settings(get_settings())
    db.migrate()
    return db

"""CLI pieces for the HTTP service, mounted by briefing.cli: `serve` and the `keys` group.

app.command("serve")(serve)
app.add_typer(keys_app, name="keys")
"""

from __future__ import annotations

from typing import Annotated

import typer

from briefing.cli_common import open_database
from briefing.config import get_settings
from briefing import store
from briefing.errors import InputError

keys_app = typer.Typer(
    help="Manage API keys (stored hashed; a key is shown once).", no_args_is_help=True
)



def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Processes; rate limits are per process.")
    ] = 1,
) -> None:
    """Serve the HTTP API (database from BRIEFING_DATABASE_URL, else SQLite in the data dir)."""
    import uvicorn

    if workers > 1:  # each process builds its own app from the environment, and dies with us
        uvicorn.run("api.main:create_supervised_app", factory=True, host=host, port=port, workers=workers)
        return
    from api.main import create_app

    uvicorn.run(create_app(get_settings()), host=host, port=port)


@keys_app.command("create")
def create_key(
    name: Annotated[str, typer.Argument(help="A name for the key's holder.")],
    admin: Annotated[
        bool, typer.Option("--admin", help="Sees and manages every key's briefings, articles and subscribers.")
    ] = False,
) -> None:
    """Create a key; the key itself is printed on the last line, and only this once.

    A key sees only what it created; an --admin key sees everything.
    """
    db = open_database()
    try:
        with db.transaction() as session:
            row, token = store.create_key(session, name, admin=admin)
    except InputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()
    kind = "admin key" if row.admin else "key"
    typer.echo(f"created {kind} {row.id} for {row.name!r}; store it now, it is not shown again:")
    typer.echo(token)


@keys_app.command("list")
def list_keys() -> None:
    """List keys: id, name, created, revoked."""
    db = open_database()
    try:
        with db.transaction() as session:
            rows = store.list_keys(session)
            lines = [
                f"{r.id}  {r.name:<24} created {r.created_at:%Y-%m-%d %H:%M}"
                + ("  ADMIN" if r.admin else "")
                + (f"  REVOKED {r.revoked_at:%Y-%m-%d %H:%M}" if r.revoked_at else "")
                for r in rows
            ]
    finally:
        db.dispose()
    typer.echo("\n".join(lines) if lines else "no keys")


@keys_app.command("revoke")
def revoke_key(name_or_id: Annotated[str, typer.Argument(help="The key's name or id.")]) -> None:
    """Revoke a key: requests with it get 403 from then on."""
    db = open_database()
    try:
        with db.transaction() as session:
            row = store.revoke_key(session, name_or_id)
            typer.echo(f"revoked key {row.id} ({row.name})")
    except InputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()

"""Engine, sessions and migrations: SQLite (WAL, foreign keys) by default, any SQLAlchemy URL."""

from __future__ import annotations

import fcntl
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from briefing.config import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL for concurrent readers, enforced foreign keys, and waiting instead of 'locked'."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url` (no I/O yet); SQLite files get their folder and the pragmas above."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
    if parsed.database and parsed.database != ":memory:":
        folder = Path(parsed.database).expanduser().parent

        def make_folder(*_: Any) -> None:  # on first connect, not when the engine is made
            folder.mkdir(parents=True, exist_ok=True)

        event.listen(engine, "do_connect", make_folder)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(connection: Any = None) -> Config:
    """Alembic's configuration, built in code: no alembic.ini needed."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


# Any fixed number: the PostgreSQL advisory lock every migrating process takes.
_MIGRATION_LOCK = 0x62726966


@contextmanager
def _one_migrator(engine: Engine) -> Iterator[None]:
    """Let one process at a time migrate a SQLite file: `serve --workers N` and several
    `briefing worker`s start together, and two upgrades from empty both ran CREATE TABLE."""
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    lock_path = Path(database).expanduser()
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{lock_path}.migrate.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def migrate(url_or_engine: str | Engine, revision: str = "head") -> None:
    """Bring the database at `url_or_engine` up to `revision` (idempotent, and safe when
    several processes start at once: they take turns, the later ones find nothing to do)."""
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        with _one_migrator(engine), engine.begin() as connection:
            if connection.dialect.name == "postgresql":  # held until this transaction ends
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
            command.upgrade(alembic_config(connection), revision)
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()


class Database:
    """One engine and its session factory; `transaction()` is the unit of work."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The database named by BRIEFING_DATABASE_URL, else a SQLite file in data_dir."""
        return cls(settings.resolved_database_url)

    def migrate(self) -> None:
        migrate(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits together on success and rolls back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    def ping(self) -> None:
        """Raise if the database cannot answer a trivial query."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()

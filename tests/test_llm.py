"""The model door: what the client does for each thing a real endpoint can answer.

Every test drives the real `openai` SDK over HTTP against a scripted loopback server and
asserts both the result and what the server received (feedback, retries, key, format).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Literal, TypeVar

import pytest
from pydantic import BaseModel, Field

from briefing.cache import ResponseCache
from briefing.config import Settings
from briefing.errors import LLMError, LLMOutputError, LLMUnavailable
from briefing.llm import LLMClient, from_settings

R = TypeVar("R")
KEY = "sk-test-key"


class Judgement(BaseModel):
    """Does the evidence support the claim?"""

    label: Literal["SUPPORTED", "CONTRADICTED", "NOT_MENTIONED"]
    reason: str = Field(description="One short sentence.")


class Picked(BaseModel):
    """Sentences chosen from the numbered list."""

    sentence_ids: list[str]


GOOD = Judgement(label="SUPPORTED", reason="The evidence says so.")
MESSAGES = [
    {"role": "system", "content": "You judge claims."},
    {"role": "user", "content": "<claim>Twelve died.</claim>"},
]


def client_for(fake, **kwargs) -> LLMClient:
    kwargs.setdefault("timeout", 2.0)
    kwargs.setdefault("max_retries", 2)
    kwargs.setdefault("backoff", 0.01)
    return LLMClient(fake.base_url, "gpt-4o-mini", KEY, **kwargs)


def run(make: Callable[[], Awaitable[R]]) -> R:
    return asyncio.run(make())


def ask(fake, response_model=Judgement, **kwargs):
    """One complete() call on a fresh client; returns (result or exception, client)."""
    validate = kwargs.pop("validate", None)

    async def go():
        async with client_for(fake, **kwargs) as client:
            try:
                return await client.complete("judge", MESSAGES, response_model, validate=validate), client
            except LLMError as exc:
                return exc, client

    return run(go)


# ---------------------------------------------------------------- answers


def test_good_answer_is_parsed_and_sent_with_schema_and_key(fake_openai):
    fake_openai.reply(GOOD)
    result, _ = ask(fake_openai)
    assert result == GOOD
    (sent,) = fake_openai.completions
    assert sent.api_key == KEY
    assert sent.body["model"] == "gpt-4o-mini"
    assert sent.body["temperature"] == 0
    fmt = sent.body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "Judgement"
    assert fmt["json_schema"]["schema"] == Judgement.model_json_schema()
    assert fmt["json_schema"]["strict"] is False
    assert sent.messages == MESSAGES


def test_answer_in_code_fence_is_accepted(fake_openai):
    fake_openai.reply(f"```json\n{GOOD.model_dump_json()}\n```")
    result, _ = ask(fake_openai)
    assert result == GOOD


@pytest.mark.parametrize(
    ("bad", "expected_in_feedback"),
    [
        ('{"label": "SUPPORTED", "reason": ', "Invalid JSON"),  # malformed JSON
        ('{"label": "PROBABLY", "reason": "hm"}', "label"),  # schema violation (enum)
        ('{"label": "SUPPORTED"}', "reason: Field required"),  # schema violation (missing)
    ],
    ids=["malformed-json", "bad-enum", "missing-field"],
)
def test_invalid_answer_is_fed_back_then_retried(fake_openai, bad, expected_in_feedback):
    fake_openai.reply(bad).reply(GOOD)
    result, client = ask(fake_openai)
    assert result == GOOD
    first, second = fake_openai.completions
    assert second.messages[: len(MESSAGES)] == MESSAGES
    assistant, feedback = second.messages[len(MESSAGES) :]
    assert assistant == {"role": "assistant", "content": bad}
    assert feedback["role"] == "user"
    assert feedback["content"].startswith("Your answer was invalid:")
    assert expected_in_feedback in feedback["content"]
    assert "Answer again with valid JSON" in feedback["content"]
    assert client.usage["judge"]["calls"] == 2


def test_caller_validation_is_fed_back_and_bounded(fake_openai):
    known = {"S1", "S2"}

    def only_known_ids(answer: Picked) -> list[str]:
        return [f"unknown sentence id {i}: use only ids from the list" for i in answer.sentence_ids if i not in known]

    bad = '{"sentence_ids": ["S1", "S99"]}'
    for _ in range(3):  # first try + max_retries=2
        fake_openai.reply(bad)
    error, _ = ask(fake_openai, Picked, validate=only_known_ids)

    assert isinstance(error, LLMOutputError)
    assert error.attempts == 3
    assert error.last_reply == bad
    assert "unknown sentence id S99" in str(error)
    assert len(fake_openai.completions) == 3  # bounded: no fourth call
    last = fake_openai.completions[-1].messages
    feedbacks = [m["content"] for m in last if m["role"] == "user" and m["content"].startswith("Your answer")]
    assert len(feedbacks) == 2
    assert all("unknown sentence id S99" in f for f in feedbacks)


def test_caller_validation_passes_after_correction(fake_openai):
    fake_openai.reply({"sentence_ids": ["S99"]}).reply({"sentence_ids": ["S2"]})
    result, _ = ask(
        fake_openai, Picked, validate=lambda a: [f"unknown sentence id {i}" for i in a.sentence_ids if i != "S2"]
    )
    assert result == Picked(sentence_ids=["S2"])


def test_cut_off_answer_asks_for_a_shorter_one(fake_openai):
    fake_openai.reply('{"label": "SUPP', finish_reason="length").reply(GOOD)
    result, _ = ask(fake_openai)
    assert result == GOOD
    feedback = fake_openai.completions[1].messages[-1]["content"]
    assert "cut off" in feedback


# ---------------------------------------------------------------- transport


def test_429_honours_retry_after_then_succeeds(fake_openai):
    fake_openai.status(429, "slow down", headers={"Retry-After": "1"}).reply(GOOD)
    started = time.monotonic()
    result, _ = ask(fake_openai)
    assert result == GOOD
    assert time.monotonic() - started >= 0.95  # waited what the server asked, not 10 ms
    assert len(fake_openai.completions) == 2


def test_retry_after_is_capped(fake_openai):
    fake_openai.status(429, headers={"Retry-After": "3600"}).reply(GOOD)
    started = time.monotonic()
    result, _ = ask(fake_openai, max_backoff=0.2)
    assert result == GOOD
    assert time.monotonic() - started < 5


def test_500s_are_retried_then_succeed(fake_openai):
    fake_openai.status(500).status(503).reply(GOOD)
    result, _ = ask(fake_openai)
    assert result == GOOD
    assert len(fake_openai.completions) == 3


def test_persistent_500_gives_llm_error_after_bounded_attempts(fake_openai):
    for _ in range(5):
        fake_openai.status(500)
    error, _ = ask(fake_openai)
    assert type(error) is LLMError
    assert error.attempts == 3
    assert "500" in str(error)
    assert len(fake_openai.completions) == 3
    assert fake_openai.pending == 2


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (401, "rejected the API key"),
        (403, "not allowed"),
        (404, "not found"),
        (400, "rejected the request (400)"),
        (422, "rejected the request (422)"),
    ],
)
def test_client_errors_are_not_retried(fake_openai, status, says):
    fake_openai.status(status, "nope").reply(GOOD)
    error, _ = ask(fake_openai)
    assert type(error) is LLMError
    assert says in str(error)
    assert error.attempts == 1
    assert len(fake_openai.completions) == 1


def test_hang_times_out_retries_then_errors(fake_openai):
    fake_openai.hang(5).hang(5)
    started = time.monotonic()
    error, _ = ask(fake_openai, timeout=0.3, max_retries=1)
    assert type(error) is LLMError
    assert "did not answer within 0.3s" in str(error)
    assert error.attempts == 2
    assert len(fake_openai.completions) == 2
    assert time.monotonic() - started < 3


def test_hang_then_answer_recovers(fake_openai):
    fake_openai.hang(5).reply(GOOD)
    result, _ = ask(fake_openai, timeout=1.0)  # room for a loaded machine to answer the retry
    assert result == GOOD


def test_connection_refused_is_unavailable():
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    async def go():
        client = LLMClient(f"http://127.0.0.1:{port}/v1", "m", KEY, max_retries=1, backoff=0.01)
        with pytest.raises(LLMUnavailable, match="cannot reach") as info:
            await client.complete("judge", MESSAGES, Judgement)
        assert info.value.attempts == 2
        assert await client.ping() is False

    run(go)


def test_json_schema_rejection_falls_back_to_json_object(fake_openai):
    fake_openai.status(400, "response_format json_schema not supported").reply(GOOD).reply(GOOD)

    async def go():
        async with client_for(fake_openai) as client:
            first = await client.complete("judge", MESSAGES, Judgement)
            second = await client.complete("judge", MESSAGES, Judgement)
            return first, second, client

    first, second, client = run(go)
    assert first == second == GOOD
    assert client.json_schema_supported is False
    rejected, fallback, remembered = fake_openai.completions
    assert rejected.body["response_format"]["type"] == "json_schema"
    assert fallback.body["response_format"] == {"type": "json_object"}
    assert remembered.body["response_format"] == {"type": "json_object"}  # no second 400
    schema_note = fallback.messages[-1]
    assert schema_note["role"] == "user"
    assert '"label"' in schema_note["content"] and "JSON schema" in schema_note["content"]


# ---------------------------------------------------------------- usage, cost, cache


def test_usage_and_cost_are_recorded_per_step(fake_openai):
    fake_openai.reply("not json", usage=(100, 20)).reply(GOOD, usage=(150, 30)).reply(GOOD, usage=(7, 3))

    async def go():
        async with client_for(fake_openai) as client:
            await client.complete("judge", MESSAGES, Judgement)
            await client.complete("compose", MESSAGES, Judgement)
            return client

    client = run(go)
    assert client.usage == {
        "judge": {"calls": 2, "prompt_tokens": 250, "completion_tokens": 50, "cached": 0},
        "compose": {"calls": 1, "prompt_tokens": 7, "completion_tokens": 3, "cached": 0},
    }
    assert client.cost_usd == pytest.approx((257 * 0.15 + 53 * 0.60) / 1_000_000)


def test_unknown_model_has_no_cost(fake_openai):
    fake_openai.reply(GOOD)

    async def go():
        async with LLMClient(fake_openai.base_url, "my-finetune", KEY) as client:
            await client.complete("judge", MESSAGES, Judgement)
            return client

    assert run(go).cost_usd is None


def test_cache_hit_makes_no_request_and_costs_nothing(fake_openai, tmp_path: Path):
    fake_openai.reply(GOOD, usage=(100, 20))
    cache = ResponseCache(tmp_path / "llm-cache.sqlite")

    async def go():
        async with client_for(fake_openai, cache=cache) as first:
            a = await first.complete("judge", MESSAGES, Judgement)
        async with client_for(fake_openai, cache=cache) as second:
            b = await second.complete("judge", MESSAGES, Judgement)
        return a, b, first, second

    a, b, first, second = run(go)
    assert a == b == GOOD
    assert len(fake_openai.completions) == 1
    assert second.usage == {"judge": {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0, "cached": 1}}
    assert second.cost_usd == 0
    assert first.usage["judge"]["prompt_tokens"] == 100


def test_cache_misses_when_prompt_or_schema_changes(fake_openai, tmp_path: Path):
    fake_openai.reply(GOOD).reply(GOOD).reply({"sentence_ids": []})
    cache = ResponseCache(tmp_path / "c.sqlite")
    other = [MESSAGES[0], {"role": "user", "content": "<claim>Eleven died.</claim>"}]

    async def go():
        async with client_for(fake_openai, cache=cache) as client:
            await client.complete("judge", MESSAGES, Judgement)
            await client.complete("judge", other, Judgement)
            await client.complete("judge", MESSAGES, Picked)

    run(go)
    assert len(fake_openai.completions) == 3
    assert len(cache) == 3


def test_invalid_answers_are_never_cached(fake_openai, tmp_path: Path):
    fake_openai.reply("nope").reply("nope").reply("nope")
    cache = ResponseCache(tmp_path / "c.sqlite")
    error, _ = ask(fake_openai, cache=cache)
    assert isinstance(error, LLMOutputError)
    assert len(cache) == 0


# ---------------------------------------------------------------- concurrency, ping, settings


def test_concurrency_is_bounded(fake_openai):
    for _ in range(4):
        fake_openai.hang(0.3)
    # Each hang answers "{}" which fails validation; we only care about timing here.

    async def go():
        async with client_for(fake_openai, concurrency=2, max_retries=0) as client:
            started = time.monotonic()
            await asyncio.gather(
                *(client.complete("judge", MESSAGES, Judgement) for _ in range(4)), return_exceptions=True
            )
            return time.monotonic() - started

    elapsed = run(go)
    assert elapsed >= 0.55  # two waves of two, not one wave of four


def test_ping(fake_openai):
    async def go():
        async with client_for(fake_openai) as client:
            return await client.ping()

    assert run(go) is True
    assert fake_openai.requests[-1].path == "/v1/models"
    assert fake_openai.requests[-1].api_key == KEY


def test_from_settings(fake_openai, tmp_path: Path):
    settings = Settings(
        data_dir=tmp_path,
        llm_base_url=fake_openai.base_url,
        llm_model="gpt-4o-mini",
        OPENAI_API_KEY="sk-from-env",
        llm_timeout=7,
        llm_max_retries=1,
        llm_concurrency=3,
    )
    client = from_settings(settings)
    assert client.timeout == 7 and client.max_retries == 1
    assert client.cache is not None and client.cache.path == tmp_path / "llm-cache.sqlite"
    fake_openai.reply(GOOD)

    async def go():
        async with client:
            return await client.complete("judge", MESSAGES, Judgement)

    assert run(go) == GOOD
    assert fake_openai.completions[0].api_key == "sk-from-env"

"""The one door to a language model (the only module that imports openai).

Why one door: every model call gets the same contract. The caller names a pydantic response
model; the answer is parsed against it and against the caller's own checks (e.g. "unknown
sentence id S99"), and problems are fed back to the model as instructions, a bounded number
of times, instructor-style. Transport failures are retried with backoff; auth and request
errors are not. Every call's tokens are recorded per pipeline step, and validated replies
are cached so a re-run costs nothing. Hosted APIs and the bundled local model go through
this same code.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import openai
from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_random_exponential

from briefing.cache import ResponseCache, cache_key
from briefing.errors import LLMError, LLMOutputError, LLMUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)
Messages = Sequence[Mapping[str, str]]
Validator = Callable[[Any], list[str]]

# USD per 1M tokens (input, output). Override per deployment with `prices=`.
DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "qwen2.5-coder-1.5b-instruct-q4_k_m": (0.0, 0.0),  # the bundled local model
}
_MAX_LISTED = 20  # problems quoted back to the model / in an error message
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)
_NO_RETRY = {
    401: "the endpoint rejected the API key (401 Unauthorized); check OPENAI_API_KEY",
    403: "the API key is not allowed to do this (403 Forbidden)",
    404: "not found (404); check BRIEFING_LLM_BASE_URL and BRIEFING_LLM_MODEL",
}


class _JsonSchemaRejected(Exception):
    """The endpoint said it cannot do json_schema response formats."""


def _empty_usage() -> dict[str, int]:
    return {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0, "cached": 0}


def _is_transient(exc: BaseException) -> bool:
    """Worth another try: timeouts, dropped connections, rate limits and server errors."""
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    return isinstance(exc, openai.APIStatusError) and (exc.status_code == 429 or exc.status_code >= 500)


def _retry_after(exc: BaseException | None) -> float | None:
    """Seconds the server asked us to wait (Retry-After / retry-after-ms), if any."""
    if not isinstance(exc, openai.APIStatusError):
        return None
    headers = exc.response.headers
    if ms := headers.get("retry-after-ms"):
        try:
            return float(ms) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:  # the HTTP-date form
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _is_format_rejection(exc: openai.APIStatusError) -> bool:
    """A 400/422 that says the endpoint does not do json_schema response formats."""
    text = f"{exc.message} {exc.body}".lower()
    return exc.status_code in (400, 422) and ("response_format" in text or "json_schema" in text)


def _strip_fences(text: str) -> str:
    match = _FENCE.match(text)
    return match.group(1) if match else text.strip()


def _problems_from(error: ValidationError) -> list[str]:
    out = []
    for err in error.errors(include_url=False):
        where = ".".join(str(p) for p in err["loc"]) or "the answer"
        out.append(f"{where}: {err['msg']}")
    return out


def _feedback(problems: list[str]) -> str:
    listed = "\n".join(f"- {p}" for p in problems[:_MAX_LISTED])
    if len(problems) > _MAX_LISTED:
        listed += f"\n- … and {len(problems) - _MAX_LISTED} more like these"
    return (
        f"Your answer was invalid:\n{listed}\n"
        "Fix these problems. Answer again with valid JSON only, matching the schema."
    )


class LLMClient:
    """Structured completions against any OpenAI-compatible endpoint."""

    def __init__(
        self,
        base_url: str | None,
        model: str,
        api_key: str | None,
        *,
        timeout: float = 120.0,
        max_retries: int = 3,
        concurrency: int = 4,
        cache: ResponseCache | None = None,
        prices: Mapping[str, tuple[float, float]] | None = None,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        cache_scope: str | None = None,
    ) -> None:
        self.base_url = base_url
        self.model = model
        self.timeout = timeout
        self.max_retries = max_retries
        self.cache = cache
        self.prices = {**DEFAULT_PRICES, **(prices or {})}
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.usage: dict[str, dict[str, int]] = {}
        self.json_schema_supported = True
        self._cache_scope = cache_scope
        self._semaphore = asyncio.Semaphore(concurrency)
        # Retries are ours (tenacity), so the SDK must not retry underneath us.
        self._client = openai.AsyncOpenAI(
            base_url=base_url, api_key=api_key or "unused", timeout=timeout, max_retries=0
        )

    @property
    def endpoint(self) -> str:
        return str(self._client.base_url)

    @property
    def cache_scope(self) -> str:
        """What identifies the server in cache keys (the URL, unless it changes every run)."""
        return self._cache_scope or self.endpoint

    # ------------------------------------------------------------------ public

    async def complete(
        self,
        step: str,
        messages: Messages,
        response_model: type[T],
        *,
        validate: Validator | None = None,
        max_tokens: int | None = None,
        temperature: float = 0,
    ) -> T:
        """One validated answer: parse, check, feed problems back, at most max_retries times."""
        base = [dict(m) for m in messages]
        schema = response_model.model_json_schema()
        key = cache_key(
            self.cache_scope, self.model, base, schema, max_tokens=max_tokens, temperature=temperature
        )
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            parsed, stale = self._check(hit.reply, response_model, validate)
            if parsed is not None and not stale:
                self._usage(step)["cached"] += 1
                return parsed
            self.cache.delete(key)  # checks got stricter since it was stored

        turns: list[dict[str, str]] = []
        reply = ""
        problems: list[str] = []
        attempts = self.max_retries + 1
        for attempt in range(1, attempts + 1):
            reply, usage, cut_off = await self._chat(
                step, base, turns, response_model, schema, max_tokens, temperature
            )
            parsed, problems = self._check(reply, response_model, validate)
            if cut_off and problems:
                problems.insert(0, "your answer was cut off at the length limit: answer more briefly")
            if parsed is not None and not problems:
                if self.cache is not None:
                    self.cache.put(key, self.model, reply, **usage)
                return parsed
            log.info("%s: answer %d/%d rejected: %s", step, attempt, attempts, "; ".join(problems))
            turns += [{"role": "assistant", "content": reply}, {"role": "user", "content": _feedback(problems)}]
        raise LLMOutputError(
            f"{step}: the model's answer was still invalid after {attempts} attempts: "
            + "; ".join(problems[:5])
            + (f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""),
            attempts=attempts,
            last_reply=reply,
        )

    async def ping(self, timeout: float = 5.0) -> bool:
        """True when GET /models answers; never raises."""
        try:
            await self._client.with_options(timeout=timeout, max_retries=0).models.list()
        except openai.OpenAIError:
            return False
        return True

    @property
    def cost_usd(self) -> float | None:
        """Spent so far at the price table's rates; None when the model's price is unknown."""
        price = self.prices.get(self.model)
        if price is None:
            return None
        prompt = sum(u["prompt_tokens"] for u in self.usage.values())
        completion = sum(u["completion_tokens"] for u in self.usage.values())
        return (prompt * price[0] + completion * price[1]) / 1_000_000

    async def aclose(self) -> None:
        await self._client.close()

    async def __aenter__(self) -> LLMClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ internals

    def _usage(self, step: str) -> dict[str, int]:
        return self.usage.setdefault(step, _empty_usage())

    def _check(
        self, reply: str, response_model: type[T], validate: Validator | None
    ) -> tuple[T | None, list[str]]:
        try:
            parsed = response_model.model_validate_json(_strip_fences(reply))
        except ValidationError as exc:
            return None, _problems_from(exc)
        return parsed, list(validate(parsed)) if validate else []

    def _request_messages(self, base: list[dict[str, str]], turns: list[dict[str, str]], schema: dict) -> list:
        if self.json_schema_supported:
            return base + turns
        note = {
            "role": "user",
            "content": "Answer with one JSON object that matches this JSON schema:\n"
            + json.dumps(schema, ensure_ascii=False),
        }
        return base + [note] + turns

    def _response_format(self, response_model: type[BaseModel], schema: dict) -> dict[str, Any]:
        if not self.json_schema_supported:
            return {"type": "json_object"}
        name = re.sub(r"[^a-zA-Z0-9_-]", "_", response_model.__name__)[:64]
        return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": False}}

    async def _chat(
        self,
        step: str,
        base: list[dict[str, str]],
        turns: list[dict[str, str]],
        response_model: type[BaseModel],
        schema: dict,
        max_tokens: int | None,
        temperature: float,
    ) -> tuple[str, dict[str, int], bool]:
        """One completion with transport retries: (reply text, token usage, cut off?)."""
        while True:
            kwargs: dict[str, Any] = {
                "model": self.model,
                "messages": self._request_messages(base, turns, schema),
                "temperature": temperature,
                "response_format": self._response_format(response_model, schema),
            }
            if max_tokens is not None:
                kwargs["max_tokens"] = max_tokens
            try:
                response = await self._send(kwargs)
            except _JsonSchemaRejected:
                log.warning("%s does not accept json_schema; using json_object", self.endpoint)
                self.json_schema_supported = False
                continue
            break
        usage = {
            "prompt_tokens": (response.usage.prompt_tokens or 0) if response.usage else 0,
            "completion_tokens": (response.usage.completion_tokens or 0) if response.usage else 0,
        }
        record = self._usage(step)
        record["calls"] += 1
        record["prompt_tokens"] += usage["prompt_tokens"]
        record["completion_tokens"] += usage["completion_tokens"]
        choice = response.choices[0] if response.choices else None
        reply = (choice.message.content or "") if choice else ""
        return reply, usage, choice is not None and choice.finish_reason == "length"

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = _retry_after(exc)
        if asked is not None:
            return min(asked, self.max_backoff)
        return wait_random_exponential(multiplier=self.backoff, max=self.max_backoff)(state)

    async def _send(self, kwargs: dict[str, Any]) -> Any:
        """POST /chat/completions, retrying transient failures; maps the rest to LLMError."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception(_is_transient),
            reraise=True,
            before_sleep=lambda s: log.warning(
                "model call failed (%s); retry %d", s.outcome.exception() if s.outcome else "?", s.attempt_number
            ),
        )
        attempt_number = 0
        try:
            async for attempt in retrying:
                attempt_number = attempt.retry_state.attempt_number
                with attempt:
                    async with self._semaphore:
                        return await self._client.chat.completions.create(**kwargs)
        except openai.APIStatusError as exc:
            if self.json_schema_supported and _is_format_rejection(exc):
                raise _JsonSchemaRejected(str(exc)) from exc
            raise self._error(exc, attempt_number) from exc
        except openai.APIError as exc:
            raise self._error(exc, attempt_number) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _error(self, exc: openai.APIError, attempts: int) -> LLMError:
        """Our error for an SDK error, with a message that says what to do."""
        where = f"{self.endpoint} (model {self.model})"
        if isinstance(exc, openai.APITimeoutError):
            return LLMError(
                f"{where} did not answer within {self.timeout:g}s ({attempts} attempts)", attempts=attempts
            )
        if isinstance(exc, openai.APIConnectionError):
            return LLMUnavailable(f"cannot reach {where} after {attempts} attempts: {exc}", attempts=attempts)
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            if status in _NO_RETRY:
                return LLMError(f"{where}: {_NO_RETRY[status]}: {exc.message}", attempts=attempts)
            if status == 429:
                return LLMError(f"{where} is still rate limiting after {attempts} attempts", attempts=attempts)
            if status >= 500:
                return LLMError(f"{where} kept failing ({status}) after {attempts} attempts", attempts=attempts)
            return LLMError(f"{where} rejected the request ({status}): {exc.message}", attempts=attempts)
        return LLMError(f"{where}: {exc}", attempts=attempts)


def from_settings(settings: Any, *, cache: ResponseCache | None | bool = True) -> LLMClient:
    """A client for the configured endpoint; the response cache lives in the data dir."""
    if cache is True:
        cache = ResponseCache.from_settings(settings)
    elif cache is False:
        cache = None
    return LLMClient(
        settings.llm_base_url,
        settings.llm_model,
        settings.openai_api_key,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
        concurrency=settings.llm_concurrency,
        cache=cache,
    )

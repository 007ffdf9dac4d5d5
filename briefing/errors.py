"""One error tree for the whole package.

    BriefingError
    ├── InputError          bad or unusable input (file, folder, JSON, request body)
    │   └── InputTooLarge   over a size limit (a file past max_input_bytes)
    ├── BuildBudgetExceeded a build ran past its wall-clock budget (build_seconds)
    ├── ConfigError         settings that cannot work
    └── EngineError         an engine could not produce a briefing
        └── LLMError        the model endpoint failed (carries attempts and last reply)
            ├── LLMUnavailable   cannot reach / start the endpoint
            └── LLMOutputError   answers never validated against the schema

Callers catch `BriefingError`; re-raise with `from exc` so the cause stays visible.
"""


class BriefingError(Exception):
    """Base of every error this package raises on purpose."""


class InputError(BriefingError):
    """Input that cannot be used; the message names the file or field."""


class InputTooLarge(InputError):
    """Input over a size limit; the message names the limit and the setting that sets it."""


class BuildBudgetExceeded(BriefingError):
    """A build ran past its wall-clock budget; retrying the same input will not help."""

    def __init__(self, message: str, *, seconds: float) -> None:
        super().__init__(message)
        self.seconds = seconds


class ConfigError(BriefingError):
    """Settings that cannot work."""


class EngineError(BriefingError):
    """An engine could not produce a briefing."""


class LLMError(EngineError):
    """The model endpoint failed."""

    def __init__(self, message: str, *, attempts: int = 0, last_reply: str | None = None):
        super().__init__(message)
        self.attempts = attempts
        self.last_reply = last_reply


class LLMUnavailable(LLMError):
    """The endpoint cannot be reached or started."""


class LLMOutputError(LLMError):
    """The model's answers never validated against the response schema."""

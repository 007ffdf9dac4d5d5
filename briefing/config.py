"""Settings from the environment (BRIEFING_*), behind one door: get_settings()."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(user_data_dir("briefing", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BRIEFING_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None
    # shared data (eval sets, benchmarks); None: ../shared beside the repository
    shared_dir: Path | None = None

    # pipeline
    chunk_size: int = 800
    chunk_overlap: int = 0
    near_dup_threshold: float = 0.8
    syndication_containment: float = 0.6
    max_points: int = 8

    # llm
    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    openai_api_key: str | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    llm_timeout: float = 120.0
    llm_max_retries: int = 3
    llm_concurrency: int = 4

    # mail
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_security: str = "none"
    smtp_user: str | None = None
    smtp_password: str | None = None
    mail_from: str = "briefing@localhost"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'briefing.db'}"


@lru_cache
def get_settings() -> Settings:
    """The process settings; tests call get_settings.cache_clear() after changing env."""
    return Settings()

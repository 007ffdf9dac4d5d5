"""Persistence: SQLAlchemy 2 models, repository functions, Alembic migrations.

db = Database.from_settings(settings)  # BRIEFING_DATABASE_URL or SQLite in data_dir
db.migrate()                           # alembic upgrade head, no alembic.ini needed
with db.transaction() as session:      # one unit of work: all or nothing
    add_articles(session, articles)
"""

from briefing.store.articles import Inserted, add_articles, as_article, check_storable, content_hash, list_articles
from briefing.store.briefings import (
    Recovery,
    add_job,
    claim_job,
    claim_next,
    fail_job,
    find_idempotent,
    finish_job,
    get_job,
    job_articles,
    job_briefing,
    recover_jobs,
    renew_leases,
    request_hash,
)
from briefing.store.db import Database, make_engine, migrate
from briefing.store.keys import KeyCheck, check_token, create_key, list_keys, revoke_key
from briefing.store.tables import ApiKey, Base, BriefingJob, StoredArticle
from briefing.store import digest as digest  # noqa: E402,F401  (registers the digest tables)
from briefing.feeds import store as _feeds  # noqa: E402,F401  (registers the feed tables)
from briefing.store import batches as batches  # noqa: E402,F401  (registers the queue tables)
from briefing.store import stories as stories  # noqa: E402,F401

__all__ = [
    "ApiKey",
    "Base",
    "BriefingJob",
    "Database",
    "Inserted",
    "KeyCheck",
    "Recovery",
    "StoredArticle",
    "add_articles",
    "add_job",
    "as_article",
    "check_storable",
    "check_token",
    "claim_job",
    "claim_next",
    "content_hash",
    "create_key",
    "fail_job",
    "find_idempotent",
    "finish_job",
    "get_job",
    "job_articles",
    "job_briefing",
    "list_articles",
    "list_keys",
    "make_engine",
    "migrate",
    "recover_jobs",
    "renew_leases",
    "request_hash",
    "revoke_key",
]

"""The daily email digest: stored articles → stories → one cited email per subscriber.

    cluster.py   group the window's articles into stories (body TF-IDF + actor veto)
    compose.py   rank stories, brief them (pipeline engine), pick per subscriber's topics
    email.py     the MIME message: HTML + text alternatives, List-Unsubscribe headers
    send.py      SMTP with retries; what each reply means
    run.py       the job: who is due, what they get, idempotent send via the delivery log
    schedule.py  hourly APScheduler job (or cron: `briefing digest run --due`)
    articles.py  `ingest --store` and the articles of a window

Subscribers and deliveries live in `briefing.store.digest`.
"""

from briefing.digest.articles import StoreResult, store_articles
from briefing.digest.run import Outcome, RunOptions, RunReport, run_digest

__all__ = ["Outcome", "RunOptions", "RunReport", "StoreResult", "run_digest", "store_articles"]

"""Work on a task queue (Dramatiq on Redis) for more than one machine.

With `BRIEFING_BROKER_URL` set, the API and `briefing digest run` enqueue tasks and
`briefing worker` processes run them: llm briefing jobs (`build_job`), one digest send per
subscriber and date (`send_digest`), and article ingest with shared near-duplicate
detection (`ingest_articles`). Without a broker nothing here is imported and everything
runs in-process as before.

Every task is idempotent against the database (the job row, the delivery log, the unique
content hash), acknowledged only after it returns, and redelivered when its worker dies
(`broker.make_broker`), so running a task twice changes nothing and killing a worker
loses nothing.
"""

"""News feeds the service polls itself, so the digest has articles without anyone dropping files.

    store.py   feeds (with their health) and items seen, by canonical URL across feeds
    fetch.py   polite HTTP: conditional GET, size cap while streaming, per-host limits
    parse.py   feed bytes → entries; XML with a DTD entity is refused before parsing
    items.py   canonical URLs; entry → Article (full text from the feed, or the page)
    robots.py  robots.txt per host, fetched through the same client
    poll.py    one pass over the due feeds: fetch, parse, fetch pages, store, record health
    opml.py    the feed list in an OPML file

Nothing here imports at package import time, so `briefing.store` can register the tables.
"""

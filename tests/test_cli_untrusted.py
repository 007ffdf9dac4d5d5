"""The CLI with hostile files beside good ones (issue 17 F4, F7, F8): each bad file is named
and skipped, the good ones are still built and stored, and nothing from an article reaches
the terminal as an escape sequence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing import store
from briefing.cli import app

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "evals" / "cases" / "factory-fire"
DEEP_OBJECTS = '{"a": ' * 100_000 + "1" + "}" * 100_000
DEEP_BRACKETS = "[" * 100_000 + "]" * 100_000
ESCAPES = "\x1b[2J\x1b[H\x1b]0;pwned\x07\x1b[31m"  # clear screen, cursor home, window title, red


@pytest.fixture
def feeds(tmp_path: Path) -> Path:
    """The factory-fire case's articles, a JSONL file with one line nested 100,000 deep beside a
    good line, a .json of 100,000 brackets and a .txt of zero-width and BOM characters."""
    folder = tmp_path / "feeds"
    shutil.copytree(CASE, folder, ignore=shutil.ignore_patterns("expect.json", "meta.json"))
    (folder / "zz-deep.jsonl").write_text(
        DEEP_OBJECTS + '\n{"title": "Ferry back in service", "text": "The Selmouth ferry returned to '
        'service on Tuesday after repairs, the operator said in a statement."}\n'
    )
    (folder / "zz-brackets.json").write_text(DEEP_BRACKETS)
    (folder / "zz-invisible.txt").write_text("\u200b\ufeff\u200d\u2060\n\u200b", encoding="utf-8")
    return folder


def invoke(*args: str):  # noqa: ANN201
    return CliRunner().invoke(app, list(args))


def good_files(folder: Path) -> int:
    return sum(1 for p in folder.iterdir() if not p.name.startswith("zz-"))


def test_build_names_each_bad_file_and_briefs_the_rest(env, feeds):
    result = invoke("build", str(feeds), "--format", "json")

    assert result.exit_code == 0, result.output
    assert f"skipped {feeds / 'zz-deep.jsonl'}:1: nested too deeply" in result.stderr
    assert f"skipped {feeds / 'zz-brackets.json'}: nested too deeply" in result.stderr
    assert f"skipped {feeds / 'zz-invisible.txt'}: no article text" in result.stderr
    assert '"points"' in result.stdout


def test_ingest_store_keeps_every_good_file_beside_the_bad_ones(env, feeds):
    result = invoke("ingest", str(feeds), "--store")

    assert result.exit_code == 0, result.output
    assert "nested too deeply" in result.stderr and "no article text" in result.stderr
    db = store.Database(env.resolved_database_url)
    with db.transaction() as session:
        titles = [r.title for r in store.list_articles(session)]
    db.dispose()
    assert len(titles) == good_files(feeds) + 1  # + the good line of zz-deep.jsonl
    assert "Ferry back in service" in titles


def test_ingest_table_prints_no_escape_sequences(env, tmp_path):
    folder = tmp_path / "hostile"
    folder.mkdir()
    record = {
        "id": "x\x1b[2Jy",
        "title": f"Storm {ESCAPES} [bold]hits[/bold] coast",
        "text": "A storm hit the coast on Monday, the weather service said. Power was cut to 4,000 homes.",
    }
    (folder / "one.json").write_text(json.dumps(record))
    (folder / "two\x1b[2J.txt").write_text("\u200b")  # a file name with an escape, skipped

    result = invoke("ingest", str(folder))

    assert result.exit_code == 0, result.output
    for stream in (result.stdout, result.stderr):
        assert "\x1b" not in stream and "\x07" not in stream
    assert "x[2Jy" in result.stdout and "[bold]hits" in result.stdout  # shown as text, inert
    assert "skipped" in result.stderr and "two[2J.txt" in result.stderr

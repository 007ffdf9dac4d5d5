"""The `briefing` command line: parse arguments, call the library, format the result.

Errors the user can fix are printed as one clear line on stderr with a non-zero exit;
nothing here holds pipeline logic. Article and file text reaches the terminal only
through `_safe` (no escape sequences, controls or rich markup).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from briefing.config import get_settings
from briefing.engines.base import ENGINE_NAMES, MAX_POINTS, MIN_POINTS, BuildOptions
from briefing.errors import BriefingError
from briefing.ingest import read_paths
from briefing.models import Article, InputProblem
from briefing.untrusted import terminal_text

ENGINE_HELP = f"{', '.join(ENGINE_NAMES[:-1])} or {ENGINE_NAMES[-1]}."

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
err = Console(stderr=True)
out = Console()

Paths = Annotated[list[str], typer.Argument(help="Files, folders, or - for stdin.")]


class Format(str, Enum):
    md = "md"
    html = "html"
    text = "text"
    json = "json"


def _safe(value: object, limit: int | None = None) -> str:
    """Article or file text for the terminal: no escape sequences or controls, no rich markup."""
    return escape(terminal_text(value)[:limit])


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {_safe(message)}", highlight=False)
    return typer.Exit(code)


def _read(paths: list[str]) -> tuple[list[Article], list[InputProblem]]:
    """Read inputs, report each unusable one, and stop only if nothing usable remains."""
    result = read_paths(paths, stdin=sys.stdin.buffer if "-" in paths else None, max_bytes=get_settings().max_input_bytes)
    for problem in result.problems:
        err.print(f"[yellow]skipped[/] {_safe(problem.source)}: {_safe(problem.message)}", highlight=False, soft_wrap=True)
    if not result.articles:
        raise _fail("no usable articles in the input")
    return result.articles, result.problems


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str], None]]:
    """A spinner per pipeline stage on long inputs; silent otherwise."""
    if not enabled or not err.is_terminal:
        yield lambda stage: None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err) as bar:
        task = bar.add_task("starting", total=None)
        yield lambda stage: bar.update(task, description=stage)


@app.command()
def ingest(
    paths: Paths,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full report as JSON.")] = False,
    show_dropped: Annotated[bool, typer.Option("--dropped", help="List every dropped line and why.")] = False,
    keep: Annotated[
        bool, typer.Option("--store", help="Also keep the articles (with ingest time) for the daily digest.")
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="With --store and a task queue: wait until a worker stored them.")
    ] = False,
) -> None:
    """Read, clean and deduplicate articles; show what was kept, dropped and linked."""
    from briefing.pipeline import prepare
    from briefing.report import ingest_report

    articles, problems = _read(paths)
    if keep:
        from briefing.digest import store_articles

        settings = get_settings()
        try:
            if settings.broker_url:  # checked here, stored by `briefing worker`
                from briefing.queue.ingest import store_queued

                summary = store_queued(articles, problems, settings, wait=wait)
            else:
                summary = store_articles(articles, settings).summary()
            err.print(_safe(summary), highlight=False)
        except BriefingError as exc:
            raise _fail(str(exc)) from exc
    try:
        with _progress(len(articles) > 50) as stage:
            corpus = prepare(articles, get_settings(), on_stage=stage)
    except BriefingError as exc:
        raise _fail(str(exc)) from exc
    report = ingest_report(corpus, problems)
    if as_json:
        out.print_json(report.model_dump_json())
        return
    table = Table(title=f"{report.stats.articles} articles, {report.stats.origins} independent origins")
    for column in ("article", "title", "origin", "chars", "kept", "boilerplate", "duplicate"):
        table.add_column(column, justify="right" if column in ("chars", "kept", "boilerplate", "duplicate") else "left")
    for a in report.articles:
        table.add_row(
            _safe(a.id), _safe(a.title, 48), _safe(a.origin),
            str(a.chars), str(a.kept_chars), str(a.boilerplate_chars), str(a.duplicate_chars),
        )
    out.print(table)
    for link in report.origins:
        if link.kind != "self":
            out.print(
                f"{_safe(link.article_id)} → {_safe(link.origin)} ({_safe(link.kind)}: {_safe(link.evidence)})",
                highlight=False,
            )
    s = report.stats
    out.print(
        f"kept {s.kept_chars:,} of {s.input_chars:,} characters; dropped {s.boilerplate_chars:,} as boilerplate "
        f"and {s.duplicate_chars:,} as duplicates",
        highlight=False,
    )
    for note in s.truncated:
        err.print(f"[yellow]not all read:[/] {note}", highlight=False)
    if show_dropped:
        for article in report.boilerplate:
            for d in article.dropped:
                out.print(f"{_safe(article.article_id)} \\[{d.rule}] {_safe(repr(d.text[:90]))}", highlight=False)
        for dup in report.duplicates:
            out.print(
                f"{_safe(dup.passage.id)} \\[{dup.kind} of {_safe(dup.duplicate_of)}] {_safe(repr(dup.passage.text[:60]))}",
                highlight=False,
            )


@app.command()
def build(
    paths: Paths,
    engine: Annotated[str, typer.Option(help=ENGINE_HELP)] = "offline",
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.md,
    max_points: Annotated[
        int | None, typer.Option(min=MIN_POINTS, max=MAX_POINTS, help="Most points to include.")
    ] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write here instead of stdout.")] = None,
) -> None:
    """Build a cited briefing from articles about one story."""
    from briefing.engines import get_engine
    from briefing.pipeline import build_briefing
    from briefing.render import render

    articles, _ = _read(paths)
    try:
        options = BuildOptions(engine=get_engine(engine).name, max_points=max_points)
        with _progress(True) as stage:
            result = build_briefing(articles, options, settings=get_settings(), on_stage=stage)
    except BriefingError as exc:
        raise _fail(str(exc)) from exc
    text = render(result, fmt.value)
    if out_file is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        out_file.write_text(text, encoding="utf-8")
        err.print(f"wrote {_safe(out_file)}", highlight=False)


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, help="Tasks run at once (threads).")] = 1,
) -> None:
    """Run queued tasks (llm briefings, digest sends, ingest) from BRIEFING_BROKER_URL until stopped."""
    import logging

    from briefing.queue.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(name)s %(message)s")
    settings = get_settings()
    if not settings.broker_url:
        raise _fail("BRIEFING_BROKER_URL is not set: a worker needs a broker (e.g. redis://127.0.0.1:6379/0)")
    run_worker(settings, concurrency=concurrency)


def main() -> None:
    app()


def _mount() -> None:
    """Sub-commands that live in their own modules (API, eval); imported lazily inside."""
    from briefing.cli_api import keys_app, serve
    from briefing.cli_digest import digest_app, subscribers_app
    from briefing.cli_eval import eval_command
    from briefing.cli_feeds import feeds_app

    app.command("serve")(serve)
    app.add_typer(keys_app, name="keys")
    app.command("eval")(eval_command)
    app.add_typer(subscribers_app, name="subscribers")
    app.add_typer(digest_app, name="digest")
    app.add_typer(feeds_app, name="feeds")


_mount()

"""`briefing eval`: run the eval suites, report per case, half, suite and overall, and gate
each suite on its baseline.

Mount it on the main app with ``app.command("eval")(eval_command)``. The harness is the
``evals`` package (installed beside ``briefing``), imported lazily so other commands never load it.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from briefing.config import get_settings
from briefing.errors import BriefingError

if TYPE_CHECKING:
    from evals.harness import Baseline, CaseResult, EvalRun, GateResult, SuiteResult


def _harness() -> ModuleType:
    """The eval harness (package `evals`, installed with briefing), imported only when used."""
    from evals import harness

    return harness


def _stop(reason: str, code: int) -> typer.Exit:
    typer.echo(f"gate failed: {reason}")
    return typer.Exit(code)


def eval_command(
    engine: Annotated[str, typer.Option(help="Engine to evaluate: offline, llm or auto.")] = "offline",
    suite: Annotated[
        list[str] | None,
        typer.Option(
            "--suite",
            help="Suite to run: a name (cases, dev) or a folder of cases; repeatable. Default: every suite.",
        ),
    ] = None,
    cases: Annotated[
        Path | None,
        typer.Option("--cases", file_okay=False, help="A folder of cases (same as --suite PATH)."),
    ] = None,
    json_file: Annotated[Path | None, typer.Option("--json", dir_okay=False, help="Write the full report as JSON.")] = None,
    markdown_file: Annotated[
        Path | None, typer.Option("--markdown", dir_okay=False, help="Write the Markdown report (table, gate, misses).")
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", dir_okay=False, help="Baseline file (default: evals/baseline.json).")
    ] = None,
    update_baseline: Annotated[
        bool, typer.Option("--update-baseline", help="Accept this run as the engine's new baseline.")
    ] = False,
    smoke: Annotated[bool, typer.Option("--smoke", help="Run only the smallest case.")] = False,
    half: Annotated[
        str | None,
        typer.Option(
            "--half",
            help="Only this half (tuning or held-out) of each split suite, such as dev: tune on "
            "--half tuning without seeing the held-out figures. Suites that are not split run whole.",
        ),
    ] = None,
    smoke_unless_changed: Annotated[
        bool,
        typer.Option(
            "--smoke-unless-prompts-changed",
            help="CI: only the smallest case while prompts/ match the baseline, every case when they changed.",
        ),
    ] = False,
) -> None:
    """Run the eval suites; exit non-zero when a metric regresses or prompts/ changed since the baseline."""
    h = _harness()
    from evals.suites import HALVES, resolve_suites

    settings = get_settings()
    try:
        suites = resolve_suites([*(suite or []), *([str(cases)] if cases else [])], settings)
    except ValueError as exc:
        raise _stop(str(exc), 2) from exc
    err = Console(stderr=True)
    out = Console()
    if update_baseline and smoke:
        raise _stop("--update-baseline needs the full suite; drop --smoke", 2)
    if half is not None and half not in HALVES:
        raise _stop(f"--half must be one of {', '.join(HALVES)}, not {half!r}", 2)
    if update_baseline and half:
        raise _stop("--update-baseline needs the full suite; drop --half", 2)
    baseline_path = baseline or h.DEFAULT_BASELINE
    try:
        base = h.load_baseline(baseline_path)
    except ValueError as exc:
        raise _stop(f"cannot read {baseline_path}: {exc}", 2) from exc
    if smoke_unless_changed:
        from briefing.prompts import manifest_hash

        entries = [base.entry(s.name, engine) for s in suites if not s.absent]
        smoke = bool(entries) and all(e is not None and e.prompt_manifest_hash == manifest_hash() for e in entries)
        err.print(f"prompts/ {'unchanged' if smoke else 'changed'} since the {engine} baseline: "
                  f"{'smoke case only' if smoke else 'every case'}", highlight=False)
    for s in suites:
        if s.absent:
            err.print(f"suite {s.name} skipped: {s.absent}", highlight=False)
    n_cases = sum(len(h.case_dirs(s, smoke=smoke, half=half)) for s in suites if not s.absent)

    try:
        if err.is_terminal:
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            with Progress(*columns, console=err, transient=True) as bar:
                task = bar.add_task(f"eval {engine}", total=n_cases)

                def on_case(name: str, result: CaseResult | None) -> None:
                    if result is None:
                        bar.update(task, description=f"{engine}: {name}")
                    else:
                        bar.advance(task)

                run = h.run_suites(suites, engine=engine, smoke=smoke, half=half, settings=settings, on_case=on_case)
        else:

            def on_case(name: str, result: CaseResult | None) -> None:
                if result is not None:
                    points = result.counts.points if result.counts else 0
                    status = f"error: {result.error}" if result.error else f"{points} points"
                    err.print(f"{name}: {status} ({result.seconds:.2f}s)", highlight=False, soft_wrap=True)

            run = h.run_suites(suites, engine=engine, smoke=smoke, half=half, settings=settings, on_case=on_case)
    except BriefingError as exc:  # unknown engine, missing API key: nothing was measured
        raise _stop(f"engine {engine!r} could not run: {exc}", 2) from exc

    gate = h.check_run(run, base, update=update_baseline)
    report = h.markdown(run, gate)
    if json_file:
        json_file.write_text(h.to_json(run, gate), encoding="utf-8")
    if markdown_file:
        markdown_file.write_text(report, encoding="utf-8")

    if out.is_terminal:
        for s in run.suites:
            _print_table(out, h, s, gate.suites[s.suite])
        if len(run.suites) > 1 or any(s.halves for s in run.suites):
            _print_rows(out, f"eval: {engine} engine, every suite", "suite", h.summary_rows(run), h)
    else:
        out.print(report, markup=False, highlight=False, soft_wrap=True)

    _print_engines(out, h, base, run, smoke or bool(half))
    if update_baseline and gate.passed and run.suites:
        accepted = h.accept_run(base, run)
        h.save_baseline(accepted, baseline_path)
        done = ", ".join(f"{s.suite} ({len(s.cases)} cases)" for s in run.suites)
        typer.echo(f"baseline updated for engine {engine!r}: {done} in {baseline_path}")
        for s in (s for s in run.suites if s.halves):  # the ratchet is defined on a split suite
            rec = h.ratchet.update_records(accepted, baseline_path.parent / h.ratchet.RECORDS_FILE, s.suite)
            if rec is not None:
                typer.echo(f"model record updated: {rec.model} {'ahead' if rec.ahead else 'not ahead'} of offline")
    elif update_baseline:
        typer.echo("baseline not updated")
    typer.echo(gate.summary)
    if not gate.passed:
        raise typer.Exit(1)


def _print_engines(out: Console, h: ModuleType, base: Baseline, run: EvalRun, partial: bool) -> None:
    """Both engines side by side for each split suite: this run's figures for its engine,
    the accepted baseline's for the other (an llm run of the dev set takes most of an hour).
    Not after a partial run (`--smoke`, `--half`): its halves would not be the suite's."""
    if partial:
        return
    merged = h.accept_run(base, run)
    for s in run.suites:
        if s.halves:
            table = h.ratchet.markdown(merged, s.suite, note=f" ({run.engine}: this run; the other: the baseline)")
            if table:
                out.print(table, markup=False, highlight=False, soft_wrap=True)


def _print_rows(out: Console, title: str, first: str, rows: list[list[str]], h: ModuleType) -> None:
    columns = [first, *h.report.COLUMNS[1:]]
    widths = [max(len(r[i]) for r in [columns, *rows]) for i in range(len(columns))]
    table = Table(title=title, title_justify="left")
    if sum(widths) + 3 * len(columns) + 1 <= out.width:
        for i, col in enumerate(columns):
            table.add_column(col, justify="left" if i == 0 else "right", no_wrap=True)
        for row in rows[:-1]:
            table.add_row(*row)
        table.add_row(*rows[-1], style="bold")
    else:  # too narrow for a column per metric: a row per metric, a column per case
        short = [r[0] if "(" in r[0] else r[0].split("-")[0] for r in rows]  # "held-out (10)" stays whole
        names = short if len(set(short)) == len(short) else [r[0] for r in rows]
        table.add_column("metric", no_wrap=True)
        for name in names:
            table.add_column(name, justify="right", style="bold" if name == "overall" else None)
        for i, col in enumerate(columns[1:], start=1):
            table.add_row(col, *[r[i] for r in rows])
    out.print(table)


def _print_table(out: Console, h: ModuleType, suite: SuiteResult, gate: GateResult) -> None:
    rows, title = h.table_rows(suite), f"eval: {suite.engine} engine, suite {suite.suite}"
    too_wide = sum(max(len(c) for c in col) + 3 for col in zip(*rows, h.report.COLUMNS, strict=False)) > out.width
    if too_wide and 16 + 8 * len(rows) > out.width:  # neither way fits: the halves and overall only
        rows = rows[-(len(suite.halves) + 1):]
        title += " (per case: --markdown or --json)"
    _print_rows(out, title, "case", rows, h)
    for c in suite.cases:
        for part in h.report.case_misses(c):
            out.print(f"[dim]{c.name}:[/] {escape(part)}", highlight=False)  # parts hold [brackets]
    for cmp in gate.comparisons:
        if cmp.status in ("regressed", "better"):
            out.print(f"{suite.suite}: {cmp.metric}: {h.report.fmt(cmp.baseline)} -> {h.report.fmt(cmp.current)} "
                      f"({cmp.status})", highlight=False)
    for note in gate.notes:
        out.print(f"{suite.suite}: note: {note}", highlight=False)


if __name__ == "__main__":  # `python -m briefing.cli_eval`, before the command is mounted
    typer.run(eval_command)

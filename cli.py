"""The `etc` command line: argument parsing, progress, printing, exit codes.

Wiring only: every sub-command calls into the packages and prints what comes
back. Errors are caught in exactly one place, `main()`: an `EtcError` becomes one
line on stderr and exit 2; a bug becomes one line and exit 3 (ETC_DEBUG=1 shows
the traceback). Exit 0 is success, 1 is "worked, but found a failure".
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import polars as pl
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from etc.codes import CATEGORY
from etc.context import Period
from etc.errors import EtcError, UsageError
from etc.ingest import FileResult, Phase, expand, ingest_paths
from etc.localtime import clock
from etc.schemas import Kind
from etc.settings import Settings, load_settings, store_settings
from etc.store import Store
from reconcile.export import ExportFormat, export_findings, findings_of

if TYPE_CHECKING:
    from reconcile.engine import RunResult
    from reconcile.nightly import Night

app = typer.Typer(
    name="etc",
    help="Reconciliation of electronic toll collection: lanes, tags, settlements, banks.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help text as written: "[severity] fail_at" is no markup
)
WIDE = 10_000
"""Console width when the output is not a terminal (a pipe, a file): values are never cut."""
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else WIDE)
err = Console(stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else WIDE)

def _version(value: bool) -> None:
    if value:
        import etc

        out.print(f"etc {etc.__version__}", highlight=False)
        raise typer.Exit(0)


@app.callback()
def _root(version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_version,
        help="Print the version and exit.")] = False) -> None:
    """Reconciliation of electronic toll collection: lanes, tags, settlements, banks."""


DbOption = Annotated[
    Path | None,
    typer.Option("--db", envvar="ETC_DB", help="DuckDB file [default: $ETC_DB, else ./etc.duckdb]",
                 show_default=False),
]
DEFAULT_DB = Path("etc.duckdb")


def _store(db: Path | None, settings: Settings | None = None, *, create: bool = True) -> Store:
    """The store at --db, waiting while another process holds it: up to ETC_STORE_WAIT,
    else [store] wait_seconds of the settings (on a terminal it says who it waits for)."""
    wait = store_settings((settings or Settings()).store, os.environ.get("ETC_STORE_WAIT"))

    def waiting(holder: str) -> None:
        if err.is_terminal:
            err.print(f"etc: waiting up to {wait.wait_seconds:g} s for the store, in use by "
                      f"{holder}", highlight=False, markup=False)
    return Store(db or DEFAULT_DB, create=create, wait_seconds=wait.wait_seconds,
                 waiting=waiting)


def _existing(db: Path | None, settings: Settings | None = None) -> Store:
    """The store of a read-only command: it must exist (no file is created)."""
    return _store(db, settings, create=False)
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", envvar="ETC_CONFIG", show_default=False,
                 help="Settings TOML file; default: $ETC_CONFIG, else findings.md's defaults."),
]
ISO_DATE = ["%Y-%m-%d"]
AsOfOption = Annotated[
    datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z",
                                     "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"], show_default=False,
                 help="Judge what is due as of this instant (ISO 8601; without an offset, "
                      "local time UTC+07:00); default: the latest instant of the loaded data."),
]


def _aware(moment: datetime | None) -> datetime | None:
    """--as-of as an aware instant (a time without an offset is local station time)."""
    from etc.localtime import LOCAL

    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=LOCAL)


@contextmanager
def _progress(total: int, what: str) -> Iterator[Callable[..., None]]:
    """A progress bar on stderr (when it is a terminal); yields its update function."""
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[item]}"),
        TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task(what, total=total, item="")
        yield functools.partial(bar.update, task)


def _ingest_table(results: list[FileResult]) -> Table:
    table = Table(title="Files", title_justify="left")
    for name, justify in (("file", "left"), ("kind", "left"), ("read", "right"),
                          ("loaded", "right"), ("already present", "right"),
                          ("quarantined", "right"), ("status", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in results:
        status = {"loaded": "[green]loaded[/]", "already_loaded": "[yellow]already loaded[/]",
                  "refused": "[red]refused[/]"}[r.status]
        if r.status == "loaded":
            table.add_row(Path(r.file).name, f"{r.kind} ({r.format})", f"{r.rows_read:,}",
                          f"{r.rows_loaded:,}", f"{r.rows_present:,}",
                          f"{r.rows_quarantined:,}", status)
        else:
            note = r.error if r.status == "already_loaded" else "see below"
            table.add_row(Path(r.file).name, "", "", "", "", "", f"{status}: {note}")
    return table


def _run_ingest(store: Store, paths: list[Path], kind: Kind | None) -> list[FileResult]:
    files = expand(paths)
    order = {path: i for i, path in enumerate(files)}
    phases = list(Phase)
    with _progress(len(files) * len(phases), "loading") as update:
        def step(path: Path, phase: Phase) -> None:
            update(completed=order.get(path, 0) * len(phases) + phases.index(phase),
                   item=f"{path.name}: {phase}")
        results = ingest_paths(store, files, kind, progress=step)
    out.print(_ingest_table(results))
    for r in results:
        if r.status == "refused":
            err.print(f"etc: {r.error}", highlight=False, markup=False)
    return results


@app.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(help="Files, or folders of files, to load.")],
    kind: Annotated[Kind | None, typer.Option(help="Kind of every file (default: recognised "
                                                    "from its columns or content).")] = None,
    db: DbOption = None,
) -> None:
    """Load files into the store; print rows loaded, already present and quarantined per file."""
    with _store(db) as store:
        results = _run_ingest(store, files, kind)
    if any(r.status == "refused" for r in results):
        raise typer.Exit(2)


@app.command()
def quarantine(
    file: Annotated[str | None, typer.Option("--file", help="Only rows of this file.")] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many rows (0: all).")] = 50,
    db: DbOption = None,
) -> None:
    """Show refused rows with their reasons."""
    with _existing(db) as store:
        rows = store.quarantine(file)
    if rows.is_empty():
        out.print("No quarantined rows" + (f" for {file}." if file else "."))
        return
    summary = rows.group_by("reason").len().sort(["len", "reason"], descending=[True, False])
    out.print(f"{rows.height:,} quarantined rows: " + ", ".join(
        f"{r} {n:,}" for r, n in summary.iter_rows()))
    table = Table()
    for name in ("file", "row", "reason", "message", "raw"):
        table.add_column(name, overflow="fold")
    shown = rows if limit <= 0 else rows.head(limit)
    for r in shown.iter_rows(named=True):
        raw = (r["raw"] or "")
        table.add_row(Path(r["file"]).name, str(r["row"]), r["reason"], r["message"],
                      raw if len(raw) <= 120 else raw[:117] + "…", )
    out.print(table, markup=False)
    if shown.height < rows.height:
        out.print(f"… {rows.height - shown.height:,} more (--limit 0 shows all)")


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option(
        "--out", help="Folder for the sample and its reports.")] = Path("demo-out"),
    days: Annotated[int, typer.Option(min=1, max=31, help="Business days to generate.")] = 2,
    passages: Annotated[int, typer.Option(min=300, help="Passages per day.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 7,
    by_night: Annotated[bool, typer.Option(
        "--by-night", help="Write the files as they would arrive, one inbox per night (late "
                           "settlements and bank lines on later nights), and run each night "
                           "on its own inbox: pending items and the look-back show.")] = False,
    db: DbOption = None,
) -> None:
    """Make a realistic sample with known anomalies and run its nights end to end:
    load, reconcile, report, statements. [db: OUT/etc.duckdb]"""
    from etc.generate import generate

    with _progress(100, "generating") as update:
        def step(what: str, fraction: float) -> None:
            update(completed=100 * fraction, item=what)
        sample = generate(out_dir, seed=seed, days=days, passages=passages, progress=step,
                          by_night=by_night)
    out.print(f"Sample of {days} day(s) from {sample.start} written to {out_dir}/ "
              f"(ground truth: {sample.truth.name})", highlight=False)
    inbox = next(iter(sample.files.values()))[0].parent
    settings = load_settings(None)
    with _store(db or out_dir / "etc.duckdb", settings) as store:
        for i in range(days):
            if by_night:
                inbox = sample.nights[i]
            night = _night(store, inbox, out_dir / "reports", sample.start + timedelta(days=i),
                           settings, reveal=False)
        where = store.path
    out.print(f"Reports of the last night: {night.folder}/ — open report.html in a browser; "
              f"statements: {', '.join(p.name for p in night.outputs if 'statement' in p.name)}",
              highlight=False)
    out.print(f"Database: {where}. Next: etc report --db {where} --out report.xlsx; "
              f"etc findings --db {where} --format csv --out findings.csv", highlight=False)


class Engine(StrEnum):
    LOCAL = "local"
    RAY = "ray"


def _reconcile_table(result: RunResult) -> Table:
    table = Table(title=f"Findings of {result.period.first}..{result.period.last}",
                  title_justify="left")
    for name, justify in (("code", "left"), ("category", "left"), ("severity", "left"),
                          ("findings", "right"), ("at risk (VND)", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for code, n in result.findings.items():
        if n:
            table.add_row(code.value, CATEGORY[code].value, result.severity[code].value,
                          f"{n:,}", f"{result.at_risk_vnd[code]:,}")
    table.add_section()
    table.add_row("total", "", "", f"{result.total_findings:,}",
                  f"{result.total_at_risk_vnd:,}", style="bold")
    return table


@app.command("reconcile")
def reconcile_cmd(
    day: Annotated[datetime, typer.Option("--date", formats=ISO_DATE, show_default=False,
                                          help="First business date (YYYY-MM-DD).")],
    until: Annotated[datetime | None, typer.Option(
        formats=ISO_DATE, show_default=False,
        help="Last business date (YYYY-MM-DD); default: --date.")] = None,
    as_of: AsOfOption = None,
    chunk_days: Annotated[int, typer.Option(
        "--chunk-days", min=1, help="Days computed at once (memory follows a chunk).")] = 1,
    source: Annotated[Path | None, typer.Option(
        "--source", show_default=False, file_okay=False,
        help="Read the inputs from this archive ('etc archive --out') instead of --db; "
             "the run is written to --db either way.")] = None,
    engine: Annotated[Engine, typer.Option(
        "--engine", case_sensitive=False,
        help="local: chunks one after the other here; ray: each chunk a Ray task "
             "(needs --source).")] = Engine.LOCAL,
    ray_address: Annotated[str | None, typer.Option(
        "--ray-address", show_default=False,
        help="Ray cluster to run on (e.g. auto, or HEAD:6379); default: a local one.")] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Run every rule for those business dates; print counts and money at risk per code.
    Dates with no passages are refused (exit 2)."""
    from reconcile.engine import reconcile

    first: date = day.date()
    last: date = until.date() if until else first
    if last < first:
        raise UsageError(f"--until {last} is before --date {first}")
    if engine is Engine.RAY and source is None:
        raise UsageError("--engine ray reads an archive: give --source DIR",
                         hint="write it with 'etc archive --out DIR'; the workers read it "
                              "from shared storage")
    if engine is Engine.LOCAL and ray_address is not None:
        raise UsageError("--ray-address goes with --engine ray")
    settings = load_settings(config)
    with ExitStack() as stack:
        store = stack.enter_context(_store(db, settings))
        src = runner = None
        if source is not None:
            from etc.archive import open_archive
            src = stack.enter_context(open_archive(source))
        if engine is Engine.RAY and source is not None:
            from reconcile.ray_engine import ray_chunks
            runner = stack.enter_context(ray_chunks(source, ray_address))
        update = stack.enter_context(_progress(100, "reconciling"))

        def step(what: str, fraction: float) -> None:
            update(completed=100 * fraction, item=what)
        result = reconcile(store, Period(first, last), settings, progress=step,
                           as_of=_aware(as_of), chunk_days=chunk_days, source=src,
                           runner=runner)
    _print_run(result)


@app.command("archive")
def archive_cmd(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder of the archive.")],
    db: DbOption = None,
) -> None:
    """Write the store's input tables as Hive-partitioned Parquet with a manifest
    (incremental: unchanged partitions are kept)."""
    from etc.archive import write_archive

    with _existing(db) as store:
        done = write_archive(store, out_dir)
    rows = sum(f.rows for f in done.manifest.files.values())
    out.print(f"Archive {out_dir}: {len(done.manifest.files):,} files, {rows:,} rows; "
              f"{len(done.written):,} written, {len(done.kept):,} unchanged, "
              f"{len(done.removed):,} removed", highlight=False)


def _print_run(result: RunResult) -> None:
    out.print(_reconcile_table(result))
    out.print(f"{result.total_findings:,} findings, {result.total_at_risk_vnd:,} VND at risk; "
              f"run {result.run_id}", highlight=False)
    if result.pending:
        out.print(f"awaiting: {result.pending:,} items, {result.pending_vnd:,} VND, not yet due "
                  f"as of {clock(result.as_of)} (UTC+07:00)", highlight=False)
    out.print(f"{result.passages:,} passages: " + (", ".join(
        f"{d} {n:,}" for d, n in result.dispositions.items()) or "none"), highlight=False)


RevealOption = Annotated[bool, typer.Option(
    "--reveal", help="Show plates and account ids in full (masked by default).")]


@app.command("findings")
def findings_cmd(
    fmt: Annotated[ExportFormat, typer.Option("--format", case_sensitive=False,
                                              help="File format.")],
    out_file: Annotated[Path, typer.Option("--out", help="File to write.")],
    run: Annotated[str | None, typer.Option("--run", help="Run id; default: the latest run.",
                                            show_default=False)] = None,
    code: Annotated[str | None, typer.Option("--code", help="Only this rule code.",
                                             show_default=False)] = None,
    reveal: RevealOption = False,
    db: DbOption = None,
) -> None:
    """Export the findings of a run (default: the latest run), plates and accounts masked."""
    with _existing(db) as store:
        run_id, found = findings_of(store, run, code, reveal=reveal)
    export_findings(found, fmt, out_file)
    what = f" of code {code.upper()}" if code else ""
    out.print(f"{found.height:,} findings{what} of run {run_id} written to {out_file} ({fmt})",
              highlight=False)


LangOption = Annotated[str | None, typer.Option(
    "--lang", show_default=False,
    help="Language of what people read: vi or en (default: the settings' output lang, vi).")]


def _with_lang(settings: Settings, lang: str | None) -> Settings:
    """`settings` with `--lang` (checked: a bad one is a usage error) as output lang."""
    if lang is None:
        return settings
    from etc.render.lang import lang_of
    from etc.settings import OutputSettings

    return settings.model_copy(update={"output": OutputSettings(lang=lang_of(lang))})


@app.command()
def report(
    out_file: Annotated[Path, typer.Option("--out", help="FILE.html or FILE.xlsx.")],
    run: Annotated[str | None, typer.Option("--run", help="Run id; default: the latest run.",
                                            show_default=False)] = None,
    reveal: RevealOption = False,
    lang: LangOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """The discrepancy report of a run for the road authority (HTML or XLSX)."""
    from etc.render import write_report
    from etc.render.mask import mask_report
    from reconcile.report import build_report, resolve_run

    settings = _with_lang(load_settings(config), lang)
    with _existing(db, settings) as store:
        run_id = resolve_run(store, run)
        built = build_report(store, run_id, settings.severity.fail_at,
                             tuple(settings.notes.pass_states))
    write_report(built if reveal else mask_report(built), out_file, settings.output.lang)
    out.print(f"Report of run {run_id}: {built.findings.height:,} findings, "
              f"{built.total_at_risk_vnd:,} VND at risk, written to {out_file}", highlight=False)


@app.command()
def statement(
    operator: Annotated[str, typer.Option(
        "--operator", help="Toll operator id (stations.operator_id).")],
    first: Annotated[datetime, typer.Option("--from", formats=ISO_DATE, show_default=False,
                                            help="First business date (YYYY-MM-DD).")],
    last: Annotated[datetime, typer.Option("--to", formats=ISO_DATE, show_default=False,
                                           help="Last business date (YYYY-MM-DD).")],
    out_file: Annotated[Path, typer.Option("--out", help="FILE.xlsx, FILE.csv or FILE.pdf.")],
    reveal: RevealOption = False,
    lang: LangOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """The settlement statement of a toll operator for a range of business dates."""
    from etc.render import write_statement
    from etc.render.mask import mask_statement
    from ledgers.statement import build_statement

    settings = _with_lang(load_settings(config), lang)
    with _existing(db, settings) as store:
        built = build_statement(store, operator, first.date(), last.date())
    write_statement(built if reveal else mask_statement(built), out_file, settings.output.lang)
    total = built.total.row(0, named=True)
    out.print(f"Statement of {operator} for {first.date()}..{last.date()}: "
              f"{total['gross_vnd']:,} VND gross, {total['banked_vnd']:,} banked, "
              f"{total['findings']:,} findings; written to {out_file}", highlight=False)


@app.command()
def nightly(
    inbox: Annotated[Path, typer.Option("--inbox", help="Folder where the night's files arrive.",
                                        exists=True, file_okay=False)],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the reports.")],
    day: Annotated[datetime | None, typer.Option(
        "--date", formats=ISO_DATE, show_default=False,
        help="Business date (YYYY-MM-DD); default: yesterday, local time.")] = None,
    as_of: AsOfOption = None,
    reveal: RevealOption = False,
    lang: LangOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Load what is new in the inbox, reconcile the date, write the report, a statement per
    operator and summary.json; exit 1 when findings at or above [severity] fail_at exist."""
    from etc.localtime import LOCAL
    from reconcile.inbox_lock import holding_inbox

    settings = _with_lang(load_settings(config), lang)
    business = day.date() if day else (datetime.now(LOCAL) - timedelta(days=1)).date()
    with holding_inbox(inbox), _store(db, settings) as store:
        night = _night(store, inbox, out_dir, business, settings, reveal=reveal,
                       as_of=_aware(as_of))
    if night.summary.exit_status:
        raise typer.Exit(night.summary.exit_status)


def _night(store: Store, inbox: Path, out_dir: Path, day: date, settings: Settings, *,
           reveal: bool, as_of: datetime | None = None) -> Night:
    """Run one night and print what it did."""
    from reconcile.nightly import run_night

    with _progress(100, f"night of {day}") as update:
        def step(what: str, fraction: float) -> None:
            update(completed=100 * fraction, item=what)
        night = run_night(store, inbox, out_dir, day, settings, reveal=reveal, progress=step,
                          as_of=as_of)
    if night.files:
        out.print(_ingest_table(night.files))
    for r in night.files:
        if r.status == "refused":
            err.print(f"etc: refused: {r.error}", highlight=False, markup=False)
    s = night.summary
    for rerun in s.reruns:
        out.print(f"{rerun.business_date}: reconciled again ({', '.join(rerun.reasons)}): run "
                  f"{rerun.run_id}, {rerun.findings:,} findings, {rerun.pending:,} pending",
                  highlight=False)
    for problem in s.problems:
        err.print(f"etc: {problem}", highlight=False, markup=False)
    if night.run_id is not None:
        how = "reused (same inputs and settings)" if night.reused else "reconciled"
        out.print(f"{day}: run {night.run_id} {how}: {s.findings:,} findings "
                  f"({s.lifecycle.new:,} new, {s.lifecycle.open:,} open, "
                  f"{s.lifecycle.resolved:,} resolved), {s.amount_at_risk_vnd:,} VND at risk; "
                  f"{s.failing:,} at or above {s.fail_at}", highlight=False)
    if s.pending.items:
        due = f", due by {clock(s.pending.due_by)}" if s.pending.due_by else ""
        out.print(f"awaiting: {s.pending.items:,} items, {s.pending.amount_at_risk_vnd:,} VND"
                  f"{due} (UTC+07:00)", highlight=False)
    out.print(f"Written to {night.folder}/: " + ", ".join(p.name for p in night.outputs),
              highlight=False)
    return night


@app.command()
def note(
    finding: Annotated[str | None, typer.Argument(
        help="Finding id as the report shows it (F and 10 hex digits).",
        show_default=False)] = None,
    code: Annotated[str | None, typer.Option(
        "--code", help="With --identity: a note on an identity across runs.",
        show_default=False)] = None,
    identity: Annotated[str | None, typer.Option(
        "--identity", help="The identity as the report writes it, e.g. txn_id=T1.",
        show_default=False)] = None,
    state: Annotated[str, typer.Option(
        "--state", help="EXPLAINED, DISPUTED, CONFIRMED_LOSS or FALSE_POSITIVE.")] = "",
    author: Annotated[str, typer.Option("--author", help="Who writes the note.")] = "",
    text: Annotated[str, typer.Option("--text", help="What was found out.")] = "",
    db: DbOption = None,
) -> None:
    """Add a note to a finding, or to an identity across runs (notes are never changed:
    a correction is a new note)."""
    from datetime import UTC

    from reconcile.notes import add_note, target_of

    with _existing(db) as store:
        target = target_of(store, finding, code, identity)
        note_id = add_note(store, target, state, author, text, datetime.now(UTC))
        history = store.notes(target.code, target.identity).height
    out.print(f"note {note_id} on {target.code} {target.identity}: {state.strip().upper()} "
              f"by {author.strip()} ({history} note{'s' if history != 1 else ''} on it)",
              highlight=False, markup=False)


@app.command("runs")
def runs_cmd(db: DbOption = None) -> None:
    """List the runs: period, as-of, started, passages, findings, pending, inputs."""
    from reconcile.drill import runs_table

    with _existing(db) as store:
        rows = runs_table(store)
    if rows.is_empty():
        out.print("No runs yet.")
        return
    table = Table()
    for name in rows.columns:
        table.add_column(name, no_wrap=True,
                         justify="right" if rows.schema[name].is_integer() else "left")
    for r in rows.iter_rows():
        table.add_row(*("" if v is None else f"{v:,}" if isinstance(v, int) else str(v)
                        for v in r))
    out.print(table, markup=False)


@app.command()
def show(
    what: Annotated[str, typer.Argument(
        help="A finding id (as in the report), txn_id, settlement_id, batch_id or entry_id.")],
    reveal: RevealOption = False,
    db: DbOption = None,
) -> None:
    """Show what lies behind a finding, passage, settlement item, batch or bank entry:
    the stored rows, tag status around the passage, items, credits, disposition, notes."""
    from reconcile.drill import show as behind

    with _existing(db) as store:
        sections = behind(store, what, reveal)
    for title, frame in sections:
        out.print(f"\n{title}" + ("" if frame.height else ": none"), highlight=False,
                  markup=False)
        if frame.height:
            out.print(_frame_table(frame), markup=False)


def _frame_table(frame: pl.DataFrame) -> Table:
    """A frame as a rich table (times in UTC as stored, numbers with separators)."""
    table = Table()
    for name in frame.columns:
        table.add_column(name, justify="right" if frame.schema[name].is_numeric() else "left")
    for r in frame.iter_rows():
        table.add_row(*("" if v is None else f"{v:,}" if isinstance(v, int)
                        and not isinstance(v, bool) else str(v) for v in r))
    return table


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    try:
        code = app(args=argv, prog_name="etc", standalone_mode=False)
    except typer.TyperException as exc:  # usage errors: one line, exit 2
        message = exc.format_message()
        if type(exc).__name__ == "NoArgsIsHelpError":  # no arguments: the help, on stdout
            out.print(message, highlight=False, markup=False)
            return 0
        if not message:  # no arguments at all: the help was shown
            return 0
        err.print(f"etc: {message} (see 'etc --help')", highlight=False, markup=False)
        return 2
    except typer.Abort:
        err.print("etc: aborted", highlight=False)
        return 2
    except EtcError as exc:
        err.print(f"etc: {exc.one_line()}", highlight=False, markup=False)
        return 2
    except KeyboardInterrupt:
        err.print("etc: interrupted", highlight=False)
        return 2
    except Exception as exc:  # the one place a bug becomes one line
        if os.environ.get("ETC_DEBUG"):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        err.print(f"etc: internal error: {type(exc).__name__}: {first} "
                  "(run with ETC_DEBUG=1 for the traceback)", highlight=False, markup=False)
        return 3
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())

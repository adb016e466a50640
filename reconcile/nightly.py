"""One night, end to end: inbox → store → run → report, statements, summary.json.

    night = run_night(store, Path("inbox"), Path("out"), date(2026, 11, 1), settings)

1. Every new file in the inbox (top level; not hidden, not *.part or *.tmp; see
   reconcile.inbox for links, odd names and files still being written) is
   loaded. A loaded file, or one whose content was loaded before, moves to
   INBOX/archive/<date>/; a refused one to INBOX/refused/<date>/ with
   NAME.reason.txt beside it.
2. The business date is reconciled — unless a run of the very same inputs,
   settings and code exists already (the run id says so): then it is reused.
3. Into OUT/<date>/: report.html and report.xlsx (plates and accounts masked
   unless `reveal`), statement-<operator>.csv and .pdf for every operator (plates
   masked unless `reveal`), and summary.json. Nothing in them depends on the
   clock or on another night's inbox, so running the same night again, with
   nothing new loaded in between, changes nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl

import etc
from etc.codes import CATEGORY, Code, Severity
from etc.context import Period
from etc.errors import EtcError
from etc.faults import resource_error
from etc.ingest import FileResult, ingest_paths, sha256_file
from etc.localtime import start_of
from etc.render import write_report, write_statement
from etc.render.atomic import write_atomic
from etc.render.mask import mask_report, mask_statement
from etc.reports import Report, State
from etc.schemas import Kind
from etc.settings import Settings
from etc.store import Store
from etc.summary import (
    CodeTally,
    InputFile,
    Lifecycle,
    Pending,
    RefusedFile,
    Rerun,
    Summary,
    Tally,
)
from ledgers.statement import build_statement
from reconcile.engine import reconcile
from reconcile.inbox import ARCHIVE, REFUSED, safe_name, scan
from reconcile.lookback import revisits
from reconcile.manifest import inputs_sha256, run_id
from reconcile.notes import by_note_state, unnoted_critical
from reconcile.report import build_report

Progress = Callable[[str, float], None]
REASON = ".reason.txt"


@dataclass(frozen=True)
class Night:
    """What a nightly run did; the files are in `folder`."""

    day: date
    run_id: str | None
    """None when the date has no passages (the summary says so; exit 1)."""
    reused: bool
    """True when the run existed already (same inputs, settings and code)."""
    files: list[FileResult]
    """This invocation's inbox files, as loaded (empty when the inbox was)."""
    folder: Path
    outputs: list[Path]
    summary: Summary


def run_night(store: Store, inbox: Path, out: Path, day: date, settings: Settings, *,
              reveal: bool = False, progress: Progress | None = None,
              as_of: datetime | None = None) -> Night:
    say = progress or (lambda step, done: None)
    found = scan(inbox)
    say("loading", 0.0)
    results = ingest_paths(store, found.files, None)
    for path, result in [*zip(found.files, results, strict=True), *found.refused]:
        file_away(inbox, path, result, day)
    results += [result for _, result in found.refused]
    moment = as_of or store.data_until()
    reruns: list[Rerun] = []
    for revisit in revisits(store, day, settings):
        say(f"look-back {revisit.day}", 0.1)
        run, _ = _reconcile(store, revisit.day, settings, moment)
        assert run is not None  # a revisited date has passages
        _outputs(store, inbox, out, revisit.day, run, settings, reveal, [])
        info = store.run_row(run)
        reruns.append(Rerun(business_date=revisit.day, run_id=run, reasons=list(revisit.reasons),
                            findings=store.run_findings(run).height,
                            pending=store.run_table("pending", info.run_id).height))
    problems = [f"the lanes file {Path(r.file).name} was refused: {r.error}"
                for r in results if r.status == "refused" and r.kind == Kind.LANES.value]
    problems += [f"{safe_name(p.name)} was still being written: left in the inbox for the "
                 "next night" for p in found.arriving]
    say("reconciling", 0.2)
    run, reused = _reconcile(store, day, settings, moment,
                             lambda step, done: say(step, 0.2 + 0.5 * done))
    if run is None:
        problems.append(f"no passages are loaded for {day}: nothing to reconcile")
    say("report", 0.7)
    summary, outputs = _outputs(store, inbox, out, day, run, settings, reveal, problems, reruns)
    say("done", 1.0)
    return Night(day=day, run_id=run, reused=reused, files=results, folder=out / day.isoformat(),
                 outputs=outputs, summary=summary)


def _reconcile(store: Store, day: date, settings: Settings, as_of: datetime | None,
               progress: Progress | None = None) -> tuple[str | None, bool]:
    """Reconcile `day` as of `as_of`, or reuse the run of the very same inputs,
    settings, as-of and code: (run id, reused); (None, False) with no passages."""
    if not store.passage_dates(day, day):
        return None, False
    moment = as_of or start_of(day, 1)
    period = Period(day, day)
    run = run_id(period, settings.digest(), inputs_sha256(store.load_manifest()), moment)
    if store.has_run(run):
        return run, True
    return reconcile(store, period, settings, progress, as_of=moment).run_id, False


def _outputs(store: Store, inbox: Path, out: Path, day: date, run: str | None,
             settings: Settings, reveal: bool, problems: list[str],
             reruns: list[Rerun] | None = None) -> tuple[Summary, list[Path]]:
    """OUT/<day>/: the report and a statement per operator of `run` (none without a
    run), and summary.json."""
    folder = out / day.isoformat()
    outputs: list[Path] = []
    report = None
    if run is not None:
        report = build_report(store, run, settings.severity.fail_at,
                              tuple(settings.notes.pass_states))
        unnoted = unnoted_critical(report.findings, settings.notes.critical_note_days)
        if unnoted:
            problems = [*problems, f"{unnoted:,} CRITICAL findings open "
                        f"{settings.notes.critical_note_days} days or more have no note "
                        "([notes] critical_note_days)"]
        shown = report if reveal else mask_report(report)
        lang = settings.output.lang
        outputs += [write_report(shown, folder / "report.html", lang),
                    write_report(shown, folder / "report.xlsx", lang)]
        for operator in operators(store):
            statement = build_statement(store, operator, day, day, run_id=run)
            statement = statement if reveal else mask_statement(statement)
            for suffix in (".csv", ".pdf"):
                outputs.append(write_statement(
                    statement, folder / f"statement-{operator}{suffix}", lang))
    summary = summarise(store, day, report, settings.severity.fail_at, inbox,
                        [p.name for p in outputs], problems, reruns or [])
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "summary.json"
    write_atomic(target, lambda tmp: _write_text(tmp, summary.to_json()))
    return summary, [*outputs, target]


def file_away(inbox: Path, path: Path, result: FileResult, day: date) -> Path:
    """Move a processed inbox file to archive/<day>/ (loaded, or loaded before) or
    to refused/<day>/ with its reason beside it; returns where it went. A
    same-named file already there with the same content is replaced; another
    keeps its name and this one gets a numbered one.

    Killed at any moment, this leaves the file in the inbox or filed away, never
    both nor neither: the move is one rename (archive/ and refused/ are in the inbox,
    on its file system), and a refused file's reason is
    written (whole, by a rename) before it — a reason left alone by a kill is
    taken again, being the same words, when the night runs again."""
    refused = result.status == "refused"
    folder = inbox / (REFUSED if refused else ARCHIVE) / day.isoformat()
    shown = safe_name(path.name)
    reason = ((result.error or "refused").replace(str(path), shown)
              .replace(str(path.with_name(shown)), shown)) + "\n"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = _free(folder, path, reason if refused else None)  # a link: never read
        if refused:
            write_atomic(_reason(target), lambda tmp: _write_text(tmp, reason))
        shutil.move(path, target)
    except OSError as exc:
        known = resource_error(exc, path=folder, doing=f"file away {safe_name(path.name)}")
        raise known or EtcError(f"cannot file away {safe_name(path.name)}: "
                                f"{exc.strerror or exc}", path=folder) from None
    return target


def _reason(path: Path) -> Path:
    return path.with_name(path.name + REASON)


def _free(folder: Path, path: Path, reason: str | None) -> Path:
    """folder/name (control characters as `_`), unless a different file holds that
    name, or (for a refused file, whose `reason` is given) another reason holds its
    reason's name: then name-1, name-2 … Only a regular file is compared by
    content: a link is never followed."""
    name = Path(safe_name(path.name))
    regular = path.is_file() and not path.is_symlink()
    candidate, n = folder / name, 0
    while (((candidate.exists() or candidate.is_symlink())
            and not (regular and candidate.is_file() and not candidate.is_symlink()
                     and sha256_file(candidate) == sha256_file(path)))
           or (reason is not None and not candidate.exists() and _reason(candidate).exists()
               and _reason(candidate).read_text(encoding="utf-8") != reason)):
        n += 1
        candidate = folder / f"{name.stem}-{n}{name.suffix}"
    return candidate


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")


def operators(store: Store) -> list[str]:
    """Every operator with a station in the store, sorted."""
    ops = store.table("stations").select("operator_id").unique().collect()["operator_id"]
    return sorted(str(o) for o in ops.drop_nulls())


def summarise(store: Store, day: date, report: Report | None, fail_at: Severity, inbox: Path,
              outputs: list[str], problems: list[str], reruns: list[Rerun]) -> Summary:
    """The summary of a night (stable: no clock, no inbox activity): of its run's
    report, or zeros when the date could not be reconciled."""
    found = report.findings if report is not None else pl.DataFrame(
        schema={"code": pl.String(), "category": pl.String(), "severity": pl.String(),
                "amount_at_risk_vnd": pl.Int64()})

    def tally(frame: pl.DataFrame) -> Tally:
        return Tally(findings=frame.height,
                     amount_at_risk_vnd=int(frame["amount_at_risk_vnd"].sum()))

    by_code = [CodeTally(code=c.value, category=CATEGORY[c].value,
                         **tally(found.filter(pl.col("code") == c.value)).model_dump())
               for c in Code if (found["code"] == c.value).any()]
    n_failing = report.failing() if report is not None else 0
    run = report.run if report is not None else None
    ids = run.inputs["load_id"].to_list() if run is not None else []
    loads = store.loads().filter(pl.col("load_id").is_in(ids))
    inputs = [InputFile(file=Path(r["file"]).name, kind=r["kind"], sha256=r["sha256"],
                        rows_read=r["rows_read"], rows_loaded=r["rows_loaded"],
                        rows_present=r["rows_present"], rows_quarantined=r["rows_quarantined"])
              for r in loads.sort("load_id").iter_rows(named=True)]
    traffic = store.run_table("traffic", run.run_id) if run is not None else None
    waiting = store.run_table("pending", run.run_id) if run is not None else None
    pending = Pending(items=0, amount_at_risk_vnd=0, due_by=None)
    if waiting is not None and waiting.height:
        pending = Pending(items=waiting.height,
                          amount_at_risk_vnd=int(waiting["amount_at_risk_vnd"].sum()),
                          due_by=waiting["due_at"].max())  # type: ignore[arg-type]
    return Summary(
        business_date=day, run_id=run.run_id if run else None,
        as_of=run.as_of if run else None,
        code_version=run.code_version if run else etc.__version__,
        settings_sha256=run.settings_sha256 if run else "",
        inputs_sha256=run.inputs_sha256 if run else "",
        passages=int(traffic["passages"].sum()) if traffic is not None else 0,
        findings=found.height, amount_at_risk_vnd=int(found["amount_at_risk_vnd"].sum()),
        by_category={c: tally(found.filter(pl.col("category") == c))
                     for c in ("TAG", "MONEY", "FRAUD")},
        by_severity={s.value: tally(found.filter(pl.col("severity") == s.value))
                     for s in Severity},
        by_code=by_code,
        notes=by_note_state(found),
        lifecycle=Lifecycle(new=report.count(State.NEW) if report else 0,
                            open=report.count(State.OPEN) if report else 0,
                            resolved=report.count(State.RESOLVED) if report else 0),
        pending=pending, reruns=reruns, problems=problems,
        fail_at=fail_at.value, failing=n_failing,
        exit_status=1 if n_failing or problems else 0,
        inputs=inputs, refused=refused_files(inbox, day), outputs=outputs,
    )


def refused_files(inbox: Path, day: date) -> list[RefusedFile]:
    """The files refused on the night of `day` (INBOX/refused/<day>/), by name,
    each with the reason written beside it."""
    folder = inbox / REFUSED / day.isoformat()
    if not folder.is_dir():
        return []
    return [RefusedFile(file=p.name, reason=_reason(p).read_text(encoding="utf-8").strip())
            for p in sorted(folder.iterdir())
            if (p.is_file() or p.is_symlink()) and _reason(p).is_file()]  # links too

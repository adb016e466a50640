"""One night, end to end: inbox → store → run → report, statements, summary.json.

    night = run_night(store, Path("inbox"), Path("out"), date(2026, 11, 1), settings)

1. Every new file in the inbox (top level; not hidden, not *.part or *.tmp) is
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
from datetime import date
from pathlib import Path

import polars as pl

from etc.codes import CATEGORY, Code, Severity
from etc.context import Period
from etc.errors import EtcError, UsageError
from etc.ingest import FileResult, expand, ingest_paths, sha256_file
from etc.render import write_report, write_statement
from etc.render.atomic import write_atomic
from etc.render.mask import mask_report, mask_statement
from etc.reports import Report, State
from etc.settings import Settings
from etc.store import Store
from etc.summary import CodeTally, InputFile, Lifecycle, RefusedFile, Summary, Tally
from ledgers.statement import build_statement
from reconcile.engine import reconcile
from reconcile.manifest import inputs_sha256, run_id
from reconcile.report import build_report

Progress = Callable[[str, float], None]
ARCHIVE, REFUSED, REASON = "archive", "refused", ".reason.txt"
SKIP_SUFFIXES = (".part", ".tmp", ".partial")


@dataclass(frozen=True)
class Night:
    """What a nightly run did; the files are in `folder`."""

    day: date
    run_id: str
    reused: bool
    """True when the run existed already (same inputs, settings and code)."""
    files: list[FileResult]
    """This invocation's inbox files, as loaded (empty when the inbox was)."""
    folder: Path
    outputs: list[Path]
    summary: Summary


def inbox_files(inbox: Path) -> list[Path]:
    """The files waiting in the inbox, by name (UsageError when archive/ or
    refused/ is taken by a file, before anything is loaded)."""
    for name in (ARCHIVE, REFUSED):
        if (inbox / name).exists() and not (inbox / name).is_dir():
            raise UsageError(f"{name!r} in the inbox is a file, not a folder", path=inbox,
                             hint=f"move it away: the inbox keeps its {name} folder there")
    return [p for p in expand([inbox]) if not p.name.endswith(SKIP_SUFFIXES)]


def run_night(store: Store, inbox: Path, out: Path, day: date, settings: Settings, *,
              reveal: bool = False, progress: Progress | None = None) -> Night:
    say = progress or (lambda step, done: None)
    files = inbox_files(inbox)
    say("loading", 0.0)
    results = ingest_paths(store, files, None)
    for path, result in zip(files, results, strict=True):
        file_away(inbox, path, result, day)
    period = Period(day, day)
    run = run_id(period, settings.digest(), inputs_sha256(store.load_manifest()))
    reused = store.has_run(run)
    if not reused:
        reconcile(store, period, settings,
                  progress=lambda step, done: say(step, 0.1 + 0.6 * done))
    say("report", 0.7)
    folder = out / day.isoformat()
    report = build_report(store, run, settings.severity.fail_at)
    shown = report if reveal else mask_report(report)
    outputs = [write_report(shown, folder / "report.html"),
               write_report(shown, folder / "report.xlsx")]
    for operator in operators(store):
        say(f"statement {operator}", 0.8)
        statement = build_statement(store, operator, day, day, run_id=run)
        statement = statement if reveal else mask_statement(statement)
        for suffix in (".csv", ".pdf"):
            outputs.append(write_statement(statement, folder / f"statement-{operator}{suffix}"))
    summary = summarise(store, report, settings.severity.fail_at, inbox,
                        [p.name for p in outputs])
    target = folder / "summary.json"
    write_atomic(target, lambda tmp: _write_text(tmp, summary.to_json()))
    say("done", 1.0)
    return Night(day=day, run_id=run, reused=reused, files=results, folder=folder,
                 outputs=[*outputs, target], summary=summary)


def file_away(inbox: Path, path: Path, result: FileResult, day: date) -> Path:
    """Move a processed inbox file to archive/<day>/ (loaded, or loaded before) or
    to refused/<day>/ with its reason beside it; returns where it went. A
    same-named file already there with the same content is replaced; another
    keeps its name and this one gets a numbered one."""
    refused = result.status == "refused"
    folder = inbox / (REFUSED if refused else ARCHIVE) / day.isoformat()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = _free(folder, path, refused)
        shutil.move(path, target)
        if refused:
            reason = (result.error or "refused").replace(str(path), path.name)
            _reason(target).write_text(reason + "\n", encoding="utf-8")
    except OSError as exc:
        raise EtcError(f"cannot file away {path.name}: {exc.strerror or exc}",
                       path=folder) from None
    return target


def _reason(path: Path) -> Path:
    return path.with_name(path.name + REASON)


def _free(folder: Path, path: Path, refused: bool) -> Path:
    """folder/name, unless a different file holds that name (or, for a refused
    file, its reason's name): then name-1, name-2 …"""
    candidate, n = folder / path.name, 0
    while ((candidate.exists() and sha256_file(candidate) != sha256_file(path))
           or (refused and _reason(candidate).exists() and not candidate.exists())):
        n += 1
        candidate = folder / f"{path.stem}-{n}{path.suffix}"
    return candidate


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")


def operators(store: Store) -> list[str]:
    """Every operator with a station in the store, sorted."""
    ops = store.table("stations").select("operator_id").unique().collect()["operator_id"]
    return sorted(str(o) for o in ops.drop_nulls())


def summarise(store: Store, report: Report, fail_at: Severity, inbox: Path,
              outputs: list[str]) -> Summary:
    """The summary of a run's report (stable: no clock, no inbox activity)."""
    found = report.findings

    def tally(frame: pl.DataFrame) -> Tally:
        return Tally(findings=frame.height,
                     amount_at_risk_vnd=int(frame["amount_at_risk_vnd"].sum()))

    by_code = [CodeTally(code=c.value, category=CATEGORY[c].value,
                         **tally(found.filter(pl.col("code") == c.value)).model_dump())
               for c in Code if (found["code"] == c.value).any()]
    n_failing = report.failing()
    loads = store.loads().filter(pl.col("load_id").is_in(report.run.inputs["load_id"].to_list()))
    inputs = [InputFile(file=Path(r["file"]).name, kind=r["kind"], sha256=r["sha256"],
                        rows_read=r["rows_read"], rows_loaded=r["rows_loaded"],
                        rows_present=r["rows_present"], rows_quarantined=r["rows_quarantined"])
              for r in loads.sort("load_id").iter_rows(named=True)]
    traffic = store.run_table("traffic", report.run.run_id)
    return Summary(
        business_date=report.run.last_date, run_id=report.run.run_id,
        code_version=report.run.code_version, settings_sha256=report.run.settings_sha256,
        inputs_sha256=report.run.inputs_sha256, passages=int(traffic["passages"].sum()),
        findings=found.height, amount_at_risk_vnd=report.total_at_risk_vnd,
        by_category={c: tally(found.filter(pl.col("category") == c))
                     for c in ("TAG", "MONEY", "FRAUD")},
        by_severity={s.value: tally(found.filter(pl.col("severity") == s.value))
                     for s in Severity},
        by_code=by_code,
        lifecycle=Lifecycle(new=report.count(State.NEW), open=report.count(State.OPEN),
                            resolved=report.count(State.RESOLVED)),
        fail_at=fail_at.value, failing=n_failing, exit_status=1 if n_failing else 0,
        inputs=inputs, refused=refused_files(inbox, report.run.last_date), outputs=outputs,
    )


def refused_files(inbox: Path, day: date) -> list[RefusedFile]:
    """The files refused on the night of `day` (INBOX/refused/<day>/), by name,
    each with the reason written beside it."""
    folder = inbox / REFUSED / day.isoformat()
    if not folder.is_dir():
        return []
    return [RefusedFile(file=p.name, reason=_reason(p).read_text(encoding="utf-8").strip())
            for p in sorted(folder.iterdir()) if p.is_file() and _reason(p).is_file()]

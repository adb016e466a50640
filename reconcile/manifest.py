"""What identifies a run and what its `runs` row records.

A run's id is derived from its content, not from the clock: the period, the
settings' digest, the digest of every file loaded so far, the as-of time and the
code version. The same files and settings give the same id in any load order, so
re-running replaces the run and its exports are byte-identical.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

import polars as pl

import etc
from etc.codes import Code
from etc.context import Period
from etc.settings import Settings
from etc.store import LoadRef, RunManifest


def inputs_sha256(loads: Iterable[LoadRef]) -> str:
    """sha256 of the sorted distinct sha256s of the loaded files (one per line)."""
    hashes = sorted({ref.sha256 for ref in loads})
    return hashlib.sha256("\n".join(hashes).encode()).hexdigest()


def run_id(period: Period, settings_sha256: str, inputs_digest: str, as_of: datetime,
           version: str = etc.__version__) -> str:
    """`R<first>-<last>-` and the first 10 hex digits of sha256(first, last,
    settings digest, inputs digest, as-of instant in UTC, code version), e.g.
    R20261101-20261102-3f9a…"""
    text = "\n".join([period.first.isoformat(), period.last.isoformat(), settings_sha256,
                      inputs_digest, as_of.astimezone(UTC).isoformat(), version])
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    return f"R{period.first:%Y%m%d}-{period.last:%Y%m%d}-{digest}"


def counts_by_code(findings: pl.DataFrame) -> dict[str, dict[str, int]]:
    """code → {"findings": n, "amount_at_risk_vnd": Σ}, for every code (zeros
    included), in the catalogue's order."""
    sums = findings.group_by("code").agg(
        pl.len().alias("findings"), pl.col("amount_at_risk_vnd").sum().alias("amount"))
    found = {c: (int(n), int(m)) for c, n, m in sums.iter_rows()}
    return {code.value: {"findings": found.get(code.value, (0, 0))[0],
                         "amount_at_risk_vnd": found.get(code.value, (0, 0))[1]}
            for code in Code}


def manifest(
    *,
    run: str,
    period: Period,
    settings: Settings,
    loads: tuple[LoadRef, ...],
    findings: pl.DataFrame,
    pending: pl.DataFrame,
    as_of: datetime,
    passages: int,
    started_at: datetime,
    ended_at: datetime,
    timings: Mapping[str, float],
) -> RunManifest:
    """The `runs` row of a run whose findings are `findings`."""
    return RunManifest(
        run_id=run,
        first_date=period.first,
        last_date=period.last,
        settings_json=settings.canonical_json(),
        settings_sha256=settings.digest(),
        code_version=etc.__version__,
        loads=loads,
        inputs_sha256=inputs_sha256(loads),
        as_of=as_of,
        passages=passages,
        pending=pending.height,
        started_at=started_at,
        ended_at=ended_at,
        findings=findings.height,
        counts=counts_by_code(findings),
        timings=dict(timings),
    )

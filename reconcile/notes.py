"""Notes on findings: what `etc note` adds and what reports show of them.

A note is given on a finding by its id (as the report shows it, etc.findings.
finding_id) or on an identity across runs (a code and its key text, as
`etc findings` and the report's Resolved table write it: `txn_id=T1`,
`station_id=ST01|lane_id=L02`). It is stored on the code and identity
(etc.store.notes), so it follows that identity into every later run; the latest
note is the one in force. Reports show each finding's note state and text, and
summary.json counts findings by note state. A finding whose note state is one of
`[notes] pass_states` (EXPLAINED and FALSE_POSITIVE by default) no longer fails
the night; `[notes] critical_note_days` (0: off) makes a night fail while a
CRITICAL finding open that many days or more has no note.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from etc.errors import UsageError
from etc.findings import finding_ids
from etc.store import Store
from etc.store.notes import NOTE_STATES, Target

NO_NOTE = "NONE"
"""The note state of a finding without a note (summary.json's key for them)."""


def target_of(store: Store, finding: str | None, code: str | None,
              identity: str | None) -> Target:
    """What a note goes on: a finding id, or a code and identity some run found
    (a UsageError for anything else)."""
    if finding is not None:
        if code is not None or identity is not None:
            raise UsageError("give a finding id or --code with --identity, not both")
        wanted = finding.strip()
        wanted = "F" + wanted[1:].lower() if wanted[:1] in "fF" else wanted
        found = store.finding_by_id(wanted)
        if found is None:
            raise UsageError(f"no finding {finding!r} in any run", path=store.path,
                             hint="the id is in the report's first column (F and 10 hex digits)")
        return found
    if code is None or identity is None:
        raise UsageError("say what the note is on: a finding id, or --code and --identity",
                         hint="e.g. etc note F1a2b3c4d5e --state EXPLAINED --author A --text T")
    code = code.strip().upper()
    if not store.identity_known(code, identity):
        raise UsageError(f"no run found {code} {identity!r}", path=store.path,
                         hint="identities are written as in the report's Resolved table, "
                              "e.g. txn_id=T1 or station_id=ST01|lane_id=L02")
    return Target(code=code, identity=identity)


def add_note(store: Store, target: Target, state: str, author: str, text: str,
             now: datetime) -> int:
    """Append a note (state checked, author and text not blank); returns its id."""
    state = state.strip().upper()
    if state not in NOTE_STATES:
        raise UsageError(f"unknown note state {state!r}", hint="one of " + ", ".join(NOTE_STATES))
    if not author.strip():
        raise UsageError("a note needs an author", hint="--author NAME")
    if not text.strip():
        raise UsageError("a note needs a text", hint="--text '…'")
    return store.add_note(target, state, author.strip(), text.strip(), now)


def with_notes(found: pl.DataFrame, latest: pl.DataFrame) -> pl.DataFrame:
    """`found` (with code, identity, business_date) with its finding_id, and the
    state and text ("text — author, YYYY-MM-DD") of each finding's latest note."""
    notes = latest.select(
        "code", "identity", pl.col("state").alias("note_state"),
        pl.concat_str([pl.col("text"), pl.lit(" — "), pl.col("author"), pl.lit(", "),
                       pl.col("noted_at").dt.strftime("%Y-%m-%d")]).alias("note_text"))
    return (found.with_columns(finding_ids(found))
            .join(notes, on=["code", "identity"], how="left", maintain_order="left"))


def by_note_state(found: pl.DataFrame) -> dict[str, int]:
    """Findings per note state, every state and NONE included."""
    states = (found["note_state"].fill_null(NO_NOTE) if "note_state" in found.columns
              else pl.Series([NO_NOTE] * found.height, dtype=pl.String))
    return {s: int((states == s).sum()) for s in (*NOTE_STATES, NO_NOTE)}


def unnoted_critical(found: pl.DataFrame, days: int) -> int:
    """CRITICAL findings open `days` days or more without a note (0 when days is 0)."""
    if days <= 0 or found.height == 0:
        return 0
    return int(found.filter((pl.col("severity") == "CRITICAL")
                            & (pl.col("days_open").fill_null(0) >= days)
                            & pl.col("note_state").is_null()).height)

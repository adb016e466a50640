"""summary.json: what a nightly run found, for machines (monitoring, archives).

One pydantic model, written in its field order with two-space indentation.
It holds no wall-clock time: the same night run twice gives the same bytes.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Tally(_Frozen):
    findings: int = Field(description="Number of findings.")
    amount_at_risk_vnd: int = Field(description="Σ money at risk, VND.")


class CodeTally(_Frozen):
    code: str
    category: str
    findings: int
    amount_at_risk_vnd: int


class Lifecycle(_Frozen):
    new: int = Field(description="Findings no earlier run had (or had resolved).")
    open: int = Field(description="Findings an earlier run had too, still unresolved.")
    resolved: int = Field(description="Identities earlier runs had that this run no longer finds.")


class InputFile(_Frozen):
    file: str = Field(description="File name as loaded.")
    kind: str
    sha256: str
    rows_read: int
    rows_loaded: int
    rows_present: int = Field(description="Rows already stored by an earlier file.")
    rows_quarantined: int


class RefusedFile(_Frozen):
    file: str = Field(description="Name in the inbox's refused/<date>/ folder.")
    reason: str = Field(description="Why the whole file was refused.")


class Pending(_Frozen):
    items: int = Field(description="Findings not yet due as of the run's as-of time.")
    amount_at_risk_vnd: int = Field(description="Their Σ money at risk, VND.")
    due_by: datetime | None = Field(description="When the last of them falls due (UTC).")


class Rerun(_Frozen):
    business_date: date = Field(description="An earlier date reconciled again tonight.")
    run_id: str
    reasons: list[str] = Field(description="Why: pending items, or the kinds of data that "
                                           "arrived since its previous run.")
    findings: int
    pending: int


class Summary(_Frozen):
    """The night's verdict."""

    business_date: date
    run_id: str | None = Field(description="None when the date could not be reconciled.")
    as_of: datetime | None = Field(description="What was due was judged as of this instant.")
    code_version: str
    settings_sha256: str
    inputs_sha256: str = Field(description="sha256 over the sorted sha256s of every input file.")
    passages: int = Field(description="Passages of the business date.")
    findings: int
    amount_at_risk_vnd: int
    by_category: dict[str, Tally] = Field(description="TAG, MONEY, FRAUD (all three).")
    by_severity: dict[str, Tally] = Field(description="LOW … CRITICAL (all four).")
    by_code: list[CodeTally] = Field(description="Codes with findings, in catalogue order.")
    notes: dict[str, int] = Field(
        default_factory=dict,
        description="Findings by the state of their latest note: EXPLAINED, DISPUTED, "
                    "CONFIRMED_LOSS, FALSE_POSITIVE and NONE (no note).")
    lifecycle: Lifecycle
    pending: Pending
    reruns: list[Rerun] = Field(description="Earlier dates reconciled again (look-back).")
    problems: list[str] = Field(description="What makes the night fail besides findings: no "
                                            "passages, a refused lanes file.")
    fail_at: str = Field(description="Severity at or above which the night fails.")
    failing: int = Field(description="Findings at or above fail_at.")
    exit_status: int = Field(description="0: no finding at or above fail_at and no problem; "
                                         "1: otherwise.")
    inputs: list[InputFile] = Field(description="Every file the run rests on, in load order.")
    refused: list[RefusedFile] = Field(description="Files refused on this night.")
    outputs: list[str] = Field(description="Files written beside this summary.")

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"

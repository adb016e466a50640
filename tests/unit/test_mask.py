"""Masking for the road authority's eyes: plates keep their first three and last
two characters, accounts their last four, wherever they occur in text."""

from __future__ import annotations

import polars as pl
import pytest
from reportsamples import PENDING, sample_report, sample_statement

from etc.render.mask import (
    mask_account,
    mask_frame,
    mask_plate,
    mask_report,
    mask_statement,
    mask_text,
)


@pytest.mark.parametrize(("plate", "masked"), [
    ("51H12345", "51H-***.45"), ("51H-123.45", "51H-***.45"), ("29A1234", "29A-**.34"),
    ("KA1234", "KA1-*.34"), ("AB123", "***23"), ("AB1", "***"),
])
def test_plates(plate: str, masked: str) -> None:
    assert mask_plate(plate) == masked


def test_accounts_keep_their_last_four() -> None:
    assert mask_account("0071000123456") == "*********3456"
    assert mask_account("1234") == "****"


def test_text_masks_plates_after_the_word_and_civil_plates_anywhere_and_accounts() -> None:
    text = ("ANPR read plate KA-12-34 but tag E28011606000020000000001 is registered to "
            "51H12345; credit on account 0071000123456/E7 at ST01-20261101-0000042")
    assert mask_text(text, ("0071000123456",)) == (
        "ANPR read plate KA1-*.34 but tag E28011606000020000000001 is registered to "
        "51H-***.45; credit on account *********3456/E7 at ST01-20261101-0000042")
    assert mask_text(None, ()) is None


def test_only_text_columns_that_can_hold_them_are_masked() -> None:
    frame = pl.DataFrame({"plate": ["51H12345", None], "txn_id": ["51H12345", "T2"],
                          "detail": ["to plate 30A98765", "nothing"], "amount": [1, 2]})
    out = mask_frame(frame, ())
    assert out["plate"].to_list() == ["51H-***.45", None]
    assert out["txn_id"].to_list() == ["51H12345", "T2"]  # an id, not a plate column
    assert out["detail"].to_list() == ["to plate 30A-***.65", "nothing"]
    assert out["amount"].to_list() == [1, 2]


def test_a_masked_report_shows_no_plate_or_account_of_its_findings() -> None:
    report = sample_report()
    masked = mask_report(report)
    text = str(masked.findings.rows()) + str(masked.resolved.rows())
    plates = set(report.findings["plate"].drop_nulls())
    assert plates and not any(p in text for p in plates)
    assert not any(a in text for a in report.accounts)
    assert masked.findings.height == report.findings.height
    assert masked.findings["amount_at_risk_vnd"].equals(report.findings["amount_at_risk_vnd"])


def test_a_plate_in_an_identity_is_masked_whatever_its_shape() -> None:
    frame = pl.DataFrame({"identity": ["plate=TM0118", "station_id=ST01|lane_id=L02"],
                          "key": ["plate=51H12345", "txn_id=T1"]})
    out = mask_frame(frame, ())
    assert out["identity"].to_list() == ["plate=TM0-*.18", "station_id=ST01|lane_id=L02"]
    assert out["key"].to_list() == ["plate=51H-***.45", "txn_id=T1"]


def test_a_masked_report_shows_no_plate_or_account_of_its_pending_items() -> None:
    report = sample_report(pending=PENDING)
    masked = mask_report(report)
    assert masked.pending.columns == report.pending.columns
    assert masked.pending.height == 3
    text = str(masked.pending.rows())
    assert "51H67890" not in text and "0071000123456" not in text
    assert masked.pending["plate"].to_list() == [None, "51H-***.90", None]
    assert masked.pending["entry_id"].to_list() == ["*********3456/E88", None, None]
    assert masked.pending["detail"].to_list() == [
        "credit of 2,000 VND on account *********3456 may still find its batch",
        "no settlement yet for plate 51H-***.90 <b>52,000</b> VND",
        "-batch =B7 has no credit yet on account *********3456"]
    assert masked.pending["amount_at_risk_vnd"].equals(report.pending["amount_at_risk_vnd"])
    assert masked.pending["due_at"].equals(report.pending["due_at"])
    assert report.pending["plate"][1] == "51H67890"       # the model itself is untouched


def test_a_masked_statement_masks_plates_in_what_it_awaits_not_its_accounts() -> None:
    statement = sample_statement(awaiting=True)
    masked = mask_statement(statement)
    assert masked.awaiting["detail"].to_list() == [
        "credit of 2,000 VND may still find its batch",
        "no settlement yet for plate 51H-***.90", "=batch B7 has no credit yet"]
    assert masked.awaiting["key"].to_list() == statement.awaiting["key"].to_list()
    assert masked.awaiting.schema == statement.awaiting.schema

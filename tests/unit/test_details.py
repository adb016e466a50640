"""Detail sentences in Vietnamese (etc.render.details): one template per code,
the stored English untouched, and a sentence no template knows left as it is."""

from __future__ import annotations

from datetime import date

import polars as pl

from etc.render.details import TEMPLATES, translate, translate_frame

SENTENCES = {
    "TARIFF_MISMATCH": (
        "charged 35,000 VND but the tariff of ST01 class 2 on 2026-11-01 is 50,000 VND",
        "thu 35.000 ₫ nhưng biểu phí của trạm ST01 cho xe loại 2 ngày 01/11/2026 là 50.000 ₫"),
    "SETTLEMENT_MISSING": (
        "no settlement item pays the charged ETC passage of 1,250,000 VND on 2026-11-02",
        "không có giao dịch quyết toán nào cho lượt xe ETC đã thu 1.250.000 ₫ ngày 02/11/2026"),
    "EXEMPT_UNLISTED": (
        "FREE_PASS by S12 passage at ST02 with plate 51H-***.45, which is not on the exemption "
        "list on 2026-11-01: 35,000 VND (class 1) not collected",
        "lượt xe FREE_PASS do nhân viên S12 cho qua tại trạm ST02 với biển số 51H-***.45, không "
        "có trong danh sách miễn phí ngày 01/11/2026: 35.000 ₫ (xe loại 1) không được thu"),
    "CASH_SHARE_SPIKE": (
        "lane L03 of ST05 took 120 of its 400 passages in cash on 2026-11-09 (30.0 %), against "
        "a median of 8.5 % over the 8 days with passages in the 28 before (3.5×, +21.5 points; "
        "limit 3× and +10 points): 86 cash passages (3,010,000 VND) beyond the usual share "
        "(limit 20)",
        "làn L03 của trạm ST05 thu tiền mặt 120 trên 400 lượt xe ngày 09/11/2026 (30,0 %), so "
        "với trung vị 8,5 % của 8 ngày có lượt xe trong 28 ngày trước đó (3,5×, +21,5 điểm; "
        "giới hạn 3× và +10 điểm): 86 lượt tiền mặt (3.010.000 ₫) vượt tỷ lệ thông thường "
        "(giới hạn 20)"),
}


def test_known_sentences_in_vietnamese() -> None:
    for code, (english, vietnamese) in SENTENCES.items():
        assert translate(code, english, "vi") == vietnamese
        assert translate(code, english, "en") == english


def test_an_unknown_sentence_stays_as_stored() -> None:
    assert translate("SETTLEMENT_MISSING", "something else", "vi") == "something else"
    assert translate("NO_SUCH_CODE", "x 1,000 VND", "vi") == "x 1,000 VND"
    assert translate("SETTLEMENT_MISSING", None, "vi") is None


def test_every_template_has_the_same_fields_in_both_languages() -> None:
    import re
    for code, pairs in TEMPLATES.items():
        for english, vietnamese in pairs:
            assert sorted(re.findall(r"\{(\w+)\}", english)) == \
                sorted(re.findall(r"\{(\w+)\}", vietnamese)), code


def test_a_frame_keeps_its_order_and_other_columns() -> None:
    english = SENTENCES["SETTLEMENT_MISSING"][0]
    frame = pl.DataFrame({"code": ["SETTLEMENT_MISSING", "X", "SETTLEMENT_MISSING"],
                          "detail": [english, "as is", None],
                          "business_date": [date(2026, 11, 2)] * 3})
    out = translate_frame(frame, "vi")
    assert out.columns == frame.columns
    assert out["detail"].to_list() == [SENTENCES["SETTLEMENT_MISSING"][1], "as is", None]
    assert translate_frame(frame, "en").equals(frame)

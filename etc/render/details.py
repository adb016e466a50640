"""Finding detail sentences in the reader's language, at render time.

The rules write each finding's detail in English (the stored findings and
`etc findings` exports keep it: findings.md's contract). A report or statement
in Vietnamese shows each one through one template per code (two or three for
the codes whose sentence has variants): the English sentence with named fields
is matched whole, and the Vietnamese one is filled with the same fields, money
as `1.250.000 ₫`, dates as dd/mm/yyyy. A field's type follows its name's
suffix: `_n` a number, `_d` a date or time, `_p` a phrase (translated by
PHRASES). A sentence no template matches (an older run's wording) is shown as
stored, in English, rather than guessed.
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl

from etc.render.lang import Lang, iso_day, numbers_in

TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    "TAG_MALFORMED": (
        ("ETC passage has no tag_id", "Lượt xe ETC không có mã thẻ (tag_id)"),
        ("ETC passage's tag_id '{tag}' ({len_n} characters) is not 24 hexadecimal characters",
         "Mã thẻ '{tag}' của lượt xe ETC ({len_n} ký tự) không phải 24 ký tự thập lục phân")),
    "TAG_UNKNOWN": ((
        "tag {tag} has no row in the tag list at or before {at_d} (local); {amt_n} VND at risk",
        "thẻ {tag} không có trong danh sách thẻ tại hoặc trước {at_d} (giờ địa phương); "
        "{amt_n} ₫ có rủi ro"),),
    "TAG_NOT_ACTIVE": ((
        "tag {tag} was {status} at {at_d} (local) yet the passage was let through with {amt_n} "
        "VND charged",
        "thẻ {tag} ở trạng thái {status} lúc {at_d} (giờ địa phương) nhưng lượt xe vẫn được cho "
        "qua và thu {amt_n} ₫"),),
    "TAG_LOW_BALANCE": ((
        "tag {tag} was LOW_BALANCE at {at_d} (local): {amt_n} VND debited on credit",
        "thẻ {tag} thiếu số dư (LOW_BALANCE) lúc {at_d} (giờ địa phương): {amt_n} ₫ bị ghi nợ"),),
    "PLATE_MULTI_TAG": ((
        "at the end of {day_d}, {tags_n} tags registered to plate {plate} are ACTIVE or "
        "LOW_BALANCE (2 or more is a finding): {tags}",
        "cuối ngày {day_d}, {tags_n} thẻ đăng ký cho biển số {plate} đang hoạt động (ACTIVE "
        "hoặc LOW_BALANCE; từ 2 thẻ trở lên là một phát hiện): {tags}"),),
    "TAG_CLASS_MISMATCH": ((
        "the lane measured class {m_n} but tag {tag} is registered for class {r_n}",
        "làn đo được xe loại {m_n} nhưng thẻ {tag} đăng ký cho xe loại {r_n}"),),
    "TAG_PLATE_MISMATCH": ((
        "ANPR read plate {plate} with confidence {c_n} (threshold {th_n}) but tag {tag} is "
        "registered to plate {tplate}",
        "camera nhận dạng (ANPR) đọc biển số {plate} với độ tin cậy {c_n} (ngưỡng {th_n}) nhưng "
        "thẻ {tag} đăng ký cho biển số {tplate}"),),
    "TAG_POOR_READ": ((
        "tag {tag} passed {n_n} times from {a_d} to {b_d}, {bad_n} of them unread or weak (rssi "
        "below {rssi_n} dBm): {share_n} against thresholds of {min_n} passages and {th_n}",
        "thẻ {tag} qua trạm {n_n} lần từ {a_d} đến {b_d}, {bad_n} lần không đọc được hoặc tín "
        "hiệu yếu (rssi dưới {rssi_n} dBm): {share_n} so với ngưỡng {min_n} lượt và {th_n}"),),
    "LANE_READ_DEGRADED": ((
        "lane {lane} of {st} had {u_n} of {n_n} ETC passages unread ({s_n}) against a median of "
        "{m_n} over the station's {o_n} other lanes (thresholds {th_n} and {r_n}× the median)",
        "làn {lane} của trạm {st} có {u_n} trên {n_n} lượt ETC không đọc được thẻ ({s_n}), so "
        "với trung vị {m_n} của {o_n} làn khác của trạm (ngưỡng {th_n} và {r_n}× trung vị)"),),
    "TARIFF_MISMATCH": (
        ("charged {a_n} VND but no tariff of {st} class {c_n} holds on {d_d}",
         "thu {a_n} ₫ nhưng không có biểu phí nào của trạm {st} cho xe loại {c_n} áp dụng ngày "
         "{d_d}"),
        ("charged {a_n} VND but the tariff of {st} class {c_n} on {d_d} is {t_n} VND",
         "thu {a_n} ₫ nhưng biểu phí của trạm {st} cho xe loại {c_n} ngày {d_d} là {t_n} ₫")),
    "SETTLEMENT_MISSING": ((
        "no settlement item pays the charged ETC passage of {a_n} VND on {d_d}",
        "không có giao dịch quyết toán nào cho lượt xe ETC đã thu {a_n} ₫ ngày {d_d}"),),
    "SETTLEMENT_AMOUNT_MISMATCH": ((
        "first item {s} of {p} pays {a_n} VND but the passage was charged {b_n} VND",
        "giao dịch quyết toán đầu tiên {s} của {p} trả {a_n} ₫ nhưng lượt xe đã thu {b_n} ₫"),),
    "SETTLEMENT_DUPLICATE": ((
        "item {s} of {p} pays {a_n} VND for passage {txn}, already settled by item {f}",
        "giao dịch quyết toán {s} của {p} trả {a_n} ₫ cho lượt xe {txn}, vốn đã được quyết toán "
        "bởi giao dịch {f}"),),
    "SETTLEMENT_WRONG_PROVIDER": ((
        "item {s} of {a_n} VND was settled by {p} but tag {tag} of passage {txn} was issued by {q}",
        "giao dịch quyết toán {s} trị giá {a_n} ₫ do {p} quyết toán nhưng thẻ {tag} của lượt xe "
        "{txn} do {q} phát hành"),),
    "SETTLEMENT_ORPHAN": (
        ("item {s} of {p} pays {a_n} VND for passage {txn}, which was VOID",
         "giao dịch quyết toán {s} của {p} trả {a_n} ₫ cho lượt xe {txn}, lượt xe này đã bị hủy "
         "(VOID)"),
        ("item {s} of {p} pays {a_n} VND for txn_id {txn}, which no loaded passage has",
         "giao dịch quyết toán {s} của {p} trả {a_n} ₫ cho mã giao dịch {txn}, không lượt xe nào "
         "đã nạp có mã này")),
    "SETTLEMENT_LATE": ((
        "first item {s} was settled at {at_d} local, not before the deadline {dl_d} 00:00 local "
        "(business date {d_d} + {k_n} day(s))",
        "giao dịch quyết toán đầu tiên {s} được quyết toán lúc {at_d} giờ địa phương, sau hạn "
        "00:00 ngày {dl_d} (ngày nghiệp vụ {d_d} + {k_n} ngày)"),),
    "BATCH_UNPAID": ((
        "batch {b} ({n_n} items, net {a_n} VND, last item {d_d}) has no credit on account "
        "{acc_p} by reference, remittance text or amount within {w_n} days of its last item",
        "lô {b} ({n_n} giao dịch, thực nhận {a_n} ₫, giao dịch cuối ngày {d_d}) không có khoản "
        "ghi có nào trên tài khoản {acc_p} theo mã tham chiếu, nội dung chuyển tiền hay số tiền "
        "trong vòng {w_n} ngày sau giao dịch cuối"),),
    "BATCH_AMOUNT_MISMATCH": ((
        "batch {b} was credited {c_n} VND in {k_n} credit(s) matched by {m} but its net is {n_n} "
        "VND (gross {g_n} − fee {f_n} VND), a difference of {d_n} VND",
        "lô {b} được ghi có {c_n} ₫ qua {k_n} khoản, khớp theo {m}, nhưng số thực nhận là {n_n} ₫ "
        "(tổng {g_n} ₫ − phí {f_n} ₫), chênh lệch {d_n} ₫"),),
    "BANK_UNMATCHED_CREDIT": ((
        "credit {e} of {a_n} VND on account {acc} booked {d_d} (reference {ref_p}) names no "
        "known batch and its amount equals the net of no single unpaid batch of that account "
        "within {w_n} days",
        "khoản ghi có {e} trị giá {a_n} ₫ trên tài khoản {acc} hạch toán ngày {d_d} (tham chiếu "
        "{ref_p}) không nêu lô nào đã biết và số tiền không bằng số thực nhận của đúng một lô "
        "chưa thanh toán nào của tài khoản đó trong vòng {w_n} ngày"),),
    "DOUBLE_CHARGE": ((
        "tag {tag} charged {a_n} VND at {st} by {txn} at {at_d}, {s_n} s after {p} charged {b_n} "
        "VND there (window {w_n} s)",
        "thẻ {tag} bị thu {a_n} ₫ tại trạm {st} bởi giao dịch {txn} lúc {at_d}, {s_n} giây sau "
        "khi giao dịch {p} đã thu {b_n} ₫ tại đó (cửa sổ {w_n} giây)"),),
    "TAG_CLONE": ((
        "tag {tag} passed {a} at {at_d} ({p}) and {b} {m_n} min later ({txn}): {km_n} km apart, "
        "{speed_p} over the {lim_n} km/h limit (stations at least {min_n} km apart)",
        "thẻ {tag} qua trạm {a} lúc {at_d} ({p}) và trạm {b} {m_n} phút sau ({txn}): cách nhau "
        "{km_n} km, tốc độ {speed_p}, vượt giới hạn {lim_n} km/h (các trạm cách nhau ít nhất "
        "{min_n} km)"),),
    "CLASS_UNDERCHARGE": ((
        "charged class {c_n} ({ct_p}) but the lane measured class {m_n} ({mt_p}) at {st} on "
        "{d_d}: {tail_p}",
        "thu theo xe loại {c_n} ({ct_p}) nhưng làn đo được xe loại {m_n} ({mt_p}) tại trạm {st} "
        "ngày {d_d}: {tail_p}"),),
    "EXEMPT_UNLISTED": ((
        "{how_p} passage at {st} with {plate_p}, which is not on the exemption list on {d_d}: "
        "{money_p} (class {c_n}) not collected",
        "lượt xe {how_p} tại trạm {st} với {plate_p}, không có trong danh sách miễn phí ngày "
        "{d_d}: {money_p} (xe loại {c_n}) không được thu"),),
    "STAFF_OVERRIDE_OUTLIER": ((
        "{staff} made {n_n} overrides at {st} on {d_d} (CLASS {a_n}, VOID {b_n}, FREE_PASS "
        "{c_n}), at least {min_n} and {r_n}× the median {m_n} of the {k_n} staff with overrides "
        "there (limit {lim_n}×)",
        "nhân viên {staff} can thiệp {n_n} lần tại trạm {st} ngày {d_d} (CLASS {a_n}, VOID {b_n}, "
        "FREE_PASS {c_n}), tối thiểu {min_n} và gấp {r_n} lần trung vị {m_n} của {k_n} nhân viên "
        "có can thiệp tại đó (giới hạn {lim_n}×)"),),
    "PASSAGES_HIDDEN": ((
        "the authority's sensor {src_p} counted {c_n} vehicles on lane {lane} of {st} on {d_d} "
        "in {i_n} intervals ({h_n} h covered) but the lane recorded {r_n} passages in them: "
        "{x_n} more ({share_p}; limit {lv_n} and {ls_n}); worst hours {worst_p}; {v_n} VND at "
        "the tariff of the counted classes",
        "cảm biến {src_p} của cơ quan quản lý đếm được {c_n} xe trên làn {lane} của trạm {st} "
        "ngày {d_d} trong {i_n} khoảng ({h_n} giờ có số liệu) nhưng làn chỉ ghi nhận {r_n} lượt: "
        "nhiều hơn {x_n} ({share_p}; giới hạn {lv_n} và {ls_n}); các giờ chênh nhiều nhất "
        "{worst_p}; {v_n} ₫ theo biểu phí của các loại xe được đếm"),),
    "CASH_SHARE_SPIKE": ((
        "lane {lane} of {st} took {c_n} of its {n_n} passages in cash on {d_d} ({s_n} %), "
        "against a median of {m_n} % over the {k_n} days with passages in the {lb_n} before "
        "({ratio_p}, +{pts_n} points; limit {lr_n}× and +{lp_n} points): {x_n} cash passages "
        "({xv_n} VND) beyond the usual share (limit {lx_n})",
        "làn {lane} của trạm {st} thu tiền mặt {c_n} trên {n_n} lượt xe ngày {d_d} ({s_n} %), so "
        "với trung vị {m_n} % của {k_n} ngày có lượt xe trong {lb_n} ngày trước đó ({ratio_p}, "
        "+{pts_n} điểm; giới hạn {lr_n}× và +{lp_n} điểm): {x_n} lượt tiền mặt ({xv_n} ₫) vượt "
        "tỷ lệ thông thường (giới hạn {lx_n})"),),
}
"""Per code: (English sentence with named fields, Vietnamese sentence), tried in order."""

PHRASES: tuple[tuple[str, str], ...] = (
    (r"^\(station unknown\)$", "(không rõ trạm)"),
    (r"^empty$", "trống"),
    (r"^an infinite speed$", "vô hạn"),
    (r"^no tariff$", "không có biểu phí"),
    (r"^(.+) VND short$", r"thiếu \1 ₫"),
    (r"^(.+) VND$", r"\1 ₫"),
    (r"^difference unknown without both tariffs, 0 VND counted$",
     "chưa rõ chênh lệch vì thiếu biểu phí, tính 0 ₫"),
    (r"^FREE_PASS by unknown staff$", "FREE_PASS do nhân viên không rõ cho qua"),
    (r"^FREE_PASS by (.+)$", r"FREE_PASS do nhân viên \1 cho qua"),
    (r"^EXEMPT$", "miễn phí (EXEMPT)"),
    (r"^no plate read$", "không đọc được biển số"),
    (r"^plate (.+)$", r"biển số \1"),
    (r"^\(no source\)$", "(không rõ nguồn)"),
    (r"^all of them$", "toàn bộ"),
    (r"^none$", "không có"),
    (r"^from none$", "từ mức 0"),
)


@cache
def _compiled(code: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    out = []
    for english, vietnamese in TEMPLATES.get(code, ()):
        parts = re.split(r"\{(\w+)\}", english)
        pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)"
                          for i, p in enumerate(parts))
        out.append((re.compile(f"^{pattern}$", re.S), vietnamese))
    return tuple(out)


def _field(name: str, value: str) -> str:
    if name.endswith("_p"):
        for pattern, repl in PHRASES:
            if re.match(pattern, value):
                return numbers_in("vi", re.sub(pattern, repl, value))
        return numbers_in("vi", value)
    if name.endswith("_n"):
        return numbers_in("vi", value)
    if name.endswith("_d"):
        return iso_day("vi", value)
    return value


def translate(code: str, detail: str | None, lang: Lang) -> str | None:
    """`detail` (a finding of `code`) in `lang`; unchanged in English, or when no
    template of the code matches it."""
    if detail is None or lang == "en":
        return detail
    for pattern, vietnamese in _compiled(code):
        found = pattern.match(detail)
        if found:
            return vietnamese.format(**{k: _field(k, v) for k, v in found.groupdict().items()})
    return detail


def translate_frame(frame: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """`frame`'s `detail` column (beside its `code`) in `lang`."""
    if lang == "en" or frame.height == 0 or "detail" not in frame.columns:
        return frame
    pairs = frame.select("code", "detail").unique()
    mapping = pairs.with_columns(
        pl.struct("code", "detail").map_elements(
            lambda r: translate(r["code"], r["detail"], lang), return_dtype=pl.String)
        .alias("_vi"))
    return (frame.with_row_index("_at").join(mapping, on=["code", "detail"], how="left",
                                             nulls_equal=True)
            .sort("_at").with_columns(pl.coalesce("_vi", "detail").alias("detail"))
            .drop("_at", "_vi"))

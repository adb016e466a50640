"""The message catalogue: every word the report and statements show, in
Vietnamese (`VI`, the default) and English (`EN`), by key.

The labels and sentences live in etc.render.i18n_text (the HTML page),
etc.render.i18n_sheets (XLSX, PDF, CSV) and etc.render.i18n_counted (the counts
and the providers' scorecard), each key with both texts side by side.
Keys group by prefix: `sev.`, `cat.`, `state.`, `note.`, `method.` name codes
that stay English identifiers in the data; `code.` gives each rule code a short
name; `col.` heads a data column in XLSX and PDF tables (English shows the
column name itself, as the exports name it); the rest are labels and sentences
with `{name}` fields (etc.render.lang.t fills them). A few hold trusted markup
(`<strong>`, `<code>`) for the HTML page. tests/unit/test_i18n.py checks that
both languages have every key with the same fields. Finding detail sentences
are translated by etc.render.details, one template per code.
"""

from __future__ import annotations

from etc.render.i18n_counted import COLUMNS_VI, COUNTED_EN, COUNTED_VI
from etc.render.i18n_sheets import SHEETS_EN, SHEETS_VI
from etc.render.i18n_text import TEXT_EN, TEXT_VI

_COLUMNS_VI = {
    "run_id": "Mã lần chạy", "code": "Mã lỗi", "category": "Nhóm", "severity": "Mức độ",
    "business_date": "Ngày nghiệp vụ", "station_id": "Mã trạm", "station_name": "Tên trạm",
    "lane_id": "Làn", "txn_id": "Mã giao dịch", "tag_id": "Mã thẻ", "plate": "Biển số",
    "settlement_id": "Mã quyết toán", "batch_id": "Mã lô", "provider_id": "Nhà cung cấp",
    "entry_id": "Mã bút toán", "staff_id": "Nhân viên",
    "amount_at_risk_vnd": "Số tiền rủi ro (₫)", "detail": "Chi tiết", "state": "Trạng thái",
    "first_seen_date": "Phát hiện lần đầu", "days_open": "Số ngày mở",
    "identity": "Định danh", "last_seen_date": "Thấy lần cuối",
    "last_seen_run": "Lần chạy thấy cuối", "findings": "Số phát hiện",
    "due_local": "Hạn chót (giờ địa phương)", "load_id": "Mã lần nạp", "file": "Tệp",
    "kind": "Loại dữ liệu", "sha256": "sha256", "passages": "Lượt xe",
    "reason": "Lý do", "rows": "Số dòng", "first_row": "Dòng đầu tiên",
    **{f"class{c}_passages": f"Loại {c}: lượt" for c in range(1, 6)},
    **{f"class{c}_gross_vnd": f"Loại {c}: doanh thu (₫)" for c in range(1, 6)},
    "etc_passages": "ETC: lượt", "cash_passages": "Tiền mặt: lượt",
    "exempt_passages": "Miễn phí: lượt", "etc_gross_vnd": "ETC: doanh thu (₫)",
    "cash_gross_vnd": "Tiền mặt: doanh thu (₫)", "exempt_gross_vnd": "Miễn phí: doanh thu (₫)",
    "gross_vnd": "Doanh thu phải thu (₫)", "settled_gross_vnd": "Đã quyết toán (₫)",
    "fee_vnd": "Phí dịch vụ (₫)", "net_vnd": "Thực nhận (₫)", "banked_vnd": "Đã về tài khoản (₫)",
    "settle_gap_vnd": "Chênh lệch quyết toán (₫)", "bank_gap_vnd": "Chênh lệch ngân hàng (₫)",
    "behind": "Phát hiện liên quan", "key": "Khóa", "first_date": "Từ ngày",
    "last_date": "Đến ngày", "started_local": "Bắt đầu (giờ địa phương)",
    "code_version": "Phiên bản", "inputs_sha256": "sha256 dữ liệu đầu vào",
    "unread": "Không đọc được", "unread_share": "Tỷ lệ không đọc được",
    "degraded": "Suy giảm", "finding_id": "Mã phát hiện", "note_state": "Ghi chú",
    "note_text": "Nội dung ghi chú", "operator_name": "Đơn vị vận hành",
    **COLUMNS_VI,
}

_CODES_VI = {
    "TAG_UNKNOWN": "Thẻ không có trong danh sách", "TAG_MALFORMED": "Mã thẻ sai định dạng",
    "TAG_NOT_ACTIVE": "Thẻ không hoạt động vẫn qua trạm",
    "TAG_LOW_BALANCE": "Thẻ thiếu số dư", "PLATE_MULTI_TAG": "Một biển số nhiều thẻ",
    "TAG_CLASS_MISMATCH": "Sai loại xe so với thẻ", "TAG_PLATE_MISMATCH": "Sai biển số so với thẻ",
    "TAG_POOR_READ": "Thẻ khó đọc", "LANE_READ_DEGRADED": "Làn đọc thẻ kém",
    "TARIFF_MISMATCH": "Sai biểu phí", "SETTLEMENT_MISSING": "Thiếu quyết toán",
    "SETTLEMENT_AMOUNT_MISMATCH": "Quyết toán sai số tiền",
    "SETTLEMENT_DUPLICATE": "Quyết toán trùng",
    "SETTLEMENT_WRONG_PROVIDER": "Quyết toán sai nhà cung cấp",
    "SETTLEMENT_ORPHAN": "Quyết toán không có lượt xe", "SETTLEMENT_LATE": "Quyết toán trễ hạn",
    "BATCH_UNPAID": "Lô chưa được thanh toán", "BATCH_AMOUNT_MISMATCH": "Lô thanh toán sai số tiền",
    "BANK_UNMATCHED_CREDIT": "Khoản ghi có không khớp lô", "DOUBLE_CHARGE": "Thu phí hai lần",
    "TAG_CLONE": "Nghi thẻ bị sao chép", "CLASS_UNDERCHARGE": "Thu thấp hơn loại xe",
    "EXEMPT_UNLISTED": "Miễn phí ngoài danh sách",
    "STAFF_OVERRIDE_OUTLIER": "Nhân viên can thiệp bất thường",
    "PASSAGES_HIDDEN": "Lượt xe bị che giấu", "CASH_SHARE_SPIKE": "Tỷ lệ tiền mặt tăng đột biến",
}

_CODES_EN = {
    "TAG_UNKNOWN": "Unknown tag", "TAG_MALFORMED": "Malformed tag id",
    "TAG_NOT_ACTIVE": "Inactive tag let through", "TAG_LOW_BALANCE": "Low balance",
    "PLATE_MULTI_TAG": "Several live tags on one plate",
    "TAG_CLASS_MISMATCH": "Class differs from tag",
    "TAG_PLATE_MISMATCH": "Plate differs from tag", "TAG_POOR_READ": "Poorly read tag",
    "LANE_READ_DEGRADED": "Lane reads degraded", "TARIFF_MISMATCH": "Tariff mismatch",
    "SETTLEMENT_MISSING": "Settlement missing",
    "SETTLEMENT_AMOUNT_MISMATCH": "Settled amount differs",
    "SETTLEMENT_DUPLICATE": "Settled twice",
    "SETTLEMENT_WRONG_PROVIDER": "Settled by another provider",
    "SETTLEMENT_ORPHAN": "Settlement without passage", "SETTLEMENT_LATE": "Settled late",
    "BATCH_UNPAID": "Batch unpaid", "BATCH_AMOUNT_MISMATCH": "Batch paid another amount",
    "BANK_UNMATCHED_CREDIT": "Credit paying no batch", "DOUBLE_CHARGE": "Charged twice",
    "TAG_CLONE": "Possible cloned tag", "CLASS_UNDERCHARGE": "Class undercharged",
    "EXEMPT_UNLISTED": "Exempt, not listed", "STAFF_OVERRIDE_OUTLIER": "Staff override outlier",
    "PASSAGES_HIDDEN": "Passages hidden", "CASH_SHARE_SPIKE": "Cash share spike",
}

_NAMES_VI = {
    "sev.LOW": "Thấp", "sev.MEDIUM": "Trung bình", "sev.HIGH": "Cao",
    "sev.CRITICAL": "Nghiêm trọng",
    "cat.TAG": "Thẻ", "cat.MONEY": "Dòng tiền", "cat.FRAUD": "Gian lận",
    "state.NEW": "Mới", "state.OPEN": "Còn mở", "state.RESOLVED": "Đã khắc phục",
    "note.EXPLAINED": "Đã giải trình", "note.DISPUTED": "Đang tranh chấp",
    "note.CONFIRMED_LOSS": "Xác nhận thất thoát", "note.FALSE_POSITIVE": "Báo sai",
    "note.NONE": "Chưa có ghi chú",
    "method.ETC": "ETC", "method.CASH": "Tiền mặt", "method.EXEMPT": "Miễn phí",
}

_NAMES_EN = {
    "sev.LOW": "LOW", "sev.MEDIUM": "MEDIUM", "sev.HIGH": "HIGH", "sev.CRITICAL": "CRITICAL",
    "cat.TAG": "TAG", "cat.MONEY": "MONEY", "cat.FRAUD": "FRAUD",
    "state.NEW": "NEW", "state.OPEN": "OPEN", "state.RESOLVED": "RESOLVED",
    "note.EXPLAINED": "Explained", "note.DISPUTED": "Disputed",
    "note.CONFIRMED_LOSS": "Confirmed loss", "note.FALSE_POSITIVE": "False positive",
    "note.NONE": "No note",
    "method.ETC": "ETC", "method.CASH": "CASH", "method.EXEMPT": "EXEMPT",
}

VI: dict[str, str] = {
    **TEXT_VI, **SHEETS_VI, **COUNTED_VI, **_NAMES_VI,
    **{f"code.{k}": v for k, v in _CODES_VI.items()},
    **{f"col.{k}": v for k, v in _COLUMNS_VI.items()},
}
EN: dict[str, str] = {
    **TEXT_EN, **SHEETS_EN, **COUNTED_EN, **_NAMES_EN,
    **{f"code.{k}": v for k, v in _CODES_EN.items()},
    **{f"col.{k}": k for k in _COLUMNS_VI},
}
MESSAGES: dict[str, dict[str, str]] = {"vi": VI, "en": EN}

"""The catalogue's labels and sentences (etc.render.i18n assembles MESSAGES):
each key with its Vietnamese and its English text, side by side so that neither
is forgotten. `{name}` fields are filled by etc.render.lang.t."""

from __future__ import annotations

_PAIRS: dict[str, tuple[str, str]] = {
    # words
    "local": ("giờ Việt Nam, UTC+07:00", "UTC+07:00"),
    "finding": ("phát hiện", "finding"),
    "item": ("khoản", "item"),
    "all": ("Tất cả", "All"),
    "codes": ("Mã lỗi", "Codes"),
    "run.word": ("lần chạy", "run"),
    "at_risk_of": ("{money} có rủi ro", "{money} at risk"),
    "as_of": ("Tính đến {at} ({local}).", "As of {at} ({local})."),
    "listed_below": ("xem danh sách bên dưới", "listed below"),
    # report header
    "report.title": ("Báo cáo sai lệch đối soát", "Discrepancy report"),
    "h.run": ("Lần chạy", "Run"),
    "h.dates": ("Ngày nghiệp vụ", "Business dates"),
    "h.started": ("Bắt đầu chạy", "Run started"),
    "h.as_of": ("Đánh giá tính đến", "Judged as of"),
    "h.code_version": ("Phiên bản phần mềm", "Code version"),
    "h.settings": ("sha256 cấu hình", "Settings sha256"),
    "h.compared": ("So sánh với", "Compared with"),
    "h.no_previous": ("chưa có lần chạy trước (mọi phát hiện đều mới)",
                      "no earlier run (every finding is new)"),
    "charts": ("Biểu đồ", "Charts"),
    # verdict
    "verdict": ("Kết luận", "Verdict"),
    "verdict.none": ("<strong>Không có phát hiện</strong>: lần chạy này không tìm thấy sai lệch "
                     "nào và không có tiền rủi ro.",
                     "<strong>No findings</strong>: this run found nothing to report and "
                     "nothing at risk."),
    "verdict.fail": ("<strong>KHÔNG ĐẠT</strong>: {n} ở mức {level} trở lên, ngưỡng của lần "
                     "chạy hằng đêm (<code>etc nightly</code> trả mã 1).",
                     "<strong>FAIL</strong>: {n} at or above {level}, the nightly threshold "
                     "(<code>etc nightly</code> exits 1)."),
    "verdict.pass": ("<strong>ĐẠT</strong>: không có phát hiện nào ở mức {level} trở lên, "
                     "ngưỡng của lần chạy hằng đêm ({n} dưới ngưỡng).",
                     "<strong>PASS</strong>: no finding at or above {level}, the nightly "
                     "threshold ({n} below it)."),
    "fig.at_risk": ("tiền có rủi ro", "money at risk"),
    "fig.findings": ("phát hiện", "findings"),
    "fig.awaiting": ("đang chờ, {money}", "awaiting, {money}"),
    "matrix.caption": ("Phát hiện và tiền có rủi ro theo nhóm và mức độ",
                       "Findings and money at risk by category and severity"),
    "awaiting.text": ("đang chờ: {tally}", "awaiting: {tally}"),
    "awaiting.due_by": (", hạn chót {due}", ", due by {due}"),
    "awaiting.one.then": ("chưa phải phát hiện; sẽ thành phát hiện nếu đến hạn vẫn chưa có dữ liệu",
                          "not a finding yet; it becomes one if nothing arrives by then"),
    "awaiting.one.time": ("chưa phải phát hiện; sẽ thành phát hiện nếu không có dữ liệu kịp thời",
                          "not a finding yet; it becomes one if nothing arrives in time"),
    "awaiting.many.then": ("chưa phải phát hiện; sẽ thành phát hiện nếu đến hạn vẫn chưa có "
                           "dữ liệu",
                           "not findings yet; they become findings if nothing arrives by then"),
    "awaiting.many.time": ("chưa phải phát hiện; sẽ thành phát hiện nếu không có dữ liệu kịp "
                           "thời",
                           "not findings yet; they become findings if nothing arrives in time"),
    "awaiting.title": ("Đang chờ (chưa đến hạn)", "Awaiting (not yet due)"),
    "awaiting.when": (" tính đến {at} ({local})", " as of {at} ({local})"),
    "awaiting.intro": ("Chưa phải phát hiện{when}: mỗi khoản đang chờ dữ liệu còn trong hạn (một "
                       "giao dịch quyết toán trong thời hạn, một khoản ghi có trong cửa sổ ngân "
                       "hàng) và sẽ thành phát hiện nếu đến hạn vẫn chưa có. Các khoản này không "
                       "bao giờ làm lần chạy hằng đêm không đạt.",
                       "Not findings{when}: each awaits data still expected in time (a "
                       "settlement within its deadline, a credit within its bank window) and "
                       "becomes a finding if nothing arrives by its due time. They never fail a "
                       "night."),
    # findings tables
    "findings.title": ("Phát hiện theo mã lỗi", "Findings by code"),
    "findings.none": ("Lần chạy này không có phát hiện nào.", "No findings in this run."),
    "findings.of": ("Các phát hiện {code}", "Findings of {code}"),
    "c.code": ("Mã lỗi", "Code"),
    "c.finding_id": ("Mã phát hiện", "Finding id"),
    "c.business_date": ("Ngày nghiệp vụ", "Business date"),
    "c.due": ("Hạn chót ({local})", "Due ({local})"),
    "c.at_risk": ("Tiền rủi ro (₫)", "At risk (VND)"),
    "c.detail": ("Chi tiết", "Detail"),
    "c.severity": ("Mức độ", "Severity"),
    "c.state": ("Trạng thái", "State"),
    "c.first_seen": ("Phát hiện lần đầu", "First seen"),
    "c.days_open": ("Số ngày mở", "Days open"),
    "c.note_state": ("Ghi chú", "Note"),
    "c.note_text": ("Nội dung ghi chú", "Note text"),
    "notes.label": ("Lọc theo ghi chú:", "Filter by note:"),
    "notes.all": ("Tất cả phát hiện", "All findings"),
    "c.category": ("Nhóm", "Category"),
    "c.identity": ("Định danh", "Identity"),
    "c.last_seen": ("Thấy lần cuối", "Last seen"),
    "c.last_seen_run": ("Lần chạy thấy cuối", "Last seen in run"),
    "c.at_risk_last": ("Tiền rủi ro lần cuối (₫)", "At risk when last found (VND)"),
    "c.detail_last": ("Chi tiết lần cuối", "Detail when last found"),
    "c.file": ("Tệp", "File"),
    "c.kind": ("Loại dữ liệu", "Kind"),
    "filter": ("Lọc", "Filter"),
    "filter.hint": ("nội dung ở bất kỳ cột nào", "text in any column"),
    "rows.count": ("{shown} / {total} dòng", "{shown} of {total} rows"),
    "rows.of": (" / ", " of "),
    "rows.word": (" dòng", " rows"),
    "sort.hint": ("bấm vào tiêu đề cột để sắp xếp", "click a header to sort"),
    "capped": ("Hiển thị {shown} trên {total} {what}; {where}",
               "Showing {shown} of {total} {what}; {where}"),
    "where.findings": ("<code>etc findings</code> hoặc báo cáo XLSX có đầy đủ",
                       "<code>etc findings</code> or the XLSX report has all"),
    "where.pending": ("trang tính Đang chờ của báo cáo XLSX có đầy đủ",
                      "the XLSX report's Pending sheet has all"),
    "what.findings": ("phát hiện", "findings"),
    "what.pending": ("khoản đang chờ", "pending items"),
    "what.resolved": ("định danh đã khắc phục", "resolved identities"),
    "resolved.title": ("Đã khắc phục kể từ lần chạy trước", "Resolved since the previous run"),
    "resolved.none_before": ("Chưa có lần chạy trước để so sánh.",
                             "No earlier run to compare with."),
    "resolved.nothing": ("Không có phát hiện nào của lần chạy {run} được khắc phục trong lần "
                         "chạy này.",
                         "Nothing found by run {run} was resolved by this run."),
    "refused.title": ("Dòng bị loại khi nạp dữ liệu", "Rows refused on loading"),
    "refused.intro": ("{n} dòng của các tệp đầu vào bị loại khi nạp (không có trong lần chạy), "
                      "theo tệp và lý do; <code>etc quarantine</code> cho xem từng dòng.",
                      "{n} rows of the input files were refused on loading (the run does not "
                      "hold them), per file and reason; <code>etc quarantine</code> shows "
                      "each."),
    "c.reason": ("Lý do", "Reason"),
    "c.rows": ("Số dòng", "Rows"),
    "c.first_row": ("Dòng đầu tiên", "First row"),
    "c.example": ("Ví dụ (dòng đầu tiên)", "Example (the first row)"),
    "what.refused": ("nhóm dòng bị loại", "groups of refused rows"),
    "inputs.title": ("Dữ liệu đầu vào của lần chạy", "Inputs this run rests on"),
    "inputs.sha": ("sha256 dữ liệu đầu vào", "Inputs sha256"),
    "settings.sha": ("sha256 cấu hình", "settings sha256"),
    # charts
    "chart.station_money": ("Tiền có rủi ro theo trạm (₫)", "Money at risk per station (VND)"),
    "chart.station_findings": ("Số phát hiện theo trạm", "Findings per station"),
    "chart.axis_money": ("Tiền (₫)", "VND"),
    "chart.top_stations": ("{top} trạm có nhiều tiền rủi ro nhất, trên tổng số {total}.",
                           "The {top} stations with the most money at risk, of {total}."),
    "chart.no_station": ("Phát hiện không gắn với trạm nào: {n}, {money} (ví dụ khoản ghi có "
                         "không khớp lô); không nằm trong cột nào của biểu đồ này.",
                         "Findings that name no station: {n}, {money} (e.g. bank credits "
                         "paying no batch); they are in no bar of this chart."),
    "chart.station_tip": ("{station}: {n} phát hiện, {money} có rủi ro",
                          "{station}: {n} findings, {money} at risk"),
    "chart.no_station_why": ("không phát hiện nào gắn với trạm", "no finding names a station"),
    "chart.day_money": ("Tiền có rủi ro theo ngày nghiệp vụ (₫)",
                        "Money at risk per business day (VND)"),
    "chart.day_findings": ("Số phát hiện theo ngày nghiệp vụ", "Findings per business day"),
    "chart.day_axis": ("Ngày nghiệp vụ (ngày/tháng)", "Business date (month-day)"),
    "chart.day_tip": ("{day}: {n} phát hiện, {money} có rủi ro",
                      "{day}: {n} findings, {money} at risk"),
    "chart.no_day_why": ("không có phát hiện vào ngày nào của lần chạy",
                         "no findings on any day of the run"),
    "chart.lanes": ("Tỷ lệ lượt ETC không đọc được thẻ theo làn",
                    "Unread share of ETC passages per lane"),
    "chart.lanes_axis": ("Lượt ETC không đọc được thẻ (%)", "ETC passages with no tag read (%)"),
    "chart.degraded": ("suy giảm", "degraded"),
    "chart.lane_tip": ("{station} làn {lane}: {unread} trên {n} lượt ETC không đọc được ({share})",
                       "{station} lane {lane}: {unread} of {n} ETC passages unread ({share})"),
    "chart.lane_degraded": ("; suy giảm (LANE_READ_DEGRADED)",
                            "; degraded (LANE_READ_DEGRADED)"),
    "chart.top_lanes": ("{top} làn có tỷ lệ không đọc được cao nhất, trên tổng số {total}.",
                        "The {top} lanes with the highest unread share, of {total}."),
    "chart.no_lanes_why": ("không có lượt ETC trong kỳ của lần chạy",
                           "no ETC passages in the run's period"),
    "chart.lanes_key": ("Làn có phát hiện LANE_READ_DEGRADED trong lần chạy.",
                        "Lanes with a LANE_READ_DEGRADED finding in the run."),
    "flow.title": ("Phải thu ETC → đã quyết toán → thực nhận → đã về tài khoản, theo trạm (₫)",
                   "Charged → settled gross → settled net → banked per station (VND)"),
    "flow.charged": ("Phải thu ETC", "Charged"),
    "flow.gross": ("Đã quyết toán", "Settled gross"),
    "flow.net": ("Thực nhận", "Settled net"),
    "flow.banked": ("Đã về tài khoản", "Banked"),
    "flow.gaps": ("chênh lệch quyết toán {settle}, phí {fee}, chênh lệch ngân hàng {bank}",
                  "settle gap {settle}, fees {fee}, bank gap {bank}"),
    "flow.top": ("{top} trạm có chênh lệch giữa phải thu và đã về tài khoản lớn nhất, trên "
                 "tổng số {total}; trạm có chênh lệch lớn nhất ở trên cùng; trong ngoặc: đã "
                 "về tài khoản trừ phải thu.",
                 "The {top} stations with the largest gap between charged and banked, of "
                 "{total}; largest gap first; in brackets: banked minus charged."),
    "flow.order": ("Trạm có chênh lệch giữa phải thu và đã về tài khoản lớn nhất ở trên cùng; "
                   "trong ngoặc: đã về tài khoản trừ phải thu.",
                   "Largest gap between charged and banked first; in brackets: banked minus "
                   "charged."),
    "flow.none": ("không có dòng tiền trong kỳ của lần chạy", "no money flow in the run's period"),
}

TEXT_VI: dict[str, str] = {k: v[0] for k, v in _PAIRS.items()}
TEXT_EN: dict[str, str] = {k: v[1] for k, v in _PAIRS.items()}

"""The catalogue's words of the report's "Counted against recorded" section and
of the providers' scorecard (etc.render.i18n assembles MESSAGES), Vietnamese and
English side by side. Column names of their XLSX sheets are here too (`col.`)."""

from __future__ import annotations

_PAIRS: dict[str, tuple[str, str]] = {
    # counted against recorded
    "counted.title": ("Đếm độc lập so với lượt xe ghi nhận", "Counted against recorded"),
    "counted.intro": (
        "Số xe do cảm biến của cơ quan quản lý đường bộ đếm, so với số lượt xe hệ thống "
        "làn của trạm ghi nhận trong đúng các khoảng thời gian cảm biến đã đếm (giờ cảm "
        "biến ngừng đếm không được so sánh). {n} phát hiện Lượt xe bị che giấu, "
        "<strong>{money}</strong> có rủi ro.",
        "Vehicles counted by the road authority's sensors against the passages the "
        "station's lane system recorded in the very intervals the sensors counted (hours "
        "a sensor was down are not compared). {n} PASSAGES_HIDDEN findings, "
        "<strong>{money}</strong> at risk."),
    "counted.none": ("Không có số liệu đếm nào trong kỳ của lần chạy.",
                     "No counts in the run's period."),
    "counted.table": ("Đếm so với ghi nhận theo trạm", "Counted against recorded per station"),
    "counted.hourly": ("Theo giờ: các làn có phát hiện", "Per hour: the lanes with findings"),
    "counted.chart": ("{station} làn {lane}, {day}: đếm và ghi nhận theo giờ",
                      "{station} lane {lane}, {day}: counted and recorded per hour"),
    "counted.series_counted": ("Xe đếm được (cảm biến)", "Counted (sensor)"),
    "counted.series_recorded": ("Lượt ghi nhận trong khoảng đếm",
                                "Recorded in the counted intervals"),
    "counted.gap": ("Cảm biến không đếm", "Sensor not counting"),
    "counted.tip": ("{hour}:00 — đếm {counted}, ghi nhận {recorded} (cả giờ: {passages} lượt)",
                    "{hour}:00 — counted {counted}, recorded {recorded} ({passages} passages "
                    "in the whole hour)"),
    "counted.axis": ("Xe", "Vehicles"),
    "counted.hour_axis": ("Giờ (giờ Việt Nam)", "Hour (local)"),
    "counted.no_data": ("không có số liệu đếm trong ngày", "no counts that day"),
    "counted.top": ("{top} trong số {total} làn-ngày có phát hiện; tất cả có trong tệp XLSX.",
                    "{top} of {total} lane-days with findings; the XLSX report has them all."),
    "counted.no_findings": ("Không làn nào có phát hiện Lượt xe bị che giấu.",
                            "No lane has a PASSAGES_HIDDEN finding."),
    "uncovered.title": ("Trạm không có cảm biến đếm", "Stations without sensor coverage"),
    "uncovered.intro": ("{n} trạm không có số liệu đếm nào trong kỳ: tại đó không thể kiểm "
                        "tra lượt xe bị che giấu.",
                        "{n} stations have no counts in the period: hidden passages cannot "
                        "be checked there."),
    "uncovered.none": ("Mọi trạm đều có số liệu đếm trong kỳ.",
                       "Every station has counts in the period."),
    "what.stations": ("trạm", "stations"),
    "what.providers": ("nhà cung cấp", "providers"),
    "c.station": ("Trạm", "Station"),
    "c.operator": ("Đơn vị vận hành", "Operator"),
    "c.lanes": ("Số làn", "Lanes"),
    "c.lanes_counted": ("Làn có đếm", "Lanes counted"),
    "c.covered_hours": ("Giờ-làn đã đếm", "Lane-hours counted"),
    "c.coverage": ("Độ phủ", "Coverage"),
    "c.counted": ("Xe đếm được", "Counted"),
    "c.recorded": ("Lượt ghi nhận", "Recorded"),
    "c.difference": ("Chênh lệch", "Difference"),
    "c.difference_share": ("Chênh lệch (%)", "Difference (%)"),
    "c.passages": ("Tổng lượt xe", "All passages"),
    "c.findings": ("Phát hiện", "Findings"),
    # provider scorecard
    "scorecard.title": ("Chất lượng thẻ theo nhà cung cấp dịch vụ",
                        "Provider scorecard (tag quality)"),
    "scorecard.intro": (
        "Theo từng nhà cung cấp dịch vụ ETC trong kỳ: lượt ETC của thẻ do họ phát hành, tỷ "
        "lệ không đọc được hoặc tín hiệu yếu, lỗi thẻ trên 10.000 lượt, biển số có nhiều "
        "thẻ, độ trễ quyết toán (từ lượt xe đến khoản quyết toán đầu tiên), các khoản trễ, "
        "trùng, sai nhà cung cấp và số tiền có rủi ro. Thẻ không có trong danh sách được "
        "tính cho nhà cung cấp đã quyết toán lượt xe đó.",
        "Per ETC service provider over the period: the ETC passages of its tags, the share "
        "unread or weak, tag findings per 10,000 passages, plates with several live tags, "
        "settlement latency (passage to first settlement item), late, duplicate and "
        "wrong-provider items, and money at risk. An unknown tag counts for the provider "
        "that settled its passage."),
    "scorecard.none": ("Không có nhà cung cấp nào trong kỳ.", "No provider in the period."),
    "scorecard.table": ("Chất lượng thẻ theo nhà cung cấp", "Scorecard per provider"),
    "scorecard.trend": ("Xu hướng: tỷ lệ lượt ETC không đọc được hoặc yếu theo ngày, {days} "
                        "ngày gần nhất",
                        "Trend: share of ETC passages unread or weak per day, last {days} days"),
    "scorecard.trend_tip": ("{provider}, {day}: {share} ({bad} / {n} lượt)",
                            "{provider}, {day}: {share} ({bad} of {n} passages)"),
    "scorecard.trend_axis": ("Tỷ lệ", "Share"),
    "scorecard.day_axis": ("Ngày", "Day"),
    "scorecard.trend_none": ("kho dữ liệu không có lượt ETC nào trong những ngày này",
                             "the store holds no ETC passages of those days"),
    "scorecard.trend_note": ("Chỉ những ngày kho dữ liệu có lượt xe.",
                             "Only the days the store holds passages of."),
    "c.provider": ("Nhà cung cấp", "Provider"),
    "c.etc_passages": ("Lượt ETC", "ETC passages"),
    "c.unread_weak": ("Không đọc được hoặc yếu", "Unread or weak"),
    "c.not_active_10k": ("Thẻ không hoạt động / 10.000 lượt", "Not active / 10,000"),
    "c.unknown_10k": ("Thẻ không có trong danh sách / 10.000 lượt", "Unknown / 10,000"),
    "c.low_balance_10k": ("Thẻ thiếu số dư / 10.000 lượt", "Low balance / 10,000"),
    "c.plates_multi": ("Biển số nhiều thẻ", "Plates with several tags"),
    "c.latency_median": ("Độ trễ quyết toán, trung vị (giờ)", "Settlement latency, median (h)"),
    "c.latency_p95": ("Độ trễ quyết toán, p95 (giờ)", "Settlement latency, p95 (h)"),
    "c.late": ("Quyết toán trễ", "Late items"),
    "c.duplicate": ("Quyết toán trùng", "Duplicate items"),
    "c.wrong_provider": ("Sai nhà cung cấp", "Wrong-provider items"),
    # XLSX
    "x.counted": ("Đếm so với ghi nhận", "Counted vs recorded"),
    "x.hours": ("Theo giờ, các làn có phát hiện", "Per hour, lanes with findings"),
    "x.providers": ("Nhà cung cấp", "Providers"),
    "x.trend": ("Xu hướng theo ngày", "Trend per day"),
}

COLUMNS_VI = {
    "lanes": "Số làn", "lanes_counted": "Làn có đếm", "covered_hours": "Giờ-làn đã đếm",
    "coverage": "Độ phủ", "counted": "Xe đếm được", "recorded": "Lượt ghi nhận",
    "difference": "Chênh lệch", "difference_share": "Tỷ lệ chênh lệch", "hour": "Giờ",
    "provider_name": "Tên nhà cung cấp", "unread_or_weak": "Không đọc được hoặc yếu",
    "unread_or_weak_share": "Tỷ lệ không đọc được hoặc yếu",
    "tag_not_active": "Thẻ không hoạt động", "tag_not_active_per_10k":
    "Thẻ không hoạt động / 10.000 lượt", "tag_unknown": "Thẻ không có trong danh sách",
    "tag_unknown_per_10k": "Thẻ không có trong danh sách / 10.000 lượt",
    "tag_low_balance": "Thẻ thiếu số dư", "tag_low_balance_per_10k":
    "Thẻ thiếu số dư / 10.000 lượt", "plates_multi_tag": "Biển số nhiều thẻ",
    "settled": "Lượt đã quyết toán", "latency_median_h": "Độ trễ trung vị (giờ)",
    "latency_p95_h": "Độ trễ p95 (giờ)", "late": "Quyết toán trễ",
    "duplicate": "Quyết toán trùng", "wrong_provider": "Sai nhà cung cấp",
}

COUNTED_VI: dict[str, str] = {k: v[0] for k, v in _PAIRS.items()}
COUNTED_EN: dict[str, str] = {k: v[1] for k, v in _PAIRS.items()}

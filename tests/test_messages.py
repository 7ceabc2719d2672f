"""Key messages and the methods box: each sentence checked against the numbers it states.

The inputs are built by hand (a status table, the self-assessment verdicts of Thành phố Bến Tre's
14 units, an arrival log) so every expected number below is counted by hand, not taken from the code.
"""
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from btchild_analysis import messages
from btchild_analysis.indicators import base_mark
from btchild_analysis.catalog import plan_indicators

# Thành phố Bến Tre (district 829) in 2023–2024: its 14 units (the register; the issue names 14 too).
CITY = [("28756", "Phường Phú Khương"), ("28757", "Phường Phú Tân"), ("28759", "Phường 8"),
        ("28762", "Phường 6"), ("28765", "Phường 4"), ("28768", "Phường 5"), ("28777", "Phường An Hội"),
        ("28780", "Phường 7"), ("28783", "Xã Sơn Đông"), ("28786", "Xã Phú Hưng"), ("28789", "Xã Bình Phú"),
        ("28792", "Xã Mỹ Thạnh An"), ("28795", "Xã Nhơn Thạnh"), ("28798", "Xã Phú Nhuận")]

ENGLISH_WORDS = {"the", "of", "and", "met", "not", "targets", "target", "communes", "commune", "report",
                 "reports", "since", "source", "data", "interval", "coverage", "standard", "on", "track",
                 "off", "up", "down", "from", "in", "before", "time", "sent", "plan", "more", "no", "projection"}
VIETNAMESE_WORDS = {"trong", "số", "năm", "đạt", "chuẩn", "không", "của", "mục", "tiêu", "báo", "cáo", "nộp",
                    "hạn", "đã", "chưa", "tăng", "giảm", "dự", "kỳ", "và", "nguồn", "liệu", "khoảng",
                    "xã", "phường", "huyện", "thành", "phố", "thị", "trấn"}


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\w+", text)}


def assessment_city() -> pd.DataFrame:
    """2023: the first 9 units met; 2024: units 3 to 13 (11) met.  Lost: the first two; gained: 4."""
    rows = []
    for year, met in ((2023, range(0, 9)), (2024, range(2, 13))):
        for i, (code, name) in enumerate(CITY):
            rows.append({"commune_code": code, "name": name, "district_code": "829",
                         "district_name": "Thành phố Bến Tre", "year": year,
                         "status": "met" if i in met else "not_met"})
    return pd.DataFrame(rows)


def status_by_hand() -> pd.DataFrame:
    """Province statuses for the 2020 targets of the twelve: 5 achieved, 4 not achieved, 1 on track,
    1 off track, and 1 indicator absent (no data).  No 2015 row at all."""
    plan = plan_indicators()
    codes = ["achieved"] * 5 + ["not_achieved"] * 4 + ["on_track", "off_track"]
    rows = []
    for i, (ind, code) in enumerate(zip(plan, codes)):
        rows.append({"level": "province", "unit_code": "83", "unit_name": "Tỉnh Bến Tre", "indicator": ind,
                     "target_year": 2020, "op": ">=", "target": 80.0, "status": code,
                     "value_at_target_year": 70.04 + i if code.endswith("achieved") else np.nan,
                     "latest_value": 75.0, "latest_year": 2024})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------- targets

def test_target_counts_by_hand():
    counts = messages.target_counts(status_by_hand())
    assert counts[2020] == {"achieved": 5, "not_achieved": 4, "on_track": 1, "off_track": 1, "no_data": 1,
                            "total": 12}
    assert counts[2015]["total"] == 8 and counts[2015]["no_data"] == 8


def test_targets_message_states_the_counts():
    counts = messages.target_counts(status_by_hand())
    vi = messages.targets_message(counts, "vi")
    en = messages.targets_message(counts, "en")
    assert vi.startswith("5 trong số 12 mục tiêu năm 2020 của Kế hoạch đã đạt")
    assert "4 không đạt" in vi and "1 đúng hướng và 1 chậm tiến độ" in vi and "1 chưa đủ số liệu" in vi
    assert en.startswith("5 of the 12 targets of the plan for 2020 were met")
    assert "4 not met" in en
    assert "2015" not in vi  # no 2015 target assessed: no sentence about it


def test_missed_targets_names_values_with_decimal_comma():
    st = status_by_hand()
    counts = messages.target_counts(st)
    vi = messages.missed_message(st, counts, None, "vi")
    missed = messages.missed_targets(st, 2020)
    assert missed["indicator"].tolist() == plan_indicators()[5:9]
    # values 70.04 + 5 … 70.04 + 8, one decimal, decimal comma
    for v in ("75,0%", "76,0%", "77,0%", "78,0%"):
        assert v in vi
    assert "≥ 80" in vi and "khác" not in vi


def test_missed_targets_beyond_the_limit_counted():
    st = status_by_hand()
    st.loc[st["status"] == "achieved", ["status", "value_at_target_year"]] = ["not_achieved", 1.0]
    vi = messages.missed_message(st, messages.target_counts(st), None, "vi")
    assert vi.endswith("5 chỉ tiêu khác.")  # 9 not met, 4 listed


def test_one_indicator_page():
    st = pd.DataFrame([{"level": "province", "unit_code": "83", "unit_name": "x", "indicator": "child_friendly_commune",
                        "target_year": y, "op": op, "target": t, "status": s, "latest_value": 79.62,
                        "latest_year": 2024, "value_at_target_year": v}
                       for y, op, t, s, v in ((2015, ">", 50.0, "achieved", 62.2), (2020, ">=", 80.0, "not_achieved", 61.1))])
    msgs = messages.key_messages(status=st, period="2024", lang="vi")
    assert msgs == ["Xã, phường đạt tiêu chuẩn xã, phường phù hợp với trẻ em: 79,6% năm 2024. "
                    "Mục tiêu năm 2015 (> 50%): Đạt. Mục tiêu năm 2020 (≥ 80%): Không đạt."]


# ---------------------------------------------------------------------- the standard

def test_standard_counts_and_changes_by_hand():
    a = assessment_city()
    assert messages.standard_counts(a, 2024, "829") == {"year": 2024, "met": 11, "assessed": 14, "expected": 14}
    assert messages.standard_counts(a, 2023, "829")["met"] == 9
    ch = messages.standard_changes(a, 2024, 2023, "829")
    assert ch["lost"]["name"].tolist() == ["Phường Phú Khương", "Phường Phú Tân"]
    assert ch["gained"] == 4


def test_standard_messages_for_the_city_vi_and_en():
    a = assessment_city()
    vi = messages.key_messages(assessment=a, period="2024", district="Thành phố Bến Tre", lang="vi")
    en = messages.key_messages(assessment=a, period="2024", district="829", lang="en")
    assert vi[0] == ("11 trong số 14 xã, phường (78,6%) của Thành phố Bến Tre đạt chuẩn xã, phường phù hợp "
                     "với trẻ em năm 2024, tăng từ 9 xã năm 2023.")
    assert en[0] == ("11 of 14 communes (78.6%) of Bến Tre city met the child-friendly commune standard "
                     "in 2024, up from 9 in 2023.")
    assert vi[1] == ("2 xã, phường không còn đạt chuẩn năm 2024 (đã đạt năm 2023): Phường Phú Khương và "
                     "Phường Phú Tân; 4 xã, phường mới đạt chuẩn.")
    assert en[1] == ("2 communes no longer met the standard in 2024 (met in 2023): Ward Phú Khương and "
                     "Ward Phú Tân; 4 communes newly met it.")


def test_province_message_counts_communes_without_a_sheet():
    a = assessment_city()
    vi = messages.key_messages(assessment=a, period="2024", lang="vi")
    # 157 units in force in 2024, 14 with a sheet
    assert vi[0].startswith("11 trong số 157 xã, phường (7%) của tỉnh Bến Tre")
    assert "143 xã, phường không có biểu chấm điểm" in vi[0]
    assert "(Thành phố Bến Tre)" in vi[1]  # province pages name each commune's district


def test_standard_down_same_and_edition_break():
    now = {"year": 2019, "met": 5, "assessed": 10, "expected": 10}
    assert ", giảm từ 7 xã năm 2018" in messages.standard_message(now, {"year": 2018, "met": 7}, "X", "vi")
    assert "hai bộ tiêu chuẩn khác nhau" in messages.standard_message(now, {"year": 2018, "met": 7}, "X", "vi")
    same = messages.standard_message({**now, "year": 2024}, {"year": 2023, "met": 5}, "X", "en")
    assert ", as many as in 2023." in same and "editions" not in same


def test_lost_none_and_singular_in_english():
    a = assessment_city()
    a.loc[(a["year"] == 2023), "status"] = "not_met"
    a.loc[(a["year"] == 2023) & (a["commune_code"] == "28759"), "status"] = "met"
    a.loc[(a["year"] == 2024) & (a["commune_code"] == "28759"), "status"] = "not_met"
    en = messages.key_messages(assessment=a, period="2024", district="829", lang="en")
    assert en[1].startswith("1 commune no longer met the standard in 2024 (met in 2023): Ward 8;")
    a.loc[(a["year"] == 2023), "status"] = "not_met"
    vi = messages.key_messages(assessment=a, period="2024", district="829", lang="vi")
    assert vi[1].startswith("Không xã, phường nào mất chuẩn so với năm 2023")


# ---------------------------------------------------------------------- reporting

def arrivals_city() -> pd.DataFrame:
    """2024: 12 units on time, 1 late (5 Nov), 1 never received."""
    days = ["2024-10-15"] * 12 + ["2024-11-05", ""]
    return pd.DataFrame({"commune_code": [c for c, _ in CITY], "period": "2024", "submitted_on": days})


def test_reporting_counts_and_message():
    d = arrivals_city()
    counts = messages.reporting_counts(d, "2024", "829")
    assert (counts["expected"], counts["received"], counts["on_time"]) == (14, 13, 12)
    vi = messages.key_messages(dates=d, period="2024", district="829", lang="vi")
    assert vi == ["13 trong số 14 xã, phường (92,9%) của Thành phố Bến Tre đã nộp báo cáo năm 2024; "
                  "12 (85,7%) nộp đúng hạn (trước ngày 01/11/2024)."]
    en = messages.key_messages(dates=d, period="2024", district="829", lang="en")
    assert en == ["13 of 14 communes (92.9%) of Bến Tre city sent their report for 2024; "
                  "12 (85.7%) on time (before 2024-11-01)."]


def test_no_completeness_message_without_rows_for_the_period():
    assert messages.key_messages(dates=arrivals_city(), period="2023", lang="vi") == []
    assert messages.reporting_counts(arrivals_city(), "2024H1") is None


# ---------------------------------------------------------------------- partial inputs

@pytest.mark.parametrize("kwargs", [
    {},
    {"values": pd.DataFrame(), "status": pd.DataFrame(), "assessment": pd.DataFrame(), "dates": pd.DataFrame()},
    {"status": pd.DataFrame({"indicator": ["stunting_u5"]})},  # columns missing
    {"dates": pd.DataFrame({"commune_code": ["28756"], "period": ["2024"], "submitted_on": ["31/12/2024"]})},
])
def test_absent_or_partial_data_gives_no_message_and_no_error(kwargs):
    assert messages.key_messages(period="2024", lang="vi", **kwargs) == []


def test_one_year_of_assessment_has_no_comparison():
    a = assessment_city()
    msgs = messages.key_messages(assessment=a[a["year"] == 2024], period="2024", district="829", lang="vi")
    assert len(msgs) == 1 and "tăng" not in msgs[0] and "11 trong số 14" in msgs[0]


def test_all_messages_together_three_to_six():
    msgs = messages.key_messages(status=status_by_hand(), assessment=assessment_city(), dates=arrivals_city(),
                                 period="2024", lang="vi")
    assert 3 <= len(msgs) <= 6
    assert msgs[0].startswith("5 trong số 12")


def test_no_english_on_vi_messages_and_no_vietnamese_on_en():
    kw = dict(status=status_by_hand(), assessment=assessment_city(), dates=arrivals_city(), period="2024",
              district="829")
    vi = " ".join(messages.key_messages(lang="vi", **kw))
    en = " ".join(messages.key_messages(lang="en", **kw))
    assert not words(vi) & ENGLISH_WORDS, words(vi) & ENGLISH_WORDS
    assert not words(en) & VIETNAMESE_WORDS, words(en) & VIETNAMESE_WORDS


def test_messages_markdown_escapes():
    md = messages.messages_markdown(["Xã <b>A</b> *đạt*"], "vi")
    assert md.startswith("## Thông điệp chính")
    assert "<b>" not in md and "&lt;b&gt;" in md and "\\*đạt\\*" in md
    assert messages.messages_markdown([], "vi") == ""


# ---------------------------------------------------------------------- methods box

def fake_ds(lang_source: bool = True, synthetic: bool = False, codes=("28756", "28757", "28759")):
    elements = pd.DataFrame({"commune_code": list(codes) + ["28756"], "period": ["2024"] * len(codes) + ["2023"],
                             "element": "u5_measured", "value": 10})
    return SimpleNamespace(elements=elements, synthetic=synthetic,
                           source_line=lambda lang: ("Nguồn số liệu: Sở <script>x</script>, cập nhật đến 31/10/2024"
                                                     if lang == "vi" else
                                                     "Source: Department <script>x</script>, as of 2024-10-31"))


def test_methods_box_vi():
    box = messages.methods_box(fake_ds(), "2024", "vi",
                               boundary_source={"file": "communes.geojson", "year": 2013, "licence": "MIT"})
    assert box.startswith("## Phương pháp và nguồn số liệu")
    assert "Wilson" in box and "điều tra toàn bộ" in box
    assert "\\(\\*\\)" in box and "dưới 25 trường hợp" in box and "25 đến 49" in box
    # 3 of the 157 units of 2024 sent data: 1,9%
    assert "3 trong số 157 xã, phường \\(1,9%\\)" in box
    assert "01/11/2023" in box and "31/10/2024" in box and "01/11/2024" in box
    assert "&lt;script&gt;" in box and "<script>" not in box
    assert "communes\\.geojson, đơn vị năm 2013, giấy phép MIT" in box
    assert "90%" in box


def test_methods_box_en_synthetic_schematic_no_vietnamese():
    geo = pd.DataFrame()
    geo.attrs.update(schematic=True, source="schematic")
    box = messages.methods_box(fake_ds(synthetic=True), "2024H1", "en", boundary_source=geo)
    assert "Synthetic data, not real figures" in box
    assert "Schematic, not a boundary map" in box
    assert "0 of" not in box and "No commune has sent data for the first half of 2024" in box
    assert "2023\\-11\\-01" in box and "2024\\-04\\-30" in box
    assert not words(box) & VIETNAMESE_WORDS, words(box) & VIETNAMESE_WORDS


def test_methods_box_vi_has_no_english_words():
    box = messages.methods_box(fake_ds(), "2024", "vi", boundary_source={"file": "a.gpkg", "year": 2020})
    assert "giấy phép chưa rõ" in box
    assert not words(box) & ENGLISH_WORDS, words(box) & ENGLISH_WORDS


def test_methods_box_without_data_or_boundaries():
    ds = SimpleNamespace(elements=None, synthetic=False, source_line=lambda lang: "")
    box = messages.methods_box(ds, "2024", "vi", heading=None)
    assert "Chưa có xã nào gửi số liệu năm 2024" in box and "Ranh giới" not in box


def test_small_base_constants_agree_with_the_marks():
    marks = base_mark([messages.SMALL_BASE - 1, messages.SMALL_BASE, messages.CAUTION_BASE - 1, messages.CAUTION_BASE])
    assert marks.tolist() == ["(*)", "( )", "( )", ""]


def test_boundary_text_forms():
    assert messages.boundary_text(None) is None
    assert messages.boundary_text("  ") is None
    assert messages.boundary_text("Sở TN&MT 2024") == "Sở TN&MT 2024"
    geo = pd.DataFrame()
    geo.attrs.update(schematic=False, source="x.gpkg", source_year="2020", licence="CC BY 4.0",
                     credit={"vi": "Sở TN&MT", "en": "DoNRE"})
    assert messages.boundary_text(geo, "en") == "x.gpkg, 2020 units, licence CC BY 4.0, DoNRE"


def test_targets_counted_over_the_indicators_of_the_page():
    st = status_by_hand()
    four = plan_indicators()[3:7]  # achieved, achieved, not achieved, not achieved
    msgs = messages.key_messages(status=st, period="2024", lang="en", which=four)
    assert msgs[0] == "2 of the 4 targets of the plan for 2020 were met (2 not met)."
    one = messages.key_messages(status=st, period="2024", lang="en", which=[plan_indicators()[0]])
    assert one[0].startswith("Under-5 stunting: 75.0% in 2024. Target for 2020 (≥ 80%): Achieved.")


def test_targets_not_reported_yet_are_told_as_projections():
    counts = {2020: {"achieved": 0, "not_achieved": 0, "on_track": 8, "off_track": 1, "no_data": 3, "total": 12}}
    assert messages.targets_message(counts, "vi") == (
        "Theo dự báo, 8 trong số 12 mục tiêu năm 2020 của Kế hoạch đúng hướng (1 chậm tiến độ; "
        "3 chưa đủ số liệu để đánh giá).")
    assert messages.targets_message(counts, "en").startswith("On the projection, 8 of the 12 targets")
    assert messages.targets_message({2020: {**counts[2020], "on_track": 0, "off_track": 0, "no_data": 12}}, "en") is None


def test_english_singular_for_one_target_met():
    counts = {2015: {"achieved": 1, "not_achieved": 2, "on_track": 0, "off_track": 0, "no_data": 0, "total": 3}}
    assert messages.targets_message(counts, "en") == "1 of the 3 targets of the plan for 2015 was met (2 not met)."
    assert messages.targets_message(counts, "vi").startswith("1 trong số 3 mục tiêu năm 2015")


def test_status_computed_from_values_with_one_year_only():
    v = pd.DataFrame([
        {"level": "province", "unit_code": "83", "unit_name": "Tỉnh Bến Tre", "period": "2015",
         "indicator": "stunting_u5", "value": 22.0},       # 2015 target < 22.5: met
        {"level": "province", "unit_code": "83", "unit_name": "Tỉnh Bến Tre", "period": "2015",
         "indicator": "play_area_standard", "value": 48.0},  # 2015 target ≥ 50: missed
        {"level": "province", "unit_code": "83", "unit_name": "Tỉnh Bến Tre", "period": "2016",
         "indicator": "play_area_standard", "value": 99.0},  # after the report year: left out
    ])
    msgs = messages.key_messages(values=v, period="2015", lang="vi")
    assert msgs[0] == ("1 trong số 8 mục tiêu năm 2015 của Kế hoạch đã đạt (1 không đạt; "
                       "6 chưa đủ số liệu để đánh giá).")
    assert "48,0%" in msgs[1]
    # a six-monthly report uses the annual figures of the year before: none here
    assert messages.key_messages(values=v, period="2015H1", lang="vi") == []

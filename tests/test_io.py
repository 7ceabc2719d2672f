"""Loading: every fault ends in the quarantine with file, row, column and reason; counts add up."""
import codecs
import datetime as dt
import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from btchild_analysis import io
from btchild_analysis.errors import SubmissionError
from btchild_analysis.messy import MESSY_FAULTS
from btchild_analysis.sample import sample_dir
from conftest import write_csv

TODAY = dt.date(2026, 11, 29)
GOOD = [("28756", "2015", "u5_measured", "400"), ("28756", "2015", "u5_stunted", "90"),
        ("28759", "2015", "play_area_standard", "1"), ("28759", "2015H1", "pop_u16", "1.234")]


def load(tmp_path, rows, name="s.csv", **kw):
    return io.load_submissions(write_csv(tmp_path / name, rows, **kw), today=TODAY, flag_outliers=False)


def assert_adds_up(res):
    s = res.summary
    assert s["rows_read"] == s["accepted"] + s["quarantined"] + s["duplicates_folded"] + s["skipped"]


def only_reason(res, reason):
    q = res.quarantine
    assert list(q["reason"]) == [reason], q[["reason", "reason_en"]]
    return q.iloc[0]


def test_clean_rows_are_accepted_typed(tmp_path):
    res = load(tmp_path, GOOD)
    assert res.summary == {"files": 1, "rows_read": 4, "accepted": 4, "quarantined": 0, "duplicates_folded": 0,
                           "skipped": 0, "skipped_by_reason": {}}
    a = res.accepted.set_index(["commune_code", "period", "element"])["value"]
    assert a[("28759", "2015H1", "pop_u16")] == 1234.0  # thousands dot
    assert res.accepted["commune_code"].map(type).eq(str).all()


@pytest.mark.parametrize("row, reason, column", [
    (("28998", "2015", "u5_measured", "10"), "unknown_commune", "commune_code"),
    (("28771", "2021", "u5_measured", "10"), "not_in_force", "commune_code"),
    (("2875X", "2015", "u5_measured", "10"), "bad_code", "commune_code"),
    (("28756", "2015", "u5_heigth", "10"), "unknown_element", "element"),
    (("28756", "2015", "u5_measured", "-4"), "negative", "value"),
    (("28756", "2015", "u5_measured", "12,5"), "not_integer", "value"),
    (("28756", "2015", "u5_measured", "abc"), "not_a_number", "value"),
    (("28756", "2015", "u5_measured", "12%"), "percent_for_count", "value"),
    (("28756", "2015", "play_area_standard", "2"), "not_yes_no", "value"),
    (("28756", "2015-H2", "u5_measured", "10"), "bad_period", "period"),
    (("28756", "2031", "u5_measured", "10"), "future_period", "period"),
    (("28756", "2015", "u5_measured", ""), "empty_cell", "value"),
    (("", "2015", "u5_measured", "10"), "empty_cell", "commune_code"),
    (("28756", "", "u5_measured", "10"), "empty_cell", "period"),
])
def test_each_fault_is_quarantined_with_its_place(tmp_path, row, reason, column):
    res = load(tmp_path, GOOD + [row])
    q = only_reason(res, reason)
    assert q["row"] == 6  # header is line 1, the faulty row is the fifth data row
    assert q["column"] == column
    assert q["file"].endswith("s.csv")
    assert q["reason_vi"] and q["reason_en"] and q["reason_vi"] != q["reason_en"]
    assert len(res.accepted) == 4
    assert_adds_up(res)


def test_closed_unit_points_to_its_successor(tmp_path):
    q = only_reason(load(tmp_path, [("28771", "2021", "u5_measured", "10")]), "not_in_force")
    assert "28777" in q["reason_en"] and "Phường An Hội" in q["reason_vi"]


def test_unknown_code_suggests_a_likely_unit(tmp_path):
    q = only_reason(load(tmp_path, [("28576", "2015", "u5_measured", "10")]), "unknown_commune")
    assert "did you mean 28756?" in q["reason_en"]  # transposed digits


def test_numerator_above_denominator(tmp_path):
    res = load(tmp_path, [("28756", "2015", "u5_measured", "100"), ("28756", "2015", "u5_stunted", "120")])
    q = only_reason(res, "numerator_above_denominator")
    assert q["element"] == "u5_stunted" and "u5_measured = 100" in q["reason_en"]
    assert res.accepted["element"].tolist() == ["u5_measured"]


def test_duplicates_identical_folded_conflicting_both_held(tmp_path):
    rows = GOOD + [("28756", "2015", "u5_measured", "400"),  # identical to the first: folded
                   ("28762", "2015", "pop_u16", "100"), ("28762", "2015", "pop_u16", "101")]  # conflict
    res = load(tmp_path, rows)
    assert res.duplicates_folded == 1
    q = res.quarantine
    assert q["reason"].tolist() == ["conflicting_duplicate", "conflicting_duplicate"]
    assert sorted(q["row"]) == [7, 8]
    assert "100; 101" in q["reason_en"].iloc[0]
    assert_adds_up(res)


def test_yes_no_words_are_read(tmp_path):
    res = load(tmp_path, [("28756", "2015", "play_area_standard", "Có"), ("28759", "2015", "play_area_standard", "không")])
    assert sorted(res.accepted["value"]) == [0.0, 1.0]


TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258_form(text):
    """Precomposed letters (â, ơ, ư …) with the tone as a separate combining mark, as Windows-1258 has them."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = [c for c in parts if c in TONES]
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES)) + "".join(tones))
    return "".join(out)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_encodings(tmp_path, encoding):
    text = "commune_name,district,period,element,value\nXã Tân Thạch,Huyện Châu Thành,2015,u5_measured,400\n"
    if encoding == "cp1258":  # Windows-1258 writes tone marks as combining characters
        text = to_cp1258_form(text)
    path = tmp_path / f"e_{encoding}.csv"
    path.write_bytes(text.encode(encoding))
    res = io.load_submissions(path, today=TODAY, flag_outliers=False)
    assert res.accepted["commune_code"].tolist() == ["28804"]


def test_semicolon_separated_and_nfd_names(tmp_path):
    nfd = unicodedata.normalize("NFD", "Xã Tân Thạch")
    path = tmp_path / "names.csv"
    path.write_text(f"commune_name;district;period;element;value\n{nfd};Châu Thành;2015;u5_measured;300\n", encoding="utf-8")
    res = io.load_submissions(path, today=TODAY, flag_outliers=False)
    assert res.accepted["commune_code"].tolist() == ["28804"]


def _workbook(path, title_rows=True, total=True, names=True, sheet="Năm 2015"):
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title_rows:
        ws.append(["BÁO CÁO SỐ LIỆU TRẺ EM HUYỆN BA TRI NĂM 2015"])
        ws.merge_cells("A1:E1")
        ws.append([])
    ws.append(["STT", "Tên xã" if names else "Mã xã", "Số trẻ em dưới 5 tuổi được đo chiều cao", "SDD thấp còi", "Ghi chú"])
    ws.append([1, "Xã An Đức" if names else "29173", 500, 80, ""])
    ws.append([2, "xa vinh hoa" if names else "29164", 300, None, "thiếu"])
    ws.append([3, "X. Bảo Thạnh" if names else "29125", "1.020", 140, None])
    if total:
        ws.append(["", "Tổng cộng", 1820, 220, ""])
    wb.save(path)
    return path


def test_wide_workbook_with_titles_names_and_total_row(tmp_path):
    res = io.load_submissions(_workbook(tmp_path / "ba_tri.xlsx"), today=TODAY, flag_outliers=False)
    a = res.accepted.set_index(["commune_code", "element"])["value"]
    assert a[("29173", "u5_measured")] == 500 and a[("29125", "u5_measured")] == 1020
    assert set(res.accepted["period"]) == {"2015"}
    q = res.quarantine
    assert sorted(q["reason"]) == ["empty_cell", "total_row", "total_row"]
    empty = q[q["reason"] == "empty_cell"].iloc[0]
    assert empty["sheet"] == "Năm 2015" and empty["row"] == 5 and empty["column"].startswith("D:")
    assert_adds_up(res)


def test_wide_workbook_period_from_sheet_name_and_codes(tmp_path):
    path = _workbook(tmp_path / "codes.xlsx", title_rows=False, total=False, names=False, sheet="6 tháng 2016")
    res = io.load_submissions(path, today=TODAY, flag_outliers=False)
    assert set(res.accepted["period"]) == {"2016H1"}
    assert len(res.accepted) == 5


def test_empty_file_unreadable_file_and_no_table(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(SubmissionError, match="empty.csv: the file is empty"):
        io.load_submissions(tmp_path / "empty.csv")
    (tmp_path / "broken.xlsx").write_bytes(b"this is not a zip file")
    with pytest.raises(SubmissionError, match="broken.xlsx: cannot be opened"):
        io.load_submissions(tmp_path / "broken.xlsx")
    (tmp_path / "notes.csv").write_text("hello,world\nfoo,bar\n", encoding="utf-8")
    with pytest.raises(SubmissionError, match="notes.csv: no table found"):
        io.load_submissions(tmp_path / "notes.csv")
    with pytest.raises(SubmissionError, match="no such file"):
        io.load_submissions(tmp_path / "missing.csv")


@pytest.mark.parametrize("text, expected", [
    ("1.234", 1234.0), ("12,5", 12.5), ("1.234,5", 1234.5), ("12.5", 12.5), (" 7 ", 7.0),
    ("1 234", 1234.0), ("-3", -3.0), ("0", 0.0),
])
def test_parse_number(text, expected):
    assert io.parse_number(text) == (expected, None)


def test_messy_sample_every_declared_fault_is_caught():
    folder = sample_dir() / "messy"
    for name, faults in MESSY_FAULTS.items():
        res = io.load_submissions(folder / name, today=TODAY, flag_outliers=False)
        assert faults <= set(res.quarantine["reason"]), name
        assert_adds_up(res)
        assert res.quarantine[["file", "row", "column", "reason_vi", "reason_en"]].notna().all().all()


def test_quarantine_written_as_csv_and_xlsx(tmp_path):
    res = load(tmp_path, GOOD + [("28756", "2015", "u5_measured", "-1")])
    for suffix in (".csv", ".xlsx"):
        out = res.write_quarantine(tmp_path / f"q{suffix}")
        back = pd.read_csv(out, encoding="utf-8-sig") if suffix == ".csv" else pd.read_excel(out, engine="openpyxl")
        assert back["reason"].tolist() == ["negative"]


VALID = pd.DataFrame([(c, p, e, v) for c in ("28756", "28759", "28762") for p in ("2014", "2015")
                      for e, v in (("u5_measured", "400"), ("u5_stunted", "80"), ("play_area_standard", "1"))],
                     columns=["commune_code", "period", "element", "value"])
JUNK = st.sampled_from(["", "abc", "-5", "12,5", "2031", "99999", "u5_x", "7%", "2", "1.000", "  ", "H1", "0", "28771"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 3), JUNK), max_size=12),
       dup=st.lists(st.integers(0, len(VALID) - 1), max_size=4))
def test_property_no_row_is_lost(tmp_path, cells, dup):
    df = VALID.copy()
    for r, c, v in cells:
        df.iat[r, c] = v
    df = pd.concat([df, df.iloc[dup]], ignore_index=True)
    path = tmp_path / "prop.csv"
    df.to_csv(path, index=False)
    res = io.load_submissions(path, today=TODAY, flag_outliers=False)
    s = res.summary
    assert s["rows_read"] == len(df)
    assert s["accepted"] + s["quarantined"] + s["duplicates_folded"] == len(df)
    assert not res.accepted.duplicated(["commune_code", "period", "element"]).any()
    assert res.quarantine["row"].between(2, len(df) + 1).all()

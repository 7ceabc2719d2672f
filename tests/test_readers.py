"""Reading what districts really send (issue 10) and bounded reading of hostile files (issue 11).

Expected values come from the builders in ``realformat`` (what they wrote), never from the loader.
"""
from __future__ import annotations

import csv
import datetime as dt
import time
import tracemalloc
import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

import realformat as rf
from btchild_analysis import cells, io, readers, admin_units, validation
from btchild_analysis.errors import LoadAccountingError, SubmissionError
from btchild_analysis.limits import Limits
from btchild_analysis.periods import Period

TODAY = dt.date(2026, 11, 29)
KEY = ["commune_code", "period", "element"]


def load(path, **kw):
    return io.load_submissions(path, today=TODAY, flag_outliers=False, **kw)


def assert_same_values(res, expected):
    got = res.accepted.set_index(KEY)["value"].sort_index()
    want = expected.set_index(KEY)["value"].sort_index()
    assert got.index.equals(want.index), (got.index.difference(want.index), want.index.difference(got.index))
    assert np.array_equal(got.to_numpy(), want.to_numpy())


def adds_up(res):
    s = res.summary
    return s["rows_read"] == s["accepted"] + s["quarantined"] + s["duplicates_folded"] + s["skipped"]


# ----------------------------------------------------------------------------- the fixtures' styles

@pytest.mark.parametrize("style", rf.STYLES)
@pytest.mark.parametrize("district, period", [("Ba Tri", "2019"), ("Thành phố Bến Tre", "2019H1"),
                                              ("Giồng Trôm", "2024"), ("Thành phố Bến Tre", "2023")])
@pytest.mark.parametrize("seed", [0, 1])
def test_real_format_workbooks_load_what_was_written(tmp_path, style, district, period, seed):
    path = rf.district_workbook(tmp_path / "w.xlsx", district, period, style=style, seed=seed)
    res = load(path)
    assert_same_values(res, rf.expected_values(path))
    assert set(res.accepted["period"]) == {period}  # never an H1 report filed as annual
    assert adds_up(res)
    built = rf.built(path)
    if style == "two_row":
        assert res.summary["skipped_by_reason"].get("column_numbers") == 1
    if style == "messy":
        q = res.quarantine
        na = q[q["reason"] == "not_applicable"]
        want = built.not_reported
        assert sorted(zip(na["row"], na["column"].str.split(":").str[0])) == sorted(zip(want["row"], want["column"]))
        assert set(na["value"]) == set(want["text"])
        assert set(q.loc[q["reason"] == "total_row", "row"]) == set(built.rows["total"])
        assert set(q.loc[q["reason"] == "below_table", "row"]) == set(built.rows["note"])
        assert res.summary["skipped_by_reason"]["blank_line"] >= len(built.rows["blank"])
        assert set(q["reason"]) == {"not_applicable", "total_row", "below_table"}


def test_folder_of_district_workbooks(tmp_path):
    folder = rf.district_folder(tmp_path / "data")
    files = sorted(folder.glob("*.xlsx"))
    assert len(files) == 10 and not (folder / "datapackage.yaml").exists()
    res = load(files)
    assert_same_values(res, rf.expected_values(folder))
    assert res.quarantine.empty and adds_up(res)


# ----------------------------------------------------------------------------- periods

@pytest.mark.parametrize("text, period", [
    ("Năm 2017", "2017"), ("CN 2017", "2017"), ("6T-2017", "2017H1"), ("6 tháng/2017", "2017H1"),
    ("6 tháng 2017", "2017H1"), ("BÁO CÁO KẾT QUẢ 6 THÁNG ĐẦU NĂM 2019", "2019H1"), ("2016H1", "2016H1"),
    ("BC 2019", "2019"), ("Sheet1", None), ("Ba Tri, ngày 15 tháng 10 năm 2019", None),
    ("(Kèm theo Kế hoạch số 3042/KH-UBND ngày 03/7/2013)", None),
    ("BÁO CÁO THỰC HIỆN KẾ HOẠCH GIAI ĐOẠN 2016-2020 NĂM 2018", "2018"),
    ("SỐ LIỆU GIÁO DỤC NĂM 2019 (năm học 2018-2019)", "2019"),
    ("BÁO CÁO 6 THÁNG ĐẦU NĂM 2020 (giai đoạn 2016-2020)", "2020H1"),
])
def test_period_in_text(text, period):
    p = readers.period_in_text(text)
    assert (str(p) if p else None) == period


def test_period_from_title_not_from_date_line(tmp_path):
    # messy annual workbooks are dated in January of the following year, above the title
    path = rf.district_workbook(tmp_path / "late.xlsx", "Ba Tri", "2019", style="messy")
    assert "2020" in rf.built(path).date_line
    assert set(load(path).accepted["period"]) == {"2019"}


def _retitle(path, sheet=None, title=None, date_line=None):
    wb = load_workbook(path)
    ws = wb.active
    if sheet is not None:
        ws.title = sheet
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.startswith("BÁO CÁO") and title is not None:
                c.value = title
            if isinstance(c.value, str) and ", ngày " in c.value and date_line is not None:
                c.value = date_line
    wb.save(path)
    return path


def test_date_line_beside_an_h1_title_does_not_make_it_annual(tmp_path):
    path = rf.district_workbook(tmp_path / "h1.xlsx", "Ba Tri", "2019H1")
    _retitle(path, sheet="Sheet1", date_line="Ba Tri, ngày 20 tháng 4 năm 2019")
    assert set(load(path).accepted["period"]) == {"2019H1"}


@pytest.mark.parametrize("sheet, title", [("Năm 2019", "BÁO CÁO 6 THÁNG ĐẦU NĂM 2019"),
                                          ("6T-2019", "BÁO CÁO KẾT QUẢ NĂM 2019")])
def test_more_specific_period_wins_with_a_note(tmp_path, sheet, title):
    path = _retitle(rf.district_workbook(tmp_path / "w.xlsx", "Ba Tri", "2019H1"), sheet=sheet, title=title)
    res = load(path)
    assert set(res.accepted["period"]) == {"2019H1"}
    assert res.notes["note"].str.contains("2019H1").any() and (res.notes["sheet"] == sheet).all()


def test_contradictory_periods_quarantine_the_sheet(tmp_path):
    path = _retitle(rf.district_workbook(tmp_path / "w.xlsx", "Ba Tri", "2017"), sheet="Năm 2016")
    res = load(path)
    assert res.accepted.empty
    assert set(res.quarantine["reason"]) == {"period_conflict"}
    assert len(res.quarantine) == len(rf.expected_values(path))
    assert "2016" in res.quarantine["reason_en"].iloc[0] and "2017" in res.quarantine["reason_en"].iloc[0]
    assert adds_up(res)


# ----------------------------------------------------------------------------- headers and names

@pytest.mark.parametrize("heading", ["Xã, thị trấn", "Xã/phường/thị trấn", "Đơn vị", "Tên đơn vị", "Địa bàn"])
def test_commune_column_headings(tmp_path, heading):
    path = rf.district_workbook(tmp_path / "w.xlsx", "Chợ Lách", "2020")
    b = rf.built(path)
    wb = load_workbook(path)
    wb.active.cell(b.rows["header"][0], 2, heading)
    wb.save(path)
    assert_same_values(load(path), rf.expected_values(path))


def test_column_number_row_is_not_data(tmp_path):
    # "1 2 3 …" under the header: the "2" in the commune column is not Phường 2
    path = rf.district_workbook(tmp_path / "w.xlsx", "Thành phố Bến Tre", "2019", style="two_row", seed=1)
    wb = load_workbook(path)
    assert [c.value for c in wb.active[rf.built(path).rows["numbers"][0]]][:3] == [1, 2, 3]
    res = load(path)
    assert_same_values(res, rf.expected_values(path))
    assert res.summary["skipped_by_reason"] == {"column_numbers": 1}


@pytest.mark.parametrize("typed", ["P1", "P.1", "P 1", "F1", "p.01", "Phường 1"])
def test_ward_names(typed):
    assert readers.ward_name(typed) == "Phường 1"


def _names_table(tmp_path, period, names, district="Thành phố Bến Tre"):
    wb = Workbook()
    ws = wb.active
    ws.append([f"UBND {district.upper()}"])
    ws.append([f"BÁO CÁO SỐ LIỆU TRẺ EM NĂM {period}"])
    ws.append(["STT", "Tên đơn vị", "Số trẻ em dưới 5 tuổi được đo chiều cao"])
    for i, n in enumerate(names, 1):
        ws.append([i, n, 100 + i])
    path = tmp_path / "names.xlsx"
    wb.save(path)
    return path


def test_old_name_of_merged_commune_points_to_successor(tmp_path):
    res = load(_names_table(tmp_path, "2021", ["Phường 1", "Phường 8"]))
    q = res.quarantine
    assert q["reason"].tolist() == ["not_in_force"] and q["commune_code"].iloc[0] == "28771"
    # the same pointer as the old code gets
    code_q = load(rf_csv(tmp_path, [("28771", "2021", "u5_measured", "10")])).quarantine
    assert q["reason_en"].iloc[0] == code_q["reason_en"].iloc[0]
    assert res.accepted["commune_code"].tolist() == ["28759"]


def rf_csv(tmp_path, rows, name="s.csv"):
    path = tmp_path / name
    pd.DataFrame(rows, columns=["commune_code", "period", "element", "value"]).to_csv(path, index=False)
    return path


# ----------------------------------------------------------------------------- cells

def test_x_is_not_reported_for_a_count_and_yes_for_yes_no(tmp_path):
    rows = [("28756", "2015", "u5_measured", "x"), ("28756", "2015", "play_area_standard", "x"),
            ("28759", "2015", "u5_measured", "KPS"), ("28759", "2015", "pop_u16", "—"),
            ("28762", "2015", "pop_u16", ".."), ("28762", "2015", "u5_measured", "-"),
            ("28765", "2015", "u5_measured", "Có")]
    res = load(rf_csv(tmp_path, rows))
    assert res.accepted[["commune_code", "element", "value"]].values.tolist() == [["28756", "play_area_standard", 1.0]]
    q = res.quarantine.set_index("row")["reason"]
    assert q.to_dict() == {2: "not_applicable", 4: "not_applicable", 5: "not_applicable", 6: "not_applicable",
                           7: "not_applicable", 8: "not_a_number"}


def test_formula_residue_is_the_whole_number(tmp_path):
    res = load(rf_csv(tmp_path, [("28756", "2015", "u5_measured", "7.000000000000001"),
                                 ("28759", "2015", "u5_measured", "7.0001")]))
    assert res.accepted["value"].tolist() == [7.0]
    assert res.quarantine["reason"].tolist() == ["not_integer"]


def test_blank_and_separator_lines_skipped_counted_and_rows_numbered_from_the_file(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("commune_code;period;element;value\n28756;2015;u5_measured;400\n\n;;;\n   \n"
                    "28759;2015;u5_measured;-3\n;;;;\n", encoding="utf-8")
    res = load(path)
    assert res.summary["skipped_by_reason"] == {"blank_line": 2, "separator_line": 2}
    assert res.quarantine["row"].tolist() == [6]  # the true line number of the negative value
    assert res.summary["rows_read"] == 6 and adds_up(res)


def test_csv_with_a_title_line_before_the_header(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("BÁO CÁO SỐ LIỆU NĂM 2015\ncommune_code,period,element,value\n28756,2015,u5_measured,400\n",
                    encoding="utf-8")
    res = load(path)
    assert res.accepted["value"].tolist() == [400.0] and res.quarantine.empty


def test_wide_csv_with_title_and_heading(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("UBND HUYỆN BA TRI\nBÁO CÁO 6 THÁNG ĐẦU NĂM 2019\nSTT;Xã, thị trấn;SDD thấp còi;Trẻ <5 tuổi được đo\n"
                    "1;Xã An Đức;80;500\n2;Xã Vĩnh Hòa;x;300\n", encoding="utf-8")
    res = load(path)
    assert sorted(res.accepted["value"]) == [80.0, 300.0, 500.0]
    assert set(res.accepted["period"]) == {"2019H1"}
    assert res.quarantine["reason"].tolist() == ["not_applicable"]


# ----------------------------------------------------------------------------- nothing silently skipped

def test_sheet_without_table_unknown_heading_and_lines_below(tmp_path):
    path = rf.district_workbook(tmp_path / "w.xlsx", "Ba Tri", "2019", elements=["u5_measured", "u5_stunted"])
    b = rf.built(path)
    wb = load_workbook(path)
    ws = wb.active
    ws.cell(b.rows["header"][0], 5, "u5_stuntd")  # a typo'd element heading over a column of values
    for r in b.rows["data"]:
        ws.cell(r, 5, 3)
    last = b.rows["data"][-1]
    ws.cell(last + 2, 2, "Người lập biểu: Nguyễn Văn A")
    other = wb.create_sheet("Hướng dẫn")
    other.append(["Ghi chú cách điền biểu"])
    wb.save(path)
    res = load(path)
    q = res.quarantine
    unknown = q[q["reason"] == "unknown_element"]
    assert len(unknown) == len(b.rows["data"]) and "did you mean 'u5_stunted'" in unknown["reason_en"].iloc[0]
    assert q.loc[q["reason"] == "below_table", "value"].tolist() == ["Người lập biểu: Nguyễn Văn A"]
    nt = q[q["reason"] == "no_table"]
    assert nt["sheet"].tolist() == ["Hướng dẫn"] and "Ghi chú" in nt["value"].iloc[0]
    assert res.notes["note"].str.contains("u5_stuntd").any()
    assert "sheets without a table: 1" in res.summary_text("en") and "lines below a table: 1" in res.summary_text("en")
    assert "trang không có bảng: 1" in res.summary_text("vi")
    assert_same_values(res, rf.expected_values(path))
    assert adds_up(res)


def test_a_dropped_record_breaks_the_count(tmp_path, monkeypatch):
    path = rf.district_workbook(tmp_path / "w.xlsx", "Ba Tri", "2019", style="messy")
    load(path)  # adds up
    real = validation.validate
    monkeypatch.setattr(io, "validate", lambda raw, *a, **k: real(raw.iloc[1:], *a, **k))
    with pytest.raises(LoadAccountingError, match="records read but"):
        load(path)


def test_the_count_is_not_derived_from_the_outcomes(tmp_path, monkeypatch):
    path = rf_csv(tmp_path, [("28756", "2015", "u5_measured", "1"), ("28759", "2015", "u5_measured", "2")])
    real = readers._fast_long

    def lose_a_row(p, info, lim):
        rr = real(p, info, lim)
        rr.rows = rr.rows.iloc[1:]
        return rr
    monkeypatch.setattr(readers, "_fast_long", lose_a_row)
    with pytest.raises(LoadAccountingError):
        load(path)


# ----------------------------------------------------------------------------- formats

def _to_xls(src, dest):
    xlwt = pytest.importorskip("xlwt")
    wb = load_workbook(src)
    book = xlwt.Workbook()
    for ws in wb.worksheets:
        sh = book.add_sheet(ws.title)
        for r, row in enumerate(ws.iter_rows(values_only=True)):
            for c, v in enumerate(row):
                if v is not None:
                    sh.write(r, c, v)
    book.save(str(dest))
    return dest


def test_legacy_xls_is_read(tmp_path):
    src = rf.district_workbook(tmp_path / "w.xlsx", "Mỏ Cày Nam", "2019H1", style="two_row")
    res = load(_to_xls(src, tmp_path / "w.xls"))
    assert_same_values(res, rf.expected_values(src))


def test_workbooks_recognised_by_content_not_extension(tmp_path):
    src = rf.district_workbook(tmp_path / "w.xlsx", "Ba Tri", "2019")
    as_xls = tmp_path / "saved_as.xls"
    as_xls.write_bytes(src.read_bytes())
    old_named_xlsx = _to_xls(src, tmp_path / "old.xls").rename(tmp_path / "renamed.xlsx")
    for path in (as_xls, old_named_xlsx):
        assert_same_values(load(path), rf.expected_values(src))


def test_xls_without_reader_or_broken_gets_a_remedy(tmp_path, monkeypatch):
    bad = tmp_path / "old.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0 not really a workbook")
    with pytest.raises(SubmissionError, match=r"old.xls: .*save it as .xlsx"):
        load(bad)
    monkeypatch.setitem(__import__("sys").modules, "xlrd", None)
    with pytest.raises(SubmissionError, match=r"old.xls: legacy .xls .*save it as .xlsx"):
        load(bad)


# ----------------------------------------------------------------------------- resource bombs

def _with_dimension(path, ref):
    """Rewrite a workbook so that its first sheet declares ``ref`` as its used range."""
    out = path.with_name("bomb_" + path.name)
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                start = text.index("<dimension")
                text = text[:start] + f'<dimension ref="{ref}"/>' + text[text.index("/>", start) + 2:]
                data = text.encode()
            zout.writestr(item, data)
    return out


def test_declared_million_rows_read_by_content(tmp_path):
    src = rf.district_workbook(tmp_path / "w.xlsx", "Ba Tri", "2019")
    bomb = _with_dimension(src, "A1:XFD1048576")
    assert bomb.stat().st_size < 20_000
    tracemalloc.start()
    res = load(bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 100e6
    assert_same_values(res, rf.expected_values(src))


def _huge_sheet_xml(path, n_bytes):
    """A workbook whose sheet XML expands to ``n_bytes`` (mostly spaces: a few KB on disk)."""
    src = rf.district_workbook(path.with_name("src.xlsx"), "Ba Tri", "2019")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                zout.writestr(item, zin.read(item.filename))
                continue
            text = zin.read(item.filename)
            with zout.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
                fh.write(text[:-len(b"</worksheet>")])
                block = b" " * (1 << 20)
                for _ in range(n_bytes >> 20):
                    fh.write(block)
                fh.write(b"</worksheet>")
    return path


def test_workbook_expanding_past_the_limit_refused_fast(tmp_path):
    bomb = _huge_sheet_xml(tmp_path / "bomb.xlsx", 150 << 20)
    assert bomb.stat().st_size < 1_000_000
    t = time.perf_counter()
    with pytest.raises(SubmissionError, match=r"bomb.xlsx: refused, the workbook expands to .*BTCHILD_MAX_EXPANDED_BYTES"):
        load(bomb)
    assert time.perf_counter() - t < 30  # generous: refused before any XML is parsed


def test_cells_per_sheet_limit(tmp_path, monkeypatch):
    path = rf.district_workbook(tmp_path / "w.xlsx", "Ba Tri", "2019")
    with pytest.raises(SubmissionError, match=r"w.xlsx: refused, a sheet .* spans 31 rows × 30 columns .*BTCHILD_MAX_CELLS"):
        load(path, limits=Limits(max_cells=200))
    monkeypatch.setenv("BTCHILD_MAX_CELLS", "200")
    with pytest.raises(SubmissionError, match="BTCHILD_MAX_CELLS"):
        load(path)


def test_file_size_limit(tmp_path):
    path = rf_csv(tmp_path, [("28756", "2015", "u5_measured", "1")])
    with pytest.raises(SubmissionError, match=r"s.csv: refused, the file has \d+ bytes.*BTCHILD_MAX_FILE_BYTES"):
        load(path, limits=Limits(max_file_bytes=10))


def test_csv_line_of_commas_refused_fast_and_small(tmp_path):
    path = tmp_path / "commas.csv"
    with open(path, "w") as fh:
        fh.write("commune_code,period,element,value\n28756,2015,u5_measured,1\n")
        fh.write("," * (20 << 20) + "\n")
    tracemalloc.start()
    with pytest.raises(SubmissionError, match=r"commas.csv: refused, a line has more than .*BTCHILD_MAX_LINE_BYTES"):
        load(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 200e6


def test_csv_fields_per_line_limit(tmp_path):
    path = tmp_path / "fields.csv"
    path.write_text("commune_code,period,element,value\n28756,2015,u5_measured,1\n" + "1," * 20_000 + "\n")
    with pytest.raises(SubmissionError, match=r"fields.csv: refused, line 3 has 20,001 fields.*BTCHILD_MAX_FIELDS"):
        load(path)


# ----------------------------------------------------------------------------- rows lost in CSVs

def _long_rows(n):
    """``n`` distinct (commune, period, element) rows of counts without a denominator."""
    codes = admin_units.units("2015")["code"].tolist()
    els = ["u5_measured", "u5_weighed", "pop_0_2", "pop_3_5", "pop_6_10", "pop_11_14", "pupils_enrolled",
           "pop_u16", "births", "pop_u1", "abuse_cases", "injuries_u16"]
    periods = [f"{y}{k}" for y in range(1990, 2020) for k in ("", "H1")]
    keys = ((c, p, e) for p in periods for e in els for c in codes)
    return [(c, p, e, str(100 + i % 50)) for i, (c, p, e) in zip(range(n), keys)]


def test_one_extra_field_does_not_reject_a_large_file(tmp_path):
    rows = _long_rows(70_000)
    path = tmp_path / "big.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["commune_code", "period", "element", "value"])
        for i, r in enumerate(rows):
            w.writerow(r + (("surplus",) if i == 41_000 else ()))
    res = load(path)
    q = res.quarantine
    assert q["reason"].tolist() == ["bad_line"] and q["row"].tolist() == [41_002]
    assert q["value"].iloc[0] == ",".join(rows[41_000]) + ",surplus"
    assert res.summary["rows_read"] == 70_000 and len(res.accepted) + res.duplicates_folded == 69_999
    assert adds_up(res)


def test_stray_quotes_do_not_merge_lines(tmp_path):
    rows = [("28756", str(2005 + i), "u5_measured", str(10 + i)) for i in range(10)]
    lines = ["commune_code,period,element,value"] + [",".join(r) for r in rows]
    lines[3] = '28756,"2007,u5_measured,12'
    lines[7] = '28756,2011",u5_measured,16'
    path = tmp_path / "quotes.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = load(path)
    assert res.summary["rows_read"] == 10
    assert len(res.accepted) == 8
    q = res.quarantine
    assert q["row"].tolist() == [4, 8] and set(q["reason"]) == {"bad_line"}
    assert q["value"].iloc[0] == lines[3] and "quote" in q["reason_en"].iloc[0]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("careful", [False, True])
def test_blank_lines_keep_true_line_numbers_on_both_paths(tmp_path, monkeypatch, newline, careful):
    if careful:  # the same file through the line-by-line reader
        monkeypatch.setattr(readers, "_fast_long", lambda *a: None)
    lines = ["commune_code,period,element,value", "", "28756,2015,u5_measured,1", "", "",
             "28759,2015,u5_measured,-1", "28762,2015,u5_measured,2", "", ""]
    path = tmp_path / "gaps.csv"
    path.write_bytes(newline.join(lines).encode() + newline.encode())
    if not careful:  # the fast path holds for empty lines
        assert readers._fast_long(path, readers._scan_text(path, Limits()), Limits()) is not None
    res = load(path)
    assert res.quarantine["row"].tolist() == [6]
    assert sorted(res.accepted["value"]) == [1.0, 2.0]
    assert res.summary["skipped_by_reason"] == {"blank_line": 5} and res.summary["rows_read"] == 8


def test_blank_lines_do_not_shift_row_numbers(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("commune_code,period,element,value\n\n28756,2015,u5_measured,1\n\n\n28759,2015,u5_measured,abc\n"
                    "28762,2015,u5_measured,1,extra\n", encoding="utf-8")
    res = load(path)
    assert res.quarantine.set_index("row")["reason"].to_dict() == {6: "not_a_number", 7: "bad_line"}
    assert res.summary["skipped_by_reason"] == {"blank_line": 3}
    assert adds_up(res)


# ----------------------------------------------------------------------------- writing the quarantine

HOSTILE = ['=HYPERLINK("http://x","click")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_quarantine_written_without_formulas(tmp_path):
    rows = [("28756", "2015", "u5_measured", v) for v in HOSTILE]
    path = tmp_path / "hostile.csv"
    pd.DataFrame(rows, columns=["commune_code", "period", "element", "value"]).to_csv(path, index=False,
                                                                                        quoting=csv.QUOTE_ALL)
    res = load(path)
    assert set(res.quarantine["value"]) == set(HOSTILE)
    xlsx = res.write_quarantine(tmp_path / "q.xlsx")
    ws = load_workbook(xlsx).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert {c.value for c in cells} >= set(HOSTILE) - {"\rx"}  # XML keeps a lone CR as a line break
    text = res.write_quarantine(tmp_path / "q.csv").read_text(encoding="utf-8-sig")
    back = pd.read_csv(tmp_path / "q.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert set(back["value"]) >= {"'" + v for v in HOSTILE if v != "\rx"}
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_period_choice_doctests_cover_h1_never_annual():
    p, note, conflict = readers.choose_period("Năm 2019", Period(2019, "H1"), "BÁO CÁO 6 THÁNG ĐẦU NĂM 2019",
                                              Period(2019, "A"))
    assert str(p) == "2019H1" and conflict is None and note


def test_one_far_cell_makes_a_huge_extent_refused(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "Tên đơn vị"
    ws["XFD1048576"] = 1
    wb.save(tmp_path / "far.xlsx")
    t = time.perf_counter()
    with pytest.raises(SubmissionError, match=r"far.xlsx: refused, a sheet .* spans 1,048,576 rows × 16,384 columns"):
        load(tmp_path / "far.xlsx")
    assert time.perf_counter() - t < 30


@pytest.mark.parametrize("style", rf.STYLES)
def test_streaming_reader_without_calamine_reads_the_same(tmp_path, monkeypatch, style):
    path = rf.district_workbook(tmp_path / "w.xlsx", "Thành phố Bến Tre", "2019H1", style=style)
    monkeypatch.setattr(cells, "_calamine_sheets", lambda p: None)
    res = load(_with_dimension(path, "A1:XFD1048576"))
    assert_same_values(res, rf.expected_values(path))
    with pytest.raises(SubmissionError, match="BTCHILD_MAX_CELLS"):
        cells._xlsx_sheets_openpyxl(path, Limits(max_cells=100))


def test_columns_not_read_are_noted(tmp_path):
    path = rf.district_workbook(tmp_path / "w.xlsx", "Chợ Lách", "2020", style="two_row", elements=["pop_u16"])
    b = rf.built(path)
    wb = load_workbook(path)
    wb.active.cell(b.rows["data"][0], 4, "số liệu ước tính")  # a remark in the Ghi chú column
    wb.save(path)
    res = load(path)
    assert res.notes["note"].tolist() == ["cột D 'Ghi chú' không phải số liệu, không đọc / column D 'Ghi chú' not read (not data)"]
    assert_same_values(res, rf.expected_values(path))


def test_careful_csv_reader_is_bounded(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("commune_code,period,element,value\n" + "28756,2015,u5_measured,1,extra\n" * 300)
    with pytest.raises(SubmissionError, match=r"wide.csv: refused, more than .* lines × 5 fields.*BTCHILD_MAX_CELLS"):
        load(path, limits=Limits(max_cells=1000, max_rows=1000))
    q = load(path).quarantine  # within the default limits: every line quarantined with its text
    assert len(q) == 300 and set(q["reason"]) == {"bad_line"} and set(q["value"]) == {"28756,2015,u5_measured,1,extra"}


@pytest.mark.parametrize("heading, period", [
    (["UBND HUYỆN BA TRI", "Số: 12/2018/BC-UBND", "Ba Tri, ngày 03 tháng 01 năm 2020", "BÁO CÁO SỐ LIỆU NĂM 2019"], "2019"),
    (["Ban hành kèm theo Thông tư số 06/2016/TT-BLĐTBXH", "SỐ LIỆU TRẺ EM 6 THÁNG ĐẦU NĂM 2019"], "2019H1"),
    (["Số: 12/2018/BC-UBND", "Ba Tri, ngày 03 tháng 01 năm 2020"], None),
])
def test_title_period_ignores_numbers_dates_and_legal_references(heading, period):
    p, _ = readers.title_period(heading)
    assert (str(p) if p else None) == period


def test_score_sheet_with_a_title_line(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("BẢNG TỰ CHẤM ĐIỂM XÃ PHÙ HỢP VỚI TRẺ EM NĂM 2019\n\nMã xã,Năm,Tiêu chí,Điểm\n"
                    "28756,2019,abc_not_a_criterion,5\n", encoding="utf-8")
    res = io.load_scores(path)
    q = res.quarantine
    assert q["reason"].tolist() == ["unknown_criterion"] and q["row"].tolist() == [4]

"""Figures by sex in the loader: the long layout's sex column, the workbooks' paired columns, the checks
of parts against totals, the accounting, the dataset and the shared cache."""
import numpy as np
import pandas as pd
import pytest

from btchild_analysis import indicators as I
from btchild_analysis import io
from btchild_analysis.dataset import load_dataset
from btchild_analysis.headings import sex_of, split_sex_heading

from conftest import write_csv
from sexformat import sex_workbook

HEAD = ("commune_code", "period", "element", "sex", "value")
BY_SEX_COLUMNS = ["commune_code", "period", "element", "sex", "value", "derived"]


def load(path):
    res = io.load_submissions(path, flag_outliers=False)
    res.check()
    return res


def q_of(res, reason):
    return res.quarantine[res.quarantine["reason"] == reason]


@pytest.mark.parametrize("word, sex", [("Nam", "male"), ("nam giới", "male"), ("MALE", "male"), ("Nữ", "female"),
                                       ("NU", "female"), ("nữ giới", "female"), ("female", "female"),
                                       ("Tổng số", "total"), ("Tổng", "total"), ("Chung", "total"),
                                       ("total", "total"), ("", "total"), (None, "total"), ("M", None),
                                       ("F", None), ("1", None), ("2", None), ("boys", None), ("Nam/Nữ", None)])
def test_sex_words(word, sex):
    assert sex_of(word) == sex


@pytest.mark.parametrize("heading, expected", [("SDD thấp còi - Nam", ("SDD thấp còi", "male")),
                                               ("Thấp còi (Nữ)", ("Thấp còi", "female")),
                                               ("Thấp còi: Nữ", ("Thấp còi", "female")),
                                               ("Trẻ 0-2 tuổi", None), ("Trẻ 3-5 tuổi ra lớp", None),
                                               ("Có nữ hộ sinh/YS sản nhi", None)])
def test_paired_headings(heading, expected):
    assert split_sex_heading(heading) == expected


def test_long_layout_by_hand(tmp_path):
    f = write_csv(tmp_path / "long.csv", [
        ("28756", "2015", "u5_measured", "", 100),          # 2 total
        ("28756", "2015", "u5_measured", "Nam", 45),        # 3 male
        ("28756", "2015", "u5_measured", "Nữ", 55),         # 4 female
        ("28756", "2015", "u5_stunted", "Tổng số", 10),     # 5 total
        ("28756", "2015", "u5_stunted", "nữ giới", 4),      # 6 female only → male 10 − 4 = 6 derived
        ("28757", "2015", "u5_measured", "male", 60),       # 7 parts without a total → total 110 derived
        ("28757", "2015", "u5_measured", "female", 50),     # 8
        ("28757", "2015", "u5_stunted", "M", 3),            # 9 bad_sex
        ("28757", "2015", "health_station_midwife", "Nam", 1),  # 10 no_sex_split
        ("28759", "2015", "u5_measured", "total", 30),      # 11 total
        ("28759", "2015", "u5_measured", "Nam", 20),        # 12 20 + 15 > 30: both parts quarantined
        ("28759", "2015", "u5_measured", "Nữ", 15),         # 13
        ("28759", "2015", "u5_stunted", "", 5),             # 14 total
        ("28759", "2015", "u5_stunted", "Nữ", 6),           # 15 female 6 > total 5: quarantined, nothing derived
    ], header=HEAD)
    res = load(f)
    s = res.summary
    # 14 rows read = 4 totals + 5 parts accepted + 5 quarantined; 1 total and 1 part derived (not read)
    assert (s["rows_read"], s["accepted"], s["quarantined"], s["by_sex"], s["derived"]) == (14, 9, 5, 5, 2)
    acc = res.accepted.set_index(["commune_code", "element"])["value"].to_dict()
    assert acc == {("28756", "u5_measured"): 100, ("28756", "u5_stunted"): 10, ("28759", "u5_measured"): 30,
                   ("28759", "u5_stunted"): 5, ("28757", "u5_measured"): 110}
    assert res.derived_totals == 1
    parts = {(c, e, x): (v, d) for c, _, e, x, v, d in res.by_sex.itertuples(index=False)}
    assert parts == {("28756", "u5_measured", "male"): (45, False), ("28756", "u5_measured", "female"): (55, False),
                     ("28756", "u5_stunted", "female"): (4, False), ("28756", "u5_stunted", "male"): (6, True),
                     ("28757", "u5_measured", "male"): (60, False), ("28757", "u5_measured", "female"): (50, False)}
    assert list(res.by_sex.columns) == BY_SEX_COLUMNS
    q = res.quarantine.set_index("row")
    assert q.loc[9, "reason"] == "bad_sex" and q.loc[9, "column"] == "sex" and "'M'" in q.loc[9, "reason_en"]
    assert q.loc[10, "reason"] == "no_sex_split" and "health_station_midwife" in q.loc[10, "reason_vi"]
    assert q.loc[12, "reason"] == q.loc[13, "reason"] == q.loc[15, "reason"] == "part_exceeds_total"
    assert "20 + 15 > 30" in q.loc[12, "reason_en"] and "6 > 5" in q.loc[15, "reason_vi"]
    assert (q.loc[15, "file"], q.loc[15, "column"]) == (str(f), "value")
    assert res.notes["note"].str.contains("1 totals computed as male \\+ female, 1 figures by sex").any()


def test_long_layout_without_sex_is_unchanged(tmp_path):
    f = write_csv(tmp_path / "plain.csv", [("28756", "2015", "u5_measured", 100), ("28756", "2015", "u5_stunted", 10)])
    res = load(f)
    assert res.by_sex.empty and list(res.by_sex.columns) == BY_SEX_COLUMNS
    assert "by_sex" not in res.summary and res.derived_totals == 0
    assert len(res.accepted) == 2 and res.notes.empty


def test_duplicates_and_numerator_check_within_a_sex(tmp_path):
    f = write_csv(tmp_path / "dup.csv", [
        ("28756", "2015", "u5_measured", "", 100),
        ("28756", "2015", "u5_measured", "Nam", 40),
        ("28756", "2015", "u5_measured", "nam", 40),     # same part twice: folded
        ("28756", "2015", "u5_measured", "Nữ", 60),
        ("28756", "2015", "u5_stunted", "", 12),
        ("28756", "2015", "u5_stunted", "Nữ", 7),
        ("28756", "2015", "u5_stunted", "Nam", 41),      # 41 stunted boys of 40 measured: numerator check
        ("28757", "2015", "u5_measured", "Nữ", 5),
        ("28757", "2015", "u5_measured", "Nữ", 6),       # conflicting parts: both held back
    ], header=HEAD)
    res = load(f)
    assert res.duplicates_folded == 1
    assert q_of(res, "numerator_above_denominator")["row"].tolist() == [8]
    assert sorted(q_of(res, "conflicting_duplicate")["row"]) == [9, 10]
    # stunted: a quarantined boys' figure, so nothing is derived for the group
    assert not ((res.by_sex["element"] == "u5_stunted") & (res.by_sex["sex"] == "male")).any()


FORMS = ["three", "female_only", "paired", "parts_only"]


@pytest.mark.parametrize("form", FORMS)
def test_workbook_forms_load_parts_and_totals(tmp_path, form):
    built = sex_workbook(tmp_path / f"{form}.xlsx", "Ba Tri", form=form, seed=4)
    res = load(built.path)
    n = len(built.data_rows)
    read_parts = built.parts[~built.parts["derived"]]
    # every data cell read once; the district's total row: one record per column, quarantined
    assert res.summary["rows_read"] == n * built.n_columns + built.n_columns
    assert len(q_of(res, "total_row")) == built.n_columns and len(res.quarantine) == built.n_columns
    got = res.accepted[["commune_code", "period", "element", "value"]].sort_values(["commune_code", "element"])
    want = built.totals.sort_values(["commune_code", "element"])
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False)
    got = res.by_sex.sort_values(["commune_code", "element", "sex"]).reset_index(drop=True)
    want = built.parts.sort_values(["commune_code", "element", "sex"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert res.summary["by_sex"] == len(read_parts)
    assert res.summary["derived"] == int(built.parts["derived"].sum()) + (n * 2 if form == "parts_only" else 0)


def test_part_above_its_total_is_quarantined_with_file_row_column(tmp_path):
    built = sex_workbook(tmp_path / "bad.xlsx", "Ba Tri", form="three", seed=5,
                         overrides={("29110", "u5_measured", "male"): 10_000})
    res = load(built.path)
    bad = q_of(res, "part_exceeds_total")
    row, letter, heading = built.cells[("29110", "u5_measured", "male")]
    assert len(bad) == 1
    b = bad.iloc[0]
    assert (b["file"], b["row"], b["column"]) == (str(built.path), row, f"{letter}:{heading}")
    assert heading.endswith("– Nam") and b["commune_code"] == "29110"
    assert not ((res.by_sex["commune_code"] == "29110") & (res.by_sex["element"] == "u5_measured")
                & (res.by_sex["sex"] == "male")).any()
    # the total stays
    assert ((res.accepted["commune_code"] == "29110") & (res.accepted["element"] == "u5_measured")).sum() == 1


def test_a_folder_of_workbooks_gives_the_dataset_by_sex_and_rates(tmp_path):
    b1 = sex_workbook(tmp_path / "d" / "BaTri.xlsx", "Ba Tri", form="three", seed=6)
    b2 = sex_workbook(tmp_path / "d" / "GiongTrom.xlsx", "Giồng Trôm", form="female_only", seed=7)
    ds = load_dataset(tmp_path / "d")
    parts = pd.concat([b1.parts, b2.parts])
    assert len(ds.by_sex) == len(parts) and list(ds.by_sex.columns) == BY_SEX_COLUMNS
    out = I.compute(ds.by_sex, "province", which=["stunting_u5"], by="sex").set_index("sex")
    for sex in ("male", "female"):  # ratio of sums from the builder's own numbers
        p = parts[parts["sex"] == sex].groupby("element")["value"].sum()
        assert out.loc[sex, "value"] == pytest.approx(100 * p["u5_stunted"] / p["u5_measured"])
        assert out.loc[sex, "communes_reporting"] == len(b1.data_rows) + len(b2.data_rows)


def test_the_shared_cache_carries_by_sex(tmp_path, monkeypatch):
    sex_workbook(tmp_path / "d" / "BaTri.xlsx", "Ba Tri", form="three", seed=8)
    monkeypatch.setenv("BTCHILD_CACHE_DIR", str(tmp_path / "cache"))
    first = load_dataset(tmp_path / "d")
    second = load_dataset(tmp_path / "d")   # read back from the cache
    assert len(first.by_sex) > 0
    pd.testing.assert_frame_equal(first.by_sex, second.by_sex)


def test_a_workbook_with_a_sex_column_one_row_per_commune_and_sex(tmp_path):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "Năm 2015"
    ws.append(["BÁO CÁO SỐ LIỆU TRẺ EM NĂM 2015"])
    ws.append([])
    ws.append(["Mã xã", "Giới tính", "Trẻ <5 tuổi được đo", "SDD thấp còi", "Điểm vui chơi"])
    ws.append(["28756", "Tổng số", 100, 10, 1])     # row 4
    ws.append(["28756", "Nam", 45, 6, None])        # row 5: the play area is not split, its cell empty
    ws.append(["28756", "Nữ", 55, 4, None])
    ws.append(["28757", "Nam", 30, 2, None])        # row 7: no total → 50 and 5 derived
    ws.append(["28757", "Nữ", 20, 3, None])
    ws.append(["28759", "Trẻ em", 5, 1, 1])         # row 9: not a sex
    ws.append(["28759", "Nam", 5, 1, 1])            # row 10: the play area is not split by sex
    wb.save(tmp_path / "sex_column.xlsx")
    res = load(tmp_path / "sex_column.xlsx")
    assert res.accepted.set_index(["commune_code", "element"])["value"].to_dict() == {
        ("28756", "u5_measured"): 100, ("28756", "u5_stunted"): 10, ("28756", "play_area_standard"): 1,
        ("28757", "u5_measured"): 50, ("28757", "u5_stunted"): 5}
    assert len(res.by_sex) == 10 and res.derived_totals == 2 and not res.by_sex["derived"].any()
    q = res.quarantine
    assert sorted(q.loc[q["reason"] == "bad_sex", "row"]) == [9, 9, 9]
    assert set(q.loc[q["reason"] == "bad_sex", "column"]) == {"sex"}
    nss = q[q["reason"] == "no_sex_split"]
    assert nss["row"].tolist() == [10] and nss["column"].tolist() == ["E:Điểm vui chơi"]
    assert sorted(q.loc[q["reason"] == "empty_cell", "row"]) == [5, 6, 7, 8]


def test_a_derived_part_above_its_denominators_part_is_not_used(tmp_path):
    f = write_csv(tmp_path / "odd.csv", [
        ("28756", "2015", "u5_measured", "", 100), ("28756", "2015", "u5_measured", "Nữ", 60),   # boys 40 derived
        ("28756", "2015", "u5_stunted", "", 50), ("28756", "2015", "u5_stunted", "Nữ", 5),       # boys 45 > 40
        ("28757", "2015", "u5_measured", "", 100), ("28757", "2015", "u5_measured", "Nữ", 60),   # boys 40 derived
        ("28757", "2015", "u5_stunted", "", 20), ("28757", "2015", "u5_stunted", "Nữ", 5),       # boys 15 ≤ 40
    ], header=HEAD)
    res = load(f)
    derived = res.by_sex[res.by_sex["derived"]].set_index(["commune_code", "element"])["value"].to_dict()
    assert derived == {("28756", "u5_measured"): 40, ("28757", "u5_measured"): 40, ("28757", "u5_stunted"): 15}
    assert res.summary["derived"] == 3 and res.summary["rows_read"] == 8 and res.summary["accepted"] == 8
    assert res.notes["note"].str.contains("1 derived figures by sex .* not used: 28756 2015 u5_stunted \\(male\\)").any()

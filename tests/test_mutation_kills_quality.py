"""Quality: faults planted by mutation testing (issue 17) that no earlier test caught.

Every expected number is worked by hand in the comments, with a MAD other than 1 so that dividing and
multiplying by it differ (Iglewicz & Hoaglin 1993: M = 0.6745 (x − median) / MAD, flagged when
|M| > 3.5; bounds median ± 3.5 · MAD / 0.6745).
"""
import numpy as np
import pandas as pd
import pytest

from btchild_analysis import quality, admin_units
from btchild_analysis.errors import SubmissionError

COLS = ["commune_code", "period", "element", "value"]
FLAG_COLS = ["commune_code", "period", "element", "value", "basis", "median", "mad", "modified_z", "lower", "upper"]


def test_constants_of_iglewicz_and_hoaglin():
    assert quality.Z_CUTOFF == 3.5 and quality._K == 0.6745


# ------------------------------------------------------------------------------- modified z

def test_modified_z_with_a_mad_of_three():
    # median 4; |x − 4| = 3, 2, 0, 3, 16 → sorted 0, 2, 3, 3, 16 → MAD 3
    z, med, mad = quality.modified_z(np.array([1.0, 2, 4, 7, 20]))
    assert med == 4.0 and mad == 3.0
    # 0.6745 × (−3)/3, 0.6745 × (−2)/3, 0, 0.6745 × 3/3, 0.6745 × 16/3
    assert z == pytest.approx([-0.6745, -0.449667, 0.0, 0.6745, 3.597333], abs=1e-6)


def test_modified_z_ignores_missing_values():
    # NaN left out of median and MAD: [1, 3, 10] → median 3, |dev| 2, 0, 7 → MAD 2
    z, med, mad = quality.modified_z([1.0, np.nan, 3.0, 10.0])
    assert (med, mad) == (3.0, 2.0)
    assert np.isnan(z[1]) and z[3] == pytest.approx(0.6745 * 7 / 2)


def test_modified_z_is_nan_when_the_mad_is_zero():
    z, med, mad = quality.modified_z(np.array([5.0, 5, 5, 9]))
    assert med == 5.0 and mad == 0.0 and np.isnan(z).all() and z.shape == (4,)


def test_modified_z_of_whole_numbers():
    # counts come as integers: a MAD of 0 still gives NaN (an integer array cannot hold NaN), and z is a float
    z, med, mad = quality.modified_z(np.array([5, 5, 5, 9]))
    assert (med, mad) == (5.0, 0.0) and np.isnan(z).all()
    # [1, 2, 4, 7, 20] as integers: median 4, MAD 3 as above
    z, med, mad = quality.modified_z([1, 2, 4, 7, 20])
    assert z.dtype == float and z[-1] == pytest.approx(0.6745 * 16 / 3)


# ------------------------------------------------------------------------------- outliers

MCN = admin_units.units(2015).query("district_code == '833'")["code"].tolist()  # 17 units of Mỏ Cày Nam


def peers_data():
    """16 rates of Mỏ Cày Nam in 2015 (denominator 100, so rate = numerator) and one unit measuring nobody.

    Rates 0, 17, 18, …, 30, 60: median (23 + 24)/2 = 23.5; |x − 23.5| = 23.5, 6.5, 5.5 … 0.5, 0.5 … 6.5, 36.5
    → sorted 0.5, 0.5, 1.5, 1.5, 2.5, 2.5, 3.5, 3.5 | 4.5, 4.5 … → MAD (3.5 + 4.5)/2 = 4.
    """
    rates = [0.0] + [float(v) for v in range(17, 31)] + [60.0]
    rows = []
    for code, r in zip(MCN, rates):
        rows += [(code, "2015", "u5_measured", 100.0), (code, "2015", "u5_stunted", r)]
    rows += [(MCN[16], "2015", "u5_measured", 0.0), (MCN[16], "2015", "u5_stunted", 5.0)]  # no rate: 5/0
    return pd.DataFrame(rows, columns=COLS)


def test_outliers_high_and_low_against_hand_computation():
    f = quality.outliers(peers_data())
    assert list(f.columns) == FLAG_COLS
    assert f["basis"].tolist() == ["district_peers", "district_peers"]  # one period each: no own history
    f = f.set_index("commune_code")
    assert sorted(f.index) == sorted([MCN[0], MCN[15]])
    low, high = f.loc[MCN[0]], f.loc[MCN[15]]
    assert (low["value"], high["value"]) == (0.0, 60.0)
    for r in (low, high):
        assert (r["median"], r["mad"]) == (23.5, 4.0)
        assert (r["lower"], r["upper"]) == (2.74, 44.26)  # 23.5 ∓ 3.5 × 4 / 0.6745 = 23.5 ∓ 20.756
        assert (r["element"], r["period"]) == ("u5_stunted", "2015")
    assert high["modified_z"] == 6.15   # 0.6745 × 36.5 / 4 = 6.155
    assert low["modified_z"] == -3.96   # 0.6745 × (−23.5) / 4 = −3.963: flagged on |M|


def test_outlier_cutoff_is_a_parameter_and_moves_the_bounds():
    f = quality.outliers(peers_data(), cutoff=4.0)
    assert f["commune_code"].tolist() == [MCN[15]]  # |−3.96| ≤ 4 < 6.15
    assert (f["lower"].iloc[0], f["upper"].iloc[0]) == (-0.22, 47.22)  # 23.5 ∓ 4 × 4 / 0.6745 = 23.5 ∓ 23.721
    assert quality.outliers(peers_data(), cutoff=6.2).empty


def test_own_history_is_kept_apart_for_six_monthly_and_annual_reports():
    # annual 2012–2018: 20, 22, 24, 26, 28, 30, 90 → median 26, |dev| 6, 4, 2, 0, 2, 4, 64 → MAD 4
    # H1 2012H1–2018H1: 88 … 94 → median 91, MAD 2: nothing to flag.  Mixed, the annual 20s would stand out.
    code = "28756"
    rows = []
    for year, a, h in zip(range(2012, 2019), [20, 22, 24, 26, 28, 30, 90], range(88, 95)):
        for per, v in ((str(year), a), (f"{year}H1", h)):
            rows += [(code, per, "u5_measured", 100.0), (code, per, "u5_stunted", float(v))]
    f = quality.outliers(pd.DataFrame(rows, columns=COLS))
    assert len(f) == 1
    r = f.iloc[0]
    assert (r["commune_code"], r["period"], r["basis"], r["value"]) == (code, "2018", "own_history", 90.0)
    assert (r["median"], r["mad"], r["modified_z"]) == (26.0, 4.0, 10.79)  # 0.6745 × 64 / 4 = 10.792
    assert (r["lower"], r["upper"]) == (5.24, 46.76)                      # 26 ∓ 20.756


def test_flags_sorted_by_period_element_and_commune():
    d = pd.concat([peers_data(), peers_data().assign(period="2016")], ignore_index=True)
    f = quality.outliers(d)
    keys = list(zip(f["period"], f["element"], f["commune_code"]))
    assert keys == sorted(keys) and len(f) == 4 and f.index.tolist() == [0, 1, 2, 3]


def test_no_rate_pairs_gives_an_empty_table_with_the_columns():
    d = pd.DataFrame([("28756", "2015", "u5_measured", 100.0)], columns=COLS)
    f = quality.outliers(d)
    assert f.empty and list(f.columns) == FLAG_COLS


def test_rates_are_per_100_and_skip_a_zero_denominator():
    r = quality._rates(pd.DataFrame([("28756", "2015", "u5_measured", 400.0), ("28756", "2015", "u5_stunted", 30.0),
                                     ("28757", "2015", "u5_measured", 0.0), ("28757", "2015", "u5_stunted", 3.0)],
                                    columns=COLS))
    assert r[["commune_code", "element", "value"]].values.tolist() == [["28756", "u5_stunted", 7.5]]


# ------------------------------------------------------------------------------- completeness

def test_percentages_received_and_on_time_by_hand():
    dates = pd.DataFrame({"commune_code": ["28756", "28757", "28759", "29173"], "period": "2015",
                          "submitted_on": ["2015-10-31", "2015-11-01", None, "2015-10-02"]})
    t = quality.completeness(dates, "2015")
    assert t["level"].tolist() == ["district"] * 9 + ["province"]
    assert t.columns.tolist() == ["level", "code", "name", "expected", "received", "missing", "on_time", "late",
                                  "pct_received", "pct_on_time"]
    t = t.set_index("code")
    city = t.loc["829"]   # 17 expected, 2 received (2/17 = 11.76 %), 1 on time (1/17 = 5.88 %)
    assert (city["pct_received"], city["pct_on_time"]) == (11.8, 5.9)
    assert city["name"] == "Thành phố Bến Tre"
    prov = t.loc["83"]    # 164 expected, 3 received (1.83 %), 2 on time (1.22 %), 1 late, 161 missing
    assert (prov["pct_received"], prov["pct_on_time"], prov["late"], prov["missing"]) == (1.8, 1.2, 1, 161)
    assert prov["name"] == "Tỉnh Bến Tre"
    bt = t.loc[admin_units.units(2015).set_index("code").loc["29173", "district_code"]]
    assert (bt["received"], bt["on_time"], bt["late"]) == (1, 1, 0)
    assert bt["pct_received"] == bt["pct_on_time"] == round(100 / bt["expected"], 1)


def test_every_report_received_on_time_is_100_percent():
    codes = admin_units.units(2015)["code"]
    dates = pd.DataFrame({"commune_code": codes, "period": "2015H1", "submitted_on": "2015-04-30"})
    prov = quality.completeness(dates, "2015H1").iloc[-1]
    assert (prov["expected"], prov["received"], prov["missing"], prov["late"]) == (164, 164, 0, 0)
    assert prov["pct_received"] == 100.0 and prov["pct_on_time"] == 100.0


def test_after_the_districts_were_abolished_only_the_province_row():
    dates = pd.DataFrame({"commune_code": ["28777"], "period": "2026", "submitted_on": ["2026-10-01"]})
    t = quality.completeness(dates, "2026")
    assert t["level"].tolist() == ["province"]
    assert (t.iloc[0]["expected"], t.iloc[0]["received"], t.iloc[0]["pct_received"]) == (48, 1, 2.1)  # 1/48


def test_the_first_report_received_decides_and_other_periods_do_not_count():
    dates = pd.DataFrame({"commune_code": ["28756", "28756", "28756", "28757", "28757"],
                          "period": ["2015", "2015", "2016", "2015", "2015"],
                          "submitted_on": [None, "2015-10-30", "2016-01-01", "2015-10-30", "2015-11-20"]})
    s = quality.report_status(dates, "2015").set_index("code")
    assert s.loc["28756", "status"] == "on_time" and s.loc["28756", "submitted_on"] == "2015-10-30"
    assert s.loc["28757", "status"] == "on_time"   # a second copy after the deadline changes nothing
    assert s.loc["28759", "status"] == "missing" and pd.isna(s.loc["28759", "submitted_on"])
    assert (s["status"] == "missing").sum() == 162


def test_deadline_day_is_late_for_the_six_monthly_report():
    dates = pd.DataFrame({"commune_code": ["28756", "28757"], "period": "2015H1",
                          "submitted_on": ["2015-04-30", "2015-05-01"]})
    s = quality.report_status(dates, "2015H1").set_index("code")
    assert (s.loc["28756", "status"], s.loc["28757", "status"]) == ("on_time", "late")


def test_missing_and_late_lists_units_not_on_time_with_their_columns():
    dates = pd.DataFrame({"commune_code": ["28756", "28757"], "period": "2015",
                          "submitted_on": ["2015-10-31", "2015-11-02"]})
    m = quality.missing_and_late(dates, "2015")
    assert m.columns.tolist() == ["code", "name", "district_name", "status", "submitted_on"]
    assert len(m) == 163 and "28756" not in set(m["code"]) and m.index.tolist() == list(range(163))
    row = m.set_index("code").loc["28757"]
    assert (row["status"], row["submitted_on"], row["name"]) == ("late", "2015-11-02", "Phường Phú Tân")


def test_rates_of_two_elements_with_a_denominator_of_one_and_a_fresh_index():
    r = quality._rates(pd.DataFrame([("28756", "2015", "u5_measured", 400.0), ("28756", "2015", "u5_stunted", 30.0),
                                     ("28756", "2015", "u5_weighed", 1.0), ("28756", "2015", "u5_underweight", 1.0)],
                                    columns=COLS))
    assert sorted(zip(r["element"], r["value"])) == [("u5_stunted", 7.5), ("u5_underweight", 100.0)]  # 30/400, 1/1
    assert r.index.tolist() == [0, 1]


def test_rates_of_nothing_keep_their_columns():
    r = quality._rates(pd.DataFrame([("28756", "2015", "pop_u16", 400.0)], columns=COLS))
    assert r.empty and r.columns.tolist() == COLS


def test_bad_dates_are_refused_naming_the_first_three():
    dates = pd.DataFrame({"commune_code": ["a1", "b2", "c3", "d4"], "period": "2015",
                          "submitted_on": ["2015-13-01", "x", "2015/10/01", "31-10-2015"]})
    with pytest.raises(SubmissionError) as e:
        quality.report_status(dates, "2015")
    msg = str(e.value)
    assert "submitted_on" in msg and "YYYY-MM-DD" in msg and "2015" in msg
    assert all(c in msg for c in ("'a1'", "'b2'", "'c3'")) and "'d4'" not in msg


# ------------------------------------------------------------------------------- outliers: MAD 0, the cutoff itself, rounding

def rates_data(rates, period="2015"):
    """Rates of the Mỏ Cày Nam units in ``period`` (denominator 100, so rate = numerator)."""
    rows = []
    for code, r in zip(MCN, rates):
        rows += [(code, period, "u5_measured", 100.0), (code, period, "u5_stunted", r)]
    return pd.DataFrame(rows, columns=COLS)


def test_no_outlier_when_most_peers_have_the_same_rate():
    # 15 units at 20% and one at 50%: median 20, MAD 0 → z undefined, nothing flagged (not an infinite z)
    assert quality.outliers(rates_data([20.0] * 15 + [50.0])).empty


def test_a_modified_z_equal_to_the_cutoff_is_not_flagged():
    # the rate 60 of peers_data has M = 0.6745 × 36.5 / 4 exactly; flagged only when |M| exceeds the cutoff
    m = 0.6745 * (60.0 - 23.5) / 4.0
    assert quality.outliers(peers_data(), cutoff=m).empty
    assert quality.outliers(peers_data(), cutoff=m - 1e-9)["commune_code"].tolist() == [MCN[15]]


def test_flag_values_and_median_rounded_to_two_decimals():
    # peers_data's rates shifted by 0.1234: median 23.6234, MAD still 4, the outlier 60.1234
    shifted = [0.1234] + [v + 0.1234 for v in range(17, 31)] + [60.1234]
    f = quality.outliers(rates_data(shifted)).set_index("commune_code")
    high = f.loc[MCN[15]]
    assert (high["value"], high["median"], high["mad"]) == (60.12, 23.62, 4.0)
    assert (high["lower"], high["upper"]) == (2.87, 44.38)  # 23.6234 ∓ 20.756


def test_flag_mad_rounded_to_three_decimals():
    # peers_data's rates spread by k = 1.0001234 around their median 23.5: MAD 4k = 4.0004936 → 4.0 (3 decimals)
    k = 1.0001234
    spread = [23.5 + (r - 23.5) * k for r in [0.0] + [float(v) for v in range(17, 31)] + [60.0]]
    f = quality.outliers(rates_data(spread)).set_index("commune_code")
    assert f.loc[MCN[15], "mad"] == 4.0 and f.loc[MCN[15], "median"] == 23.5

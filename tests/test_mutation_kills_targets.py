"""Targets: faults planted by mutation testing (issue 17) that no earlier test caught.

Expected numbers are worked by hand (AARR from its formula, projections from the straight line or the
constant rate, the first year a line crosses a mark) or by a second method (``scipy.stats.linregress``
on logarithms for the log-linear AARR); target marks and labels come from the plan's wording
(Plan 3042/KH-UBND, ``data/indicators.yaml``), never from the code's output.
"""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from btchild_analysis import targets
from btchild_analysis.catalog import Target, indicator
from btchild_analysis.targets import Trend


def series(ind, values, unit="83", level="province", name="Tỉnh Bến Tre", **extra):
    out = pd.DataFrame({"level": level, "unit_code": unit, "unit_name": name, "indicator": ind,
                        "period": [str(y) for y in values], "value": list(values.values()),
                        "ci_low": np.nan, "ci_high": np.nan, "numerator": np.nan, "denominator": np.nan,
                        "base_mark": ""})
    return out.assign(**extra)


def one(ind, values, year):
    t = targets.status_table(series(ind, values))
    return t[(t["indicator"] == ind) & (t["target_year"] == year)].iloc[0]


# ----------------------------------------------------------------------------- AARR

def test_aarr_of_values_below_one_and_over_a_single_year():
    # 0.5 → 0.4 in one year: 1 − 0.8 = 20% (values, span and rate all at most 1 are valid inputs)
    assert targets.aarr(0.5, 0.4, 1) == pytest.approx(0.2, abs=1e-12)
    assert targets.required_aarr(0.5, 0.4, 1) == pytest.approx(0.2, abs=1e-12)
    # 0.5 → 0.405 over two years: (1 − a)² = 0.81, 10% a year
    assert targets.aarr(0.5, 0.405, 2) == pytest.approx(0.1, abs=1e-12)


def test_loglinear_aarr_needs_two_distinct_years_only():
    # two years: the least-squares line through two points is the two-point line: 1 − (16.2/20)^(1/2) = 10%
    assert targets.aarr_loglinear([2010, 2012], [20.0, 16.2]) == pytest.approx(0.1, abs=1e-12)
    assert targets.aarr_loglinear([2010, 2011], [0.5, 0.4]) == pytest.approx(0.2, abs=1e-12)
    assert math.isnan(targets.aarr_loglinear([2010, 2010, 2010], [20.0, 18.0, 16.0]))  # one distinct year
    assert math.isnan(targets.aarr_loglinear([2010, 2011, 2012], [20.0, -1.0, 16.0]))


def test_three_unevenly_spaced_points_use_the_loglinear_aarr():
    # 2010, 2013, 2014: the middle point carries weight in the regression (for three evenly spaced points
    # it would not, and the log-linear AARR would equal the two-point one)
    years, vals = [2010, 2013, 2014], [25.0, 20.0, 22.0]
    rate = 1 - math.exp(stats.linregress(years, np.log(vals)).slope)
    t = one("stunting_u5", dict(zip(years, vals)), 2020)
    assert t["method"] == "aarr_loglinear" and t["n_points"] == 3
    assert t["aarr_observed"] == pytest.approx(rate, rel=1e-10)
    assert abs(rate - targets.aarr(25.0, 22.0, 4)) > 0.005
    assert t["projection"] == pytest.approx(22.0 * (1 - rate) ** 6, rel=1e-10)
    assert t["aarr_required"] == pytest.approx(1 - (20 / 22) ** (1 / 6), abs=1e-12)  # from 2014, six years
    assert math.isnan(t["slope"])  # an AARR trend has no straight-line slope


def test_an_aarr_indicator_with_a_zero_value_falls_back_to_a_straight_line():
    # a commune with no stunted child in 2013: no logarithm; Theil–Sen of 4, 0, 2 → slopes −4, −1, 2 → −1
    t = one("stunting_u5", {2012: 4.0, 2013: 0.0, 2014: 2.0}, 2015)
    assert t["method"] == "theil_sen" and t["slope"] == pytest.approx(-1.0)
    assert math.isnan(t["aarr_observed"])
    # intercept median(v) − slope·median(t) = 2 + 2013: p(2015) = 2015 − 2015 = 0 < 22.5
    assert t["projection"] == pytest.approx(0.0, abs=1e-9) and t["status"] == "on_track"


def test_values_at_or_below_one_percent_keep_the_aarr_method():
    # a commune at 2%, 1%, 0.5%: halving each year, AARR 50% (every value positive, however small)
    t = one("stunting_u5", {2012: 2.0, 2013: 1.0, 2014: 0.5}, 2015)
    assert t["method"] == "aarr_loglinear" and t["aarr_observed"] == pytest.approx(0.5, abs=1e-12)
    assert t["projection"] == pytest.approx(0.25, abs=1e-12) and t["status"] == "on_track"


def test_an_aarr_projection_is_held_at_100_percent():
    # 50 → 80: (1 − AARR) = 1.6 a year; 80 · 1.6^7 ≈ 2147 is held at 100
    t = one("stunting_u5", {2012: 50.0, 2013: 80.0}, 2020)
    assert t["aarr_observed"] == pytest.approx(-0.6, abs=1e-12)
    assert t["projection"] == 100.0 and t["status"] == "off_track" and pd.isna(t["year_reached"])


# ----------------------------------------------------------------------------- projections

def test_trend_at_inside_each_bound():
    line = dict(method="theil_sen", slope=-10.0, intercept=20100.0)  # p(Y) = 20100 − 10·Y: 0 in 2010
    assert Trend(**line, bounds=(None, None)).at(2011) == pytest.approx(-10.0)
    assert Trend(**line, bounds=(0.0, None)).at(2011) == 0.0
    assert Trend(**line, bounds=(None, 5.0)).at(2009) == 5.0
    assert Trend(**line, bounds=(0.0, 100.0)).at(2008) == pytest.approx(20.0)
    rate = Trend("aarr_two_point", rate=0.1, anchor_year=2015, anchor_value=20.0)
    assert rate.at(2017) == pytest.approx(16.2) and rate.at(2014) == pytest.approx(20 / 0.9)


def test_year_reached_looks_exactly_horizon_years_past_the_latest_value():
    line = Trend("theil_sen", slope=1.0, intercept=-2000.0)  # p(Y) = Y − 2000
    # mark 12 is first met in 2012, after the target year 2010
    assert targets.year_reached(line, Target(2010, ">=", 12), 2005, 2010, horizon=7) == 2012
    assert targets.year_reached(line, Target(2010, ">=", 12), 2005, 2010, horizon=6) is None
    assert targets.year_reached(line, Target(2010, ">=", 11), 2005, 2010, horizon=6) == 2011
    # default horizon 50 years: from 2005 the last year looked at is 2055
    assert targets.year_reached(line, Target(2010, ">=", 55), 2005, 2010) == 2055
    assert targets.year_reached(line, Target(2010, ">=", 56), 2005, 2010) is None


def test_year_reached_counts_from_the_latest_value():
    # 60, 61, 62 (2011–2013) against ">= 50" in 2015: already met in 2013, the latest year reported
    t = one("play_area_standard", {2011: 60.0, 2012: 61.0, 2013: 62.0}, 2015)
    assert t["status"] == "on_track" and t["year_reached"] == 2013


def test_year_reached_on_or_before_the_target_year():
    line = Trend("theil_sen", slope=1.0, intercept=-2000.0)
    assert targets.year_reached(line, Target(2010, ">=", 10), 2005, 2010) == 2010  # met in the target year itself
    assert targets.year_reached(line, Target(2010, ">=", 7), 2005, 2010) == 2007
    assert targets.year_reached(line, Target(2010, ">=", 3), 2005, 2010) == 2005  # already met in the latest year
    falling = Trend("theil_sen", slope=-1.0, intercept=2020.0)  # 20 − (Y − 2000)
    assert targets.year_reached(falling, Target(2010, "<", 14), 2005, 2010) == 2007  # 13 < 14
    assert targets.year_reached(falling, Target(2010, "<=", 9), 2005, 2010) == 2011


def test_year_reached_of_a_projection_moving_away_from_the_target():
    # 20 − (Y − 2000) falls: ">= 10.5" holds up to 2009 but not in 2010 nor later → never reached
    falling = Trend("theil_sen", slope=-1.0, intercept=2020.0)
    assert targets.year_reached(falling, Target(2010, ">=", 10.5), 2005, 2010) is None


# ----------------------------------------------------------------------------- the status table

def test_status_table_columns_for_a_series_without_breaks():
    t = targets.status_table(series("play_area_standard", {2012: 40.0, 2013: 42.0, 2014: 44.0}))
    assert list(t.columns) == targets.STATUS_COLUMNS
    assert t["target_year"].tolist() == [2015, 2020]
    assert t["segment_start"].dtype == "Int64" and t["segment_start"].isna().all()
    assert t["segment"].tolist() == ["all", "all"] and not t["break_in_series"].any()
    assert t["note"].tolist() == ["", ""] and t["note_vi"].tolist() == ["", ""]
    r = t.iloc[0]
    assert (r["level"], r["unit_code"], r["unit_name"], r["indicator"]) == ("province", "83", "Tỉnh Bến Tre", "play_area_standard")
    assert (r["baseline_year"], r["baseline_value"], r["latest_year"], r["latest_value"]) == (2012, 40.0, 2014, 44.0)
    assert (r["op"], r["target"], r["n_points"]) == (">=", 50.0, 3)
    assert math.isnan(r["aarr_observed"]) and math.isnan(r["aarr_required"])
    assert r["projection"] == pytest.approx(46.0) and r["status"] == "off_track" and r["year_reached"] == 2017


def test_status_table_only_for_the_indicators_asked():
    both = pd.concat([series("play_area_standard", {2012: 40.0, 2013: 42.0}),
                      series("stunting_u5", {2012: 25.0, 2013: 24.0})], ignore_index=True)
    assert targets.status_table(both, ["stunting_u5"])["indicator"].tolist() == ["stunting_u5"] * 2
    assert sorted(set(targets.status_table(both)["indicator"])) == ["play_area_standard", "stunting_u5"]
    monitored = series("dropout_rate", {2012: 1.0, 2013: 2.0})  # no plan target: not in the table
    assert len(targets.status_table(monitored)) == 0


def test_status_table_rows_sorted_by_unit_and_indicator():
    rows = pd.concat([series("stunting_u5", {2012: 25.0, 2013: 24.0}, unit="B", level="district", name="Huyện B"),
                      series("play_area_standard", {2012: 40.0, 2013: 42.0}, unit="B", level="district", name="Huyện B"),
                      series("play_area_standard", {2012: 30.0, 2013: 31.0}, unit="A", level="district", name="Huyện A")],
                     ignore_index=True)
    t = targets.status_table(rows)
    assert list(zip(t["unit_code"], t["indicator"], t["target_year"])) == [
        ("A", "play_area_standard", 2015), ("A", "play_area_standard", 2020),
        ("B", "play_area_standard", 2015), ("B", "play_area_standard", 2020),
        ("B", "stunting_u5", 2015), ("B", "stunting_u5", 2020)]


def test_an_observed_target_year():
    t = one("play_area_standard", {2013: 40.0, 2014: 44.0, 2015: 51.0, 2016: 52.0}, 2015)
    assert (t["status"], t["method"], t["n_points"], t["value_at_target_year"]) == ("achieved", "observed", 1, 51.0)
    assert math.isnan(t["projection"]) and pd.isna(t["year_reached"])
    assert (t["latest_year"], t["latest_value"], t["baseline_year"]) == (2016, 52.0, 2013)


def test_no_data_says_how_many_values_there_were():
    t = one("play_area_standard", {2014: 40.0}, 2015)
    assert (t["status"], t["method"], t["n_points"]) == ("no_data", "none", 1)
    assert t["note"] == "1 value(s) in segment all before 2015"
    assert t["note_vi"] == "1 giá trị trong đoạn all trước năm 2015"
    t = one("play_area_standard", {2016: 40.0, 2017: 41.0}, 2015)  # only values after the target year
    assert t["status"] == "no_data" and t["n_points"] == 0 and t["note"] == "0 value(s) in segment all before 2015"
    assert (t["baseline_year"], t["baseline_value"]) == (2016, 40.0)  # the segment's first value


def test_no_data_after_a_break_names_the_break_in_both_languages():
    t = one("child_friendly_commune", {2016: 50.0, 2017: 55.0, 2018: 60.0, 2019: 40.0}, 2020)
    ind = indicator("child_friendly_commune")
    en = next(b.en for b in ind.breaks if b.year == 2019)
    vi = next(b.vi for b in ind.breaks if b.year == 2019)
    assert en.startswith("New edition of the standard: QĐ 06/QĐ-TTg") and vi.startswith("Tiêu chuẩn mới: QĐ 06/QĐ-TTg")
    assert t["note"] == f"values before 2019 not comparable (break in series: {en}); 1 value(s) in segment 2019– before 2020"
    assert t["note_vi"] == (f"số liệu trước năm 2019 không so sánh được (chuỗi bị gián đoạn: {vi}); "
                            "1 giá trị trong đoạn 2019– trước năm 2020")
    # the 2015 target lies in the 2014–2018 segment: the 2019 value comes after it, no break note
    t = one("child_friendly_commune", {2014: 40.0, 2015: 51.0, 2019: 40.0}, 2015)
    assert t["note"] == "" and not t["break_in_series"] and t["status"] == "achieved"
    # values before 2014 are left out of the 2015 target's segment
    t = one("child_friendly_commune", {2012: 10.0, 2013: 20.0, 2014: 45.0}, 2015)
    assert t["break_in_series"] and t["note"].startswith("values before 2014 not comparable (break in series: New edition")
    assert (t["baseline_year"], t["n_points"], t["status"]) == (2014, 1, "no_data")


def test_coverage_comes_from_the_value_the_status_rests_on():
    cov = dict(communes_reporting=[80, 150, 160], communes_expected=[164, 164, 164], coverage=[48.8, 91.5, 97.6],
               low_coverage=[True, False, False])
    s = series("play_area_standard", {2012: 40.0, 2013: 42.0, 2015: 52.0}).assign(**cov)
    t = targets.status_table(s)
    by_year = t.set_index("target_year")
    # 2015 observed: the 2015 row's coverage
    assert (by_year.loc[2015, "communes_reporting"], by_year.loc[2015, "coverage"]) == (160, 97.6)
    # 2020 projected from 2012–2015: the latest value used is 2015's
    assert by_year.loc[2020, "communes_reporting"] == 160 and not by_year.loc[2020, "low_coverage"]
    t = targets.status_table(s[s["period"] != "2015"])
    r = t.set_index("target_year").loc[2015]  # projected from 2012–2013: rests on 2013
    assert (r["communes_reporting"], r["communes_expected"], r["coverage"], r["low_coverage"]) == (150, 164, 91.5, False)
    r = targets.status_table(s[s["period"] == "2012"]).set_index("target_year").loc[2015]  # no data: no coverage
    assert math.isnan(r["communes_reporting"]) and math.isnan(r["coverage"])


# ----------------------------------------------------------------------------- the scorecard

def _province_table():
    rows = pd.concat([
        series("stunting_u5", {2018: 22.0, 2019: 21.0, 2020: 19.5, 2021: 30.0}),
        series("play_area_standard", {2019: 50.0, 2020: 56.0}),
        series("play_area_standard", {2019: 5.0, 2020: 6.0}, unit="28756", level="commune", name="Xã A"),
    ], ignore_index=True)
    rows.loc[(rows["indicator"] == "stunting_u5") & (rows["period"] == "2020"), "base_mark"] = "a"
    return rows


def test_scorecard_by_hand_in_english():
    card = targets.scorecard(_province_table(), 2020, "en").set_index("indicator")
    assert len(card) == 12
    s, p = card.loc["stunting_u5"], card.loc["play_area_standard"]
    assert (s["label"], s["unit"], s["value"], s["base_mark"]) == ("Under-5 stunting", "%", 19.5, "a")
    assert (s["target_2015"], s["target_2020"]) == ("< 22.5", "<= 20")
    assert (s["status_2015"], s["status_2020"]) == ("No data", "Achieved")  # nothing before 2015; 19.5 ≤ 20
    assert (p["label"], p["unit"], p["value"], p["base_mark"]) == ("Communes with a standard children's play area",
                                                                   "% of communes", 56.0, "")
    assert (p["target_2020"], p["status_2020"]) == (">= 55", "Achieved")  # the province's 56, not the commune's 6
    m = card.loc["nursery_enrolment"]  # no value at all
    assert math.isnan(m["value"]) and m["base_mark"] == "" and m["status_2020"] == "No data"
    assert not card["low_coverage"].any()


def test_scorecard_in_vietnamese_is_the_default():
    card = targets.scorecard(_province_table(), 2020).set_index("indicator")
    s = card.loc["stunting_u5"]
    assert (s["label"], s["unit"]) == ("Tỷ lệ suy dinh dưỡng thể thấp còi ở trẻ em dưới 5 tuổi", "%")
    assert (s["status_2015"], s["status_2020"]) == ("Không đủ dữ liệu", "Đạt")
    assert card.loc["play_area_standard", "unit"] == "% xã"


def test_scorecard_leaves_out_years_after_the_report_year():
    card = targets.scorecard(_province_table(), 2019, "en").set_index("indicator")
    s = card.loc["stunting_u5"]
    assert s["value"] == 21.0 and s["base_mark"] == ""
    # 2020 not reported yet: 22 → 21 two-point AARR 1 − 21/22, projected 21·(21/22) = 20.045 > 20
    assert s["status_2020"] == "Off track"
    assert card.loc["play_area_standard", "status_2020"] == "No data"  # one value (2019) before 2020


def test_scorecard_of_a_year_without_values():
    card = targets.scorecard(_province_table(), 2017, "en")
    assert len(card) == 12 and card["value"].dtype == float and card["value"].isna().all()
    assert (card["base_mark"] == "").all() and (card["status_2020"] == "No data").all()


def test_scorecard_flags_low_coverage_of_the_report_years_value():
    t = _province_table()
    t["low_coverage"] = (t["indicator"] == "play_area_standard") & (t["period"] == "2020")
    card = targets.scorecard(t, 2020, "en").set_index("indicator")
    assert card.loc["play_area_standard", "low_coverage"] and not card.loc["stunting_u5", "low_coverage"]
    assert card["low_coverage"].sum() == 1


def test_a_table_with_only_some_coverage_columns_passes_on_those_it_has():
    # a hand-made table with the coverage but not the counts: the coverage of the value used, the rest empty
    s = series("play_area_standard", {2012: 40.0, 2013: 42.0, 2015: 52.0}).assign(coverage=[48.8, 91.5, 97.6])
    r = targets.status_table(s).set_index("target_year").loc[2015]
    assert r["coverage"] == 97.6
    assert math.isnan(r["communes_reporting"]) and math.isnan(r["communes_expected"])

"""Trends: faults planted by mutation testing (issue 17) that no earlier test caught.

Expected numbers are worked by hand: Theil–Sen slopes as the median of the pairwise slopes, the
Mann–Kendall S as concordant minus discordant pairs and its exact two-sided p-value from the count of
permutations with as few inversions (Mahonian numbers), never read back from the code.
"""
import math

import numpy as np
import pandas as pd
import pytest

from btchild_analysis import trends


def series(ind, values, unit="83", level="province", name="Tỉnh Bến Tre"):
    return pd.DataFrame({"level": level, "unit_code": unit, "unit_name": name, "indicator": ind,
                         "period": [str(y) for y in values], "value": list(values.values()),
                         "ci_low": np.nan, "ci_high": np.nan, "numerator": np.nan, "denominator": np.nan,
                         "base_mark": ""})


def units(ind, spec, level="commune"):
    return pd.concat([series(ind, vals, unit=code, level=level, name=f"Xã {code}") for code, vals in spec.items()],
                     ignore_index=True)


# ----------------------------------------------------------------------------- one segment's statistics

def test_years_with_gaps_give_the_slope_per_year_not_per_position():
    # (2010, 10), (2012, 14), (2015, 23): pairwise slopes 4/2 = 2, 13/5 = 2.6, 9/3 = 3 → median 2.6.
    # Read as positions 0, 1, 2 the slopes would be 4, 6.5, 9 → 6.5.
    t = trends.trend_table(series("play_area_standard", {2010: 10.0, 2012: 14.0, 2015: 23.0})).iloc[0]
    assert t["slope"] == pytest.approx(2.6) and t["progress"] == pytest.approx(2.6)
    assert (t["slope_low"], t["slope_high"]) == (pytest.approx(2.0), pytest.approx(3.0))  # range of the 3 slopes
    # all three pairs rise: S = 3, tau = 1; exact P(S = 3) = 1/3! = 1/6, two-sided 1/3
    assert t["tau"] == pytest.approx(1.0) and t["p_value"] == pytest.approx(1 / 3)


def test_mann_kendall_in_the_trend_table_by_hand():
    # 1, 3, 2, 5, 4 over 2011–2015: 8 concordant, 2 discordant pairs → S = 6, tau = 6/10.
    # Permutations of 5 with at most 2 inversions: 1 + 4 + 9 = 14 of 120 → two-sided p = 28/120.
    t = trends.trend_table(series("play_area_standard", dict(zip(range(2011, 2016), [1.0, 3.0, 2.0, 5.0, 4.0])))).iloc[0]
    assert t["tau"] == pytest.approx(0.6) and t["p_value"] == pytest.approx(28 / 120)
    assert trends.mann_kendall(range(2011, 2016), [1.0, 3.0, 2.0, 5.0, 4.0])[2] == 6


def test_three_years_with_two_distinct_values_get_a_slope():
    # 5, 5, 7: pairwise slopes 0, 1, 2 → 1 (a series is "constant" only with one distinct value)
    t = trends.trend_table(series("play_area_standard", {2012: 5.0, 2013: 5.0, 2014: 7.0})).iloc[0]
    assert t["slope"] == pytest.approx(1.0) and t["progress"] == pytest.approx(1.0)
    # S = 2 (two rising pairs, one tie), tau-b = 2 / sqrt(3 · 2) with the tie in the values
    assert t["tau"] == pytest.approx(2 / math.sqrt(6))


def test_a_constant_series_has_a_flat_slope_and_no_test():
    t = trends.trend_table(series("play_area_standard", {2012: 5.0, 2013: 5.0, 2014: 5.0, 2015: 5.0})).iloc[0]
    assert (t["slope"], t["slope_low"], t["slope_high"], t["progress"]) == (0.0, 0.0, 0.0, 0.0)
    assert math.isnan(t["tau"]) and math.isnan(t["p_value"])


# ----------------------------------------------------------------------------- the table's rows and columns

def test_trend_table_rows_carry_the_unit_and_are_sorted_by_unit():
    s = pd.concat([series("play_area_standard", {2012: 1.0, 2013: 2.0, 2014: 4.0}, unit="B", level="district", name="Huyện B"),
                   series("play_area_standard", {2012: 3.0, 2013: 2.0, 2014: 2.0}, unit="A", level="district", name="Huyện A")],
                  ignore_index=True)
    t = trends.trend_table(s)
    assert list(t.columns) == trends.TREND_COLUMNS
    assert t["unit_code"].tolist() == ["A", "B"]  # sorted, whatever the input order
    assert t["unit_name"].tolist() == ["Huyện A", "Huyện B"] and (t["level"] == "district").all()
    assert t["change"].tolist() == [-1.0, 3.0]


def test_segment_columns_are_integers_and_count_the_segments():
    s = series("child_friendly_commune", {2012: 20.0, 2013: 25.0, 2016: 50.0, 2017: 55.0, 2019: 40.0, 2020: 45.0})
    t = trends.trend_table(s, segments="all")
    assert t["segment_start"].dtype == "Int64"
    assert t["segment_start"].iloc[0] is pd.NA and t["segment_start"].iloc[1:].tolist() == [2014, 2019]
    assert t["segment"].tolist() == ["–2013", "2014–2018", "2019–"]
    assert t["n_segments"].tolist() == [3, 3, 3] and t["break_in_series"].all()
    assert t["n_years"].tolist() == [2, 2, 2]
    latest = trends.trend_table(s).iloc[0]
    assert (latest["segment_start"], latest["n_segments"], latest["first_year"]) == (2019, 3, 2019)


def test_a_latest_segment_with_a_single_year():
    t = trends.trend_table(series("child_friendly_commune", {2017: 55.0, 2018: 60.0, 2019: 40.0})).iloc[0]
    assert (t["segment"], t["segment_start"], t["n_years"], t["change"]) == ("2019–", 2019, 1, 0.0)
    assert math.isnan(t["slope"])


def test_a_table_without_annual_values_gives_an_empty_trend_table():
    s = series("play_area_standard", {2012: 1.0})
    s["period"] = "2012H1"
    t = trends.trend_table(s)
    assert len(t) == 0 and list(t.columns) == trends.TREND_COLUMNS


def test_bad_arguments_are_named_in_the_message():
    s = series("play_area_standard", {2012: 1.0, 2013: 2.0})
    with pytest.raises(ValueError, match="segments must be 'latest' or 'all', not 'some'"):
        trends.trend_table(s, segments="some")
    with pytest.raises(ValueError, match="by must be 'progress' or 'level', not 'speed'"):
        trends.rank(trends.trend_table(s), "play_area_standard", "speed")


# ----------------------------------------------------------------------------- rank()

def test_rank_by_progress_is_the_default():
    t = trends.trend_table(units("play_area_standard", {
        "A": {2012: 10.0, 2013: 11.0, 2014: 12.0}, "B": {2012: 10.0, 2013: 15.0, 2014: 20.0}}))
    r = trends.rank(t, "play_area_standard")
    assert r["unit_code"].tolist() == ["B", "A"] and r["rank"].tolist() == [1, 2]
    assert list(r.columns) == trends.TREND_COLUMNS + ["rank"]  # no stray index column
    assert r.index.tolist() == [0, 1]


def test_rank_accepts_a_table_without_segment_columns():
    t = trends.trend_table(units("play_area_standard", {
        "A": {2012: 10.0, 2013: 11.0, 2014: 12.0}, "B": {2012: 10.0, 2013: 15.0, 2014: 20.0}}))
    r = trends.rank(t.drop(columns=["segment_start"]), "play_area_standard", "level")
    assert r["unit_code"].tolist() == ["B", "A"]  # 20 then 12, higher is better


def test_rank_takes_the_latest_segment_whatever_the_row_order():
    # A: 2012–2013 before the 2014 edition (segment "–2013"), then 60, 70, 80 from 2019 (+10 a year);
    # B: +5 a year from 2019.  On the latest segments A is first; on A's first segment it would be last.
    t = trends.trend_table(units("child_friendly_commune", {
        "A": {2012: 30.0, 2013: 35.0, 2019: 60.0, 2020: 70.0, 2021: 80.0},
        "B": {2019: 20.0, 2020: 25.0, 2021: 30.0}}), segments="all")
    assert len(t) == 3
    assert trends.rank(t, "child_friendly_commune")["unit_code"].tolist() == ["A", "B"]
    r = trends.rank(t.iloc[::-1], "child_friendly_commune")  # rows in any order
    assert r["unit_code"].tolist() == ["A", "B"] and r["progress"].tolist() == [pytest.approx(10.0), pytest.approx(5.0)]


def test_ties_keep_the_order_of_unit_codes():
    # 40 communes, two groups with the same progress and the same latest value: ranks follow the unit
    # codes within a tie (a stable sort; an unstable one reorders ties once there are more than 16 rows)
    spec = {f"C{i:02d}": {2012: 10.0, 2013: 11.0 + (i >= 20), 2014: 12.0 + 2 * (i >= 20)} for i in range(40)}
    t = trends.trend_table(units("play_area_standard", spec))
    by_progress = trends.rank(t, "play_area_standard", "progress")["unit_code"].tolist()
    assert by_progress == [f"C{i:02d}" for i in range(20, 40)] + [f"C{i:02d}" for i in range(20)]
    by_level = trends.rank(t, "play_area_standard", "level")["unit_code"].tolist()
    assert by_level == by_progress
    lower = trends.trend_table(units("stunting_u5", spec))
    assert trends.rank(lower, "stunting_u5", "level")["unit_code"].tolist() == \
        [f"C{i:02d}" for i in range(20)] + [f"C{i:02d}" for i in range(20, 40)]


def test_ties_across_segments_keep_segment_then_unit_order():
    # 40 communes rising 1 a year, 20 of them only before the 2019 edition (segment 2014–2018), 20 only
    # after: tied on progress, they keep the order of the segments' start, then of the unit codes
    old = {f"C{i:02d}": {2016: 10.0, 2017: 11.0, 2018: 12.0} for i in range(0, 40, 2)}
    new = {f"C{i:02d}": {2019: 10.0, 2020: 11.0, 2021: 12.0} for i in range(1, 40, 2)}
    t = trends.trend_table(units("child_friendly_commune", {**old, **new}))
    assert set(t["segment_start"]) == {2014, 2019}
    assert trends.rank(t, "child_friendly_commune")["unit_code"].tolist() == sorted(old) + sorted(new)


def test_units_without_a_value_come_last():
    t = trends.trend_table(units("play_area_standard", {
        "A": {2012: 10.0, 2013: 11.0}, "B": {2012: 10.0, 2013: 15.0, 2014: 20.0}, "C": {2012: 1.0, 2013: 2.0, 2014: 3.0}}))
    assert trends.rank(t, "play_area_standard")["unit_code"].tolist() == ["B", "C", "A"]  # A: two years, no slope


def test_annual_keeps_whole_years_and_drops_six_monthly_periods():
    s = series("play_area_standard", {2012: 1.0, 2013: 2.0})
    s = pd.concat([s, s.iloc[:1].assign(period="2013H1")], ignore_index=True)
    a = trends.annual(s)
    assert a["year"].tolist() == [2012, 2013] and a["year"].dtype.kind == "i"  # 2012, not 2012.0


def test_theil_sen_passes_the_confidence_level_on():
    years, vals = [2010, 2011, 2012, 2013, 2014, 2015], [1.0, 4.0, 2.0, 7.0, 5.0, 9.0]
    from scipy import stats
    wide, narrow = trends.theil_sen(years, vals), trends.theil_sen(years, vals, alpha=0.5)
    assert wide[2:] == pytest.approx(tuple(stats.theilslopes(vals, years, 0.95))[2:])
    assert narrow[2:] == pytest.approx(tuple(stats.theilslopes(vals, years, 0.5))[2:])
    assert narrow[2] > wide[2] and narrow[3] < wide[3]  # a 50% interval lies inside the 95% one

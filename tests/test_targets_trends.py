"""Targets and trends against hand computation and independent references (scipy).

Every expected number below is worked by hand (or by a second method: scipy.stats.theilslopes,
scipy.stats.linregress on logarithms), never read back from the code.
"""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from btchild_analysis import targets, trends
from btchild_analysis.catalog import Target, indicator


def series(ind, values, unit="83", level="province", name="Tỉnh Bến Tre"):
    return pd.DataFrame({"level": level, "unit_code": unit, "unit_name": name, "indicator": ind,
                         "period": [str(y) for y in values], "value": list(values.values()),
                         "ci_low": np.nan, "ci_high": np.nan, "numerator": np.nan, "denominator": np.nan,
                         "base_mark": ""})


def status(table, ind, year):
    return table[(table["indicator"] == ind) & (table["target_year"] == year)].iloc[0]


def one(ind, values, year):
    return status(targets.status_table(series(ind, values)), ind, year)


# ----------------------------------------------------------------------------- the plan's numbers

def test_plan_targets_are_the_twelve_with_the_plans_numbers():
    expected = {"stunting_u5": {2015: ("<", 22.5), 2020: ("<=", 20)}, "underweight_u5": {2015: ("<", 12.5), 2020: ("<=", 10)},
                "child_friendly_commune": {2015: (">", 50), 2020: (">=", 80)},
                "special_circumstances": {2015: ("<", 5.5), 2020: ("<=", 4)},
                "special_circumstances_assisted": {2015: (">=", 80), 2020: (">=", 90)},
                "play_area_standard": {2015: (">=", 50), 2020: (">=", 55)},
                "nursery_enrolment": {2020: (">=", 12.5)}, "kindergarten_enrolment": {2020: (">=", 80)},
                "primary_ontime": {2020: (">=", 99)}, "lower_secondary_ontime": {2020: (">=", 95)},
                "health_station_midwife": {2015: (">=", 100), 2020: (">=", 100)},
                "preschool_universal_5y": {2015: (">=", 100), 2020: (">=", 100)}}
    for ind, tg in expected.items():
        assert {t.year: (t.op, t.value) for t in indicator(ind).targets} == tg


def test_strict_inequalities_of_2015_are_kept():
    assert one("underweight_u5", {2013: 14.0, 2014: 13.0, 2015: 12.5}, 2015)["status"] == "not_achieved"
    assert one("underweight_u5", {2013: 14.0, 2014: 13.0, 2015: 12.49}, 2015)["status"] == "achieved"
    assert one("child_friendly_commune", {2014: 40.0, 2015: 50.0}, 2015)["status"] == "not_achieved"  # "trên 50%"
    assert one("stunting_u5", {2019: 21.0, 2020: 20.0}, 2020)["status"] == "achieved"  # "xuống còn 20%"


# ----------------------------------------------------------------------------- AARR

def test_aarr_by_hand():
    assert targets.aarr(25.0, 22.0, 3) == pytest.approx(0.041716, abs=1e-6)  # 1 − 0.88^(1/3)
    assert targets.required_aarr(22.0, 20.0, 5) == pytest.approx(0.018882, abs=1e-6)  # 1 − (20/22)^(1/5)


@pytest.mark.parametrize("p0, pt, years", [(0.0, 5.0, 3), (5.0, 0.0, 3), (-1.0, 5.0, 3), (5.0, -2.0, 3),
                                           (5.0, 4.0, 0), (5.0, 4.0, -2)])
def test_aarr_guard_gives_nan_for_any_zero_or_negative_input(p0, pt, years):
    assert math.isnan(targets.aarr(p0, pt, years))


def test_loglinear_aarr_of_a_geometric_series_is_its_rate():
    # 20 → 18 → 16.2: exactly 10% a year
    assert targets.aarr_loglinear([2010, 2011, 2012], [20.0, 18.0, 16.2]) == pytest.approx(0.10, abs=1e-12)


def test_loglinear_aarr_against_scipy_linregress():
    years, vals = [2012, 2013, 2014, 2015], [25.0, 24.0, 23.0, 22.0]
    b = stats.linregress(years, np.log(vals)).slope
    assert targets.aarr_loglinear(years, vals) == pytest.approx(1 - math.exp(b), rel=1e-10)
    # all points count: a dip in 2013 changes the log-linear AARR, not the two-point one
    dip = [25.0, 20.0, 23.0, 22.0]
    b = stats.linregress(years, np.log(dip)).slope
    assert targets.aarr_loglinear(years, dip) == pytest.approx(1 - math.exp(b), rel=1e-10)
    assert abs(targets.aarr_loglinear(years, dip) - targets.aarr(25.0, 22.0, 3)) > 0.005
    assert math.isnan(targets.aarr_loglinear(years, [25.0, 0.0, 23.0, 22.0]))


def test_malnutrition_with_more_than_two_points_uses_loglinear_aarr():
    t = one("stunting_u5", {2012: 25.0, 2013: 24.0, 2014: 23.0, 2015: 22.0}, 2020)
    b = stats.linregress([2012, 2013, 2014, 2015], np.log([25.0, 24.0, 23.0, 22.0])).slope
    rate = 1 - math.exp(b)
    assert t["method"] == "aarr_loglinear" and t["n_points"] == 4
    assert t["aarr_observed"] == pytest.approx(rate, rel=1e-10)
    # required AARR from the latest value (22), not from the second (24): 1 − (20/22)^(1/5)
    assert t["aarr_required"] == pytest.approx(0.018882, abs=1e-6)
    # projection carries the latest value forward at the observed rate
    assert t["projection"] == pytest.approx(22.0 * (1 - rate) ** 5, rel=1e-10)
    assert t["status"] == "on_track"
    # year reached: first year with 22·(1 − rate)^(y − 2015) ≤ 20
    first = next(y for y in range(2016, 2021) if 22.0 * (1 - rate) ** (y - 2015) <= 20)
    assert t["year_reached"] == first == 2018


def test_malnutrition_with_exactly_two_values_uses_the_two_point_formula():
    # 25 (2013) → 22 (2015): (1 − a)² = 0.88, a = 0.061862; projection 22·0.88^2.5; 2017 value 22·0.88 = 19.36 ≤ 20
    t = one("stunting_u5", {2013: 25.0, 2015: 22.0}, 2020)
    assert t["status"] == "on_track" and t["method"] == "aarr_two_point"
    assert t["aarr_observed"] == pytest.approx(1 - 0.88 ** 0.5, abs=1e-12)
    assert t["projection"] == pytest.approx(22.0 * 0.88 ** 2.5, rel=1e-10)
    assert t["year_reached"] == 2017


def test_malnutrition_off_track_when_observed_aarr_is_below_required():
    # 25.0 → 24.8 over 3 years: ~0.27% a year, 4.5% needed (1 − (20/24.8)^(1/5)) → off track
    t = one("stunting_u5", {2012: 25.0, 2013: 24.9, 2014: 24.9, 2015: 24.8}, 2020)
    assert t["status"] == "off_track"
    assert t["aarr_required"] == pytest.approx(1 - (20 / 24.8) ** 0.2, abs=1e-12)
    assert t["aarr_observed"] < t["aarr_required"]
    assert t["projection"] > 20 and (t["year_reached"] is None or t["year_reached"] > 2020)


# ----------------------------------------------------------------------------- linear (Theil–Sen)

def test_projection_and_year_reached_for_a_linear_series():
    vals = {2012: 40.0, 2013: 42.0, 2014: 44.0, 2015: 46.0}  # +2 per year → 56 in 2020; 55 first met in 2020
    t = one("play_area_standard", vals, 2020)
    assert t["projection"] == pytest.approx(56.0) and t["slope"] == pytest.approx(2.0)
    assert t["year_reached"] == 2020 and t["status"] == "on_track" and t["method"] == "theil_sen"
    assert t["baseline_year"] == 2012 and t["baseline_value"] == 40.0


def test_exactly_two_values_are_enough_to_project():
    # 40 (2013) → 44 (2014): +4 a year → 48 in 2015 < 50 → off track; 50 reached 2016 (after the target year)
    t = one("play_area_standard", {2013: 40.0, 2014: 44.0}, 2015)
    assert t["status"] == "off_track" and t["n_points"] == 2
    assert t["projection"] == pytest.approx(48.0)
    assert t["year_reached"] == 2016


def test_a_constant_series_is_projected_flat():
    t = one("play_area_standard", {2012: 45.0, 2013: 45.0, 2014: 45.0}, 2020)
    assert t["slope"] == 0.0 and t["projection"] == 45.0
    assert t["status"] == "off_track" and t["year_reached"] is None
    t = one("play_area_standard", {2012: 60.0, 2013: 60.0}, 2020)
    assert t["projection"] == 60.0 and t["status"] == "on_track" and t["year_reached"] == 2013


def test_year_reached_for_a_lower_is_better_indicator():
    # special circumstances, segment 2017–: 5.0, 4.6, 4.2 → −0.4 a year → 3.8 in 2020 ≤ 4; 2019 line = 4.2, 2020 = 3.8
    t = one("special_circumstances", {2017: 5.0, 2018: 4.6, 2019: 4.2}, 2020)
    assert t["slope"] == pytest.approx(-0.4) and t["projection"] == pytest.approx(3.8)
    assert t["status"] == "on_track" and t["year_reached"] == 2020
    # 2015 target "< 5.5": 7.0, 6.5, 6.0 → 5.5 in 2015 is not below 5.5 → off track; 5.0 in 2016
    t = one("special_circumstances", {2012: 7.0, 2013: 6.5, 2014: 6.0}, 2015)
    assert t["projection"] == pytest.approx(5.5)
    assert t["status"] == "off_track" and t["year_reached"] == 2016


def test_projection_is_bounded_to_the_indicators_range():
    t = one("play_area_standard", {2012: 60.0, 2013: 80.0}, 2020)  # +20 a year → 220, held at 100
    assert t["projection"] == 100.0 and t["status"] == "on_track" and t["year_reached"] == 2013
    t = one("special_circumstances", {2017: 5.0, 2018: 3.0}, 2020)  # −2 a year → −1, held at 0
    assert t["projection"] == 0.0


def test_no_data_with_a_single_value():
    t = one("play_area_standard", {2012: 40.0}, 2015)
    assert t["status"] == "no_data" and t["n_points"] == 1 and math.isnan(t["projection"])


def test_values_after_the_target_year_do_not_enter_its_projection():
    # 2013, 2014 then 2016 reported, 2015 missing: projection to 2015 from 2013–2014 only (+2 → 44)
    t = one("play_area_standard", {2013: 40.0, 2014: 42.0, 2016: 70.0}, 2015)
    assert t["projection"] == pytest.approx(44.0) and t["status"] == "off_track"
    assert t["latest_year"] == 2016


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["stunting_u5", "play_area_standard", "special_circumstances_assisted"]),
       st.lists(st.floats(1.0, 99.0, allow_nan=False), min_size=2, max_size=6))
def test_status_projection_and_year_reached_never_disagree(ind, vals):
    if ind == "special_circumstances_assisted":  # segment 2017– (Law on Children), target 2020
        t = one(ind, {2017 + i: v for i, v in enumerate(vals[:3])}, 2020)
    else:
        t = one(ind, {2015 - len(vals) + i: v for i, v in enumerate(vals)}, 2015)
    tgt = [x for x in indicator(ind).targets if x.year == t["target_year"]][0]
    assert t["status"] in ("on_track", "off_track")
    assert (t["status"] == "on_track") == tgt.met(t["projection"])
    reached = t["year_reached"] is not None and t["year_reached"] <= t["target_year"]
    assert (t["status"] == "on_track") == reached


# ----------------------------------------------------------------------------- series breaks

def test_target_projection_stays_within_the_segment():
    # child-friendly share: a new edition in 2019.  2016–2018 rise by 5 a year, 2019 restarts lower.
    vals = {2016: 50.0, 2017: 55.0, 2018: 60.0, 2019: 40.0}
    t = one("child_friendly_commune", vals, 2020)
    assert t["status"] == "no_data" and t["segment"] == "2019–" and t["segment_start"] == 2019
    assert t["break_in_series"] and "2019" in t["note"] and "06/QĐ-TTg" in t["note_vi"]
    t = one("child_friendly_commune", {**vals, 2018: 60.0, 2019: 40.0}, 2015)  # 2015 target: segment 2014–2018
    assert t["segment"] == "2014–2018" and t["value_at_target_year"] is not None
    t = one("child_friendly_commune", {2017: 75.0, 2018: 80.0, 2019: 60.0, 2020: 70.0}, 2020)
    assert t["status"] == "not_achieved" and t["baseline_year"] == 2019  # baseline inside the segment


def test_projection_from_the_segment_only():
    # 2017–2018 before the break (would drag the line), 2019 and 2020 inside: 60 → 65, +5 → 75 in 2022
    vals = {2017: 90.0, 2018: 95.0, 2019: 60.0, 2020: 65.0}
    ind = indicator("child_friendly_commune")
    y = np.array([2017, 2018, 2019, 2020]); v = np.array([90.0, 95.0, 60.0, 65.0])
    r = targets._one_target(y, v, Target(2022, ">=", 80), ind)
    assert r["projection"] == pytest.approx(75.0) and r["n_points"] == 2 and r["break_in_series"]
    assert r["status"] == "off_track" and r["year_reached"] == 2023


def test_a_series_spanning_2019_shows_two_segments():
    s = series("child_friendly_commune", {2016: 50.0, 2017: 55.0, 2018: 60.0, 2019: 40.0, 2020: 45.0, 2021: 50.0})
    allseg = trends.trend_table(s, segments="all").set_index("segment")
    assert list(allseg.index) == ["2014–2018", "2019–"]
    assert allseg.loc["2014–2018", "slope"] == pytest.approx(5.0) and allseg.loc["2019–", "slope"] == pytest.approx(5.0)
    assert allseg["break_in_series"].all()
    # across the break, Theil–Sen would report a fall (−1.25 a year): the segments do not
    assert stats.theilslopes([50, 55, 60, 40, 45, 50], [2016, 2017, 2018, 2019, 2020, 2021]).slope == -1.25
    latest = trends.trend_table(s).iloc[0]
    assert (latest["segment"], latest["first_year"], latest["first_value"], latest["n_years"]) == ("2019–", 2019, 40.0, 3)
    assert latest["break_in_series"] and latest["change"] == pytest.approx(10.0)
    plain = trends.trend_table(series("play_area_standard", {2012: 1.0, 2013: 2.0, 2014: 4.0})).iloc[0]
    assert plain["segment"] == "all" and not plain["break_in_series"]


def test_segment_helpers():
    assert trends.segment_ids([2013, 2014, 2018, 2019, 2022], (2014, 2019)).tolist() == [0, 1, 1, 2, 2]
    assert trends.segment_label(None, ()) == "all"


# ----------------------------------------------------------------------------- trends

def test_theil_sen_by_hand_and_scipy():
    years, vals = [2012, 2013, 2014, 2015], [10.0, 12.0, 11.0, 15.0]
    slope, intercept, *_ = trends.theil_sen(years, vals)
    # pairwise slopes: 2, 0.5, 5/3, -1, 1.5, 4 → median (1.5 + 5/3) / 2
    assert slope == pytest.approx((1.5 + 5 / 3) / 2)
    assert slope == pytest.approx(stats.theilslopes(vals, years).slope)


def test_theil_sen_slope_is_units_per_year_not_years_per_unit():
    slope, intercept, lo, hi = trends.theil_sen([2010, 2012, 2014], [10.0, 20.0, 30.0])
    assert slope == pytest.approx(5.0)  # swapped arguments would give 0.2
    assert intercept + slope * 2012 == pytest.approx(20.0)


def test_mann_kendall_by_hand():
    tau, p, s = trends.mann_kendall([1, 2, 3, 4], [1.0, 3.0, 2.0, 5.0])
    assert s == 4 and tau == pytest.approx(4 / 6)
    # exact null distribution for n = 4: P(S >= 4) = 4/24 (0 or 1 inversion), two-sided 1/3
    assert p == pytest.approx(1 / 3)


def test_trend_table_progress_sign_follows_direction():
    t = trends.trend_table(pd.concat([series("stunting_u5", {2012: 25.0, 2013: 24.0, 2014: 23.5, 2015: 22.0}),
                                      series("play_area_standard", {2012: 30.0, 2013: 33.0, 2014: 35.0, 2015: 40.0})]))
    s = t.set_index("indicator")
    # stunting pairwise slopes: −1, −0.75, −1, −0.5, −1, −1.5 → median −1
    assert s.loc["stunting_u5", "slope"] == pytest.approx(-1.0) and s.loc["stunting_u5", "progress"] == pytest.approx(1.0)
    # play area: 3, 2.5, 10/3, 2, 3.5, 5 → median (3 + 10/3) / 2
    assert s.loc["play_area_standard", "progress"] == pytest.approx((3 + 10 / 3) / 2)
    assert s.loc["stunting_u5", "change"] == pytest.approx(-3.0)


def test_trend_table_window_bounds_are_inclusive():
    s = series("play_area_standard", {2010: 10.0, 2011: 11.0, 2012: 15.0, 2013: 16.0, 2014: 30.0, 2015: 31.0, 2016: 50.0})
    t = trends.trend_table(s, 2012, 2014).iloc[0]
    assert (t["first_year"], t["first_value"], t["last_year"], t["last_value"], t["n_years"]) == (2012, 15.0, 2014, 30.0, 3)
    assert t["change"] == pytest.approx(15.0)
    # Theil–Sen of (2012, 15), (2013, 16), (2014, 30): slopes 1, 7.5, 14 → 7.5
    assert t["slope"] == pytest.approx(7.5)
    assert trends.trend_table(s, start=2015).iloc[0]["n_years"] == 2
    assert trends.trend_table(s, end=2011).iloc[0]["last_year"] == 2011


def test_trend_table_short_and_constant_series():
    t = trends.trend_table(series("play_area_standard", {2012: 5.0, 2013: 7.0})).iloc[0]
    assert math.isnan(t["slope"]) and t["change"] == 2.0
    t = trends.trend_table(series("stunting_u5", {2012: 5.0, 2013: 5.0, 2014: 5.0})).iloc[0]
    assert t["slope"] == 0.0 and t["progress"] == 0.0 and math.isnan(t["p_value"])


def _units(ind, spec):
    return pd.concat([series(ind, vals, unit=code, level="commune", name=f"U{code}") for code, vals in spec.items()])


def test_rank_by_progress_and_by_level_in_both_directions():
    # stunting (lower is better): A falls 3 a year to 10, B falls 1 a year to 20, C rises 1 a year to 12
    low = trends.trend_table(_units("stunting_u5", {
        "A": {2012: 19.0, 2013: 16.0, 2014: 13.0, 2015: 10.0},
        "B": {2012: 23.0, 2013: 22.0, 2014: 21.0, 2015: 20.0},
        "C": {2012: 9.0, 2013: 10.0, 2014: 11.0, 2015: 12.0}}))
    assert trends.rank(low, "stunting_u5", "progress")["unit_code"].tolist() == ["A", "B", "C"]
    assert trends.rank(low, "stunting_u5", "level")["unit_code"].tolist() == ["A", "C", "B"]  # 10, 12, 20
    assert trends.rank(low, "stunting_u5", "level")["rank"].tolist() == [1, 2, 3]
    # play area (higher is better): D +1 to 50, E +5 to 40, F −2 to 60
    high = trends.trend_table(_units("play_area_standard", {
        "D": {2012: 47.0, 2013: 48.0, 2014: 49.0, 2015: 50.0},
        "E": {2012: 25.0, 2013: 30.0, 2014: 35.0, 2015: 40.0},
        "F": {2012: 66.0, 2013: 64.0, 2014: 62.0, 2015: 60.0}}))
    assert trends.rank(high, "play_area_standard", "progress")["unit_code"].tolist() == ["E", "D", "F"]
    assert trends.rank(high, "play_area_standard", "level")["unit_code"].tolist() == ["F", "D", "E"]
    with pytest.raises(ValueError):
        trends.rank(high, "play_area_standard", "speed")


def test_rank_uses_each_units_latest_segment():
    t = trends.trend_table(_units("child_friendly_commune", {
        "A": {2016: 10.0, 2017: 30.0, 2018: 50.0, 2019: 60.0, 2020: 61.0, 2021: 62.0},
        "B": {2019: 20.0, 2020: 25.0, 2021: 30.0}}), segments="all")
    r = trends.rank(t, "child_friendly_commune", "progress")
    assert r["unit_code"].tolist() == ["B", "A"] and len(r) == 2  # A's 2019– slope is 1, B's 5


# ----------------------------------------------------------------------------- coverage in the status table

def test_status_table_carries_coverage_of_the_value_it_rests_on():
    from btchild_analysis import indicators as I
    rows = []
    for year, (m, s) in {2012: (100, 25), 2013: (100, 24), 2014: (100, 23)}.items():
        rows += [("28756", str(year), "u5_measured", m), ("28756", str(year), "u5_stunted", s)]
    d = pd.DataFrame(rows, columns=["commune_code", "period", "element", "value"])
    t = status(targets.status_table(I.compute(d, "province")), "stunting_u5", 2015)
    assert (t["communes_reporting"], t["communes_expected"]) == (1, 164)
    assert t["low_coverage"] and t["coverage"] == pytest.approx(round(100 / 164, 1))


def test_scorecard_on_the_sample(dataset):
    from btchild_analysis import indicators as I
    values = I.compute(dataset.all_elements(), "province")
    card = targets.scorecard(values, 2020, "en")
    assert len(card) == 12
    assert set(card["status_2020"]) <= {"Achieved", "Not achieved"}
    assert not card["low_coverage"].any()  # the sample's 2020 values rest on 156 of 157 communes
    # the scorecard's verdict equals the target applied to the value it shows
    for _, r in card.iterrows():
        tgt = [t for t in indicator(r["indicator"]).targets if t.year == 2020][0]
        assert (r["status_2020"] == "Achieved") == tgt.met(r["value"])


def test_units_in_english():
    assert indicator("play_area_standard").unit_label("en") == "% of communes"
    assert indicator("play_area_standard").unit_label("vi") == "% xã"
    assert indicator("stunting_u5").unit_label("en") == "%"

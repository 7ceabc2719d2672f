"""Targets and trends against hand computation and scipy."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from btchild_analysis import targets, trends
from btchild_analysis.registry import Target, indicator


def series(ind, values, unit="83", level="province"):
    return pd.DataFrame({"level": level, "unit_code": unit, "unit_name": "Tỉnh Bến Tre", "indicator": ind,
                         "period": [str(y) for y in values], "value": list(values.values()),
                         "ci_low": np.nan, "ci_high": np.nan, "numerator": np.nan, "denominator": np.nan,
                         "base_mark": ""})


def status(table, ind, year):
    return table[(table["indicator"] == ind) & (table["target_year"] == year)].iloc[0]


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
    t = status(targets.status_table(series("underweight_u5", {2013: 14.0, 2014: 13.0, 2015: 12.5})), "underweight_u5", 2015)
    assert t["status"] == "not_achieved"  # "dưới 12,5%": 12.5 is not below 12.5
    t = status(targets.status_table(series("underweight_u5", {2013: 14.0, 2014: 13.0, 2015: 12.49})), "underweight_u5", 2015)
    assert t["status"] == "achieved"
    t = status(targets.status_table(series("child_friendly_commune", {2014: 40.0, 2015: 50.0})), "child_friendly_commune", 2015)
    assert t["status"] == "not_achieved"  # "trên 50%"
    t = status(targets.status_table(series("stunting_u5", {2019: 21.0, 2020: 20.0})), "stunting_u5", 2020)
    assert t["status"] == "achieved"  # "xuống còn 20%": a level to reach


def test_aarr_by_hand():
    assert targets.aarr(25.0, 22.0, 3) == pytest.approx(1 - (22 / 25) ** (1 / 3))
    assert targets.aarr(25.0, 22.0, 3) == pytest.approx(0.041716, abs=1e-6)
    assert targets.required_aarr(22.0, 20.0, 5) == pytest.approx(0.018882, abs=1e-6)


def test_malnutrition_on_track_by_aarr():
    # 25 → 22 over 2012–2015: AARR 4.17% ≥ 1.89% needed to reach 20 by 2020 → on track
    t = status(targets.status_table(series("stunting_u5", {2012: 25.0, 2013: 24.0, 2014: 23.0, 2015: 22.0})), "stunting_u5", 2020)
    assert t["status"] == "on_track"
    assert t["aarr_observed"] == pytest.approx(0.041716, abs=1e-6)
    t = status(targets.status_table(series("stunting_u5", {2012: 25.0, 2013: 24.9, 2014: 24.9, 2015: 24.8})), "stunting_u5", 2020)
    assert t["status"] == "off_track"


def test_projection_and_year_reached_for_a_linear_series():
    vals = {2012: 40.0, 2013: 42.0, 2014: 44.0, 2015: 46.0}  # +2 per year → 56 in 2020, 55 reached in 2020
    t = status(targets.status_table(series("play_area_standard", vals)), "play_area_standard", 2020)
    assert t["projection"] == pytest.approx(56.0)
    assert t["year_reached"] == 2020
    assert t["status"] == "on_track"
    assert t["baseline_year"] == 2012 and t["baseline_value"] == 40.0


def test_no_data_with_a_single_value():
    t = status(targets.status_table(series("play_area_standard", {2012: 40.0})), "play_area_standard", 2015)
    assert t["status"] == "no_data"


def test_theil_sen_by_hand_and_scipy():
    years, vals = [2012, 2013, 2014, 2015], [10.0, 12.0, 11.0, 15.0]
    slope, *_ = trends.theil_sen(years, vals)
    # pairwise slopes: 2, 0.5, 5/3, -1, 1.5, 4 → median (1.5 + 5/3) / 2
    assert slope == pytest.approx((1.5 + 5 / 3) / 2)
    assert slope == pytest.approx(stats.theilslopes(vals, years).slope)


def test_mann_kendall_by_hand():
    tau, p, s = trends.mann_kendall([1, 2, 3, 4], [1.0, 3.0, 2.0, 5.0])
    assert s == 4 and tau == pytest.approx(4 / 6)
    # exact null distribution for n = 4: P(S >= 4) = 4/24 (0 or 1 inversion), two-sided 1/3
    assert p == pytest.approx(1 / 3)


def test_trend_table_progress_sign_follows_direction():
    t = trends.trend_table(pd.concat([series("stunting_u5", {2012: 25.0, 2013: 24.0, 2014: 23.5, 2015: 22.0}),
                                      series("play_area_standard", {2012: 30.0, 2013: 33.0, 2014: 35.0, 2015: 40.0})]))
    s = t.set_index("indicator")
    assert s.loc["stunting_u5", "slope"] < 0 < s.loc["stunting_u5", "progress"]
    assert s.loc["play_area_standard", "progress"] > 0
    assert s.loc["stunting_u5", "change"] == pytest.approx(-3.0)


def test_scorecard_on_the_sample(dataset):
    from btchild_analysis import indicators as I
    values = I.compute(dataset.all_elements(), "province")
    card = targets.scorecard(values, 2020, "en")
    assert len(card) == 12
    assert set(card["status_2020"]) <= {"Achieved", "Not achieved"}
    # the scorecard's verdict equals the target applied to the value it shows
    for _, r in card.iterrows():
        tgt = [t for t in indicator(r["indicator"]).targets if t.year == 2020][0]
        assert (r["status_2020"] == "Achieved") == tgt.met(r["value"])


def test_units_in_english():
    assert indicator("play_area_standard").unit_label("en") == "% of communes"
    assert indicator("play_area_standard").unit_label("vi") == "% xã"
    assert indicator("stunting_u5").unit_label("en") == "%"

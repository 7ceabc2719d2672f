"""Figures by sex: the element flag, indicators by sex and the gap, worked by hand."""
import numpy as np
import pandas as pd
import pytest

from btchild_analysis import catalog
from btchild_analysis import indicators as I

SPLIT = {"u5_measured", "u5_stunted", "u5_weighed", "u5_underweight", "pop_0_2", "enrolled_0_2", "pop_3_5",
         "enrolled_3_5", "pop_6_10", "primary_ontime", "pop_11_14", "lower_secondary_ontime", "pop_u16",
         "special_circumstances", "special_circumstances_assisted"}


def parts(spec):
    return pd.DataFrame(spec, columns=["commune_code", "period", "element", "sex", "value"])


# Two communes of TP Bến Tre (district 829). Boys: 3 of 40 and 5 of 60 stunted → 8/100 = 8.0%.
# Girls: 2 of 50 in 28756; 28757 sends only the girls' numerator → not reporting for girls → 2/50 = 4.0%.
# 28759 sends only the boys' numerator → not reporting for boys (partial), boys stay 8/100.
HAND = parts([("28756", "2015", "u5_measured", "male", 40), ("28756", "2015", "u5_stunted", "male", 3),
              ("28757", "2015", "u5_measured", "male", 60), ("28757", "2015", "u5_stunted", "male", 5),
              ("28756", "2015", "u5_measured", "female", 50), ("28756", "2015", "u5_stunted", "female", 2),
              ("28757", "2015", "u5_stunted", "female", 4),
              ("28759", "2015", "u5_stunted", "male", 7)])


def test_elements_marked_sex_are_those_of_the_contract():
    assert {k for k, e in catalog.elements().items() if e.sex} == SPLIT
    assert catalog.element("health_station_midwife").sex is False


def test_rates_by_sex_by_hand():
    out = I.compute(HAND, "district", which=["stunting_u5"], by="sex")
    assert list(out.columns) == I.OUTPUT_COLUMNS[:5] + ["sex"] + I.OUTPUT_COLUMNS[5:]
    out = out.set_index("sex")
    boys, girls = out.loc["male"], out.loc["female"]
    assert (boys["numerator"], boys["denominator"], boys["value"]) == (8, 100, 8.0)
    assert (girls["numerator"], girls["denominator"], girls["value"]) == (2, 50, 4.0)
    assert (boys["communes_reporting"], boys["communes_partial"]) == (2, 1)    # 28759: boys' numerator only
    assert (girls["communes_reporting"], girls["communes_partial"]) == (1, 1)  # 28757: girls' numerator only
    assert boys["communes_expected"] == girls["communes_expected"] == 17
    assert list(out.index) == ["male", "female"]


def test_gap_by_hand():
    gap = I.sex_gap(I.compute(HAND, "district", which=["stunting_u5"], by="sex"))
    assert list(gap.columns) == ["level", "unit_code", "unit_name", "period", "indicator", "male", "female",
                                 "gap", "ratio", "communes_reporting"]
    assert len(gap) == 1
    row = gap.iloc[0]
    assert (row["unit_code"], row["male"], row["female"]) == ("829", 8.0, 4.0)
    assert row["gap"] == pytest.approx(4.0) and row["ratio"] == pytest.approx(0.5)
    assert row["communes_reporting"] == 1


def test_gap_with_one_sex_missing_and_male_zero():
    t = pd.DataFrame({"level": "province", "unit_code": "83", "unit_name": "Bến Tre", "indicator": "x",
                      "period": ["2015", "2015", "2016"], "sex": ["male", "female", "female"],
                      "value": [0.0, 3.0, 5.0], "communes_reporting": [4, 6, 2]})
    gap = I.sex_gap(t).set_index("period")
    assert gap.loc["2015", "gap"] == -3.0 and np.isnan(gap.loc["2015", "ratio"])
    assert gap.loc["2015", "communes_reporting"] == 4
    assert np.isnan(gap.loc["2016", "male"]) and np.isnan(gap.loc["2016", "gap"])
    assert gap.loc["2016", "communes_reporting"] == 0


def test_compute_all_by_sex_levels_and_only_splittable_indicators():
    d = pd.concat([HAND, parts([("28756", "2015", "u5_weighed", "male", 10)])])
    out = I.compute_all(d, by="sex")
    assert set(out["level"]) == {"commune", "district", "province"}
    assert set(out["indicator"]) == {"stunting_u5"}  # underweight has no numerator anywhere: no row
    prov = out[out["level"] == "province"].set_index("sex")
    assert (prov.loc["male", "value"], prov.loc["female", "value"]) == (8.0, 4.0)
    assert prov.loc["male", "communes_expected"] == 164
    # a yes/no element cannot be split: its indicator is never computed by sex
    assert "play_area_standard" not in I.sex_indicators()
    assert "stunting_u5" in I.sex_indicators() and "stunting_u5" in I.sex_indicators(["stunting_u5"])


def test_by_none_ignores_sex_and_other_by_is_refused():
    totals = HAND.groupby(["commune_code", "period", "element"], as_index=False)["value"].sum()
    plain = I.compute(totals, "district", which=["stunting_u5"])
    assert "sex" not in plain.columns
    with pytest.raises(ValueError, match="sex"):
        I.compute(HAND, "district", by="age")
    with pytest.raises(ValueError, match="sex"):
        I.compute_all(HAND, by="district")
    with pytest.raises(ValueError, match="'sex' column"):
        I.compute(totals, "district", by="sex")
    with pytest.raises(ValueError, match="'boys'"):
        I.compute(HAND.assign(sex="boys"), "district", by="sex")
    with pytest.raises(ValueError, match="'sex' column"):
        I.sex_gap(plain)


def test_by_sex_with_no_parts_is_an_empty_table_with_the_columns():
    out = I.compute_all(HAND.iloc[0:0], by="sex")
    assert out.empty and "sex" in out.columns and "value" in out.columns
    assert I.sex_gap(out).empty

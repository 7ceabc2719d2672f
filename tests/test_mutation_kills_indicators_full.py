"""Indicators: faults that survived the first full mutation run of the module (1,372 mutants, 29 Nov 2026).

Each expected value is worked out by hand from the rows written here, or from the closed forms of the
Wilson bounds at the edges (``x = 0``: the lower bound is 0; ``x = n``: the upper bound is 1).
"""
import numpy as np
import pandas as pd
import pytest

from btchild_analysis import admin_units
from btchild_analysis import indicators as I

U15 = admin_units.units(2015)
A, B = "28756", "28757"                      # two communes of Thành phố Bến Tre (829)
COLS = ["commune_code", "period", "element", "value"]


def rows(spec, columns=COLS):
    return pd.DataFrame(spec, columns=columns)


# ------------------------------------------------------------------------------- Wilson interval

def test_the_bounds_at_the_edges_are_exactly_0_and_1():
    # computed, the lower bound at x = 0 comes out as 5.6e-17 for 357 of these n: a user would read
    # "0,0000000000000001" in an export; the edges are set, not computed
    n = np.arange(1, 2000, dtype=float)
    lo, _ = I.wilson_interval(np.zeros_like(n), n)
    _, hi = I.wilson_interval(n, n)
    assert (lo == 0.0).all() and (hi == 1.0).all()


# ------------------------------------------------------------------------------- by sex

def _gap_table(male, female, n_male=3, n_female=2):
    t = []
    for sex, value, n in (("male", male, n_male), ("female", female, n_female)):
        if value is not None:
            t.append({"level": "province", "unit_code": "83", "unit_name": "Bến Tre", "period": "2015",
                      "indicator": "stunting_u5", "sex": sex, "value": value, "communes_reporting": n})
    return pd.DataFrame(t)


def test_the_sex_ratio_is_taken_for_a_male_value_below_one():
    # female ÷ male = 1.0 ÷ 0.5 = 2 (a rate under 1 % is still a rate, not "missing")
    r = I.sex_gap(_gap_table(0.5, 1.0)).iloc[0]
    assert r["ratio"] == pytest.approx(2.0) and r["gap"] == pytest.approx(-0.5)
    assert np.isnan(I.sex_gap(_gap_table(0.0, 1.0)).iloc[0]["ratio"])     # male 0: no ratio


def test_a_sex_missing_gives_no_gap_and_no_commune_reporting_both():
    g = I.sex_gap(_gap_table(8.0, None, n_male=4))
    r = g.iloc[0]
    assert np.isnan(r["gap"]) and np.isnan(r["ratio"]) and r["communes_reporting"] == 0
    assert g["communes_reporting"].dtype == np.int64                      # a count, written "0" not "0.0"


def test_sex_gap_of_an_empty_table_has_its_columns_and_a_table_without_sex_is_refused():
    empty = I.sex_gap(_gap_table(1.0, 1.0).iloc[:0])
    assert list(empty.columns) == I.GAP_COLUMNS and empty.empty
    with pytest.raises(ValueError, match=r"^sex_gap needs a table computed with by='sex' \(it has no 'sex' column\)$"):
        I.sex_gap(_gap_table(1.0, 1.0).drop(columns="sex"))


def test_an_indicator_is_split_by_sex_only_when_both_its_elements_are():
    # abuse and injury rates: the cases may be split by sex, the children (their denominator) are not
    chosen = I.sex_indicators()
    assert "stunting_u5" in chosen
    assert "abuse_rate" not in chosen and "injury_rate" not in chosen


def test_by_sex_keeps_the_coverage_threshold_it_is_given():
    # 2 of the 164 communes report: 1.2 % coverage, low at the default 0.9 but not at a threshold of 0
    d = rows([(c, "2015", e, v, s) for c in (A, B) for s in ("male", "female")
              for e, v in (("u5_measured", 40), ("u5_stunted", 4))], COLS + ["sex"])
    default = I.compute(d, "province", which=["stunting_u5"], by="sex")
    lenient = I.compute(d, "province", which=["stunting_u5"], by="sex", min_coverage=0.0)
    assert default["low_coverage"].all() and not lenient["low_coverage"].any()
    assert list(lenient["sex"]) == ["male", "female"] and (lenient["value"] == 10.0).all()   # 8 of 80 each


# ------------------------------------------------------------------------------- which indicators

def test_an_indicator_without_data_does_not_stop_the_ones_after_it():
    # play areas (a yes/no element) are not in the data; stunting after them still is: 12 of 100 = 12 %
    d = rows([(A, "2015", "u5_measured", 100), (A, "2015", "u5_stunted", 12)])
    t = I.compute(d, "commune", which=["play_area_standard", "stunting_u5"])
    assert list(t["indicator"]) == ["stunting_u5"] and t["value"].iloc[0] == pytest.approx(12.0)


# ------------------------------------------------------------------------------- element table

def test_an_element_whose_rows_all_lack_a_period_is_not_a_column():
    d = rows([(A, "2015", "u5_measured", 10), (A, None, "u5_stunted", 3)])   # "u5_stunted" sorts last
    wide = I.element_table(d)
    assert list(wide.columns) == ["u5_measured"] and wide.columns.name == "element"
    assert wide.loc[(A, "2015"), "u5_measured"] == 10


def test_the_communes_answering_a_yes_no_element_are_a_whole_count():
    d = rows([(A, "2015", "play_area_standard", 1), (B, "2015", "play_area_standard", 0)])
    wide = I.element_table(d)
    assert list(wide.columns) == ["play_area_standard", "play_area_standard__n"] and wide.columns.name is None
    assert wide["play_area_standard__n"].dtype == np.int64 and list(wide["play_area_standard__n"]) == [1, 1]
    assert list(wide["play_area_standard"]) == [1.0, 0.0]


def test_no_partial_report_gives_an_empty_table_with_its_columns():
    d = rows([(A, "2015", "u5_measured", 100), (A, "2015", "u5_stunted", 12)])
    p = I.partial_reports(d, which=["stunting_u5"])
    assert p.empty and list(p.columns) == ["commune_code", "period", "indicator", "has_numerator", "has_denominator"]
    one = I.partial_reports(rows([(A, "2015", "u5_measured", 100)]), which=["stunting_u5"])
    assert one.to_dict("records") == [{"commune_code": A, "period": "2015", "indicator": "stunting_u5",
                                       "has_numerator": False, "has_denominator": True}]


def test_by_sex_rows_follow_the_order_of_the_indicators_asked_for():
    # underweight before stunting, as asked (not alphabetical): 6 of 80 weighed = 7.5 %, then 8 of 80
    # measured = 10 %
    d = rows([(A, "2015", e, v, s) for s in ("male", "female")
              for e, v in (("u5_measured", 80), ("u5_stunted", 8), ("u5_weighed", 80), ("u5_underweight", 6))],
             COLS + ["sex"])
    t = I.compute(d, "commune", which=["underweight_u5", "stunting_u5"], by="sex")
    assert list(zip(t["indicator"], t["sex"])) == [("underweight_u5", "male"), ("underweight_u5", "female"),
                                                  ("stunting_u5", "male"), ("stunting_u5", "female")]
    assert list(t["value"]) == pytest.approx([7.5, 7.5, 10.0, 10.0])


def test_sex_gap_rows_keep_the_order_of_the_table():
    # indicators as the table lists them (underweight before stunting), not sorted by name
    t = pd.concat([_gap_table(2.0, 1.0).assign(indicator="underweight_u5"), _gap_table(8.0, 4.0)], ignore_index=True)
    g = I.sex_gap(t)
    assert list(g["indicator"]) == ["underweight_u5", "stunting_u5"] and list(g["gap"]) == [1.0, 4.0]


def test_by_sex_without_a_sex_column_is_refused_with_what_to_pass():
    d = rows([(A, "2015", "u5_measured", 100), (A, "2015", "u5_stunted", 12)])
    with pytest.raises(ValueError, match=r"^by='sex' needs data with a 'sex' column \(pass Dataset\.by_sex or "
                                         r"LoadResult\.by_sex\)$"):
        I.compute(d, "commune", by="sex")


def test_sex_gap_leaves_out_what_only_has_a_total():
    total_only = _gap_table(5.0, None).assign(sex="total", indicator="underweight_u5")
    g = I.sex_gap(pd.concat([total_only, _gap_table(8.0, 4.0)], ignore_index=True))
    assert list(g["indicator"]) == ["stunting_u5"] and list(g["gap"]) == [4.0]

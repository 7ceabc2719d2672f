"""Indicators: faults planted by mutation testing (issue 17) that no earlier test caught.

References are independent of the code: Newcombe (1998) Table I (Wilson score, method 3), statsmodels'
``proportion_confint(method="wilson")``, and the closed forms of the Wilson bounds at the edges
(``x = 0``: upper ``z²/(n + z²)``; ``x = n``: lower ``n/(n + z²)``).
"""
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from btchild_analysis import indicators as I
from btchild_analysis import admin_units

Z = 1.959963984540054  # the 97.5% normal quantile
COLS = ["commune_code", "period", "element", "value"]


def rows(spec):
    return pd.DataFrame(spec, columns=COLS)


U15 = admin_units.units(2015)
A, B = "28756", "28757"                      # two communes of Thành phố Bến Tre (829)
OTHER = U15.loc[U15["district_code"] == "836", "code"].iloc[0]   # a commune of another district


def test_z_is_the_two_sided_95_percent_normal_quantile():
    assert I.Z95 == pytest.approx(Z, abs=1e-12)


# ------------------------------------------------------------------------------- Wilson interval

def test_both_bounds_in_percent_against_newcombe():
    # Newcombe (1998) Table I: 81/263 → 0.2553–0.3662; the value and both bounds reach the user × 100
    d = rows([(A, "2015", "u5_measured", 263), (A, "2015", "u5_stunted", 81)])
    r = I.compute(d, "commune", which=["stunting_u5"]).iloc[0]
    assert r["value"] == pytest.approx(100 * 81 / 263)
    assert round(r["ci_low"], 2) == 25.53 and round(r["ci_high"], 2) == 36.62


def test_both_bounds_per_100000_against_statsmodels():
    d = rows([(A, "2015", "pop_u16", 20000), (A, "2015", "abuse_cases", 3)])
    r = I.compute(d, "commune", which=["abuse_rate"]).iloc[0]
    lo, hi = proportion_confint(3, 20000, alpha=0.05, method="wilson")
    assert r["value"] == pytest.approx(15.0)
    assert r["ci_low"] == pytest.approx(1e5 * lo, rel=1e-9) and r["ci_high"] == pytest.approx(1e5 * hi, rel=1e-9)
    assert r["ci_low"] < r["value"] < r["ci_high"]


@pytest.mark.parametrize("x, n", [(1, 2), (7, 9), (3, 1000), (999, 1000), (50, 100)])
def test_wilson_both_bounds_against_statsmodels(x, n):
    lo, hi = I.wilson_interval(x, n)
    rlo, rhi = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert float(lo) == pytest.approx(rlo, abs=1e-12) and float(hi) == pytest.approx(rhi, abs=1e-12)


def test_wilson_closed_forms_at_the_edges():
    n = np.array([1.0, 20, 263])
    lo0, hi0 = I.wilson_interval(np.zeros(3), n)
    lon, hin = I.wilson_interval(n, n)
    assert (lo0 == 0).all() and (hin == 1).all()
    assert np.allclose(hi0, Z**2 / (n + Z**2), atol=1e-12)
    assert np.allclose(lon, n / (n + Z**2), atol=1e-12)


def test_wilson_with_another_z():
    # z = 1: 1/4 → centre (0.25 + 1/8)/(1 + 1/4) = 0.3, half sqrt(3/64 + 1/64)/(5/4) = 0.2
    lo, hi = I.wilson_interval(1, 4, z=1.0)
    assert float(lo) == pytest.approx(0.1) and float(hi) == pytest.approx(0.5)


def test_zero_denominator_gives_nan_not_inf():
    lo, hi = I.wilson_interval([0, 3, 2], [0, 0, 4])
    assert np.isnan(lo[:2]).all() and np.isnan(hi[:2]).all()
    assert np.isfinite(lo[2]) and np.isfinite(hi[2])
    d = rows([(A, "2015", "u5_measured", 0), (A, "2015", "u5_stunted", 0),
              (B, "2015", "pop_u16", 0), (B, "2015", "abuse_cases", 2)])
    out = I.compute(d, "commune", which=["stunting_u5", "abuse_rate"]).set_index("indicator")
    for ind in ("stunting_u5", "abuse_rate"):
        r = out.loc[ind]
        assert np.isnan(r["value"]) and np.isnan(r["ci_low"]) and np.isnan(r["ci_high"])
        assert r["denominator"] == 0 and r["base_mark"] == "(*)"


def test_numerator_above_denominator_keeps_the_value_and_caps_the_interval():
    # a data error kept (not dropped): 12 stunted of 10 measured reads 120%, the interval is that of 10/10
    d = rows([(A, "2015", "u5_measured", 10), (A, "2015", "u5_stunted", 12)])
    r = I.compute(d, "commune", which=["stunting_u5"]).iloc[0]
    assert r["value"] == pytest.approx(120.0)
    assert r["ci_high"] == 100.0 and r["ci_low"] == pytest.approx(100 * 10 / (10 + Z**2), abs=1e-9)


def test_base_mark_takes_the_denominator_of_the_unit():
    d = rows([(A, "2015", "u5_measured", 24), (A, "2015", "u5_stunted", 2),
              (B, "2015", "u5_measured", 25), (B, "2015", "u5_stunted", 2),
              (OTHER, "2015", "u5_measured", 50), (OTHER, "2015", "u5_stunted", 2)])
    out = I.compute(d, "commune", which=["stunting_u5"]).set_index("unit_code")
    assert out.loc[A, "base_mark"] == "(*)" and out.loc[B, "base_mark"] == "( )" and out.loc[OTHER, "base_mark"] == ""
    dist = I.compute(d, "district", which=["stunting_u5"]).set_index("unit_code")
    assert dist.loc["829", "base_mark"] == "( )" and dist.loc["829", "denominator"] == 49


# ------------------------------------------------------------------------------- levels and shape

def test_default_level_is_the_province_and_columns_are_in_order():
    d = rows([(A, "2015", "u5_measured", 100), (A, "2015", "u5_stunted", 10),
              (OTHER, "2015", "u5_measured", 300), (OTHER, "2015", "u5_stunted", 30)])
    out = I.compute(d, which=["stunting_u5"])
    assert list(out.columns) == I.OUTPUT_COLUMNS
    assert out["level"].tolist() == ["province"] and out["unit_code"].tolist() == ["83"]
    assert (out.iloc[0]["numerator"], out.iloc[0]["denominator"]) == (40, 400)


def test_an_unknown_level_names_the_levels():
    with pytest.raises(ValueError, match=r"level must be one of .*'commune', 'district', 'province'.* not 'ward'"):
        I.compute(rows([(A, "2015", "u5_measured", 1)]), "ward")


def test_no_district_level_after_july_2025():
    d = rows([("28777", "2026", "u5_measured", 100), ("28777", "2026", "u5_stunted", 10)])
    with pytest.raises(ValueError, match="no district level"):
        I.compute(d, "district", which=["stunting_u5"])
    allv = I.compute_all(d, which=["stunting_u5"])
    assert allv["level"].tolist() == ["commune", "province"]
    assert allv.index.tolist() == [0, 1]


def test_compute_all_is_the_three_levels_stacked_with_a_fresh_index():
    d = rows([(A, "2015", "u5_measured", 100), (A, "2015", "u5_stunted", 10),
              (OTHER, "2015", "u5_measured", 300), (OTHER, "2015", "u5_stunted", 30)])
    allv = I.compute_all(d, which=["stunting_u5"])
    assert allv["level"].tolist() == ["commune", "commune", "district", "district", "province"]
    assert allv.index.tolist() == list(range(5))
    for level in I.LEVELS:
        one = I.compute(d, level, which=["stunting_u5"])
        part = allv[allv["level"] == level].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, one)


def test_commune_rows_sorted_by_code_then_period():
    d = rows([(B, "2016", "u5_measured", 10), (B, "2016", "u5_stunted", 1),
              (A, "2016", "u5_measured", 10), (A, "2016", "u5_stunted", 2),
              (A, "2015", "u5_measured", 10), (A, "2015", "u5_stunted", 3)])
    out = I.compute(d, "commune", which=["stunting_u5"])
    assert list(zip(out["unit_code"], out["period"], out["numerator"])) == [(A, "2015", 3), (A, "2016", 2), (B, "2016", 1)]
    assert out["unit_name"].tolist() == ["Phường Phú Khương", "Phường Phú Khương", "Phường Phú Tân"]


def test_indicator_without_its_denominator_is_left_out():
    d = rows([(A, "2015", "u5_stunted", 10)])
    out = I.compute(d, "province", which=["stunting_u5"])
    assert out.empty and list(out.columns) == I.OUTPUT_COLUMNS


def test_units_given_replace_the_register():
    units = pd.DataFrame({"commune_code": ["00001", "00002", "00003"], "name": ["X1", "X2", "X3"],
                          "district_code": ["001", "001", "002"], "district_name": ["H1", "H1", "H2"],
                          "province_code": ["01", "01", "01"], "province_name": ["P", "P", "P"]})
    d = rows([("00001", "2015", "u5_measured", 100), ("00001", "2015", "u5_stunted", 10),
              ("00002", "2015", "u5_measured", 100), ("00002", "2015", "u5_stunted", 30),
              ("00003", "2015", "u5_measured", 200), ("00003", "2015", "u5_stunted", 20)])
    dist = I.compute(d, "district", which=["stunting_u5"], units=units)
    assert dist[["unit_code", "unit_name", "value"]].values.tolist() == [["001", "H1", 20.0], ["002", "H2", 10.0]]
    allv = I.compute_all(d, which=["stunting_u5"], units=units)
    prov = allv[allv["level"] == "province"].iloc[0]
    assert (prov["unit_code"], prov["unit_name"], prov["numerator"], prov["denominator"]) == ("01", "P", 60, 400)


def test_a_commune_outside_the_units_given_has_no_name_and_no_province():
    # the loader quarantines unknown codes first; here one slips through: shown by code, not summed up
    units = pd.DataFrame({"commune_code": ["00001"], "name": ["X1"], "district_code": ["001"],
                          "district_name": ["H1"], "province_code": ["01"], "province_name": ["P"]})
    d = rows([("00001", "2015", "u5_measured", 100), ("00001", "2015", "u5_stunted", 10),
              ("00009", "2015", "u5_measured", 100), ("00009", "2015", "u5_stunted", 90)])
    out = I.compute(d, "commune", which=["stunting_u5"], units=units)
    assert out["unit_code"].tolist() == ["00001", "00009"] and out["value"].tolist() == [10.0, 90.0]
    assert out["unit_name"].iloc[0] == "X1" and pd.isna(out["unit_name"].iloc[1])
    prov = I.compute(d, "province", which=["stunting_u5"], units=units)
    assert prov[["unit_code", "numerator", "denominator"]].values.tolist() == [["01", 10, 100]]


# ------------------------------------------------------------------------------- the element table

def test_element_table_sorted_and_summed():
    d = rows([(B, "2015", "u5_measured", 5), (A, "2016", "u5_measured", 7), (A, "2015", "u5_measured", 3),
              (A, "2015", "u5_measured", 4)])  # two rows for one cell are added, as merged units are
    w = I.element_table(d)
    assert w.index.tolist() == [(A, "2015"), (A, "2016"), (B, "2015")]
    assert w["u5_measured"].tolist() == [7, 7, 5]


def test_element_table_counts_communes_reporting_a_yes_no_element():
    d = rows([(A, "2015", "play_area_standard", 1), (B, "2015", "play_area_standard", 0),
              (A, "2015", "u5_measured", 10)])
    w = I.element_table(d)
    assert "play_area_standard__n" in w and "u5_measured__n" not in w
    assert w.loc[(A, "2015"), "play_area_standard__n"] == 1 and w.loc[(B, "2015"), "play_area_standard__n"] == 1


def test_categorical_elements_make_no_columns_for_elements_not_reported():
    # an element column read as a category keeps every element as a category; only reported ones count
    cats = ["u5_measured", "u5_stunted", "pop_u16", "abuse_cases"]
    d = rows([(A, "2015", "u5_measured", 100), (B, "2015", "u5_measured", 50), (B, "2015", "u5_stunted", 5)])
    d["element"] = pd.Categorical(d["element"], categories=cats)
    w = I.element_table(d)
    assert sorted(w.columns) == ["u5_measured", "u5_stunted"]
    out = I.compute(d, "province", which=["stunting_u5", "abuse_rate"])
    assert out["indicator"].tolist() == ["stunting_u5"]
    assert (out.iloc[0]["numerator"], out.iloc[0]["denominator"]) == (5, 50)  # A reported no numerator


def test_re_expression_of_two_source_vintages_in_one_call():
    # 2019 (before the 2020 merger) and 2021 (after) both on the 2020 units; each row counted once
    d = rows([("28771", "2019", "u5_measured", 100), ("28771", "2019", "u5_stunted", 20),
              ("28774", "2019", "u5_measured", 50), ("28774", "2019", "u5_stunted", 5),
              ("28777", "2021", "u5_measured", 310), ("28777", "2021", "u5_stunted", 31)])
    w = I.element_table(d, vintage="2020")
    assert w.loc[("28777", "2019"), "u5_measured"] == 150 and w.loc[("28777", "2021"), "u5_measured"] == 310
    assert len(w) == 2


# ------------------------------------------------------------------------------- coverage

def ten_units():
    return pd.DataFrame({"commune_code": [f"0000{i}" for i in range(10)], "name": [f"X{i}" for i in range(10)],
                         "district_code": "001", "district_name": "H1", "province_code": "01", "province_name": "P"})


@pytest.mark.parametrize("reporting, low", [(9, False), (8, True)])
def test_low_coverage_strictly_below_the_share_of_expected_communes(reporting, low):
    # 9 of 10 is exactly 90 %: not flagged; 8 of 10 is
    d = rows([(f"0000{i}", "2015", e, v) for i in range(reporting) for e, v in (("u5_measured", 50), ("u5_stunted", 5))])
    r = I.compute(d, "district", which=["stunting_u5"], units=ten_units()).iloc[0]
    assert (r["communes_reporting"], r["communes_expected"], r["coverage"]) == (reporting, 10, 10.0 * reporting)
    assert bool(r["low_coverage"]) is low
    assert r["interval"] == "wilson"


def test_min_coverage_is_a_parameter():
    d = rows([("00000", "2015", "u5_measured", 50), ("00000", "2015", "u5_stunted", 5)])
    assert bool(I.compute(d, "district", which=["stunting_u5"], units=ten_units(), min_coverage=0.1).iloc[0]["low_coverage"]) is False
    assert bool(I.compute(d, "district", which=["stunting_u5"], units=ten_units(), min_coverage=0.11).iloc[0]["low_coverage"]) is True
    allv = I.compute_all(d, which=["stunting_u5"], units=ten_units(), min_coverage=0.1)
    assert not allv["low_coverage"].any()


def test_coverage_in_the_register_and_a_commune_sending_half_a_pair():
    # Thành phố Bến Tre had 17 units in 2015: A reports both, B only the numerator (partial, not counted)
    d = rows([(A, "2015", "u5_measured", 100), (A, "2015", "u5_stunted", 10), (B, "2015", "u5_stunted", 7)])
    r = I.compute(d, "district", which=["stunting_u5"]).iloc[0]
    assert (r["numerator"], r["denominator"], r["communes_reporting"], r["communes_partial"]) == (10, 100, 1, 1)
    assert (r["communes_expected"], r["coverage"], bool(r["low_coverage"])) == (17, 5.9, True)  # 1/17 = 5.88 %
    c = I.compute(d, "commune", which=["stunting_u5"])
    assert c["unit_code"].tolist() == [A]   # B reported no pair: no row
    assert (c.iloc[0]["communes_expected"], c.iloc[0]["coverage"]) == (1, 100.0)
    p = I.partial_reports(d, which=["stunting_u5"])
    assert p.values.tolist() == [[B, "2015", "stunting_u5", True, False]]


def test_partial_reports_both_ways_and_none():
    d = rows([(A, "2015", "u5_measured", 100), (B, "2015", "u5_stunted", 7), (OTHER, "2015", "u5_measured", 9),
              (OTHER, "2015", "u5_stunted", 1)])
    p = I.partial_reports(d, which=["stunting_u5", "play_area_standard"])
    assert p.columns.tolist() == ["commune_code", "period", "indicator", "has_numerator", "has_denominator"]
    assert p[["commune_code", "has_numerator", "has_denominator"]].values.tolist() == [[A, False, True], [B, True, False]]
    assert I.partial_reports(d.iloc[2:], which=["stunting_u5"]).empty


def test_share_of_communes_over_all_units_in_force_without_an_interval():
    # 2 of 3 reporting communes of Thành phố Bến Tre say yes; 17 units in force → 2/17, not 2/3
    d = rows([(A, "2015", "play_area_standard", 1), (B, "2015", "play_area_standard", 1),
              ("28759", "2015", "play_area_standard", 0)])
    r = I.compute(d, "district", which=["play_area_standard"]).iloc[0]
    assert (r["numerator"], r["denominator"], r["communes_reporting"]) == (2, 17, 3)
    assert r["value"] == pytest.approx(200 / 17)
    assert np.isnan(r["ci_low"]) and np.isnan(r["ci_high"]) and r["base_mark"] == "" and r["interval"] == "none"
    prov = I.compute(d, "province", which=["play_area_standard"]).iloc[0]
    assert prov["denominator"] == 164 and prov["communes_expected"] == 164
    com = I.compute(d, "commune", which=["play_area_standard"]).set_index("unit_code")
    assert com.loc[A, "denominator"] == 1 and com.loc["28759", "value"] == 0.0


def test_share_of_communes_on_a_vintage_counts_the_units_in_force_at_the_time():
    # 2019 on the 2020 units: the province still had its 164 units in 2019 (the merger came 1/2/2020)
    d = rows([(A, "2019", "play_area_standard", 1)])
    prov = I.compute(d, "province", vintage="2020", which=["play_area_standard"]).iloc[0]
    assert prov["denominator"] == len(admin_units.units(2019)) == 164
    assert prov["communes_expected"] == len(admin_units.units("2020-02-01")) == 157


def test_partial_reports_when_one_element_of_the_pair_is_absent_everywhere():
    only_den = rows([(A, "2015", "u5_measured", 100), (B, "2015", "u5_measured", 50)])
    p = I.partial_reports(only_den, which=["stunting_u5"])
    assert p[["commune_code", "has_numerator", "has_denominator"]].values.tolist() == [[A, False, True], [B, False, True]]
    only_num = rows([(A, "2015", "u5_stunted", 10)])
    p = I.partial_reports(only_num, which=["stunting_u5"])
    assert p[["commune_code", "indicator", "has_numerator", "has_denominator"]].values.tolist() == [
        [A, "stunting_u5", True, False]]


def test_only_denominators_reported_gives_no_value():
    d = rows([(A, "2015", "u5_measured", 100), (B, "2015", "u5_measured", 50)])
    for level in I.LEVELS:
        out = I.compute(d, level, which=["stunting_u5"])
        assert out.empty and list(out.columns) == I.OUTPUT_COLUMNS


def test_share_of_communes_with_units_given_counts_every_unit():
    d = rows([("00000", "2015", "play_area_standard", 1), ("00001", "2015", "play_area_standard", 0),
              ("00002", "2015", "play_area_standard", 1)])
    r = I.compute(d, "district", which=["play_area_standard"], units=ten_units()).iloc[0]
    assert (r["numerator"], r["denominator"], r["communes_reporting"], r["communes_expected"]) == (2, 10, 3, 10)
    assert r["value"] == pytest.approx(20.0) and r["coverage"] == 30.0


def test_a_level_is_known_by_its_codes_even_without_names():
    units = ten_units().assign(district_name=None)
    d = rows([("00000", "2015", "u5_measured", 50), ("00000", "2015", "u5_stunted", 5)])
    r = I.compute(d, "district", which=["stunting_u5"], units=units)
    assert r["unit_code"].tolist() == ["001"] and r["value"].tolist() == [10.0] and r["unit_name"].isna().all()


# ------------------------------------------------------------------------------- nothing to compute; partial reports

def test_a_level_without_any_indicator_in_the_data_keeps_the_columns():
    d = rows([(A, "2015", "pop_u16", 100.0)])  # a denominator alone: no indicator can be computed
    for level in ("commune", "district", "province"):
        out = I.compute(d, level, which=["stunting_u5"])
        assert out.empty and list(out.columns) == I.OUTPUT_COLUMNS


def test_partial_reports_look_at_every_indicator_by_default():
    # A sent the children measured but not the stunted: stunting cannot be computed for A
    d = rows([(A, "2015", "u5_measured", 100.0), (B, "2015", "u5_measured", 80.0), (B, "2015", "u5_stunted", 20.0)])
    p = I.partial_reports(d)
    assert p.to_dict("records") == [{"commune_code": A, "period": "2015", "indicator": "stunting_u5",
                                     "has_numerator": False, "has_denominator": True}]
    assert I.partial_reports(d, which=["underweight_u5"]).empty


def test_figures_by_sex_on_another_vintage_sum_the_merged_communes():
    # 2019: Phường 1, 2, 3 separately; on the 2020 vintage they are Phường An Hội (28777): 40 of 300 boys
    d = rows([("28771", "2019", "u5_measured", 100), ("28771", "2019", "u5_stunted", 20),
              ("28774", "2019", "u5_measured", 50), ("28774", "2019", "u5_stunted", 5),
              ("28777", "2019", "u5_measured", 150), ("28777", "2019", "u5_stunted", 15)]).assign(sex="male")
    one = I.compute(d, "commune", vintage="2020", which=["stunting_u5"], by="sex")
    assert list(zip(one["unit_code"], one["sex"], one["numerator"], one["denominator"])) == [("28777", "male", 40, 300)]
    every = I.compute_all(d, vintage="2020", which=["stunting_u5"], by="sex")
    assert every.loc[every["level"] == "commune", "unit_code"].tolist() == ["28777"]
    assert every["numerator"].tolist() == [40, 40, 40] and every["value"].tolist() == pytest.approx([40 / 3] * 3)


def test_figures_by_sex_at_a_level_that_no_longer_exists_are_refused():
    d = rows([("28756", "2026", "u5_measured", 100), ("28756", "2026", "u5_stunted", 20)]).assign(sex="male")
    with pytest.raises(ValueError, match="no district level for these units"):
        I.compute(d, "district", which=["stunting_u5"], by="sex")
    every = I.compute_all(d, which=["stunting_u5"], by="sex")  # the levels that exist, without complaint
    assert sorted(set(every["level"])) == ["commune", "province"]


def test_periods_in_order_even_when_the_first_commune_lacks_the_earliest():
    # A reported only 2016, B 2015 and 2016: the province's rows are 2015 then 2016 (20 + 30 in 2016)
    d = rows([(A, "2016", "u5_measured", 100), (A, "2016", "u5_stunted", 20),
              (B, "2015", "u5_measured", 100), (B, "2015", "u5_stunted", 10),
              (B, "2016", "u5_measured", 100), (B, "2016", "u5_stunted", 30)])
    for level in ("district", "province"):
        out = I.compute(d, level, which=["stunting_u5"])
        assert out["period"].tolist() == ["2015", "2016"] and out["numerator"].tolist() == [10, 50]


def test_unknown_sex_values_are_named_in_the_message():
    d = rows([(A, "2015", "u5_measured", 1.0), (A, "2015", "u5_stunted", 1.0)]).assign(sex=["girl", "boy"])
    with pytest.raises(ValueError) as e:
        I.compute(d, "commune", by="sex")
    assert str(e.value) == "sex must be one of ('male', 'female', 'total'), not 'boy', 'girl'"


def test_element_table_columns_are_named_element():
    w = I.element_table(rows([(A, "2015", "u5_measured", 10.0), (A, "2015", "u5_stunted", 2.0)]))
    assert w.columns.name == "element" and sorted(w.columns) == ["u5_measured", "u5_stunted"]
    assert list(w.index.names) == ["commune_code", "period"]


# ------------------------------------------------------------------------------- M2: the sample's last survivors

def test_districts_sorted_by_code_even_when_their_communes_are_not():
    # Xã Phú Mỹ (28889) is in Mỏ Cày Bắc (838), Thị trấn Mỏ Cày (28903) in Mỏ Cày Nam (833): the lower
    # commune code is in the higher district code.  Rows by district code: 833 (50/200) before 838 (10/100)
    d = rows([("28889", "2015", "u5_measured", 100), ("28889", "2015", "u5_stunted", 10),
              ("28903", "2015", "u5_measured", 200), ("28903", "2015", "u5_stunted", 50)])
    expected = [("833", "Huyện Mỏ Cày Nam", 50, 200, 25.0), ("838", "Huyện Mỏ Cày Bắc", 10, 100, 10.0)]
    one = I.compute(d, "district", which=["stunting_u5"])
    every = I.compute_all(d, which=["stunting_u5"])
    for out in (one, every[every["level"] == "district"]):
        assert list(zip(out["unit_code"], out["unit_name"], out["numerator"], out["denominator"],
                        out["value"])) == expected


def test_a_unit_code_with_two_names_lists_its_rows_by_name_then_period():
    # units given with district 001 spelled two ways: 00001 "Huyện B", 00002 "Huyện A".  A group is named
    # as its first commune: (001, 2015) starts with 00001 → "Huyện B" (10 + 20 of 200), (001, 2016) has only
    # 00002 → "Huyện A" (30 of 100).  Sorted by code, then name, then period: "Huyện A" (2016) comes first
    units = pd.DataFrame({"commune_code": ["00001", "00002"], "name": ["X1", "X2"],
                          "district_code": ["001", "001"], "district_name": ["Huyện B", "Huyện A"],
                          "province_code": ["01", "01"], "province_name": ["P", "P"]})
    d = rows([("00001", "2015", "u5_measured", 100), ("00001", "2015", "u5_stunted", 10),
              ("00002", "2015", "u5_measured", 100), ("00002", "2015", "u5_stunted", 20),
              ("00002", "2016", "u5_measured", 100), ("00002", "2016", "u5_stunted", 30)])
    out = I.compute(d, "district", which=["stunting_u5"], units=units)
    assert list(zip(out["unit_name"], out["period"], out["numerator"], out["denominator"])) == [
        ("Huyện A", "2016", 30, 100), ("Huyện B", "2015", 30, 200)]


NO_ROWS = ("no rows to compute indicators from: none of the {} rows of data has a commune_code, period and "
           "element (of a commune on the vintage asked for)")


@pytest.mark.parametrize("units", [None, "given"])
def test_compute_all_on_empty_data_says_there_are_no_rows(units):
    # before: pandas' "No objects to concatenate" (register) or a message about levels (units given)
    given = ten_units() if units else None
    with pytest.raises(ValueError) as e:
        I.compute_all(rows([]), which=["stunting_u5"], units=given)
    assert str(e.value) == NO_ROWS.format(0)


def test_compute_all_on_rows_without_keys_says_there_are_no_rows():
    d = rows([(None, "2015", "u5_measured", 10.0), (A, None, "u5_measured", 10.0), (A, "2015", None, 3.0)])
    with pytest.raises(ValueError) as e:
        I.compute_all(d)
    assert str(e.value) == NO_ROWS.format(3)


def test_compute_all_on_another_vintage_with_no_commune_left_says_there_are_no_rows():
    # 99999 has no successor on the 2020 vintage: the crosswalk leaves no row to sum (units given)
    d = rows([("99999", "2015", "u5_measured", 10.0), ("99999", "2015", "u5_stunted", 1.0)])
    with pytest.raises(ValueError) as e:
        I.compute_all(d, vintage="2020", units=ten_units())
    assert str(e.value) == NO_ROWS.format(2)


def test_compute_all_without_any_indicator_in_the_data_keeps_the_columns():
    d = rows([(A, "2015", "pop_u16", 100.0), (OTHER, "2015", "pop_u16", 80.0)])  # no element of stunting
    out = I.compute_all(d, which=["stunting_u5"])
    assert out.empty and list(out.columns) == I.OUTPUT_COLUMNS


def test_compute_all_by_sex_keeps_to_the_indicators_asked_for():
    # the girls' data carry stunting (5 of 50) and underweight (4 of 40): asked for stunting, only stunting
    d = rows([(A, "2015", "u5_measured", 50), (A, "2015", "u5_stunted", 5),
              (A, "2015", "u5_weighed", 40), (A, "2015", "u5_underweight", 4)]).assign(sex="female")
    out = I.compute_all(d, which=["stunting_u5"], by="sex")
    assert list(zip(out["level"], out["indicator"], out["numerator"], out["denominator"])) == [
        ("commune", "stunting_u5", 5, 50), ("district", "stunting_u5", 5, 50), ("province", "stunting_u5", 5, 50)]

"""Indicators checked against published values, a second method and hand computation."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from btchild_analysis import indicators as I
from btchild_analysis import admin_units


# Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score, no correction)
@pytest.mark.parametrize("x, n, lo, hi", [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605),
                                          (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)])
def test_wilson_against_newcombe_table_1(x, n, lo, hi):
    l, h = I.wilson_interval(x, n)
    assert round(float(l), 4) == lo and round(float(h), 4) == hi


def test_wilson_against_statsmodels():
    from statsmodels.stats.proportion import proportion_confint
    rng = np.random.default_rng(1)
    n = rng.integers(1, 5000, 200)
    x = rng.integers(0, n + 1)
    lo, hi = I.wilson_interval(x, n)
    rlo, rhi = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert np.allclose(lo, rlo, atol=1e-12) and np.allclose(hi, rhi, atol=1e-12)


def test_wilson_is_exact_at_the_edges():
    lo, hi = I.wilson_interval([0, 30], [30, 30])
    assert lo[0] == 0.0 and hi[1] == 1.0 and 0 < hi[0] < 1 and 0 < lo[1] < 1


def test_base_marks():
    assert I.base_mark([0, 24, 25, 49, 50, 1000]).tolist() == ["(*)", "(*)", "( )", "( )", "", ""]


def rows(spec):
    return pd.DataFrame(spec, columns=["commune_code", "period", "element", "value"])


def test_ratio_of_sums_not_mean_of_rates():
    # two communes of TP Bến Tre: 10/100 and 90/300 → district 100/400 = 25%, not (10% + 30%) / 2 = 20%
    d = rows([("28756", "2015", "u5_measured", 100), ("28756", "2015", "u5_stunted", 10),
              ("28757", "2015", "u5_measured", 300), ("28757", "2015", "u5_stunted", 90)])
    out = I.compute(d, "district", which=["stunting_u5"]).iloc[0]
    assert (out["numerator"], out["denominator"], out["value"]) == (100, 400, 25.0)
    assert out["unit_code"] == "829" and out["unit_name"] == "Thành phố Bến Tre"


def test_only_communes_reporting_both_parts_count():
    d = rows([("28756", "2015", "u5_measured", 100), ("28756", "2015", "u5_stunted", 10),
              ("28757", "2015", "u5_measured", 300)])  # no numerator: left out, not counted as 0
    out = I.compute(d, "province", which=["stunting_u5"]).iloc[0]
    assert out["value"] == 10.0 and out["denominator"] == 100


def test_share_of_communes_is_over_all_communes_in_force():
    # 3 of TP Bến Tre's 17 units report (2 say yes): district 2/17, province 2/164 — one denominator rule
    d = rows([("28756", "2015", "play_area_standard", 1), ("28757", "2015", "play_area_standard", 0),
              ("28759", "2015", "play_area_standard", 1)])
    prov = I.compute(d, "province", which=["play_area_standard"]).iloc[0]
    assert prov["numerator"] == 2 and prov["denominator"] == 164
    assert prov["value"] == pytest.approx(200 / 164)
    dist = I.compute(d, "district", which=["play_area_standard"]).iloc[0]
    assert (dist["denominator"], dist["communes_reporting"], dist["communes_expected"]) == (17, 3, 17)
    assert dist["value"] == pytest.approx(200 / 17)
    # a count of communes is a complete enumeration: no sampling interval, no small-base mark
    assert np.isnan(prov["ci_low"]) and np.isnan(prov["ci_high"]) and prov["interval"] == "none"
    assert prov["base_mark"] == ""


def test_two_kinds_of_indicator_at_three_levels_row_by_row():
    # a rate (stunting: sums, Wilson interval, small-base marks) and a share of communes (play areas: units
    # in force as denominator, no interval) in one call; levels stacked commune → district → province,
    # indicators in the order asked, units sorted; every row by hand
    d = rows([("28757", "2015", "u5_measured", 20), ("28757", "2015", "u5_stunted", 4),
              ("28756", "2015", "u5_measured", 30), ("28756", "2015", "u5_stunted", 3),
              ("28756", "2015", "play_area_standard", 1), ("28757", "2015", "play_area_standard", 0)])
    out = I.compute_all(d, which=["stunting_u5", "play_area_standard"])
    got = [(r.level, r.unit_code, r.indicator, r.numerator, r.denominator, r.base_mark, r.interval,
            r.communes_reporting, r.communes_expected, r.coverage) for r in out.itertuples()]
    assert got == [
        ("commune", "28756", "stunting_u5", 3, 30, "( )", "wilson", 1, 1, 100.0),
        ("commune", "28757", "stunting_u5", 4, 20, "(*)", "wilson", 1, 1, 100.0),
        ("commune", "28756", "play_area_standard", 1, 1, "", "none", 1, 1, 100.0),
        ("commune", "28757", "play_area_standard", 0, 1, "", "none", 1, 1, 100.0),
        ("district", "829", "stunting_u5", 7, 50, "", "wilson", 2, 17, 11.8),      # 2/17 = 11.76 %
        ("district", "829", "play_area_standard", 1, 17, "", "none", 2, 17, 11.8),
        ("province", "83", "stunting_u5", 7, 50, "", "wilson", 2, 164, 1.2),       # 2/164 = 1.22 %
        ("province", "83", "play_area_standard", 1, 164, "", "none", 2, 164, 1.2),
    ]
    assert out["value"].tolist() == pytest.approx([10.0, 20.0, 100.0, 0.0, 14.0, 100 / 17, 14.0, 100 / 164])
    assert (out["ci_low"].isna() == (out["interval"] == "none")).all()
    lo, hi = I.wilson_interval(7, 50)
    assert out.loc[4, ["ci_low", "ci_high"]].tolist() == pytest.approx([100 * float(lo), 100 * float(hi)])
    assert out["low_coverage"].tolist() == [False] * 4 + [True] * 4
    assert list(out.index) == list(range(8))


def test_coverage_columns_and_flag():
    # 16 of TP Bến Tre's 17 units report both parts (94.1% ≥ 90%), one sends only a denominator
    city = admin_units.units(2015).query("district_code == '829'")["code"].tolist()
    assert len(city) == 17
    spec = [(c, "2015", "u5_measured", 100) for c in city] + [(c, "2015", "u5_stunted", 10) for c in city[:16]]
    out = I.compute(rows(spec), "district", which=["stunting_u5"]).set_index("unit_code").loc["829"]
    assert (out["communes_reporting"], out["communes_partial"], out["communes_expected"]) == (16, 1, 17)
    assert out["denominator"] == 1600 and out["coverage"] == pytest.approx(94.1)
    assert not out["low_coverage"]
    assert I.compute(rows(spec), "district", which=["stunting_u5"], min_coverage=0.95).iloc[0]["low_coverage"]
    prov = I.compute(rows(spec), "province", which=["stunting_u5"]).iloc[0]
    assert (prov["communes_reporting"], prov["communes_expected"]) == (16, 164) and prov["low_coverage"]
    # exactly at the threshold is not low: 9 of 10 = 90%
    cov, low = I.coverage([9, 8], [10, 10], 0.9)
    assert cov.tolist() == [90.0, 80.0] and low.tolist() == [False, True]


def test_partial_reports_are_listed():
    d = rows([("28756", "2015", "u5_measured", 100), ("28756", "2015", "u5_stunted", 10),
              ("28757", "2015", "u5_measured", 300), ("28759", "2015", "u5_stunted", 4)])
    p = I.partial_reports(d, ["stunting_u5"]).set_index("commune_code")
    assert sorted(p.index) == ["28757", "28759"]
    assert bool(p.loc["28757", "has_denominator"]) and not bool(p.loc["28757", "has_numerator"])
    assert bool(p.loc["28759", "has_numerator"]) and not bool(p.loc["28759", "has_denominator"])


def test_wilson_interval_in_percent_at_both_bounds():
    # 81 of 263 (Newcombe's first row): 25.53%–36.62%
    d = rows([("28756", "2015", "u5_measured", 263), ("28756", "2015", "u5_stunted", 81)])
    out = I.compute(d, "commune", which=["stunting_u5"]).iloc[0]
    assert round(out["ci_low"], 2) == 25.53 and round(out["ci_high"], 2) == 36.62
    assert out["interval"] == "wilson" and out["base_mark"] == ""


def test_zero_denominator_gives_nan_not_inf():
    for stunted in (0, 3):  # 3 / 0 would be inf, 0 / 0 NaN: both must be NaN
        d = rows([("28756", "2015", "u5_measured", 0), ("28756", "2015", "u5_stunted", stunted)])
        out = I.compute(d, "commune", which=["stunting_u5"]).iloc[0]
        assert np.isnan(out["value"]) and np.isnan(out["ci_low"]) and np.isnan(out["ci_high"])
    lo, hi = I.wilson_interval([0, 3], [0, 0])
    assert np.isnan(lo).all() and np.isnan(hi).all()


def test_rate_per_100000():
    d = rows([("28756", "2015", "pop_u16", 20000), ("28756", "2015", "abuse_cases", 3)])
    assert I.compute(d, "commune", which=["abuse_rate"]).iloc[0]["value"] == pytest.approx(15.0)


units13 = admin_units.units(2015)
CODES = units13["code"].tolist()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(CODES), st.integers(0, 500), st.integers(0, 500)), min_size=1, max_size=40,
                unique_by=lambda t: t[0]))
def test_property_province_is_sum_of_districts(data):
    d = rows([(c, "2015", "u5_measured", m + s) for c, m, s in data] + [(c, "2015", "u5_stunted", s) for c, m, s in data])
    dist = I.compute(d, "district", which=["stunting_u5"])
    prov = I.compute(d, "province", which=["stunting_u5"])
    assert dist["numerator"].sum() == prov["numerator"].iloc[0] == sum(s for _, _, s in data)
    assert dist["denominator"].sum() == prov["denominator"].iloc[0]
    # district value = sum of numerators / sum of denominators of its communes (hand, via the register)
    lookup = dict(zip(units13["code"], units13["district_code"]))
    for _, r in dist.iterrows():
        mine = [(m + s, s) for c, m, s in data if lookup[c] == r["unit_code"]]
        den = sum(a for a, _ in mine)
        assert r["denominator"] == den
        if den:
            assert r["value"] == pytest.approx(100 * sum(b for _, b in mine) / den)


def test_crosswalked_totals_equal_original_totals(sample):
    d = sample.submissions[sample.submissions["period"].isin(["2016", "2018"])]
    own = I.compute(d, "province").set_index(["period", "indicator"])
    on20 = I.compute(d, "province", vintage="2020").set_index(["period", "indicator"])
    assert np.allclose(own["numerator"], on20.loc[own.index, "numerator"])
    assert np.allclose(own["denominator"], on20.loc[own.index, "denominator"])
    communes = I.compute(d, "commune", vintage="2020")
    assert communes["unit_code"].nunique() <= 157
    assert set(communes["unit_code"]) <= set(admin_units.units("2020-02-01")["code"])


def test_merged_commune_series_sums_its_parts():
    # 2019: Phường 1, 2, 3 separately; on the 2020 vintage they are Phường An Hội (28777)
    d = rows([("28771", "2019", "u5_measured", 100), ("28771", "2019", "u5_stunted", 20),
              ("28774", "2019", "u5_measured", 50), ("28774", "2019", "u5_stunted", 5),
              ("28777", "2019", "u5_measured", 150), ("28777", "2019", "u5_stunted", 15),
              ("28777", "2021", "u5_measured", 310), ("28777", "2021", "u5_stunted", 31)])
    out = I.compute(d, "commune", vintage="2020", which=["stunting_u5"]).set_index("period")
    assert out.loc["2019", "unit_code"] == "28777"
    assert (out.loc["2019", "numerator"], out.loc["2019", "denominator"]) == (40, 300)
    assert out.loc["2021", "value"] == pytest.approx(10.0)


def test_history_re_expressed_on_the_units_of_july_2025(sample):
    d = sample.submissions[sample.submissions["period"].isin(["2016", "2022"])]
    v = I.compute_all(d, vintage="2025", which=["stunting_u5"])
    assert set(v["level"]) == {"commune", "province"}  # districts were abolished
    assert v.loc[v["level"] == "commune", "unit_code"].nunique() == 48
    own = I.compute(d, "province", which=["stunting_u5"]).set_index("period")
    new = v[v["level"] == "province"].set_index("period")
    assert (own["numerator"] == new["numerator"]).all() and (own["denominator"] == new["denominator"]).all()
    assert "Bến Tre cũ" in new["unit_name"].iloc[0]


@pytest.mark.parametrize("level", ["commune", "district", "province"])
def test_compute_on_data_without_a_usable_row_says_so(level):
    """``compute`` (one level) refuses empty data and rows without commune/period/element with the same
    words as ``compute_all``, not pandas' "No objects to concatenate"."""
    empty = pd.DataFrame(columns=["commune_code", "period", "element", "value"])
    keyless = pd.DataFrame({"commune_code": [None, "28756"], "period": ["2024", None],
                            "element": ["u5_measured", "u5_measured"], "value": [10.0, 20.0]})
    for data, n in ((empty, 0), (keyless, 2)):
        with pytest.raises(ValueError, match=rf"^no rows to compute indicators from: none of the {n} rows"):
            I.compute(data, level)

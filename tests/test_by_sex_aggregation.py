"""The factorised element table (issue 16) against pandas' pivot table, cell for cell; by sex = by
total on the same numbers."""
import numpy as np
import pandas as pd
import pytest

from btchild_analysis import indicators as I
from btchild_analysis.catalog import elements


def pivot_reference(data, vintage=None):
    """The element table as pandas' pivot_table makes it (the implementation before issue 16)."""
    d = data[["commune_code", "period", "element", "value"]]
    if vintage is not None:
        d = I._to_vintage(d, vintage)
    wide = d.pivot_table(index=["commune_code", "period"], columns="element", values="value",
                         aggfunc="sum", observed=True, sort=True)
    wide.columns = wide.columns.astype(str)
    yn = [e for e in wide.columns if e in elements() and elements()[e].kind == "yes_no"]
    if yn:
        counts = d[d["element"].isin(yn)].pivot_table(index=["commune_code", "period"], columns="element",
                                                       values="value", aggfunc="count", observed=True)
        counts.columns = [f"{c}__n" for c in counts.columns.astype(str)]
        wide = wide.join(counts)
    return wide


def random_rows(seed, n=3000, yes_no=True):
    rng = np.random.default_rng(seed)
    codes = ["28756", "28757", "28759", "28762", "28765", "29110", "28771", "28774"]
    els = ["u5_measured", "u5_stunted", "pop_u16"] + (["play_area_standard", "health_station_midwife"] if yes_no else [])
    d = pd.DataFrame({"commune_code": rng.choice(codes, n), "period": rng.choice(["2015", "2016H1", "2019", "2020"], n),
                      "element": rng.choice(els, n)})
    yn = d["element"].isin(["play_area_standard", "health_station_midwife"])
    d["value"] = np.where(yn, rng.integers(0, 2, n), rng.integers(0, 900, n)).astype(float)
    return d.sample(frac=0.3, random_state=seed).reset_index(drop=True)   # missing combinations


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("yes_no", [True, False])
def test_element_table_equals_the_pivot_table(seed, yes_no):
    d = random_rows(seed, yes_no=yes_no)
    pd.testing.assert_frame_equal(I.element_table(d), pivot_reference(d), check_dtype=False, check_names=False)


def test_element_table_on_a_vintage_and_on_the_sample(dataset):
    d = random_rows(3)
    pd.testing.assert_frame_equal(I.element_table(d, "2020"), pivot_reference(d, "2020"), check_dtype=False,
                                  check_names=False)
    e = dataset.elements
    pd.testing.assert_frame_equal(I.element_table(e), pivot_reference(e), check_dtype=False, check_names=False)


def test_element_table_with_missing_keys_and_values():
    d = pd.DataFrame({"commune_code": ["28756", "28756", None, "28757", "28757"],
                      "period": ["2015", "2015", "2015", None, "2015"],
                      "element": ["u5_measured", "u5_measured", "u5_measured", "u5_measured", "play_area_standard"],
                      "value": [10.0, 5.0, 7.0, 3.0, np.nan]})
    pd.testing.assert_frame_equal(I.element_table(d), pivot_reference(d), check_dtype=False, check_names=False)
    w = I.element_table(d)
    assert w.loc[("28756", "2015"), "u5_measured"] == 15 and np.isnan(w.loc[("28757", "2015"), "u5_measured"])


def test_by_sex_on_parts_equal_to_totals_gives_the_totals_figures():
    d = random_rows(4, yes_no=False).drop_duplicates(["commune_code", "period", "element"])
    d = d[~((d["element"] == "u5_stunted") & (d["value"] > 0))]   # keep numerators within denominators
    male = I.compute_all(d.assign(sex="male"), by="sex")
    plain = I.compute_all(d)
    pd.testing.assert_frame_equal(male.drop(columns="sex").reset_index(drop=True),
                                  plain[plain["indicator"].isin(I.sex_indicators())].reset_index(drop=True),
                                  check_dtype=False)

"""Dataset.indicator_table: every indicator at three levels computed once per dataset, and once per run
under ``btchild report`` (stored with the shared dataset); the same rows as indicators.compute_all."""
import pandas as pd
import pytest

from btchild_analysis import cache, dataset, indicators
from btchild_analysis.errors import RegistryError
from tests.realformat import district_folder

WHICH = [["child_friendly_commune"], ["underweight_u5", "stunting_u5"],
         ["kindergarten_enrolment", "child_friendly_commune", "stunting_u5"], None]


@pytest.mark.parametrize("which", WHICH)
def test_the_same_rows_in_the_same_order_as_compute_all_on_the_sample(dataset, which):
    expected = indicators.compute_all(dataset.all_elements(), which=which)
    pd.testing.assert_frame_equal(dataset.indicator_table(which), expected)


def test_the_same_rows_as_compute_all_on_a_folder_of_district_workbooks(tmp_path):
    ds = dataset._load_dataset(str(district_folder(tmp_path / "d", districts=("Ba Tri", "Chợ Lách"), periods=("2024",))))
    for which in (["stunting_u5", "underweight_u5"], None):
        pd.testing.assert_frame_equal(ds.indicator_table(which), indicators.compute_all(ds.all_elements(), which=which))
    # by hand: the province's stunting is the sum of stunted over the sum of measured of the communes
    el = ds.elements.pivot_table(index="commune_code", columns="element", values="value", aggfunc="sum")
    both = el[["u5_stunted", "u5_measured"]].dropna()
    t = ds.indicator_table(["stunting_u5"])
    province = t[(t["level"] == "province") & (t["period"] == "2024")]["value"].item()
    assert province == pytest.approx(100 * both["u5_stunted"].sum() / both["u5_measured"].sum())


def test_computed_once_per_dataset(dataset, monkeypatch):
    ds = dataset.__class__(**{f: getattr(dataset, f) for f in ("elements", "scores", "classes", "by_sex")})
    calls = []
    real = indicators.compute_all
    monkeypatch.setattr(indicators, "compute_all", lambda *a, **k: calls.append(1) or real(*a, **k))
    ds.indicator_table(["stunting_u5"])
    ds.indicator_table(["child_friendly_commune"])
    ds.indicator_table()
    assert len(calls) == 1


def test_an_unknown_indicator_is_refused_by_name(dataset):
    with pytest.raises(RegistryError, match="unknown indicator .no_such_indicator.; known: stunting_u5"):
        dataset.indicator_table(["no_such_indicator"])


def test_the_shared_dataset_carries_the_indicators_so_reports_do_not_recompute_them(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "s.csv").write_text("commune_code,period,element,value\n28756,2020,u5_measured,40\n"
                                  "28756,2020,u5_stunted,10\n28757,2020,u5_measured,60\n28757,2020,u5_stunted,6\n",
                                  encoding="utf-8")
    monkeypatch.setenv(cache.ENV, str(tmp_path / "out" / cache.FOLDER))
    dataset.load_dataset(str(folder))                      # the first report: loads, computes, stores
    again = dataset.load_dataset(str(folder))              # any other report of the run: reads back
    assert again._indicators is not None
    calls = []
    monkeypatch.setattr(indicators, "compute_all", lambda *a, **k: calls.append(1))
    t = again.indicator_table(["stunting_u5"])
    assert calls == []
    # by hand: (10 + 6) / (40 + 60) = 16 %
    assert t[t["level"] == "province"]["value"].item() == pytest.approx(16.0)

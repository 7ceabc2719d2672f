"""Completeness, timeliness and outliers against hand counts."""
import numpy as np
import pandas as pd
import pytest

from btchild_analysis import quality, register, sections


def test_completeness_by_hand_and_the_deadline_is_strict():
    dates = pd.DataFrame({"commune_code": ["28756", "28757", "28759", "29173"], "period": "2015",
                          "submitted_on": ["2015-10-31", "2015-11-01", None, "2015-10-02"]})
    t = quality.completeness(dates, "2015").set_index("code")
    city = t.loc["829"]  # Thành phố Bến Tre: 17 units, 2 received, 1 on time (31/10), 1 late (1/11)
    assert (city["expected"], city["received"], city["on_time"], city["late"], city["missing"]) == (17, 2, 1, 1, 15)
    prov = t.loc["83"]
    assert (prov["expected"], prov["received"], prov["on_time"]) == (164, 3, 2)
    assert prov["pct_on_time"] == pytest.approx(round(100 * 2 / 164, 1))


def test_six_monthly_deadline_and_units_in_force_after_the_merger():
    dates = pd.DataFrame({"commune_code": ["28777", "28771"], "period": "2020H1", "submitted_on": ["2020-04-30", "2020-04-01"]})
    t = quality.completeness(dates, "2020H1").set_index("code")
    assert t.loc["83", "expected"] == 157  # 28771 merged into 28777 on 1/2/2020: not expected
    assert t.loc["83", "received"] == 1 and t.loc["83", "on_time"] == 1
    late = quality.missing_and_late(dates.assign(submitted_on=["2020-05-01", None]), "2020H1")
    assert late.set_index("code").loc["28777", "status"] == "late"
    assert len(late) == 157


def test_modified_z_against_hand_computation():
    x = np.array([10.0, 11, 12, 13, 40])
    z, med, mad = quality.modified_z(x)
    assert med == 12 and mad == 1  # |x - 12| = 2, 1, 0, 1, 28 → median 1
    assert z[-1] == pytest.approx(0.6745 * 28)


def test_outliers_flag_a_commune_far_from_its_district_peers():
    codes = register.units(2015).query("district_code == '836'")["code"].tolist()
    rows = []
    for i, c in enumerate(codes):
        stunted = 250 if i == 0 else 60 + i % 5
        rows += [(c, "2015", "u5_measured", 300.0), (c, "2015", "u5_stunted", float(stunted))]
    acc = pd.DataFrame(rows, columns=["commune_code", "period", "element", "value"])
    flags = quality.outliers(acc)
    peers = flags[flags["basis"] == "district_peers"]
    assert peers["commune_code"].tolist() == [codes[0]]
    f = peers.iloc[0]
    assert f["value"] == pytest.approx(100 * 250 / 300, abs=0.01)
    assert f["upper"] == pytest.approx(f["median"] + 3.5 * f["mad"] / 0.6745, abs=0.02)


def test_labelled_tables(dataset):
    t = sections.completeness_table(dataset.submission_dates, "2016", "vi")
    assert list(t.columns[:4]) == ["Cấp", "Mã", "Đơn vị", "Phải nộp"] and t["Cấp"].iloc[-1] == "Tỉnh"
    late = sections.late_table(dataset.submission_dates, "2016", "en")
    assert set(late["Status"]) <= {"Late", "Missing"}

"""Completeness, timeliness and outliers against hand counts."""
import numpy as np
import pandas as pd
import pytest

from btchild_analysis import quality, admin_units, sections


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
    codes = admin_units.units(2015).query("district_code == '836'")["code"].tolist()
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


def test_late_table_writes_dates_the_page_s_way():
    dates = pd.DataFrame({"commune_code": ["28756", "28757"], "period": "2015",
                          "submitted_on": ["2015-11-13", ""]})   # late (after 1 November), never received
    vi = sections.late_table(dates, "2015", "vi").set_index("Mã")
    en = sections.late_table(dates, "2015", "en").set_index("Code")
    assert vi.loc["28756", "Ngày nộp"] == "13/11/2015" and en.loc["28756", "Received on"] == "2015-11-13"
    assert vi.loc["28757", "Ngày nộp"] == "" and vi.loc["28757", "Tình trạng"] == "Chưa nộp"


def test_the_earliest_submission_counts():
    # 28756 sent the 2015 report twice: 3 Nov (listed first) and 20 Oct → on time, dated 20 Oct
    dates = pd.DataFrame({"commune_code": ["28756", "28756", "28757"], "period": "2015",
                          "submitted_on": ["2015-11-03", "2015-10-20", ""]})
    u = quality.report_status(dates, "2015").set_index("code")
    assert u.loc["28756", "status"] == "on_time" and u.loc["28756", "submitted_on"] == "2015-10-20"
    assert u.loc["28757", "status"] == "missing"  # an empty date is a report never received


def test_a_report_under_a_code_merged_away_counts_for_its_successor():
    # Phường 1 (28771) was merged into Phường An Hội (28777) on 1/2/2020; a 2021 report filed as 28771
    dates = pd.DataFrame({"commune_code": ["28771"], "period": "2021", "submitted_on": ["2021-10-15"]})
    u = quality.report_status(dates, "2021").set_index("code")
    assert "28771" not in u.index and u.loc["28777", "status"] == "on_time"
    t = quality.completeness(dates, "2021").set_index("code")
    assert (t.loc["829", "received"], t.loc["83", "received"], t.loc["83", "expected"]) == (1, 1, 157)
    assert quality.successor_codes(["28771", "28774", "28777", "00000"], "2021").tolist()[:3] == ["28777"] * 3


def test_pct_received_and_on_time_by_hand():
    # Ba Tri (836): 3 received of its units, 2 on time
    codes = admin_units.units(2015).query("district_code == '836'")["code"].tolist()
    n = len(codes)
    dates = pd.DataFrame({"commune_code": codes[:3], "period": "2015",
                          "submitted_on": ["2015-10-01", "2015-10-30", "2015-11-02"]})
    r = quality.completeness(dates, "2015").set_index("code").loc["836"]
    assert (r["expected"], r["received"], r["on_time"], r["late"], r["missing"]) == (n, 3, 2, 1, n - 3)
    assert r["pct_received"] == round(100 * 3 / n, 1) and r["pct_on_time"] == round(100 * 2 / n, 1)


def test_bad_dates_are_a_clear_error():
    from btchild_analysis.errors import SubmissionError
    dates = pd.DataFrame({"commune_code": ["28756"], "period": "2015", "submitted_on": ["31/10/2015"]})
    with pytest.raises(SubmissionError, match="submitted_on"):
        quality.report_status(dates, "2015")


def test_modified_z_with_a_mad_other_than_one():
    x = np.array([10.0, 12, 14, 16, 40])  # median 14; |x − 14| = 4, 2, 0, 2, 26 → MAD 2
    z, med, mad = quality.modified_z(x)
    assert (med, mad) == (14.0, 2.0)
    assert z[-1] == pytest.approx(0.6745 * 26 / 2) and z[0] == pytest.approx(0.6745 * -4 / 2)


def test_outlier_bounds_on_both_sides_with_mad_other_than_one():
    codes = admin_units.units(2015).query("district_code == '836'")["code"].tolist()
    rows = []
    stunted = [6, 60, 66, 72, 78, 84, 90]  # rates 2, 20, 22, 24, 26, 28, 30 % → median 24; |dev| 22, 4, 2, 0, 2, 4, 6 → MAD 4
    for i, c in enumerate(codes[:7]):
        rows += [(c, "2015", "u5_measured", 300.0), (c, "2015", "u5_stunted", float(stunted[i]))]
    flags = quality.outliers(pd.DataFrame(rows, columns=["commune_code", "period", "element", "value"]))
    f = flags[flags["basis"] == "district_peers"].iloc[0]
    assert f["commune_code"] == codes[0] and f["value"] == pytest.approx(2.0)
    assert (f["median"], f["mad"]) == (24.0, 4.0)
    assert f["lower"] == pytest.approx(round(24 - 3.5 * 4 / 0.6745, 2))
    assert f["upper"] == pytest.approx(round(24 + 3.5 * 4 / 0.6745, 2))
    assert f["modified_z"] == pytest.approx(round(0.6745 * (2 - 24) / 4, 2))  # −3.71 < −3.5

"""Figures by sex on the reporting side: ``--by sex`` on the command line, the gap table, the chart,
and the one sentence when the data are not split (issue 14).

Every expected number is worked by hand from the small tables below.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb
import pandas as pd
import pytest
from typer.testing import CliRunner

from btchild_analysis import cli, sex_figures
from btchild_analysis.cli import app
from btchild_analysis.indicators import sex_gap

A, B = "28801", "28804"  # Thị trấn Châu Thành, Xã Tân Thạch: Huyện Châu Thành (831)
C = "28870"  # Thị trấn Chợ Lách: Huyện Chợ Lách (832)


def _rows(commune, period, sex, measured, stunted, derived=False):
    return [{"commune_code": commune, "period": period, "element": "u5_measured", "sex": sex, "value": measured,
             "derived": derived},
            {"commune_code": commune, "period": period, "element": "u5_stunted", "sex": sex, "value": stunted,
             "derived": derived}]


def by_sex_2024() -> pd.DataFrame:
    """2024, under-5 stunting by sex.

    Boys: A 12/100, B 3/50, C 5/50 → province 20/200 = 10.0%, Châu Thành 15/150 = 10.0%, Chợ Lách 10.0%.
    Girls: A 6/80, B 7/120 (C sent no girls' figures) → province 13/200 = 6.5%, Châu Thành 6.5%.
    Gap (boys − girls) 3.5 points; communes reporting: boys 3, girls 2 → 2 (Châu Thành: 2).
    """
    rows = (_rows(A, "2024", "male", 100, 12) + _rows(B, "2024", "male", 50, 3, derived=True) + _rows(C, "2024", "male", 50, 5)
            + _rows(A, "2024", "female", 80, 6) + _rows(B, "2024", "female", 120, 7))
    return pd.DataFrame(rows)


def totals_2024() -> pd.DataFrame:
    """Totals only: A 18/180 → 10.0%."""
    return pd.DataFrame([{"commune_code": A, "period": "2024", "element": "u5_measured", "value": 180},
                         {"commune_code": A, "period": "2024", "element": "u5_stunted", "value": 18}])


EMPTY = pd.DataFrame(columns=["commune_code", "period", "element", "sex", "value", "derived"])


@dataclass
class FakeDataset:
    """What the command and the page use of a Dataset."""

    by_sex: pd.DataFrame = field(default_factory=lambda: EMPTY)
    totals: pd.DataFrame = field(default_factory=totals_2024)
    synthetic: bool = False

    def all_elements(self) -> pd.DataFrame:
        return self.totals


def invoke(monkeypatch, ds, args):
    monkeypatch.setattr(cli, "_dataset", lambda data: ds)
    return CliRunner().invoke(app, args, catch_exceptions=False)


def _csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype={"unit_code": str, "period": str})


# ----------------------------------------------------------------------------- the command line

def test_indicators_by_sex_gives_a_sex_column_with_the_hand_computed_values(monkeypatch):
    r = invoke(monkeypatch, FakeDataset(by_sex=by_sex_2024()), ["indicators", "--by", "sex", "--indicator", "stunting_u5"])
    assert r.exit_code == 0, r.stderr
    t = _csv(r.stdout)
    assert list(t.columns[t.columns.get_loc("indicator"):][:2]) == ["indicator", "sex"]
    prov = t.set_index("sex")
    assert prov.loc["Nam", "value"] == pytest.approx(10.0)
    assert prov.loc["Nữ", "value"] == pytest.approx(6.5)
    assert (prov.loc["Nam", "numerator"], prov.loc["Nam", "denominator"]) == (20, 200)
    assert (prov.loc["Nữ", "communes_reporting"], prov.loc["Nam", "communes_reporting"]) == (2, 3)
    assert r.stderr == ""


def test_indicators_by_sex_in_english_and_at_district_level(monkeypatch):
    r = invoke(monkeypatch, FakeDataset(by_sex=by_sex_2024()),
               ["indicators", "--by", "sex", "--lang", "en", "--level", "district", "--indicator", "stunting_u5"])
    assert r.exit_code == 0, r.stderr
    t = _csv(r.stdout)
    assert set(t["sex"]) == {"Male", "Female"}
    got = {(u, s): v for u, s, v in zip(t["unit_code"], t["sex"], t["value"])}
    assert got == {("831", "Male"): pytest.approx(10.0), ("831", "Female"): pytest.approx(6.5),
                   ("832", "Male"): pytest.approx(10.0)}


def test_indicators_by_sex_names_the_indicators_that_are_not_split(monkeypatch):
    r = invoke(monkeypatch, FakeDataset(by_sex=by_sex_2024()),
               ["indicators", "--by", "sex", "--indicator", "stunting_u5", "--indicator", "health_station_midwife"])
    assert r.exit_code == 0
    assert r.stderr.count("\n") == 1 and "health_station_midwife" in r.stderr and "stunting_u5" not in r.stderr
    assert set(_csv(r.stdout)["indicator"]) == {"stunting_u5"}


def test_without_a_split_one_line_on_stderr_and_the_totals(monkeypatch):
    r = invoke(monkeypatch, FakeDataset(), ["indicators", "--by", "sex", "--indicator", "stunting_u5"])
    assert r.exit_code == 0
    assert r.stderr.strip().splitlines() == ["btchild: Số liệu không chia theo giới tính: bảng là tổng số (sex = Tổng số)"]
    t = _csv(r.stdout)
    assert t["sex"].tolist() == ["Tổng số"] and t["value"].tolist() == [pytest.approx(10.0)]
    r = invoke(monkeypatch, FakeDataset(), ["indicators", "--by", "sex", "--lang", "en", "--format", "table"])
    assert r.exit_code == 0 and "Traceback" not in r.stdout + r.stderr
    assert "The data are not split by sex" in r.stderr and "Total" in r.stdout


def test_an_unknown_split_is_a_one_line_usage_error(monkeypatch):
    r = invoke(monkeypatch, FakeDataset(), ["indicators", "--by", "age"])
    assert r.exit_code == 2 and "Traceback" not in r.stderr
    assert [ln for ln in r.stderr.splitlines() if ln.strip()][0].startswith("btchild: ")


def by_sex_targets() -> pd.DataFrame:
    """One commune, stunting by sex: 2015 boys 22/100, girls 23/100; 2020 boys 21/100, girls 19/100.

    Targets (all children): 2015 < 22,5% → boys achieved, girls not; 2020 ≤ 20% → boys not, girls achieved.
    """
    return pd.DataFrame(_rows(A, "2015", "male", 100, 22) + _rows(A, "2015", "female", 100, 23)
                        + _rows(A, "2020", "male", 100, 21) + _rows(A, "2020", "female", 100, 19))


def test_targets_by_sex_each_sex_against_the_same_targets(monkeypatch):
    r = invoke(monkeypatch, FakeDataset(by_sex=by_sex_targets()), ["targets", "--by", "sex"])
    assert r.exit_code == 0, r.stderr
    t = _csv(r.stdout)
    assert list(t.columns[t.columns.get_loc("indicator"):][:2]) == ["indicator", "sex"]
    s = t[t["indicator"] == "stunting_u5"]
    got = {(sex, int(y)): st for sex, y, st in zip(s["sex"], s["target_year"], s["status"])}
    assert got == {("Nam", 2015): "achieved", ("Nữ", 2015): "not_achieved",
                   ("Nam", 2020): "not_achieved", ("Nữ", 2020): "achieved"}
    assert set(s["target"]) == {22.5, 20.0}


def test_targets_by_sex_without_a_split_gives_the_totals(monkeypatch):
    r = invoke(monkeypatch, FakeDataset(), ["targets", "--by", "sex", "--lang", "en"])
    assert r.exit_code == 0 and "not split by sex" in r.stderr
    assert set(_csv(r.stdout)["sex"]) == {"Total"}


# ----------------------------------------------------------------------------- the gap table

def test_gap_table_numbers_by_hand():
    rows = sex_figures.latest_rows(sex_gap(sex_figures.area_values(by_sex_2024(), ["stunting_u5"])), "2024")
    # Chợ Lách has no girls' figure: no gap row for it
    assert rows[["level", "unit_code"]].values.tolist() == [["province", "83"], ["district", "831"]]
    t = sex_figures.gap_table(rows, "vi")
    assert list(t.columns) == ["Chỉ tiêu", "Đơn vị", "Kỳ", "Nam", "Nữ", "Chênh lệch (nam − nữ)", "Số xã báo cáo"]
    assert t["Nam"].tolist() == [10.0, 10.0]
    assert t["Nữ"].tolist() == [6.5, 6.5]
    assert t["Chênh lệch (nam − nữ)"].tolist() == [3.5, 3.5]
    assert t["Số xã báo cáo"].tolist() == [2, 2]
    en = sex_figures.gap_table(rows, "en")
    assert {"Male", "Female", "Gap (male − female)"} <= set(en.columns)


def _gap(period, level="province", code="83", male=10.0, female=8.0, ind="stunting_u5"):
    return {"level": level, "unit_code": code, "unit_name": f"U{code}", "period": period, "indicator": ind,
            "male": male, "female": female, "gap": male - female, "ratio": female / male, "communes_reporting": 5}


def test_latest_rows_takes_each_indicators_latest_period_up_to_the_report():
    gap = pd.DataFrame([_gap("2023", male=20.0), _gap("2024H1", male=12.0), _gap("2024", male=11.0),
                        _gap("2025", male=9.0), _gap("2023", ind="kindergarten_enrolment", male=95.0, female=96.0),
                        _gap("2024H1", level="district", code="831", male=14.0),
                        _gap("2024H1", level="district", code="832", male=13.0),
                        _gap("2024H1", level="commune", code=A, male=30.0)])
    h1 = sex_figures.latest_rows(gap, "2024H1")
    got = list(zip(h1["indicator"], h1["unit_code"], h1["period"], h1["male"]))
    assert got == [("stunting_u5", "83", "2024H1", 12.0), ("stunting_u5", "831", "2024H1", 14.0),
                   ("stunting_u5", "832", "2024H1", 13.0), ("kindergarten_enrolment", "83", "2023", 95.0)]
    year = sex_figures.latest_rows(gap, "2024", unit_code="832")
    assert list(zip(year["unit_code"], year["period"])) == [("83", "2024"), ("83", "2023")]
    assert sex_figures.latest_rows(gap, "2022").empty


# ----------------------------------------------------------------------------- the chart and the page

def test_gap_chart_draws_the_gap_as_bars_writes_both_values_and_says_so_in_its_alt_text():
    rows = sex_figures.latest_rows(pd.DataFrame([_gap("2024", male=10.0, female=6.5),
                                                 _gap("2024", ind="underweight_u5", male=5.0, female=5.5),
                                                 _gap("2023", ind="nursery_enrolment", male=20.0, female=20.04)]), "2024")
    fig = sex_figures.gap_chart(rows, lang="vi", synthetic=True, report_period="2024")
    try:
        ax = fig.axes[0]
        bars = ax.patches[:3]  # first indicator at the top: nursery at y 0, underweight at y 1, stunting at y 2
        assert [round(b.get_width(), 6) for b in bars] == [-0.04, -0.5, 3.5]
        assert [b.get_facecolor()[:3] for b in bars] == [to_rgb(c) for c in (
            sex_figures.EVEN_COLOUR, sex_figures.FEMALE_COLOUR, sex_figures.MALE_COLOUR)]
        assert [t.get_text() for t in ax.get_yticklabels()][0].endswith("(2023)")  # not the report's period
        texts = {t.get_text() for t in ax.texts}
        assert {"+3,5", "−0,5", "Nam 10,0 · Nữ 6,5", "Nam 5,0 · Nữ 5,5"} <= texts
        assert "điểm %" in ax.get_xlabel()
        assert "+3,5" in fig.btchild_alt and "thấp còi" in fig.btchild_alt
        assert any("mô phỏng" in n.lower() for n in fig.btchild_notices)
    finally:
        plt.close(fig)


def _shown(monkeypatch):
    import IPython.display

    out = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: out.extend(a))
    monkeypatch.setattr("btchild_analysis.sections.display", lambda *a, **k: out.extend(a))
    return out


def test_page_without_a_split_shows_the_one_sentence_and_nothing_else(monkeypatch):
    out = _shown(monkeypatch)
    sex_figures.show_gap(FakeDataset(), "2024", None, "vi")
    assert [o.data for o in out] == ["## Trẻ em trai và trẻ em gái", "*Số liệu không chia theo giới tính*"]
    out.clear()
    sex_figures.show_gap(FakeDataset(), "2024", None, "en")
    assert out[-1].data == "*The data are not split by sex*" and len(out) == 2


def test_page_with_a_split_shows_table_download_and_chart(monkeypatch, tmp_path):
    out = _shown(monkeypatch)
    sex_figures.show_gap(FakeDataset(by_sex=by_sex_2024()), "2024", "831", "vi", str(tmp_path), "r")
    kinds = [type(o).__name__ for o in out]
    assert "Styler" in kinds and kinds.count("dict") == 1  # the table and the chart (a PNG)
    csv = pd.read_csv(tmp_path / "r_nam_nu.csv")
    assert csv["Chênh lệch (nam − nữ)"].tolist() == [3.5, 3.5]
    assert any("tổng số trừ số nữ" in getattr(o, "data", "") for o in out)  # B's boys were derived (total − girls)


def test_a_split_other_than_sex_is_refused():
    assert sex_figures.check_by(None) is None and sex_figures.check_by("") is None
    assert sex_figures.check_by("sex") == "sex"
    with pytest.raises(sex_figures.SplitError, match="age.*'sex'"):
        sex_figures.check_by("age")


def test_a_run_spec_may_set_by_for_the_trends_and_periodic_reports_only():
    from btchild_analysis import runspec
    from btchild_analysis.errors import RunSpecError

    runs = [{"name": "t", "notebook": "02_indicator_trends.ipynb", "params": {"by": "sex"}},
            {"name": "r", "notebook": "03_plan_progress_report.ipynb"}]
    jobs = runspec.expand({"defaults": {"by": "sex", "period": "2024"}, "runs": runs})
    assert [j.params.get("by") for j in jobs] == ["sex", "sex"]
    jobs = runspec.expand({"defaults": {"by": "sex"}, "runs": runs + [{"name": "s", "notebook": "01_child_friendly_status.ipynb"}]})
    assert [j.params.get("by") for j in jobs] == ["sex", "sex", None]  # 01 has no `by`: the default skips it
    with pytest.raises(RunSpecError, match="no parameter 'by'"):
        runspec.expand({"runs": [{"name": "s", "notebook": "01_child_friendly_status.ipynb", "params": {"by": "sex"}}]})


def test_indicators_by_sex_on_a_data_folder_with_a_sex_column(tmp_path):
    """End to end through the loader: A gives total 180/18, boys 100/12, girls 80/6 (2024).

    By hand: boys 12/100 = 12.0%, girls 6/80 = 7.5%; the totals (no --by) 18/180 = 10.0%.
    """
    rows = ["commune_code,period,element,sex,value",
            f"{A},2024,u5_measured,Tổng số,180", f"{A},2024,u5_measured,Nam,100", f"{A},2024,u5_measured,Nữ,80",
            f"{A},2024,u5_stunted,,18", f"{A},2024,u5_stunted,Nam,12", f"{A},2024,u5_stunted,Nữ,6"]
    (tmp_path / "so_lieu.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    run = lambda *extra: CliRunner().invoke(app, ["indicators", str(tmp_path), "--indicator", "stunting_u5", *extra],
                                            catch_exceptions=False)
    r = run("--by", "sex")
    assert r.exit_code == 0, r.stderr
    t = _csv(r.stdout)
    assert "synthetic" not in t.columns  # a folder without a descriptor is real data
    assert dict(zip(t["sex"], t["value"])) == {"Nam": pytest.approx(12.0), "Nữ": pytest.approx(7.5)}
    r = run()
    assert _csv(r.stdout)["value"].tolist() == [pytest.approx(10.0)] and "sex" not in _csv(r.stdout).columns


def test_page_with_parts_but_no_indicator_for_the_period_says_so(monkeypatch):
    out = _shown(monkeypatch)
    only_measured = by_sex_2024()
    only_measured = only_measured[only_measured["element"] == "u5_measured"]  # no numerator: no indicator
    sex_figures.show_gap(FakeDataset(by_sex=only_measured), "2024", None, "vi")
    assert [o.data for o in out] == ["## Trẻ em trai và trẻ em gái", "*Chưa có số liệu chia theo giới tính đến năm 2024*"]
    out.clear()
    sex_figures.show_gap(FakeDataset(by_sex=by_sex_2024()), "2023", None, "en")  # parts only for 2024
    assert out[-1].data == "*No figures by sex up to 2023*"


# ----------------------------------------------------------------------------- pages a reader can take in

def _latest():
    """Province: stunting 10 − 8 = +2.0, underweight (2023 only) 5.0 − 5.5 = −0.5.
    Districts: U831 stunting 14 − 8 = +6.0, underweight 6 − 5 = +1.0; U832 stunting 7 − 8 = −1.0, no underweight."""
    return sex_figures.latest_rows(pd.DataFrame([
        _gap("2024", male=10.0, female=8.0), _gap("2023", ind="underweight_u5", male=5.0, female=5.5),
        _gap("2024", level="district", code="831", male=14.0, female=8.0),
        _gap("2023", level="district", code="831", ind="underweight_u5", male=6.0, female=5.0),
        _gap("2024", level="district", code="832", male=7.0, female=8.0)]), "2024")


def test_province_table_is_one_row_per_indicator():
    t = sex_figures.unit_table(_latest(), None, "vi")
    assert list(t.columns) == ["Chỉ tiêu", "Kỳ", "Nam", "Nữ", "Chênh lệch (nam − nữ)", "Số xã báo cáo"]
    assert len(t) == 2 and t["Kỳ"].tolist() == ["2024", "2023"]
    assert t["Chênh lệch (nam − nữ)"].tolist() == [2.0, -0.5] and t["Nam"].tolist() == [10.0, 5.0]


def test_district_table_is_its_own_rows_with_the_provinces_gap_beside():
    t = sex_figures.unit_table(_latest(), "831", "en")
    assert list(t.columns) == ["Indicator", "Period", "Male", "Female", "Gap (male − female)", "Province's gap",
                               "Communes reporting"]
    assert t["Gap (male − female)"].tolist() == [6.0, 1.0] and t["Province's gap"].tolist() == [2.0, -0.5]
    # a district with no figures by sex: the province's rows
    assert sex_figures.unit_table(_latest(), "833", "en")["Gap (male − female)"].tolist() == [2.0, -0.5]


def test_gap_matrix_districts_by_indicators_with_short_names():
    m = sex_figures.gap_matrix(_latest(), "vi", "2024")
    assert list(m.columns) == ["Thấp còi <5t", "Nhẹ cân <5t (2023)"]  # the period where it is not the report's
    assert list(m.index) == ["U831", "U832"] and m.index.name == "Huyện"
    assert m.loc["U831"].tolist() == [6.0, 1.0]
    assert m.loc["U832", "Thấp còi <5t"] == -1.0 and np.isnan(m.loc["U832", "Nhẹ cân <5t (2023)"])
    html = sex_figures.matrix_styler(m, "vi").to_html()
    assert "+6,0" in html and "−1,0" in html and "#d6e9f5" in html and "#fbe5bf" in html
    assert sex_figures.gap_matrix(sex_figures.latest_rows(pd.DataFrame([_gap("2024")]), "2024")).empty


def test_a_gap_rounding_to_zero_is_written_without_a_sign():
    rows = sex_figures.latest_rows(pd.DataFrame([_gap("2024"), _gap("2024", level="district", code="831",
                                                                    male=8.04, female=8.08)]), "2024")
    m = sex_figures.gap_matrix(rows, "vi")
    assert str(m.iloc[0, 0]) == "0.0"  # −0.04 rounds to 0.0, not −0.0
    assert "−0,0" not in sex_figures.matrix_styler(m, "vi").to_html()


def _yearly():
    """Province stunting: 2022 12 − 10 = +2, 2023H1 (left out), 2023 11 − 10 = +1, 2024 9 − 10 = −1;
    underweight 2023 6 − 4 = +2 (girls missing in 2024: left out); district 831 2024 20 − 10 = +10."""
    return pd.DataFrame([_gap("2022", male=12.0, female=10.0), _gap("2023H1", male=30.0, female=10.0),
                         _gap("2023", male=11.0, female=10.0), _gap("2024", male=9.0, female=10.0),
                         _gap("2023", ind="underweight_u5", male=6.0, female=4.0),
                         {**_gap("2024", ind="underweight_u5", male=6.0), "female": np.nan},
                         _gap("2024", level="district", code="831", male=20.0, female=10.0)])


def test_gap_series_annual_figures_of_one_unit():
    s = sex_figures.gap_series(_yearly(), ["underweight_u5", "stunting_u5"])
    assert list(zip(s["indicator"], s["year"], s["gap"])) == [
        ("underweight_u5", 2023, 2.0), ("stunting_u5", 2022, 2.0), ("stunting_u5", 2023, 1.0), ("stunting_u5", 2024, -1.0)]
    s = sex_figures.gap_series(_yearly(), ["stunting_u5"], start=2023, end=2023)
    assert s[["year", "male", "female"]].values.tolist() == [[2023, 11.0, 10.0]]
    d = sex_figures.gap_series(_yearly(), None, unit_code="831")
    assert d[["indicator", "year", "gap"]].values.tolist() == [["stunting_u5", 2024, 10.0]]
    assert sex_figures.gap_series(_yearly().iloc[0:0]).empty


def test_gap_over_time_never_joins_years_across_a_series_break():
    # special circumstances: a new definition from 2017 (Law on Children 2016)
    s = pd.DataFrame({"indicator": "special_circumstances", "year": [2015, 2016, 2017, 2018], "male": 5.0,
                      "female": [4.0, 4.5, 5.5, 5.0]}).assign(gap=lambda t: t["male"] - t["female"])
    segs = sex_figures.gap_segments(s)
    assert [p["year"].tolist() for _, p in segs] == [[2015, 2016], [2017, 2018]]
    fig = sex_figures.gap_trend_chart(s, "Tỉnh Bến Tre", "vi")
    ax = fig.axes[0]
    lines = [ln for ln in ax.get_lines() if ln.get_gid() == "gap-special_circumstances"]
    assert [list(ln.get_xdata()) for ln in lines] == [[2015, 2016], [2017, 2018]]
    assert [ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_gid() == "series-break"] == [2016.5]
    assert any("2017" in t.get_text() for t in fig.texts)


def test_gap_over_time_chart_labels_each_line_with_its_last_gap():
    s = sex_figures.gap_series(_yearly(), ["stunting_u5", "underweight_u5"])
    fig = sex_figures.gap_trend_chart(s, "Tỉnh Bến Tre", "vi", synthetic=True)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "line-label"]
    assert labels == ["Thấp còi <5t −1,0", "Nhẹ cân <5t +2,0"]
    assert [list(ln.get_ydata()) for ln in ax.get_lines() if ln.get_gid() == "gap-stunting_u5"] == [[2.0, 1.0, -1.0]]
    assert "2022–2024" in fig.btchild_alt and "Thấp còi <5t −1,0" in fig.btchild_alt


def test_province_page_shows_a_row_per_indicator_the_matrix_the_chart_and_the_long_csv(monkeypatch, tmp_path):
    out = _shown(monkeypatch)
    sex_figures.show_gap(FakeDataset(by_sex=by_sex_2024()), "2024", None, "vi", str(tmp_path), "r")
    kinds = [type(o).__name__ for o in out]
    assert kinds.count("Styler") == 2 and kinds.count("dict") == 1  # the province's table, the matrix; the chart
    tables = [o for o in out if type(o).__name__ == "Styler"]
    assert len(tables[0].data) == 1  # one indicator by sex in the data: one row
    assert tables[1].data.iloc[:, 0].tolist() == ["Huyện Châu Thành"]  # Chợ Lách has no girls' figure
    csv = pd.read_csv(tmp_path / "r_nam_nu.csv")
    assert csv["Đơn vị"].tolist() == ["Tỉnh Bến Tre", "Huyện Châu Thành"]  # the long table: every unit


def by_sex_two_years() -> pd.DataFrame:
    """Stunting in A: 2023 boys 10/100, girls 5/100 (+5.0); 2024 boys 12/100, girls 6/80 (12 − 7.5 = +4.5)."""
    return pd.DataFrame(_rows(A, "2023", "male", 100, 10) + _rows(A, "2023", "female", 100, 5)
                        + _rows(A, "2024", "male", 100, 12) + _rows(A, "2024", "female", 80, 6))


def test_trends_page_shows_the_gap_over_time_and_its_csv(monkeypatch, tmp_path):
    out = _shown(monkeypatch)
    sex_figures.show_gap_trend(FakeDataset(by_sex=by_sex_two_years()), "2024", 2013, None, "vi", str(tmp_path), "t",
                               which=["stunting_u5", "child_friendly_commune"])
    assert [type(o).__name__ for o in out].count("dict") == 1
    csv = pd.read_csv(tmp_path / "t_nam_nu_qua_cac_nam.csv")
    assert csv["Năm"].tolist() == [2023, 2024] and csv["Chênh lệch (nam − nữ)"].tolist() == [5.0, 4.5]
    out.clear()
    sex_figures.show_gap_trend(FakeDataset(by_sex=by_sex_2024()), "2024", 2013, None, "en", str(tmp_path), "t")
    assert out[-1].data.startswith("*The indicators of this report have no figures by sex for at least two years")
    out.clear()
    sex_figures.show_gap_trend(FakeDataset(), "2024", 2013, None, "vi")
    assert [o.data for o in out] == ["## Trẻ em trai và trẻ em gái", "*Số liệu không chia theo giới tính*"]


def test_matrix_gaps_are_right_aligned_and_headers_do_not_break_inside_an_age_range():
    rows = sex_figures.latest_rows(pd.DataFrame([_gap("2024", ind="nursery_enrolment"),
                                                 _gap("2024", level="district", code="831", ind="nursery_enrolment")]), "2024")
    styler = sex_figures.matrix_styler(sex_figures.gap_matrix(rows, "vi"), "vi")
    html = styler.to_html()
    assert "Nhà trẻ 0–\u20602t" in html  # a word joiner after the dash
    assert list(styler.data.columns) == ["Huyện", "Nhà trẻ 0–\u20602t"]
    css = {m.group(1): m.group(2) for m in re.finditer(r"_row0_(col\d)\s*\{([^}]*)\}", html)}
    assert "text-align: right" in css["col1"] and "text-align: left" in css["col0"]  # the gap right, the district left

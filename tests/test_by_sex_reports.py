"""Figures by sex on the reporting side: ``--by sex`` on the command line, the gap table, the chart,
and the one sentence when the data are not split (issue 14).

Every expected number is worked by hand from the small tables below.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
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

"""Charts: series breaks marked and never crossed by a line, completeness in time order and in
percentages, Vietnamese number conventions, alt text in the page language."""
import numpy as np
import pandas as pd
import pytest

from btchild_analysis import indicators as I
from btchild_analysis import plots
from btchild_analysis.figure_text import num, op_text, period_label
from btchild_analysis.periods import period_order


@pytest.fixture(scope="module")
def province(dataset):
    v = I.compute_all(dataset.all_elements(), which=["child_friendly_commune", "special_circumstances", "stunting_u5"])
    return v[v["level"] == "province"]


def data_lines(ax):
    return [ln for ln in ax.lines if (ln.get_gid() or "").startswith("segment-")]


def test_trend_chart_breaks_2014_and_2019_for_the_standard(province):
    fig = plots.trend_chart(province, "child_friendly_commune", lang="en")
    ax = fig.axes[0]
    breaks = [ln.get_xdata()[0] for ln in ax.lines if ln.get_gid() == "series-break"]
    assert breaks == [2013.5, 2018.5]
    spans = [(min(ln.get_xdata()), max(ln.get_xdata())) for ln in data_lines(ax)]
    assert spans == [(2012, 2013), (2014, 2018), (2019, 2024)]  # no line crosses a break
    proj = next(ln for ln in ax.lines if ln.get_gid() == "projection")
    assert min(proj.get_xdata()) == 2019  # the trend is fitted on the last segment only
    assert "Series break 2014" in [t.get_text() for t in ax.texts]
    assert fig.btchild_alt.endswith("The series breaks in 2014, 2019.")


def test_trend_chart_break_2017_for_special_circumstances(province):
    fig = plots.trend_chart(province, "special_circumstances", lang="vi")
    ax = fig.axes[0]
    assert [ln.get_xdata()[0] for ln in ax.lines if ln.get_gid() == "series-break"] == [2016.5]
    assert [(min(ln.get_xdata()), max(ln.get_xdata())) for ln in data_lines(ax)] == [(2012, 2016), (2017, 2024)]
    assert any("không so sánh được" in n for n in fig.btchild_notices)


def test_trend_chart_without_breaks_is_one_line(province):
    fig = plots.trend_chart(province, "stunting_u5", lang="vi")
    ax = fig.axes[0]
    assert len(data_lines(ax)) == 1 and not [ln for ln in ax.lines if ln.get_gid() == "series-break"]
    texts = [t.get_text() for t in ax.texts]
    assert "Mục tiêu 2015: < 22,5" in texts and "Mục tiêu 2020: ≤ 20" in texts
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ticks and not any("." in t for t in ticks)
    assert fig.btchild_alt.startswith("Biểu đồ Tỷ lệ suy dinh dưỡng") and "Chart" not in fig.btchild_alt


def test_completeness_in_time_order_and_percentages(dataset):
    fig = plots.completeness_chart(dataset.submission_dates, ["2020", "2015", "2015H1", "2020H1"], lang="en")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2015 H1", "2015", "2020 H1", "2020"]
    stacks = {}
    for p in ax.patches:
        stacks[round(p.get_x(), 3)] = stacks.get(round(p.get_x(), 3), 0) + p.get_height()
    assert list(stacks.values()) == pytest.approx([100, 100, 100, 100])
    # the on-time share of 2020, counted by hand from the arrival log: before 1 November, of 157 due
    s = dataset.submission_dates
    arrived = pd.to_datetime(s.loc[s["period"].astype(str) == "2020", "submitted_on"], errors="coerce")
    t = fig.btchild_table.set_index("period")
    assert t.loc["2020", "expected"] == 157
    assert t.loc["2020", "on_time"] <= 100 * (arrived < "2020-11-01").sum() / 157 + 1e-9
    on_time = [p for p in ax.patches if p.get_gid() == "on_time"]
    assert on_time[3].get_height() == pytest.approx(t.loc["2020", "on_time"])
    vi = plots.completeness_chart(dataset.submission_dates, ["2015H1"], lang="vi")
    assert vi.axes[0].get_xticklabels()[0].get_text() == "6 tháng đầu 2015"
    assert vi.axes[0].get_ylabel() == "% số báo cáo phải nộp"


def test_vietnamese_number_conventions():
    assert num(79.6, "vi") == "79,6" and num(255206, "vi", 0) == "255.206" and num(255206.5, "en", 1) == "255,206.5"
    assert num(-0.04, "vi") == "0,0" and num(-1.25, "vi", 2) == "−1,25" and num(np.nan, "vi") == "–"
    assert op_text(">=", "vi") == "≥" and op_text("<=", "en") == "≤"
    assert sorted(["2016", "2015", "2016H1", "2015H1"], key=period_order) == ["2015H1", "2015", "2016H1", "2016"]
    assert period_label("2024H1", "vi") == "6 tháng đầu 2024"


def test_district_comparison_in_vietnamese(dataset):
    v = I.compute_all(dataset.all_elements(), which=["stunting_u5"])
    fig = plots.district_comparison(v, "stunting_u5", "2020", lang="vi")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    p = v[(v["level"] == "province") & (v["period"] == "2020")]["value"].iloc[0]
    assert f"Tỉnh Bến Tre: {p:.1f}".replace(".", ",") in legend and "Mục tiêu 2020: ≤ 20" in legend
    assert fig.btchild_alt.startswith("Biểu đồ")

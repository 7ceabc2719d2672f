"""Small multiples laid out from measured text sizes (``style.fit_grid``) instead of ``tight_layout``.

The reference is matplotlib's own ``tight_layout`` on the same figure (an independent computation of
the same margins): the panels must stand where it puts them to within a few points, and, drawn at the
pages' resolution, no text may leave the canvas or touch another panel's texts or the notices.
"""
from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pytest

from btchild_analysis import anthro_quality as aq
from btchild_analysis import anthropometry as an
from btchild_analysis import indicators, plots, sections, style
from btchild_analysis.catalog import indicator, plan_indicators

PAGE_DPI = 200  # sections._png draws at twice the figures' 100 dpi


@pytest.fixture(scope="module")
def plan_values(dataset):
    values = indicators.compute(dataset.all_elements(), "province", which=plan_indicators())
    return sections.annual_values(values, "2024")


@pytest.fixture(scope="module")
def scored(dataset):
    loaded = an.read_measurements(dataset.parts["measurements"])
    return an.score(loaded.records[loaded.records["period"] == "2024"])


def _makers(plan_values, scored):
    return {
        "trend_grid": lambda lang: plots.trend_grid(plan_values, plan_indicators(), lang=lang, synthetic=True),
        "z_distributions": lambda lang: aq.plot_z_distributions(scored, lang, True),
        "digits_and_ages": lambda lang: aq.plot_digits_and_ages(scored, lang, True),
    }


def _params(fig) -> np.ndarray:
    """Subplot margins and gaps in inches: left, right, bottom, top margins; gap across, gap down."""
    w, h = fig.get_size_inches()
    p = fig.subplotpars
    return np.array([p.left * w, (1 - p.right) * w, p.bottom * h, (1 - p.top) * h, p.wspace, p.hspace])


def _tight_reference(fig, foot: float) -> np.ndarray:
    fig.set_dpi(PAGE_DPI)  # measured as the page draws it
    fig.tight_layout(rect=(0, foot, 1, 1))
    return _params(fig)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("name,foot", [("trend_grid", 0.05), ("z_distributions", 0.06), ("digits_and_ages", 0.06)])
def test_panels_stand_where_tight_layout_puts_them(plan_values, scored, name, foot, lang):
    make = _makers(plan_values, scored)[name]
    fig = make(lang)
    got = _params(fig)
    expected = _tight_reference(make(lang), foot)
    # margins within 3 points; gaps (shares of a panel) within 0.03
    assert np.abs(got[:4] - expected[:4]).max() < 3 / 72, (got, expected)
    assert np.abs(got[4:] - expected[4:]).max() < 0.03, (got, expected)


def _text_boxes(fig):
    """(owner, kind, box) of every visible, non-empty text as the page draws it; owner is the panel's
    index (None for the figure's own texts: suptitle, notices)."""
    fig.set_dpi(PAGE_DPI)
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    out = []
    for i, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        drawn = ax.xaxis._update_ticks() + ax.yaxis._update_ticks()  # the ticks within the view, as drawn
        texts = [("title", ax.title)] + [("tick", t.label1) for t in drawn]
        texts += [("label", ax.xaxis.label), ("label", ax.yaxis.label)] + [("text", t) for t in ax.texts]
        out += [(i, kind, t.get_window_extent(r)) for kind, t in texts if t.get_visible() and t.get_text()]
    out += [(None, "figure", t.get_window_extent(r)) for t in fig.texts if t.get_visible() and t.get_text()]
    return out


def _overlap(a, b, slack: float = 0.5) -> bool:
    return a.x0 < b.x1 - slack and b.x0 < a.x1 - slack and a.y0 < b.y1 - slack and b.y0 < a.y1 - slack


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("name", ["trend_grid", "z_distributions", "digits_and_ages"])
def test_no_text_leaves_the_canvas_or_touches_another_panel(plan_values, scored, name, lang):
    fig = _makers(plan_values, scored)[name](lang)
    boxes = _text_boxes(fig)
    assert boxes
    w, h = fig.bbox.width, fig.bbox.height
    for owner, kind, b in boxes:
        assert b.x0 >= 0 and b.y0 >= 0 and b.x1 <= w and b.y1 <= h, (name, owner, kind, b)
    r = fig.canvas.get_renderer()
    panels = [(i, ax.get_window_extent(r)) for i, ax in enumerate(fig.axes) if ax.get_visible()]
    for (o1, k1, b1), (o2, k2, b2) in itertools.combinations(boxes, 2):
        if o1 != o2:  # texts of different panels, or a panel's and the figure's
            assert not _overlap(b1, b2), (name, lang, o1, k1, o2, k2)
    for owner, kind, b in boxes:  # nor over another panel's plotting area (the notices over none)
        for i, area in panels:
            if owner != i and kind != "text":
                assert not _overlap(b, area), (name, lang, owner, kind, i)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_trend_grid_keeps_its_texts(plan_values, lang):
    fig = plots.trend_grid(plan_values, plan_indicators(), lang=lang, synthetic=True)
    titles = ["".join(ax.get_title().split()) for ax in fig.axes]  # wrapped at spaces and hyphens
    assert titles == ["".join(indicator(i).label(lang).split()) for i in plan_indicators()]
    assert fig.btchild_notices == [style.label("synthetic_notice", lang)]
    assert [t.get_text() for t in fig.texts] == [style.label("synthetic_notice", lang)]
    assert fig.btchild_alt == " ".join(style.label("alt_trend_grid", lang).format(n=12, drawn=12).split())


def test_a_panel_without_data_and_a_hidden_panel_take_the_layout_too(plan_values):
    ids = plan_indicators()[:5]
    values = plan_values[plan_values["indicator"] != ids[-1]]  # the last panel: "too few points"
    fig = plots.trend_grid(values, ids, lang="en", synthetic=True)  # 2 rows × 3, one panel hidden
    assert [ax.get_visible() for ax in fig.axes] == [True] * 5 + [False]
    assert fig.axes[4].texts[0].get_text() == style.label("too_few_points", "en")
    boxes = _text_boxes(fig)
    for (o1, _, b1), (o2, _, b2) in itertools.combinations(boxes, 2):
        assert o1 == o2 or not _overlap(b1, b2)


def test_fit_grid_reserves_room_for_what_it_measures():
    """A planted fault: long tick labels and titles need room that a fixed guess would not give."""
    fig, axes = plt.subplots(2, 2, figsize=(6, 4))
    for ax in axes.ravel():
        ax.plot([0, 1], [0, 1_000_000])
        ax.set_title("Một tiêu đề\nhai dòng", fontsize=9)
        ax.set_ylabel("Tỷ lệ (%)")
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{x:,.0f}"))
    style.fit_grid(fig, axes)
    got = _params(fig)
    expected = _tight_reference(fig, 0.0)
    assert np.abs(got[:4] - expected[:4]).max() < 3 / 72
    assert np.abs(got[4:] - expected[4:]).max() < 0.03


@pytest.mark.parametrize("text,size", [("100", 7), ("96,5", 7), ("Tỷ lệ trẻ em\nsuy dinh dưỡng", 8), ("MÔ PHỎNG", 7.5)])
def test_text_size_is_what_the_renderer_draws(text, size):
    fig = plt.figure(dpi=PAGE_DPI)
    t = fig.text(0.5, 0.5, text, fontsize=size)
    box = t.get_window_extent(fig.canvas.get_renderer())
    assert style.text_size(text, size) == pytest.approx((box.width * 72 / PAGE_DPI, box.height * 72 / PAGE_DPI))


def test_grid_layout_refuses_margins_without_room():
    fig, _ = plt.subplots(1, 2, figsize=(2, 2))
    with pytest.raises(ValueError, match="no room"):
        style.grid_layout(fig, 1, 2, left=1, right=1, top=0.1, bottom=0.1, wgap=0.1, hgap=0.1)

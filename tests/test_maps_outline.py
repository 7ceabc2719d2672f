"""Texts left out of a figure's outline (``in_layout=False``: commune labels and district names inside
their map, heatmap cell numbers) change nothing of the page: the outline (what the PNG is cut to) is
the one every text gives, and every such text lies inside its axes, as drawn for the page."""
from __future__ import annotations

import numpy as np
import pytest

from btchild_analysis import admin_units, maps, plots, sections
from btchild_analysis import boundaries as B

PAGE_DPI = 200


@pytest.fixture(scope="module")
def assessment(dataset):
    return dataset.assessment()


def _status(assessment, geo, district, lang):
    return maps.status_map(assessment, 2020, geo, district=district, lang=lang, synthetic=True)


def _heatmap(dataset, district, lang):
    return plots.criterion_heatmap(sections.in_area(dataset.scores, district, 2020), 2020, admin_units.units(2020),
                                   lang=lang, synthetic=True)


def _check(fig):
    fig.set_dpi(PAGE_DPI)
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    left_out = [(ax, t) for ax in fig.axes for t in ax.texts if not t.get_in_layout()]
    for ax, t in left_out:
        box, area = t.get_window_extent(r), ax.get_window_extent(r)
        assert area.x0 <= box.x0 and box.x1 <= area.x1 and area.y0 <= box.y0 and box.y1 <= area.y1, t.get_text()
    outline = fig.get_tightbbox(r).bounds
    for _, t in left_out:
        t.set_in_layout(True)
    assert np.allclose(fig.get_tightbbox(r).bounds, outline)
    return len(left_out)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("district", [None, "831"])
def test_map_labels_left_out_of_the_outline_lie_inside_the_map(assessment, district, lang):
    fig = _status(assessment, B.schematic(2020), district, lang)
    labels = [t for t in fig.axes[0].texts if t.get_gid() == "commune-label"]
    assert _check(fig) >= 0.8 * len(labels) > 0  # most labels are inside; any near an edge still counts


def test_map_labels_on_real_boundaries(assessment, boundary_file):
    fig = _status(assessment, B.get_geometry(boundary_file, 2013), None, "vi")
    assert _check(fig) > 100


def test_a_label_at_the_edge_stays_in_the_outline(assessment):
    """A planted case: a label pushed past the map's edge is measured for the outline."""
    fig = _status(assessment, B.schematic(2020), "831", "en")
    ax = fig.axes[0]
    label = next(t for t in ax.texts if t.get_gid() == "commune-label")
    x0, x1 = ax.get_xlim()
    label.set_x(x1 + 0.02 * (x1 - x0))
    fig.canvas.draw()
    from btchild_analysis import map_parts

    fig.set_dpi(PAGE_DPI)
    fig.canvas.draw()
    box = label.get_window_extent(fig.canvas.get_renderer())
    assert not map_parts._inside(ax)([box.x0, box.y0, box.x1, box.y1])


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("district", [None, "831"])
def test_heatmap_cell_numbers_left_out_of_the_outline_lie_inside(dataset, district, lang):
    fig = _heatmap(dataset, district, lang)
    assert _check(fig) > 20

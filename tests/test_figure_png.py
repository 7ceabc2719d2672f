"""Figures on a page: drawn once and cut to their content, as matplotlib's ``bbox_inches="tight"`` does.

The reference is matplotlib's own ``savefig(bbox_inches="tight")`` at the same resolution (an
independent implementation of the same cut): the page's PNG must have its size to the pixel and the
same picture (only anti-aliasing of edges may differ, from a sub-pixel shift).
"""
from __future__ import annotations

from io import BytesIO

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from btchild_analysis import sections  # noqa: E402


def _rgb(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(BytesIO(png)).convert("RGB")).astype(int)


def _reference(fig) -> np.ndarray:
    """matplotlib's tight cut at twice the resolution, reduced to the same 256-colour palette."""
    buf, out = BytesIO(), BytesIO()
    fig.savefig(buf, format="png", dpi=2 * fig.dpi, bbox_inches="tight")
    buf.seek(0)
    Image.open(buf).convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(out, "PNG")
    return _rgb(out.getvalue())


def _chart(**kw):
    fig, ax = plt.subplots(figsize=(4, 3), dpi=100, **kw)
    ax.plot([0, 1, 2], [0, 2, 1], color="#CC3311", lw=3)
    ax.set_title("Tỷ lệ xã đạt chuẩn / Share of communes")
    ax.set_ylabel("%")
    return fig


def _label_past_the_edge(size: float):
    """A chart whose long y tick label (``size`` points) reaches left of the figure's edge."""
    fig = _chart()
    fig.axes[0].set_yticks([0, 1, 2], ["0", "1", "Thị trấn Ba Tri, huyện Ba Tri"], fontsize=size)
    return fig


def test_what_the_package_cuts_and_what_it_leaves_to_matplotlib():
    assert sections._draw_cropped(_chart(), 200) is not None
    assert sections._draw_cropped(_label_past_the_edge(7), 200) is not None
    assert sections._draw_cropped(_label_past_the_edge(24), 200) is None
    assert sections._draw_cropped(_chart(layout="constrained"), 200) is None
    assert sections._draw_cropped(_laid_out_once(), 200) is not None  # tight_layout() done: nothing to redo
    plt.close("all")


def _laid_out_once():
    fig = _chart()
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


@pytest.mark.parametrize("make", [
    _chart,                                   # content inside the figure
    lambda: _label_past_the_edge(7),         # reaches ~1.1 in past the edge, within the margin drawn
    lambda: _label_past_the_edge(24),        # ~4 in past the edge, beyond the margin: matplotlib cuts it
    lambda: _chart(layout="constrained"),     # a layout engine: matplotlib crops it
    _laid_out_once,                           # fig.tight_layout() called once when the figure was made
], ids=["inside", "past_edge", "beyond_margin", "constrained", "tight_layout_once"])
def test_png_is_the_tight_figure_at_twice_the_resolution(make):
    expected = _reference(make())
    fig = make()
    got = _rgb(sections._png(fig))
    plt.close("all")
    assert got.shape == expected.shape
    # the same picture to within a pixel (the cut may fall a fraction of a pixel elsewhere: edges of
    # text and lines are then anti-aliased a little differently, nothing moves)
    nearest = np.min([np.abs(np.roll(got, (dy, dx), axis=(0, 1)) - expected).max(axis=2)
                      for dy in (-1, 0, 1) for dx in (-1, 0, 1)], axis=0)[1:-1, 1:-1]
    assert (nearest > 100).mean() < 0.001
    assert (nearest > 60).mean() < 0.005
    # the picture itself: the red line's pixels in the same place (a shifted or missing line fails)
    red_got = (got[..., 0] > 150) & (got[..., 1] < 110) & (got[..., 2] < 110)
    red_exp = (expected[..., 0] > 150) & (expected[..., 1] < 110) & (expected[..., 2] < 110)
    assert red_exp.sum() > 500
    assert (red_got & red_exp).sum() > 0.75 * red_exp.sum()  # the line is ~8 px wide: a sub-pixel shift moves its edges
    # the 256-colour palette keeps it small
    assert Image.open(BytesIO(sections._png(make()))).mode == "P"
    plt.close("all")


def test_label_past_the_edge_is_kept_whole():
    """The tick label reaching left of the figure is on the page, whole: it starts right after the pad."""
    fig = _label_past_the_edge(7)
    assert sections._draw_cropped(fig, 2 * fig.dpi) is not None  # drawn once, cut by the package
    got = _rgb(sections._png(fig))
    plt.close(fig)
    dark_cols = np.flatnonzero((got.sum(axis=2) < 300).any(axis=0))
    # the text starts 0.1 in (pad) = 20 px from the left edge at 200 dpi, give or take a glyph's bearing
    assert 15 <= dark_cols[0] <= 30


def test_figure_is_left_as_it_was():
    fig = _chart()
    before = (fig.dpi, tuple(fig.get_size_inches()), fig.bbox.bounds, fig.axes[0].get_position().bounds)
    sections._png(fig)
    after = (fig.dpi, tuple(fig.get_size_inches()), fig.bbox.bounds, fig.axes[0].get_position().bounds)
    plt.close(fig)
    assert after == before

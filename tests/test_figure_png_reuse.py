"""Page PNGs drawn on a renderer kept from the previous figure of the same size (``sections._RENDERERS``).

A kept renderer must give exactly the picture a fresh one gives: nothing of the figure drawn before it,
and texts measured for what they say (matplotlib keeps text sizes per renderer).
"""
from __future__ import annotations

from io import BytesIO

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

from btchild_analysis import sections


def _rgb(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(BytesIO(png)).convert("RGB")).astype(int)


def _figure(colour: str, title: str, ticks: list[str]):
    fig, ax = plt.subplots(figsize=(4, 3), dpi=100)
    ax.fill_between([0, 1, 2], [0, 2, 1], color=colour)
    ax.set_title(title)
    ax.set_xticks([0, 1, 2], ticks)
    return fig


def _fresh_png(make) -> bytes:
    sections._RENDERERS.clear()
    fig = make()
    png = sections._png(fig)
    plt.close(fig)
    return png


def test_a_kept_renderer_draws_what_a_fresh_one_draws():
    first = lambda: _figure("#CC3311", "Trước / Before", ["0", "1", "2"])  # noqa: E731
    second = lambda: _figure("#4477AA", "Sau — một tiêu đề dài hơn / After", ["2015", "2020", "2025"])  # noqa: E731
    expected = _fresh_png(second)
    sections._RENDERERS.clear()
    fig = first()
    sections._png(fig)
    plt.close(fig)
    assert len(sections._RENDERERS) == 1  # kept for the next figure of this size
    kept = next(iter(sections._RENDERERS.values()))
    fig = second()
    got = sections._png(fig)
    plt.close(fig)
    assert next(iter(sections._RENDERERS.values())) is kept  # the second figure was drawn on it
    assert got == expected  # byte for byte: no red left from the first, the same cut, the same texts
    red = _rgb(got)
    assert not ((red[..., 0] > 150) & (red[..., 1] < 110) & (red[..., 2] < 110)).any()


def test_only_a_few_renderers_are_kept():
    sections._RENDERERS.clear()
    for size in (2, 3, 4, 5):
        fig, _ = plt.subplots(figsize=(size, 2))
        sections._png(fig)
        plt.close(fig)
    assert len(sections._RENDERERS) == sections.RENDERERS_KEPT
    widths = sorted(k[0] for k in sections._RENDERERS)
    assert widths == [round((s + 2 * sections.MARGIN_INCHES) * 200) for s in (4, 5)]  # the last ones


def test_a_renderer_drawing_is_not_lent_to_another_figure():
    """While a figure draws, its renderer is out of the keeping: a figure of the same size drawn meanwhile
    (another thread) gets a renderer of its own; both are given back after their pixels are copied."""
    sections._RENDERERS.clear()
    fig = _figure("#CC3311", "A", ["0", "1", "2"])
    sections._png(fig)
    key, kept = next(iter(sections._RENDERERS.items()))
    canvas = sections.FigureCanvasAgg(_figure("#4477AA", "B", ["0", "1", "2"]))
    canvas.figure.set_dpi(key[2])
    canvas.figure.set_size_inches(key[0] / key[2], key[1] / key[2])
    assert sections._take_renderer(canvas) == key and canvas.get_renderer() is kept
    assert key not in sections._RENDERERS  # lent out: the next figure of this size makes its own
    other = sections.FigureCanvasAgg(_figure("#4477AA", "C", ["0", "1", "2"]))
    other.figure.set_dpi(key[2])
    other.figure.set_size_inches(key[0] / key[2], key[1] / key[2])
    sections._take_renderer(other)
    assert other.get_renderer() is not kept
    sections._keep_renderer(key, kept)
    assert sections._RENDERERS[key] is kept
    plt.close("all")

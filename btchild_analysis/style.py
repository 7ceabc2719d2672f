"""Colours, the notices every figure carries, and fixed layouts of small multiples; labels re-exported
from :mod:`btchild_analysis.i18n`.

A fixed layout (:func:`grid_layout`) puts a grid of axes where ``fig.tight_layout()`` would, from the
sizes of the texts around them measured once with the font (:func:`text_size`, kept per process),
instead of laying the whole figure out (every tick and label measured) before it is drawn (issue 16).
"""
from __future__ import annotations

from functools import lru_cache

import matplotlib as mpl
import numpy as np
import matplotlib.pyplot as plt

from .i18n import LANGUAGES, check_lang, in_lang, label

__all__ = ["LANGUAGES", "check_lang", "in_lang", "label", "add_notices", "STATUS_COLOURS", "SEQ_CMAP", "DIV_CMAP", "NOTICE_KEY",
           "text_size", "tick_space", "title_height", "grid_layout", "tick_labels", "fit_grid", "PAD_FONTSIZES"]

#: Okabe–Ito colours (safe for the common colour-vision deficiencies).
STATUS_COLOURS = {"met": "#009E73", "not_met": "#E69F00", "insufficient_data": "#BBBBBB", "no_sheet": "#FFFFFF"}
SEQ_CMAP = "viridis"
DIV_CMAP = "PuOr"
NOTICE_KEY = "btchild_notices"


def add_notices(fig: plt.Figure, lang: str = "vi", synthetic: bool = False, schematic: bool = False,
                source: str | None = None, missing: list[str] | None = None) -> list[str]:
    """Write the synthetic-data, schematic and source notes at the foot of a figure.

    The texts are also kept in ``fig.btchild_notices`` so tests and reports can check them.
    """
    notes = []
    if synthetic:
        notes.append(label("synthetic_notice", lang))
    if schematic:
        notes.append(f"{label('schematic_notice', lang)} ({label('schematic_source', lang)})")
    elif source:
        notes.append(f"{label('boundary_source', lang)}: {source}")
    if missing:
        shown = ", ".join(missing[:12]) + (" …" if len(missing) > 12 else "")
        notes.append(f"{label('no_boundary', lang)} ({len(missing)}): {shown}")
    if notes:
        fig.text(0.01, 0.01, "\n".join(notes), fontsize=7.5, ha="left", va="bottom",
                 color="#B00020" if synthetic else "#333333")
    setattr(fig, NOTICE_KEY, notes)
    return notes


#: Resolution texts are measured at (the pages' figures are drawn at 2 × 100 dpi).
MEASURE_DPI = 200


@lru_cache(maxsize=1)
def _measuring_text():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1), dpi=MEASURE_DPI)
    FigureCanvasAgg(fig)
    return fig.text(0, 0, ""), fig.canvas.get_renderer()


@lru_cache(maxsize=4096)
def _measure(text: str, size: float, weight: str) -> tuple[float, float, float]:
    artist, renderer = _measuring_text()
    artist.set_text(text)
    artist.set_fontsize(size)
    artist.set_fontweight(weight)
    artist.set_verticalalignment("baseline")
    box = artist.get_window_extent(renderer)  # the artist stands at (0, 0): y0 is minus the last line's descent
    k = 72 / MEASURE_DPI
    return float(box.width) * k, float(box.height) * k, -float(box.y0) * k


def text_size(text: str, size: float, weight: str = "normal") -> tuple[float, float]:
    """Width and height in points of ``text`` (one or more lines) in the default font at ``size`` points.

    Measured as the Agg renderer lays the text out (at :data:`MEASURE_DPI`) and kept per process.

    >>> w1, h1 = text_size("100", 7); w2, h2 = text_size("100", 14)
    >>> 1.9 < w2 / w1 < 2.1, 1.9 < h2 / h1 < 2.1, text_size("a\\nb", 7)[1] > 1.9 * text_size("a", 7)[1]
    (True, True, True)
    """
    return _measure(str(text), float(size), str(weight))[:2]


def text_descent(text: str, size: float, weight: str = "normal") -> float:
    """Points of ``text`` below its (last) baseline, as :func:`text_size` measures it."""
    return _measure(str(text), float(size), str(weight))[2]


def tick_space(axis: str = "x") -> float:
    """Points between an axis line and its tick labels (major tick length plus pad, from rcParams)."""
    return float(mpl.rcParams[f"{axis}tick.major.size"]) + float(mpl.rcParams[f"{axis}tick.major.pad"])


def title_height(text: str, size: float) -> float:
    """Points an axes title of ``text`` at ``size`` reaches above its axes: its baseline stands the title
    pad above them, so its descent falls within the pad."""
    return float(mpl.rcParams["axes.titlepad"]) + text_size(text, size)[1] - text_descent(text, size)


def grid_layout(fig: plt.Figure, nrows: int, ncols: int, *, left: float, right: float, top: float, bottom: float,
                wgap: float, hgap: float) -> None:
    """Place a grid of subplots with margins and gaps given in inches (what ``tight_layout`` computes).

    ``left``/``right``/``top``/``bottom`` are the room between the figure's edges and the outer axes;
    ``wgap``/``hgap`` the room between neighbouring axes (matplotlib counts a gap as a share of the mean
    axes width, so it also holds for axes of unequal widths, ``width_ratios`` given to ``subplots``).
    """
    w, h = fig.get_size_inches()
    axes_w = (w - left - right - (ncols - 1) * wgap) / ncols
    axes_h = (h - top - bottom - (nrows - 1) * hgap) / nrows
    if axes_w <= 0 or axes_h <= 0:
        raise ValueError(f"a {w:g} × {h:g} in figure has no room for {nrows} × {ncols} axes with these margins")
    fig.subplots_adjust(left=left / w, right=1 - right / w, bottom=bottom / h, top=1 - top / h,
                        wspace=wgap / axes_w if ncols > 1 else 0.2, hspace=hgap / axes_h if nrows > 1 else 0.2)


#: Room around and between axes in tight_layout's unit: 1.08 × the font size.
PAD_FONTSIZES = 1.08


def tick_labels(axis) -> list[tuple[float, str]]:
    """The major tick labels ``axis`` will draw (ticks within its view, labels shown) as (share of the view
    from its low end, text), without laying the figure out."""
    if not axis.get_major_ticks(1)[0].label1.get_visible():
        return []
    lo, hi = sorted(axis.get_view_interval())
    span = (hi - lo) or 1.0
    locs = [x for x in axis.get_majorticklocs() if lo - 1e-9 * span <= x <= hi + 1e-9 * span]
    return [((x - lo) / span, t) for x, t in zip(locs, axis.major.formatter.format_ticks(locs)) if t]


def _label_room(axis) -> float:
    """Points an axis label (``set_xlabel``/``set_ylabel``) takes beyond the tick labels: across the axis."""
    text = axis.label.get_text()
    if not text or not axis.label.get_visible():
        return 0.0
    return text_size(text, axis.label.get_fontsize())[1] + float(mpl.rcParams["axes.labelpad"])


def fit_grid(fig: plt.Figure, axes: np.ndarray, foot: float = 0.0) -> None:
    """Lay a grid of panels out as ``fig.tight_layout(rect=(0, foot, 1, 1))`` does, from the sizes of
    their titles, tick labels and axis labels (and the figure's ``suptitle``) measured once with
    :func:`text_size`, instead of a layout pass over the whole figure (issue 16).

    Call it when the panels are drawn (their limits known).  Panels hidden with ``set_visible(False)``
    take no room; tick labels hidden by shared axes neither.  Ticks depend on the panels' size (a
    smaller panel gets fewer, shorter labels), so the layout is measured a second time at its place.
    """
    axes = np.asarray(axes, dtype=object).reshape(np.shape(axes) if np.ndim(axes) == 2 else (1, -1))
    for _ in range(2):
        _fit_grid_once(fig, axes, foot)


def _fit_grid_once(fig: plt.Figure, axes: np.ndarray, foot: float) -> None:
    nrows, ncols = axes.shape
    width, height = fig.get_size_inches()
    pt = 1 / 72
    pad = PAD_FONTSIZES * float(mpl.rcParams["font.size"]) * pt
    axes_width = width / ncols * 0.8  # near enough to say how far an end tick label reaches past its axes
    y_room, x_room, overhang, titles = [0.0, 0.0], 0.0, 0.0, 0.0  # y_room: first column, the others
    for k, ax in enumerate(axes.ravel()):
        if not ax.get_visible():
            continue
        ysize = ax.yaxis.get_major_ticks(1)[0].label1.get_fontsize()
        xsize = ax.xaxis.get_major_ticks(1)[0].label1.get_fontsize()
        widest = max((text_size(t, ysize)[0] for _, t in tick_labels(ax.yaxis)), default=0.0)
        room = (widest + tick_space("y") + _label_room(ax.yaxis)) * pt
        if not widest:  # no tick labels: the tick marks (the spine's extent) and the axis label
            room = (float(mpl.rcParams["ytick.major.size"]) + _label_room(ax.yaxis)) * pt
        y_room[k % ncols > 0] = max(y_room[k % ncols > 0], room)
        below = 0.0
        for at, t in tick_labels(ax.xaxis):
            w, h = text_size(t, xsize)
            below = max(below, h)
            overhang = max(overhang, w / 2 * pt - (1 - at) * axes_width)
        x_room = max(x_room, ((below + tick_space("x") if below else float(mpl.rcParams["xtick.major.size"]))
                              + _label_room(ax.xaxis)) * pt)
        if ax.get_title():
            titles = max(titles, title_height(ax.get_title(), ax.title.get_fontsize()) * pt)
    top = pad + titles
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text():  # tight_layout's room for it: its height and a pad
        top += text_size(sup.get_text(), sup.get_fontsize())[1] * pt + pad
    grid_layout(fig, nrows, ncols, left=pad + y_room[0], right=pad + overhang, top=top,
                bottom=foot * height + pad + x_room, wgap=pad + y_room[1] + overhang, hgap=pad + x_room + titles)

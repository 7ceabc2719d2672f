"""Parts every commune map shares: commune labels (numbers with a key, or short names), district
outlines without sliver fragments, and a scale bar.

At province scale each commune carries a number (communes numbered district by district in GSO order,
then by commune code) and :func:`key_table` gives number → commune, district.  At district scale the
communes carry short names.  Labels are placed so that none overlaps another: a label that does not
fit at its commune's inner point moves to the nearest free place with a thin leader line.
"""
from __future__ import annotations

import contextlib

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.patches import Rectangle
from shapely.geometry import Polygon

from .fmt import SEPARATORS
from .i18n import check_lang
from .style import label

#: Above this many communes a map is at province scale (numbers and a key); below, short names.
NAME_LIMIT = 40
LABEL_GID = "commune-label"
DISTRICT_GID = "district-label"
SCALEBAR_GID = "scalebar"
_PREFIXES = (("Thị trấn ", "TT "), ("Phường ", "P. "), ("Xã ", ""))


def short_name(name: str) -> str:
    """A commune's name without its type word: ``Xã An Hiệp`` → ``An Hiệp``, ``Phường 7`` → ``P. 7``.

    >>> short_name("Xã An Hiệp"), short_name("Phường 7"), short_name("Thị trấn Ba Tri")
    ('An Hiệp', 'P. 7', 'TT Ba Tri')
    """
    for long, short in _PREFIXES:
        if name.startswith(long):
            return short + name[len(long):]
    return name


def district_short(name: str) -> str:
    """``Huyện Ba Tri`` → ``Ba Tri``; ``Thành phố Bến Tre`` → ``TP Bến Tre``."""
    return str(name).replace("Huyện ", "").replace("Thành phố ", "TP ")


def numbered(geo: pd.DataFrame, district: str | None = None) -> pd.DataFrame:
    """The communes of ``geo`` (of ``district`` when given) in key order with their ``number`` (1, 2, …)."""
    g = pd.DataFrame(geo.drop(columns="geometry", errors="ignore"))
    if district:
        g = g[(g["district_code"] == district) | (g["district_name"] == district)]
    g = g.sort_values(["district_code", "code"], kind="stable").reset_index(drop=True)
    return g.assign(number=np.arange(1, len(g) + 1))


def key_table(geo: pd.DataFrame, district: str | None = None, lang: str = "vi") -> pd.DataFrame:
    """Number → commune, district, code: the key to show beside a province map.

    Parameters
    ----------
    geo : GeoDataFrame
        The map's polygons (:func:`boundaries.get_geometry`).
    district : str, optional
        District code or name, as given to the map.
    lang : {"vi", "en"}
        Language of the column headings.
    """
    g = numbered(geo, district)
    return pd.DataFrame({label("key_number", lang): g["number"].to_numpy(),
                         label("commune", lang): g["name"].to_numpy(),
                         label("district", lang): g["district_name"].to_numpy(),
                         label("key_code", lang): g["code"].to_numpy()})


def outer_rings(geoms, snap: float) -> list[Polygon]:
    """Polygons of a dissolve of ``geoms`` with gaps narrower than ``2·snap`` closed and holes dropped.

    Communes simplified one by one do not share edges; a plain dissolve leaves sliver holes whose
    rings draw as dash fragments inside a district.  Buffering out and back in closes them, and
    keeping the exterior rings drops whatever is left.
    """
    merged = gpd.GeoSeries(list(geoms)).buffer(snap, join_style="mitre").union_all().buffer(-snap, join_style="mitre")
    parts = getattr(merged, "geoms", [merged])
    return [Polygon(p.exterior) for p in parts if not p.is_empty and p.area > (snap * 2) ** 2]


@contextlib.contextmanager
def quiet_plot(ax):
    """Within: geopandas' ``plot`` does not draw the whole figure after each layer.

    geopandas ends every ``plot`` with ``plt.draw()``, a full draw of the figure (its axis ticks
    included) that nobody sees: a map of five layers paid for five draws before its PNG.
    """
    canvas = ax.figure.canvas
    canvas.draw_idle = lambda *args, **kwargs: None
    try:
        yield
    finally:
        with contextlib.suppress(AttributeError):
            del canvas.draw_idle


def district_polygons(g: gpd.GeoDataFrame, snap: float = 200.0) -> gpd.GeoDataFrame:
    """One outline per district (metres CRS) from its communes, slivers closed (:func:`outer_rings`)."""
    rows = [(name, poly) for name, part in g.groupby("district_name", sort=False)
            for poly in outer_rings(part.geometry, snap)]
    return gpd.GeoDataFrame({"district_name": [r[0] for r in rows]}, geometry=[r[1] for r in rows], crs=g.crs)


def draw_districts(ax, g: gpd.GeoDataFrame, lang: str, schematic: bool) -> list:
    """District lines and names; returns the name artists (obstacles for commune labels)."""
    if "district_name" not in g or g["district_name"].isna().all():
        return []
    d = district_polygons(g, snap=1.0 if schematic else 200.0)
    with quiet_plot(ax):
        d.boundary.plot(ax=ax, color="#222222", linewidth=1.1, gid="district-lines")
    texts = []
    if g["district_name"].nunique() < 2:
        return texts
    for name, part in d.groupby("district_name", sort=False):
        p = part.geometry.iloc[int(np.argmax(part.area.to_numpy()))].representative_point()
        texts.append(ax.text(p.x, p.y, district_short(name), ha="center", va="center", fontsize=7.5,
                             fontweight="bold", color="#111111", gid=DISTRICT_GID, zorder=6,
                             bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8)))
    return texts


def _box(renderer, text) -> np.ndarray:
    b = text.get_window_extent(renderer)
    return np.array([b.x0, b.y0, b.x1, b.y1])


#: Label sizes in pixels by text, font and dpi, kept per process: matplotlib measures a text again for
#: every new figure, and a province map has ~160 labels (a warm report kernel draws map after map).
_SIZES: dict[tuple, tuple[float, float]] = {}
SIZES_KEPT = 20_000


def _size(renderer, text) -> tuple[float, float]:
    """Width and height in pixels of ``text`` (an unrotated Text artist) as ``renderer`` draws it."""
    fp = text.get_fontproperties()
    key = (text.get_text(), tuple(fp.get_family()), fp.get_size_in_points(), fp.get_weight(), fp.get_style(),
           fp.get_stretch(), fp.get_variant(), fp.get_file(), fp.get_math_fontfamily(), text.get_rotation(),
           text.get_linespacing(), float(renderer.dpi), type(renderer).__name__)
    if key not in _SIZES:
        if len(_SIZES) >= SIZES_KEPT:
            _SIZES.clear()
        b = _box(renderer, text)
        _SIZES[key] = (float(b[2] - b[0]), float(b[3] - b[1]))
    return _SIZES[key]


def _free(box: np.ndarray, placed: np.ndarray, pad: float = 0.5) -> bool:
    if not len(placed):
        return True
    return not np.any((box[0] < placed[:, 2] + pad) & (box[2] > placed[:, 0] - pad)
                      & (box[1] < placed[:, 3] + pad) & (box[3] > placed[:, 1] - pad))


def _candidates(step: float, rings: int = 14) -> np.ndarray:
    out = [(0.0, 0.0)]
    for r in range(1, rings + 1):
        ang = np.linspace(0, 2 * np.pi, 8 + 4 * r, endpoint=False)
        out += [(r * step * np.cos(a), r * step * np.sin(a)) for a in ang]
    return np.array(out)


def _inside(ax, margin: float = 3.0):
    """A test of a pixel box ``[x0, y0, x1, y1]``: within the axes, ``margin`` pixels (and a box's
    padding) from its edges.  A label inside its map's axes is left out of the figure's outline
    (``in_layout=False``): the axes bound it already, and measuring ~160 labels again after drawing
    them cost a tenth of a map's PNG (issue 16)."""
    x0, y0, x1, y1 = ax.bbox.extents

    def test(box) -> bool:
        return bool(box[0] >= x0 + margin and box[1] >= y0 + margin and box[2] <= x1 - margin and box[3] <= y1 - margin)
    return test


def label_communes(ax, g: gpd.GeoDataFrame, texts: list[str], obstacles: list, fontsize: float) -> list:
    """Write ``texts`` at the communes' inner points, moving any that would overlap to a free place.

    Labels are placed smallest commune first (they have the least room).  A moved label gets a leader
    line to its commune.  Returns the text artists (gid ``commune-label``).  Their white boxes are one
    collection (gid ``commune-label-boxes``) rather than a patch per text: a province map has ~160
    labels, and a patch each doubled the cost of drawing them.
    """
    fig = ax.figure
    ax.apply_aspect()
    renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else fig._get_renderer()
    pts = g.geometry.representative_point()
    xy = ax.transData.transform(np.c_[pts.x, pts.y])
    placed = np.array([_box(renderer, t) for t in obstacles]).reshape(-1, 4)
    inside = _inside(ax)
    for t, box in zip(obstacles, placed):
        t.set_in_layout(not inside(box))
    step = fontsize * fig.dpi / 72 * 0.6
    offsets = _candidates(step)
    to_data = ax.transData.inverted()
    artists = [None] * len(g)
    pad = 0.05 * fontsize * fig.dpi / 72
    backs = []
    for i in np.argsort(g.area.to_numpy(), kind="stable"):
        t = ax.text(0, 0, texts[i], ha="center", va="center", fontsize=fontsize, color="#000000",
                    gid=LABEL_GID, zorder=7)
        w, h = _size(renderer, t)
        for dx, dy in offsets:
            cx, cy = xy[i] + (dx, dy)
            box = np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
            if _free(box, placed):
                break
        t.set_position(to_data.transform((cx, cy)))
        if (dx, dy) != (0.0, 0.0):
            (x0, y0), (x1, y1) = to_data.transform(xy[i]), to_data.transform((cx, cy))
            ax.plot([x0, x1], [y0, y1], color="#333333", linewidth=0.4, zorder=6.5, gid="leader")
        placed = np.vstack([placed, box])
        t.set_in_layout(not inside(box))
        backs.append(to_data.transform(np.array([[box[0] - pad, box[1] - pad], [box[2] + pad, box[1] - pad],
                                                 [box[2] + pad, box[3] + pad], [box[0] - pad, box[3] + pad]])))
        artists[i] = t
    if backs:
        ax.add_collection(PolyCollection(backs, facecolors="white", edgecolors="none", alpha=0.65, zorder=6.9,
                                         gid=LABEL_GID + "-boxes"), autolim=False)
    return artists


def nice_length(width_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10ⁿ metres) about a fifth of ``width_m``.

    >>> nice_length(60_000), nice_length(9_000)
    (10000.0, 1000.0)
    """
    target = width_m / 5
    base = 10 ** np.floor(np.log10(target))
    return float(max(m * base for m in (1, 2, 5) if m * base <= target))


def scale_bar(ax, lang: str = "vi") -> float:
    """A two-part scale bar in the lower left of a map in metres; returns its length in metres."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = nice_length(x1 - x0)
    bx, by, h = x0 + 0.03 * (x1 - x0), y0 + 0.04 * (y1 - y0), 0.012 * (y1 - y0)
    for k, colour in enumerate(("#222222", "#FFFFFF")):
        ax.add_patch(Rectangle(
            (bx + k * length / 2, by), length / 2, h, facecolor=colour, edgecolor="#222222",
            linewidth=0.6, zorder=8, gid=SCALEBAR_GID))
    km = length / 1000
    text = f"{km:g} km".replace(".", SEPARATORS[check_lang(lang)][1])
    ax.text(bx + length / 2, by + 1.6 * h, text, ha="center", va="bottom", fontsize=7.5, gid=SCALEBAR_GID, zorder=8)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    return length

"""Commune maps: child-friendly status, an indicator in fixed classes, change, small multiples.

Every function returns a :class:`matplotlib.figure.Figure` and draws on polygons from
:func:`btchild_analysis.boundaries.get_geometry` (a real file or the schematic layout).  Figures carry
their notices (synthetic data, schematic layout, boundary source) at the foot.
"""
from __future__ import annotations

import geopandas as gpd
import mapclassify
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from . import boundaries
from .registry import indicator
from .style import DIV_CMAP, SEQ_CMAP, STATUS_COLOURS, add_notices, label

NO_DATA_COLOUR = "#F2F2F2"


def _prepare(geo: gpd.GeoDataFrame, district: str | None) -> gpd.GeoDataFrame:
    g = geo.to_crs(boundaries.PLOT_CRS) if geo.crs is not None and not geo.crs.equals(boundaries.PLOT_CRS) else geo
    if district:
        g = g[(g["district_code"] == district) | (g["district_name"] == district)]
        if g.empty:
            raise ValueError(f"no commune of district '{district}' on this map")
    return g


def _area_name(geo: gpd.GeoDataFrame, district: str | None, lang: str) -> str:
    return geo["district_name"].iloc[0] if district else label("province", lang)


def _outlines(ax, g: gpd.GeoDataFrame) -> None:
    if "district_name" not in g or g["district_name"].isna().all():
        return
    d = g.dissolve(by="district_name", as_index=False)
    d.boundary.plot(ax=ax, color="#222222", linewidth=1.0)
    for _, r in d.iterrows():
        p = r.geometry.representative_point()
        ax.annotate(r["district_name"].replace("Huyện ", "").replace("Thành phố ", "TP "), (p.x, p.y),
                    ha="center", fontsize=7, color="#111111",
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.7))


def _finish(fig, ax, title: str, lang: str, geo, synthetic: bool) -> plt.Figure:
    ax.set_title(title, fontsize=11)
    ax.set_axis_off()
    ax.set_aspect("equal")
    add_notices(fig, lang, synthetic=synthetic, schematic=bool(geo.attrs.get("schematic")),
                source=geo.attrs.get("source"), missing=geo.attrs.get("missing"))
    fig.subplots_adjust(bottom=0.1, right=0.78)
    return fig


def status_map(assessment: pd.DataFrame, year: int, geo: gpd.GeoDataFrame, district: str | None = None,
               lang: str = "vi", synthetic: bool = False, ax=None) -> plt.Figure:
    """Child-friendly status by commune (met / not met / insufficient data / no sheet) for one year.

    Parameters
    ----------
    assessment : DataFrame
        Output of :func:`btchild_analysis.standard.assess`.
    geo : GeoDataFrame
        Polygons of the vintage of ``year`` (:func:`boundaries.get_geometry`).
    district : str, optional
        District code or name (default: the province).
    """
    g = _prepare(geo, district)
    a = assessment[assessment["year"].astype(int) == int(year)][["commune_code", "status"]]
    g = g.merge(a, left_on="code", right_on="commune_code", how="left")
    g["status"] = g["status"].fillna("no_sheet")
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(9, 7))
    handles = []
    for status, colour in STATUS_COLOURS.items():
        part = g[g["status"] == status]
        if status == "no_sheet" and part.empty:
            continue
        if len(part):
            part.plot(ax=ax, color=colour, edgecolor="#666666", linewidth=0.3,
                      hatch="///" if status == "insufficient_data" else None)
        handles.append(Patch(facecolor=colour, edgecolor="#666666", label=f"{label('status_' + status, lang)} ({len(part)})"))
    _outlines(ax, g)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 0.6), fontsize=8, frameon=True)
    title = f"{label('status_title', lang)} — {_area_name(g, district, lang)}, {year}"
    return _finish(fig, ax, title, lang, geo, synthetic)


def fixed_breaks(values: pd.Series, indicator_id: str | None = None, k: int = 5,
                 at_target: bool = True, target_year: int = 2020) -> list[float]:
    """Class upper bounds pooled over all years (so maps of different years compare).

    Quantiles of the pooled values (:class:`mapclassify.Quantiles`), with the plan's target value
    added as a break when ``at_target``; a single class when every value is equal.
    """
    v = pd.Series(values, dtype=float).dropna()
    if v.empty:
        return [0.0]
    if v.nunique() == 1:
        return [float(v.iloc[0])]
    bins = list(mapclassify.Quantiles(v.to_numpy(), k=min(k, v.nunique())).bins)
    if at_target and indicator_id:
        tgt = [t.value for t in indicator(indicator_id).targets if t.year == target_year]
        if tgt and v.min() < tgt[0] < v.max():
            bins.append(tgt[0])
    bins = sorted(set(round(b, 6) for b in bins))
    bins[-1] = max(bins[-1], float(v.max()))
    return bins


def classify(values: pd.Series, bins: list[float]) -> np.ndarray:
    """Class index of each value for upper bounds ``bins`` (-1 for missing)."""
    v = pd.Series(values, dtype=float)
    out = np.full(len(v), -1)
    ok = v.notna().to_numpy()
    if ok.any():
        out[ok] = mapclassify.UserDefined(v[ok].to_numpy(), bins=list(bins)).yb
    return out


def _class_labels(bins: list[float], lo: float) -> list[str]:
    edges = [lo] + list(bins)
    return [f"{edges[i]:.1f} – {edges[i + 1]:.1f}" for i in range(len(bins))]


def indicator_map(values: pd.DataFrame, indicator_id: str, period: str, geo: gpd.GeoDataFrame,
                  bins: list[float] | None = None, district: str | None = None, lang: str = "vi",
                  synthetic: bool = False, ax=None, cmap: str | None = None, title: str | None = None,
                  legend_title: str | None = None) -> plt.Figure:
    """An indicator by commune in classes (``bins`` from :func:`fixed_breaks` over all years by default).

    ``values`` is a commune-level table of :func:`btchild_analysis.indicators.compute`.  ``cmap``
    defaults to viridis, reversed for indicators where lower is better (darker = worse).
    """
    ind = indicator(indicator_id)
    allv = values[values["indicator"] == indicator_id]
    bins = bins if bins is not None else fixed_breaks(allv["value"], indicator_id)
    v = allv[allv["period"].astype(str) == str(period)][["unit_code", "value"]]
    g = _prepare(geo, district).merge(v, left_on="code", right_on="unit_code", how="left")
    cls = classify(g["value"], bins)
    cmap = cmap or (SEQ_CMAP if ind.direction == "higher" else SEQ_CMAP + "_r")
    colours = plt.get_cmap(cmap, max(len(bins), 2))
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(9, 7))
    handles = []
    lo = float(np.nanmin(allv["value"])) if allv["value"].notna().any() else 0.0
    for i, text in enumerate(_class_labels(bins, lo)):
        part = g[cls == i]
        colour = colours(i / max(len(bins) - 1, 1))
        if len(part):
            part.plot(ax=ax, color=colour, edgecolor="#666666", linewidth=0.3)
        handles.append(Patch(facecolor=colour, label=f"{text} ({len(part)})"))
    nod = g[cls == -1]
    if len(nod):
        nod.plot(ax=ax, color=NO_DATA_COLOUR, edgecolor="#999999", linewidth=0.3, hatch="..")
    handles.append(Patch(facecolor=NO_DATA_COLOUR, edgecolor="#999999", label=f"{label('no_data', lang)} ({len(nod)})"))
    _outlines(ax, g)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 0.6), fontsize=7.5,
              title=legend_title or ind.unit_label(lang), title_fontsize=8)
    fig.btchild_bins = bins
    title = title or f"{ind.label(lang)} — {_area_name(g, district, lang)}, {period}"
    return _finish(fig, ax, title, lang, geo, synthetic)


def change_map(values: pd.DataFrame, indicator_id: str, start: str, end: str, geo: gpd.GeoDataFrame,
               district: str | None = None, lang: str = "vi", synthetic: bool = False) -> plt.Figure:
    """Change of an indicator between two periods by commune (values on the same vintage)."""
    v = values[values["indicator"] == indicator_id].pivot_table(index="unit_code", columns="period", values="value")
    if str(start) not in v or str(end) not in v:
        raise ValueError(f"no values for both {start} and {end}")
    diff = (v[str(end)] - v[str(start)]).rename("value").reset_index()
    diff["period"], diff["indicator"] = "change", indicator_id
    m = float(np.nanmax(np.abs(diff["value"]))) if diff["value"].notna().any() else 1.0
    m = m or 1.0
    bins = [round(x, 6) for x in np.linspace(-m, m, 7)[1:]]
    ind = indicator(indicator_id)
    cmap = DIV_CMAP if ind.direction == "higher" else DIV_CMAP + "_r"
    title = f"{label('change', lang)}: {ind.label(lang)}, {start} → {end} — {_area_name(_prepare(geo, district), district, lang)}"
    return indicator_map(diff, indicator_id, "change", geo, bins=bins, district=district, lang=lang,
                         synthetic=synthetic, cmap=cmap, title=title,
                         legend_title=f"{ind.unit_label(lang)} ({label('change_legend', lang)})")


def small_multiples(values: pd.DataFrame, indicator_id: str, periods: list[str], geo: gpd.GeoDataFrame,
                    district: str | None = None, lang: str = "vi", synthetic: bool = False) -> plt.Figure:
    """One map per period with the same classes."""
    bins = fixed_breaks(values.loc[values["indicator"] == indicator_id, "value"], indicator_id)
    n = len(periods)
    cols = min(n, 3)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 4.4 * rows), squeeze=False)
    for i, (ax, per) in enumerate(zip(axes.ravel(), periods)):
        indicator_map(values, indicator_id, per, geo, bins=bins, district=district, lang=lang, ax=ax, title=str(per))
        if i < n - 1:  # one legend, on the last map: the classes are the same
            ax.get_legend().remove()
    fig.texts.clear()  # each map wrote its notices; the figure gets them once below
    for ax in axes.ravel()[n:]:
        ax.set_axis_off()
    fig.suptitle(indicator(indicator_id).label(lang), fontsize=12)
    fig.btchild_bins = bins
    add_notices(fig, lang, synthetic=synthetic, schematic=bool(geo.attrs.get("schematic")), source=geo.attrs.get("source"))
    return fig

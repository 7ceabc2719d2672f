"""Commune maps: child-friendly status, an indicator in fixed classes, change, small multiples.

Every function returns a :class:`matplotlib.figure.Figure` and draws on polygons from
:func:`btchild_analysis.boundaries.get_geometry` (a real file or the schematic layout).  Every commune
carries a label: a number at province scale, with the key in ``fig.btchild_key`` (also
:func:`key_table`), a short name at district scale.  Figures carry their notices (synthetic data,
boundary source with year and licence) at the foot, the schematic note under the title, a scale bar on
real boundaries, and a short description in ``fig.btchild_alt``.
"""
from __future__ import annotations

import textwrap

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from . import boundaries, map_parts
from .figure_text import num, period_label, set_alt, span
from .map_parts import key_table  # noqa: F401  (public: the key the notebooks show beside a map)
from .catalog import indicator
from .style import DIV_CMAP, NOTICE_KEY, SEQ_CMAP, STATUS_COLOURS, add_notices, label

NO_DATA_COLOUR = "#F2F2F2"
#: Above this many units (a national map) communes are not labelled: the interactive map names them.
LABEL_LIMIT = 1500
NO_CHANGE_COLOUR = "#D4D4D4"
EDGE = "#666666"
#: Hatches that keep classes apart where colours alone would not (and apart from empty background).
STATUS_HATCH = {"insufficient_data": "///", "no_sheet": "...."}
TRANSITIONS = {"kept": ("#009E73", None), "gained": ("#56B4E9", None), "lost": ("#D55E00", "xx"),
               "never": ("#E69F00", None)}


def _prepare(geo: gpd.GeoDataFrame, district: str | None) -> gpd.GeoDataFrame:
    g = geo.to_crs(boundaries.PLOT_CRS) if geo.crs is not None and not geo.crs.equals(boundaries.PLOT_CRS) else geo
    if district:
        g = g[(g["district_code"] == district) | (g["district_name"] == district)]
        if g.empty:
            raise ValueError(f"no commune of district '{district}' on this map")
    return g


def _area_name(geo: gpd.GeoDataFrame, district: str | None, lang: str) -> str:
    return geo["district_name"].iloc[0] if district else label("province", lang)


def _axes(ax, figsize=(9.5, 7.5)):
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize)
    fig.subplots_adjust(left=0.02, right=0.72, top=0.88, bottom=0.1)
    return fig, ax


def _draw_classes(ax, g: gpd.GeoDataFrame, cls: np.ndarray, styles: list[tuple], keep_empty: bool = True) -> list:
    """Draw class ``i`` of ``styles[i] = (colour, hatch, text)``; legend handles with counts."""
    handles = []
    for i, (colour, hatch, text) in enumerate(styles):
        part = g[cls == i]
        if len(part):
            with map_parts.quiet_plot(ax):
                part.plot(ax=ax, color=colour, edgecolor=EDGE, linewidth=0.3, hatch=hatch)
        if len(part) or keep_empty:
            handles.append(Patch(facecolor=colour, edgecolor=EDGE, hatch=hatch, label=f"{text} ({len(part)})"))
    return handles


def _no_data_style(lang: str) -> tuple:
    return NO_DATA_COLOUR, "..", label("no_data", lang)


def _labels(ax, g, lang: str, schematic: bool, district: str | None, fontsize: float | None) -> None:
    obstacles = map_parts.draw_districts(ax, g, lang, schematic)
    ax.set_autoscale_on(False)
    if not schematic:  # the scale bar first, so that no commune label covers it
        map_parts.scale_bar(ax, lang)
        obstacles += [t for t in ax.texts if t.get_gid() == map_parts.SCALEBAR_GID]
    if len(g) > LABEL_LIMIT:  # a national map: numbers would be unreadable (and placing them is quadratic)
        ax.figure.btchild_unlabelled = True
        return
    key = map_parts.numbered(g)
    order = dict(zip(key["code"], key["number"]))
    province = len(g) > map_parts.NAME_LIMIT
    texts = [str(order[c]) for c in g["code"]] if province else [map_parts.short_name(n) for n in g["name"]]
    size = fontsize or (5.5 if province else 7)
    map_parts.label_communes(ax, g, texts, obstacles, size)


def _finish(fig, ax, g, title: str, lang: str, geo, synthetic: bool, district: str | None,
            fontsize: float | None = None, notices: bool = True) -> plt.Figure:
    schematic = bool(geo.attrs.get("schematic"))
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_title("\n".join(textwrap.wrap(title, 80)), fontsize=11, pad=18 if schematic else 6, y=1.0)  # y: no tick search
    if schematic:
        ax.annotate(label("schematic_notice", lang), (0.5, 1.0), xycoords="axes fraction", xytext=(0, 3),
                    textcoords="offset points", ha="center", va="bottom", fontsize=8.5, style="italic",
                    color="#7A0019", gid="schematic-note")
    _labels(ax, g, lang, schematic, district, fontsize)
    unlabelled = getattr(fig, "btchild_unlabelled", False)
    fig.btchild_key = None if unlabelled else map_parts.key_table(g, None, lang)
    if notices:
        notes = add_notices(fig, lang, synthetic=synthetic, source=boundaries.source_text(geo, lang),
                            missing=geo.attrs.get("missing"))
        if schematic:
            notes.append(f"{label('schematic_notice', lang)} ({label('schematic_source', lang)})")
        if len(g) > map_parts.NAME_LIMIT:
            notes.append(label("key_note", lang))
    return fig


def _counts_text(handles) -> str:
    return "; ".join(h.get_label() for h in handles)


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
    keys = list(STATUS_COLOURS)
    cls = np.array([keys.index(s) for s in g["status"]])
    fig, ax = _axes(ax)
    styles = [(STATUS_COLOURS[k], STATUS_HATCH.get(k), label("status_" + k, lang)) for k in keys]
    handles = _draw_classes(ax, g, cls, styles[:-1]) + _draw_classes(ax, g, cls - 3, styles[-1:], keep_empty=False)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 0.75), fontsize=8, frameon=True)
    area = _area_name(g, district, lang)
    set_alt(fig, label("alt_status_map", lang).format(n=len(g), area=area, year=year, counts=_counts_text(handles)))
    return _finish(fig, ax, g, f"{label('status_title', lang)} — {area}, {year}", lang, geo, synthetic, district)


def fixed_breaks(values: pd.Series, indicator_id: str | None = None, k: int = 5,
                 at_target: bool = True, target_year: int = 2020) -> list[float]:
    """Class upper bounds pooled over all years (so maps of different years compare).

    Quantiles of the pooled values (:func:`quantile_bins`, as :class:`mapclassify.Quantiles`), with the
    plan's target value added as a break when ``at_target``; a single class when every value is equal.
    """
    v = pd.Series(values, dtype=float).dropna()
    if v.empty:
        return [0.0]
    if v.nunique() == 1:
        return [float(v.iloc[0])]
    bins = list(quantile_bins(v.to_numpy(), k=min(k, v.nunique())))
    if at_target and indicator_id:
        tgt = [t.value for t in indicator(indicator_id).targets if t.year == target_year]
        if tgt and v.min() < tgt[0] < v.max():
            bins.append(tgt[0])
    bins = sorted(set(round(b, 6) for b in bins))
    bins[-1] = max(bins[-1], float(v.max()))
    return bins


def classify(values: pd.Series, bins: list[float]) -> np.ndarray:
    """Class index of each value for upper bounds ``bins`` (-1 for missing).

    Class ``i`` holds ``bins[i-1] < value <= bins[i]``; values above the last bound join a last class
    (as :class:`mapclassify.UserDefined`, which adds the largest value as a bound).

    >>> classify(pd.Series([1.0, 2.0, 2.5, None, 9.0]), [2.0, 5.0]).tolist()
    [0, 0, 1, -1, 2]
    """
    v = pd.Series(values, dtype=float)
    out = np.full(len(v), -1)
    ok = v.notna().to_numpy()
    if ok.any():
        x = v[ok].to_numpy()
        b = np.asarray(bins, dtype=float)
        if b[-1] < x.max():
            b = np.append(b, x.max())
        cls = np.searchsorted(b, x, side="left")  # the first bound ≥ the value
        out[ok] = np.where(cls == len(b), 0, cls)  # (mapclassify's bin1d: beyond every bound is 0)
    return out


def _score_at(ordered: np.ndarray, per: float) -> float:
    """``scipy.stats.scoreatpercentile(values, per)`` (its "fraction" interpolation, the same arithmetic
    to the last bit) on values already sorted."""
    idx = per / 100.0 * (len(ordered) - 1)
    i = int(idx)
    if i == idx:
        return np.add.reduce(ordered[i:i + 1] * np.array(1)) / 1.0
    weights = np.array([(i + 1 - idx), (idx - i)], float)
    return np.add.reduce(ordered[i:i + 2] * weights) / weights.sum()


def quantile_bins(values: np.ndarray, k: int = 5) -> np.ndarray:
    """Upper bounds of ``k`` quantile classes, as :class:`mapclassify.Quantiles` computes them (fewer when
    values tie), without importing mapclassify: it imports scikit-learn and scipy.stats, ~0.8 s of a
    fresh report kernel, for two small classifications (issue 16).

    >>> quantile_bins(np.arange(1000.0), 4).tolist(), quantile_bins(np.array([1.0, 1.0, 1.0, 2.0]), 4).tolist()
    ([249.75, 499.5, 749.25, 999.0], [1.0, 1.25, 2.0])
    """
    w = 100.0 / k
    p = np.arange(w, 100 + w, w)
    if p[-1] > 100.0:
        p[-1] = 100.0
    ordered = np.sort(np.asarray(values, dtype=float))
    return np.unique(np.array([_score_at(ordered, pct) for pct in p]))


def _class_labels(bins: list[float], lo: float, lang: str = "vi") -> list[str]:
    edges = [lo] + list(bins)
    return [span(edges[i], edges[i + 1], lang) for i in range(len(bins))]


def indicator_map(values: pd.DataFrame, indicator_id: str, period: str, geo: gpd.GeoDataFrame,
                  bins: list[float] | None = None, district: str | None = None, lang: str = "vi",
                  synthetic: bool = False, ax=None, cmap: str | None = None, title: str | None = None,
                  legend_title: str | None = None, fontsize: float | None = None, notices: bool = True) -> plt.Figure:
    """An indicator by commune in classes (``bins`` from :func:`fixed_breaks` over all years by default).

    ``values`` is a commune-level table of :func:`btchild_analysis.indicators.compute`.  ``cmap``
    defaults to viridis, reversed for indicators where lower is better (darker = worse).  ``fontsize``
    of the commune labels and ``notices`` (False: the caller writes them once, as small multiples do)
    serve figures of several maps.
    """
    ind = indicator(indicator_id)
    allv = values[values["indicator"] == indicator_id]
    bins = bins if bins is not None else fixed_breaks(allv["value"], indicator_id)
    v = allv[allv["period"].astype(str) == str(period)][["unit_code", "value"]]
    g = _prepare(geo, district).merge(v, left_on="code", right_on="unit_code", how="left")
    cls = classify(g["value"], bins)
    colours = plt.get_cmap(cmap or (SEQ_CMAP if ind.direction == "higher" else SEQ_CMAP + "_r"), max(len(bins), 2))
    lo = float(np.nanmin(allv["value"])) if allv["value"].notna().any() else 0.0
    styles = [(colours(i / max(len(bins) - 1, 1)), None, text) for i, text in enumerate(_class_labels(bins, lo, lang))]
    fig, ax = _axes(ax)
    handles = _draw_classes(ax, g, cls, styles) + _draw_classes(ax, g, np.where(cls == -1, 0, -1), [_no_data_style(lang)])
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 0.75), fontsize=7.5,
              title=legend_title or ind.unit_label(lang), title_fontsize=8)
    fig.btchild_bins = bins
    area = _area_name(g, district, lang)
    set_alt(fig, label("alt_indicator_map", lang).format(n=len(g), area=area, what=ind.label(lang), period=period_label(period, lang),
                                                         k=len(bins), nodata=int((cls == -1).sum())))
    title = title or f"{ind.label(lang)} — {area}, {period_label(period, lang)}"
    return _finish(fig, ax, g, title, lang, geo, synthetic, district, fontsize, notices=notices)


def change_classes(diff: pd.Series, tolerance: float = 0.5) -> tuple[list[float], np.ndarray]:
    """Diverging classes of a change centred on zero: three falls, "no change", three rises.

    ``|change| < tolerance`` is "no change" (class 3); rises of ``[tolerance, s)``, ``[s, 2s)`` and
    ``≥ 2s`` are classes 4, 5, 6 and falls mirror them (2, 1, 0), with ``s = max(largest |change| / 3,
    tolerance)``.  Missing changes are -1.  Returns the class edges (``[-m, -2s, -s, -tol, tol, s, 2s, m]``)
    and the class of each value.

    >>> change_classes(pd.Series([-9.0, -0.2, 0.0, 0.6, 4.0, None]))[1].tolist()
    [0, 3, 3, 4, 5, -1]
    """
    d = pd.Series(diff, dtype=float).to_numpy()
    m = float(np.nanmax(np.abs(d))) if np.isfinite(d).any() else tolerance
    s = max(m / 3, tolerance)
    mag = np.digitize(np.abs(d), [tolerance, s, 2 * s])
    cls = np.where(np.isnan(d), -1, 3 + np.sign(np.nan_to_num(d)).astype(int) * mag)
    return [-max(m, 2 * s), -2 * s, -s, -tolerance, tolerance, s, 2 * s, max(m, 2 * s)], cls.astype(int)


def _change_labels(edges: list[float], lang: str) -> list[str]:
    n = lambda x: num(x, lang, 1, sign=True)  # noqa: E731
    falls = [f"{n(edges[i])} – {n(edges[i + 1])}" for i in range(3)]
    rises = [f"{n(edges[i])} – {n(edges[i + 1])}" for i in range(4, 7)]
    return falls + [f"{label('no_change', lang)} (< ±{num(edges[4], lang, 1)})"] + rises


def change_map(values: pd.DataFrame, indicator_id: str, start: str, end: str, geo: gpd.GeoDataFrame,
               district: str | None = None, lang: str = "vi", synthetic: bool = False,
               tolerance: float = 0.5) -> plt.Figure:
    """Change of an indicator between two periods by commune (values on the same vintage).

    Continuous indicators get diverging classes centred on zero with a "no change" class
    (:func:`change_classes`, ``tolerance`` in the indicator's unit); yes/no indicators (a share of
    communes, e.g. child-friendly status) get transitions: gained / lost / kept / never.
    """
    v = values[values["indicator"] == indicator_id].pivot_table(index="unit_code", columns="period", values="value")
    if str(start) not in v or str(end) not in v:
        raise ValueError(f"no values for both {start} and {end}")
    ind = indicator(indicator_id)
    g = _prepare(geo, district)
    pair = v.reindex(g["code"])[[str(start), str(end)]]
    area = _area_name(g, district, lang)
    start_w, end_w = period_label(start, lang), period_label(end, lang)
    if ind.is_share_of_communes:
        title = f"{label('transition_title', lang)}: {ind.label(lang)}, {start_w} → {end_w} — {area}"
        fig = _transition_figure(g, pair.to_numpy() >= 50, pair.isna().any(axis=1).to_numpy(), title, lang,
                                 geo, synthetic, district, what=ind.label(lang), start=start_w, end=end_w)
        return _break_note(fig, ind, start, end, lang)
    edges, cls = change_classes(pair[str(end)] - pair[str(start)], tolerance)
    cmap = plt.get_cmap(DIV_CMAP if ind.direction == "higher" else DIV_CMAP + "_r")
    styles = [(NO_CHANGE_COLOUR if i == 3 else cmap(0.08 + i * 0.84 / 6), None, t)
              for i, t in enumerate(_change_labels(edges, lang))]
    fig, ax = _axes(None)
    handles = _draw_classes(ax, g, cls, styles) + _draw_classes(ax, g, np.where(cls == -1, 0, -1), [_no_data_style(lang)])
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 0.8), fontsize=7.5, title_fontsize=8,
              title=f"{ind.unit_label(lang)} ({label('change_legend', lang)})")
    fig.btchild_bins = edges
    set_alt(fig, label("alt_change_map", lang).format(what=ind.label(lang), start=start_w, end=end_w, area=area,
                                                      counts=_counts_text(handles)))
    title = f"{label('change', lang)}: {ind.label(lang)}, {start_w} → {end_w} — {area}"
    return _break_note(_finish(fig, ax, g, title, lang, geo, synthetic, district), ind, start, end, lang)


def _break_note(fig, ind, start, end, lang: str) -> plt.Figure:
    """Say on the figure (and in its alt text) when the two periods lie either side of a series break."""
    from .periods import parse_period
    y0, y1 = parse_period(start).year, parse_period(end).year
    crossed = [b for b in ind.break_years if min(y0, y1) < b <= max(y0, y1)]
    if crossed:
        note = label("change_across_break", lang).format(years=", ".join(map(str, crossed)))
        fig.text(0.01, 0.97, note, fontsize=8, ha="left", va="top", color="#7A0019", gid="break-note")
        getattr(fig, NOTICE_KEY).append(note)
        set_alt(fig, f"{fig.btchild_alt} {note}")
    return fig


def transition_classes(yes: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """Class of each commune from (start, end) yes/no: 0 kept, 1 gained, 2 lost, 3 never, -1 unknown.

    >>> transition_classes(np.array([[1, 1], [0, 1], [1, 0], [0, 0]], bool), np.array([0, 0, 0, 1], bool)).tolist()
    [0, 1, 2, -1]
    """
    start, end = yes[:, 0], yes[:, 1]
    cls = np.select([start & end, ~start & end, start & ~end], [0, 1, 2], default=3)
    return np.where(unknown, -1, cls)


def _transition_figure(g, yes, unknown, title, lang, geo, synthetic, district, what, start, end) -> plt.Figure:
    cls = transition_classes(np.asarray(yes, bool), np.asarray(unknown, bool))
    styles = [(c, h, label(f"transition_{k}", lang)) for k, (c, h) in TRANSITIONS.items()]
    fig, ax = _axes(None)
    handles = _draw_classes(ax, g, cls, styles) + _draw_classes(ax, g, np.where(cls == -1, 0, -1), [_no_data_style(lang)])
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 0.75), fontsize=8)
    fig.btchild_classes = cls
    set_alt(fig, label("alt_change_map", lang).format(what=what, start=start, end=end, area=_area_name(g, district, lang),
                                                      counts=_counts_text(handles)))
    return _finish(fig, ax, g, title, lang, geo, synthetic, district)


def status_change_map(assessment: pd.DataFrame, start: int, end: int, geo: gpd.GeoDataFrame,
                      district: str | None = None, lang: str = "vi", synthetic: bool = False) -> plt.Figure:
    """Child-friendly status from ``start`` to ``end`` as transitions (gained / lost / kept / never).

    A commune without a met / not met verdict in either year (no sheet, insufficient data, or a code
    not in force in ``start``) has no transition ("no data").
    """
    g = _prepare(geo, district)
    st = assessment.pivot_table(index="commune_code", columns="year", values="status", aggfunc="first")
    st.columns = [int(c) for c in st.columns]
    pair = st.reindex(index=g["code"], columns=[int(start), int(end)])
    known = pair.isin(["met", "not_met"])
    title = f"{label('transition_title', lang)}: {label('status_title', lang)}, {start} → {end} — {_area_name(g, district, lang)}"
    return _transition_figure(g, (pair == "met").to_numpy(), ~known.all(axis=1).to_numpy(), title, lang, geo,
                              synthetic, district, what=label("status_title", lang), start=start, end=end)


def small_multiples(values: pd.DataFrame, indicator_id: str, periods: list[str], geo: gpd.GeoDataFrame,
                    district: str | None = None, lang: str = "vi", synthetic: bool = False) -> plt.Figure:
    """One map per period with the same classes; the communes numbered alike on every map."""
    bins = fixed_breaks(values.loc[values["indicator"] == indicator_id, "value"], indicator_id)
    n = len(periods)
    cols = min(n, 2)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(6.2 * cols, 5.6 * rows), squeeze=False)
    fig.subplots_adjust(left=0.01, right=0.82, top=0.9, bottom=0.08, wspace=0.02, hspace=0.12)
    for i, (ax, per) in enumerate(zip(axes.ravel(), periods)):
        indicator_map(values, indicator_id, per, geo, bins=bins, district=district, lang=lang, ax=ax,
                      title=period_label(per, lang), fontsize=4.5, notices=False)
        if i < n - 1:  # one legend, on the last map: the classes are the same
            ax.get_legend().remove()
    for ax in axes.ravel()[n:]:
        ax.set_axis_off()
    what = indicator(indicator_id).label(lang)
    fig.suptitle(what, fontsize=12)
    fig.btchild_bins = bins
    g = _prepare(geo, district)
    set_alt(fig, label("alt_small_multiples", lang).format(n=n, what=what, area=_area_name(g, district, lang),
                                                           periods=", ".join(map(str, periods))))
    notes = add_notices(fig, lang, synthetic=synthetic, source=boundaries.source_text(geo, lang),
                        missing=geo.attrs.get("missing"))
    if geo.attrs.get("schematic"):
        notes.append(f"{label('schematic_notice', lang)} ({label('schematic_source', lang)})")
    setattr(fig, NOTICE_KEY, notes)
    return fig

"""Interactive commune maps that work offline: an HTML snippet with an inline SVG.

Each commune is one ``<path>`` whose ``<title>`` (the browser's hover text) gives the commune, its
district, the value with its interval or the status.  Buttons zoom on a district by changing the
SVG's ``viewBox`` with a few lines of inline script (without script the whole map stays usable).
Nothing is fetched: no library, font or URL.  Geometries are simplified and coordinates rounded, so
a province map weighs some tens of kilobytes.  Every text from data or parameters is escaped.

Display in a notebook with ``IPython.display.HTML(status_svg(...))``.
"""
from __future__ import annotations

import hashlib

import geopandas as gpd
import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import map_parts, maps
from .figure_text import num, op_text, span
from .outputs import escape_html as esc
from .catalog import indicator
from .style import STATUS_COLOURS, label

WIDTH = 800.0
#: Patterns for classes told apart by hatching as well as colour (as on the static maps).
_PATTERNS = {"hatch": '<path d="M0 6L6 0" stroke="#555" stroke-width="1"/>',
             "dots": '<circle cx="3" cy="3" r="1" fill="#555"/>'}
_STATUS_PATTERN = {"insufficient_data": "hatch", "no_sheet": "dots"}
#: The same patterns as CSS backgrounds for the legend swatches.
_SWATCH = {"hatch": "repeating-linear-gradient(45deg,#fff 0 2px,#555 2px 3px)",
           "dots": "radial-gradient(#555 1px,#fff 1.5px) 0 0/4px 4px"}


def _frame(g: gpd.GeoDataFrame) -> tuple[float, float, float]:
    minx, miny, maxx, maxy = g.total_bounds
    return minx, maxy, WIDTH / max(maxx - minx, 1.0)


def _ring(coords, frame) -> str:
    x0, y0, s = frame
    xy = np.round((np.asarray(coords)[:, :2] - (x0, y0)) * (s, -s), 1)
    pts = " ".join(f"{x:g} {y:g}" for x, y in xy[:-1])
    return f"M{pts}Z"


def path_data(geom, frame, tolerance: float) -> str:
    """SVG path data of a (multi)polygon in map metres, simplified within ``tolerance`` metres."""
    geom = geom.simplify(tolerance, preserve_topology=True)
    out = []
    for poly in getattr(geom, "geoms", [geom]):
        out.append(_ring(poly.exterior.coords, frame))
        out += [_ring(r.coords, frame) for r in poly.interiors]
    return "".join(out)


def _viewbox(bounds, frame, pad: float = 0.04) -> str:
    x0, y0, s = frame
    minx, miny, maxx, maxy = bounds
    w, h = (maxx - minx) * s, (maxy - miny) * s
    m = pad * max(w, h)
    return f"{(minx - x0) * s - m:.0f} {(y0 - maxy) * s - m:.0f} {w + 2 * m:.0f} {h + 2 * m:.0f}"


def _zoom_buttons(g: gpd.GeoDataFrame, frame, lang: str, whole: str) -> str:
    if g["district_name"].nunique() < 2:
        return ""
    buttons = [f'<button type="button" data-vb="{whole}">{esc(label("whole_province", lang))}</button>']
    for (_, name), part in g.groupby(["district_code", "district_name"]):
        vb = _viewbox(part.total_bounds, frame)
        buttons.append(f'<button type="button" data-vb="{vb}">{esc(map_parts.district_short(name))}</button>')
    return f'<div class="zoom">{esc(label("zoom_district", lang))}: {" ".join(buttons)}</div>'


def _legend(items: list[tuple[str, str, int]]) -> str:
    spans = [f'<span><i style="background:{colour}"></i>{esc(text)} ({n})</span>' for colour, text, n in items]
    return f'<div class="legend">{"".join(spans)}</div>'


_CSS = ("#{u} svg{{width:100%;max-width:820px;height:auto;display:block}}"
        "#{u} path.c{{stroke:#666;stroke-width:.4;vector-effect:non-scaling-stroke}}"
        "#{u} path.c:hover{{stroke:#000;stroke-width:2}}"
        "#{u} path.d{{fill:none;stroke:#222;stroke-width:1.2;vector-effect:non-scaling-stroke;pointer-events:none}}"
        "#{u} .legend span{{margin-right:1em;white-space:nowrap}}"
        "#{u} .legend i{{display:inline-block;width:.9em;height:.9em;margin-right:.3em;border:1px solid #666;"
        "vertical-align:middle}}#{u} .zoom button{{margin:0 .2em .3em 0}}")
_JS = ("(function(){{var r=document.getElementById('{u}'),s=r.querySelector('svg');"
       "r.querySelectorAll('button[data-vb]').forEach(function(b){{b.onclick=function(){{"
       "s.setAttribute('viewBox',b.getAttribute('data-vb'));}};}});}})();")


def _document(g, fills: list[str], titles: list[str], legend: str, title: str, lang: str, notes: str) -> str:
    """The HTML snippet: title, zoom buttons, SVG with one titled path per commune, legend, notes."""
    frame = _frame(g)
    tol = (g.total_bounds[2] - g.total_bounds[0]) / 1500
    paths = [f'<path class="c" fill="{f}" d="{path_data(geom, frame, tol)}"><title>{esc(t)}</title></path>'
             for geom, f, t in zip(g.geometry, fills, titles)]
    lines = [f'<path class="d" d="{path_data(p, frame, tol)}"/>' for p in map_parts.district_polygons(
        g, snap=1.0 if g.attrs.get("schematic") else 200.0).geometry]
    whole = _viewbox(g.total_bounds, frame)
    uid = "btm-" + hashlib.sha1("".join(paths).encode() + title.encode()).hexdigest()[:10]
    defs = "".join(f'<pattern id="{uid}-{k}" width="6" height="6" patternUnits="userSpaceOnUse">'
                   f'<rect width="6" height="6" fill="#fff"/>{v}</pattern>' for k, v in _PATTERNS.items())
    body = "".join(paths).replace('fill="url(#', f'fill="url(#{uid}-')
    svg = (f'<svg viewBox="{whole}" role="img" aria-label="{esc(title)}"><defs>{defs}</defs>'
           f'<g>{body}</g><g>{"".join(lines)}</g></svg>')
    return (f'<figure class="btchild-map" id="{uid}" lang="{esc(lang)}"><style>{_CSS.format(u=uid)}</style>'
            f'<figcaption><strong>{esc(title)}</strong><br><small>{esc(label("hover_hint", lang))}</small></figcaption>'
            f'{_zoom_buttons(g, frame, lang, whole)}{svg}{legend}'
            f'{f"<p><small>{esc(notes)}</small></p>" if notes else ""}'
            f'<script>{_JS.format(u=uid)}</script></figure>')


def _notes(geo, lang: str, synthetic: bool) -> str:
    from .boundaries import source_text
    out = [label("synthetic_notice", lang)] if synthetic else []
    if geo.attrs.get("schematic"):
        out.append(f"{label('schematic_notice', lang)} ({label('schematic_source', lang)})")
    elif source_text(geo, lang):
        out.append(f"{label('boundary_source', lang)}: {source_text(geo, lang)}")
    return " · ".join(out)


def _place(row) -> str:
    return f"{row['name']} — {row['district_name']}"


def status_svg(assessment: pd.DataFrame, year: int, geo: gpd.GeoDataFrame, district: str | None = None,
               lang: str = "vi", synthetic: bool = False) -> str:
    """Child-friendly status by commune as an offline interactive map (HTML snippet).

    Hover text: commune — district, status, total points against the pass mark.
    """
    g = maps._prepare(geo, district)
    a = assessment[assessment["year"].astype(int) == int(year)]
    g = g.merge(a[["commune_code", "status", "total", "threshold"]], left_on="code", right_on="commune_code", how="left")
    g["status"] = g["status"].fillna("no_sheet")
    fills = [f"url(#{_STATUS_PATTERN[s]})" if s in _STATUS_PATTERN else STATUS_COLOURS[s] for s in g["status"]]
    titles = []
    for _, r in g.iterrows():
        text = f"{_place(r)}\n{label('status_' + r['status'], lang)}"
        if pd.notna(r["total"]):
            text += f": {num(r['total'], lang, 0)} {label('score', lang)} ({label('pass_mark', lang)} {num(r['threshold'], lang, 0)})"
        titles.append(text)
    counts = g["status"].value_counts()
    legend = _legend([(_SWATCH[_STATUS_PATTERN[k]] if k in _STATUS_PATTERN else STATUS_COLOURS[k], label("status_" + k, lang),
                       int(counts.get(k, 0))) for k in STATUS_COLOURS if k != "no_sheet" or counts.get(k, 0)])
    title = f"{label('status_title', lang)} — {maps._area_name(g, district, lang)}, {year}"
    return _document(g, fills, titles, legend, title, lang, _notes(geo, lang, synthetic))


def _value_text(r, ind, lang: str) -> str:
    if pd.isna(r["value"]):
        return label("no_data", lang)
    text = f"{num(r['value'], lang)} {ind.unit_label(lang)}"
    if ind.interval != "none" and pd.notna(r.get("ci_low")) and pd.notna(r.get("ci_high")):
        text += f" ({label('interval_short', lang)}: {span(r['ci_low'], r['ci_high'], lang)})"
    if isinstance(r.get("base_mark"), str) and r["base_mark"].strip():
        text += f" {r['base_mark'].strip()}"
    for t in ind.targets:
        if t.year == 2020:
            verdict = label("target_met" if t.met(float(r["value"])) else "target_not_met", lang)
            text += f"\n{label('target', lang)} {t.year} {op_text(t.op, lang)} {num(t.value, lang, 1)}: {verdict}"
    return text


def indicator_svg(values: pd.DataFrame, indicator_id: str, period: str, geo: gpd.GeoDataFrame,
                  district: str | None = None, lang: str = "vi", bins: list[float] | None = None,
                  synthetic: bool = False) -> str:
    """An indicator by commune in the static map's classes as an offline interactive map (HTML snippet).

    Hover text: commune — district, value with its 95% interval (and small-base mark), the 2020
    target and whether the value meets it.
    """
    ind = indicator(indicator_id)
    allv = values[values["indicator"] == indicator_id]
    bins = bins if bins is not None else maps.fixed_breaks(allv["value"], indicator_id)
    cols = [c for c in ("unit_code", "value", "ci_low", "ci_high", "base_mark") if c in allv]
    v = allv[allv["period"].astype(str) == str(period)][cols]
    g = maps._prepare(geo, district).merge(v, left_on="code", right_on="unit_code", how="left")
    cls = maps.classify(g["value"], bins)
    cmap = plt.get_cmap(maps.SEQ_CMAP if ind.direction == "higher" else maps.SEQ_CMAP + "_r", max(len(bins), 2))
    colours = [mcolors.to_hex(cmap(i / max(len(bins) - 1, 1))) for i in range(len(bins))]
    fills = [colours[c] if c >= 0 else "url(#dots)" for c in cls]
    titles = [f"{_place(r)}\n{_value_text(r, ind, lang)}" for _, r in g.iterrows()]
    lo = float(np.nanmin(allv["value"])) if allv["value"].notna().any() else 0.0
    items = [(c, t, int((cls == i).sum())) for i, (c, t) in enumerate(zip(colours, maps._class_labels(bins, lo, lang)))]
    legend = _legend(items + [(_SWATCH["dots"], label("no_data", lang), int((cls == -1).sum()))])
    title = f"{ind.label(lang)} ({ind.unit_label(lang)}) — {maps._area_name(g, district, lang)}, {period}"
    return _document(g, fills, titles, legend, title, lang, _notes(geo, lang, synthetic))

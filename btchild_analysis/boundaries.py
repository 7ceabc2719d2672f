"""Boundaries: read any polygon file and key it by GSO code, dissolve to later vintages, or build the
schematic hexagon layout used when no file is given.

No boundary polygons ship with the project.  Users pass a file (GeoJSON, GeoPackage, Shapefile; any
CRS, VN-2000 included) — by path, notebook parameter, run spec, or the ``BTCHILD_BOUNDARIES``
environment variable.  Without one, maps use :func:`schematic`, and say so.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Polygon

from . import admin_units
from ._resources import load_yaml
from .errors import BoundaryError
from .i18n import label

PLOT_CRS = "EPSG:32648"  # UTM 48N, metres: Bến Tre lies in it
ENV_VAR = "BTCHILD_BOUNDARIES"


@dataclass
class BoundaryMatch:
    """How a boundary file's features were joined to the register."""

    by_code: int
    by_name: int
    unmatched_features: pd.DataFrame  # file rows that matched no unit
    units_without_boundary: list[str]  # register codes with no polygon

    @property
    def ok(self) -> bool:
        return self.unmatched_features.empty and not self.units_without_boundary

    def text(self) -> str:
        lines = [f"matched by code: {self.by_code}", f"matched by name: {self.by_name}",
                 f"features unmatched: {len(self.unmatched_features)}",
                 f"units without a boundary: {len(self.units_without_boundary)}"]
        for _, r in self.unmatched_features.iterrows():
            lines.append(f"  unmatched feature {r['feature']}: {r['label']}")
        for c in self.units_without_boundary:
            lines.append(f"  no boundary for unit {c}")
        return "\n".join(lines)


def _as_codes(values: pd.Series) -> pd.Series:
    """Attribute values read as GSO codes, the way submissions are (:func:`io.normalise_code`)."""
    from .io import normalise_code
    return values.map(normalise_code)


def _code_field(gdf: pd.DataFrame, codes: set[str]) -> str | None:
    best, score = None, 0.0
    for col in gdf.columns:
        if col == "geometry":
            continue
        share = _as_codes(gdf[col]).isin(codes).mean()
        if share > score:
            best, score = col, share
    return best if score >= 0.5 else None


def _name_fields(gdf: pd.DataFrame, on) -> tuple[str | None, str | None]:
    best, score = None, 0.0
    for col in gdf.columns:
        if col == "geometry" or gdf[col].dtype.kind not in "OUT":
            continue
        share = 1 - len(admin_units.match_names(gdf[col].astype(str).head(40), on=on).unmatched) / min(len(gdf), 40)
        if share > score:
            best, score = col, share
    return (best if score >= 0.3 else None), _district_field(gdf, best)


def _district_field(gdf: pd.DataFrame, commune_field: str | None) -> str | None:
    """The column naming each feature's district: most values are district names and it holds more
    than one of them (a column with one value for every feature, e.g. the province, is never it)."""
    keys = {admin_units.district_key(n) for n in admin_units.districts()["district_name"]}
    best, share = None, 0.5
    for col in gdf.columns:
        if col in ("geometry", commune_field) or gdf[col].dtype.kind not in "OUT":
            continue
        vals = gdf[col].astype(str).map(admin_units.district_key)
        hit = vals.isin(keys)
        if vals[hit].nunique() > 1 and hit.mean() > share:
            best, share = col, hit.mean()
    return best


def _read_any(path, encoding: str | None) -> gpd.GeoDataFrame:
    """Read a vector file; a legacy attribute encoding is decoded here, not by GDAL.

    GDAL's own recoding cuts strings whose tone marks are combining characters (Windows-1258), so the
    bytes are read as Latin-1 and decoded in Python, then put in NFC.
    """
    if not encoding or encoding.lower().replace("-", "") in ("utf8", "utf8sig"):
        return gpd.read_file(path)
    gdf = gpd.read_file(path, encoding="latin1")

    def fix(v):
        return admin_units.nfc(v.encode("latin1").decode(encoding)) if isinstance(v, str) else v

    gdf = gdf.rename(columns={c: fix(c) for c in gdf.columns if c != "geometry"})
    for col in gdf.columns:
        if col != "geometry" and gdf[col].dtype.kind in "OUT":
            gdf[col] = gdf[col].map(fix)
    return gdf


def read_boundaries(path: str | Path | None = None, on: object = "2013-04-06", code_field: str | None = None,
                    name_field: str | None = None, district_field: str | None = None,
                    encoding: str | None = None, allow_unmatched: bool = False, licence: str | None = None,
                    source_year: int | None = None) -> tuple[gpd.GeoDataFrame, BoundaryMatch]:
    """Read a boundary file and key it by GSO code.

    Parameters
    ----------
    path : path, optional
        GeoJSON, GeoPackage or Shapefile; default the ``BTCHILD_BOUNDARIES`` environment variable.
    on : date or year
        Vintage of the polygons (the 2013 units by default).
    code_field, name_field, district_field : str, optional
        Columns to use; found automatically when not given (a column of GSO codes is preferred;
        else commune names, matched within their district through :func:`admin_units.match_names`).
    encoding : str, optional
        Attribute encoding of a legacy Shapefile without a ``.cpg`` (e.g. ``"cp1258"``).
    allow_unmatched : bool
        Go on when features or units are unmatched (they are reported, and units without a polygon
        appear as "no boundary" on maps); by default that raises :class:`BoundaryError`.
    licence, source_year : optional
        Licence and year of the file for the maps' source line (default: ``data/boundary_sources.yaml``
        for a known file name, else "licence not stated" and the year of ``on``).

    Returns
    -------
    (GeoDataFrame in EPSG:4326 with ``code`` and the register's columns, BoundaryMatch)
    """
    path = path or os.environ.get(ENV_VAR)
    if not path:
        raise BoundaryError(f"no boundary file given (pass a path or set {ENV_VAR})")
    try:
        gdf = _read_any(path, encoding)
    except Exception as exc:
        raise BoundaryError(f"{path}: cannot be read as a boundary file ({type(exc).__name__}: {exc})") from None
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise BoundaryError(f"{path}: no coordinate reference system and the coordinates are not degrees; "
                                f"add a .prj file or set the CRS")
        gdf = gdf.set_crs(4326)
    gdf = gdf.to_crs(4326)
    units = admin_units.units(on)
    codes = set(units["code"])
    code_field = code_field or _code_field(gdf, codes)
    feature_label = pd.Series([" | ".join(map(str, row)) for row in gdf.drop(columns="geometry").itertuples(index=False)],
                              index=gdf.index)
    by_code = by_name = 0
    if code_field:
        key = _as_codes(gdf[code_field])
        key = key.where(key.isin(codes))
        by_code = int(key.notna().sum())
    else:
        if not name_field:
            name_field, auto_district = _name_fields(gdf, on)
            district_field = district_field or auto_district
        if not name_field:
            raise BoundaryError(f"{path}: found neither a column of GSO commune codes nor of commune names")
        m = admin_units.match_names(gdf[name_field].tolist(),
                                 gdf[district_field].tolist() if district_field else None, on=on).table
        key = pd.Series(m["code"].to_numpy(), index=gdf.index)
        by_name = int(key.notna().sum())
    dup = key[key.notna() & key.duplicated(keep=False)]
    if len(dup):
        raise BoundaryError(f"{path}: several features for unit(s) {', '.join(sorted(set(dup)))}")
    unmatched = pd.DataFrame({"feature": gdf.index[key.isna()], "label": feature_label[key.isna()].to_numpy()})
    missing = sorted(codes - set(key.dropna()))
    report = BoundaryMatch(by_code, by_name, unmatched, missing)
    if not report.ok and not allow_unmatched:
        raise BoundaryError(f"{path}: the join to the register is incomplete\n{report.text()}")
    out = gpd.GeoDataFrame({"code": key.to_numpy()}, geometry=gdf.geometry.to_numpy(), crs=4326)
    out = out[out["code"].notna()].merge(units, on="code", how="left")
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=4326)
    out.attrs.update(schematic=False, missing=list(missing),
                     **source_attrs(Path(str(path)).name, licence, source_year, admin_units.vintage_of(on)))
    return out, report


def source_attrs(name: str, licence: str | None = None, year: object = None, default_year: object = None) -> dict:
    """``source``, ``source_year``, ``licence`` and ``credit`` of a boundary file (known files from
    ``data/boundary_sources.yaml``; the arguments win, ``default_year`` comes last)."""
    known = (load_yaml("boundary_sources.yaml") or {}).get(name, {})
    year = year or known.get("year") or default_year
    return {"source": name, "source_year": None if year is None else str(year),
            "licence": licence or known.get("licence"), "credit": {k: known[k] for k in ("vi", "en") if k in known}}


def source_text(geo: gpd.GeoDataFrame, lang: str = "vi") -> str | None:
    """The boundary source line of a map: file, year of the units, licence, credit (None if schematic).

    >>> g = gpd.GeoDataFrame(geometry=[]); g.attrs.update(source_attrs("x.gpkg", None, None, 2013))
    >>> source_text(g, "en"), source_text(g, "vi")
    ('x.gpkg, 2013 units, licence not stated', 'x.gpkg, đơn vị năm 2013, giấy phép chưa rõ')
    """
    a = geo.attrs
    if a.get("schematic") or not a.get("source"):
        return None
    year = label("units_of_year", lang, year=a.get("source_year"))
    lic = f"{label('licence', lang)} {a['licence']}" if a.get("licence") else label("licence_unknown", lang)
    credit = (a.get("credit") or {}).get(lang)
    parts = [a["source"], year if a.get("source_year") else None, lic, credit]
    return ", ".join(p for p in parts if p)


def dissolve(geo: gpd.GeoDataFrame, to_vintage: object) -> gpd.GeoDataFrame:
    """Dissolve polygons of one vintage (e.g. the 164 units of 2013) to a later one through the crosswalk."""
    from_v = geo["vintage"].iloc[0] if "vintage" in geo else "2013"
    cw = admin_units.crosswalk(from_v, to_vintage)
    g = geo[["code", "geometry"]].merge(cw[["from_code", "to_code"]], left_on="code", right_on="from_code")
    d = g.dissolve(by="to_code", as_index=False)[["to_code", "geometry"]].rename(columns={"to_code": "code"})
    merged = d["code"].isin(cw.loc[cw["to_code"].duplicated(keep=False), "to_code"])
    if merged.any() and geo.crs is not None:
        d.loc[merged, "geometry"] = close_slivers(d.loc[merged, "geometry"].set_crs(geo.crs, allow_override=True))
    units = admin_units.units(admin_units.VINTAGES[admin_units.vintage_key(to_vintage)])
    out = gpd.GeoDataFrame(d.merge(units, on="code", how="left"), geometry="geometry", crs=geo.crs)
    out.attrs.update(geo.attrs)
    if geo.attrs.get("missing"):  # a later unit with a part lacking its polygon is drawn incomplete
        gone = set(geo.attrs["missing"])
        out.attrs["missing"] = sorted(set(cw.loc[cw["from_code"].isin(gone), "to_code"]))
    return out


def close_slivers(geoms: gpd.GeoSeries, snap: float = 150.0, max_hole_km2: float = 1.0) -> gpd.GeoSeries:
    """Merged units without the gaps and sliver holes left where their parts did not share edges.

    Each geometry is buffered out and back in by ``snap`` metres (in :data:`PLOT_CRS`), which joins
    parts less than ``2·snap`` apart, and holes smaller than ``max_hole_km2`` are filled; returned in
    the input CRS.
    """
    from shapely.geometry import MultiPolygon
    m = geoms.to_crs(PLOT_CRS).buffer(snap, join_style="mitre").buffer(-snap, join_style="mitre")

    def fill(geom):
        polys = [Polygon(p.exterior, [r for r in p.interiors if Polygon(r).area > max_hole_km2 * 1e6])
                 for p in getattr(geom, "geoms", [geom])]
        return polys[0] if len(polys) == 1 else MultiPolygon(polys)
    return gpd.GeoSeries([fill(x) for x in m], index=geoms.index, crs=PLOT_CRS).to_crs(geoms.crs)


def _hex(cx: float, cy: float, r: float) -> Polygon:
    ang = np.deg2rad(np.arange(6) * 60 + 30)
    return Polygon(np.c_[cx + r * np.cos(ang), cy + r * np.sin(ang)])


def hex_centres(bounds: tuple[float, float, float, float], r: float) -> np.ndarray:
    """Centres of a pointy-top hexagon grid with circumradius ``r`` covering ``bounds``."""
    minx, miny, maxx, maxy = bounds
    w, h = np.sqrt(3) * r, 1.5 * r
    rows = int(np.ceil((maxy - miny) / h)) + 3
    cols = int(np.ceil((maxx - minx) / w)) + 3
    ys = miny - h + np.arange(rows) * h
    pts = [(minx - w + c * w + (w / 2 if i % 2 else 0), y) for i, y in enumerate(ys) for c in range(cols)]
    return np.array(pts)


def assign_cells(points: np.ndarray, cells: np.ndarray, k: int = 32) -> np.ndarray:
    """Index of the cell given to each point (each cell to at most one point).

    Up to ~4 million point-cell pairs (a province) the assignment is optimal: it minimises the total
    squared displacement (:func:`scipy.optimize.linear_sum_assignment`).  Larger problems (national
    scale) take a greedy assignment over each point's nearest free cells (:class:`scipy.spatial.cKDTree`),
    which keeps neighbours together at a fraction of the cost.
    """
    from scipy.optimize import linear_sum_assignment
    from scipy.spatial import cKDTree

    n, m = len(points), len(cells)
    if n > m:
        raise ValueError(f"{n} points but only {m} cells")
    if n * m <= 4_000_000:
        cost = ((points[:, None, :] - cells[None, :, :]) ** 2).sum(-1)
        rows, cols = linear_sum_assignment(cost)
        out = np.empty(n, dtype=int)
        out[rows] = cols
        return out
    tree = cKDTree(cells)
    dist, idx = tree.query(points, k=min(k, m))
    taken = np.zeros(m, dtype=bool)
    out = np.full(n, -1)
    for i in np.argsort(dist[:, 0], kind="stable"):
        free = idx[i][~taken[idx[i]]]
        kk = idx.shape[1]
        while len(free) == 0:  # all k nearest taken: widen the search for this point
            kk = min(kk * 4, m)
            _, wide = tree.query(points[i], k=kk)
            free = wide[~taken[wide]]
        out[i] = free[0]
        taken[free[0]] = True
    return out


def schematic(on: object = "2013-04-06", units: pd.DataFrame | None = None, spacing: float = 1.0) -> gpd.GeoDataFrame:
    """The schematic layout: one equal hexagon per unit, near its true centroid, neighbours kept together.

    Parameters
    ----------
    on : date or year
        Vintage of the units (ignored when ``units`` is given).
    units : DataFrame, optional
        Any units with ``code, lat, lon`` (used by the national-scale benchmark).
    spacing : float
        Cell size relative to the mean area per unit (1 = cells tile the area the units cover).

    Returns
    -------
    GeoDataFrame in UTM 48N (EPSG:32648) with the register's columns; ``attrs["schematic"]`` is True.
    """
    units = admin_units.units(on) if units is None else units.reset_index(drop=True)
    pts = gpd.GeoSeries(gpd.points_from_xy(units["lon"], units["lat"]), crs=4326).to_crs(PLOT_CRS)
    xy = np.c_[pts.x, pts.y]
    minx, miny = xy.min(0)
    maxx, maxy = xy.max(0)
    area = max((maxx - minx) * (maxy - miny), 1.0)
    r = spacing * np.sqrt(area / len(units) / (1.5 * np.sqrt(3))) * 0.75
    cells = hex_centres((minx, miny, maxx, maxy), r)
    pick = assign_cells(xy, cells)
    geom = [_hex(cx, cy, r) for cx, cy in cells[pick]]
    out = gpd.GeoDataFrame(units.copy(), geometry=geom, crs=PLOT_CRS)
    out.attrs.update(schematic=True, source="schematic")
    return out


def get_geometry(boundaries: str | Path | None = None, on: object = "2013-04-06") -> gpd.GeoDataFrame:
    """Polygons for the vintage of ``on``: from a 2013 boundary file (dissolved when needed) or schematic.

    ``boundaries`` None falls back to the ``BTCHILD_BOUNDARIES`` environment variable, then to the
    schematic layout.  The result is kept in the process (:data:`GEOMETRY_CACHE` entries, keyed by
    the file's path, size and modification time and the vintage) and a copy returned: a report kernel
    kept warm reads and dissolves a boundary file once, and a changed file is read again.
    """
    path = boundaries or os.environ.get(ENV_VAR)
    vintage = admin_units.vintage_of(on)
    key = ("schematic", vintage) if not path else (str(path), *_stat(path), vintage)
    if key not in _GEOMETRY:
        _GEOMETRY[key] = _geometry(path, on, vintage)
        while len(_GEOMETRY) > GEOMETRY_CACHE:
            _GEOMETRY.pop(next(iter(_GEOMETRY)))
    return _GEOMETRY[key].copy()   # a caller may add columns: the kept one stays as made


#: Geometries kept per process (a warm report kernel draws the same map for report after report),
#: keyed by the file's path, size and modification time and the vintage: a changed file is re-read.
GEOMETRY_CACHE = 4
_GEOMETRY: dict[tuple, gpd.GeoDataFrame] = {}


def _stat(path) -> tuple[int, int]:
    try:
        st = Path(path).stat()
    except OSError:       # read_boundaries says what is wrong with it
        return -1, -1
    return st.st_size, st.st_mtime_ns


def _geometry(path, on: object, vintage: str) -> gpd.GeoDataFrame:
    if not path:
        return schematic(on)
    geo, _ = read_boundaries(path, on="2013-04-06", allow_unmatched=True)
    return geo if vintage == "2013" else dissolve(geo, vintage)

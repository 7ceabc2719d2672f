"""Boundaries and figures, checked in the geopandas manner: artists, colours, legend entries, labels."""
import geopandas as gpd
import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest

from btchild_analysis import boundaries as B
from btchild_analysis import indicators as I
from btchild_analysis import maps, plots, admin_units
from btchild_analysis.errors import BoundaryError
from btchild_analysis.style import NOTICE_KEY, STATUS_COLOURS


def test_real_boundaries_join_164_of_164_and_dissolve_to_157(boundary_file):
    geo, rep = B.read_boundaries(boundary_file)
    assert rep.by_code == 164 and rep.ok and len(geo) == 164
    d20 = B.dissolve(geo, "2020")
    assert len(d20) == 157 and set(d20["code"]) == set(admin_units.units("2020-02-01")["code"])
    d24 = B.dissolve(geo, "2024")
    assert len(d24) == 148
    # area is kept: dissolving changes the pieces, not the province
    assert d20.to_crs(B.PLOT_CRS).area.sum() == pytest.approx(geo.to_crs(B.PLOT_CRS).area.sum(), rel=0.01)


def test_dissolved_units_have_no_sliver_holes_or_split_parts(boundary_file):
    geo, _ = B.read_boundaries(boundary_file)
    singles = sum(g.geom_type == "MultiPolygon" for g in geo.geometry)  # 1 commune of 2013 is in two parts
    for vintage in ("2020", "2024"):
        d = B.dissolve(geo, vintage).to_crs(B.PLOT_CRS)
        holes = sum(len(p.interiors) for g in d.geometry for p in getattr(g, "geoms", [g]))
        multi = sum(g.geom_type == "MultiPolygon" for g in d.geometry)
        assert holes == 0 and multi <= singles  # a plain dissolve leaves 3 holes and 3 split units in 2024
        assert d.area.sum() == pytest.approx(geo.to_crs(B.PLOT_CRS).area.sum(), rel=0.005)


def test_join_by_names_in_vn2000_with_nfd_and_no_codes(boundary_file, tmp_path):
    import unicodedata
    geo = gpd.read_file(boundary_file)[["ten_xa", "ten_huyen", "geometry"]]
    geo["ten_xa"] = [unicodedata.normalize("NFD", n) if i % 2 else admin_units.fold(n) if i % 3 == 0 else n
                     for i, n in enumerate(geo["ten_xa"])]
    path = tmp_path / "vn2000.gpkg"
    geo.to_crs("EPSG:3405").to_file(path)  # VN-2000 / UTM zone 48N
    out, rep = B.read_boundaries(path)
    assert rep.by_name == 164 and rep.ok
    assert out.crs.to_epsg() == 4326
    assert set(out["code"]) == set(admin_units.units(2013)["code"])


def test_unmatched_units_are_refused_unless_asked(boundary_file, tmp_path):
    geo = gpd.read_file(boundary_file)
    geo = geo[geo["ma_xa"] != "28756"]
    path = tmp_path / "part.geojson"
    geo.to_file(path)
    with pytest.raises(BoundaryError, match="no boundary for unit 28756"):
        B.read_boundaries(path)
    out, rep = B.read_boundaries(path, allow_unmatched=True)
    assert rep.units_without_boundary == ["28756"] and len(out) == 163
    fig = maps.status_map(pd.DataFrame(columns=["commune_code", "year", "status"]), 2015, out, lang="en")
    assert "No boundary (1): 28756" in getattr(fig, NOTICE_KEY)


def test_schematic_layout_one_equal_cell_per_unit_near_its_place():
    s = B.schematic(2013)
    assert len(s) == 164 and s["code"].is_unique and s.attrs["schematic"]
    areas = s.area
    assert areas.max() / areas.min() == pytest.approx(1.0)
    assert s.union_all().area == pytest.approx(areas.sum(), rel=1e-6)  # cells do not overlap
    pts = gpd.GeoSeries(gpd.points_from_xy(s["lon"], s["lat"]), crs=4326).to_crs(B.PLOT_CRS)
    displacement = s.geometry.centroid.distance(pts, align=False)
    assert np.median(displacement) < 5000  # metres


def test_assign_cells_matches_dense_solver():
    rng = np.random.default_rng(3)
    pts = rng.uniform(0, 10, (30, 2))
    cells = B.hex_centres((0, 0, 10, 10), 1.0)
    dense = B.assign_cells(pts, cells)
    from scipy.optimize import linear_sum_assignment
    cost = ((pts[:, None] - cells[None]) ** 2).sum(-1)
    r, c = linear_sum_assignment(cost)
    assert cost[np.arange(30), dense].sum() == pytest.approx(cost[r, c].sum())
    assert len(set(dense)) == 30


def polygons_by_colour(ax):
    """Number of polygons drawn in each face colour (geopandas draws one collection per call)."""
    out = {}
    for coll in ax.collections:
        fcs = coll.get_facecolors()
        if len(fcs) == 0 or not hasattr(coll, "get_paths"):
            continue
        for i, _ in enumerate(coll.get_paths()):
            key = mcolors.to_hex(fcs[min(i, len(fcs) - 1)])
            out[key] = out.get(key, 0) + 1
    return out


def test_status_map_colours_legend_title_and_notices(dataset):
    a = dataset.assessment()
    geo = B.schematic(2020)
    fig = maps.status_map(a, 2020, geo, synthetic=True)
    ax = fig.axes[0]
    y = a[a["year"] == 2020]["status"].value_counts()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"Đạt ({y['met']})" in labels and f"Chưa đạt ({y['not_met']})" in labels
    cols = polygons_by_colour(ax)
    assert cols[STATUS_COLOURS["met"].lower()] == y["met"]
    assert cols[STATUS_COLOURS["not_met"].lower()] == y["not_met"]
    assert ax.get_title().endswith("Tỉnh Bến Tre, 2020")
    notes = getattr(fig, NOTICE_KEY)
    assert any("Dữ liệu mô phỏng" in n for n in notes) and any("Sơ đồ — không phải bản đồ ranh giới" in n for n in notes)
    texts = [t.get_text() for t in ax.texts]
    assert "Ba Tri" in texts and "TP Bến Tre" in texts


def test_status_map_english_for_a_district_on_real_boundaries(dataset, boundary_file):
    geo = B.get_geometry(boundary_file, 2016)
    fig = maps.status_map(dataset.assessment(), 2016, geo, district="836", lang="en")
    ax = fig.axes[0]
    assert ax.get_title() == "Child-friendly communes — Huyện Ba Tri, 2016"
    cols = polygons_by_colour(ax)
    n = sum(cols.get(STATUS_COLOURS[k].lower(), 0) for k in ("met", "not_met", "insufficient_data"))
    assert n == len(admin_units.units(2016).query("district_code == '836'"))
    notes = getattr(fig, NOTICE_KEY)
    assert notes == ["Boundaries: ben_tre_communes_2013_censusVN2009.geojson, 2013 units, licence MIT, "
                     "R package censusVN2009 (M. Choisy, L. Contamin)"]


def test_legacy_encoded_shapefile_joined_by_names(boundary_file, tmp_path):
    geo = gpd.read_file(boundary_file)[["ten_xa", "ten_huyen", "geometry"]].head(30)
    path = tmp_path / "communes.shp"
    geo.to_file(path, encoding="cp1258")
    (tmp_path / "communes.cpg").unlink(missing_ok=True)  # a legacy file says nothing of its encoding
    out, rep = B.read_boundaries(path, encoding="cp1258", allow_unmatched=True)
    assert rep.by_name == 30 and len(rep.units_without_boundary) == 164 - 30
    assert set(out["name"]) == set(geo["ten_xa"])


def test_indicator_map_fixed_breaks_target_break_and_no_data(dataset):
    c = I.compute(dataset.all_elements(), "commune", vintage="2020", which=["stunting_u5"])
    bins = maps.fixed_breaks(c["value"], "stunting_u5")
    assert 20 in bins  # the 2020 target is a class break
    geo = B.schematic(2020)
    f1 = maps.indicator_map(c, "stunting_u5", "2013", geo, synthetic=True)
    f2 = maps.indicator_map(c, "stunting_u5", "2024", geo, synthetic=True)
    assert f1.btchild_bins == f2.btchild_bins == bins  # years compare
    c2 = c[~((c["period"] == "2024") & (c["unit_code"] == "28756"))]
    missing = 157 - c2.loc[c2["period"] == "2024", "unit_code"].nunique()
    f3 = maps.indicator_map(c2, "stunting_u5", "2024", geo)
    labels = [t.get_text() for t in f3.axes[0].get_legend().get_texts()]
    assert labels[-1] == f"Không có số liệu ({missing})" and missing >= 1
    counts = [int(t.split("(")[-1].rstrip(")")) for t in labels]
    assert sum(counts) == 157


def test_indicator_map_all_values_equal():
    geo = B.schematic(2013)
    v = pd.DataFrame({"unit_code": geo["code"], "period": "2015", "indicator": "preschool_universal_5y", "value": 100.0})
    fig = maps.indicator_map(v, "preschool_universal_5y", "2015", geo)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[0].endswith("(164)")


def test_change_map_and_small_multiples(dataset):
    c = I.compute(dataset.all_elements(), "commune", vintage="2020", which=["kindergarten_enrolment"])
    geo = B.schematic(2020)
    fig = maps.change_map(c, "kindergarten_enrolment", "2013", "2024", geo, lang="en")
    assert fig.axes[0].get_title().startswith("Change: ")
    edges = fig.btchild_bins
    assert len(edges) == 8 and edges[3] == -0.5 and edges[4] == 0.5  # centred on zero
    assert edges == [-e for e in edges[::-1]]
    legend = fig.axes[0].get_legend()
    assert "purple = improvement" in legend.get_title().get_text()
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts[3].startswith("No change") and texts[-1].startswith("No data")
    # the highest class (largest rise) of an indicator where higher is better is purple, the lowest orange
    first, last = legend.get_patches()[0].get_facecolor(), legend.get_patches()[6].get_facecolor()
    assert last[2] > last[0] and first[0] > first[2]
    mid = legend.get_patches()[3].get_facecolor()
    assert mid[0] == pytest.approx(mid[1]) == pytest.approx(mid[2])  # "no change" is grey
    fig = maps.change_map(I.compute(dataset.all_elements(), "commune", vintage="2020", which=["stunting_u5"]),
                          "stunting_u5", "2013", "2024", geo, lang="en")
    first = fig.axes[0].get_legend().get_patches()[0].get_facecolor()
    assert first[2] > first[0]  # where lower is better, the largest fall is purple
    fig = maps.small_multiples(c, "kindergarten_enrolment", ["2013", "2016", "2020", "2024"], geo)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["2013", "2016", "2020", "2024"]


def test_charts(dataset):
    vals = I.compute_all(dataset.all_elements(), which=["stunting_u5"])
    fig = plots.trend_chart(vals[vals["level"] == "province"], "stunting_u5", synthetic=True, lang="en")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts]
    assert "Target 2015: < 22.5" in labels and "Target 2020: ≤ 20" in labels
    assert len(ax.lines[0].get_xdata()) == 13  # 2012–2024
    fig = plots.district_comparison(vals, "stunting_u5", "2020")
    assert len(fig.axes[0].get_yticklabels()) == 9
    fig = plots.criterion_heatmap(dataset.scores, 2020, admin_units.units(2020))
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()][0] == "TC 1"  # the key names it
    assert fig.btchild_key.iloc[0].tolist() == ["Tiêu chí 1", "Nguồn lực thực hiện quyền trẻ em"]
    cells = [t.get_text() for t in fig.axes[0].texts]
    assert len(cells) == 9 * 13 and all(c.isdigit() for c in cells)  # a share (%) written in every cell
    fig = plots.completeness_chart(dataset.submission_dates, ["2015", "2016"])
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert sum(heights) == pytest.approx(100 * 2)  # percentages of the reports due


def test_gadm_style_layout_province_column_is_never_the_district(boundary_file, tmp_path):
    """NAME_1 province (one value), NAME_2 district, NAME_3 commune, no codes: joined by names."""
    import geopandas as gpd

    from btchild_analysis import boundaries as bnd

    g = gpd.read_file(boundary_file)
    gadm = gpd.GeoDataFrame({"NAME_1": "Bến Tre", "NAME_2": g["ten_huyen"].str.replace("Huyện ", "", regex=False),
                             "NAME_3": g["ten_xa"]}, geometry=g.geometry, crs=g.crs)
    # the province column first, so that a first-match rule would take it
    path = tmp_path / "gadm.geojson"
    gadm.to_file(path, driver="GeoJSON")
    assert bnd._district_field(gadm.drop(columns="geometry"), "NAME_3") == "NAME_2"
    geo, report = bnd.read_boundaries(path, allow_unmatched=True)
    assert report.ok and len(geo) == 164


def test_geometry_is_kept_per_process_but_a_changed_file_is_read_again(boundary_file, tmp_path):
    """A warm report kernel reads a boundary file once; a copy is returned; an edited file is re-read."""
    import os
    import shutil
    path = tmp_path / "communes.geojson"
    shutil.copyfile(boundary_file, path)
    assert len(B.get_geometry(path, 2013)) == 164
    first = B.get_geometry(path, 2020)
    assert len(first) == 157                                       # dissolved to the units of 2020
    first["extra"] = 1
    first.attrs["source"] = "changed by a caller"
    again = B.get_geometry(path, 2020)
    assert "extra" not in again and again.attrs.get("source") != "changed by a caller"
    # the file changes (one commune dropped), same path: never the kept geometry
    gdf = gpd.read_file(path)
    gdf.iloc[1:].to_file(path, driver="GeoJSON")
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert len(B.get_geometry(path, 2013)) == 163

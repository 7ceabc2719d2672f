"""Every commune identifiable on every map: numbers with a key at province scale, short names at district
scale, no overlapping labels; district lines without fragments, a scale bar, the source line, the
schematic note under the title, holes unlike any class, alt text in the page language."""
import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest

from btchild_analysis import boundaries as B
from btchild_analysis import indicators as I
from btchild_analysis import maps, admin_units
from btchild_analysis.style import NOTICE_KEY


def commune_labels(ax):
    return [t for t in ax.texts if t.get_gid() == "commune-label"]


def overlapping_pairs(fig, ax):
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(r) for t in ax.texts if t.get_gid() in ("commune-label", "district-label", "scalebar")]
    return [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]


@pytest.fixture(scope="module")
def real2013(boundary_file):
    return B.get_geometry(boundary_file, 2013)


@pytest.fixture(scope="module")
def assessment(dataset):
    return dataset.assessment()


def test_province_status_map_numbers_every_commune_with_a_key(assessment):
    fig = maps.status_map(assessment, 2020, B.schematic(2020), lang="en")
    ax = fig.axes[0]
    units = admin_units.units(2020).sort_values(["district_code", "code"])
    assert sorted(int(t.get_text()) for t in commune_labels(ax)) == list(range(1, 158))
    key = fig.btchild_key
    assert list(key.columns) == ["No.", "Commune", "District", "Commune code"]
    assert key["Commune"].tolist() == units["name"].tolist() and key["No."].tolist() == list(range(1, 158))
    # the number written on a commune's cell is its row of the key
    geo = B.schematic(2020).set_index("code")
    number = dict(zip(key["Commune code"], key["No."]))
    for code in ("28756", units["code"].iloc[-1]):
        t = next(t for t in commune_labels(ax) if t.get_text() == str(number[code]))
        near = geo.geometry[code].buffer(2000).contains(__import__("shapely").Point(t.get_position()))
        leader = any(ln.get_gid() == "leader" and np.allclose(ln.get_xydata()[-1], t.get_position()) for ln in ax.lines)
        assert near or leader
    assert maps.key_table(B.schematic(2020), "836", "vi").columns.tolist() == ["Số", "Xã", "Huyện", "Mã xã"]


def test_no_overlapping_labels_at_province_scale_on_real_boundaries(assessment, real2013):
    fig = maps.status_map(assessment, 2015, real2013)
    ax = fig.axes[0]
    assert len(commune_labels(ax)) == 164
    assert overlapping_pairs(fig, ax) == []


def test_no_overlapping_labels_on_the_schematic_layout(assessment):
    fig = maps.status_map(assessment, 2020, B.schematic(2020))
    assert overlapping_pairs(fig, fig.axes[0]) == []


def test_district_scale_short_names(assessment, real2013):
    fig = maps.status_map(assessment, 2015, real2013, district="Huyện Ba Tri")
    names = {t.get_text() for t in commune_labels(fig.axes[0])}
    ba_tri = admin_units.units(2013).query("district_code == '836'")["name"]
    assert len(names) == len(ba_tri) == 24
    assert "TT Ba Tri" in names and "An Hiệp" in names and not any(n.startswith("Xã ") for n in names)


def test_indicator_change_and_small_multiple_maps_label_every_commune(dataset):
    c = I.compute(dataset.all_elements(), "commune", vintage="2020", which=["kindergarten_enrolment"])
    geo = B.schematic(2020)
    for fig in (maps.indicator_map(c, "kindergarten_enrolment", "2020", geo),
                maps.change_map(c, "kindergarten_enrolment", "2013", "2024", geo)):
        assert len(commune_labels(fig.axes[0])) == 157 and len(fig.btchild_key) == 157
    fig = maps.small_multiples(c, "kindergarten_enrolment", ["2013", "2024"], geo, district="829")
    assert [len(commune_labels(ax)) for ax in fig.axes] == [14, 14]


def test_district_lines_are_whole_rings_not_fragments(assessment, real2013):
    fig = maps.status_map(assessment, 2015, real2013)
    lines = [c for c in fig.axes[0].collections if c.get_gid() == "district-lines"]
    assert len(lines) == 1
    # a plain dissolve of these communes leaves 260 sliver rings; the outline is one ring per district
    assert len(lines[0].get_paths()) == 9


def test_scale_bar_and_source_line_on_real_boundaries_only(assessment, real2013):
    fig = maps.status_map(assessment, 2015, real2013, lang="en")
    ax = fig.axes[0]
    bar = [p for p in ax.patches if p.get_gid() == "scalebar"]
    label = [t.get_text() for t in ax.texts if t.get_gid() == "scalebar"]
    assert label == ["10 km"] and sum(p.get_width() for p in bar) == pytest.approx(10_000)  # metres (UTM 48N)
    src = [n for n in getattr(fig, NOTICE_KEY) if n.startswith("Boundaries:")]
    assert src and "ben_tre_communes_2013_censusVN2009.geojson" in src[0] and "2013" in src[0] and "MIT" in src[0]
    fig = maps.status_map(assessment, 2015, B.schematic(2013))
    assert not [p for p in fig.axes[0].patches if p.get_gid() == "scalebar"]


def test_unknown_boundary_file_says_licence_not_stated(boundary_file, tmp_path):
    import geopandas as gpd
    path = tmp_path / "xa.gpkg"
    gpd.read_file(boundary_file).to_file(path)
    geo, _ = B.read_boundaries(path)
    assert B.source_text(geo, "vi") == "xa.gpkg, đơn vị năm 2013, giấy phép chưa rõ"
    geo, _ = B.read_boundaries(path, licence="CC BY 4.0", source_year=2019)
    assert B.source_text(geo, "en") == "xa.gpkg, 2019 units, licence CC BY 4.0"


def test_schematic_note_under_the_title_and_legible(assessment):
    fig = maps.status_map(assessment, 2020, B.schematic(2020), lang="en")
    ax = fig.axes[0]
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    note = next(t for t in ax.texts if t.get_gid() == "schematic-note")
    assert note.get_text() == "Schematic — not a boundary map" and note.get_fontsize() >= 8
    title, nb, axb = ax.title.get_window_extent(r), note.get_window_extent(r), ax.get_window_extent(r)
    assert title.y0 >= nb.y1 - 0.5 and nb.y0 >= axb.y1 - 1  # below the title, above the map


def test_a_hole_in_the_layout_is_unlike_every_class(assessment):
    fig = maps.status_map(assessment, 2020, B.schematic(2020))
    ax = fig.axes[0]
    background = mcolors.to_hex(ax.get_facecolor())
    for h in ax.get_legend().legend_handles:
        assert mcolors.to_hex(h.get_facecolor()) != background or h.get_hatch()
    for coll in ax.collections:  # a white polygon is a class only with its hatch (the labels' boxes are no class)
        if coll.get_gid() == "commune-label-boxes":
            continue
        if len(coll.get_facecolors()) and mcolors.to_hex(coll.get_facecolors()[0]) == background:
            assert coll.get_hatch()


def test_vietnamese_numbers_and_alt_text(dataset):
    c = I.compute(dataset.all_elements(), "commune", vintage="2020", which=["stunting_u5"])
    geo = B.schematic(2020)
    vi = maps.indicator_map(c, "stunting_u5", "2020", geo, lang="vi")
    en = maps.indicator_map(c, "stunting_u5", "2020", geo, lang="en")
    first_vi = vi.axes[0].get_legend().get_texts()[0].get_text()
    first_en = en.axes[0].get_legend().get_texts()[0].get_text()
    lo, hi = en.btchild_bins[0], en.btchild_bins[1]
    assert "," in first_vi.split("(")[0] and "." not in first_vi.split("(")[0]
    assert first_en.split(" (")[0] == f"{c['value'].min():.1f} – {lo:.1f}" and hi > lo
    assert vi.btchild_alt.startswith("Bản đồ 157 xã của Tỉnh Bến Tre") and "Map" not in vi.btchild_alt
    assert en.btchild_alt.startswith("Map of the 157 communes of Bến Tre province")


def test_units_without_boundary_are_named(boundary_file, tmp_path):
    import geopandas as gpd
    g = gpd.read_file(boundary_file)
    path = tmp_path / "part.geojson"
    g[g["ma_xa"] != "28756"].to_file(path)
    out, _ = B.read_boundaries(path, allow_unmatched=True)
    fig = maps.status_map(pd.DataFrame(columns=["commune_code", "year", "status"]), 2015, out, lang="en")
    assert "No boundary (1): 28756" in getattr(fig, NOTICE_KEY)
    assert len(commune_labels(fig.axes[0])) == 163


def test_above_the_label_limit_a_map_carries_no_labels_and_no_key(assessment, monkeypatch):
    """A national map (thousands of units) is not numbered: placing labels grows quadratically."""
    monkeypatch.setattr(maps, "LABEL_LIMIT", 100)
    fig = maps.status_map(assessment, 2020, B.schematic(2020), lang="en")
    assert commune_labels(fig.axes[0]) == [] and fig.btchild_key is None
    monkeypatch.setattr(maps, "LABEL_LIMIT", 157)
    fig = maps.status_map(assessment, 2020, B.schematic(2020), lang="en")
    assert len(commune_labels(fig.axes[0])) == 157


def test_each_commune_label_sits_on_its_own_white_box(assessment):
    """The labels' boxes are one collection: one box per label, each around its label (at any dpi)."""
    from matplotlib.transforms import Bbox
    fig = maps.status_map(assessment, 2020, B.schematic(2020))
    ax = fig.axes[0]
    labels = commune_labels(ax)
    (boxes,) = [c for c in ax.collections if c.get_gid() == "commune-label-boxes"]
    assert len(boxes.get_paths()) == len(labels) == 157
    assert mcolors.to_hex(boxes.get_facecolors()[0]) == "#ffffff" and boxes.get_zorder() < labels[0].get_zorder()
    fig.set_dpi(200)                                 # as the page's PNG draws it: twice the screen's dpi
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    extents = [Bbox.from_extents(*ax.transData.transform(p.vertices).min(0), *ax.transData.transform(p.vertices).max(0))
               for p in boxes.get_paths()]
    for t in labels:
        e = t.get_window_extent(r)
        assert sum(b.x0 <= e.x0 + 0.5 and e.x1 <= b.x1 + 0.5 and b.y0 <= e.y0 + 0.5 and e.y1 <= b.y1 + 0.5
                   for b in extents) >= 1, t.get_text()


def test_a_map_is_not_drawn_before_it_is_saved(assessment, monkeypatch):
    """geopandas draws the whole figure after each layer; a map suppresses those draws (quiet_plot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    draws = []
    original = FigureCanvasAgg.draw
    monkeypatch.setattr(FigureCanvasAgg, "draw", lambda self, *a, **k: draws.append(1) or original(self, *a, **k))
    fig = maps.status_map(assessment, 2020, B.schematic(2020))
    assert draws == []
    fig.canvas.draw()
    assert draws == [1]
    assert "draw_idle" not in fig.canvas.__dict__          # the canvas's own method is back


def test_label_sizes_kept_per_process_follow_the_text_font_and_dpi():
    import matplotlib.pyplot as plt
    from btchild_analysis import map_parts
    sizes = []
    for fontsize, dpi in ((5.5, 100), (11, 100), (5.5, 200), (5.5, 100)):
        fig, ax = plt.subplots(dpi=dpi)
        t = ax.text(0, 0, "164", fontsize=fontsize)
        r = fig.canvas.get_renderer()
        sizes.append(map_parts._size(r, t))
        b = t.get_window_extent(r)
        assert sizes[-1] == pytest.approx((b.width, b.height))     # what matplotlib measures for this figure
        plt.close(fig)
    assert sizes[1][0] == pytest.approx(2 * sizes[0][0], rel=0.15) and sizes[2][0] == pytest.approx(2 * sizes[0][0], rel=0.15)
    assert sizes[3] == sizes[0]

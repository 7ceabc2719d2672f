"""Offline interactive maps: one titled path per commune, nothing fetched, escaped texts, small pages."""
import re
from html.parser import HTMLParser

import pytest

from btchild_analysis import boundaries as B
from btchild_analysis import indicators as I
from btchild_analysis import interactive as X
from btchild_analysis import admin_units


class Paths(HTMLParser):
    """Commune paths and their <title> texts; every tag and attribute seen."""

    def __init__(self):
        super().__init__()
        self.titles, self.tags, self.attrs, self._in = [], [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs
        if tag == "path" and ("class", "c") in attrs:
            self._in = "path"
            self.titles.append(None)
        elif tag == "title" and self._in == "path":
            self._in = "title"

    def handle_data(self, data):
        if self._in == "title":
            self.titles[-1] = (self.titles[-1] or "") + data

    def handle_endtag(self, tag):
        if tag == "path":
            self._in = None


def parse(html):
    p = Paths()
    p.feed(html)
    return p


@pytest.fixture(scope="module")
def real2020(boundary_file):
    return B.get_geometry(boundary_file, 2020)


def test_status_svg_every_commune_has_a_title_with_its_name_district_and_status(dataset, real2020):
    a = dataset.assessment()
    html = X.status_svg(a, 2020, real2020, lang="en")
    p = parse(html)
    units = admin_units.units(2020)
    assert len(p.titles) == 157 and all(p.titles)
    for name, district in zip(units["name"], units["district_name"]):
        assert any(t.startswith(f"{name} — {district}\n") for t in p.titles), name
    row = a[(a["year"] == 2020) & (a["commune_code"] == "28756")].iloc[0]
    expected = {"met": "Met", "not_met": "Not met", "insufficient_data": "Insufficient data"}[row["status"]]
    mine = next(t for t in p.titles if t.startswith("Phường Phú Khương — Thành phố Bến Tre"))
    assert f"\n{expected}: {int(row['total'])} points (pass mark {int(row['threshold'])})" in mine
    buttons = re.findall(r'data-vb="([-\d ]+)"', html)
    assert len(buttons) == 10  # the province and its 9 districts


def test_indicator_svg_value_with_interval_in_vietnamese(dataset, real2020):
    c = I.compute(dataset.all_elements(), "commune", vintage="2020", which=["stunting_u5"])
    html = X.indicator_svg(c, "stunting_u5", "2020", real2020, lang="vi")
    p = parse(html)
    r = c[(c["period"] == "2020") & (c["unit_code"] == "28756")].iloc[0]
    mine = next(t for t in p.titles if t.startswith("Phường Phú Khương"))
    value = f"{r['value']:.1f}".replace(".", ",")
    low, high = (f"{r[k]:.1f}".replace(".", ",") for k in ("ci_low", "ci_high"))
    assert f"{value} % (KTC 95%: {low} – {high})" in mine
    verdict = "đạt mục tiêu" if r["value"] <= 20 else "chưa đạt mục tiêu"
    assert mine.endswith(f"Mục tiêu 2020 ≤ 20,0: {verdict}")
    assert "Hover" not in html and "Zoom" not in html


def test_district_svg_draws_only_its_communes(dataset):
    html = X.status_svg(dataset.assessment(), 2020, B.schematic(2020), district="836", lang="vi")
    p = parse(html)
    n = len(admin_units.units(2020).query("district_code == '836'"))
    assert len(p.titles) == n and all("Huyện Ba Tri" in t for t in p.titles)
    assert "<button" not in html  # one district: nothing to zoom to


def test_nothing_is_fetched_and_the_page_is_small(dataset, real2020):
    c = I.compute(dataset.all_elements(), "commune", vintage="2020", which=["kindergarten_enrolment"])
    html = X.status_svg(dataset.assessment(), 2020, real2020) + X.indicator_svg(c, "kindergarten_enrolment", "2024", real2020)
    p = parse(html)
    assert not re.search(r"https?:|//|@import", html)
    assert not any(k in ("src", "href", "xlink:href") for k, _ in p.attrs)
    assert {"img", "link", "iframe", "object"}.isdisjoint(p.tags)
    assert len(html.encode()) < 300_000  # two province maps; a page stays well under 2 MB


def test_hostile_names_are_escaped(dataset):
    geo = B.schematic(2020)
    geo.loc[geo["code"] == "28756", "name"] = '<img src=x onerror=alert(1)>'
    geo.loc[geo["district_code"] == "829", "district_name"] = '"><script>alert(2)</script>'
    html = X.status_svg(dataset.assessment(), 2020, geo)
    assert "<img" not in html and "alert(2)</script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert len(parse(html).titles) == 157


def _chromium():
    import shutil
    return next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)


@pytest.mark.skipif(_chromium() is None, reason="no Chromium: install the distribution's package "
                    "(e.g. `apt-get install chromium`) to run the browser check of the interactive maps")
def test_zoom_script_runs_in_a_browser_without_network(dataset, tmp_path):
    import subprocess
    html = X.status_svg(dataset.assessment(), 2020, B.schematic(2020), lang="en")
    district_vb = re.findall(r'data-vb="([-\d ]+)"', html)[2]
    probe = ("<script>var b=document.querySelectorAll('button[data-vb]')[2];b.click();"
             "document.body.setAttribute('data-after',document.querySelector('svg').getAttribute('viewBox'));"
             "document.body.setAttribute('data-title',document.querySelector('path.c title').textContent);</script>")
    page = tmp_path / "map.html"
    page.write_text(f"<!doctype html><html lang='en'><meta charset='utf-8'><body>{html}{probe}</body></html>", encoding="utf-8")
    out = subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert f'data-after="{district_vb}"' in out.stdout  # the button zoomed the map to its district
    assert re.search(r'data-title="[^"]+ — (Thành phố|Huyện) ', out.stdout)  # the hover text names a commune

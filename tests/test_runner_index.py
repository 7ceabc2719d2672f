"""The index page and the report pages' HTML (no kernel runs)."""
import re
import zipfile

import nbformat
import pytest

from btchild_analysis import pages
from btchild_analysis.portfolio_index import build_index, downloads, period_text

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(9)>'
SITE = {"title_vi": "Theo dõi trẻ em", "title_en": "Child monitoring"}


def _entry(name, kind="01_status", district=None, area="Tỉnh Bến Tre", status="ok", **kw):
    title = kw.pop("title", {"vi": "Xã phù hợp với trẻ em", "en": "Child-friendly communes"})
    return {"name": name, "kind": kind, "title": title, "district": district, "area": {"vi": area, "en": area},
            "period": kw.pop("period", "2024"), "status": status, "html": f"{name}.html", "synthetic": True,
            "source": "", "finished": "2026-10-20T06:00:00", **kw}


@pytest.fixture
def folder(tmp_path):
    for name in ("status_tinh", "status_836", "status_836_x", "status_829", "report", "broken"):
        (tmp_path / f"{name}.html").write_text("<html></html>", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "report_phu_luc.xlsx", "w") as z:
        z.writestr("[Content_Types].xml", "")
    (tmp_path / "report_bang_1.csv").write_text("a\n", encoding="utf-8")
    (tmp_path / "status_836_x_bang.csv").write_text("a\n", encoding="utf-8")
    return tmp_path


def _entries():
    return {
        "status_836": _entry("status_836", district="836", area="Huyện Ba Tri"),
        "status_tinh": _entry("status_tinh"),
        "status_829": _entry("status_829", district="829", area="Thành phố Bến Tre"),
        "status_836_x": _entry("status_836_x", district="836", area="Huyện Ba Tri", period="2024H1"),
        "report": _entry("report", kind="03_report", title={"vi": "Báo cáo tiến độ", "en": "Progress report"}),
        "broken": _entry("broken", kind="04_quality", title={"vi": "Chất lượng", "en": "Quality"}, status="failed",
                         error="Traceback (most recent call last):\nValueError: no file /home/ana/secret/x.csv"),
        "gone": _entry("gone"),   # its page was deleted: not listed
    }


def test_grouped_by_kind_with_titles_and_area_names(folder):
    page = build_index(_entries(), folder, SITE, "vi")
    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert headings == ["Xã phù hợp với trẻ em", "Báo cáo tiến độ", "Chất lượng"]
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', page)
    # province first, then the districts in GSO code order; the link text is the area's name, never the slug
    assert links[:4] == [("status_tinh.html", "Tỉnh Bến Tre"), ("status_829.html", "Thành phố Bến Tre"),
                         ("status_836.html", "Huyện Ba Tri"), ("status_836_x.html", "Huyện Ba Tri")]
    assert ">status_836<" not in page and "gone.html" not in page
    assert '<html lang="vi">' in page and "<title>Theo dõi trẻ em</title>" in page
    assert "6 tháng đầu năm 2024" in page and "từ 01/11/2023 đến 30/04/2024" in page


def test_downloads_belong_to_their_own_report(folder):
    got = downloads(folder, ["status_836", "status_836_x", "report"])
    assert got == {"status_836": [], "status_836_x": ["status_836_x_bang.csv"],
                   "report": ["report_bang_1.csv", "report_phu_luc.xlsx"]}
    page = build_index(_entries(), folder, SITE, "en")
    assert '<a href="report_phu_luc.xlsx" download>Excel: phu_luc</a>' in page
    assert '<a href="report_bang_1.csv" download>CSV: bang_1</a>' in page


def test_failure_reason_is_one_readable_line(folder):
    page = build_index(_entries(), folder, SITE, "en")
    reason = re.search(r'<div class="reason">(.*?)</div>', page, re.S).group(1)
    assert reason == "ValueError: no file x.csv"
    assert "Traceback" not in page and "/home/ana" not in page
    assert '<tr class="failed">' in page and "6 reports, 1 failed" in page


def test_english_page(folder):
    page = build_index(_entries(), folder, SITE, "en")
    assert '<html lang="en">' in page and "<title>Child monitoring</title>" in page
    assert "<h2>Progress report</h2>" in page and "First half of 2024" in page and "2023-11-01 to 2024-04-30" in page
    assert "Synthetic data" in page and "Dữ liệu mô phỏng" not in page


def test_synthetic_notice_only_for_synthetic_data(folder):
    real = {n: {**e, "synthetic": False, "source": "Sở LĐTBXH — 2026-10-01"} for n, e in _entries().items()}
    page = build_index(real, folder, SITE, "vi")
    assert "Dữ liệu mô phỏng" not in page and 'class="notice"' not in page
    assert "Nguồn số liệu: Sở LĐTBXH — 2026-10-01" in page
    assert "Dữ liệu mô phỏng" in build_index(_entries(), folder, SITE, "vi")


def test_hostile_strings_are_escaped_everywhere(folder):
    entries = _entries()
    entries["status_tinh"].update(display_params={"note": SCRIPT, "data": IMG}, area={"vi": IMG, "en": IMG},
                                  title={"vi": SCRIPT, "en": SCRIPT})
    entries["broken"]["error"] = f"ValueError: {SCRIPT} {IMG}"
    entries["report"]["source"], entries["report"]["synthetic"] = IMG, False
    page = build_index(entries, folder, {"title_vi": SCRIPT}, "vi")
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(9)&gt;" in page
    # nothing outside escaped text: every tag in the page is one of the template's own
    tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", page))
    assert tags <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "section", "table", "thead",
                    "tbody", "tr", "th", "td", "a", "br", "small", "div", "ul", "li"}


def test_no_external_requests_in_the_index(folder):
    page = build_index(_entries(), folder, SITE, "vi")
    assert "http://" not in page and "https://" not in page and "<script" not in page


def test_period_text():
    assert period_text("2024", "vi") == ("Năm 2024", "từ 01/11/2023 đến 31/10/2024")
    assert period_text("2015H1", "en") == ("First half of 2015", "2014-11-01 to 2015-04-30")
    assert period_text(None, "vi") == ("", "")


def _notebook_with_outputs():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    code = nbformat.v4.new_code_cell("secret_code_line = 1\ndisplay(x)")
    code.outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<b>bảng</b>", "text/plain": "t"}),
                    nbformat.v4.new_output("stream", name="stdout", text="$x^2$ done\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("# Tiêu đề $\\alpha$\n\n```mermaid\ngraph TD; A-->B\n```"), code]
    return nb


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_report_pages_are_offline_with_code_hidden(lang):
    page = pages.to_html(_notebook_with_outputs(), lang, "Báo cáo — Tỉnh Bến Tre")
    low = page.lower()
    for marker in ("https://cdn", "require.js", "require.min.js", "mathjax", "mermaid.min", "unpkg"):
        assert marker not in low, marker
    assert not re.search(r"<script[^>]+src=", low) and not re.search(r"<link[^>]+href=\"?https?:", low)
    assert f'<html lang="{lang}">' in page and "<title>Báo cáo — Tỉnh Bến Tre</title>" in page
    assert "secret_code_line" not in page and "<b>bảng</b>" in page


def test_failure_page_is_plain_and_escaped():
    page = pages.failure_page(SCRIPT, f"Traceback (most recent call last):\n{IMG} in /srv/btchild/data/x.csv", "en")
    assert "<script" not in page and "<img" not in page and "/srv/btchild" not in page
    assert "This report did not finish" in page and '<a href="index.html">' in page and 'lang="en"' in page


def test_one_line_drops_terminal_codes_and_paths():
    text = "\x1b[0;31mKeyError\x1b[0m: 'x' in C:\\Users\\ana\\data\\f.csv and /tmp/a/b.xlsx"
    assert pages.one_line(text) == "KeyError: 'x' in f.csv and b.xlsx"
    assert len(pages.one_line("x" * 1000)) == 300


def test_provenance_from_the_data_descriptor(monkeypatch):
    from btchild_analysis import portfolio_index as reports

    seen = []

    def fake(path):
        seen.append(path)
        return {"synthetic": path is None, "title": "Sở LĐTBXH Bến Tre" if path else "Mẫu",
                "source": "/srv/data/bentre", "as_of": "2026-10-01"}

    monkeypatch.setattr(reports, "read_descriptor", fake)
    assert reports._provenance({"data": None}) == (True, "Mẫu — 2026-10-01")
    assert reports._provenance({"data": "/srv/data/bentre"}) == (False, "Sở LĐTBXH Bến Tre — 2026-10-01")
    assert seen == [None, "/srv/data/bentre"]
    monkeypatch.setattr(reports, "read_descriptor", None)     # before the descriptor reader existed
    assert reports._provenance({"data": None}) == (True, "")
    assert reports._provenance({"data": "/srv/data/bentre"}) == (False, "bentre")

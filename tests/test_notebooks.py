"""The notebooks as source (jupytext pairs, typed parameters) and run on partial, real-format data.

Every notebook runs on every partial folder of :mod:`partial_data` (one year, one district, score
sheets only, no arrival log, district workbooks) and on the sample, with a district named in words,
English, a half-year period: a section without its data says so in one sentence, the rest renders.
"""
from __future__ import annotations

import re
import os
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import jupytext
import nbformat
import papermill as pm
import pytest

from btchild_analysis import admin_units
from btchild_analysis.pages import to_html
from partial_data import build

NB_DIR = Path(__file__).resolve().parents[1] / "notebooks"
REPORTS = ["01_child_friendly_status", "02_indicator_trends", "03_plan_progress_report", "04_data_quality",
           "05_anthropometry_quality"]
START = "00_start_here"
COMMON = {"period", "lang", "data", "output_dir", "report_name"}

# case → (parameters, expected sentence per notebook or None)
CASES = {
    "one_year": ({"period": "2024"}, {"01_child_friendly_status": "Chưa có biểu chấm điểm cho năm 2024",
                                      "02_indicator_trends": "Chỉ có số liệu 1 năm",
                                      "03_plan_progress_report": "Chưa có sổ theo dõi ngày nộp báo cáo"}),
    "one_district": ({"period": "2024", "district": "ba tri", "lang": "en"},
                     {"01_child_friendly_status": "Huyện Ba Tri", "03_plan_progress_report": "Huyện Ba Tri"}),
    "scores_only": ({"period": "2024H1"}, {"03_plan_progress_report": "Chưa có sổ theo dõi ngày nộp báo cáo",
                                           "04_data_quality": "Không có dòng nào bị cách ly"}),
    "no_arrivals": ({"period": "2023", "district": "836"}, {"03_plan_progress_report": "Chưa có sổ theo dõi ngày nộp báo cáo"}),
    "workbooks": ({"period": "2024", "by": "sex"}, {"01_child_friendly_status": "Chưa có biểu chấm điểm cho năm 2024",
                                                    "02_indicator_trends": "Số liệu không chia theo giới tính",
                                                    "03_plan_progress_report": "Số liệu không chia theo giới tính"}),
    "sample": ({"period": "2024H1", "lang": "en", "district": "H. Mỏ Cày Nam", "by": "sex"}, {}),
}
EN_WORDS = ["Source", "Reporting period", "No data", "Commune", "Download", "Rows read"]
VI_WORDS = ["Nguồn số liệu", "Kỳ báo cáo", "Chưa có", "Tải về", "Số dòng đọc được"]


def _notebook_params(name: str) -> dict:
    return pm.inspect_notebook(str(NB_DIR / f"{name}.ipynb"))


@pytest.mark.parametrize("name", [START] + REPORTS)
def test_ipynb_and_its_py_percent_pair_hold_the_same_cells_without_outputs(name):
    ipynb = nbformat.read(NB_DIR / f"{name}.ipynb", as_version=4)
    paired = jupytext.read(NB_DIR / f"{name}.py")
    assert [(c.cell_type, c.source) for c in ipynb.cells] == [(c.cell_type, c.source) for c in paired.cells]
    code = [c for c in ipynb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert [c for c in ipynb.cells if "parameters" in c.metadata.get("tags", [])][0] is code[0]
    assert len([c for c in ipynb.cells if "parameters" in c.metadata.get("tags", [])]) == 1
    assert ipynb.metadata["kernelspec"]["name"] == "btchild"


def test_notebook_code_has_no_unused_import_or_undefined_name():
    from pyflakes.api import checkPath
    from pyflakes.reporter import Reporter
    import io

    out = io.StringIO()
    problems = sum(checkPath(str(NB_DIR / f"{name}.py"), Reporter(out, out)) for name in [START] + REPORTS)
    assert problems == 0, out.getvalue()


def test_every_report_notebook_is_in_the_bundled_run_spec():
    from btchild_analysis.reports import load_spec

    spec = load_spec()
    assert {Path(r.notebook).stem for r in spec.runs} == set(REPORTS)


@pytest.mark.parametrize("name", [START] + REPORTS)
def test_every_parameter_has_a_type_and_help_and_is_used(name):
    params = _notebook_params(name)
    assert COMMON - ({"report_name"} if name == START else set()) <= set(params)
    nb = nbformat.read(NB_DIR / f"{name}.ipynb", as_version=4)
    first = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])][0]
    body = "\n".join(c.source for c in nb.cells[first + 1:] if c.cell_type == "code")
    for p in params.values():
        assert p["inferred_type_name"] != "None", p["name"]
        assert p["help"], p["name"]
        assert re.search(rf"\b{p['name']}\b", body), f"{name}: parameter {p['name']} is never used"


class _Tags(HTMLParser):
    """Start tags with an ``on…`` attribute and script tags that carry a payload."""

    def __init__(self):
        super().__init__()
        self.handlers, self.scripts, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        self.handlers += [(tag, k) for k, _ in attrs if k.lower().startswith("on")]
        self._in_script = tag == "script"

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.scripts.append(data[:80])

    def handle_endtag(self, tag):
        self._in_script = False


def _markdown(nb) -> str:
    """Every Markdown output of an executed notebook, in order."""
    return "\n".join(o["data"]["text/markdown"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
                     if o.output_type == "display_data" and "text/markdown" in o.get("data", {}))


def _execute(name: str, params: dict, out: Path) -> tuple[nbformat.NotebookNode, str]:
    out.mkdir(parents=True, exist_ok=True)
    known = _notebook_params(name)
    params = {k: v for k, v in params.items() if k in known}
    target = out / f"{name}.ipynb"
    try:
        pm.execute_notebook(str(NB_DIR / f"{name}.ipynb"), str(target), parameters={**params, "output_dir": str(out)},
                            kernel_name="btchild", progress_bar=False, cwd=str(NB_DIR))
    except pm.PapermillExecutionError:
        pass  # the executed notebook keeps the error; the test reads it
    nb = nbformat.read(target, as_version=4)
    return nb, to_html(nb, lang=params.get("lang", "vi"))


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    root = tmp_path_factory.mktemp("partial")
    jobs = []
    for case, (params, _) in CASES.items():
        p = dict(params)
        if case != "sample":
            p["data"] = str(build(case, root / "data" / case))
        for name in REPORTS:
            jobs.append((case, name, p))
    start = os.getcwd()
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            done = pool.map(lambda j: (j[0], j[1], j[2], *_execute(j[1], j[2], root / "out" / j[0])), jobs)
            return {(case, name): (params, nb, page) for case, name, params, nb, page in done}
    finally:  # papermill's cwd= changes the process's folder; two threads can leave it in notebooks/
        os.chdir(start)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("name", REPORTS)
def test_notebook_renders_on_partial_data(matrix, case, name):
    params, nb, page = matrix[(case, name)]
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{case}/{name}: {[e.ename + ': ' + e.evalue for e in errors]}"
    assert "Traceback" not in page
    lang = params.get("lang", "vi")
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)\b[^>]*>.*?</\1>", " ", page, flags=re.S))
    synthetic = case == "sample"
    assert ("Synthetic data" in text or "Dữ liệu mô phỏng" in text) == synthetic
    if not synthetic:
        assert ("Nguồn số liệu" if lang == "vi" else "Source") in text
        assert Path(params["data"]).name.replace("_", "\\_") in _markdown(nb)
    expected = CASES[case][1].get(name)
    if expected and lang == "vi":
        assert expected in text
    if lang == "vi" and name != "04_data_quality":  # Vietnamese numbers: decimal comma, never a decimal point
        assert not re.search(r"(?<![\d.])\d{1,3}\.\d(?![\d.])", text)
        if name == "03_plan_progress_report":
            assert re.search(r"\d,\d", text)  # the report's rates are written with a decimal comma
    foreign = EN_WORDS if lang == "vi" else VI_WORDS
    assert not [w for w in foreign if re.search(rf"\b{w}\b", text)], f"{case}/{name}: words of the other language"


def test_the_report_names_the_district_given_in_words(matrix):
    _, nb, _ = matrix[("one_district", "01_child_friendly_status")]
    title = _markdown(nb).splitlines()[0]
    assert "Huyện Ba Tri" in title and "friendly communes" in title


HOSTILE = "<script>alert(1)</script>"
HOSTILE_FILE = '"><img src=x onerror=alert(9)>.csv'


def test_hostile_strings_in_data_file_names_and_parameters_never_reach_the_page_live(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    rows = ["commune_code,period,element,value", f"28756,2024,u5_measured,{HOSTILE}",
            f"{HOSTILE},2024,u5_stunted,3", "28756,2024,<body onload=alert(2)>,4", "28756,2024,u5_weighed,100"]
    (folder / HOSTILE_FILE).write_text("\n".join(rows) + "\n", encoding="utf-8")
    pages = {}
    for name in REPORTS:
        params = {"period": "2024", "data": str(folder), "report_name": f"x{HOSTILE}"}
        if name != "04_data_quality":
            params["district"] = HOSTILE  # refused: an unknown district; the error page is escaped too
        _, pages[name] = _execute(name, params, tmp_path / "out" / name)
    assert "alert" in pages["04_data_quality"]  # the hostile text is shown (escaped), not dropped
    for name, page in pages.items():
        tags = _Tags()
        tags.feed(page)
        assert not tags.handlers, f"{name}: live event handlers {tags.handlers}"
        assert not tags.scripts, f"{name}: a script from the data"
    assert all("<" not in p.name and ">" not in p.name for p in (tmp_path / "out").rglob("*"))


CHROMIUM = Path("/usr/bin/chromium")


def _browser():
    """A headless Chromium driven by Playwright, or a skip saying how to get one."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed: `apt-get install chromium` (see README, 'Testing pages')")
    sync = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    return sync.sync_playwright()


def test_pages_in_a_browser_fetch_nothing_log_no_error_and_name_communes_on_hover(matrix, tmp_path):
    with _browser() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            for case in ("sample", "one_district"):
                for name in REPORTS:
                    params, _, page_html = matrix[(case, name)]
                    path = tmp_path / f"{case}_{name}.html"
                    path.write_text(page_html, encoding="utf-8")
                    page = browser.new_page()
                    failed, errors, outside = [], [], []
                    page.on("requestfailed", lambda r: failed.append(r.url))
                    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
                    page.goto(path.as_uri())
                    page.wait_for_load_state("load")
                    assert (failed, errors, outside) == ([], [], []), f"{case}/{name}"
                    assert page.evaluate("document.documentElement.lang") == params.get("lang", "vi")
                    if name == "01_child_friendly_status":
                        titles = page.evaluate("Array.from(document.querySelectorAll('svg path title'), t => t.textContent)")
                        district = admin_units.find_district(params["district"], 2024)
                        names = set(admin_units.units(2024).query("district_code == @district.district_code")["name"])
                        assert {t.split(" — ")[0] for t in titles} == names, titles[:3]
                        page.hover("svg path:has(title) >> nth=0")
                    page.close()
        finally:
            browser.close()


@pytest.mark.parametrize("case", ["sample", "workbooks"])
def test_start_here_runs_on_the_sample_and_on_district_workbooks(case, tmp_path):
    params = {"output_dir": str(tmp_path)}
    if case == "workbooks":
        params["data"] = str(build("workbooks", tmp_path / "data"))
    nb, page = _execute(START, params, tmp_path / "out")
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, [e.ename + ": " + e.evalue for e in errors]
    assert (tmp_path / "out" / "bat_dau_bang.xlsx").exists()
    html_out = " ".join(o["data"].get("text/html", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                        if "data" in o)
    assert "dòng đọc được" in html_out
    assert ("có / yes" in html_out) == (case == "sample")  # the dataset says whether it is synthetic

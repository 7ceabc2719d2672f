"""Notebooks through papermill on the sample, the runner's isolation, caching and index page."""
import json
import time
from pathlib import Path

import nbformat
import pytest
import yaml

from btchild_analysis import reports
from btchild_analysis.errors import RunSpecError

NB_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NB_DIR.glob("*.ipynb"))


def test_four_notebooks_with_parameters_cell_and_no_outputs():
    assert [p.name for p in NOTEBOOKS] == ["01_child_friendly_status.ipynb", "02_indicator_trends.ipynb",
                                          "03_plan_progress_report.ipynb", "04_data_quality.ipynb"]
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, path.name
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), path.name


FAILING = {"cells": [
    {"id": "p", "cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "year = 2020", "outputs": [], "execution_count": None},
    {"id": "f", "cell_type": "code", "metadata": {}, "source": "raise ValueError('made to fail')", "outputs": [], "execution_count": None}],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("portfolio")
    bad = tmp / "fails.ipynb"
    bad.write_text(json.dumps(FAILING))
    spec = {"site": {"title_vi": "Thử <nghiệm>"}, "defaults": {"lang": "vi"},
            "runs": [{"name": "status_{year}", "notebook": "01_child_friendly_status.ipynb", "params": {"year": 2020}},
                     {"name": "trends", "notebook": "02_indicator_trends.ipynb"},
                     {"name": "report", "notebook": "03_plan_progress_report.ipynb"},
                     {"name": "quality", "notebook": "04_data_quality.ipynb"},
                     {"name": "broken", "notebook": str(bad)}]}
    path = tmp / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    out = tmp / "out"
    start = time.perf_counter()
    jobs = reports.run_portfolio(path, out, jobs=2, progress=False)
    first = time.perf_counter() - start
    return path, out, jobs, first


def test_every_notebook_runs_on_the_sample(portfolio):
    _, out, jobs, _ = portfolio
    status = {j.name: j.status for j in jobs}
    assert status == {"status_2020": "ok", "trends": "ok", "report": "ok", "quality": "ok", "broken": "failed"}
    assert (out / "report_phu_luc.xlsx").exists()


def test_html_has_maps_and_no_code(portfolio):
    _, out, _, _ = portfolio
    page = (out / "status_2020.html").read_text(encoding="utf-8")
    assert page.count("<img") >= 2
    assert "load_dataset(data)" not in page and "maps.status_map" not in page
    assert "Dữ liệu mô phỏng" in page
    assert "Xã, phường phù hợp với trẻ em — Tỉnh Bến Tre, 2020" in page
    assert len(page.encode()) < 2_000_000


def test_failure_is_isolated_and_shown(portfolio):
    _, out, jobs, _ = portfolio
    broken = [j for j in jobs if j.name == "broken"][0]
    assert "made to fail" in broken.error
    assert "made to fail" in (out / "broken.html").read_text(encoding="utf-8")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="failed"' in index and "Lỗi" in index
    assert "Thử &lt;nghiệm&gt;" in index  # escaped
    assert not list(out.glob(".*.tmp"))  # atomic writes leave nothing behind


def test_rerun_skips_what_is_fresh_and_force_reruns(portfolio):
    path, out, _, first = portfolio
    again = reports.run_portfolio(path, out, jobs=2, progress=False)
    status = {j.name: j.status for j in again}
    assert status["status_2020"] == "skipped" and status["quality"] == "skipped"
    assert status["broken"] == "failed"  # failures are retried
    forced = reports.run_portfolio(path, out, jobs=2, progress=False, force=True)
    assert {j.name: j.status for j in forced}["trends"] == "ok"


def test_index_escapes_any_text():
    job = reports.Job(name="x", notebook="n.ipynb", params={"district": "<script>alert(1)</script>"}, status="ok", html="x.html")
    page = reports.index_page([job], {"site": {"title_vi": "T"}})
    assert "<script>alert" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("spec, message", [
    ({"runs": []}, "'runs' must be a non-empty list"),
    ({"runs": [{"name": "a"}]}, r"runs\[0\].notebook is missing"),
    ({"runs": [{"name": "a", "notebook": "nope.ipynb"}]}, r"runs\[0\].notebook: nope.ipynb not found"),
    ({"runs": [{"name": "a", "notebook": "01_child_friendly_status.ipynb", "parms": {}}]}, r"runs\[0\]: unknown key\(s\) parms"),
    ({"runs": [{"name": "a", "notebook": "01_child_friendly_status.ipynb", "for_each": "communes"}]}, "for_each"),
])
def test_run_spec_errors_name_the_bad_key(tmp_path, spec, message):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(RunSpecError, match=message):
        reports.load_spec(path)


def test_bundled_spec_expands_to_province_and_nine_districts():
    jobs = reports.expand(reports.load_spec())
    status = [j for j in jobs if "01_child_friendly_status" in j.notebook]
    assert len(status) == 10
    assert [j.params["district"] for j in status][0] is None
    assert len({j.name for j in jobs}) == len(jobs)


def test_period_from_the_run_date():
    import datetime as dt
    spec = {"runs": [{"name": "r_{period}", "notebook": "03_plan_progress_report.ipynb", "params": {"year": "auto", "period": "auto"}}]}
    (job,) = reports.expand(spec, today=dt.date(2025, 3, 15))
    assert job.params["year"] == 2025 and job.params["period"] == "2025H1" and job.name == "r_2025h1"


def test_relative_paths_are_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "b.geojson").write_text("{}")
    spec = {"defaults": {"boundaries": "b.geojson"},
            "runs": [{"name": "r", "notebook": "01_child_friendly_status.ipynb", "params": {"data": "d"}}]}
    (job,) = reports.expand(spec, overrides={"lang": "en"})
    assert job.params["boundaries"] == str(tmp_path / "b.geojson") and job.params["data"] == str(tmp_path / "d")
    assert job.params["lang"] == "en"

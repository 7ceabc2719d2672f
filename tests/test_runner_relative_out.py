"""``btchild report --out outputs`` (a relative folder, as ``make report`` gives it): the files a report
writes beside its page (CSV downloads, annexes) land in that folder, not in one of the same name under
the notebooks' folder where the kernel runs — warm workers and a process per report alike."""
import pytest

from btchild_analysis import reports
from runner_fixtures import notebook, spec


@pytest.mark.parametrize("warm", [True, False], ids=["warm", "process_per_report"])
def test_downloads_land_beside_the_page_with_a_relative_out(tmp_path, monkeypatch, warm):
    monkeypatch.setattr(reports, "package_hash", lambda: "fixed")
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    body = "from pathlib import Path\nPath(output_dir, f'{report_name}_bang.csv').write_text('a,b\\n1,2\\n')\n"
    nb = notebook(nbdir / "writes.ipynb", body)
    path = spec(tmp_path / "spec.yaml", [{"name": "first", "notebook": str(nb)}], defaults={"lang": "vi"})
    from btchild_analysis import paths
    monkeypatch.setenv("BTCHILD_SAMPLE", str(paths.sample_dir()))        # found before leaving the project
    monkeypatch.setenv("BTCHILD_NOTEBOOKS", str(paths.notebooks_dir()))
    monkeypatch.chdir(tmp_path)
    jobs = reports.run_portfolio(path, "outputs", jobs=1, progress=False, warm=warm)
    assert [j.status for j in jobs] == ["ok"], [j.error for j in jobs]
    assert (tmp_path / "outputs" / "first.html").is_file()
    assert (tmp_path / "outputs" / "first_bang.csv").read_text() == "a,b\n1,2\n"
    assert not (nbdir / "outputs").exists()   # nothing written under the notebooks' folder

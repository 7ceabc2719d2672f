"""A regular (non-editable) install carries the report notebooks and the synthetic sample (issue 13).

The wheel is built from a copy of the project (``pip wheel --no-deps . -w …``; nothing is written into
this checkout), then unpacked onto ``sys.path`` of a fresh process working in an empty folder: there
``paths.notebooks_dir()`` and ``paths.sample_dir()`` must find the package's own copies, with no
setting and no checkout to fall back on.  What must be in the wheel comes from the project's folders and
the sample's own descriptor (``datapackage.yaml``), not from the build step.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parent.parent
SHIPPED = "btchild_analysis/shipped"
NOTEBOOKS = {"00_start_here.ipynb", "01_child_friendly_status.ipynb", "02_indicator_trends.ipynb",
             "03_plan_progress_report.ipynb", "04_data_quality.ipynb", "05_anthropometry_quality.ipynb"}
#: Never copied: the environment, the repository, built or generated things.
NOT_SOURCE = shutil.ignore_patterns(".venv", ".git", "mutants", "outputs", "build", "dist", "*.egg-info",
                                    "__pycache__", ".pytest_cache", ".hypothesis", "_work", ".ipynb_checkpoints")


def _run(cmd: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, **kw)
    assert res.returncode == 0, f"{' '.join(cmd)} failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return res


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A copy of the project as a clone would have it (the build writes build/ and *.egg-info there)."""
    dest = tmp_path_factory.mktemp("checkout") / "btchild"
    shutil.copytree(PROJECT, dest, ignore=NOT_SOURCE, symlinks=True)
    return dest


@pytest.fixture(scope="module")
def wheel(source, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", ".", "-w", str(out)], source)
    (whl,) = out.glob("btchild_analysis-*.whl")
    return whl


def _sample_files() -> set[str]:
    """The files the sample's descriptor names, and the messy examples beside them."""
    sample = PROJECT / "data" / "sample"
    named = {r["path"] for r in yaml.safe_load((sample / "datapackage.yaml").read_text(encoding="utf-8"))["resources"]}
    messy = {f"messy/{p.name}" for p in (sample / "messy").iterdir() if p.is_file()}
    return named | messy | {"datapackage.yaml"}


def test_the_wheel_ships_the_notebooks_and_the_sample_and_nothing_else(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped_nb = {n.split("/")[-1] for n in names if n.startswith(f"{SHIPPED}/notebooks/")}
    project_nb = {p.name for p in (PROJECT / "notebooks").glob("*.ipynb")}
    assert NOTEBOOKS <= shipped_nb and shipped_nb == project_nb
    shipped_sample = {n[len(f"{SHIPPED}/sample/"):] for n in names if n.startswith(f"{SHIPPED}/sample/")}
    assert _sample_files() <= shipped_sample, _sample_files() - shipped_sample
    assert "submissions_synthetic.csv" in shipped_sample and "datapackage.yaml" in shipped_sample
    # a .py under shipped/ (the notebooks' jupytext pairs) would be collected as a module by
    # pytest --doctest-modules and mutmut
    assert not [n for n in names if n.startswith(SHIPPED) and not n.endswith((".ipynb", ".csv", ".xlsx", ".yaml"))]
    tops = {n.split("/")[0] for n in names}
    assert tops == {"btchild_analysis", wheel.name.split("-py3")[0] + ".dist-info"}, tops  # no tests/, outputs/
    # what the package needs at run time is still there
    assert {"btchild_analysis/data/labels.yaml", "btchild_analysis/templates/index.html.j2",
            "btchild_analysis/paths.py"} <= names


def test_the_installed_package_finds_its_notebooks_and_sample_from_an_empty_folder(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"BTCHILD_SAMPLE", "BTCHILD_NOTEBOOKS", "PYTHONPATH"}}
    env["PYTHONPATH"] = str(site)  # before the editable install of this checkout on sys.path
    probe = ("import json, btchild_analysis as b; from btchild_analysis import paths as p; "
             "nb, s = p.notebooks_dir(), p.sample_dir(); "
             "print(json.dumps({'package': b.__file__, 'notebooks': str(nb), 'sample': str(s), "
             "'nb_files': sorted(f.name for f in nb.glob('*.ipynb')), "
             "'descriptor': (s / 'datapackage.yaml').is_file(), 'checkout': str(p.source_checkout())}))")
    out = json.loads(_run([sys.executable, "-c", probe], empty, env=env).stdout)
    pkg = (site / "btchild_analysis").resolve()
    assert Path(out["package"]).resolve() == pkg / "__init__.py"
    assert Path(out["notebooks"]) == pkg / "shipped" / "notebooks"
    assert Path(out["sample"]) == pkg / "shipped" / "sample"
    assert NOTEBOOKS <= set(out["nb_files"]) and out["descriptor"]
    assert out["checkout"] == "None"  # a wheel's record names no source folder to fall back on


def test_the_sdist_carries_what_the_wheel_ships(source, tmp_path):
    """``python -m build`` makes the wheel from the sdist: the notebooks and the sample must be in it."""
    code = "import sys; from setuptools import build_meta as b; print(b.build_sdist(sys.argv[1]))"
    name = _run([sys.executable, "-c", code, str(tmp_path)], source).stdout.strip().splitlines()[-1]
    with tarfile.open(tmp_path / name) as tar:
        members = {m.split("/", 1)[1] for m in tar.getnames() if "/" in m}
    assert {f"notebooks/{n}" for n in NOTEBOOKS} <= members
    assert {f"data/sample/{f}" for f in _sample_files()} <= members
    assert "build_shipped.py" in members

"""The sample and the notebooks found through a configured path or importlib.resources / the install
record, never by walking up from a module file (issue 13)."""
from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest

from btchild_analysis import paths, runspec, sample
from btchild_analysis.errors import BtchildError

PROJECT = Path(__file__).resolve().parent.parent


class _Dist:
    def __init__(self, record: dict | None):
        self.record = record

    def read_text(self, name: str):
        assert name == "direct_url.json"
        return None if self.record is None else json.dumps(self.record)


@pytest.fixture
def nowhere(tmp_path, monkeypatch):
    """No setting, no package data, no install record, an empty current folder."""
    monkeypatch.delenv("BTCHILD_SAMPLE", raising=False)
    monkeypatch.delenv("BTCHILD_NOTEBOOKS", raising=False)
    empty_pkg = tmp_path / "site-packages" / "btchild_analysis"
    empty_pkg.mkdir(parents=True)
    monkeypatch.setattr(paths, "package_root", lambda: empty_pkg)

    def no_dist(name):
        raise metadata.PackageNotFoundError(name)
    monkeypatch.setattr(paths.metadata, "distribution", no_dist)
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return tmp_path


def _folder(root: Path, *parts: str) -> Path:
    p = root.joinpath(*parts)
    p.mkdir(parents=True)
    return p


def test_this_checkout_is_found_without_settings(monkeypatch):
    monkeypatch.delenv("BTCHILD_SAMPLE", raising=False)
    monkeypatch.delenv("BTCHILD_NOTEBOOKS", raising=False)
    assert paths.sample_dir() == PROJECT / "data" / "sample"
    assert paths.notebooks_dir() == PROJECT / "notebooks"
    assert sample.sample_dir() == PROJECT / "data" / "sample"
    assert runspec.NOTEBOOKS == PROJECT / "notebooks"


def test_nothing_found_is_an_error_naming_the_setting(nowhere):
    with pytest.raises(paths.PathSetupError, match=r"no sample folder found .*set the environment variable BTCHILD_SAMPLE"):
        paths.sample_dir()
    with pytest.raises(BtchildError, match="BTCHILD_NOTEBOOKS"):
        paths.notebooks_dir()


def test_installed_package_data(nowhere, monkeypatch):
    pkg = nowhere / "site-packages" / "btchild_analysis"
    shipped = _folder(pkg, "shipped", "sample")
    assert paths.sample_dir() == shipped.resolve()


def test_source_checkout_from_the_install_record(nowhere, monkeypatch):
    checkout = nowhere / "my project"  # a space: the record's URL is percent-encoded
    nb = _folder(checkout, "notebooks")
    monkeypatch.setattr(paths.metadata, "distribution", lambda name: _Dist(
        {"url": "file://" + str(checkout).replace(" ", "%20"), "dir_info": {"editable": True}}))
    assert paths.source_checkout() == checkout
    assert paths.notebooks_dir() == nb.resolve()
    # installed package data comes before the checkout
    shipped = _folder(nowhere / "site-packages" / "btchild_analysis", "shipped", "notebooks")
    assert paths.notebooks_dir() == shipped.resolve()


@pytest.mark.parametrize("record", [None, {"url": "https://example.org/x.whl", "archive_info": {}},
                                    {"url": "file:///no/such/checkout", "dir_info": {}}])
def test_an_install_record_without_a_local_folder_is_not_a_checkout(nowhere, monkeypatch, record):
    monkeypatch.setattr(paths.metadata, "distribution", lambda name: _Dist(record))
    assert paths.source_checkout() is None


def test_the_current_folder_when_it_is_the_project(nowhere):
    here = Path.cwd()
    sample_here = _folder(here, "data", "sample")
    assert paths.sample_dir() == sample_here.resolve()


def test_a_configured_path_wins(nowhere, monkeypatch):
    _folder(nowhere / "site-packages" / "btchild_analysis", "shipped", "sample")
    mine = _folder(nowhere, "mine")
    monkeypatch.setenv("BTCHILD_SAMPLE", str(mine))
    assert paths.sample_dir() == mine.resolve()
    assert sample.sample_dir() == mine.resolve()
    given = _folder(nowhere, "given")
    assert paths.sample_dir(given) == given.resolve()  # the argument wins over the variable


def test_a_wrong_setting_is_an_error_not_a_fallback(nowhere, monkeypatch):
    _folder(nowhere / "site-packages" / "btchild_analysis", "shipped", "sample")
    monkeypatch.setenv("BTCHILD_SAMPLE", str(nowhere / "typo"))
    with pytest.raises(paths.PathSetupError, match=r"typo \(environment variable BTCHILD_SAMPLE\) does not exist"):
        paths.sample_dir()
    with pytest.raises(paths.PathSetupError, match=r"sample folder .*missing \(given\) does not exist"):
        paths.sample_dir(nowhere / "missing")


def test_the_runner_finds_notebooks_in_the_configured_folder(nowhere, monkeypatch):
    nb = _folder(nowhere, "my_notebooks")
    (nb / "01_child_friendly_status.ipynb").write_text("{}", encoding="utf-8")
    monkeypatch.setenv("BTCHILD_NOTEBOOKS", str(nb))
    assert runspec.notebook_path("01_child_friendly_status.ipynb") == (nb / "01_child_friendly_status.ipynb").resolve()
    assert runspec.NOTEBOOKS == nb.resolve()
    with pytest.raises(BtchildError, match=r"notebook 09_x.ipynb not found \(looked in .*my_notebooks\)"):
        runspec.notebook_path("09_x.ipynb")


def test_without_a_notebooks_folder_a_spec_may_still_name_its_own(nowhere, tmp_path):
    spec_dir = _folder(tmp_path, "spec")
    (spec_dir / "mine.ipynb").write_text("{}", encoding="utf-8")
    assert runspec.notebook_path("mine.ipynb", spec_dir) == (spec_dir / "mine.ipynb").resolve()
    with pytest.raises(BtchildError, match="looked in no notebooks folder"):
        runspec.notebook_path("other.ipynb")


def test_no_module_walks_up_from_its_file_to_the_project():
    src = {p.name: p.read_text(encoding="utf-8") for p in (PROJECT / "btchild_analysis").glob("*.py")}
    walking = [n for n, s in src.items() if "parent.parent" in s or "parents[1]" in s]
    assert not walking, walking

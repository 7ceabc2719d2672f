import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BTCHILD_SHARED", ROOT.parent / "shared"))
BOUNDARIES_2013 = SHARED / "data" / "boundaries" / "ben_tre_communes_2013_censusVN2009.geojson"


@pytest.fixture(scope="session")
def sample():
    from btchild_analysis.sample import load_sample
    return load_sample()


@pytest.fixture(scope="session")
def dataset():
    from btchild_analysis.dataset import load_dataset
    return load_dataset()


@pytest.fixture(scope="session")
def boundary_file():
    if not BOUNDARIES_2013.exists():
        pytest.skip("the shared boundary file is not beside the project")
    return BOUNDARIES_2013


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


def write_csv(path: Path, rows, header=("commune_code", "period", "element", "value"), encoding="utf-8"):
    pd.DataFrame(rows, columns=list(header)).to_csv(path, index=False, encoding=encoding)
    return path


#: The folder pytest was started in (module-scoped fixtures run before a test's own fixtures, so the
#: folder must be taken before any of them).
_SESSION_FOLDER = os.getcwd()


@pytest.fixture(autouse=True)
def _working_folder_restored():
    """Every test ends in the folder the session started in.

    papermill's ``cwd=`` changes the *process's* folder while a notebook runs; two notebooks run from
    two threads (the notebook matrix) can leave it in ``notebooks/``, and a later test that finds the
    project from the working folder then fails for a reason of its own making.
    """
    yield
    if os.getcwd() != _SESSION_FOLDER:
        os.chdir(_SESSION_FOLDER)

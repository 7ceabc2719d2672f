"""Loading gives the same results whether pandas keeps text as Python objects or in Arrow (issue 16).

pandas 3 stores its ``str`` columns in Arrow when pyarrow is installed, as Python objects otherwise;
``pd.options.mode.string_storage`` chooses.  pyarrow is not a dependency of the package, so a user may
have either.  The ``storage`` fixture runs the key checks of loading, validation, the dataset, the
cache and the indicators under ``"python"`` and, when pyarrow can be imported, ``"pyarrow"``; the
expected values are worked out by hand from the rows written, and the two storages must give the same
tables value for value.

pyarrow is not in the project's environment: to run the Arrow half, install it apart and point
``BTCHILD_TEST_PYARROW`` at it::

    pip install --target /tmp/pa pyarrow
    BTCHILD_TEST_PYARROW=/tmp/pa python -m pytest tests/test_string_storage.py

(:func:`test_the_loader_tests_pass_with_pyarrow_on_the_path` then also re-runs the loader's test
modules in a child process with pyarrow on its path.)
"""
import datetime as dt
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from btchild_analysis import cache, indicators, io
from btchild_analysis.messy import MESSY_FAULTS
from btchild_analysis.sample import messy_files, sample_dir
from conftest import write_csv

TODAY = dt.date(2026, 11, 29)
HAS_PYARROW = importlib.util.find_spec("pyarrow") is not None
ROOT = Path(__file__).resolve().parents[1]


#: With ``BTCHILD_TEST_PYARROW`` set (``make test`` sets it), the Arrow half of these tests runs in the
#: child process of :func:`test_the_loader_tests_pass_with_pyarrow_on_the_path`, not here.
STORAGES = ["python"] if os.environ.get("BTCHILD_TEST_PYARROW") and not HAS_PYARROW else ["python", "pyarrow"]


@pytest.fixture(params=STORAGES)
def storage(request):
    if request.param == "pyarrow" and not HAS_PYARROW:
        pytest.skip("pyarrow is not installed (see this module's docstring to run these with it)")
    with pd.option_context("mode.string_storage", request.param):
        yield request.param


def _text_storage(frame: pd.DataFrame, column: str) -> str:
    return frame[column].dtype.storage


ROWS = [("28756", "2019", "u5_measured", "40"), ("28756", "2019", "u5_stunted", "50"),   # 50 > 40: out
        ("28759", "2019", "u5_measured", "1.234"), ("28759", "2019", "u5_stunted", "12,5"),  # 1234; 12.5: not whole
        ("28762", "2019", "u5_measured", "x"), ("abc", "2019", "u5_measured", "4"),
        ("28762", "2019", "health_station_midwife", "Có"), ("28765", "2019", "u5_measured", "9"),
        ("28765", "2019", "u5_measured", "9"),                                               # same again: folded
        ("28765", "2030", "u5_measured", "9"), ("28765", "2019", "no_such", "1")]


def test_a_long_file_loads_the_same_in_either_storage(tmp_path, storage):
    res = io.load_submissions(write_csv(tmp_path / "s.csv", ROWS), today=TODAY, flag_outliers=False)
    res.check()
    got = sorted(res.accepted[["commune_code", "element", "value"]].itertuples(index=False, name=None))
    assert got == [("28756", "u5_measured", 40.0), ("28759", "u5_measured", 1234.0),
                   ("28762", "health_station_midwife", 1.0), ("28765", "u5_measured", 9.0)]
    q = res.quarantine.set_index("row")["reason"].to_dict()
    assert q == {3: "numerator_above_denominator", 5: "not_integer", 6: "not_applicable", 7: "bad_code",
                 11: "future_period", 12: "unknown_element"}
    assert res.summary["duplicates_folded"] == 1 and res.summary["rows_read"] == len(ROWS)
    assert _text_storage(res.accepted, "commune_code") == storage
    assert list(res.accepted["period"].unique()) == ["2019"]


def test_messy_sample_files_give_their_faults_in_either_storage(storage):
    for path in messy_files():
        res = io.load_submissions([path], today=TODAY, flag_outliers=False)
        res.check()
        assert MESSY_FAULTS[path.name] <= set(res.quarantine["reason"]), path.name


def _both_storages_give_the_same_tables():
    if not HAS_PYARROW:
        pytest.skip("pyarrow is not installed (see this module's docstring)")
    files = [sample_dir() / "submissions_by_sex_synthetic.csv", *messy_files()]
    out = {}
    for st in ("python", "pyarrow"):
        with pd.option_context("mode.string_storage", st):
            res = io.load_submissions(files, today=TODAY, flag_outliers=False)
            table = indicators.compute_all(res.accepted)
            out[st] = [_plain(f) for f in (res.accepted, res.quarantine, res.by_sex, table)]
    for a, b in zip(out["python"], out["pyarrow"]):
        pd.testing.assert_frame_equal(a, b)
    assert len(out["python"][0]) > 1000 and len(out["python"][1]) > 10  # the tables compared are not empty


if "pyarrow" in STORAGES:   # else it runs in the child process that has pyarrow (see STORAGES)
    test_both_storages_give_the_same_tables = _both_storages_give_the_same_tables


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its text (columns, their names, categories) as Python objects: values compared, not storage."""
    text = {c: object for c in frame.columns
            if isinstance(frame[c].dtype, (pd.StringDtype, pd.CategoricalDtype))}
    out = frame.astype(text)
    out.columns = pd.Index(list(out.columns), dtype=object)
    return out


def test_the_dataset_and_its_cache_keep_the_storage(tmp_path, storage):
    path = write_csv(tmp_path / "s.csv", [(c, "2019", e, v) for c in ("28756", "28759") * 600
                                         for e, v in (("u5_measured", "40"), ("u5_stunted", "7"))])
    res = io.load_submissions(path, today=TODAY, flag_outliers=False)
    assert res.summary["accepted"] == 4 and res.summary["duplicates_folded"] == 2396
    big = pd.DataFrame({"code": pd.array(np.array(["28756", None, "28759"] * 700, dtype=object), dtype="str")})
    target = tmp_path / "x.pkl"
    cache._dump({"big": big, "accepted": res.accepted}, target)
    got = cache._load(target)
    pd.testing.assert_frame_equal(got["big"], big)
    pd.testing.assert_frame_equal(got["accepted"], res.accepted)
    assert _text_storage(got["big"], "code") == storage and got["big"]["code"].isna().sum() == 700


def test_the_indicators_of_a_loaded_file_in_either_storage(tmp_path, storage):
    rows = [("28756", "2019", "u5_measured", "40"), ("28756", "2019", "u5_stunted", "10"),
            ("28759", "2019", "u5_measured", "60"), ("28759", "2019", "u5_stunted", "6")]
    res = io.load_submissions(write_csv(tmp_path / "s.csv", rows), today=TODAY, flag_outliers=False)
    table = indicators.compute_all(res.accepted, which=["stunting_u5"])
    commune = table[(table["level"] == "commune")].set_index("unit_code")["value"]
    # by hand: 10 / 40 and 6 / 60, as percentages
    assert commune.loc["28756"] == pytest.approx(25.0) and commune.loc["28759"] == pytest.approx(10.0)


LOADER_TESTS = ["tests/test_string_storage.py", "tests/test_io.py", "tests/test_load_speed_invariants.py",
                "tests/test_load_lean_paths.py", "tests/test_readers.py", "tests/test_by_sex_load.py",
                "tests/test_dataset.py", "tests/test_cache.py"]


def test_the_loader_tests_pass_with_pyarrow_on_the_path():
    """With ``BTCHILD_TEST_PYARROW`` (a folder holding pyarrow) the loader's test modules run again in a
    child process that has pyarrow, so that pandas stores text in Arrow throughout."""
    folder = os.environ.get("BTCHILD_TEST_PYARROW")
    if HAS_PYARROW:
        pytest.skip("pyarrow is installed here: every test of the suite already runs with it")
    if not folder:
        pytest.skip("BTCHILD_TEST_PYARROW is not set (see this module's docstring)")
    path = [folder, str(ROOT)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path))
    probe = subprocess.run([sys.executable, "-c", "import pandas as pd; print(pd.Series(['a']).dtype.storage)"],
                           env=env, capture_output=True, text=True, cwd=ROOT)
    assert probe.stdout.strip() == "pyarrow", probe.stderr[-2000:]
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *LOADER_TESTS],
                         env=env, capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


if "pyarrow" in STORAGES:   # as the storage fixture: the child process runs it where the parent has no pyarrow
    @pytest.mark.skipif(not HAS_PYARROW, reason="pyarrow is not installed (see this module's docstring)")
    @pytest.mark.parametrize("jemalloc", [True, False], ids=["jemalloc", "no_jemalloc"])
    def test_arrow_text_columns_are_the_values_at_the_codes_made_in_a_cheap_pool(monkeypatch, jemalloc):
        import pyarrow as pa

        from btchild_analysis import validation

        validation._fresh_memory_pool.cache_clear()
        if not jemalloc:
            def no_jemalloc():
                raise NotImplementedError("this pyarrow was built without jemalloc")
            monkeypatch.setattr(pa, "jemalloc_memory_pool", no_jemalloc)
        uniques = np.array(["28756", "28759", "Cù lao Minh", None], dtype=object)
        index = np.array([2, 0, 0, 1, 3, 2], dtype=np.int16)
        with pd.option_context("mode.string_storage", "pyarrow"):
            column = validation._text_column(uniques, index)
            expected = pd.array(["Cù lao Minh", "28756", "28756", "28759", None, "Cù lao Minh"], dtype="str")
        assert column.dtype == expected.dtype and type(column) is type(expected)
        assert column.dtype.storage == "pyarrow"
        pd.testing.assert_extension_array_equal(column, expected)
        pool = validation._fresh_memory_pool()
        assert pool.backend_name == ("jemalloc" if jemalloc else "system")
        validation._fresh_memory_pool.cache_clear()

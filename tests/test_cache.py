"""Shared results of a run (btchild_analysis.cache): computed once per data fingerprint, never stale."""
import logging
import os
import pickle
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from btchild_analysis import cache, dataset, reports
from runner_fixtures import notebook, spec

SCORES = ["28756,2020,cfc_2019,2019.C01,88", "28756,2020,cfc_2019,2019.C02,68", "28756,2020,cfc_2019,2019.C03,64",
          "28756,2020,cfc_2019,2019.C04,69", "28756,2020,cfc_2019,2019.C05,62", "28756,2020,cfc_2019,2019.C06,125",
          "28756,2020,cfc_2019,2019.C07,50", "28756,2020,cfc_2019,2019.C08,65", "28756,2020,cfc_2019,2019.C09,67",
          "28756,2020,cfc_2019,2019.C10,66", "28756,2020,cfc_2019,2019.C11,63", "28756,2020,cfc_2019,2019.C12,61",
          "28756,2020,cfc_2019,2019.C13,60"]


@pytest.fixture
def data(tmp_path):
    """A tiny data folder: four submitted elements of two communes and one commune's score sheet."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "submissions.csv").write_text(
        "commune_code,period,element,value\n28756,2020,u5_measured,776\n28757,2020,u5_measured,590\n"
        "28756,2020,u5_stunted,155\n28757,2020,u5_stunted,107\n", encoding="utf-8")
    (folder / "scores.csv").write_text("commune_code,year,edition,criterion,score\n" + "\n".join(SCORES) + "\n",
                                       encoding="utf-8")
    return folder


@pytest.fixture
def counted(monkeypatch):
    """The uncached loader, counting its calls."""
    calls = []

    def load(path):
        calls.append(path)
        return dataset._load_dataset(path)
    return load, calls


@pytest.fixture
def root(tmp_path, monkeypatch):
    r = tmp_path / "out" / cache.FOLDER
    monkeypatch.setenv(cache.ENV, str(r))
    return r


def test_without_a_cache_folder_each_call_loads(data, counted, monkeypatch):
    monkeypatch.delenv(cache.ENV, raising=False)
    load, calls = counted
    cache.shared_dataset(str(data), load)
    cache.shared_dataset(str(data), load)
    assert len(calls) == 2


def test_loaded_once_then_read_back_the_same(data, counted, root):
    load, calls = counted
    first = cache.shared_dataset(str(data), load)
    second = cache.shared_dataset(str(data), load)
    assert len(calls) == 1
    assert list(root.glob(f"*/{cache.DATASET_FILE}"))
    pd.testing.assert_frame_equal(second.elements, first.elements)
    assert second.elements["commune_code"].tolist() == ["28756", "28757", "28756", "28757"]
    assert second.elements["value"].tolist() == [776, 590, 155, 107]
    assert (second.source, second.title, second.synthetic) == (first.source, first.title, False)
    # the standard's verdicts were computed once, before storing: 13 criteria, none zero, total 908 ≥ 850
    assert second._assessment is not None
    pd.testing.assert_frame_equal(second.assessment(), dataset._load_dataset(str(data)).assessment())
    assert second.assessment()["total"].tolist() == [908]


def test_load_dataset_uses_the_cache_only_when_configured(data, root, monkeypatch):
    ds = dataset.load_dataset(str(data))
    assert len(list(root.glob(f"*/{cache.DATASET_FILE}"))) == 1
    monkeypatch.setattr(dataset, "_load_dataset", lambda path: pytest.fail("read again instead of from the cache"))
    pd.testing.assert_frame_equal(dataset.load_dataset(str(data)).elements, ds.elements)
    monkeypatch.delenv(cache.ENV)
    with pytest.raises(pytest.fail.Exception):
        dataset.load_dataset(str(data))


def test_changed_content_is_recomputed(data, counted, root):
    load, calls = counted
    cache.shared_dataset(str(data), load)
    sub = data / "submissions.csv"
    sub.write_text(sub.read_text(encoding="utf-8").replace("776", "777"), encoding="utf-8")   # same size
    st = sub.stat()
    os.utime(sub, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))   # a later save, within the same second too
    ds = cache.shared_dataset(str(data), load)
    assert len(calls) == 2 and ds.elements["value"].tolist()[0] == 777
    sub.write_text(sub.read_text(encoding="utf-8") + "28756,2020,u5_weighed,790\n", encoding="utf-8")
    ds = cache.shared_dataset(str(data), load)
    assert len(calls) == 3 and len(ds.elements) == 5
    cache.shared_dataset(str(data), load)
    assert len(calls) == 3


def test_a_new_file_in_the_folder_is_recomputed(data, counted, root):
    load, calls = counted
    cache.shared_dataset(str(data), load)
    (data / "more.csv").write_text("commune_code,period,element,value\n28757,2019,u5_measured,10\n", encoding="utf-8")
    ds = cache.shared_dataset(str(data), load)
    assert len(calls) == 2 and "2019" in set(ds.elements["period"])


def test_changed_code_or_limits_are_recomputed(data, counted, root, monkeypatch):
    load, calls = counted
    cache.shared_dataset(str(data), load)
    monkeypatch.setattr(cache, "package_hash", lambda: "another version of the package")
    cache.shared_dataset(str(data), load)
    assert len(calls) == 2
    monkeypatch.setenv("BTCHILD_MAX_ROWS", "1000")
    cache.shared_dataset(str(data), load)
    assert len(calls) == 3


def test_a_file_given_alone_sees_its_descriptor(data, tmp_path):
    sub = str(data / "submissions.csv")
    before = cache.dataset_key(sub, code="c")
    (data / dataset.DESCRIPTOR).write_text("synthetic: true\n", encoding="utf-8")
    assert cache.dataset_key(sub, code="c") != before
    assert cache.dataset_key([sub], code="c") != cache.dataset_key(sub, code="c")


def test_a_file_changed_while_read_is_not_stored(data, root):
    sub = data / "submissions.csv"

    def load(path):
        ds = dataset._load_dataset(path)
        sub.write_text(sub.read_text(encoding="utf-8") + "28756,2020,u5_weighed,790\n", encoding="utf-8")
        return ds
    cache.shared_dataset(str(data), load)
    assert not list(root.glob(f"*/{cache.DATASET_FILE}"))


def test_a_broken_entry_is_replaced(data, counted, root, caplog):
    load, calls = counted
    cache.shared_dataset(str(data), load)
    (stored,) = root.glob(f"*/{cache.DATASET_FILE}")
    stored.write_bytes(stored.read_bytes()[:100])
    with caplog.at_level(logging.WARNING, logger="btchild_analysis.cache"):
        ds = cache.shared_dataset(str(data), load)
    assert len(calls) == 2 and len(ds.elements) == 4 and "unreadable" in caplog.text
    cache.shared_dataset(str(data), load)
    assert len(calls) == 2


def test_a_folder_others_can_write_is_not_read(data, counted, root, caplog):
    load, calls = counted
    cache.shared_dataset(str(data), load)
    os.chmod(root, 0o777)
    with caplog.at_level(logging.WARNING, logger="btchild_analysis.cache"):
        cache.shared_dataset(str(data), load)
    assert len(calls) == 2 and "not private" in caplog.text
    os.chmod(root, 0o700)
    (entry,) = [d for d in root.iterdir() if d.is_dir()]
    assert oct(entry.stat().st_mode & 0o777) == "0o700"


def test_an_error_is_not_cached(tmp_path, root):
    empty = tmp_path / "empty"
    empty.mkdir()
    for _ in range(2):
        with pytest.raises(dataset.SubmissionError, match="no CSV or Excel file"):
            dataset.load_dataset(str(empty))
    assert not list(root.glob(f"*/{cache.DATASET_FILE}"))


@pytest.mark.parametrize("dtype", ["str", "string"])
def test_long_string_arrays_round_trip_with_their_dtype_and_missing_values(tmp_path, dtype):
    values = np.array([None if i % 4 == 2 else str(28756 + i % 4) for i in range(2400)], dtype=object)  # as read
    frame = pd.DataFrame({"code": pd.array(values, dtype=dtype), "n": np.zeros(2400, dtype=np.int8)})
    small = pd.DataFrame({"code": pd.array(["a", None], dtype=dtype)})
    target = tmp_path / "x.pkl"
    cache._dump({"big": frame, "again": frame, "small": small}, target)
    got = cache._load(target)
    pd.testing.assert_frame_equal(got["big"], frame)
    pd.testing.assert_frame_equal(got["small"], small)
    assert got["big"]["code"].isna().sum() == 600
    assert got["again"] is got["big"]
    # stored as codes: far smaller than the plain pickle
    assert target.stat().st_size < len(pickle.dumps(frame)) / 2


def test_old_entries_are_pruned(tmp_path):
    root = tmp_path / "c"
    old = time.time() - 2 * cache.MAX_AGE
    for i in range(cache.KEEP + 2):
        d = root / f"k{i}"
        d.mkdir(parents=True)
        os.utime(d, (old + i, old + i))
    fresh = root / "fresh"
    fresh.mkdir()
    cache._prune(root, keep=fresh)
    assert sorted(d.name for d in root.iterdir()) == sorted(["fresh", "k4", "k3"])


def test_the_runner_shares_the_dataset_between_reports(data, tmp_path, monkeypatch):
    monkeypatch.setattr(reports, "package_hash", lambda: "fixed")
    body = ("import os\nfrom pathlib import Path\nfrom btchild_analysis import cache\n"
            "from btchild_analysis.dataset import load_dataset\n"
            "root = os.environ.get(cache.ENV, '')\n"
            "count = lambda: len(list(Path(root).glob('*/' + cache.DATASET_FILE))) if root else -1\n"
            "before = count()\n"
            "ds = load_dataset(data)\n"
            "Path(output_dir, f'{report_name}_seen.csv').write_text(\n"
            "    f'{before},{count()},{len(ds.elements)},{root},{cache.dataset_key(data)}\\n')\n")
    nb = notebook(tmp_path / "uses_data.ipynb", body)
    runs = [{"name": "first", "notebook": str(nb)}, {"name": "second", "notebook": str(nb), "params": {"period": "2023"}}]
    path = spec(tmp_path / "spec.yaml", runs, defaults={"lang": "vi", "data": str(data)})
    out = tmp_path / "out"
    jobs = reports.run_portfolio(path, out, jobs=1, progress=False)
    assert [j.status for j in jobs] == ["ok", "ok"], [j.error for j in jobs]
    folder = str((out / cache.FOLDER).resolve())
    first = (out / "first_seen.csv").read_text().strip().split(",")
    second = (out / "second_seen.csv").read_text().strip().split(",")
    assert first[:4] == ["0", "1", "4", folder]                # the first report loaded the data and stored them
    if second[4] == first[4]:                                  # (unless the package was edited in between)
        assert second[:4] == ["1", "1", "4", folder]           # the second read them: nothing new stored
    jobs = reports.run_portfolio(path, out, jobs=1, progress=False, force=True, cache=False)
    assert [j.status for j in jobs] == ["ok", "ok"]
    assert (out / "first_seen.csv").read_text().startswith("-1,-1,4,,")   # cache=False: no shared results


def test_reports_starting_together_load_once(data, root):
    """The second report waits for the first one's result instead of loading the same data again."""
    import threading
    calls = []

    def slow(path):
        calls.append(path)
        time.sleep(0.5)
        return dataset._load_dataset(path)
    got = []
    threads = [threading.Thread(target=lambda: got.append(cache.shared_dataset(str(data), slow))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and [len(d.elements) for d in got] == [4, 4, 4]


def test_a_derived_result_is_shared_per_arguments_and_follows_the_data(data, root):
    from btchild_analysis import indicators
    calls = []

    def table(which):
        calls.append(which)
        return indicators.compute_all(dataset.load_dataset(str(data)).all_elements(), which=which)
    first = cache.shared_result(str(data), "indicators", lambda: table(["stunting_u5"]), which=["stunting_u5"])
    again = cache.shared_result(str(data), "indicators", lambda: table(["stunting_u5"]), which=["stunting_u5"])
    assert len(calls) == 1
    pd.testing.assert_frame_equal(again, first)
    # 155 + 107 stunted of 776 + 590 measured in the province: 262 / 1366 = 19.18 %
    prov = first[(first["level"] == "province") & (first["indicator"] == "stunting_u5")]
    assert prov["numerator"].tolist() == [262] and prov["denominator"].tolist() == [1366]
    cache.shared_result(str(data), "indicators", lambda: table(["child_friendly_commune"]), which=["child_friendly_commune"])
    assert len(calls) == 2                                              # other arguments: another result
    sub = data / "submissions.csv"
    sub.write_text(sub.read_text(encoding="utf-8") + "28756,2020,u5_weighed,790\n", encoding="utf-8")
    cache.shared_result(str(data), "indicators", lambda: table(["stunting_u5"]), which=["stunting_u5"])
    assert len(calls) == 3                                              # changed data: recomputed
    with pytest.raises(ValueError, match="identifier"):
        cache.shared_result(str(data), "../x", lambda: 1)

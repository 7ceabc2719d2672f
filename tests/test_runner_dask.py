"""``run_portfolio(executor=...)``: reports of a national run handed to a dask.distributed cluster.

The runner's isolation guarantees on a cluster (failures, dead kernels, timeouts, SIGTERM) are tested in
test_runner_isolation.py (mode ``dask``); here: a small synthetic national register, one report per
province, run on a local cluster, with the same index and state as the local runner.
"""
import json

import pytest

from btchild_analysis import executors, reports, state
from runner_fixtures import notebook, spec

distributed = pytest.importorskip("distributed")

PARAMS = 'province = "01"\ndata = None\nlang = "vi"\noutput_dir = "."\nreport_name = "r"'
BODY = ('import pandas as pd\nfrom pathlib import Path\n'
        'd = pd.read_csv(data, dtype={"commune_code": str, "province_code": str})\n'
        'mine = d[d["province_code"] == province]\n'
        'Path(output_dir, f"{report_name}_tong.csv").write_text(\n'
        '    f"province,communes,children\\n{province},{len(mine)},{int(mine[\'children\'].sum())}\\n", encoding="utf-8")\n'
        'print(province, len(mine))')


def national_register(path):
    """Three provinces; commune i of province p has 100 * p + i children (p = 1, 2, 3; i = 0 … p + 1)."""
    rows = ["commune_code,province_code,children"]
    for p in (1, 2, 3):
        for i in range(p + 2):
            rows.append(f"{p:02d}{i:03d},{p:02d},{100 * p + i}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        yield c


def test_two_province_reports_run_on_the_cluster_with_the_same_index_and_state(tmp_path, client, monkeypatch):
    monkeypatch.setattr(reports, "package_hash", lambda: "fixed")   # others edit the package meanwhile
    data = national_register(tmp_path / "national.csv")
    nb = notebook(tmp_path / "province.ipynb", BODY, params=PARAMS)
    runs = [{"name": f"tinh_{p}", "notebook": str(nb), "params": {"province": p},
             "title": {"vi": f"Tỉnh {p}", "en": f"Province {p}"}} for p in ("02", "03")]
    path = spec(tmp_path / "spec.yaml", runs, defaults={"lang": "vi", "data": str(data)})
    out = tmp_path / "out"
    with distributed.get_task_stream(client) as stream:
        jobs = reports.run_portfolio(path, out, jobs=2, progress=False, executor=client)
    assert [j.status for j in jobs] == ["ok", "ok"]
    ran = [t for t in stream.data if str(t["key"]).startswith("btchild-tinh_")]
    assert len(ran) == 2                                               # both ran as tasks of the cluster
    # by hand: province 2 has communes 0..3 → 4 communes, 4*200 + 0+1+2+3 = 806; province 3: 5, 5*300 + 10 = 1510
    assert (out / "tinh_02_tong.csv").read_text(encoding="utf-8") == "province,communes,children\n02,4,806\n"
    assert (out / "tinh_03_tong.csv").read_text(encoding="utf-8") == "province,communes,children\n03,5,1510\n"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="tinh_02.html"' in index and 'href="tinh_03.html"' in index and 'href="tinh_03_tong.csv"' in index
    entries = json.loads((out / state.STATE_FILE).read_text(encoding="utf-8"))["reports"]
    assert {n: e["status"] for n, e in entries.items()} == {"tinh_02": "ok", "tinh_03": "ok"}
    assert not (out / reports.STAGING).exists()
    # unchanged inputs: skipped, as with the local runner (nothing submitted)
    with distributed.get_task_stream(client) as stream:
        again = reports.run_portfolio(path, out, jobs=2, progress=False, executor=client)
    assert [j.status for j in again] == ["skipped", "skipped"]
    assert not [t for t in stream.data if str(t["key"]).startswith("btchild-")]


def test_an_unknown_executor_is_refused_before_anything_runs(tmp_path):
    nb = notebook(tmp_path / "n.ipynb", "pass")
    path = spec(tmp_path / "s.yaml", [{"name": "a", "notebook": str(nb)}])
    with pytest.raises(reports.RunSpecError, match="use 'dask' or a scheduler address"):
        reports.run_portfolio(path, tmp_path / "out", progress=False, executor="ray://somewhere")
    assert not (tmp_path / "out" / "a.html").exists()


def test_the_executor_uses_the_clusters_threads_when_jobs_is_not_given(client):
    assert executors.open_executor(client).slots() == 2


def test_a_task_that_fails_on_the_cluster_marks_only_its_report_failed(tmp_path, client, monkeypatch):
    """A worker that cannot run the report (here: the task raises before starting it) fails that report,
    with the reason in its log; the other report of the run is made."""
    monkeypatch.setattr(reports, "package_hash", lambda: "fixed")
    real = executors.run_report

    def flaky(job_file, cache, timeout):
        if "broken" in job_file:
            raise ImportError("No module named 'btchild_analysis' on this worker")
        return real(job_file, cache, timeout)

    monkeypatch.setattr(executors, "run_report", flaky)
    nb = notebook(tmp_path / "ok.ipynb", "print('ok')")
    path = spec(tmp_path / "s.yaml", [{"name": "fine", "notebook": str(nb)}, {"name": "broken", "notebook": str(nb),
                                                                              "params": {"period": "2023"}}])
    jobs = {j.name: j for j in reports.run_portfolio(path, tmp_path / "out", jobs=2, progress=False, executor=client)}
    assert jobs["fine"].status == "ok" and jobs["broken"].status == "failed"
    assert "1" in jobs["broken"].error and state.is_whole(tmp_path / "out" / "broken.html")
    log = (reports.LOGS / "broken.log").read_text(encoding="utf-8")
    assert "ImportError: No module named 'btchild_analysis' on this worker" in log

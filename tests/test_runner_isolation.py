"""The runner with tiny notebooks: failures isolated, timeouts, dead workers, skip-if-unchanged, SIGTERM."""
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from btchild_analysis import reports, state
from runner_fixtures import HANGS, KERNEL_EXIT, KILL_WORKER, OK, notebook, spec

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(9)>'
RAISES = f'raise ValueError({SCRIPT!r} + " in /home/ana/secret/x.csv")'


MODES = ["process_per_report", "warm", "dask"]


@pytest.fixture(scope="module")
def dask_client():
    """A local dask cluster in this process (threads), for ``executor=``: the runner's guarantees hold there too."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=4, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def _mode_args(mode: str, request) -> dict:
    if mode == "dask":
        return {"executor": request.getfixturevalue("dask_client")}
    return {"warm": mode == "warm"}


@pytest.fixture(scope="module", params=MODES)
def portfolio(tmp_path_factory, request):
    """Five reports at once: one good, one raising, one whose kernel exits, one killing its worker, one hanging.

    Run three ways: a new process per report (``warm=False``), warm workers (the default) and on a dask
    cluster (``executor=``); the guarantees are the same.
    """
    warm = _mode_args(request.param, request)
    tmp = tmp_path_factory.mktemp("isolation")
    mp = pytest.MonkeyPatch()
    mp.setattr(reports, "package_hash", lambda: "fixed")   # other people edit the package meanwhile
    bodies = {"ok": OK, "raises": RAISES, "kernel_exit": KERNEL_EXIT, "kills_worker": KILL_WORKER, "hangs": HANGS}
    runs = [{"name": name, "notebook": str(notebook(tmp / f"{name}.ipynb", body)),
             "title": {"vi": f"Báo cáo {name}", "en": f"Report {name}"}} for name, body in bodies.items()]
    runs[0]["params"] = {"marker": IMG}
    runs[-1]["timeout"] = 3
    path = spec(tmp / "spec.yaml", runs, timeout=120)
    out = tmp / "out"
    # a second run into the same folder at the same time (the README's two cron jobs)
    other = spec(tmp / "other.yaml", [{"name": "other", "notebook": str(notebook(tmp / "other.ipynb", OK))}])
    second: list = []
    thread = threading.Thread(target=lambda: second.extend(reports.run_portfolio(other, out, jobs=1, progress=False,
                                                                                 **warm)))
    thread.start()
    jobs = reports.run_portfolio(path, out, jobs=3, progress=False, **warm)
    thread.join(timeout=120)
    assert [j.status for j in second] == ["ok"]
    yield tmp, out, {j.name: j for j in jobs}, warm
    mp.undo()


def test_each_failure_marks_only_its_report(portfolio):
    _, out, jobs, _ = portfolio
    assert {n: j.status for n, j in jobs.items()} == {"ok": "ok", "raises": "failed", "kernel_exit": "failed",
                                                      "kills_worker": "failed", "hangs": "failed"}
    log = reports.LOGS / "raises.log"      # a failure here shows the report's log (its kernel's stderr)
    assert jobs["raises"].error == f"ValueError: {SCRIPT} in x.csv", log.read_text(errors="replace")[-3000:]
    assert "kernel" in jobs["kernel_exit"].error.lower() or "nhân python" in jobs["kernel_exit"].error.lower()
    assert "SIGKILL" in jobs["kills_worker"].error
    assert "3" in jobs["hangs"].error and ("Quá thời gian" in jobs["hangs"].error)
    for name in jobs:
        assert state.is_whole(out / f"{name}.html"), name
    assert (out / "ok_bang.csv").read_text(encoding="utf-8") == "a,b\n1,2\n"
    assert not (out / reports.STAGING).exists()               # no staging left behind
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*.tmp"))


def test_index_lists_every_report_escaped(portfolio):
    _, out, _, _ = portfolio
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in ("ok", "raises", "kernel_exit", "kills_worker", "hangs", "other"):
        assert f'href="{name}.html"' in index      # both concurrent runs' reports are listed
    assert index.count('<tr class="failed">') == 4 and index.count('<tr class="ok">') == 2
    assert "<script" not in index and "<img" not in index and "/home/ana" not in index
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index and "onerror=alert(9)&gt;" in index
    assert 'href="ok_bang.csv"' in index
    entries = json.loads((out / state.STATE_FILE).read_text(encoding="utf-8"))["reports"]
    assert entries["hangs"]["status"] == "failed" and entries["ok"]["outputs"].keys() == {"ok.html", "ok_bang.csv"}
    assert entries["other"]["status"] == "ok" and len(entries) == 6


def test_failed_page_shows_the_reason_escaped(portfolio):
    _, out, _, _ = portfolio
    page = (out / "raises.html").read_text(encoding="utf-8")
    assert "Báo cáo này không chạy xong" in page
    assert SCRIPT not in page and "&lt;script&gt;alert" in page


def test_rerun_skips_what_is_whole_and_reruns_what_is_not(portfolio, monkeypatch):
    tmp, out, _, warm = portfolio
    monkeypatch.setattr(reports, "package_hash", lambda: "fixed")
    only_ok = spec(tmp / "only_ok.yaml", [{"name": "ok", "notebook": str(tmp / "ok.ipynb"), "params": {"marker": IMG},
                                           "title": {"vi": "Báo cáo ok", "en": "Report ok"}}])
    (job,) = reports.run_portfolio(only_ok, out, progress=False, **warm)
    assert job.status == "skipped"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="hangs.html"' in index       # the other spec's entries are kept
    # an output emptied by a kill is not skipped; a corrupt state file is set aside, never fatal
    (out / "ok_bang.csv").write_bytes(b"")
    (out / state.STATE_FILE).write_text("{not json", encoding="utf-8")
    (job,) = reports.run_portfolio(only_ok, out, progress=False, **warm)
    assert job.status == "ok" and (out / "ok_bang.csv").stat().st_size > 0
    assert list(out.glob(state.STATE_FILE + ".corrupt-*"))
    assert json.loads((out / state.STATE_FILE).read_text(encoding="utf-8"))["reports"]["ok"]["status"] == "ok"


def test_out_is_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    nb = notebook(tmp_path / "n.ipynb", "pass")
    with pytest.raises(reports.RunSpecError, match="is a file, not a folder"):
        reports.run_portfolio(spec(tmp_path / "s.yaml", [{"name": "a", "notebook": str(nb)}]), tmp_path / "f",
                              progress=False)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "\nState:\tZ" in status.read_text()


@pytest.mark.parametrize("mode", MODES)
def test_sigterm_stops_workers_and_kernels_and_leaves_a_consistent_index(tmp_path, mode):
    if mode == "dask":
        pytest.importorskip("distributed")
    marker = tmp_path / "pids"
    runs = [{"name": "quick", "notebook": str(notebook(tmp_path / "quick.ipynb", OK))},
            {"name": "sleeps", "notebook": str(notebook(tmp_path / "sleeps.ipynb", HANGS)), "params": {"marker": str(marker)}},
            {"name": "queued", "notebook": str(tmp_path / "quick.ipynb"), "params": {"period": "2023"}}]
    path = spec(tmp_path / "spec.yaml", runs)
    out = tmp_path / "out"
    code = ("import sys\nfrom btchild_analysis import reports\n"
            "mode = sys.argv[3]\nextra = {'executor': 'dask'} if mode == 'dask' else {'warm': mode == 'warm'}\n"
            "try:\n    reports.run_portfolio(sys.argv[1], sys.argv[2], jobs=2, progress=False, **extra)\n"
            "except reports.ReportStopped as e:\n    print(e)\n    sys.exit(3)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(path), str(out), mode],
                            stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert marker.exists(), "the sleeping notebook never started"
    time.sleep(0.5)
    kernel, worker = map(int, marker.read_text().split())
    proc.send_signal(signal.SIGTERM)
    stdout, _ = proc.communicate(timeout=30)
    assert proc.returncode == 3 and "stopped by a signal" in stdout
    deadline = time.monotonic() + 10
    while not (_gone(kernel) and _gone(worker)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _gone(worker) and _gone(kernel)
    index = (out / "index.html").read_text(encoding="utf-8")
    entries = json.loads((out / state.STATE_FILE).read_text(encoding="utf-8"))["reports"]
    assert entries["sleeps"]["status"] == "stopped" and 'href="sleeps.html"' in index
    assert '<tr class="stopped">' in index
    for name, entry in entries.items():          # every page the index links is there and whole
        assert state.is_whole(out / entry["html"]), name
    assert not (out / reports.STAGING).exists()


WARM_BODY = ('import os, sys\nimport matplotlib\n'
             'seen = [report_name, str(os.getpid()), str("btchild_analysis.sections" in sys.modules),\n'
             '        str("leftover" in dir()), str(matplotlib.rcParams["lines.linewidth"]), os.getcwd()]\n'
             'leftover = 1\nmatplotlib.rcParams["lines.linewidth"] = 9.5\n'
             'with open(marker, "a", encoding="utf-8") as fh:\n    fh.write(",".join(seen) + "\\n")\n')


def test_a_warm_kernel_whose_library_was_changed_in_memory_is_replaced(tmp_path, monkeypatch):
    monkeypatch.setattr(reports, "package_hash", lambda: "fixed")
    marker = tmp_path / "seen.csv"
    ok = notebook(tmp_path / "ok.ipynb", WARM_BODY)
    patches = notebook(tmp_path / "patches.ipynb", WARM_BODY + "import btchild_analysis.fmt as f\nf.num = lambda *a, **k: 'x'")
    runs = [{"name": "a", "notebook": str(ok)}, {"name": "b", "notebook": str(patches)},
            {"name": "c", "notebook": str(ok), "params": {"period": "2023"}},
            {"name": "d", "notebook": str(ok), "params": {"period": "2022"}}]
    path = spec(tmp_path / "spec.yaml", runs, defaults={"lang": "vi", "marker": str(marker)})
    jobs = reports.run_portfolio(path, tmp_path / "out", jobs=1, progress=False, warm=True)
    assert [j.status for j in jobs] == ["ok", "ok", "ok", "ok"]
    pid = {r.split(",")[0]: r.split(",")[1] for r in marker.read_text(encoding="utf-8").splitlines()}
    assert pid["a"] == pid["b"]         # the kernel was reused while the library was untouched
    assert pid["c"] != pid["b"]         # b replaced fmt.num: c gets a new kernel
    assert pid["d"] == pid["c"]


def test_warm_workers_reuse_a_clean_kernel_and_replace_it_after_a_failure(tmp_path, monkeypatch):
    monkeypatch.setattr(reports, "package_hash", lambda: "fixed")
    marker = tmp_path / "seen.csv"
    ok = notebook(tmp_path / "ok.ipynb", WARM_BODY)
    sub = tmp_path / "sub"
    sub.mkdir()
    fails = notebook(sub / "fails.ipynb", WARM_BODY + 'raise ValueError("made to fail")')
    runs = [{"name": "a", "notebook": str(ok)}, {"name": "b", "notebook": str(ok), "params": {"period": "2023"}},
            {"name": "c", "notebook": str(fails)}, {"name": "d", "notebook": str(ok), "params": {"period": "2022"}}]
    path = spec(tmp_path / "spec.yaml", runs, defaults={"lang": "vi", "marker": str(marker)})
    jobs = reports.run_portfolio(path, tmp_path / "out", jobs=1, progress=False, warm=True)
    assert [j.status for j in jobs] == ["ok", "ok", "failed", "ok"]
    rows = {r.split(",")[0]: r.split(",")[1:] for r in marker.read_text(encoding="utf-8").splitlines()}
    default_width = rows["a"][3]
    assert default_width != "9.5"
    assert rows["a"][0] == rows["b"][0] == rows["c"][0]              # one kernel for a, b and c
    assert rows["d"][0] != rows["c"][0]                                # a new one after the failure
    for name in "abcd":
        pid, warmed, leftover, width, cwd = rows[name]
        assert warmed == "True", name                                  # the library was imported before
        assert leftover == "False" and width == default_width, name    # namespace and settings reset
    assert rows["c"][4] == str(sub) and rows["d"][4] == str(tmp_path)  # each in its notebook's folder
    assert not (tmp_path / "out" / reports.STAGING).exists()

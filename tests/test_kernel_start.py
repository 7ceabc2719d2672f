"""A report whose kernel dies while starting gets another kernel; one that dies running a cell does not.

CI saw a report fail with "Kernel died before replying to kernel_info" while four reports started their
kernels at once: nothing of the notebook had run, so starting another kernel is safe.  The kernels here
are a kernelspec (``flaky``) that exits ``dies`` times before it starts a real kernel, counting its starts.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from btchild_analysis import report_worker
from btchild_analysis.pages import texts
from runner_fixtures import KERNEL_EXIT, OK, notebook

LAUNCHER = """
import pathlib, runpy, sys
count, dies, connection = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
started = int(count.read_text()) if count.exists() else 0
count.write_text(str(started + 1))
if started < dies:
    sys.exit(1)
sys.argv = ["ipykernel_launcher", "-f", connection]
runpy.run_module("ipykernel_launcher", run_name="__main__")
"""


@pytest.fixture
def flaky(tmp_path, monkeypatch):
    """``flaky(dies)``: make ``flaky`` the reports' kernel, dying ``dies`` times; returns its start count file."""
    def make(dies: int):
        spec_dir = tmp_path / "jupyter" / "kernels" / "flaky"
        spec_dir.mkdir(parents=True)
        (tmp_path / "launch.py").write_text(LAUNCHER, encoding="utf-8")
        count = tmp_path / "starts"
        argv = [sys.executable, str(tmp_path / "launch.py"), str(count), str(dies), "{connection_file}"]
        (spec_dir / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "flaky", "language": "python"}))
        monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
        monkeypatch.setattr(report_worker, "KERNEL", "flaky")
        return count
    return make


def _job(tmp_path, body: str) -> dict:
    staging = tmp_path / "staging"
    staging.mkdir()
    return {"staging": str(staging), "notebook": str(notebook(tmp_path / "nb.ipynb", body)), "params": {},
            "name": "r", "lang": "vi", "page_title": "Báo cáo thử"}


def _starts(count) -> int:
    return int(count.read_text(encoding="utf-8"))


def test_a_kernel_that_dies_while_starting_is_replaced_and_the_report_runs(tmp_path, flaky, capsys):
    count = flaky(dies=1)
    job = _job(tmp_path, OK)
    result = report_worker.run(job)
    assert result["status"] == "ok", result
    assert _starts(count) == 2
    assert (tmp_path / "staging" / "r_bang.csv").read_text(encoding="utf-8") == "a,b\n1,2\n"   # the notebook ran once
    assert "the kernel died while starting (start 1 of 3)" in capsys.readouterr().out


def test_after_three_kernels_die_starting_the_report_fails_with_a_reason_in_its_language(tmp_path, flaky):
    count = flaky(dies=99)
    job = _job(tmp_path, OK)
    result = report_worker.run(job)
    assert _starts(count) == report_worker.KERNEL_STARTS == 3
    assert result["status"] == "failed"
    assert result["error"] == texts("vi")["reason_kernel_start"].format(tries=3)
    assert "không khởi động được (đã thử 3 lần)" in result["error"]
    page = (tmp_path / "staging" / "r.html").read_text(encoding="utf-8")
    assert "không khởi động được" in page and "kernel_info" not in page
    assert not (tmp_path / "staging" / "r_bang.csv").exists()


def test_a_kernel_that_dies_running_a_cell_is_not_restarted(tmp_path, flaky):
    # the notebook has run (and may have written files): running it again could do its work twice
    count = flaky(dies=0)
    result = report_worker.run(_job(tmp_path, KERNEL_EXIT))
    assert _starts(count) == 1
    assert result["status"] == "failed" and result["error"] == texts("vi")["reason_kernel_died"]


def test_the_warm_kernel_is_replaced_too_when_it_dies_while_starting(tmp_path, flaky, capsys):
    count = flaky(dies=1)
    kernel = report_worker.WarmKernel(kernel_name="flaky")
    try:
        kernel.start()                           # the first kernel dies: the warm-up fails, only logged
        assert "warm-up failed" in capsys.readouterr().out
        result = report_worker.run(_job(tmp_path, OK), kernel)
    finally:
        kernel.shutdown()
    assert result["status"] == "ok", result
    assert _starts(count) == 2


def test_other_runtime_errors_are_not_taken_for_a_kernel_dying_at_start():
    assert report_worker.died_starting(RuntimeError("Kernel died before replying to kernel_info"))
    assert not report_worker.died_starting(RuntimeError("Kernel didn't respond in 60 seconds"))
    assert not report_worker.died_starting(ValueError("Kernel died before replying to kernel_info"))
    assert report_worker.reason_of(RuntimeError("boom")) == "RuntimeError: boom"


@pytest.mark.parametrize("warm", [False, True], ids=["per_report", "warm"])
def test_the_worker_log_has_no_traceback_after_kernels_died_starting(tmp_path, flaky, warm):
    # nbclient's async path (the warm kernel's) leaves the clean-up of a kernel that died starting for
    # the process's exit, where it fails with a traceback in the report's log; the worker takes it back
    count = flaky(dies=2)
    job = _job(tmp_path, OK)
    job_file = tmp_path / "staging" / "job.json"
    job_file.write_text(json.dumps(job), encoding="utf-8")
    run = f"w.serve([{str(job_file)!r}])" if warm else f"w.main([{str(job_file)!r}])"
    code = f"import sys; from btchild_analysis import report_worker as w; w.KERNEL = 'flaky'; sys.exit({run})"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log
    assert json.loads((tmp_path / "staging" / report_worker.RESULT).read_text())["status"] == "ok", log
    assert _starts(count) == 3
    assert "Traceback" not in log and "Exception ignored" not in log, log

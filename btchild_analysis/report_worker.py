"""One report in its own process: ``python -m btchild_analysis.report_worker JOB.json``.

The runner (:mod:`btchild_analysis.reports`) starts one such process per report, in a session of its
own, and kills the session on timeout or when it is stopped itself; a notebook that kills this
process or its kernel therefore takes down only its own report.  The worker writes everything into
its staging folder (``output_dir`` of the notebook): the page ``{name}.html``, the notebook's own
files, and ``.result.json`` (status, one-line reason, seconds) last.  The runner moves the files into
the output folder; nothing here touches it.
"""
from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path

import nbformat
import papermill as pm
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from .pages import failure_cell_text, failure_page, one_line, texts, to_html

RESULT = ".result.json"
EXECUTED = ".executed.ipynb"


def _stop(signum, frame):  # noqa: ARG001 - signal handler signature
    raise SystemExit(128 + signum)  # unwinds papermill, which shuts its kernel down


def reason_of(exc: BaseException, lang: str = "vi") -> str:
    """One-line reason of a failed run (the notebook's own error name and message when there is one)."""
    if isinstance(exc, DeadKernelError):
        return texts(lang)["reason_kernel_died"]
    if isinstance(exc, CellTimeoutError):
        return texts(lang)["reason_cell_timeout"]
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return one_line(f"{ename}: {evalue}" if evalue else ename)
    return one_line(f"{type(exc).__name__}: {exc}")


def run(job: dict) -> dict:
    """Execute the notebook of ``job`` into its staging folder and export its page."""
    staging = Path(job["staging"])
    executed = staging / EXECUTED
    params = {**job["params"], "output_dir": str(staging), "report_name": job["name"]}
    start = time.perf_counter()
    status, error = "ok", ""
    try:
        pm.execute_notebook(job["notebook"], str(executed), parameters=params, kernel_name="python3",
                            progress_bar=False, cwd=str(Path(job["notebook"]).parent), log_output=False)
    except Exception as exc:  # papermill writes the failed notebook with its error before raising
        status, error = "failed", reason_of(exc, job["lang"])
    page = staging / f"{job['name']}.html"
    if executed.exists():
        nb = nbformat.read(executed, as_version=4)
        if status == "failed":
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(failure_cell_text(error, job["lang"])))
        page.write_text(to_html(nb, job["lang"], job["page_title"]), encoding="utf-8")
    else:
        page.write_text(failure_page(job["page_title"], error, job["lang"]), encoding="utf-8")
    return {"status": status, "error": error, "seconds": round(time.perf_counter() - start, 2)}


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the job file given as the only argument, write ``.result.json``."""
    signal.signal(signal.SIGTERM, _stop)
    argv = sys.argv[1:] if argv is None else argv
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    result = run(job)
    tmp = Path(job["staging"]) / (RESULT + ".tmp")
    tmp.write_text(json.dumps(result), encoding="utf-8")
    tmp.replace(Path(job["staging"]) / RESULT)
    return 0


if __name__ == "__main__":
    sys.exit(main())

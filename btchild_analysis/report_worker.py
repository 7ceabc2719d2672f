"""One report in its own process: ``python -m btchild_analysis.report_worker JOB.json``.

The runner (:mod:`btchild_analysis.reports`) starts one such process per report, in a session of its
own, and kills the session on timeout or when it is stopped itself; a notebook that kills this
process or its kernel therefore takes down only its own report.  The worker writes everything into
its staging folder (``output_dir`` of the notebook): the page ``{name}.html``, the notebook's own
files, and ``.result.json`` (status, one-line reason, seconds) last.  The runner moves the files into
the output folder; nothing here touches it.

``python -m btchild_analysis.report_worker --warm`` (what ``btchild report`` runs unless ``--no-warm``)
is a long-lived worker: it reads job files one per line on stdin and runs each in a kernel it keeps alive
(:class:`WarmKernel`): the library imported once, the namespace and global state reset before each
report, the kernel restarted after a failure, every :data:`WARM_MAX_REPORTS` reports, and when a report
has replaced or added a function or class of the library in memory (checked before the next). The
warm-up's objects are frozen for the garbage collector (``gc.freeze``), so the reset between reports does
not walk the whole library again, and the page exporter's templates are loaded while the kernel starts.
The runner still kills the whole worker on a timeout or a stop, and starts another for the next report.
"""
from __future__ import annotations

import atexit
import json
import signal
import sys
import threading
import time
from pathlib import Path

import nbformat
import papermill as pm
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger as pm_logger
from papermill.utils import merge_kwargs, remove_args

from .pages import failure_cell_text, failure_page, one_line, texts, to_html

RESULT = ".result.json"
EXECUTED = ".executed.ipynb"
KERNEL = "python3"
#: Reports a warm kernel runs before it is restarted (bounds leaks from one report into the next).
WARM_MAX_REPORTS = 10
WARM_ENGINE = "btchild_warm"
#: Kernels a report may start: one that dies before it answers has run nothing of the notebook (its
#: ports taken meanwhile by another process — jupyter_client picks free ports, closes them and the kernel
#: binds them a second later, jupyter/jupyter_client#154 — or a machine short of memory for a moment), so
#: another is started, up to this many in all.
KERNEL_STARTS = 3
#: What jupyter_client says of a kernel that ended before answering its first request.
DIED_STARTING = "Kernel died before replying to kernel_info"
#: Run once in a new warm kernel: import what the reports import, then record the global state.
WARMUP = """
import importlib as _il, os as _os, sys as _sys, types as _types, warnings as _w
for _name in ("IPython.display", "btchild_analysis.dataset", "btchild_analysis.sections", "btchild_analysis.indicators",
              "btchild_analysis.boundaries", "btchild_analysis.maps", "btchild_analysis.plots", "btchild_analysis.messages",
              "btchild_analysis.interactive", "btchild_analysis.targets", "btchild_analysis.trends",
              "btchild_analysis.admin_units", "btchild_analysis.scorecard", "btchild_analysis.anthropometry",
              "btchild_analysis.anthro_quality", "matplotlib.pyplot"):
    try:
        _il.import_module(_name)
    except Exception as _exc:  # the report that needs it will say why
        print("warm-up:", _name, type(_exc).__name__, _exc)
import matplotlib as _m, numpy as _np
def _btchild_library():
    # the library's functions and classes, by module: a report that replaces one is caught before the next
    import sys  # (self-contained: the namespace this is defined in is emptied)
    return {n: {k: id(v) for k, v in vars(m).items() if callable(v)}
            for n, m in list(sys.modules.items()) if n.startswith("btchild_analysis") and m is not None}
_sys.modules["_btchild_warm_state"] = _types.SimpleNamespace(
    rc=_m.rcParams.copy(), filters=list(_w.filters), err=_np.geterr(), path=list(_sys.path), environ=dict(_os.environ),
    library=_btchild_library(), snapshot=_btchild_library)
get_ipython().run_line_magic("reset", "-f")
import gc as _gc
_gc.freeze()  # the imported library is never garbage: later collections (the reset before each report) skip it
del _gc
"""
#: Run before each report in a warm kernel (``{cwd!r}`` filled in): global state back to the warm-up's.
RESET = """
import os as _os, sys as _sys, warnings as _w
_st = _sys.modules.get("_btchild_warm_state")
if _st is not None:
    _now = _st.snapshot()
    _changed = sorted(n for n, attrs in _st.library.items() if _now.get(n) != attrs)
    if _changed:
        raise RuntimeError("btchild warm kernel: the library was changed in memory (" + ", ".join(_changed) + ")")
    import matplotlib as _m, matplotlib.pyplot as _p, numpy as _np
    _p.close("all")
    _m.rcParams._update_raw(_st.rc) if hasattr(_m.rcParams, "_update_raw") else dict.update(_m.rcParams, _st.rc)
    _w.filters[:] = _st.filters
    _w._filters_mutated() if hasattr(_w, "_filters_mutated") else None
    _np.seterr(**_st.err)
    _sys.path[:] = _st.path
    _os.environ.clear()
    _os.environ.update(_st.environ)
_os.chdir({cwd!r})
get_ipython().run_line_magic("reset", "-f")
"""


def _stop(signum, frame):  # noqa: ARG001 - signal handler signature
    raise SystemExit(128 + signum)  # unwinds papermill, which shuts its kernel down


def died_starting(exc: BaseException) -> bool:
    """Whether ``exc`` is a kernel that died before running anything (safe to start another)."""
    return isinstance(exc, RuntimeError) and str(exc).startswith(DIED_STARTING)


def reason_of(exc: BaseException, lang: str = "vi") -> str:
    """One-line reason of a failed run (the notebook's own error name and message when there is one)."""
    if isinstance(exc, DeadKernelError):
        return texts(lang)["reason_kernel_died"]
    if died_starting(exc):
        return texts(lang)["reason_kernel_start"].format(tries=KERNEL_STARTS)
    if isinstance(exc, CellTimeoutError):
        return texts(lang)["reason_cell_timeout"]
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return one_line(f"{ename}: {evalue}" if evalue else ename)
    return one_line(f"{type(exc).__name__}: {exc}")


class _WarmEngine(NBClientEngine):
    """papermill's nbclient engine on a kernel it does not own: the kernel stays up; the kernel's
    client ``kc`` (kept by :class:`WarmKernel`, connected once) is used as it is and left open."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, **kwargs):
        kc = kwargs.pop("kc", None)
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        client = PapermillNotebookClient(nb_man, **merge_kwargs(
            kwargs, timeout=execution_timeout, startup_timeout=start_timeout, kernel_name=kernel_name,
            log=pm_logger, log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file))
        client.kc = kc
        try:
            return client.execute()
        finally:
            if kc is None and client.kc is not None:
                client.kc.stop_channels()


papermill_engines.register(WARM_ENGINE, _WarmEngine)


class WarmKernel:
    """A kernel kept alive from report to report, with the library imported once.

    :meth:`prepare` gives the next report a clean kernel: a new one when there is none, it died, or it
    has run :data:`WARM_MAX_REPORTS` reports; else the same one with its namespace emptied and its
    global state (matplotlib settings and figures, warning filters, numpy error settings,
    ``sys.path``, environment, working folder) set back to what it was after the warm-up.  A kernel
    in which a report changed the library (a function or class of a ``btchild_analysis`` module
    replaced, added or removed) is replaced.
    """

    def __init__(self, kernel_name: str | None = None, max_reports: int = WARM_MAX_REPORTS):
        self.kernel_name, self.max_reports = kernel_name or KERNEL, max_reports
        self.km: AsyncKernelManager | None = None
        #: The kernel's client, connected once (connecting one costs ~0.2 s: jupyter_client's wait
        #: for a quiet IOPub channel) and shared by the reset and the reports.
        self.kc = None
        self.used = 0

    def _run(self, code: str, timeout: float = 600) -> None:
        """Execute ``code`` in the kernel (raises nbclient's errors, e.g. CellExecutionError)."""
        client = NotebookClient(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]), km=self.km,
                                timeout=int(timeout), kernel_name=self.kernel_name)
        client.kc = self.kc
        try:
            client.execute()
        except RuntimeError as exc:   # nbclient would clean up a kernel dead at start once more at exit, and fail
            if died_starting(exc):
                atexit.unregister(client._cleanup_kernel)
            raise
        finally:
            self.kc = client.kc     # connected by the first call, kept open until :meth:`shutdown`

    def start(self) -> None:
        """A new kernel, warmed up (imports done); a warm-up that fails is only logged."""
        self.shutdown()
        self.km = AsyncKernelManager(kernel_name=self.kernel_name)
        run_sync(self.km.start_kernel)()
        self.used = 0
        try:
            self._run(WARMUP)
        except Exception as exc:  # the reports will meet the same problem and report it themselves
            print(f"btchild warm worker: warm-up failed: {reason_of(exc)}", flush=True)

    def alive(self) -> bool:
        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def prepare(self, cwd: str) -> None:
        """Make the kernel ready for the next report run in ``cwd``."""
        if not self.alive() or self.used >= self.max_reports:
            self.start()
        try:
            self._run(RESET.format(cwd=cwd))
        except Exception as exc:   # a kernel that cannot be reset (or whose library was changed) is replaced
            print(f"btchild warm worker: new kernel ({reason_of(exc)})", flush=True)
            self.start()
            self._run(RESET.format(cwd=cwd))
        self.used += 1

    def shutdown(self) -> None:
        if self.kc is not None:
            kc, self.kc = self.kc, None
            try:
                kc.stop_channels()
            except Exception as exc:  # already gone
                print(f"btchild warm worker: kernel client: {type(exc).__name__}: {exc}", flush=True)
        if self.km is not None:
            km, self.km = self.km, None
            try:
                run_sync(km.shutdown_kernel)(now=True)
            except Exception as exc:  # already gone
                print(f"btchild warm worker: kernel shutdown: {type(exc).__name__}: {exc}", flush=True)


def _execute(notebook: str, executed: Path, params: dict, cwd: str, kernel: WarmKernel | None) -> None:
    """papermill on ``notebook``; a kernel that dies while starting is replaced (:data:`KERNEL_STARTS`)."""
    for start in range(1, KERNEL_STARTS + 1):
        try:
            warm = {}
            if kernel is not None:
                kernel.prepare(cwd)
                warm = {"engine_name": WARM_ENGINE, "km": kernel.km, "kc": kernel.kc}
            pm.execute_notebook(notebook, str(executed), parameters=params, kernel_name=KERNEL,
                                progress_bar=False, cwd=cwd, log_output=False, **warm)
            return
        except RuntimeError as exc:
            if not died_starting(exc) or start == KERNEL_STARTS:
                raise
            print(f"btchild worker: the kernel died while starting (start {start} of {KERNEL_STARTS}); "
                  "starting another", flush=True)


def run(job: dict, kernel: WarmKernel | None = None) -> dict:
    """Execute the notebook of ``job`` into its staging folder and export its page.

    ``kernel``: a warm kernel to run it in (else papermill starts and stops a kernel of its own).
    """
    staging = Path(job["staging"])
    executed = staging / EXECUTED
    params = {**job["params"], "output_dir": str(staging), "report_name": job["name"]}
    start = time.perf_counter()
    status, error = "ok", ""
    cwd = str(Path(job["notebook"]).parent)
    try:
        _execute(job["notebook"], executed, params, cwd, kernel)
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


def _write_result(job: dict, result: dict) -> None:
    tmp = Path(job["staging"]) / (RESULT + ".tmp")
    tmp.write_text(json.dumps(result), encoding="utf-8")
    tmp.replace(Path(job["staging"]) / RESULT)


def warm_exporter(langs: tuple[str, ...] = ("vi", "en")) -> None:
    """Load the page exporters' templates once, before the first report needs them (~0.3 s)."""
    empty = nbformat.v4.new_notebook()
    for lang in langs:
        to_html(empty, lang, "warm-up")


def serve(lines=None) -> int:
    """The warm worker: run the job file named on each line of stdin in a kept-alive kernel, until EOF."""
    kernel = WarmKernel()
    exporter = threading.Thread(target=warm_exporter, daemon=True)
    exporter.start()   # while the kernel starts and imports the library (another process)
    try:
        kernel.start()
        exporter.join()
        for line in (sys.stdin if lines is None else lines):
            path = line.strip()
            if not path:
                continue
            job = json.loads(Path(path).read_text(encoding="utf-8"))
            print(f"btchild warm worker: {job['name']}", flush=True)
            result = run(job, kernel)
            _write_result(job, result)
            if result["status"] != "ok":
                kernel.start()   # after a failure, the next report gets a new kernel
    finally:
        kernel.shutdown()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the job file given as the only argument (or ``--warm``), write ``.result.json``."""
    signal.signal(signal.SIGTERM, _stop)
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--warm"]:
        return serve()
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    _write_result(job, run(job))
    return 0


if __name__ == "__main__":
    sys.exit(main())

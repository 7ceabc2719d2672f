"""The report runner: a YAML run spec → one process per notebook → HTML pages → ``index.html``.

* The spec is checked whole before anything runs (:mod:`btchild_analysis.runspec`).
* Each report runs in a process of its own (:mod:`btchild_analysis.report_worker`) with a timeout
  (``timeout`` of the spec, per-run override).  A notebook that fails, hangs, or kills its kernel or
  its process marks only that report failed; the index is always written.
* SIGTERM (or Ctrl-C) stops the workers and their kernels, records what finished and writes the
  index, then :class:`ReportStopped` is raised.
* A report writes into a staging folder; its files are moved into the output folder one rename each
  once the report is over, so a killed report never leaves a half-written page or workbook.
* State is kept per report in the output folder, under a lock (:mod:`btchild_analysis.state`); a
  report whose inputs are unchanged and whose outputs are intact is skipped unless ``force``.
* Results shared by the reports (the validated dataset) are computed once per data fingerprint and
  kept in ``out/.btchild_cache`` (:mod:`btchild_analysis.cache`, through ``BTCHILD_CACHE_DIR``).
* Warm workers (the default; ``warm=False`` / ``--no-warm``: a new process and kernel per report):
  long-lived workers keep a kernel with the library imported (:class:`_WarmPool`,
  :class:`btchild_analysis.report_worker.WarmKernel`), with the same guarantees.
* ``executor``: hand the reports to a ``dask.distributed`` cluster instead of the local workers
  (:mod:`btchild_analysis.executors`), same index, state and guarantees.

Length: over 400 lines because the loop of workers, the per-report workers and the warm pool share
one set of process helpers (start in a session, signal the group, stop within ``GRACE``).
"""
from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from .cache import ENV as CACHE_ENV, FOLDER as CACHE_FOLDER
from .errors import BtchildError, RunSpecError
from .outputs import atomic_write_text
from .pages import failure_page, texts
from .portfolio_index import build_index, page_title, report_entry
from .report_worker import RESULT
from .runspec import (DEFAULT_SPEC, NOTEBOOKS, PATH_PARAMS, RUNNER_PARAMS, Job, expand, load_spec,  # noqa: F401
                      resolve_auto, slug)
from .sample import sample_dir
from .state import State, describe_outputs, fingerprint as _fingerprint, is_fresh, package_hash

STAGING = ".btchild_staging"
#: Worker logs of failed reports: kept outside the (possibly published) output folder.
LOGS = Path(tempfile.gettempdir()) / "btchild-logs"
#: Seconds a stopped worker gets to shut its kernel down before it is killed.
GRACE = 5.0
POLL = 0.02   # seconds between looks at the running reports (a worker idles at most this long)


class ReportStopped(BtchildError):
    """``btchild report`` was stopped (SIGTERM / Ctrl-C); what finished is recorded, the index written."""


def _implicit_inputs(params: dict) -> list[str]:
    """Inputs a report reads when its path parameters are empty: the sample, ``$BTCHILD_BOUNDARIES``."""
    paths = []
    if not params.get("data"):
        paths.append(str(sample_dir()))
    if not params.get("boundaries") and os.environ.get("BTCHILD_BOUNDARIES"):
        paths.append(os.environ["BTCHILD_BOUNDARIES"])
    return paths


def fingerprint(job: Job, code: str | None = None) -> str:
    """Hash of the job's notebook, parameters (language included), every input path and the package."""
    return _fingerprint(job.notebook, job.params, PATH_PARAMS, _implicit_inputs(job.params), code)


# --- running one report in its own process -----------------------------------------------------------

@dataclass
class _Running:
    job: Job
    proc: subprocess.Popen
    staging: Path
    log: object
    started: float
    timed_out: bool = False
    warm: "_WarmWorker | None" = None
    log_from: int = 0


def _staging_dir(out: Path, name: str) -> Path:
    """A fresh staging folder (the parent may just have been removed by another run finishing)."""
    for _ in range(5):
        (out / STAGING).mkdir(exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            return Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-{name}-", dir=out / STAGING))
    raise RunSpecError(f"{out / STAGING}: cannot create a staging folder")


def _worker_env(cache: Path | None) -> dict:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if cache is not None:
        env[CACHE_ENV] = str(cache.resolve())
    return env


def _spawn(args: list[str], log, cache: Path | None, stdin=subprocess.DEVNULL) -> subprocess.Popen:
    """A worker process in a session of its own (so that its whole group can be stopped)."""
    return subprocess.Popen([sys.executable, "-m", "btchild_analysis.report_worker", *args],
                            stdin=stdin, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env=_worker_env(cache), preexec_fn=_die_with_parent)


def _start(job: Job, out: Path, lang: str, cache: Path | None = None, pool: "_WarmPool | None" = None,
           remote=None) -> _Running:
    """Start ``job``: in a new worker process, in a warm worker of ``pool``, or on ``remote``.

    ``cache``: the run's shared results (``BTCHILD_CACHE_DIR``); ``remote``: a
    :class:`btchild_analysis.executors.DaskExecutor`.
    """
    staging = _staging_dir(out, job.name)
    spec = {"name": job.name, "notebook": job.notebook, "params": job.params, "staging": str(staging),
            "lang": job.params.get("lang", lang), "page_title": page_title(job, job.params.get("lang", lang))}
    job_file = staging / ".job.json"
    job_file.write_text(json.dumps(spec, default=str), encoding="utf-8")
    if remote is not None:
        return _Running(job, remote.submit(job_file, cache, job.timeout, job.name), staging, None, time.monotonic())
    if pool is not None:
        worker, log_from = pool.send(job_file)
        return _Running(job, worker.proc, staging, worker.log, time.monotonic(), warm=worker, log_from=log_from)
    log = open(staging / ".worker.log", "wb")
    proc = _spawn([str(job_file)], log, cache)
    return _Running(job, proc, staging, log, time.monotonic())


@dataclass
class _WarmWorker:
    proc: subprocess.Popen
    log: object
    folder: Path
    busy: bool = False

    @property
    def log_path(self) -> Path:
        return self.folder / ".worker.log"


class _WarmPool:
    """Long-lived workers (``report_worker --warm``), each keeping a kernel with the library imported.

    A worker gets one job at a time (its job file's path on its stdin).  A worker that dies, or is
    stopped on a timeout, is dropped; the next job goes to a new one.
    """

    def __init__(self, out: Path, cache: Path | None):
        self.out, self.cache = out, cache
        self.workers: list[_WarmWorker] = []

    def _new(self) -> _WarmWorker:
        folder = _staging_dir(self.out, "warm")
        log = open(folder / ".worker.log", "wb")
        w = _WarmWorker(_spawn(["--warm"], log, self.cache, stdin=subprocess.PIPE), log, folder)
        self.workers.append(w)
        return w

    def send(self, job_file: Path) -> tuple[_WarmWorker, int]:
        """Hand ``job_file`` to an idle live worker (a new one if none); its log's size before the job."""
        for _ in range(3):
            idle = [w for w in self.workers if not w.busy and w.proc.poll() is None]
            w = idle[0] if idle else self._new()
            log_from = w.log_path.stat().st_size
            try:
                w.proc.stdin.write(f"{job_file}\n".encode())
                w.proc.stdin.flush()
            except (BrokenPipeError, OSError):
                self.drop(w)
                continue
            w.busy = True
            return w, log_from
        raise RunSpecError("the warm report workers keep dying at start; run without --warm")

    def release(self, w: _WarmWorker, reusable: bool) -> None:
        """The job of ``w`` is over: keep it for the next job, or drop it (dead, timed out)."""
        w.busy = False
        if not reusable or w.proc.poll() is not None:
            self.drop(w)

    def drop(self, w: _WarmWorker) -> None:
        if w.proc.poll() is None:
            _signal_group(w.proc, signal.SIGTERM)
            try:
                w.proc.wait(timeout=GRACE)
            except subprocess.TimeoutExpired:
                _signal_group(w.proc, signal.SIGKILL)
                w.proc.wait()
        self._forget(w)

    def _forget(self, w: _WarmWorker) -> None:
        with contextlib.suppress(OSError):
            w.proc.stdin.close()
        w.log.close()
        shutil.rmtree(w.folder, ignore_errors=True)
        with contextlib.suppress(ValueError):
            self.workers.remove(w)

    def end_input(self) -> None:
        """EOF on every worker's stdin: each shuts its kernel down and exits (:meth:`close` waits for it)."""
        for w in self.workers:
            with contextlib.suppress(OSError):
                w.proc.stdin.close()

    def close(self) -> None:
        """End every worker: EOF on stdin (each shuts its kernel down), then SIGTERM/SIGKILL after GRACE."""
        self.end_input()
        deadline = time.monotonic() + GRACE
        for w in list(self.workers):
            try:
                w.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            self.drop(w)

    @staticmethod
    def failure_log(w: _WarmWorker, start: int, target: Path) -> None:
        """Copy what ``w`` logged from ``start`` on (one job's part of its log) to ``target``."""
        with open(w.log_path, "rb") as src, open(target, "wb") as dst:
            src.seek(start)
            shutil.copyfileobj(src, dst)


def _die_with_parent() -> None:
    """In the worker, before it starts (Linux): SIGTERM when the runner dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _signal_group(proc, sig: int) -> None:
    """Signal the worker's session; a report on a cluster (``RemoteReport``) gets a stop request."""
    if not isinstance(proc, subprocess.Popen):
        proc.send_signal(sig)
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def _stop_all(running: list[_Running]) -> None:
    """SIGTERM each worker's session (the worker shuts its kernel down), SIGKILL what is left after GRACE."""
    for r in running:
        _signal_group(r.proc, signal.SIGTERM)
    deadline = time.monotonic() + GRACE
    for r in running:
        try:
            r.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(r.proc, signal.SIGKILL)
            r.proc.wait()


def _died(rc: int, lang: str) -> str:
    if rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = str(-rc)
        return texts(lang)["reason_killed"].format(signal=name)
    return texts(lang)["reason_exit"].format(code=rc)


def _read_result(path: Path) -> dict | None:
    """The worker's result, or None when it wrote none (it died) or an unreadable one."""
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
        return result if result.get("status") in ("ok", "failed") and isinstance(result.get("error"), str) else None
    except (OSError, ValueError, AttributeError):
        return None


def _remove_outputs(out: Path, outputs: dict, keep: set[str]) -> None:
    for name in outputs:
        if name not in keep:
            with contextlib.suppress(OSError):
                (out / name).unlink()


def _finish(r: _Running, out: Path, lang: str, previous: dict | None) -> Job:
    """Read the worker's result, move its files into ``out`` (one rename each), fill in the job."""
    job = r.job
    p_lang = job.params.get("lang", lang)
    if r.log is not None and r.warm is None:
        r.log.close()
    result_file = r.staging / RESULT
    if r.timed_out:
        job.status, job.error = "failed", texts(p_lang)["reason_timeout"].format(seconds=f"{job.timeout:g}")
    else:
        result = _read_result(result_file)
        if result is not None:
            job.status, job.error = result["status"], result["error"]
        else:
            job.status, job.error = "failed", _died(r.proc.returncode, p_lang)
    job.seconds = round(time.monotonic() - r.started, 2)
    page = f"{job.name}.html"
    if job.status != "ok" or not (r.staging / page).is_file():
        job.status = "failed" if job.status == "ok" else job.status
        job.error = job.error or texts(p_lang)["reason_no_page"]
        if r.timed_out or not (r.staging / page).is_file() or _read_result(result_file) is None:
            (r.staging / page).write_text(failure_page(page_title(job, p_lang), job.error, p_lang), encoding="utf-8")
        produced = [page]  # a failed report publishes only its page: no half-made annex
    else:
        produced = sorted(f.name for f in r.staging.iterdir() if f.is_file() and not f.name.startswith("."))
    for name in produced:
        os.replace(r.staging / name, out / name)
    if previous:
        _remove_outputs(out, previous.get("outputs", {}), set(produced))
    job.html = page
    job.outputs = describe_outputs(out, produced)
    if job.status == "failed":
        with contextlib.suppress(OSError):
            LOGS.mkdir(parents=True, exist_ok=True)
            if r.warm is None:
                shutil.copyfile(r.staging / ".worker.log", LOGS / f"{job.name}.log")
            else:
                _WarmPool.failure_log(r.warm, r.log_from, LOGS / f"{job.name}.log")
    shutil.rmtree(r.staging, ignore_errors=True)
    return job


def _clean_stale_staging(out: Path) -> None:
    """Remove staging folders of runs that are gone (a run killed with SIGKILL leaves its own)."""
    try:
        folders = list((out / STAGING).iterdir())
    except FileNotFoundError:
        return
    for d in folders:
        pid = d.name.split("-", 1)[0]
        alive = pid.isdigit() and _alive(int(pid))
        if not alive:
            shutil.rmtree(d, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _stop_signals(flag: threading.Event):
    """While running, SIGTERM and SIGINT set ``flag`` (the loop then stops cleanly) instead of killing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    for s in old:
        signal.signal(s, lambda signum, frame: flag.set())
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


# --- the portfolio ----------------------------------------------------------------------------------

def _prepare_out(out_dir: str | Path) -> Path:
    # absolute: the kernels run in the notebooks' folder, so a relative output_dir given to a notebook
    # would put its downloads under notebooks/ instead of beside its page
    out = Path(os.path.abspath(out_dir))
    if out.exists() and not out.is_dir():
        raise RunSpecError(f"--out {out}: is a file, not a folder")
    try:
        (out / STAGING).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunSpecError(f"--out {out}: cannot create the folder ({exc.strerror})") from None
    return out


def run_portfolio(spec_path: str | Path | None = None, out_dir: str | Path = "outputs", jobs: int | None = None,
                  force: bool = False, overrides: dict | None = None, today: dt.date | None = None,
                  progress: bool = True, timeout: float | None = None, cache: bool = True,
                  warm: bool = True, executor: str | None = None) -> list[Job]:
    """Run every report of a spec, each in its own process, and write ``index.html``.

    Parameters
    ----------
    spec_path : path, optional
        Run spec (default: the bundled one).
    out_dir : path
        Where the HTML pages, annex files and ``index.html`` go.
    jobs : int, optional
        Reports run at once (default: the number of cores).
    force : bool
        Re-run reports whose inputs have not changed.
    overrides : dict, optional
        Parameters that replace the spec's defaults (``lang``, ``data``, ``boundaries``); ``None``
        values are ignored.
    today : date, optional
        Run date for ``period: auto`` (default: today).
    progress : bool
        Show a progress bar.
    timeout : float, optional
        Seconds per report, replacing the spec's ``timeout`` and every run's own.
    cache : bool
        Share results between the reports (the validated dataset, loaded once per data fingerprint
        into ``out/.btchild_cache``; :mod:`btchild_analysis.cache`).  False: each report loads its data.
    warm : bool
        Run the reports in long-lived workers whose kernels keep the library imported
        (:class:`btchild_analysis.report_worker.WarmKernel`; the default); same isolation, timeouts
        and stop.  False: a new process and kernel for every report.
    executor : str, optional
        ``"dask"`` (a ``dask.distributed`` client already made in this process, else a local
        cluster) or ``"dask://host:port"`` / ``"tcp://host:port"`` (a running scheduler): the reports
        run on its workers (:mod:`btchild_analysis.executors`; ``warm`` is not used then).  None:
        the local workers.

    Returns
    -------
    list of Job
        Each with ``status`` ``ok``, ``skipped``, ``failed`` (with ``error``, one line).

    Raises
    ------
    RunSpecError
        A bad spec or output folder: nothing has run.
    ReportStopped
        Stopped by SIGTERM or Ctrl-C; finished reports are recorded and the index is written.
    """
    from .executors import check as check_executor
    check_executor(executor)
    spec = load_spec(spec_path)
    todo = expand(spec, today, overrides, spec_dir=Path(spec_path).resolve().parent if spec_path else None)
    if timeout is not None:
        for j in todo:
            j.timeout = float(timeout)
    out = _prepare_out(out_dir)
    lang = (overrides or {}).get("lang") or spec.defaults.get("lang") or "vi"
    stop = threading.Event()
    with _stop_signals(stop):   # from here on, and through the clean-up, SIGTERM stops the run cleanly
        _Portfolio(out, spec.site.model_dump(), lang, stop, cache, warm, executor).run(todo, jobs, force, progress)
    if stop.is_set():
        done = sum(j.status in ("ok", "failed") for j in todo)
        raise ReportStopped(f"stopped by a signal: {done} of {len(todo)} reports finished or failed, "
                            f"the others were stopped and keep their previous pages; index written to {out / 'index.html'}")
    return todo


class _Portfolio:
    """One run into an output folder: which reports to run, the loop of workers, state and index."""

    def __init__(self, out: Path, site: dict, lang: str, stop: threading.Event, cache: bool = True,
                 warm: bool = True, executor=None):
        self.out, self.site, self.lang, self.stop = out, site, lang, stop
        self.cache = out / CACHE_FOLDER if cache else None
        self.executor = executor
        self.pool = _WarmPool(out, self.cache) if warm and executor is None else None
        self.state = State(out)
        self.previous: dict[str, dict] = {}

    def write_index(self, entries: dict) -> None:
        atomic_write_text(self.out / "index.html", build_index(entries, self.out, self.site, self.lang))

    def plan(self, todo: list[Job], force: bool) -> deque:
        """Fingerprint each report; those fresh (same inputs, outputs intact) are skipped."""
        _clean_stale_staging(self.out)
        self.previous = self.state.read()
        code = package_hash()
        queue: deque[Job] = deque()
        for job in todo:
            job.fingerprint = fingerprint(job, code)
            entry = self.previous.get(job.name)
            if not force and is_fresh(entry, job.fingerprint, self.out):
                job.status, job.html, job.seconds = "skipped", entry["html"], entry.get("seconds", 0.0)
            else:
                queue.append(job)
        return _longest_first(queue, self.previous)

    def run(self, todo: list[Job], jobs: int | None, force: bool, progress: bool) -> None:
        """Run what is not fresh, at most ``jobs`` at once; always end with the state and index written."""
        queue = self.plan(todo, force)
        remote = None
        if self.executor is not None and queue:
            from .executors import open_executor
            try:
                remote = open_executor(self.executor, jobs)
            except RunSpecError:        # e.g. no scheduler there: nothing has run, nothing is left behind
                with contextlib.suppress(OSError):
                    (self.out / STAGING).rmdir()
                raise
        slots = jobs or (remote.slots() if remote is not None else os.cpu_count()) or 1
        workers = max(1, min(slots, len(queue) or 1))
        running: list[_Running] = []
        bar = tqdm(total=len(queue), desc="btchild report", disable=not progress, unit="report")
        try:
            while (queue or running) and not self.stop.is_set():
                while queue and len(running) < workers and not self.stop.is_set():
                    running.append(_start(queue.popleft(), self.out, self.lang, self.cache, self.pool, remote))
                for r in list(running):
                    if self._poll(r):
                        running.remove(r)
                        bar.update()
                self.stop.wait(POLL)
        finally:
            bar.close()
            stopped = _abandon(running, queue, self.out, self.lang, self.previous)
            if self.pool is not None:
                self.pool.end_input()     # the workers shut their kernels down while the index is written
            if remote is not None:
                remote.close()
            try:
                self.state.update(stopped, then=self.write_index)
            finally:
                if self.pool is not None:
                    self.pool.close()
            with contextlib.suppress(OSError):   # left when another run is using it
                (self.out / STAGING).rmdir()

    def _poll(self, r: _Running) -> bool:
        """Stop a report past its timeout; record a report that has ended.  True when it has."""
        if r.proc.poll() is None and time.monotonic() - r.started > r.job.timeout:
            r.timed_out = True
            _stop_all([r])
        if r.proc.poll() is None and not (r.warm is not None and (r.staging / RESULT).exists()):
            return False
        job = _finish(r, self.out, self.lang, self.previous.get(r.job.name))
        if r.warm is not None:
            self.pool.release(r.warm, reusable=not r.timed_out)
        self.state.update({job.name: report_entry(job, self.lang)}, then=self.write_index)
        return True


def _longest_first(queue: deque, previous: dict) -> deque:
    """The reports that took longest last time first (fewer idle workers at the end of the run); reports
    without a previous time keep the spec's order, after those with one.  Stable."""
    seconds = {j.name: float((previous.get(j.name) or {}).get("seconds") or 0.0) for j in queue}
    return deque(sorted(queue, key=lambda j: -seconds[j.name]))


def _abandon(running: list[_Running], queue: deque, out: Path, lang: str, previous: dict) -> dict[str, dict]:
    """Reports stopped before their end: staging removed; a previous page stays, else a 'stopped' page.

    Returns the state entries to record (only for reports without a previous page).
    """
    if running:
        _stop_all([r for r in running if r.proc.poll() is None])
    for r in running:
        if r.log is not None and r.warm is None:
            r.log.close()
        r.job.status, r.job.error = "stopped", texts(r.job.params.get("lang", lang))["reason_stopped_running"]
        shutil.rmtree(r.staging, ignore_errors=True)
    for job in queue:
        job.status, job.error = "stopped", texts(job.params.get("lang", lang))["reason_stopped_queued"]
    entries = {}
    for job in [r.job for r in running] + list(queue):
        prev = previous.get(job.name)
        if prev and prev.get("html") and (out / prev["html"]).is_file():
            continue
        p_lang = job.params.get("lang", lang)
        job.html = f"{job.name}.html"
        atomic_write_text(out / job.html, failure_page(page_title(job, p_lang), job.error, p_lang))
        job.outputs = describe_outputs(out, [job.html])
        entries[job.name] = report_entry(job, lang)
    return entries

"""Reports run on a ``dask.distributed`` cluster instead of the local workers (national runs).

``btchild report --executor dask://host:port`` (or ``run_portfolio(executor=...)``) hands each report
to a worker of an existing cluster; the runner keeps everything else: the run spec, the fingerprints
and state, the staging folders, the index, timeouts and SIGTERM.  On the cluster's worker the task
:func:`run_report` starts the same per-report process as the local runner
(``python -m btchild_analysis.report_worker JOB.json``, in a session of its own, so a notebook that
kills its kernel or its process takes down only its own report) and waits for it.

What the cluster must offer:

* the package installed on every worker (the same version: the fingerprints include its code);
* the output folder (its staging folder ``OUT/.btchild_staging`` and shared results
  ``OUT/.btchild_cache``) at the same path on every worker: a shared filesystem, or a
  :class:`~distributed.LocalCluster`;
* the data and boundary files at the paths the run spec names.

Stopping: a report past its timeout, or every report when the run is stopped, gets a stop file in its
staging folder (``.stop``: ``TERM`` then ``KILL``); the task sees it within :data:`POLL` seconds and
signals its report process's group.  The task also stops its report itself once past its timeout
plus :data:`GRACE` seconds, should the runner be gone.

Which cluster (:func:`open_executor`): ``"dask"`` uses the client already made in this process
(``distributed.Client(...)``) or, when there is none, starts a local cluster of ``jobs`` one-thread
workers for the run; ``"dask://host:port"`` or ``"tcp://host:port"`` connects to a running
scheduler; a :class:`distributed.Client` may be passed as it is.
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .errors import RunSpecError

#: Seconds between the task's checks of its report process and its stop file.
POLL = 0.2
#: Seconds a report process gets after SIGTERM before SIGKILL.
GRACE = 5.0
STOP_FILE = ".stop"
LOG_FILE = ".worker.log"
#: Names accepted by :func:`open_executor` besides an address.
SCHEMES = ("dask://", "tcp://", "tls://")


# --- on the cluster's worker --------------------------------------------------------------------------

def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def _stop_request(staging: Path) -> str:
    try:
        return (staging / STOP_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def run_report(job_file: str, cache: str | None, timeout: float) -> int:
    """Run one report on this machine (a cluster's worker) and return its process's exit code.

    Parameters
    ----------
    job_file : str
        The job written by the runner into the report's staging folder (``.job.json``).
    cache : str, optional
        The run's shared-results folder (``BTCHILD_CACHE_DIR`` of the report), or None.
    timeout : float
        Seconds: past ``timeout + GRACE`` the report is stopped here even without a stop file.

    Returns
    -------
    int
        The report process's exit code (negative: the signal that ended it).
    """
    staging = Path(job_file).parent
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("BTCHILD_CACHE_DIR", None)
    if cache:
        env["BTCHILD_CACHE_DIR"] = cache
    start = time.monotonic()
    with open(staging / LOG_FILE, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "btchild_analysis.report_worker", job_file],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, env=env, preexec_fn=_die_with_parent)
        termed = None
        try:
            while proc.poll() is None:
                request = _stop_request(staging)
                late = time.monotonic() - start > timeout + GRACE
                if request == "KILL" or (termed is not None and time.monotonic() - termed > GRACE):
                    _signal_group(proc, signal.SIGKILL)
                elif (request or late) and termed is None:
                    _signal_group(proc, signal.SIGTERM)
                    termed = time.monotonic()
                time.sleep(POLL)
        finally:
            if proc.poll() is None:   # the task itself was interrupted: never leave the report behind
                _signal_group(proc, signal.SIGKILL)
            proc.wait()
    return proc.returncode


# --- on the runner's side -------------------------------------------------------------------------------

class RemoteReport:
    """A report running on the cluster, seen by the runner like a worker process (``poll``, ``wait``,
    ``returncode``; a signal is a stop request written to its staging folder)."""

    def __init__(self, future, staging: Path):
        self.future, self.staging = future, staging
        self.pid = None
        self.returncode: int | None = None
        self._killed = False

    def poll(self) -> int | None:
        if self.returncode is None and self.future.done():
            try:
                self.returncode = int(self.future.result())
            except Exception as exc:  # the task failed or was lost (worker died, cancelled): no result
                self.returncode = -signal.SIGKILL if self._killed else 1
                self._note(exc)
        return self.returncode

    def _note(self, exc: BaseException) -> None:
        """Why the task gave no result, in the report's log (kept for a failed report, as a worker's)."""
        with contextlib.suppress(OSError), open(self.staging / LOG_FILE, "a", encoding="utf-8") as log:
            log.write(f"btchild: the dask task of this report failed: {type(exc).__name__}: {exc}\n")

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the report's end; ``subprocess.TimeoutExpired`` after ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if self._killed and timeout is None:   # killed: wait a little for the task, then give up on it
                deadline = deadline or time.monotonic() + 2 * GRACE
            if deadline is not None and time.monotonic() > deadline:
                if self._killed and timeout is None:
                    self.returncode = -signal.SIGKILL
                    break
                raise subprocess.TimeoutExpired("btchild report (dask)", timeout)
            time.sleep(POLL / 2)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, sig: int) -> None:
        """SIGTERM: ask the task to stop its report; SIGKILL: kill it and cancel the task."""
        word = "KILL" if sig == signal.SIGKILL else "TERM"
        with contextlib.suppress(OSError):
            (self.staging / STOP_FILE).write_text(word, encoding="utf-8")
        if word == "KILL":
            self._killed = True
            with contextlib.suppress(Exception):   # not started yet: never start it
                self.future.cancel()


class DaskExecutor:
    """Submits reports to a ``dask.distributed`` client (see :func:`open_executor`)."""

    def __init__(self, client, owned: tuple = ()):
        self.client = client
        self._owned = owned     # a client and cluster made for this run, closed with it

    def slots(self) -> int:
        """Reports the cluster runs at once (its workers' threads; at least 1)."""
        try:
            return max(1, sum(self.client.nthreads().values()))
        except Exception:
            return 1

    def submit(self, job_file: Path, cache: Path | None, timeout: float, name: str) -> RemoteReport:
        future = self.client.submit(run_report, str(job_file), str(cache) if cache else None, float(timeout),
                                    key=f"btchild-{name}-{os.getpid()}-{time.monotonic_ns()}", pure=False)
        return RemoteReport(future, Path(job_file).parent)

    def close(self) -> None:
        for thing in self._owned:
            with contextlib.suppress(Exception):
                thing.close()


def check(executor) -> None:
    """Refuse a malformed ``executor`` name before anything runs (:class:`RunSpecError`)."""
    if executor is None or not isinstance(executor, str):
        return
    name = executor.strip()
    if name != "dask" and not (name.startswith(SCHEMES) and len(name.split("://", 1)[1]) > 0):
        raise RunSpecError(f"--executor {name!r}: use 'dask' or a scheduler address 'dask://host:port'")


def open_executor(executor, jobs: int | None = None) -> DaskExecutor:
    """The executor named by ``executor`` (see the module's notes).

    Raises
    ------
    RunSpecError
        dask.distributed not installed, an unknown name, or a scheduler that cannot be reached.
    """
    try:
        import distributed
    except ImportError:
        raise RunSpecError("--executor dask needs dask.distributed: pip install 'btchild-analysis[dask]' "
                           "(or: pip install 'dask[distributed]')") from None
    if isinstance(executor, distributed.Client):
        return DaskExecutor(executor)
    check(executor)
    name = str(executor).strip()
    if name == "dask":
        with contextlib.suppress(ValueError):
            return DaskExecutor(distributed.get_client())
        cluster = distributed.LocalCluster(n_workers=max(1, jobs or os.cpu_count() or 1), threads_per_worker=1,
                                           processes=True, dashboard_address=None)
        client = distributed.Client(cluster)
        return DaskExecutor(client, owned=(client, cluster))
    address = "tcp://" + name[len("dask://"):] if name.startswith("dask://") else name
    try:
        client = distributed.Client(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise RunSpecError(f"--executor {name}: cannot reach the dask scheduler ({exc})") from None
    return DaskExecutor(client, owned=(client,))

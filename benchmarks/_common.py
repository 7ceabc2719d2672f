"""Shared by the benchmarks: figures (min, median, n), goal lines, machine load, peak memory.

Nothing here asserts a time: the scripts print what they measured and, beside it, the goal of
issue 16 and whether the figure meets it.
"""
from __future__ import annotations

import os
import resource
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field


def stats(values: list[float]) -> tuple[float, float, int]:
    """(min, median, n) of a list of measurements (NaN, NaN, 0 when empty)."""
    if not values:
        return float("nan"), float("nan"), 0
    return min(values), statistics.median(values), len(values)


def fmt(values: list[float], unit: str = "s", digits: int = 2) -> str:
    """``min 1.23 s  median 1.30 s  n=3``."""
    lo, med, n = stats(values)
    return f"min {lo:7.{digits}f} {unit}  median {med:7.{digits}f} {unit}  n={n}"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def goal(text: str, ok: bool) -> str:
    """``goal: <text> — met`` (or NOT MET)."""
    return f"goal: {text} — {verdict(ok)}"


def machine_line() -> str:
    """Cores, load average now, and whether the machine looks shared (load ≥ half the cores)."""
    cores = os.cpu_count() or 1
    one, five, _ = os.getloadavg()
    shared = one >= 0.5 * cores or five >= 0.5 * cores
    note = (f"SHARED: load average {one:.2f} / {five:.2f} (1 / 5 min) on {cores} cores before this benchmark "
            "started; other work competed for the CPU, so absolute times are inflated and noisy "
            "(ratios of interleaved runs are the more reliable figures)"
            if shared else f"load average {one:.2f} / {five:.2f} (1 / 5 min) on {cores} cores: machine not visibly shared")
    return f"machine: {note}; python {sys.version.split()[0]}, nice {os.nice(0)}"


def load_now() -> float:
    return os.getloadavg()[0]


def child_maxrss_mb() -> float:
    """ru_maxrss of this process's waited-for descendants (the largest single one), in MB (Linux: KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def self_maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_children_s() -> float:
    """User + system CPU seconds of this process and its waited-for descendants so far."""
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


try:  # psutil is optional: with it the whole process tree is sampled
    import psutil
except ImportError:  # pragma: no cover - depends on the machine
    psutil = None


def memory_method_text() -> str:
    """How :class:`TreeMemory` measured, for the printed figures."""
    if psutil is None:
        return ("getrusage(RUSAGE_CHILDREN): the largest single descendant over the whole script "
                "(psutil not installed; no sum over processes)")
    return ("psutil: RSS of this process and every descendant (workers, papermill, kernels, nbconvert) sampled "
            "every 0.2 s and summed per sample; the peak sum, and the largest single process")


@dataclass
class TreeMemory:
    """Peak resident memory of this process and all its descendants, sampled every ``interval`` s.

    With psutil: ``peak_total_mb`` is the largest sum of RSS over the whole tree at one sample (the
    machine's cost of running it), ``peak_one_mb`` the largest single process.  Sampling can miss a
    spike shorter than the interval.  Without psutil only ``peak_one_mb`` is known, from
    ``getrusage(RUSAGE_CHILDREN)`` (cumulative over the whole script, not this block), and
    ``method`` says so.
    """

    interval: float = 0.2
    peak_total_mb: float = 0.0
    peak_one_mb: float = 0.0
    processes: int = 0
    method: str = "psutil"
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total, one, n = 0, 0, 0
            try:
                procs = [me] + me.children(recursive=True)
            except psutil.Error:
                procs = [me]
            for p in procs:
                try:
                    rss = p.memory_info().rss
                except psutil.Error:
                    continue
                total += rss
                one = max(one, rss)
                n += 1
            self.peak_total_mb = max(self.peak_total_mb, total / 2**20)
            self.peak_one_mb = max(self.peak_one_mb, one / 2**20)
            self.processes = max(self.processes, n)
            self._stop.wait(self.interval)

    def __enter__(self) -> "TreeMemory":
        if psutil is None:
            self.method = "getrusage(RUSAGE_CHILDREN) — largest single descendant so far (psutil not installed)"
            return self
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
        else:
            self.peak_one_mb = max(child_maxrss_mb(), self_maxrss_mb())


@dataclass
class Timed:
    """Wall time, CPU time (self + waited-for children) and peak memory of a ``with`` block."""

    seconds: float = 0.0
    cpu: float = 0.0
    load: float = 0.0
    memory: TreeMemory = field(default_factory=TreeMemory)

    def __enter__(self) -> "Timed":
        self.load = load_now()
        self._cpu = cpu_children_s()
        self.memory.__enter__()
        self._t = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self._t
        self.memory.__exit__(*exc)
        self.cpu = cpu_children_s() - self._cpu

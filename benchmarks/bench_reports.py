"""The bundled portfolio (province + nine districts and the other reports) two ways.

1. ``btchild report --force`` (papermill in parallel, in-process HTML export);
2. the naive way: ``papermill`` CLI then ``jupyter nbconvert --to html --no-input`` CLI, one
   notebook after another.

Prints both wall times, the ratio, the time per report and the HTML sizes.  Asserts nothing.

    python benchmarks/bench_reports.py
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from btchild_analysis import reports

BIN = Path(sys.executable).parent


def naive(jobs, out: Path) -> float:
    t = time.perf_counter()
    for job in jobs:
        executed = out / f"{job.name}.ipynb"
        args = [str(BIN / "papermill"), job.notebook, str(executed), "--cwd", str(Path(job.notebook).parent),
                "-k", "python3", "--no-progress-bar"]
        for k, v in {**job.params, "output_dir": str(out), "report_name": job.name}.items():
            args += ["-y", yaml.safe_dump({k: v}).strip()]
        subprocess.run(args, check=True, capture_output=True)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                       check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="btchild_bench_"))
    try:
        t = time.perf_counter()
        result = reports.run_portfolio(None, work / "ours", force=True, progress=False)
        ours = time.perf_counter() - t
        failed = [j.name for j in result if j.status != "ok"]
        (work / "naive").mkdir()
        slow = naive(reports.expand(reports.load_spec()), work / "naive")
        sizes = sorted((p.stat().st_size for p in (work / "ours").glob("*.html") if p.name != "index.html"))
        print(f"reports                      {len(result)} ({len(failed)} failed{': ' + ', '.join(failed) if failed else ''})")
        print(f"btchild report (parallel)    {ours:.1f} s  ({ours / len(result):.1f} s per report)")
        print(f"naive papermill + nbconvert  {slow:.1f} s  ({slow / len(result):.1f} s per report)")
        print(f"speed-up                     {slow / ours:.2f}x")
        print(f"HTML size                    min {sizes[0] / 1e6:.2f} MB, max {sizes[-1] / 1e6:.2f} MB")
        print("goal: under 60 s on 2 cores, at least 2x the naive way, each HTML under 2 MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

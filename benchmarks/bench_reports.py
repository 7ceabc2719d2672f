"""The report portfolio, honestly: the runner against the naive path at the SAME parallelism.

In one run, interleaved (each repeat runs every measurement once: the runner and the naive path back
to back, their order alternating, then the others, rotated), at least three repeats each, printed with
min, median and n:

* **naive** — ``papermill`` CLI then ``jupyter nbconvert --to html --no-input`` CLI per report, N
  reports at a time (N = the runner's ``jobs``), same notebooks, parameters and kernel;
* **runner** — ``reports.run_portfolio(force=True)`` into a fresh output folder, ``jobs=N``, with its
  default warm workers (``--no-warm``: a new process and kernel per report, as before issue 16);
* **kernel floor** — an empty notebook (a ``parameters`` cell only) through the same runner, twice
  ``jobs`` runs (``--floor-runs``), from a run spec written to a temporary folder;
* **import floor** — the same with one cell importing what the report notebooks import (read from
  ``notebooks/*.py``);
* per-report times: the runner's own ``Job.seconds`` and, for the naive path, papermill + nbconvert
  of that report (not wall ÷ count);
* scaling: 1, 5 and 10 district reports of ``01_child_friendly_status`` through the runner; the
  marginal cost per district is the least-squares slope of the median wall time over the count;
* peak memory of all processes (psutil sampling of the whole process tree when installed, else
  ``getrusage(RUSAGE_CHILDREN)``; the output says which) and CPU seconds (self + children).

The headline reads ``speed-up at equal parallelism: N.NNx``: the median over the repeats of naive ÷
runner, each pair run back to back (robust to the load of a shared machine drifting between repeats);
the ratio of the medians and of the minima are printed beside it.  Goals
of issue 16 are printed beside the figures; nothing is asserted.

    nice -n 10 python benchmarks/bench_reports.py [--quick] [--repeats 3] [--jobs N]

``--quick`` uses the portfolio without the district runs (5 reports) and scaling with 1 and 3
districts: a check of the script, not the comparison.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from _common import Timed, fmt, goal, machine_line, memory_method_text, stats  # noqa: E402

from btchild_analysis import admin_units, paths, reports  # noqa: E402

BIN = Path(sys.executable).parent
NOTEBOOKS = paths.notebooks_dir()  # BTCHILD_NOTEBOOKS when set: the notebooks of the package measured
BUNDLED_SPEC = Path(reports.__file__).resolve().parent / "data" / "runspec.yaml"
KERNEL = "python3"  # the runner's worker runs every notebook on this kernel
SCALING_NOTEBOOK = "01_child_friendly_status.ipynb"


@dataclass
class Run:
    """One measurement: wall, CPU, memory, each report's seconds, failures, HTML sizes."""

    seconds: float
    cpu: float
    peak_total_mb: float
    peak_one_mb: float
    per_report: dict[str, float] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    html_bytes: list[int] = field(default_factory=list)


# --- run specs and fixture notebooks ------------------------------------------------------------------

def bundled_spec() -> dict:
    return yaml.safe_load(BUNDLED_SPEC.read_text(encoding="utf-8"))


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def portfolio_spec(work: Path, quick: bool) -> Path | None:
    """The bundled spec (None: the runner's default) or, quick, its runs without ``for_each``."""
    if not quick:
        return None
    spec = bundled_spec()
    for run in spec["runs"]:
        run.pop("for_each", None)
        run["notebook"] = str(NOTEBOOKS / run["notebook"])
    return write_yaml(work / "quick_spec.yaml", spec)


def notebook_imports() -> list[str]:
    """The import lines of the report notebooks (``notebooks/*.py``), each once, in order."""
    seen: list[str] = []
    for src in sorted(NOTEBOOKS.glob("[0-9]*.py")):
        for line in src.read_text(encoding="utf-8").splitlines():
            if re.match(r"(import|from)\s", line) and "typing" not in line and line not in seen:
                seen.append(line)
    return seen


def fixture_notebook(path: Path, code: str | None) -> Path:
    """A notebook with only a ``parameters`` cell (the two the runner sets) and, if given, one code cell."""
    params = nbformat.v4.new_code_cell('output_dir: str = "."\nreport_name: str = "floor"')
    params.metadata["tags"] = ["parameters"]
    cells = [params] + ([nbformat.v4.new_code_cell(code)] if code else [])
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def floor_spec(work: Path, kind: str, n: int) -> Path:
    code = "\n".join(notebook_imports()) if kind == "import_floor" else None
    nb = fixture_notebook(work / f"{kind}.ipynb", code)
    runs = [{"name": f"{kind}_{i:02d}", "notebook": str(nb)} for i in range(1, n + 1)]
    return write_yaml(work / f"{kind}_spec.yaml", {"runs": runs})


def scaling_spec(work: Path, k: int) -> Path:
    """``k`` district reports of notebook 01 (the districts in force, then again in English)."""
    base = bundled_spec()
    defaults = {key: v for key, v in (base.get("defaults") or {}).items() if key in ("period", "data", "boundaries")}
    period = str(defaults.get("period") or "2024")
    codes = admin_units.districts(int(period[:4]))["district_code"].tolist()
    variants = [(c, lang) for lang in ("vi", "en") for c in codes][:k]
    runs = [{"name": f"scale_{c}_{lang}", "notebook": str(NOTEBOOKS / SCALING_NOTEBOOK),
             "params": {"district": c, "lang": lang}} for c, lang in variants]
    return write_yaml(work / f"scale_{k}_spec.yaml", {"defaults": defaults, "runs": runs})


# --- the two ways of running reports ------------------------------------------------------------------

WARM = True   # the runner's default; --no-warm sets False


def run_runner(spec: Path | None, out: Path, jobs: int) -> tuple[Run, list]:
    with Timed() as t:
        done = reports.run_portfolio(spec, out, jobs=jobs, force=True, progress=False, warm=WARM)
    run = Run(t.seconds, t.cpu, t.memory.peak_total_mb, t.memory.peak_one_mb,
              per_report={j.name: float(j.seconds) for j in done},
              failed=[f"{j.name}: {j.error}" for j in done if j.status != "ok"],
              html_bytes=[p.stat().st_size for p in out.glob("*.html") if p.name != "index.html"])
    return run, done


def _naive_one(job, out: Path) -> tuple[str, float, str]:
    t = time.perf_counter()
    executed = out / f"{job.name}.ipynb"
    params = write_yaml(out / f"{job.name}.params.yaml",
                        {**job.params, "output_dir": str(out), "report_name": job.name})
    steps = [[str(BIN / "papermill"), job.notebook, str(executed), "--cwd", str(Path(job.notebook).parent),
              "-k", KERNEL, "--no-progress-bar", "-f", str(params)],
             [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)]]
    for cmd in steps:
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode:
            last = (res.stderr.strip().splitlines() or ["?"])[-1]
            return job.name, time.perf_counter() - t, f"{Path(cmd[0]).name} exit {res.returncode}: {last[:160]}"
    return job.name, time.perf_counter() - t, ""


def run_naive(jobs_list: list, out: Path, n: int) -> Run:
    out.mkdir(parents=True)
    with Timed() as t, cf.ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(lambda j: _naive_one(j, out), jobs_list))
    return Run(t.seconds, t.cpu, t.memory.peak_total_mb, t.memory.peak_one_mb,
               per_report={name: sec for name, sec, _ in results},
               failed=[f"{name}: {err}" for name, _, err in results if err],
               html_bytes=[p.stat().st_size for p in out.glob("*.html")])


# --- report -------------------------------------------------------------------------------------------

def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of ys over xs."""
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else float("nan")


def row(label: str, runs: list[Run], width: int = 46) -> str:
    cpu = stats([r.cpu for r in runs])[1]
    mem_total = max((r.peak_total_mb for r in runs), default=0.0)
    mem_one = max((r.peak_one_mb for r in runs), default=0.0)
    return (f"  {label:<{width}} {fmt([r.seconds for r in runs], 's', 1)}   CPU median {cpu:6.1f} s   "
            f"peak RSS, max over repeats: all processes {mem_total:6.0f} MB, largest one {mem_one:4.0f} MB")


def per_report_stats(runs: list[Run]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for r in runs:
        for name, sec in r.per_report.items():
            out.setdefault(name, []).append(sec)
    return out


def print_results(res: dict[str, list[Run]], n_reports: int, jobs: int, repeats: int, ks: list[int],
                  quick: bool, memory_method: str) -> None:
    print()
    print(f"portfolio: {n_reports} reports ({'quick subset: the bundled runs without for_each' if quick else 'the bundled run spec'}), "
          f"{jobs} at a time in both paths, {repeats} interleaved repeats")
    print(f"peak memory: {memory_method}")
    print("wall time of the whole portfolio:")
    print(row(f"naive papermill CLI + nbconvert --no-input ×{jobs}", res["naive"]))
    print(row(f"runner run_portfolio(force=True{'' if WARM else ', warm=False'}), jobs={jobs}", res["runner"]))
    for mode, what in (("kernel_floor", "kernel floor: empty notebook"), ("import_floor", "import floor: notebook imports")):
        print(row(f"{what} ×{len(res[mode][0].per_report) if res[mode] else 0}", res[mode]))
    naive, runner = stats([r.seconds for r in res["naive"]]), stats([r.seconds for r in res["runner"]])
    pairs = [n.seconds / r.seconds for n, r in zip(res["naive"], res["runner"])]
    speed = stats(pairs)[1]
    print(f"speed-up at equal parallelism: {speed:.2f}x")
    print(f"  (median of the per-repeat ratios naive ÷ runner, each pair run back to back: "
          f"{', '.join(f'{p:.2f}' for p in pairs)}; median ÷ median {naive[1] / runner[1]:.2f}x, "
          f"min ÷ min {naive[0] / runner[0]:.2f}x; CPU median naive ÷ runner "
          f"{stats([r.cpu for r in res['naive']])[1] / stats([r.cpu for r in res['runner']])[1]:.2f}x)")
    print("  " + goal("portfolio ≥ 3× the naive path at equal parallelism", speed >= 3.0))

    print("per report, seconds (runner: its Job.seconds, worker start to finish; naive: papermill + nbconvert of that report):")
    rr, nn = per_report_stats(res["runner"]), per_report_stats(res["naive"])
    for name in rr:
        print(f"  {name:<36} runner {fmt(rr[name], 's', 2)}   naive {fmt(nn.get(name, []), 's', 2)}")
    kf = [s for r in res["kernel_floor"] for s in r.per_report.values()]
    imf = [s for r in res["import_floor"] for s in r.per_report.values()]
    all_runner = [s for v in rr.values() for s in v]
    print(f"  {'kernel floor (each empty notebook)':<36} runner {fmt(kf, 's', 2)}")
    print(f"  {'import floor (each imports-only)':<36} runner {fmt(imf, 's', 2)}")
    if all_runner and imf:
        print(f"  start-up share of a report: import floor median ÷ runner report median = "
              f"{stats(imf)[1] / stats(all_runner)[1]:.0%} (kernel floor alone {stats(kf)[1] / stats(all_runner)[1]:.0%})")

    print(f"scaling: district reports of {SCALING_NOTEBOOK} through the runner, jobs={jobs}:")
    med = []
    for k in ks:
        runs = res[f"scale_{k}"]
        each = [s for r in runs for s in r.per_report.values()]
        med.append(stats([r.seconds for r in runs])[1])
        print(f"  {k:>2} district report(s): wall {fmt([r.seconds for r in runs], 's', 1)}   each report median "
              f"{stats(each)[1]:.2f} s")
    marginal = slope([float(k) for k in ks], med) if all(res[f"scale_{k}"] for k in ks) else float("nan")
    print(f"  marginal cost per district (least-squares slope of median wall over {ks}): {marginal:.2f} s")
    print("  " + goal("marginal district report < 1.5 s", marginal < 1.5))

    sizes = [b for r in res["runner"] for b in r.html_bytes]
    if sizes:
        print(f"HTML pages of the runner: min {min(sizes) / 1e6:.2f} MB, max {max(sizes) / 1e6:.2f} MB   "
              + goal("each page under 2 MB", max(sizes) < 2e6))
    failed = sorted({f for runs in res.values() for r in runs for f in r.failed})
    if failed:
        print(f"FAILED reports ({len(failed)}; their times are not comparable):")
        for f in failed:
            print(f"  {f}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small subsets: a check of the script, not the comparison")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallelism of both paths (default: cores)")
    ap.add_argument("--raw", type=Path, default=HERE / "_work" / "bench_reports_raw.json",
                    help="every measurement is saved here as it comes (default: benchmarks/_work/)")
    ap.add_argument("--print-only", action="store_true", help="print the figures saved in --raw, run nothing")
    ap.add_argument("--floor-runs", type=int, default=0,
                    help="empty / imports-only notebooks per floor measurement (default: twice --jobs)")
    ap.add_argument("--no-warm", action="store_true", help="the runner with a new process and kernel per report")
    args = ap.parse_args(argv)
    global WARM
    WARM = not args.no_warm
    ks = [1, 3] if args.quick else [1, 5, 10]
    if args.print_only:
        saved = json.loads(args.raw.read_text(encoding="utf-8"))
        res = {m: [Run(**r) for r in runs] for m, runs in saved["res"].items()}
        print(saved["machine"])
        print_results(res, saved["n_reports"], saved["jobs"], saved["repeats"], saved["ks"], saved["quick"],
                      memory_method_text())
        return
    start_line = machine_line()
    print(start_line)
    work = Path(tempfile.mkdtemp(prefix="btchild_bench_reports_"))
    try:
        spec = portfolio_spec(work, args.quick)
        # the portfolio's jobs, as the runner expands them, come from its first run (repeat 1 starts with it)
        modes = ["runner", "naive", "kernel_floor", "import_floor"] + [f"scale_{k}" for k in ks]
        res: dict[str, list[Run]] = {m: [] for m in modes}
        jobs_list: list = []
        n_floor = args.floor_runs or 2 * args.jobs
        for rep in range(args.repeats):
            # runner and naive back to back (their order alternating), so each pair sees the same load;
            # the other measurements after them, rotated
            others = modes[2:]
            order = (["runner", "naive"] if rep % 2 == 0 else ["naive", "runner"]) + \
                others[rep % len(others):] + others[:rep % len(others)]
            for mode in order:
                out = work / f"{mode}_{rep}"
                t0 = time.perf_counter()
                if mode == "runner":
                    run, done = run_runner(spec, out, args.jobs)
                    jobs_list = jobs_list or done
                elif mode == "naive":
                    run = run_naive(jobs_list, out, args.jobs)
                elif mode.endswith("_floor"):
                    run, _ = run_runner(floor_spec(work, mode, n_floor), out, args.jobs)
                else:
                    run, _ = run_runner(scaling_spec(work, int(mode.split("_")[1])), out, args.jobs)
                res[mode].append(run)
                print(f"[repeat {rep + 1}/{args.repeats}] {mode:<13} {run.seconds:7.1f} s"
                      f"{'  (' + str(len(run.failed)) + ' failed)' if run.failed else ''}"
                      f"  load {os.getloadavg()[0]:.1f}  ({time.perf_counter() - t0:.0f} s incl. set-up)", flush=True)
                shutil.rmtree(out, ignore_errors=True)
                args.raw.parent.mkdir(parents=True, exist_ok=True)
                args.raw.write_text(json.dumps({"machine": start_line, "n_reports": len(jobs_list), "jobs": args.jobs,
                                                "repeats": rep + 1, "ks": ks, "quick": args.quick,
                                                "res": {m: [asdict(r) for r in v] for m, v in res.items()}}),
                                    encoding="utf-8")
        memory_method = memory_method_text()
        print_results(res, len(jobs_list), args.jobs, args.repeats, ks, args.quick, memory_method)
        print(machine_line().replace("before this benchmark started", "at the end of this benchmark (its own load included)"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

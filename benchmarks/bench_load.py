"""Load + validate a national-scale long file against a bare ``pandas.read_csv`` of the same file.

~10,600 communes × 13 years × 2 periods × 25 elements (≈ 6.9 million rows, ``_national.long_file``).
Every measurement runs in a fresh process of its own, so that its peak memory is its own
(``VmHWM`` of that process, imports included; ``ru_maxrss`` where /proc is absent, which on Linux
starts from the parent's resident size at the fork); the figures are taken in interleaved pairs (bare,
load; then load, bare; …) and printed with min, median and n, with the ratio of each pair.

Both with and without pyarrow installed (pandas 3 then reads strings as Arrow strings): "without" hides
pyarrow from the child (``sys.modules["pyarrow"] = None`` before pandas is imported); "with" uses the
installed pyarrow, or — when the project's venv has none — one installed by ``pip install --target``
into a temporary folder that is put on the child's ``PYTHONPATH`` and deleted afterwards (the venv is
never changed).  Goals of issue 16 are printed beside the figures; nothing is asserted.

    nice -n 10 python benchmarks/bench_load.py [N_COMMUNES] [--repeats 3] [--no-pyarrow]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import fmt, goal, machine_line, stats  # noqa: E402

CHILD = r"""
import json, resource, sys, time
def peak_mb():  # this process's own peak: VmHWM belongs to its memory map (ru_maxrss starts from the parent's)
    try:
        with open("/proc/self/status") as fh:
            return next(int(ln.split()[1]) / 1024 for ln in fh if ln.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
mode, path, codes, arrow = sys.argv[1:5]
if arrow == "hide":
    sys.modules["pyarrow"] = None   # pandas then behaves as without pyarrow installed
import pandas as pd
if mode == "load":
    from btchild_analysis import io
    known = set(open(codes).read().split())
before = peak_mb()
t = time.perf_counter()
if mode == "bare":
    df = pd.read_csv(path, dtype=str)
    n, extra = len(df), {"string_dtype": str(df["commune_code"].dtype)}
else:
    res = io.load_submissions(path, flag_outliers=False, known_units=known)
    n = res.summary["rows_read"]
    extra = {k: res.summary[k] for k in ("accepted", "quarantined") if k in res.summary}
sec = time.perf_counter() - t
try:
    import pyarrow
    pa = pyarrow.__version__
except ImportError:
    pa = None
print(json.dumps({"seconds": sec, "rows": n, "peak_mb": peak_mb(),
                  "imports_mb": before, "pyarrow": pa, "pandas": pd.__version__, **extra}))
"""


def measure(mode: str, path: Path, codes: Path, arrow: str, env: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(path), str(codes), arrow],
                         capture_output=True, text=True, env=env)
    if out.returncode:
        raise SystemExit(f"{mode} ({arrow}) failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def arrow_env(tmp: Path) -> tuple[dict | None, str]:
    """Environment for the child "with pyarrow", and how pyarrow got there (None: not available)."""
    env = dict(os.environ)
    probe = subprocess.run([sys.executable, "-c", "import pyarrow; print(pyarrow.__version__)"],
                           capture_output=True, text=True)
    if probe.returncode == 0:
        where = f" (PYTHONPATH={env['PYTHONPATH']})" if env.get("PYTHONPATH") else ""
        return env, f"pyarrow {probe.stdout.strip()} importable in this environment{where}"
    target = tmp / "site"
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                          "pyarrow"], capture_output=True, text=True)
    if pip.returncode:
        last = (pip.stderr.strip().splitlines() or ["?"])[-1]
        return None, f"pyarrow is not installed and could not be installed into a temporary folder ({last[:200]})"
    env["PYTHONPATH"] = os.pathsep.join([str(target)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return env, "pyarrow installed only for this benchmark (pip --target into a temporary folder, on PYTHONPATH; venv unchanged)"


def main(argv: list[str] | None = None) -> None:
    import _national

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n_communes", nargs="?", type=int, default=10_600)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-pyarrow", action="store_true", help="skip the run with pyarrow")
    args = ap.parse_args(argv)
    print(machine_line())
    t = time.perf_counter()
    path, units = _national.long_file(args.n_communes)
    codes = path.with_suffix(".codes.txt")
    codes.write_text("\n".join(units["code"]))
    print(f"file: {path.name}, {path.stat().st_size / 1e6:.0f} MB ({time.perf_counter() - t:.1f} s to build or find)")
    tmp = Path(tempfile.mkdtemp(prefix="btchild_bench_load_"))
    try:
        envs = {"without pyarrow": ("hide", dict(os.environ))}
        if args.no_pyarrow:
            print("with pyarrow: skipped (--no-pyarrow)")
        else:
            env, how = arrow_env(tmp)
            print(f"with pyarrow: {how}")
            if env is not None:
                envs["with pyarrow"] = ("use", env)
        res: dict[str, dict[str, list[dict]]] = {name: {"bare": [], "load": []} for name in envs}
        for rep in range(args.repeats):
            for name, (arrow, env) in envs.items():
                order = ("bare", "load") if rep % 2 == 0 else ("load", "bare")
                for mode in order:
                    r = measure(mode, path, codes, arrow, env)
                    res[name][mode].append(r)
                    print(f"[repeat {rep + 1}/{args.repeats}] {name:<16} {mode:<5} {r['seconds']:6.2f} s  "
                          f"peak {r['peak_mb']:5.0f} MB  load avg {os.getloadavg()[0]:.1f}", flush=True)
        print()
        for name, r in res.items():
            bare, load = r["bare"], r["load"]
            pairs = [lo["seconds"] / b["seconds"] for b, lo in zip(bare, load)]
            ratio = stats(pairs)[1]
            peak = max(x["peak_mb"] for x in load)
            print(f"{name} (pandas {load[0]['pandas']}, pyarrow {load[0]['pyarrow'] or 'absent'}, "
                  f"bare read gives {bare[0].get('string_dtype')} strings), {load[0]['rows']:,} rows:")
            print(f"  bare pandas.read_csv(dtype=str)  {fmt([x['seconds'] for x in bare])}   "
                  f"peak RSS {fmt([x['peak_mb'] for x in bare], 'MB', 0)}")
            print(f"  load + validate                  {fmt([x['seconds'] for x in load])}   "
                  f"peak RSS {fmt([x['peak_mb'] for x in load], 'MB', 0)}")
            print(f"  (each child's peak includes its imports: {stats([x['imports_mb'] for x in load])[1]:.0f} MB for load, "
                  f"{stats([x['imports_mb'] for x in bare])[1]:.0f} MB for bare)")
            print(f"  ratio load ÷ bare, per interleaved pair: {', '.join(f'{p:.2f}' for p in pairs)}; "
                  f"median {ratio:.2f}x (min ÷ min {stats([x['seconds'] for x in load])[0] / stats([x['seconds'] for x in bare])[0]:.2f}x)")
            print(f"  accepted / quarantined {load[0].get('accepted', 0):,} / {load[0].get('quarantined', 0):,}; "
                  f"rows per second {load[0]['rows'] / stats([x['seconds'] for x in load])[1]:,.0f}")
            print("  " + goal("load + validate ≤ 2× the bare read_csv (median pair ratio)", ratio <= 2.0))
            print("  " + goal("load + validate < 1.2 GB peak at this size (largest of the runs)", peak < 1200))
        if len(res) == 2:
            a, b = (stats([x["seconds"] for x in res[k]["load"]])[1] for k in ("without pyarrow", "with pyarrow"))
            print(f"load + validate with pyarrow ÷ without: {b / a:.2f}x   "
                  + goal("the same or better speed with pyarrow installed (≤ 1.05x)", b / a <= 1.05))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

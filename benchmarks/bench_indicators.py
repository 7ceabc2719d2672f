"""All indicators for ~10,600 communes × 13 years at three levels, against a lean pandas baseline.

The input is a long table ``commune_code, period, element, value`` (25 elements, ≈ 3.4 million rows).
Two measurements, each in a fresh process of its own (peak memory = that process's ``ru_maxrss``),
interleaved over the repeats (lean, indicators; then indicators, lean; …); wall time is the measure, the
process's CPU time is printed beside it (on a shared machine it moves less with other people's load):

* **lean baseline** — one ``groupby(["commune_code", "period", "element"])["value"].sum()`` of the same
  columns: no merge with the units, nothing else.  For scale the same process also times the three
  levels done the lean way (the commune sums, then district and province sums of that result through a
  code → code mapping, no merge); it is printed, not used for the goal.
* **indicators** — :func:`btchild_analysis.indicators.compute_all` at commune, district and province
  level (every indicator, coverage columns included).

Prints min, median and n of each, the median of the per-pair ratios, and the goal of issue 16
(indicators ≤ 1.5× the lean baseline).  Asserts nothing.

    nice -n 10 python benchmarks/bench_indicators.py [N_COMMUNES] [--repeats 3]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import fmt, goal, machine_line, stats  # noqa: E402

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {here!r})
import numpy as np, pandas as pd
import _national
from btchild_analysis import indicators as I
from btchild_analysis.catalog import elements
mode, n = sys.argv[1], int(sys.argv[2])
units = _national.national_units(n)
units = units.assign(commune_code=units["code"], name=units["code"], district_name=units["district_code"],
                     province_code="VN", province_name="Việt Nam")[
    ["commune_code", "name", "district_code", "district_name", "province_code", "province_name"]]
rng = np.random.default_rng(5)
els = [e for e in elements() if e != "child_friendly_met"][:25]
yn = {{e for e in els if elements()[e].kind == "yes_no"}}
years = [str(y) for y in range(2012, 2025)]
rows = len(units) * len(years) * len(els)
data = pd.DataFrame({{"commune_code": np.repeat(units["commune_code"].to_numpy(), len(years) * len(els)),
                     "period": np.tile(np.repeat(years, len(els)), len(units)),
                     "element": np.tile(els, len(units) * len(years))}})
data["value"] = np.where(data["element"].isin(yn), rng.integers(0, 2, rows), rng.integers(10, 5000, rows)).astype(float)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out = {{}}
t, cpu = time.perf_counter(), time.process_time()
if mode == "lean":
    c = data.groupby(["commune_code", "period", "element"])["value"].sum()
    n_out = len(c)
    out["seconds"], out["cpu_seconds"] = time.perf_counter() - t, time.process_time() - cpu
    t = time.perf_counter()
    c = data.groupby(["commune_code", "period", "element"])["value"].sum().reset_index()
    to_d = dict(zip(units["commune_code"], units["district_code"]))
    d = c.assign(district_code=c["commune_code"].map(to_d)).groupby(["district_code", "period", "element"])["value"].sum()
    p = c.groupby(["period", "element"])["value"].sum()
    out["three_levels_seconds"] = time.perf_counter() - t
else:
    n_out = len(I.compute_all(data, units=units))
    out["seconds"], out["cpu_seconds"] = time.perf_counter() - t, time.process_time() - cpu
print(json.dumps({{**out, "rows_in": rows, "rows_out": n_out, "before_mb": before,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def measure(mode: str, n: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD.format(here=str(HERE)), mode, str(n)],
                         capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{mode} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n_communes", nargs="?", type=int, default=10_600)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    print(machine_line())
    res: dict[str, list[dict]] = {"lean": [], "indicators": []}
    for rep in range(args.repeats):
        for mode in (("lean", "indicators") if rep % 2 == 0 else ("indicators", "lean")):
            r = measure(mode, args.n_communes)
            res[mode].append(r)
            print(f"[repeat {rep + 1}/{args.repeats}] {mode:<10} {r['seconds']:6.2f} s  peak {r['peak_mb']:5.0f} MB  "
                  f"load avg {os.getloadavg()[0]:.1f}", flush=True)
    lean, ind = res["lean"], res["indicators"]
    pairs = [i["seconds"] / lo["seconds"] for lo, i in zip(lean, ind)]
    ratio = stats(pairs)[1]
    print()
    print(f"input rows {ind[0]['rows_in']:,} (communes × 13 years × 25 elements); {ind[0]['rows_out']:,} indicator rows out")
    print(f"  lean baseline: one groupby-sum       {fmt([x['seconds'] for x in lean])}   peak RSS {fmt([x['peak_mb'] for x in lean], 'MB', 0)}")
    print(f"  (lean, three levels, for scale)      {fmt([x['three_levels_seconds'] for x in lean])}")
    print(f"  indicators, three levels             {fmt([x['seconds'] for x in ind])}   peak RSS {fmt([x['peak_mb'] for x in ind], 'MB', 0)}")
    print(f"  (each child's peak includes building the input: {stats([x['before_mb'] for x in ind])[1]:.0f} MB before timing)")
    print(f"  ratio indicators ÷ lean, per interleaved pair: {', '.join(f'{p:.2f}' for p in pairs)}; median {ratio:.2f}x "
          f"(min ÷ min {stats([x['seconds'] for x in ind])[0] / stats([x['seconds'] for x in lean])[0]:.2f}x)")
    cpu = [i["cpu_seconds"] / lo["cpu_seconds"] for lo, i in zip(lean, ind)]
    print(f"  CPU time of the process (less sensitive to other load): lean {fmt([x['cpu_seconds'] for x in lean])}, "
          f"indicators {fmt([x['cpu_seconds'] for x in ind])}; ratio per pair {', '.join(f'{p:.2f}' for p in cpu)}, "
          f"median {stats(cpu)[1]:.2f}x")
    print("  " + goal("indicators ≤ 1.5× the lean baseline (median pair ratio)", ratio <= 1.5))


if __name__ == "__main__":
    main()

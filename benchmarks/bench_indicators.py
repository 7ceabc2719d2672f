"""All indicators for ~10,600 communes × 13 years at commune, district and province level.

Prints wall time, peak memory (max RSS of a child process each) and the ratio to a bare pandas
groupby-sum of the same elements to the same three levels.  Asserts nothing.

    python benchmarks/bench_indicators.py [N_COMMUNES]
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {here!r})
import numpy as np, pandas as pd
import _national
from btchild_analysis import indicators as I
from btchild_analysis.registry import elements
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
t = time.perf_counter()
if mode == "bare":
    m = data.merge(units, on="commune_code")
    out = [m.groupby(["commune_code", "period", "element"])["value"].sum(),
           m.groupby(["district_code", "period", "element"])["value"].sum(),
           m.groupby(["province_code", "period", "element"])["value"].sum()]
    n_out = sum(len(o) for o in out)
else:
    n_out = len(I.compute_all(data, units=units))
sec = time.perf_counter() - t
print(json.dumps({{"seconds": sec, "rows_in": rows, "rows_out": n_out,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def measure(mode: str, n: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD.format(here=str(HERE)), mode, str(n)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_600
    bare, full = measure("bare", n), measure("indicators", n)
    print(f"input rows                    {full['rows_in']:,} (communes × 13 years × 25 elements)")
    print(f"bare groupby-sum, 3 levels    {bare['seconds']:.2f} s, peak {bare['peak_mb']:.0f} MB")
    print(f"all indicators, 3 levels      {full['seconds']:.2f} s, peak {full['peak_mb']:.0f} MB, {full['rows_out']:,} rows out")
    print(f"ratio to bare groupby         {full['seconds'] / bare['seconds']:.2f}x")
    print("goal: under 5 s, within 3x of the bare groupby")


if __name__ == "__main__":
    main()

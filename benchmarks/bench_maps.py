"""Maps as a report pays for them: the province status map on first draw, and a national-scale map.

Each measurement runs in a fresh process (interleaved over the repeats: province, national; then
national, province; …), because a report draws its map once, in a fresh kernel: the figures include
the first-draw costs (fonts, caches) that a second draw in the same process would hide.

* **province status map** — ``boundaries.get_geometry`` (the real 2013 boundaries when
  ``../shared/data/boundaries`` is beside the project, else the schematic layout), then
  ``maps.status_map`` (district outlines and labels included), then the PNG as the notebooks' inline
  backend makes it (``IPython.core.pylabtools.print_figure``, ``retina`` as ``sections.setup_figures``
  sets).  The import of :mod:`btchild_analysis.maps` is timed apart (a report pays it in its import
  cell); a second draw in the same process is shown for scale.
* **national map** — ~10,600 communes: the schematic layout step (``boundaries.schematic``), then
  ``maps.indicator_map`` with the district outlines and labels (the units carry their district), then
  the PNG.

Prints min, median and n of each part, and the goals (province map under 1 s, national map under
10 s).  Asserts nothing.

    nice -n 10 python benchmarks/bench_maps.py [--repeats 3]
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

from _common import fmt, goal, machine_line  # noqa: E402

SHARED = HERE.parent.parent / "shared" / "data" / "boundaries" / "ben_tre_communes_2013_censusVN2009.geojson"

CHILD = r"""
import json, sys, time
sys.path.insert(0, {here!r})
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from IPython.core.pylabtools import print_figure
mode, shared = sys.argv[1], sys.argv[2]
out = {{}}

def png(fig):
    t = time.perf_counter()
    data = print_figure(fig, "retina")
    plt.close(fig)
    return time.perf_counter() - t, len(data)

t = time.perf_counter()
from btchild_analysis import boundaries, maps
out["import"] = time.perf_counter() - t
if mode == "province":
    from btchild_analysis.dataset import load_dataset
    a = load_dataset().assessment()
    t = time.perf_counter()
    geo = boundaries.get_geometry(shared or None, 2016)
    out["geometry"] = time.perf_counter() - t
    t = time.perf_counter()
    fig = maps.status_map(a, 2016, geo, synthetic=True)
    out["draw"] = time.perf_counter() - t
    out["png"], out["bytes"] = png(fig)
    t = time.perf_counter()
    fig = maps.status_map(a, 2016, geo, synthetic=True)
    out["second"] = time.perf_counter() - t + png(fig)[0]
    out["cells"] = len(geo)
else:
    import numpy as np, pandas as pd
    import _national
    units = _national.national_units(10_600)
    units = units.assign(name="Xã " + units["code"].astype(str),  # real units carry names, as the register's do
                         district_name="Huyện " + units["district_code"].astype(str))
    t = time.perf_counter()
    cells = boundaries.schematic(units=units)
    out["geometry"] = time.perf_counter() - t
    rng = np.random.default_rng(0)
    values = pd.DataFrame({{"unit_code": cells["code"], "period": "2020", "indicator": "stunting_u5",
                           "value": rng.uniform(5, 40, len(cells))}})
    t = time.perf_counter()
    fig = maps.indicator_map(values, "stunting_u5", "2020", cells, synthetic=True)
    out["draw"] = time.perf_counter() - t
    out["png"], out["bytes"] = png(fig)
    out["cells"] = len(cells)
    out["districts"] = int(units["district_code"].nunique())
print(json.dumps(out))
"""


def measure(mode: str) -> dict:
    shared = str(SHARED) if SHARED.exists() else ""
    out = subprocess.run([sys.executable, "-c", CHILD.format(here=str(HERE)), mode, shared],
                         capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{mode} failed:\n{out.stderr[-2000:]}")
    r = json.loads(out.stdout.strip().splitlines()[-1])
    r["total"] = r["geometry"] + r["draw"] + r["png"]
    return r


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    print(machine_line())
    res: dict[str, list[dict]] = {"province": [], "national": []}
    for rep in range(args.repeats):
        for mode in (("province", "national") if rep % 2 == 0 else ("national", "province")):
            r = measure(mode)
            res[mode].append(r)
            print(f"[repeat {rep + 1}/{args.repeats}] {mode:<8} {r['total']:6.2f} s = geometry {r['geometry']:.2f} + draw "
                  f"{r['draw']:.2f} + PNG {r['png']:.2f} (import {r['import']:.2f})  load avg {os.getloadavg()[0]:.1f}",
                  flush=True)
    p, n = res["province"], res["national"]
    kind = "real 2013 boundaries, dissolved to 2016" if SHARED.exists() else "schematic layout"
    print()
    print(f"province status map ({kind}, {p[0]['cells']} communes), each in a fresh process:")
    print(f"  import btchild_analysis.maps (paid in the import cell)  {fmt([x['import'] for x in p])}")
    print(f"  geometry (get_geometry)                                {fmt([x['geometry'] for x in p])}")
    print(f"  first draw (status_map, outlines and labels)           {fmt([x['draw'] for x in p])}")
    print(f"  PNG (inline backend, retina)                           {fmt([x['png'] for x in p])}   "
          f"{p[0]['bytes'] / 1e3:.0f} kB")
    print(f"  geometry + first draw + PNG                            {fmt([x['total'] for x in p])}")
    print(f"  (second draw + PNG in the same process, for scale      {fmt([x['second'] for x in p])})")
    print("  " + goal("province map under 1 s (geometry + first draw + PNG, median)",
                      sorted(x["total"] for x in p)[len(p) // 2] < 1.0))
    print(f"national map ({n[0]['cells']:,} schematic cells, {n[0]['districts']:,} district outlines and labels), "
          "each in a fresh process:")
    print(f"  layout step (boundaries.schematic)                     {fmt([x['geometry'] for x in n])}")
    print(f"  draw (indicator_map, outlines and labels)              {fmt([x['draw'] for x in n])}")
    print(f"  PNG (inline backend, retina)                           {fmt([x['png'] for x in n])}   "
          f"{n[0]['bytes'] / 1e3:.0f} kB")
    print(f"  layout + draw + PNG                                    {fmt([x['total'] for x in n])}")
    print("  " + goal("national map under 10 s (layout + draw + PNG, median)",
                      sorted(x["total"] for x in n)[len(n) // 2] < 10.0))


if __name__ == "__main__":
    main()

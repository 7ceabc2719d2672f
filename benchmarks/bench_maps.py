"""Render time of one province commune map, and of a national-scale map of ~10,600 schematic cells.

The province map uses the real 2013 boundaries when ../shared/data/boundaries is beside the project
(else the schematic layout).  Figures are rendered to PNG in memory.  Prints figures; asserts nothing.

    python benchmarks/bench_maps.py
"""
from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from btchild_analysis import boundaries, maps  # noqa: E402
from btchild_analysis.dataset import load_dataset  # noqa: E402

SHARED = HERE.parent.parent / "shared" / "data" / "boundaries" / "ben_tre_communes_2013_censusVN2009.geojson"


def render(fig) -> float:
    t = time.perf_counter()
    fig.savefig(io.BytesIO(), format="png", dpi=100)
    plt.close(fig)
    return time.perf_counter() - t


def main() -> None:
    import _national

    ds = load_dataset()
    a = ds.assessment()
    geo = boundaries.get_geometry(SHARED if SHARED.exists() else None, 2016)
    kind = "real boundaries" if SHARED.exists() else "schematic"
    times = []
    for _ in range(3):
        t = time.perf_counter()
        fig = maps.status_map(a, 2016, geo, synthetic=True)
        draw = time.perf_counter() - t
        times.append(draw + render(fig))
    print(f"province status map ({kind}, 164 communes): {min(times):.2f} s (best of 3, draw + PNG)")

    units = _national.national_units(10_600)
    t = time.perf_counter()
    cells = boundaries.schematic(units=units.assign(district_name=None))
    layout = time.perf_counter() - t
    rng = np.random.default_rng(0)
    values = pd.DataFrame({"unit_code": cells["code"], "period": "2020", "indicator": "stunting_u5",
                           "value": rng.uniform(5, 40, len(cells))})
    t = time.perf_counter()
    fig = maps.indicator_map(values, "stunting_u5", "2020", cells, synthetic=True)
    draw = time.perf_counter() - t
    png = render(fig)
    print(f"national schematic layout ({len(cells):,} cells): {layout:.2f} s to assign cells")
    print(f"national indicator map: {draw + png:.2f} s to draw and render ({draw:.2f} + {png:.2f})")
    print("goal: province map under 1 s, national map under 10 s")


if __name__ == "__main__":
    main()

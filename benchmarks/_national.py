"""Shared by the benchmarks: a national-scale set of communes and a long submission file."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd

from btchild_analysis.catalog import elements

WORK = Path(__file__).resolve().parent / "_work"


def national_units(n: int = 10_600, seed: int = 1) -> pd.DataFrame:
    """~10,600 communes with centroids: vietnamadminunits' national list (padded with made-up codes to
    ``n``) when installed, else all made up."""
    rng = np.random.default_rng(seed)
    u = pd.DataFrame(columns=["code", "lat", "lon", "district_code"])
    try:
        import vietnamadminunits
        db = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
        with sqlite3.connect(db) as con:
            u = pd.read_sql("select wardCode as code, wardLat as lat, wardLon as lon, districtCode as district_code "
                            "from admin_units_legacy", con).dropna().drop_duplicates("code").head(n)
    except Exception:
        pass
    k = n - len(u)
    if k > 0:
        extra = pd.DataFrame({"code": [f"4{i:04d}" for i in range(k)], "lat": rng.uniform(8.7, 22.5, k),
                              "lon": rng.uniform(104.5, 109.0, k), "district_code": [f"9{i // 15:04d}" for i in range(k)]})
        u = pd.concat([u, extra], ignore_index=True)
    return u.reset_index(drop=True)


def long_file(n_communes: int = 10_600, years=range(2012, 2025), n_elements: int = 25, seed: int = 2) -> tuple[Path, pd.DataFrame]:
    """Write (once) a long CSV: communes × years × (annual, H1) × elements, numerators within denominators."""
    units = national_units(n_communes)
    path = WORK / f"national_{len(units)}x{len(years)}x{n_elements}.csv"
    if path.exists():
        return path, units
    WORK.mkdir(exist_ok=True)
    reg = elements()
    counts = [e for e, el in reg.items() if el.kind == "count"][:n_elements]
    periods = [f"{y}{k}" for y in years for k in ("", "H1")]
    rng = np.random.default_rng(seed)
    n_rows = len(units) * len(periods)
    wide = {}
    for e in counts:  # the registry lists each denominator before its numerators
        den = reg[e].denominator
        wide[e] = (np.floor(wide[den] * rng.uniform(0, 0.3, n_rows)) if den in wide
                   else rng.integers(200, 5000, n_rows)).astype(np.int64)
    codes = np.repeat(units["code"].to_numpy(), len(periods) * len(counts))
    pers = np.tile(np.repeat(periods, len(counts)), len(units))
    els = np.tile(counts, n_rows)
    value = np.column_stack([wide[e] for e in counts]).ravel()
    pd.DataFrame({"commune_code": codes, "period": pers, "element": els, "value": value}).to_csv(path, index=False)
    return path, units

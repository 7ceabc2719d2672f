"""Shared by the benchmarks: a national-scale set of communes and a long submission file."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd

from btchild_analysis.registry import elements

WORK = Path(__file__).resolve().parent / "_work"


def national_units(n: int = 10_600, seed: int = 1) -> pd.DataFrame:
    """~10,600 communes with centroids: vietnamadminunits' national list if installed, else synthetic."""
    try:
        import vietnamadminunits
        db = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
        with sqlite3.connect(db) as con:
            u = pd.read_sql("select wardCode as code, wardLat as lat, wardLon as lon, districtCode as district_code "
                            "from admin_units_legacy", con)
        u = u.dropna().drop_duplicates("code")
        if len(u) >= 1000:
            return u.head(n).reset_index(drop=True)
    except Exception:
        pass
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"code": [f"{i:05d}" for i in range(1, n + 1)], "lat": rng.uniform(8.5, 23.3, n),
                         "lon": rng.uniform(102.1, 109.5, n), "district_code": [f"{i // 15:03d}" for i in range(n)]})


def long_file(n_communes: int = 10_600, years=range(2012, 2025), n_elements: int = 25, seed: int = 2) -> tuple[Path, pd.DataFrame]:
    """Write (once) a long CSV: communes × years × (annual, H1) × elements."""
    units = national_units(n_communes)
    path = WORK / f"national_{len(units)}x{len(years)}x{n_elements}.csv"
    if path.exists():
        return path, units
    WORK.mkdir(exist_ok=True)
    counts = [e for e, el in elements().items() if el.kind == "count" and not el.denominator][:n_elements]
    counts = (counts + [e for e, el in elements().items() if el.kind == "count" and el.denominator])[:n_elements]
    periods = [f"{y}{k}" for y in years for k in ("", "H1")]
    rng = np.random.default_rng(seed)
    n = len(units) * len(periods) * len(counts)
    codes = np.repeat(units["code"].to_numpy(), len(periods) * len(counts))
    pers = np.tile(np.repeat(periods, len(counts)), len(units))
    els = np.tile(counts, len(units) * len(periods))
    is_num = np.isin(els, [e for e, el in elements().items() if el.denominator])
    value = np.where(is_num, rng.integers(0, 150, n), rng.integers(200, 5000, n))
    pd.DataFrame({"commune_code": codes, "period": pers, "element": els, "value": value}).to_csv(path, index=False)
    return path, units

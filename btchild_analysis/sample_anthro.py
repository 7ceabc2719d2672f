"""Deterministic generator of SYNTHETIC children's measurements (``data/sample/anthropometry_synthetic.csv``).

Nothing here is a real child.  For each commune of the chosen districts and period, the generator makes
as many children as the synthetic sample's tallies say were measured and weighed
(``data/sample/submissions_synthetic.csv``: ``u5_measured``, ``u5_weighed``) and draws their z-scores so
that the expected share below −2 SD is the commune's tally (``u5_stunted / u5_measured``,
``u5_underweight / u5_weighed``): HAZ ~ N(μ, 1.05²) with μ = −2 − 1.05·Φ⁻¹(p), WAZ likewise, correlated
with HAZ (ρ = 0.7).  Lengths and weights come from the WHO 2006 reference at each child's age (the
inverse of the LMS formula), so the prevalence computed from the records matches the tallies within
sampling error.  Then the faults real lists have are planted: standing heights of infants, whole and
half-unit rounding in some communes, ages in months only (some heaped on whole years), a few slips of
the pen (flagged by WHO's limits) and a few unreadable rows (quarantined).

The committed file: period 2024, districts 829 (Thành phố Bến Tre) and 836 (Ba Tri), seed 2013 —
``python -m btchild_analysis.sample_anthro --out data/sample``.
"""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

from . import admin_units
from .anthropometry import reference, rules
from .periods import parse_period
from .sample import load_sample, sample_dir

FILE = "anthropometry_synthetic.csv"
DEFAULT_PERIOD = "2024"
DEFAULT_DISTRICTS = ("829", "836")
SD_HAZ, SD_WAZ, RHO = 1.05, 1.0, 0.7
#: First day of the measuring round: the micronutrient days (1–2 June) for the annual report, March for H1.
ROUND_START = {"A": (5, 20), "H1": (3, 1)}
ROUND_DAYS = 45
COLUMNS = ["commune_code", "period", "child_id", "sex", "birth_date", "measured_on", "age_months", "weight_kg",
           "lenhei_cm", "measure"]


def lms_value(z, l, m, s, restricted: bool) -> np.ndarray:
    """The measurement at z-score ``z`` (inverse of :func:`anthropometry.lms_z`)."""
    z, l, m, s = (np.asarray(a, dtype=float) for a in (z, l, m, s))

    def at(k):
        return m * (1 + l * s * k) ** (1 / l)

    with np.errstate(invalid="ignore"):
        x = at(np.clip(z, -3, 3) if restricted else z)
        if restricted:
            x = np.where(z > 3, at(3) + (z - 3) * (at(3) - at(2)), x)
            x = np.where(z < -3, at(-3) + (z + 3) * (at(-2) - at(-3)), x)
    return x


def tallies(period: str, submissions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The sample's commune counts for ``period``: ``u5_measured, u5_stunted, u5_weighed, u5_underweight``."""
    subs = load_sample().submissions if submissions is None else submissions
    els = list(rules()["elements"])
    t = subs[(subs["period"].astype(str) == str(period)) & subs["element"].isin(els)]
    return t.pivot_table(index="commune_code", columns="element", values="value", aggfunc="sum")[els].astype(int)


def _mean_for(p: np.ndarray, n: np.ndarray, sd: float) -> np.ndarray:
    """Mean of N(μ, sd²) whose share below −2 is ``p`` (held inside (0.5/n, 1 − 0.5/n))."""
    n = np.maximum(n, 1)
    return -2 - sd * norm.ppf(np.clip(p, 0.5 / n, 1 - 0.5 / n))


def _children(rng, code: str, row: pd.Series, period) -> pd.DataFrame:
    n_m, n_w = int(row["u5_measured"]), int(row["u5_weighed"])
    n = max(n_m, n_w)
    sex = rng.integers(1, 3, n)
    days = rng.integers(0, 1826, n)
    mon, day = ROUND_START[period.kind]
    start = dt.date(period.year, mon, day)
    measured = np.array([start + dt.timedelta(days=int(k)) for k in rng.integers(0, ROUND_DAYS, n)])
    e1, e2 = rng.standard_normal(n), rng.standard_normal(n)
    haz = _mean_for(row["u5_stunted"] / max(n_m, 1), n_m, SD_HAZ) + SD_HAZ * e1
    waz = _mean_for(row["u5_underweight"] / max(n_w, 1), n_w, SD_WAZ) + SD_WAZ * (RHO * e1 + np.sqrt(1 - RHO**2) * e2)
    si = sex - 1
    lh, wa = reference("lhfa"), reference("wfa")
    length = lms_value(haz, lh.l[si, days], lh.m[si, days], lh.s[si, days], restricted=False)
    weight = lms_value(waz, wa.l[si, days], wa.m[si, days], wa.s[si, days], restricted=True)
    lying = days < rules()["length_until_day"]
    measure = np.where(lying, "L", "H").astype(object)
    swap = rng.uniform(size=n) < 0.03  # measured in the other position: the recorded value differs by 0.7 cm
    adj = rules()["adjustment_cm"]
    length = np.where(swap & lying, length - adj, np.where(swap & ~lying, length + adj, length))
    measure[swap] = np.where(lying[swap], "H", "L")
    has_h = np.zeros(n, bool)
    has_h[rng.permutation(n)[:n_m]] = True
    has_w = np.zeros(n, bool)
    has_w[rng.permutation(n)[:n_w]] = True
    return pd.DataFrame({"commune_code": code, "period": str(period), "child_id": [f"{code}-{i + 1:04d}" for i in range(n)],
                         "sex": sex, "days": days, "measured": measured,
                         "weight_kg": np.where(has_w, weight, np.nan), "lenhei_cm": np.where(has_h, length, np.nan),
                         "measure": np.where(has_h, measure, "")})


def _plant_faults(rng, df: pd.DataFrame, rounding_communes: set[str]) -> pd.DataFrame:
    """Rounding, ages in months, missing dates, slips of the pen and unreadable rows."""
    n = len(df)
    u = rng.uniform(size=(n, 8))
    w, h = df["weight_kg"].to_numpy(float), df["lenhei_cm"].to_numpy(float)
    lazy = df["commune_code"].isin(rounding_communes).to_numpy() & (u[:, 0] < 0.35)
    w = np.where(lazy, np.round(w * 2) / 2, np.round(w, 1))
    h = np.where(lazy, np.round(h), np.round(h, 1))
    slip_w, slip_h = u[:, 1] < 0.002, u[:, 2] < 0.002
    w = np.where(slip_w, np.round(w / 2, 1), w)
    h = np.where(slip_h, h - 25, h)
    days = df["days"].to_numpy()
    measured = df["measured"].to_numpy()
    born = np.array([m - dt.timedelta(days=int(d)) for m, d in zip(measured, days)])
    months = np.full(n, "", dtype=object)
    in_months = u[:, 3] < 0.05
    completed = np.floor(days / rules()["days_per_month"]).astype(int)
    year = np.round(completed / 12) * 12
    heaped = in_months & (u[:, 4] < 0.3) & (np.abs(completed - year) <= 3) & (year >= 12) & (year <= 48)
    shown = np.where(heaped, year, completed).astype(int)
    months[in_months] = shown[in_months].astype(str)
    no_measured = in_months & (u[:, 5] < 0.2)
    unknown_age = u[:, 6] < 0.004
    out = pd.DataFrame({
        "commune_code": df["commune_code"], "period": df["period"], "child_id": df["child_id"], "sex": df["sex"].astype(str),
        "birth_date": [("" if a or b else d.strftime("%d/%m/%Y")) for a, b, d in zip(in_months, unknown_age, born)],
        "measured_on": [("" if a or b else d.strftime("%d/%m/%Y")) for a, b, d in zip(no_measured, unknown_age, measured)],
        "age_months": months, "weight_kg": [("" if np.isnan(x) else f"{x:.1f}") for x in w],
        "lenhei_cm": [("" if np.isnan(x) else f"{x:.1f}") for x in h], "measure": df["measure"]})
    bad = np.flatnonzero(u[:, 7] < 0.001)
    faults = [("sex", ""), ("weight_kg", "12,5kg"), ("birth_date", "31/02/2023"), ("lenhei_cm", "8.5")]
    for k, i in enumerate(bad):
        c, v = faults[k % len(faults)]
        out.iat[i, out.columns.get_loc(c)] = v
    return out[COLUMNS]


def generate(period: str = DEFAULT_PERIOD, districts: tuple[str, ...] | None = DEFAULT_DISTRICTS,
             seed: int = 2013, submissions: pd.DataFrame | None = None) -> pd.DataFrame:
    """SYNTHETIC measurement records for the communes of ``districts`` (None: all) in ``period``.

    Parameters
    ----------
    period : str
        ``"2024"`` or ``"2024H1"``: the tallies of that period are matched.
    districts : tuple of str, optional
        GSO district codes (the committed file: 829 and 836, to stay small).
    seed : int
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same table.
    submissions : DataFrame, optional
        Long submissions to take the tallies from (default: the committed sample).

    Returns
    -------
    DataFrame
        :data:`COLUMNS`, every value as text the way a health station types it (dates dd/mm/yyyy).
    """
    per = parse_period(period)
    rng = np.random.default_rng(seed)
    t = tallies(str(per), submissions)
    units = admin_units.units(per)
    if districts is not None:
        units = units[units["district_code"].isin(districts)]
    codes = [c for c in sorted(units["code"]) if c in t.index]
    rounding = set(rng.choice(codes, size=max(1, len(codes) // 5), replace=False).tolist())
    kids = pd.concat([_children(rng, c, t.loc[c], per) for c in codes], ignore_index=True)
    return _plant_faults(rng, kids, rounding)


def write(out: str | Path | None = None, **kw) -> Path:
    """Generate and write :data:`FILE` (UTF-8) into ``out`` (default ``data/sample``)."""
    path = Path(out or sample_dir()) / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    generate(**kw).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Write the SYNTHETIC measurement records of the sample.")
    ap.add_argument("--out", default=None)
    ap.add_argument("--period", default=DEFAULT_PERIOD)
    ap.add_argument("--districts", default=",".join(DEFAULT_DISTRICTS), help="comma-separated codes, or 'all'")
    ap.add_argument("--seed", type=int, default=2013)
    a = ap.parse_args(argv)
    districts = None if a.districts == "all" else tuple(a.districts.split(","))
    print(write(a.out, period=a.period, districts=districts, seed=a.seed))


if __name__ == "__main__":
    main()

"""Trend statistics per unit and indicator: Theil–Sen slope, Mann–Kendall test, change, ranks."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .registry import indicator


def annual(values: pd.DataFrame) -> pd.DataFrame:
    """Only the annual periods of an indicator table, with an integer ``year`` column."""
    a = values[values["period"].astype(str).str.fullmatch(r"\d{4}")]
    return a.assign(year=a["period"].astype(int))


def theil_sen(years, values, alpha: float = 0.95) -> tuple[float, float, float, float]:
    """(slope, intercept, low slope, high slope) by :func:`scipy.stats.theilslopes`."""
    res = stats.theilslopes(values, years, alpha)
    return float(res.slope), float(res.intercept), float(res.low_slope), float(res.high_slope)


def mann_kendall(years, values) -> tuple[float, float, int]:
    """Mann–Kendall trend test as Kendall's tau between time and value.

    Returns (tau, two-sided p-value, S) where ``S = Σ_{i<j} sign(x_j − x_i)``.  The p-value is
    scipy's (normal approximation with the tie-corrected variance, no continuity correction).

    >>> tau, p, s = mann_kendall([1, 2, 3, 4], [1.0, 3.0, 2.0, 5.0])
    >>> s, round(tau, 3)
    (4, 0.667)
    """
    x = np.asarray(values, dtype=float)
    t = np.asarray(years, dtype=float)
    s = int(sum(np.sign(x[j] - x[i]) for i in range(len(x)) for j in range(i + 1, len(x))))
    res = stats.kendalltau(t, x)
    return float(res.statistic), float(res.pvalue), s


def trend_table(values: pd.DataFrame, start: int | None = None, end: int | None = None) -> pd.DataFrame:
    """Trend of each unit and indicator over the annual periods ``start``–``end``.

    Parameters
    ----------
    values : DataFrame
        Output of :func:`btchild_analysis.indicators.compute`.

    Returns
    -------
    DataFrame
        ``level, unit_code, unit_name, indicator, first_year, first_value, last_year, last_value,
        change, slope, slope_low, slope_high, tau, p_value, n_years, progress`` where ``progress`` is
        the slope signed so that positive is improvement (the indicator's ``direction``).
    """
    a = annual(values).dropna(subset=["value"])
    if start is not None:
        a = a[a["year"] >= start]
    if end is not None:
        a = a[a["year"] <= end]
    rows = []
    for (level, code, name, ind), g in a.groupby(["level", "unit_code", "unit_name", "indicator"], sort=True):
        g = g.sort_values("year")
        row = {"level": level, "unit_code": code, "unit_name": name, "indicator": ind,
               "first_year": int(g["year"].iloc[0]), "first_value": g["value"].iloc[0],
               "last_year": int(g["year"].iloc[-1]), "last_value": g["value"].iloc[-1], "n_years": len(g)}
        row["change"] = row["last_value"] - row["first_value"]
        if len(g) >= 3 and g["value"].nunique() > 1:
            slope, _, lo, hi = theil_sen(g["year"], g["value"])
            tau, p, _ = mann_kendall(g["year"], g["value"])
        else:
            slope = lo = hi = 0.0 if len(g) >= 3 else np.nan
            tau, p = (np.nan, np.nan)
        sign = -1 if indicator(ind).direction == "lower" else 1
        row.update(slope=slope, slope_low=lo, slope_high=hi, tau=tau, p_value=p, progress=sign * slope)
        rows.append(row)
    return pd.DataFrame(rows)


def rank(trends: pd.DataFrame, indicator_id: str, by: str = "progress") -> pd.DataFrame:
    """Units ranked for one indicator, best first: by ``"progress"`` or by ``"level"`` (latest value)."""
    t = trends[trends["indicator"] == indicator_id].copy()
    if by == "level":
        asc = indicator(indicator_id).direction == "lower"
        t = t.sort_values("last_value", ascending=asc)
    else:
        t = t.sort_values("progress", ascending=False)
    t["rank"] = np.arange(1, len(t) + 1)
    return t.reset_index(drop=True)

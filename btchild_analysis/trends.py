"""Trend statistics per unit and indicator: Theil–Sen slope, Mann–Kendall test, change, ranks.

Every statistic is computed within one *segment* of a series: the years between two breaks recorded in
the indicator's metadata (``breaks`` in ``indicators.yaml``: a new edition of the standard, a new legal
definition).  Values on the two sides of a break are never compared; a table whose window spans a
break says so (``break_in_series``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .catalog import indicator


def annual(values: pd.DataFrame) -> pd.DataFrame:
    """Only the annual periods of an indicator table, with an integer ``year`` column.

    Examples
    --------
    >>> v = pd.DataFrame({"period": ["2020", "2021H1", "2021"], "value": [1.0, 2.0, 3.0]})
    >>> annual(v)["year"].tolist()
    [2020, 2021]
    """
    a = values[values["period"].astype(str).str.fullmatch(r"\d{4}")]
    return a.assign(year=a["period"].astype(int))


def segment_start(year: int, breaks: tuple[int, ...]) -> int | None:
    """First year of the segment holding ``year``: the latest break at or before it (None: before any).

    >>> segment_start(2018, (2014, 2019)), segment_start(2019, (2014, 2019)), segment_start(2013, (2014, 2019))
    (2014, 2019, None)
    """
    starts = [b for b in breaks if b <= year]
    return max(starts) if starts else None


def segment_label(start: int | None, breaks: tuple[int, ...]) -> str:
    """The span of a segment as text: ``"–2013"``, ``"2014–2018"``, ``"2019–"``; ``"all"`` without breaks.

    >>> segment_label(None, (2014, 2019)), segment_label(2014, (2014, 2019)), segment_label(2019, (2014, 2019))
    ('–2013', '2014–2018', '2019–')
    """
    if not breaks:
        return "all"
    later = [b for b in breaks if start is None or b > start]
    end = f"{min(later) - 1}" if later else ""
    return f"{'' if start is None else start}–{end}"


def segment_ids(years, breaks: tuple[int, ...]) -> np.ndarray:
    """For each year, the index of its segment (0 before the first break, 1 after it, …).

    Examples
    --------
    >>> segment_ids([2012, 2014, 2019, 2024], (2014, 2019)).tolist()
    [0, 1, 2, 2]
    """
    return np.searchsorted(np.asarray(sorted(breaks), dtype=float), np.asarray(years, dtype=float), side="right")


def theil_sen(years, values, alpha: float = 0.95) -> tuple[float, float, float, float]:
    """(slope, intercept, low slope, high slope) by :func:`scipy.stats.theilslopes`.

    Examples
    --------
    >>> theil_sen([2015, 2016, 2017, 2018], [10.0, 12.0, 14.0, 16.0])[0]  # two points a year
    2.0
    """
    from scipy import stats  # here, not at the top: scipy.stats costs ~0.7 s to import and only the trend functions use it

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
    from scipy import stats  # see theil_sen

    res = stats.kendalltau(t, x)
    return float(res.statistic), float(res.pvalue), s


def trend_table(values: pd.DataFrame, start: int | None = None, end: int | None = None,
                segments: str = "latest") -> pd.DataFrame:
    """Trend of each unit and indicator over the annual periods ``start``–``end`` (both included).

    Parameters
    ----------
    values : DataFrame
        Output of :func:`btchild_analysis.indicators.compute`.
    start, end : int, optional
        First and last year of the window (inclusive).
    segments : {"latest", "all"}
        ``"latest"`` (default): one row per unit and indicator, for the latest segment in the window;
        ``"all"``: one row per segment.  Statistics never span a break.

    Returns
    -------
    DataFrame
        ``level, unit_code, unit_name, indicator, first_year, first_value, last_year, last_value,
        change, slope, slope_low, slope_high, tau, p_value, n_years, progress, segment, segment_start,
        break_in_series, n_segments`` where ``progress`` is the slope signed so that positive is
        improvement (the indicator's ``direction``), ``segment`` the span of the segment (``"2019–"``,
        ``"all"`` for a series without breaks), ``break_in_series`` True when the window holds data on
        both sides of a break (so earlier years were left out of the statistics).

    Examples
    --------
    >>> v = pd.DataFrame({"level": "province", "unit_code": "83", "unit_name": "Tỉnh Bến Tre",
    ...                   "indicator": "play_area_standard", "period": ["2012", "2013", "2014"], "value": [40.0, 45.0, 50.0]})
    >>> t = trend_table(v).iloc[0]
    >>> t[["first_value", "last_value", "change", "slope", "progress"]].astype(float).tolist(), t["segment"]
    ([40.0, 50.0, 10.0, 5.0, 5.0], 'all')
    """
    if segments not in ("latest", "all"):
        raise ValueError(f"segments must be 'latest' or 'all', not {segments!r}")
    a = annual(values).dropna(subset=["value"])
    if start is not None:
        a = a[a["year"] >= start]
    if end is not None:
        a = a[a["year"] <= end]
    rows = []
    for (level, code, name, ind), g in a.groupby(["level", "unit_code", "unit_name", "indicator"], sort=True):
        g = g.sort_values("year")
        meta = indicator(ind)
        seg = segment_ids(g["year"], meta.break_years)
        parts = [g[seg == s] for s in np.unique(seg)]
        if segments == "latest":
            parts = parts[-1:]
        for part in parts:
            row = {"level": level, "unit_code": code, "unit_name": name, "indicator": ind,
                   **_segment_stats(part["year"].to_numpy(), part["value"].to_numpy(float), meta)}
            first = segment_start(int(part["year"].iloc[0]), meta.break_years)
            row.update(segment=segment_label(first, meta.break_years), segment_start=first,
                       break_in_series=len(np.unique(seg)) > 1, n_segments=len(np.unique(seg)))
            rows.append(row)
    out = pd.DataFrame(rows, columns=TREND_COLUMNS)
    out["segment_start"] = out["segment_start"].astype("Int64")
    return out


TREND_COLUMNS = ["level", "unit_code", "unit_name", "indicator", "first_year", "first_value", "last_year",
                 "last_value", "n_years", "change", "slope", "slope_low", "slope_high", "tau", "p_value",
                 "progress", "segment", "segment_start", "break_in_series", "n_segments"]


def _segment_stats(years: np.ndarray, vals: np.ndarray, meta) -> dict:
    """Change, Theil–Sen slope and Mann–Kendall test of one segment (pure function)."""
    row = {"first_year": int(years[0]), "first_value": vals[0], "last_year": int(years[-1]),
           "last_value": vals[-1], "n_years": len(years), "change": vals[-1] - vals[0]}
    if len(years) >= 3 and len(np.unique(vals)) > 1:
        slope, _, lo, hi = theil_sen(years, vals)
        tau, p, _ = mann_kendall(years, vals)
    else:
        slope = lo = hi = 0.0 if len(years) >= 3 else np.nan
        tau, p = (np.nan, np.nan)
    sign = -1 if meta.direction == "lower" else 1
    row.update(slope=slope, slope_low=lo, slope_high=hi, tau=tau, p_value=p, progress=sign * slope)
    return row


def rank(trends: pd.DataFrame, indicator_id: str, by: str = "progress") -> pd.DataFrame:
    """Units ranked for one indicator, best first: by ``"progress"`` or by ``"level"`` (latest value).

    ``"progress"``: the largest improvement first (``progress`` descending, whatever the direction);
    ``"level"``: the best latest value first (lowest for a lower-is-better indicator, else highest).
    With a table of all segments, each unit is ranked on its latest segment.  Units without a value
    come last.

    Examples
    --------
    >>> v = pd.DataFrame({"level": "district", "indicator": "play_area_standard", "period": ["2012", "2013", "2014"] * 2,
    ...                   "unit_code": ["836"] * 3 + ["829"] * 3, "unit_name": ["Ba Tri"] * 3 + ["Bến Tre"] * 3,
    ...                   "value": [40.0, 42.0, 44.0, 60.0, 61.0, 62.0]})  # Ba Tri gains 2 points a year, Bến Tre 1
    >>> t = trend_table(v)
    >>> rank(t, "play_area_standard")["unit_name"].tolist(), rank(t, "play_area_standard", by="level")["unit_name"].tolist()
    (['Ba Tri', 'Bến Tre'], ['Bến Tre', 'Ba Tri'])
    """
    if by not in ("progress", "level"):
        raise ValueError(f"by must be 'progress' or 'level', not {by!r}")
    t = trends[trends["indicator"] == indicator_id].copy()
    if "segment_start" in t and len(t):
        t = t.assign(_s=t["segment_start"].astype("Float64").fillna(-1)).sort_values("_s", kind="stable")
        t = t.drop_duplicates(["level", "unit_code"], keep="last").drop(columns="_s")
    if by == "level":
        asc = indicator(indicator_id).direction == "lower"
        t = t.sort_values("last_value", ascending=asc, kind="stable", na_position="last")
    else:
        t = t.sort_values("progress", ascending=False, kind="stable", na_position="last")
    t["rank"] = np.arange(1, len(t) + 1)
    return t.reset_index(drop=True)

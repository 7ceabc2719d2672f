"""Trend statistics per unit and indicator: Theil–Sen slope, Mann–Kendall test, change, ranks.

Every statistic is computed within one *segment* of a series: the years between two breaks recorded in
the indicator's metadata (``breaks`` in ``indicators.yaml``: a new edition of the standard, a new legal
definition).  Values on the two sides of a break are never compared; a table whose window spans a
break says so (``break_in_series``).
"""
from __future__ import annotations

import functools
import itertools
import math

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
    """(slope, intercept, low slope, high slope) as :func:`scipy.stats.theilslopes` gives them.

    Two points or more with finite years and values are computed in numpy with scipy's arithmetic
    (:func:`_series_stats`; tests/test_trends_batch.py checks it against scipy), so that a report
    drawing a trend line does not import scipy.stats (~0.7 s); anything else goes to scipy itself,
    whose conventions for it (NaN propagated, too few points) are kept.

    Examples
    --------
    >>> theil_sen([2015, 2016, 2017, 2018], [10.0, 12.0, 14.0, 16.0])[0]  # two points a year
    2.0
    """
    t, y = _pairable(years, values)
    if t is None:
        from scipy import stats  # here, not at the top: scipy.stats costs ~0.7 s to import

        res = stats.theilslopes(values, years, alpha)
        return float(res.slope), float(res.intercept), float(res.low_slope), float(res.high_slope)
    slope, low, high = (float(v[0]) for v in _theil_sen_rows(*_pairs(t, y), len(t), alpha))
    return slope, float(np.median(y[0]) - slope * np.median(t)), low, high


def _pairable(years, values) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Years (ascending) and values (a 1-row matrix in the same order) for the numpy path of
    :func:`theil_sen` and :func:`mann_kendall`; (None, None) when scipy must decide (fewer than two
    points, lengths that differ, a value or year not finite)."""
    t, y = np.asarray(years, dtype=float).ravel(), np.asarray(values, dtype=float).ravel()
    if len(t) < 2 or len(t) != len(y) or not (np.isfinite(t).all() and np.isfinite(y).all()):
        return None, None
    order = np.argsort(t, kind="stable")
    return t[order], y[order][None, :]


def mann_kendall(years, values) -> tuple[float, float, int]:
    """Mann–Kendall trend test as Kendall's tau between time and value.

    Returns (tau, two-sided p-value, S) where ``S = Σ_{i<j} sign(x_j − x_i)`` and tau is Kendall's
    tau-b.  The p-value is :func:`scipy.stats.kendalltau`'s with ``method="auto"``: **exact** (the
    permutation distribution of S) when neither years nor values have ties and there are at most 33
    years (or at most one discordant or concordant pair); otherwise the normal approximation of S with
    the tie-corrected variance, without continuity correction.  Computed in numpy with scipy's
    arithmetic, scipy itself for the same exceptions as :func:`theil_sen`.

    Examples
    --------
    Four years without ties: exact, p = 2 × 4/24 (4 of the 24 orders of four values have at most one
    discordant pair; the normal approximation would give 0.174):

    >>> tau, p, s = mann_kendall([1, 2, 3, 4], [1.0, 3.0, 2.0, 5.0])
    >>> s, round(tau, 3), round(p, 4)
    (4, 0.667, 0.3333)

    A tie in the values: normal approximation, Var S = (4·3·13 − 2·1·9)/18 = 7.667, z = 5/√7.667:

    >>> tau, p, s = mann_kendall([1, 2, 3, 4], [1.0, 3.0, 3.0, 5.0])
    >>> s, round(tau, 4), round(p, 4)  # tau-b = 5/√(6·5)
    (5, 0.9129, 0.071)
    """
    x = np.asarray(values, dtype=float)
    s = int(sum(np.sign(x[j] - x[i]) for i in range(len(x)) for j in range(i + 1, len(x))))
    t, y = _pairable(years, values)
    if t is None:
        from scipy import stats  # see theil_sen

        res = stats.kendalltau(np.asarray(years, dtype=float), x)
        return float(res.statistic), float(res.pvalue), s
    tau, p = _kendall_rows(*_pairs(t, y), len(t))
    return float(tau[0]), float(p[0]), s


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
        both sides of a break (so earlier years were left out of the statistics).  Rows are sorted by
        level, unit code, unit name and indicator, then segment.  ``slope``, ``slope_low``,
        ``slope_high`` are :func:`theil_sen`'s and ``tau``, ``p_value`` :func:`mann_kendall`'s, for a
        segment of three years or more with two distinct values at least (a flat one has slope 0 and no
        test; one or two years, no slope).

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
    keys = ["level", "unit_code", "unit_name", "indicator"]
    # One pass over every series: number the series in groupby's sorted key order (rows with a missing
    # key dropped, as groupby drops them), sort the rows by series then year; a segment is then a run
    # of rows with one series number and one segment id.
    gid = a.groupby(keys, sort=True).ngroup().to_numpy() if len(a) else np.empty(0)  # NaN: a key missing
    a, gid = a[gid >= 0], gid[gid >= 0].astype(np.int64)
    if not len(a):
        return pd.DataFrame([], columns=TREND_COLUMNS).astype({"segment_start": "Int64"})
    order = np.lexsort((a["year"].to_numpy(), gid))
    a, gid = a.iloc[order], gid[order]
    year, val, ind = a["year"].to_numpy(np.int64), a["value"].to_numpy(float), a["indicator"].to_numpy(object)
    seg = np.zeros(len(a), np.int64)
    for name in pd.unique(ind):
        rows = ind == name
        seg[rows] = segment_ids(year[rows], indicator(name).break_years)
    first = np.flatnonzero(np.r_[True, (gid[1:] != gid[:-1]) | (seg[1:] != seg[:-1])])
    stop = np.r_[first[1:], len(a)]
    n_segments = np.bincount(gid[first])[gid[first]]
    if segments == "latest":
        keep = np.r_[gid[first][1:] != gid[first][:-1], True]
        first, stop, n_segments = first[keep], stop[keep], n_segments[keep]
    out = pd.DataFrame({k: a[k].iloc[first].tolist() for k in keys})  # the keys' own values, as groupby gives them
    out = out.assign(**_segments_stats(year, val, first, stop, [indicator(i) for i in ind[first]]))
    out["break_in_series"], out["n_segments"] = n_segments > 1, n_segments
    return out[TREND_COLUMNS]


TREND_COLUMNS = ["level", "unit_code", "unit_name", "indicator", "first_year", "first_value", "last_year",
                 "last_value", "n_years", "change", "slope", "slope_low", "slope_high", "tau", "p_value",
                 "progress", "segment", "segment_start", "break_in_series", "n_segments"]


def _segments_stats(year: np.ndarray, val: np.ndarray, first: np.ndarray, stop: np.ndarray, metas: list) -> dict:
    """Change, Theil–Sen slope and Mann–Kendall test of the segments ``year[first[k]:stop[k]]`` (pure).

    ``year`` and ``val`` hold the rows of every series, sorted by series then year; ``metas`` the
    indicator of each segment.  Segments with the same years (almost every commune has the same)
    are computed together as one matrix by :func:`_series_stats`.
    """
    n = stop - first
    step = np.cumsum(np.r_[0, val[1:] != val[:-1]])  # changes of value so far: 0 within a constant run
    tested = (n >= 3) & (step[stop - 1] > step[first])
    slope = np.where(n >= 3, 0.0, np.nan)
    low, high, tau, p = slope.copy(), slope.copy(), np.full(len(n), np.nan), np.full(len(n), np.nan)
    same_years: dict[bytes, list[int]] = {}
    for k in np.flatnonzero(tested):
        same_years.setdefault(year[first[k]:stop[k]].tobytes(), []).append(k)
    for ks in map(np.asarray, same_years.values()):
        t = year[first[ks[0]]:stop[ks[0]]]
        matrix = val[first[ks][:, None] + np.arange(len(t))]
        slope[ks], low[ks], high[ks], tau[ks], p[ks] = _series_stats(t.astype(float), matrix)
    sign = np.array([-1 if m.direction == "lower" else 1 for m in metas])
    starts = [segment_start(int(y), m.break_years) for y, m in zip(year[first], metas)]
    return {"first_year": year[first], "first_value": val[first], "last_year": year[stop - 1],
            "last_value": val[stop - 1], "n_years": n, "change": val[stop - 1] - val[first], "slope": slope,
            "slope_low": low, "slope_high": high, "tau": tau, "p_value": p, "progress": sign * slope,
            "segment": [segment_label(s, m.break_years) for s, m in zip(starts, metas)],
            "segment_start": pd.array(starts, dtype="Int64")}


def _series_stats(t: np.ndarray, y: np.ndarray, alpha: float = 0.95) -> tuple[np.ndarray, ...]:
    """Theil–Sen slope with its interval and Kendall's tau-b with its p-value, for each row of ``y``.

    ``t`` (length n, ascending) holds the years shared by the rows of ``y`` (shape rows × n).  The
    arithmetic is scipy's, written out over the matrix: :func:`scipy.stats.theilslopes` (median of the
    pairwise slopes; Sen's 1968 interval, eq. 2.6, with ties in both variables) and
    :func:`scipy.stats.kendalltau` (``variant="b"``, ``method="auto"``: the exact p-value when neither
    variable has ties and n ≤ 33 or at most one pair is (dis)cordant, else the normal approximation with
    the tie-corrected variance, no continuity correction).  Hand-written because calling scipy once per
    series costs ~1 ms of wrapper per call (a province has ~600 commune series per indicator), and even
    scipy's ``axis=1`` form takes ~0.16 s for 600 series of 12 years, this 1.3 ms;
    tests/test_trends_batch.py checks it against scipy, series by series, to 1e-12.

    Returns
    -------
    tuple of arrays
        (slope, low slope, high slope, tau, p-value), one value per row of ``y``.
    """
    pairs = _pairs(t, y)
    return (*_theil_sen_rows(*pairs, len(t), alpha), *_kendall_rows(*pairs, len(t)))


def _pairs(t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple]:
    """What both statistics read: the differences of every pair (later minus earlier) of years ``dt``
    and of each row's values ``dy`` (rows × pairs), and the tie terms (:func:`_tie_terms`)."""
    i, j = np.triu_indices(len(t), 1)
    return t[j] - t[i], y[:, j] - y[:, i], _tie_terms(t, y)


def _tie_terms(t: np.ndarray, y: np.ndarray) -> tuple:
    """Σ k(k−1)(k−2) and Σ k(k−1)(2k+5) over the groups of k tied years (x0, x1), and of tied values in
    each row (y0, y1): per element, (c−1)(c−2) and (c−1)(2c+5) for its group of c, summed."""
    x_eq, y_eq = (t[:, None] == t).sum(1), (y[:, :, None] == y[:, None, :]).sum(2)
    return (int(((x_eq - 1) * (x_eq - 2)).sum()), int(((x_eq - 1) * (2 * x_eq + 5)).sum()),
            ((y_eq - 1) * (y_eq - 2)).sum(1), ((y_eq - 1) * (2 * y_eq + 5)).sum(1))


def _theil_sen_rows(dt: np.ndarray, dy: np.ndarray, ties: tuple, n: int, alpha: float) -> tuple:
    """Median of the slopes of the pairs with different years, and Sen's interval (as theilslopes)."""
    from scipy.special import ndtri  # lazily: see theil_sen

    slopes = np.sort(dy[:, dt > 0] / dt[dt > 0], axis=1)
    nt, rows = slopes.shape[1], np.arange(len(dy))
    if not nt:  # every year the same: no slope
        return tuple(np.full(len(dy), np.nan) for _ in range(3))
    median = (slopes[:, (nt - 1) // 2] + slopes[:, nt // 2]) / 2
    with np.errstate(invalid="ignore"):  # a negative variance (tied years) gives no interval, as in scipy
        sigma = np.sqrt(1 / 18. * (n * (n - 1) * (2 * n + 5) - ties[1] - ties[3]))
    z, bad = ndtri((1. - alpha if alpha > 0.5 else alpha) / 2.), np.isnan(sigma)
    sigma = np.where(bad, 0.0, sigma)
    upper = np.minimum(np.round((nt - z * sigma) / 2.).astype(np.int64), nt - 1)
    lower = np.maximum(np.round((nt + z * sigma) / 2.).astype(np.int64) - 1, 0)
    return median, np.where(bad, np.nan, slopes[rows, lower]), np.where(bad, np.nan, slopes[rows, upper])


def _kendall_rows(dt: np.ndarray, dy: np.ndarray, ties: tuple, n: int) -> tuple:
    """Kendall's tau-b between years and values and its two-sided p-value (as kendalltau's "auto")."""
    from scipy.special import ndtr  # lazily: see theil_sen

    x0, x1, y0, y1 = ties
    sx, sy = np.sign(dt).astype(np.int64), np.sign(dy).astype(np.int64)
    tot, con_minus_dis, dis = n * (n - 1) // 2, (sx * sy).sum(1), (sx * sy < 0).sum(1)
    xtie, ytie = int((sx == 0).sum()), (sy == 0).sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = np.clip(con_minus_dis / np.sqrt(tot - xtie) / np.sqrt(tot - ytie), -1., 1.)
        m = n * (n - 1.)
        var = ((m * (2 * n + 5) - x1 - y1) / 18 + (2 * xtie * ytie) / m + x0 * y0 / (9 * m * (n - 2)))
        p = 2 * ndtr(-np.abs(con_minus_dis / np.sqrt(var)))
    exact = (xtie == 0) & (ytie == 0) & ((n <= 33) | (np.minimum(dis, tot - dis) <= 1))
    for r in np.flatnonzero(exact):
        p[r] = _kendall_exact_p(n, int(tot - dis[r]))
    undefined = (xtie == tot) | (ytie == tot)
    return np.where(undefined, np.nan, tau), np.where(undefined, np.nan, p)


@functools.lru_cache(maxsize=4096)
def _kendall_exact_p(n: int, c: int) -> float:
    """Two-sided exact p-value of Kendall's test without ties: n values, c concordant pairs (pure).

    The null distribution of the number of inversions is counted exactly (Mahonian numbers, Kendall
    1970, as scipy's ``_kendall_p_exact``): p = 2 · #{permutations with ≤ min(c, N − c) inversions} / n!,
    at most 1.

    >>> _kendall_exact_p(4, 5)  # 1 + 3 of the 24 orders of 4 have at most one inversion
    0.3333333333333333
    """
    c = min(c, n * (n - 1) // 2 - c)
    ways = [1] + [0] * c  # permutations of 1 value with k inversions, k ≤ c
    for size in range(2, n + 1):  # inserting the size-th value adds 0 … size − 1 inversions
        cum = [0, *itertools.accumulate(ways)]
        ways = [cum[k + 1] - cum[max(0, k + 1 - size)] for k in range(c + 1)]
    return min(1.0, 2 * sum(ways) / math.factorial(n))


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

"""trends.trend_table in one pass (issue 16) against the per-series path it replaced and against scipy.

``oracle_trend_table`` below is the former implementation, kept verbatim here as a test oracle only: a
pandas groupby loop calling ``scipy.stats.theilslopes`` and ``scipy.stats.kendalltau`` once per segment.
The one-pass table must be identical to it (columns, dtypes, row order, values to 1e-12) on the sample's
commune values for every indicator and on random series with ties, flat runs, gaps, breaks, one- and
two-year segments and missing values.  ``_series_stats`` (the statistics over a matrix of series) is
also checked row by row against ``scipy.stats`` called directly, and ``_kendall_exact_p`` against
p-values counted by hand.
"""
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from btchild_analysis import trends
from btchild_analysis.catalog import indicator, indicators

# ----------------------------------------------------------------------------- the oracle (old path)


def _oracle_segment_stats(years, vals, meta):
    row = {"first_year": int(years[0]), "first_value": vals[0], "last_year": int(years[-1]),
           "last_value": vals[-1], "n_years": len(years), "change": vals[-1] - vals[0]}
    if len(years) >= 3 and len(np.unique(vals)) > 1:
        res = stats.theilslopes(vals, years, 0.95)
        slope, lo, hi = float(res.slope), float(res.low_slope), float(res.high_slope)
        kt = stats.kendalltau(np.asarray(years, dtype=float), vals)
        tau, p = float(kt.statistic), float(kt.pvalue)
    else:
        slope = lo = hi = 0.0 if len(years) >= 3 else np.nan
        tau, p = (np.nan, np.nan)
    sign = -1 if meta.direction == "lower" else 1
    row.update(slope=slope, slope_low=lo, slope_high=hi, tau=tau, p_value=p, progress=sign * slope)
    return row


def oracle_trend_table(values, start=None, end=None, segments="latest"):
    """The per-series implementation trend_table had before issue 16 (verbatim but for the names)."""
    a = trends.annual(values).dropna(subset=["value"])
    if start is not None:
        a = a[a["year"] >= start]
    if end is not None:
        a = a[a["year"] <= end]
    rows = []
    for (level, code, name, ind), g in a.groupby(["level", "unit_code", "unit_name", "indicator"], sort=True):
        g = g.sort_values("year")
        meta = indicator(ind)
        seg = trends.segment_ids(g["year"], meta.break_years)
        parts = [g[seg == s] for s in np.unique(seg)]
        if segments == "latest":
            parts = parts[-1:]
        for part in parts:
            row = {"level": level, "unit_code": code, "unit_name": name, "indicator": ind,
                   **_oracle_segment_stats(part["year"].to_numpy(), part["value"].to_numpy(float), meta)}
            first = trends.segment_start(int(part["year"].iloc[0]), meta.break_years)
            row.update(segment=trends.segment_label(first, meta.break_years), segment_start=first,
                       break_in_series=len(np.unique(seg)) > 1, n_segments=len(np.unique(seg)))
            rows.append(row)
    out = pd.DataFrame(rows, columns=trends.TREND_COLUMNS)
    out["segment_start"] = out["segment_start"].astype("Int64")
    return out


def same(new, old):
    """Identical tables: columns, dtypes, index, row order; floats to 1e-12 (NaN where NaN)."""
    pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=0, atol=1e-12)


# ----------------------------------------------------------------------------- the sample


@pytest.fixture(scope="module")
def commune_values(dataset):
    from btchild_analysis import indicators
    return indicators.compute(dataset.all_elements(), "commune")


@pytest.mark.parametrize("window, segments", [((None, None), "all"), ((2013, 2024), "latest"),
                                              ((2016, 2020), "all"), ((2019, 2019), "latest")])
def test_the_sample_communes_all_indicators_as_the_old_path(commune_values, window, segments):
    new = trends.trend_table(commune_values, *window, segments=segments)
    if window == (2019, 2019):  # one year: no slope anywhere
        assert (new["n_years"] == 1).all() and new["slope"].isna().all()
    else:
        assert set(new["indicator"]) == set(commune_values["indicator"])
        assert new["slope_low"].notna().sum() > 100 and new["p_value"].notna().sum() > 100  # computed, not NaN
    same(new, oracle_trend_table(commune_values, *window, segments=segments))


def test_the_sample_at_the_province_and_district_levels(dataset):
    from btchild_analysis import indicators
    for level in ("province", "district"):
        v = indicators.compute(dataset.all_elements(), level)
        same(trends.trend_table(v, segments="all"), oracle_trend_table(v, segments="all"))


# ----------------------------------------------------------------------------- random series

BREAKS = {key: ind.break_years for key, ind in indicators().items()}
WITH_BREAKS = sorted(i for i, b in BREAKS.items() if b)
WITHOUT = sorted(i for i, b in BREAKS.items() if not b)


def random_values(rng, n_units=40):
    """Series with ties, flat runs, gaps, breaks, short segments, NaN, half-year periods, shuffled rows."""
    rows = []
    inds = WITH_BREAKS[:2] + WITHOUT[:2]
    for u in range(n_units):
        code = f"{rng.integers(100, 125):03d}"  # codes repeat: units share a code, not a name
        for ind in inds:
            kind = rng.integers(0, 6)
            years = np.arange(2010, 2026)
            if kind == 1:  # gaps
                years = np.sort(rng.choice(years, size=rng.integers(1, 16), replace=False))
            elif kind == 2:  # one or two years
                years = np.sort(rng.choice(years, size=rng.integers(1, 3), replace=False))
            elif kind == 3:  # a long series, over 33 years (normal approximation without ties)
                years = np.arange(1985, 2026)
            if kind == 4:  # flat runs
                vals = np.repeat(rng.integers(0, 3, size=len(years)).astype(float), 1)
                vals[: len(vals) // 2] = 7.0
            elif kind == 5:  # heavy ties in values
                vals = rng.integers(0, 4, size=len(years)) * 2.5
            else:
                vals = np.round(rng.normal(50, 10, size=len(years)), 1 if rng.random() < 0.5 else 6)
            vals[rng.random(len(vals)) < 0.1] = np.nan
            for y, v in zip(years, vals):
                rows.append({"level": "commune", "unit_code": code, "unit_name": f"Xã {u}", "indicator": ind,
                             "period": str(y), "value": v})
            if rng.random() < 0.3:
                rows.append({"level": "commune", "unit_code": code, "unit_name": f"Xã {u}", "indicator": ind,
                             "period": f"{years[0]}H1", "value": 1.0})
    df = pd.DataFrame(rows)
    return df.iloc[rng.permutation(len(df))].reset_index(drop=True)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("segments", ["latest", "all"])
def test_random_series_as_the_old_path(seed, segments):
    rng = np.random.default_rng(seed)
    v = random_values(rng)
    for window in [(None, None), (2013, 2024), (2018, 2021)]:
        same(trends.trend_table(v, *window, segments=segments), oracle_trend_table(v, *window, segments=segments))


def test_random_series_cover_the_cases_they_are_meant_to():
    v = random_values(np.random.default_rng(0))
    t = trends.trend_table(v, segments="all")
    assert (t["n_years"] <= 2).any() and (t["n_years"] > 33).any()
    assert ((t["n_years"] >= 3) & (t["slope"] == 0) & t["tau"].isna()).any()  # flat
    assert t["break_in_series"].any() and (~t["break_in_series"]).any()
    assert t.duplicated(["unit_code", "indicator", "segment"]).any()  # a code shared by two units


def test_missing_keys_are_dropped_as_groupby_drops_them():
    v = random_values(np.random.default_rng(7), n_units=5)
    v.loc[v.index[:7], "unit_name"] = None
    same(trends.trend_table(v, segments="all"), oracle_trend_table(v, segments="all"))


def test_integer_unit_codes_keep_their_dtype():
    v = random_values(np.random.default_rng(8), n_units=6)
    v["unit_code"] = v["unit_code"].astype(int)
    new = trends.trend_table(v)
    assert new["unit_code"].dtype == np.int64
    same(new, oracle_trend_table(v))


def test_an_empty_window_gives_the_old_empty_table():
    v = random_values(np.random.default_rng(1), n_units=3)
    same(trends.trend_table(v, 2030, 2031), oracle_trend_table(v, 2030, 2031))
    same(trends.trend_table(v.iloc[:0]), oracle_trend_table(v.iloc[:0]))


# ----------------------------------------------------------------------------- against scipy directly


def scipy_row(t, y):
    res = stats.theilslopes(y, t)
    kt = stats.kendalltau(t, y)
    return res.slope, res.low_slope, res.high_slope, kt.statistic, kt.pvalue


@pytest.mark.parametrize("n", [3, 4, 5, 8, 12, 33, 34, 40])
def test_series_stats_row_by_row_against_scipy(n):
    rng = np.random.default_rng(n)
    t = np.sort(rng.choice(np.arange(1980, 2040), size=n, replace=False)).astype(float)
    y = np.vstack([rng.normal(size=(20, n)), rng.integers(0, 3, size=(20, n)).astype(float),  # ties
                   np.round(np.cumsum(rng.normal(size=(10, n)), axis=1), 1),
                   np.arange(n, dtype=float)[None, :] * [[1.0], [-2.0]]])  # perfectly monotone: p exact, tiny
    y = y[np.ptp(y, axis=1) > 0]
    got = np.column_stack(trends._series_stats(t, y))
    want = np.array([scipy_row(t, row) for row in y])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_series_stats_with_tied_years_as_scipy():
    # never produced by indicators.compute (one value per unit, indicator and year), but the arithmetic
    # follows scipy there too: tied years give no slope pair and the tie-corrected variance
    t = np.array([2015.0, 2015.0, 2016.0, 2017.0, 2017.0])
    y = np.array([[1.0, 2.0, 2.0, 5.0, 3.0], [4.0, 1.0, 3.0, 3.0, 0.0]])
    got = np.column_stack(trends._series_stats(t, y))
    np.testing.assert_allclose(got, np.array([scipy_row(t, row) for row in y]), rtol=0, atol=1e-12)
    # three tied years and three tied values: the variance's x0·y0 term (groups of three or more)
    t = np.array([2015.0, 2015.0, 2015.0, 2016.0, 2017.0, 2018.0, 2018.0])
    y = np.array([[1.0, 1.0, 1.0, 2.0, 4.0, 3.0, 5.0], [2.0, 0.0, 2.0, 2.0, 6.0, 1.0, 7.0]])
    got = np.column_stack(trends._series_stats(t, y))
    np.testing.assert_allclose(got, np.array([scipy_row(t, row) for row in y]), rtol=0, atol=1e-12)


def test_the_interval_widens_with_the_confidence_level():
    t = np.arange(2010.0, 2022.0)
    y = np.random.default_rng(3).normal(size=(5, 12)) + t / 3
    _, lo90, hi90, _, _ = trends._series_stats(t, y, alpha=0.90)
    _, lo99, hi99, _, _ = trends._series_stats(t, y, alpha=0.99)
    for row in range(5):
        r = stats.theilslopes(y[row], t, 0.99)
        assert (lo99[row], hi99[row]) == pytest.approx((r.low_slope, r.high_slope), abs=1e-12)
    assert (lo99 <= lo90).all() and (hi99 >= hi90).all() and ((lo99 < lo90) | (hi99 > hi90)).any()


# ----------------------------------------------------------------------------- the exact p-value by hand


def test_kendall_exact_p_by_counting_permutations():
    # p = 2·#{orders of n values with at most min(C, N − C) discordant pairs}/n!, counted by brute force
    for n in range(3, 8):
        inversions = [sum(a > b for a, b in itertools.combinations(p, 2)) for p in itertools.permutations(range(n))]
        total = n * (n - 1) // 2
        for c in range(total + 1):
            k = min(c, total - c)
            want = min(1.0, 2 * sum(i <= k for i in inversions) / math.factorial(n))
            assert trends._kendall_exact_p(n, c) == pytest.approx(want, abs=1e-15), (n, c)


def test_kendall_exact_p_small_cases_by_hand():
    assert trends._kendall_exact_p(3, 3) == pytest.approx(1 / 3)  # 2 · 1/6: only the sorted order of 3
    assert trends._kendall_exact_p(4, 6) == pytest.approx(1 / 12)  # 2 · 1/24
    assert trends._kendall_exact_p(4, 3) == 1.0  # C = N/2: the middle of the distribution


# ----------------------------------------------------------------------------- theil_sen and mann_kendall


def scipy_pair(t, y):
    res, kt = stats.theilslopes(y, t), stats.kendalltau(t, y)
    return (res.slope, res.intercept, res.low_slope, res.high_slope), (kt.statistic, kt.pvalue)


@pytest.mark.parametrize("seed", range(40))
def test_theil_sen_and_mann_kendall_as_scipy(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 45))
    t = rng.choice(np.arange(1980.0, 2030.0), size=n, replace=seed % 5 == 0)  # unsorted; tied years 1 in 5
    y = rng.integers(0, 4, size=n) * 1.5 if seed % 2 else np.round(rng.normal(size=n), 2)
    if np.ptp(y) == 0:
        y[0] += 1
    ts, (tau, p) = scipy_pair(t, y)
    assert trends.theil_sen(t, y) == pytest.approx(ts, abs=1e-12, nan_ok=True)
    got = trends.mann_kendall(t, y)
    assert got[:2] == pytest.approx((tau, p), abs=1e-12, nan_ok=True)
    assert got[2] == sum(np.sign(y[j] - y[i]) for i in range(n) for j in range(i + 1, n))  # S in the order given


@pytest.mark.parametrize("t, y", [([2015.0, 2016.0, 2017.0], [1.0, np.nan, 3.0]),  # NaN propagated
                                  ([2015.0], [1.0]),  # one point
                                  ([2015.0, 2015.0, 2015.0], [1.0, 2.0, 3.0]),  # every year the same
                                  ([2015.0, 2016.0, 2017.0], [1.0, np.inf, 3.0])])
def test_theil_sen_and_mann_kendall_leave_scipy_its_edge_cases(t, y):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ts, (tau, p) = scipy_pair(t, y)
        assert trends.theil_sen(t, y) == pytest.approx(ts, nan_ok=True)
        if np.isfinite(y).all():  # (mann_kendall's S has no value for a missing one)
            assert trends.mann_kendall(t, y)[:2] == pytest.approx((tau, p), nan_ok=True)


def test_a_trend_on_ordinary_data_does_not_import_scipy_stats():
    import subprocess
    import sys
    code = ("import sys; from btchild_analysis import trends; import pandas as pd; "
            "trends.theil_sen([2015, 2016, 2017, 2019], [3.0, 1.0, 2.0, 2.0]); "
            "trends.mann_kendall([2015, 2016, 2017], [3.0, 1.0, 2.0]); "
            "trends.trend_table(pd.DataFrame({'level': 'province', 'unit_code': '83', 'unit_name': 'B', "
            "'indicator': 'play_area_standard', 'period': ['2012', '2013', '2014'], 'value': [1.0, 3.0, 2.0]})); "
            "print('scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

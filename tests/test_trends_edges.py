"""Edges of the trend statistics that ordinary series never reach, each against scipy itself (the mutation
run of trends left these branches untested: mutants there survived)."""
import warnings

import numpy as np
import pytest
from scipy import stats

from btchild_analysis import trends


def _scipy(t, y, alpha=0.95):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res, kt = stats.theilslopes(y, t, alpha), stats.kendalltau(t, y)
    return (res.slope, res.intercept, res.low_slope, res.high_slope), (kt.statistic, kt.pvalue)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("swaps", [0, 1, 2, 3])
def test_long_series_nearly_in_order_take_scipy_s_exact_or_normal_p_value(swaps, descending):
    # more than 33 years without ties: scipy's "auto" is exact only when at most one pair is out of order
    t = np.arange(1980.0, 2020.0)                       # 40 years
    y = np.arange(40.0)
    for k in range(swaps):                              # each swap of neighbours: one discordant pair more
        y[5 + 3 * k], y[6 + 3 * k] = y[6 + 3 * k], y[5 + 3 * k]
    if descending:                                      # nearly reversed: at most one pair in order
        y = -y
    (ts, (tau, p)) = _scipy(t, y)
    got = trends.mann_kendall(t, y)
    assert got[:2] == pytest.approx((tau, p), rel=1e-9, abs=1e-300)
    assert got[2] == (-1 if descending else 1) * (780 - 2 * swaps)  # S = concordant − discordant of 40·39/2 pairs
    table = trends._series_stats(t, y[None, :])
    assert table[3][0] == pytest.approx(tau, rel=1e-12) and table[4][0] == pytest.approx(p, rel=1e-9, abs=1e-300)
    if swaps <= 1:                                       # by hand: exact, 2·(1 + 39·swaps)/40!
        import math
        assert p == pytest.approx(2 * (1 + 39 * swaps) / math.factorial(40), rel=1e-9)


def test_constant_values_have_no_kendall_tau():
    for t, y in (([2015.0, 2016.0, 2017.0], [5.0, 5.0, 5.0]), ([1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0])):
        tau, p, s = trends.mann_kendall(t, y)
        _, (stau, sp) = _scipy(t, y)
        assert np.isnan(stau) and np.isnan(tau) and np.isnan(sp) and np.isnan(p) and s == 0


def test_no_interval_when_the_ties_leave_no_variance():
    # 5 points, 4 years tied and 4 values tied: Sen's variance (300 − 156 − 156) / 18 < 0, scipy gives no interval
    t, y = [2015.0, 2015.0, 2015.0, 2015.0, 2016.0], [1.0, 1.0, 1.0, 1.0, 2.0]
    got = trends.theil_sen(t, y)
    expected, _ = _scipy(t, y)
    assert got[:2] == pytest.approx(expected[:2]) and np.isnan(got[2]) and np.isnan(got[3])
    assert np.isnan(expected[2]) and np.isnan(expected[3])


@pytest.mark.parametrize("alpha", [0.05, 0.10, 0.90])
def test_a_confidence_level_below_one_half_is_read_as_scipy_reads_it(alpha):
    t = np.arange(2010.0, 2022.0)
    y = np.array([3.0, 4.1, 3.9, 5.2, 6.0, 5.5, 7.1, 7.0, 8.3, 8.1, 9.9, 9.4])
    expected, _ = _scipy(t, y, alpha)
    assert trends.theil_sen(t, y, alpha) == pytest.approx(expected, abs=1e-12)


def test_years_and_values_of_different_lengths_are_refused_as_scipy_refuses_them():
    with pytest.raises(ValueError, match="incompatible for broadcasting") as scipy_error:
        stats.kendalltau([1.0, 2.0, 3.0], [1.0, 2.0])
    for f in (trends.mann_kendall, trends.theil_sen):
        with pytest.raises(ValueError) as ours:
            f([1.0, 2.0, 3.0], [1.0, 2.0])
        assert str(ours.value) == str(scipy_error.value)   # scipy's own error: the lengths go to scipy

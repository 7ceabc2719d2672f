"""Where the package keeps hand-written code instead of a library function (issue 13), it gives the
library's answer: the Wilson interval (statsmodels), the MAD (scipy.stats), the Excel column letters
(openpyxl).  The reasons are at each function and in docs/methods.md."""
from __future__ import annotations

import numpy as np
import pytest
from openpyxl.utils import get_column_letter
from scipy.stats import median_abs_deviation
from statsmodels.stats.proportion import proportion_confint

from btchild_analysis import anthro_io, readers
from btchild_analysis.cells import column_letter
from btchild_analysis.indicators import wilson_interval
from btchild_analysis.quality import modified_z


def test_wilson_interval_is_statsmodels_wilson():
    rng = np.random.default_rng(13)
    n = rng.integers(1, 20_000, 500)
    x = rng.integers(0, n + 1)
    x[:5], n[:5] = [0, 1, 7, 7, 0], [1, 1, 7, 8, 50]  # the edges
    lo, hi = wilson_interval(x, n)
    rlo, rhi = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert np.allclose(lo, rlo, atol=1e-12, rtol=0) and np.allclose(hi, rhi, atol=1e-12, rtol=0)


@pytest.mark.parametrize("x", [
    [1.0, 2, 3, 4, 100],
    [5.0, 5, 5, 5],                       # MAD 0
    [1.0, np.nan, 3, 10, np.nan, 2.5],    # missing values left out
    list(np.random.default_rng(3).normal(20, 4, 301)),
])
def test_mad_is_scipy_median_abs_deviation(x):
    _, med, mad = modified_z(np.array(x))
    assert med == pytest.approx(float(np.nanmedian(x)))
    assert mad == pytest.approx(float(median_abs_deviation(x, scale=1.0, nan_policy="omit")), abs=1e-12)


def test_modified_z_uses_that_mad():
    x = np.array([1.0, 2, 3, 4, 100])
    z, _, _ = modified_z(x)
    mad = median_abs_deviation(x, scale=1.0)
    assert np.allclose(z, 0.6745 * (x - np.median(x)) / mad)


def test_column_letters_are_openpyxl_letters():
    for j in list(range(0, 800)) + [16_383]:  # A … ADT, and XFD (Excel's last column)
        assert column_letter(j) == get_column_letter(j + 1)
    # one function serves both readers (submissions and children's measurements)
    assert readers.column_letter is column_letter and anthro_io.column_letter is column_letter

"""Anthropometry made faster (issue 16) with the same results: z_summary's moments are scipy.stats'
to the last bit, the normal density is scipy's, and prevalence's table holds the counts a plain loop
over the children gives."""
from __future__ import annotations

import numpy as np
import pytest

from btchild_analysis import anthro_quality as aq
from btchild_analysis import anthropometry as an


@pytest.fixture(scope="module")
def scored(dataset):
    loaded = an.read_measurements(dataset.parts["measurements"])
    return an.score(loaded.records[loaded.records["period"] == "2024"])


def test_z_summary_is_scipys_on_the_sample(scored):
    """z_summary's own moments give scipy.stats' skewness and kurtosis to the last bit."""
    from scipy import stats

    for by in (None, "commune_code", "sex"):
        got = aq.z_summary(scored, by=by)
        rows = [("all", scored)] if by is None else list(scored.groupby(by, sort=True))
        expected_skew, expected_kurt = [], []
        for _, g in rows:
            for z in aq.Z_NAMES:
                v = g[z].to_numpy(float)
                ok = v[~np.isnan(v) & ~g[f"{z}_flag"].to_numpy(bool)]
                expected_skew.append(float(stats.skew(ok)) if len(ok) > 2 else np.nan)
                expected_kurt.append(float(stats.kurtosis(ok, fisher=False)) if len(ok) > 3 else np.nan)
        np.testing.assert_array_equal(got["skewness"].to_numpy(float), expected_skew)
        np.testing.assert_array_equal(got["kurtosis"].to_numpy(float), expected_kurt)


def test_moments_by_hand():
    v = np.array([1.0, 2.0, 3.0, 10.0])  # mean 4; deviations −3, −2, −1, 6
    m2, m3, m4 = (9 + 4 + 1 + 36) / 4, (-27 - 8 - 1 + 216) / 4, (81 + 16 + 1 + 1296) / 4
    assert aq._skewness(v) == pytest.approx(m3 / m2 ** 1.5)
    assert aq._kurtosis(v) == pytest.approx(m4 / m2 ** 2)
    assert np.isnan(aq._skewness(np.full(5, 0.3))) and np.isnan(aq._kurtosis(np.full(5, 0.3)))


def test_normal_density_is_scipys():
    from scipy import stats

    x = np.linspace(-5, 5, 201)
    np.testing.assert_array_equal(aq.normal_pdf(x), stats.norm.pdf(x))
    assert aq.normal_pdf(0.0) == pytest.approx(1 / np.sqrt(2 * np.pi))


def test_prevalence_on_the_sample_counts_as_by_hand(scored):
    """prevalence's table built from whole columns: every row is the count a plain loop over the
    children gives (stunting, HAZ < −2, valid and unflagged), in indicator-then-unit order, with its
    Wilson interval and small-base mark."""
    from btchild_analysis.indicators import base_mark, wilson_interval

    prev = an.prevalence(scored)
    inds = list(an.rules()["indicators"])
    for (level, sex, age), block in prev.groupby(["level", "sex", "age_group"], sort=False):
        assert block["indicator"].tolist() == [i for i in inds for _ in range(len(block) // len(inds))]
    p = prev[(prev["level"] == "commune") & (prev["sex"] == "all") & (prev["age_group"] == "all")
             & (prev["indicator"] == "stunting")]
    assert len(p) == scored["commune_code"].nunique()
    for code, num, den, value, lo, hi, mark in p[["unit_code", "numerator", "denominator", "value", "ci_low",
                                                  "ci_high", "base_mark"]].itertuples(index=False):
        kids = scored[scored["commune_code"] == code]
        valid = [not np.isnan(z) and not f for z, f in zip(kids["haz"], kids["haz_flag"])]
        cases = sum(1 for ok, z in zip(valid, kids["haz"]) if ok and z < -2)
        assert (num, den) == (cases, sum(valid))
        assert value == pytest.approx(100 * cases / sum(valid))
        w_lo, w_hi = wilson_interval(cases, sum(valid))
        assert (lo, hi) == (pytest.approx(100 * float(w_lo)), pytest.approx(100 * float(w_hi)))
        assert mark == base_mark([sum(valid)])[0]

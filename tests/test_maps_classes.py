"""Map classes without mapclassify at run time: ``maps.quantile_bins`` and ``maps.classify`` give what
``mapclassify.Quantiles`` and ``mapclassify.UserDefined`` give (the reference, still installed), to the
last bit, on the sample's indicators and on random data with ties; and drawing a map imports neither
mapclassify nor what it pulls in (scikit-learn, scipy.stats)."""
from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from btchild_analysis import indicators, maps


def test_quantiles_by_hand():
    # 0..9, k = 4: percentiles 25, 50, 75, 100 of 10 values at positions 2.25, 4.5, 6.75, 9
    assert maps.quantile_bins(np.arange(10.0), 4).tolist() == [2.25, 4.5, 6.75, 9.0]
    # ties collapse classes: 1, 1, 1, 2 → positions 0.75 (1), 1.5 (1), 2.25 (1.25), 3 (2)
    assert maps.quantile_bins(np.array([2.0, 1.0, 1.0, 1.0]), 4).tolist() == [1.0, 1.25, 2.0]


def test_classes_by_hand():
    # upper bounds 2 and 5: (−∞, 2] → 0, (2, 5] → 1, above 5 → a last class up to the largest value
    got = maps.classify(pd.Series([2.0, 2.0001, 5.0, 7.0, None, -3.0]), [2.0, 5.0])
    assert got.tolist() == [0, 1, 1, 2, -1, 0]


def _mapclassify():
    mc = pytest.importorskip("mapclassify")
    warnings.simplefilter("ignore")  # mapclassify warns when ties leave fewer classes
    return mc


def test_the_same_classes_as_mapclassify_on_the_sample(dataset):
    mc = _mapclassify()
    values = indicators.compute(dataset.all_elements(), "commune")
    checked = 0
    for ind, part in values.groupby("indicator"):
        v = part["value"].dropna().to_numpy(float)
        if v.size < 2 or np.unique(v).size < 2:
            continue
        k = min(5, np.unique(v).size)
        expected = mc.Quantiles(v, k=k).bins
        got = maps.quantile_bins(v, k)
        assert got.tolist() == expected.tolist(), ind
        bins = maps.fixed_breaks(part["value"], ind)
        assert maps.classify(part["value"], bins)[part["value"].notna().to_numpy()].tolist() == \
            mc.UserDefined(v, bins=list(bins)).yb.tolist(), ind
        checked += 1
    assert checked >= 10


def test_the_same_classes_as_mapclassify_on_random_data_with_ties():
    mc = _mapclassify()
    rng = np.random.default_rng(16)
    for _ in range(500):
        n = int(rng.integers(2, 200))
        v = np.round(rng.normal(rng.uniform(-50, 50), rng.uniform(0.1, 30), n), int(rng.integers(0, 3)))
        if rng.random() < 0.3:  # many ties
            v = rng.choice(v[:max(2, n // 10)], n)
        k = int(rng.integers(1, 8))
        expected = mc.Quantiles(v, k=k).bins
        got = maps.quantile_bins(v, k)
        assert got.tolist() == expected.tolist()
        bins = list(got)[:-1] if len(got) > 1 and rng.random() < 0.5 else list(got)  # values above the last bound too
        assert maps.classify(v, bins).tolist() == mc.UserDefined(v, bins=bins).yb.tolist()


def test_an_indicator_map_imports_no_heavy_library():
    code = ("import sys, matplotlib; matplotlib.use('Agg'); "
            "from btchild_analysis import boundaries, indicators, maps; "
            "from btchild_analysis.dataset import load_dataset; "
            "v = indicators.compute(load_dataset().all_elements(), 'commune', which=['stunting_u5']); "
            "maps.indicator_map(v, 'stunting_u5', '2020', boundaries.schematic(2020)); "
            "print(','.join(m for m in ('mapclassify', 'sklearn', 'scipy.stats') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out.splitlines()[-1:] in ([], [""])

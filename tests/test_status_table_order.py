"""targets.status_table read as arrays (issue 16): rows in any order give each series sorted by year,
units in key order, the coverage of the row the status rests on, and no series for a key with a
missing part.  Expected values worked by hand (play_area_standard: ≥ 50 in 2015, ≥ 55 in 2020;
a straight line of 5 points a year projects 55 to 2015)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from btchild_analysis.targets import status_table


def _rows(code: str, name, years: list[int], values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"level": "district", "unit_code": code, "unit_name": name, "indicator": "play_area_standard",
                         "period": [str(y) for y in years], "value": values,
                         # coverage that names its own row: 2014 → 14 communes reporting
                         "communes_reporting": [y - 2000 for y in years], "communes_expected": 20,
                         "coverage": [(y - 2000) / 20 for y in years], "low_coverage": [y == 2014 for y in years]})


def test_rows_in_any_order_give_the_same_series_and_the_coverage_of_the_value_used():
    v = pd.concat([
        _rows("832", "B", [2014, 2012, 2013], [50.0, 40.0, 45.0]),   # later unit first, years shuffled
        _rows("833", np.nan, [2012, 2013, 2014], [1.0, 2.0, 3.0]),    # no name: no series (as groupby)
        _rows("831", "A", [2015, 2013], [52.0, 48.0]),
    ], ignore_index=True)
    s = status_table(v)
    assert s["unit_code"].tolist() == ["831", "831", "832", "832"]
    assert s["target_year"].tolist() == [2015, 2020, 2015, 2020]
    # A: 52 observed in 2015 (≥ 50); 2020 from 2013 and 2015: slope 2 a year → 62 in 2020 (≥ 55)
    assert s["status"].tolist() == ["achieved", "on_track", "on_track", "on_track"]
    assert s["method"].iloc[0] == "observed" and s["value_at_target_year"].iloc[0] == 52.0
    assert s["projection"].iloc[1] == 62.0
    # B: 40, 45, 50 in 2012–2014 → 55 in 2015, 80 in 2020; baseline the first year, latest the last
    assert s["projection"].iloc[2:].tolist() == [55.0, 80.0]
    assert s["baseline_year"].iloc[2] == 2012 and s["latest_value"].iloc[2] == 50.0
    # coverage of the year the status rests on: A's 2015 row (15), B's latest row (2014: 14, low)
    assert s["communes_reporting"].tolist() == [15, 15, 14, 14]
    assert s["low_coverage"].tolist() == [False, False, True, True]


def test_without_coverage_columns_coverage_is_missing():
    v = _rows("831", "A", [2013, 2014], [48.0, 49.0]).drop(columns=["communes_reporting", "communes_expected",
                                                                   "coverage", "low_coverage"])
    s = status_table(v)
    assert len(s) == 2 and s["communes_reporting"].isna().all() and s["coverage"].isna().all()

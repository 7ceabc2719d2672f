"""Invariants of the fast load (issue 16): a long CSV's columns are read as categoricals and validated
on their codes — text stays text, every row keeps its own quarantine line, and the result is the one
the same rows give as plain Python objects.  No timing here (benchmarks/bench_load.py measures)."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from btchild_analysis import io
from btchild_analysis.cells import as_categorical, column_codes
from btchild_analysis.readers import read_file
from conftest import write_csv

TODAY = dt.date(2026, 11, 29)
HEADER = ("commune_code", "period", "element", "value")


def test_the_long_columns_are_categoricals_of_the_text_as_written(tmp_path):
    path = write_csv(tmp_path / "s.csv", [("00875", "2019", "u5_measured", "1.234"), ("28756", "2019", "u5_stunted", ""),
                                          ("00875", "2019", "u5_stunted", "012")])
    rows = read_file(path).rows
    for c in HEADER:
        assert isinstance(rows[c].dtype, pd.CategoricalDtype), c
    # read_csv(dtype="category") would make these the numbers 875, 1.234 and 12
    assert list(rows["commune_code"].astype(object)) == ["00875", "28756", "00875"]
    assert list(rows["value"].cat.categories) == ["1.234", "012"]
    assert rows["value"].cat.codes.tolist() == [0, -1, 1]  # the empty cell is missing, not a category


def test_column_codes_keeps_types_and_marks_missing():
    codes, uniques = column_codes(pd.Series(["28756", 28756, None, "28756", np.nan], dtype=object))
    assert codes.tolist() == [0, 1, -1, 0, -1]
    assert uniques.tolist() == ["28756", 28756]  # a number and its text are two values
    cat = as_categorical(pd.Series(["b", None, "a", "b"], dtype=object))
    codes, uniques = column_codes(pd.Series(cat))
    assert codes.tolist() == [0, -1, 1, 0] and uniques.tolist() == ["b", "a"]


def test_each_faulty_row_is_quarantined_with_its_own_text_and_column(tmp_path):
    rows = [("1e3", "2019", "u5_measured", "5"),        # not a code (not the number 1000)
            ("", "2019", "u5_measured", "5"),           # no code
            ("28756", "", "u5_measured", "5"),          # no period
            ("28756", "2019", "", "5"),                 # no element
            ("28756", "2019", "u5_stunted", "12,5%"),   # a percentage for a count
            ("28756", "2019", "u5_measured", "1.234")]  # fine: 1234
    res = io.load_submissions(write_csv(tmp_path / "s.csv", rows), today=TODAY, flag_outliers=False)
    q = res.quarantine.set_index("row")
    assert q.loc[2, ["column", "commune_code", "reason"]].tolist() == ["commune_code", "1e3", "bad_code"]
    assert q.loc[3, ["column", "reason"]].tolist() == ["commune_code", "empty_cell"]
    assert q.loc[4, ["column", "reason"]].tolist() == ["period", "empty_cell"]
    assert q.loc[5, ["column", "reason"]].tolist() == ["element", "empty_cell"]
    assert q.loc[6, ["column", "value", "reason"]].tolist() == ["value", "12,5%", "percent_for_count"]
    assert res.accepted[["commune_code", "value"]].values.tolist() == [["28756", 1234.0]]
    assert str(res.accepted["commune_code"].dtype) == "str"


@pytest.mark.parametrize("order", ["as written", "reversed"])
def test_duplicates_are_found_whether_or_not_the_file_is_in_key_order(tmp_path, order):
    rows = [("28756", "2019", "u5_measured", "40"), ("28756", "2019", "u5_measured", "40"),  # same: folded
            ("28756", "2019", "u5_stunted", "5"), ("28756", "2019", "u5_stunted", "6"),     # conflict: both out
            ("28759", "2019", "u5_measured", "30")]
    if order == "reversed":
        rows = rows[::-1]
    res = io.load_submissions(write_csv(tmp_path / "s.csv", rows), today=TODAY, flag_outliers=False)
    assert res.summary["duplicates_folded"] == 1
    assert sorted(res.quarantine["reason"]) == ["conflicting_duplicate"] * 2
    assert sorted(res.accepted["value"]) == [30.0, 40.0]


def test_a_file_in_key_order_without_duplicates_keeps_every_row(tmp_path):
    rows = [(c, p, e, "3") for c in ("28756", "28759") for p in ("2018", "2019") for e in ("u5_measured", "u5_stunted")]
    res = io.load_submissions(write_csv(tmp_path / "s.csv", rows), today=TODAY, flag_outliers=False)
    assert res.summary["accepted"] == 8 and res.summary["duplicates_folded"] == 0 and len(res.quarantine) == 0


def test_categorical_and_object_input_give_the_same_result(tmp_path):
    rows = [("28756", "2019", "u5_measured", "40"), ("28756", "2019", "u5_stunted", "50"),  # above its denominator
            ("28759", "2019", "u5_measured", "x"), ("abc", "2019", "u5_measured", "4"),
            ("28759", "2030", "u5_measured", "4"), ("28759", "2019", "no_such", "4"),
            ("28762", "2019", "u5_measured", "7.000000000001"), ("28762", "2019", "u5_stunted", "-1")]
    raw = read_file(write_csv(tmp_path / "s.csv", rows)).rows
    fast = io.validate(raw, TODAY)
    plain = io.validate(raw.astype({c: object for c in HEADER}), TODAY)
    pd.testing.assert_frame_equal(fast.accepted, plain.accepted)
    pd.testing.assert_frame_equal(fast.quarantine, plain.quarantine)
    assert sorted(fast.quarantine["reason"]) == sorted(["numerator_above_denominator", "not_applicable", "bad_code",
                                                        "future_period", "unknown_element", "negative"])
    assert fast.accepted.set_index("commune_code").loc["28762", "value"] == 7.0

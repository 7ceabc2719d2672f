"""The lean paths of the long-CSV load (issue 16): each shortcut taken for clean national-scale files gives
what the general path gives.  Expected values are worked out by hand from the rows written; no timing
here (benchmarks/bench_load.py measures)."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from btchild_analysis import cells, io, validation
from btchild_analysis.cells import _first_seen
from btchild_analysis.errors import SubmissionError
from btchild_analysis.limits import Limits
from btchild_analysis.validation import _Checker, _denominators, _value_facts, normalise_code
from conftest import write_csv

TODAY = dt.date(2026, 11, 29)


def test_first_seen_is_the_order_of_first_appearance_wherever_the_values_first_come():
    codes = np.array([3, 3, -1, 0, 3, 2, 0, 1, 2], dtype=np.int8)
    # by hand: 3 at row 0, 0 at row 3, 2 at row 5, 1 at row 7 (-1 is no value)
    for head in (0, 1, 2, 4, 6, 100):
        got = _first_seen(codes, 4, head)
        assert got.tolist() == [3, 0, 2, 1], head
        assert got.dtype == np.int8
    assert _first_seen(np.array([1, 1, -1], dtype=np.int8), 3, 1).tolist() == [1]  # 0 and 2 unused


def test_first_seen_with_many_values_first_seen_late_matches_pandas_unique():
    rng = np.random.default_rng(16)
    for _ in range(200):
        k = int(rng.integers(1, 40))
        codes = rng.integers(-1, k, int(rng.integers(0, 200))).astype(np.int16)
        want = pd.unique(codes)
        want = want[want >= 0]
        for head in (0, 3, 30):
            assert _first_seen(codes, k, head).tolist() == want.tolist()


def test_elements_without_a_denominator_are_not_numerators():
    # u5_measured has no denominator; u5_stunted's is u5_measured (position 0); the blank element
    # (None, always last) must never be taken as anybody's denominator
    assert _denominators(["u5_measured", "u5_stunted", None]).tolist() == [-1, 0, -1]
    assert _denominators(["u5_stunted", None]).tolist() == [-1, -1]  # its denominator is not in the data


@pytest.mark.parametrize("dense", [True, False])
def test_numerator_above_denominator_by_table_and_by_hash(tmp_path, monkeypatch, dense):
    if not dense:
        monkeypatch.setattr(validation, "DENSE_KEYS", 0)
    rows = [("28756", "2019", "u5_measured", "40"), ("28756", "2019", "u5_stunted", "50"),   # 50 > 40
            ("28759", "2019", "u5_stunted", "9"), ("28759", "2019", "u5_measured", "10"),   # fine, written backwards
            ("28762", "2019", "u5_stunted", "3"),                                          # no denominator: kept
            ("28765", "2019", "u5_measured", "x"), ("28765", "2019", "u5_stunted", "2"),    # denominator not reported
            ("28756", "2018", "u5_measured", "5"), ("28756", "2018", "u5_stunted", "5"),    # equal: fine
            ("28756", "2018", "u5_weighed", "4"), ("28756", "2018", "u5_underweight", "6")]  # 6 > 4
    res = io.load_submissions(write_csv(tmp_path / "s.csv", rows), today=TODAY, flag_outliers=False)
    q = res.quarantine.set_index("row")
    over = q[q["reason"] == "numerator_above_denominator"]
    assert sorted(over.index) == [3, 12]
    assert "u5_measured = 40" in over.loc[3, "reason_en"] and "u5_weighed = 4" in over.loc[12, "reason_en"]
    assert q.loc[7, "reason"] == "not_applicable"
    assert res.summary["accepted"] == 8 and res.summary["quarantined"] == 3
    res.check()


def test_digit_strings_read_as_the_general_parser_reads_them():
    for text, number in (("0", 0.0), ("0012", 12.0), ("28756", 28756.0), ("123456789012345", 123456789012345.0)):
        assert _value_facts(text) == (number, None, None, False)
    # what the shortcut must not take: signs, separators, words, too many digits
    assert _value_facts("-3")[0] == -3.0
    assert _value_facts("1.234")[0] == 1234.0
    assert _value_facts("x")[3] is True  # not reported
    assert _value_facts("có")[2] == 1.0
    assert _value_facts("1" * 400)[1] == "not_a_number"  # inf is not a number
    assert normalise_code("28756") == "28756" and normalise_code("875") == "00875"
    assert normalise_code("12a45") == "!12a45" and normalise_code("123456") == "!123456"
    assert normalise_code("28756.0") == "28756"


def test_checker_ok_follows_the_marks_and_cannot_be_written():
    chk = _Checker(5)
    assert chk.ok.tolist() == [True] * 5
    chk.mark(np.array([False, True, False, True, False]), "negative", "value")
    chk.mark(np.array([True, True, False, False, False]), "bad_code", "commune_code")  # row 1 keeps its first reason
    assert chk.ok.tolist() == [False, False, True, False, True]
    assert [chk.names[r] for r in chk.reason] == ["bad_code", "negative", "", "negative", ""]
    assert (chk.ok == (chk.reason == 0)).all()
    with pytest.raises(ValueError):
        chk.ok[2] = False


def test_values_of_count_and_yes_no_elements_in_one_file(tmp_path):
    # "x" is 'not reported' for a count and 'yes' for a yes/no element; "2" is not a yes/no answer
    rows = [("28756", "2019", "u5_measured", "x"), ("28756", "2019", "health_station_midwife", "x"),
            ("28759", "2019", "u5_measured", "2"), ("28759", "2019", "health_station_midwife", "2"),
            ("28762", "2019", "u5_measured", "7"), ("28762", "2019", "health_station_midwife", "không")]
    res = io.load_submissions(write_csv(tmp_path / "s.csv", rows), today=TODAY, flag_outliers=False)
    got = {(c, e): v for c, e, v in res.accepted[["commune_code", "element", "value"]].itertuples(index=False)}
    assert got == {("28756", "health_station_midwife"): 1.0, ("28759", "u5_measured"): 2.0,
                   ("28762", "u5_measured"): 7.0, ("28762", "health_station_midwife"): 0.0}
    assert sorted(res.quarantine["reason"]) == ["not_applicable", "not_yes_no"]


def test_clean_counts_only_take_the_shortcut_and_keep_every_value(tmp_path):
    rows = [(c, p, e, v) for c, p in (("28756", "2018"), ("28759", "2019"))
            for e, v in (("u5_measured", "0040"), ("u5_stunted", "7"), ("pop_0_2", "120"), ("enrolled_0_2", "95"))]
    res = io.load_submissions(write_csv(tmp_path / "s.csv", rows), today=TODAY, flag_outliers=False)
    assert res.accepted["value"].tolist() == [40.0, 7.0, 120.0, 95.0] * 2
    assert res.summary["accepted"] == 8 and len(res.quarantine) == 0


@pytest.mark.parametrize("block", [validation.BLOCK_VALUES, 26, 60])
@pytest.mark.parametrize("order", ["key order", "shuffled"])
def test_numerators_above_denominators_in_a_clean_file_in_key_order(tmp_path, monkeypatch, block, order):
    monkeypatch.setattr(validation, "BLOCK_VALUES", block)  # 26: one unit per block; 60: two
    codes = [f"{28756 + 3 * i}" for i in range(7)]
    rows = []
    for k, c in enumerate(codes):
        for p in ("2018", "2019"):
            stunted = 50 if (k, p) in {(1, "2018"), (4, "2019"), (6, "2019")} else 5  # above 40 three times
            underweight = 41 if (k, p) == (6, "2018") else 3                          # above 40 once
            rows += [(c, p, "u5_measured", "40"), (c, p, "u5_stunted", str(stunted)),
                     (c, p, "u5_weighed", "40"), (c, p, "u5_underweight", str(underweight))]
    if order == "shuffled":
        rows = [rows[i] for i in np.random.default_rng(3).permutation(len(rows))]
    res = io.load_submissions(write_csv(tmp_path / "s.csv", rows), today=TODAY, flag_outliers=False)
    q = res.quarantine
    assert sorted(zip(q["commune_code"], q["period"], q["element"], q["value"])) == [
        ("28759", "2018", "u5_stunted", "50"), ("28768", "2019", "u5_stunted", "50"),
        ("28774", "2018", "u5_underweight", "41"), ("28774", "2019", "u5_stunted", "50")]
    assert set(q["reason"]) == {"numerator_above_denominator"}
    assert all("= 40" in t for t in q["reason_en"])
    assert res.summary["accepted"] == len(rows) - 4


def test_validate_names_the_files_in_the_order_their_records_come(tmp_path):
    from btchild_analysis.readers import combine, read_file

    a = write_csv(tmp_path / "a.csv", [("28756", "2019", "u5_measured", "4")])
    b = write_csv(tmp_path / "b.csv", [("28759", "2019", "u5_measured", "5")] * 3)
    one = read_file(b).rows
    assert isinstance(one["file"].dtype, pd.CategoricalDtype)  # the long CSV's path: from the codes
    assert io.validate(one, TODAY).files == [str(b)]
    assert io.validate(combine([read_file(b), read_file(a)]).rows, TODAY).files == [str(b), str(a)]


@pytest.mark.parametrize("seed", range(6))
def test_the_quick_line_count_agrees_with_the_exact_one_across_chunks(tmp_path, monkeypatch, seed):
    rng = np.random.default_rng(seed)
    pieces = []
    for _ in range(400):  # lines of 1 to 60 bytes, CRLF or LF, a few empty ones in some files
        body = "x" * int(rng.integers(1, 60))
        pieces.append("" if seed % 3 == 0 and rng.random() < 0.03 else body + ("\r\n" if rng.random() < 0.3 else "\n"))
    text = "commune_code,period,element,value\n" + "".join(pieces) + ("tail" if seed % 2 else "")
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode())
    monkeypatch.setattr(cells, "_CHUNK", int(rng.integers(7, 300)))  # many chunk boundaries
    lim = Limits(max_line_bytes=5000)
    quick, exact = cells._scan_text(path, lim, quick=True), cells._scan_text(path, lim)
    # by hand: every "\n" ends a line, and so does the text after the last one
    assert quick.lines == exact.lines == text.count("\n") + (not text.endswith("\n"))
    assert exact.counted and not quick.counted and quick.blank == 0


def test_a_long_line_is_refused_by_the_quick_count_too(tmp_path, monkeypatch):
    path = tmp_path / "f.csv"
    path.write_bytes(b"commune_code,period,element,value\n" + b"a,b,c,1\n" * 3000 + b"x" * 6000 + b"\n"
                     + b"a,b,c,1\n" * 10)
    monkeypatch.setattr(cells, "_CHUNK", 1 << 14)
    for quick in (True, False):
        with pytest.raises(SubmissionError, match="6,000 bytes"):
            cells._scan_text(path, Limits(max_line_bytes=5000), quick=quick)
        assert cells._scan_text(path, Limits(max_line_bytes=6000), quick=quick).lines == 3012


@pytest.mark.parametrize("text, rows, skipped", [
    ("h\n28756,2019,u5_measured,4\n\n28759,2019,u5_measured,5\n", [2, 4], {"blank_line": 1}),
    ("h\n28756,2019,u5_measured,4\r\n\r\n28759,2019,u5_measured,5\r\n", [2, 4], {"blank_line": 1}),
    ("h\n28756,2019,u5_measured,4\n28759,2019,u5_measured,5", [2, 3], {}),
])
def test_empty_lines_are_found_after_a_quick_count(tmp_path, text, rows, skipped):
    from btchild_analysis.readers import read_file

    path = tmp_path / "s.csv"
    path.write_bytes(text.replace("h\n", "commune_code,period,element,value\n", 1).encode())
    read = read_file(path)
    assert read.rows["row"].tolist() == rows and dict(read.skipped) == skipped
    assert read.rows_read == len(rows) + sum(skipped.values())


def test_a_quote_that_joins_lines_sends_the_file_to_the_careful_reader(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text('commune_code,period,element,value\n28756,2019,u5_measured,"4\n28759,2019,u5_measured,5\n'
                    '28762,2019,u5_measured,6\n', encoding="utf-8")
    res = io.load_submissions(path, today=TODAY, flag_outliers=False)
    res.check()
    assert res.summary["rows_read"] == 3  # one per line, the line with the stray quote quarantined
    assert res.accepted["commune_code"].tolist() == ["28759", "28762"]
    assert res.quarantine["row"].tolist() == [2]


def test_a_line_break_inside_a_value_is_read_line_by_line_even_when_the_counts_agree(tmp_path):
    # a lone "\r" makes pandas see one more row, a stray quote pair one less: the counts agree, the rows do not
    path = tmp_path / "s.csv"
    path.write_bytes(b'commune_code,period,element,value\n28756,2019,u5_measured,4\r28759,2019,u5_measured,5\n'
                     b'28762,2019,u5_measured,"6\n28765,2019,u5_measured,7"\n28768,2019,u5_measured,8\n')
    res = io.load_submissions(path, today=TODAY, flag_outliers=False)
    res.check()
    # by hand: line 2 has seven fields, lines 3 and 4 an odd number of quotes: each its own bad line
    assert res.accepted[["commune_code", "value"]].values.tolist() == [["28768", 8.0]]
    assert res.quarantine[["row", "reason"]].values.tolist() == [[2, "bad_line"], [3, "bad_line"], [4, "bad_line"]]

"""Outputs are written as values, escaped and atomically (issue 11)."""
import csv

import pandas as pd
import pytest
from openpyxl import load_workbook

from btchild_analysis import outputs

HOSTILE = ['=HYPERLINK("http://x","click")', "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1", "=1+1"]


def test_excel_cells_are_values_never_formulas(tmp_path):
    df = pd.DataFrame({"text": HOSTILE, "n": range(len(HOSTILE))})
    path = outputs.write_excel(tmp_path / "a.xlsx", {"q": df}, cover=["=cover()"], notes={"q": "=note()"})
    wb = load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = [c.value for c in wb["q"]["A"]][3:]
    assert values == HOSTILE  # the text is kept as it was, only its type is fixed


def test_csv_text_that_would_run_is_prefixed_numbers_are_not(tmp_path):
    df = pd.DataFrame({"v": HOSTILE + ["-5", "12,5", "abc"]})
    path = outputs.write_csv(tmp_path / "a.csv", df, comment="Synthetic")
    with open(path, encoding="utf-8-sig") as fh:
        lines = fh.read().splitlines()
    assert lines[0] == "# Synthetic"
    rows = [r[0] for r in csv.reader(lines[2:])]
    assert all(r.startswith("'") for r in rows[: len(HOSTILE)])
    assert rows[len(HOSTILE):] == ["-5", "12,5", "abc"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "page.html"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with outputs.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", '"><img src=x onerror=alert(9)>',
                                  "<body onload=alert(1)>"])
def test_escaped_text_has_no_live_markup(text):
    for out in (outputs.escape_html(text), outputs.escape_md(text)):
        assert "<" not in out and ">" not in out

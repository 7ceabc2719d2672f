"""Numbers, dates and tables written the Vietnamese way on VI pages and the English way on EN pages."""
import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from btchild_analysis import fmt
from btchild_analysis.errors import LanguageError


@pytest.mark.parametrize("x, vi, en", [
    (79.6, "79,6", "79.6"),
    (255206, "255.206", "255,206"),
    (255206.0, "255.206", "255,206"),       # a whole float is a count: no ",0"
    (1234567.891, "1.234.567,9", "1,234,567.9"),
    (850.0, "850", "850"),                   # whole scores without ".0"
    (999.96, "1.000", "1,000"),              # rounds up into a new group, whole: no decimals
    (2.25, "2,3", "2.3"),                    # half-up as written, not half-to-even
    (0.05, "0,1", "0.1"),
    (-0.04, "0", "0"),                       # no "-0"
    (-1234.5, "-1.234,5", "-1,234.5"),
    (np.int64(12), "12", "12"),
    (np.float32(0.5), "0,5", "0.5"),
])
def test_number_by_language(x, vi, en):
    assert fmt.number(x, "vi") == vi
    assert fmt.number(x, "en") == en


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT, ""])
def test_missing_is_a_dash(missing):
    assert fmt.number(missing, "vi") == "—"
    assert fmt.percent(missing, "en") == "—"
    assert fmt.date(missing, "vi") == "—"


def test_fixed_decimals_and_sign():
    assert fmt.number(80, "vi", fixed=True) == "80,0"
    assert fmt.number(80.0, "en", 2, fixed=True) == "80.00"
    assert fmt.number(3.14159, "vi", 3) == "3,142"
    assert fmt.number(3.2, "vi", sign=True) == "+3,2"
    assert fmt.number(-3.2, "en", sign=True) == "-3.2"
    assert fmt.number(0.0, "en", sign=True) == "0"


def test_percent_and_points():
    assert fmt.percent(79.64, "vi") == "79,6%"
    assert fmt.percent(79.64, "en") == "79.6%"
    assert fmt.percent(100.0, "vi") == "100,0%"
    assert fmt.percent(100.0, "vi", fixed=False) == "100%"
    assert fmt.points(3.24, "vi") == "+3,2 điểm %"
    assert fmt.points(-0.55, "en") == "-0.6 pp"


def test_dates():
    assert fmt.date(dt.date(2024, 5, 1), "vi") == "01/05/2024"
    assert fmt.date(dt.date(2024, 5, 1), "en") == "2024-05-01"
    assert fmt.date(pd.Timestamp("2023-11-01 13:45"), "vi") == "01/11/2023"
    assert fmt.date(dt.datetime(2023, 11, 1, 8), "en") == "2023-11-01"
    assert fmt.date("2024-10-31", "vi") == "31/10/2024"
    assert fmt.date("not a date", "vi") == "not a date"


@pytest.mark.parametrize("sign, shown", [(">=", "≥"), ("<=", "≤"), (">", ">"), ("<", "<"), ("==", "=")])
def test_comparison_signs(sign, shown):
    assert fmt.op(sign, "vi") == shown
    assert fmt.op(sign, "en") == shown


def test_target_value_year_interval():
    assert fmt.target(">=", 100.0, "vi") == "≥ 100"
    assert fmt.target("<", 12.5, "vi") == "< 12,5"
    assert fmt.target("<=", 4.0, "en", "%") == "≤ 4%"
    assert fmt.value_year(19.82, 2020, "vi") == "19,8 (2020)"
    assert fmt.value_year(100.0, 2024, "vi") == "100,0 (2024)"
    assert fmt.interval(20.53, 26.25, "vi") == "20,5–26,3"
    assert fmt.interval(np.nan, 3, "vi") == ""


def test_join_names():
    assert fmt.join_names(["Xã A"], "vi") == "Xã A"
    assert fmt.join_names([], "en") == ""
    assert fmt.join_names(["A", "B"], "en") == "A and B"
    assert fmt.join_names(list("ABCDE"), "vi", limit=3) == "A, B, C và 2 xã khác"


def test_unknown_language_refused():
    with pytest.raises(LanguageError):
        fmt.number(1.5, "fr")
    with pytest.raises(LanguageError):
        fmt.date(dt.date(2024, 1, 1), "VI")


def cell_alignment(html: str) -> dict:
    """``{"row0_col1": "right", …}`` from the CSS a Styler writes (the last text-align of a cell wins)."""
    out = {}
    for selectors, props in re.findall(r"([^{}]+)\{([^}]*)\}", html.split("</style>")[0]):
        found = re.findall(r"text-align: (\w+)", props)
        for cell in re.findall(r"_(row\d+_col\d+)", selectors):
            if found:
                out[cell] = found[-1]
    return out


def _table():
    return pd.DataFrame({
        "Đơn vị": ["Huyện Ba Tri", "<b>Tỉnh</b>"],
        "Năm": [2015, 2020],
        "Tử số": [255206.0, 12.0],
        "Tỷ lệ": [80.0, 79.64],
        "Trống": [np.nan, 1.25],
        "Cờ": [True, False],
    })


def test_format_table_columns_vi():
    out, num = fmt.format_table(_table(), "vi")
    assert num == ["Năm", "Tử số", "Tỷ lệ", "Trống"]
    assert out["Năm"].tolist() == ["2015", "2020"]              # years never "2.015"
    assert out["Tử số"].tolist() == ["255.206", "12"]            # whole column: integers
    assert out["Tỷ lệ"].tolist() == ["80,0", "79,6"]             # one column, one number of decimals
    assert out["Trống"].tolist() == ["—", "1,3"]
    assert out["Đơn vị"].tolist() == ["Huyện Ba Tri", "<b>Tỉnh</b>"]  # text untouched here
    assert out["Cờ"].tolist() == [True, False]


def test_format_table_en_and_options():
    out, _ = fmt.format_table(_table(), "en", decimals={"Tỷ lệ": 2}, percent_columns=["Tỷ lệ"])
    assert out["Tử số"].tolist() == ["255,206", "12"]
    assert out["Tỷ lệ"].tolist() == ["80.00%", "79.64%"]
    original = _table()
    assert original["Tỷ lệ"].tolist() == [80.0, 79.64]  # a copy: the input is unchanged


def test_style_table_escapes_and_aligns():
    df = _table().rename(columns={"Đơn vị": "<i>Đơn vị</i>"})
    html = fmt.style_table(df, "vi", hidden=["Cờ"]).to_html()
    assert "&lt;b&gt;Tỉnh&lt;/b&gt;" in html and "<b>Tỉnh" not in html
    assert "&lt;i&gt;Đơn vị&lt;/i&gt;" in html and "<i>" not in html
    assert "255.206" in html and "79,6" in html and "79.64" not in html
    assert "Cờ" not in html                                  # hidden column
    assert "row_heading" not in html                          # no index column
    align = cell_alignment(html)
    assert align["row1_col0"] == "left"                        # text left
    assert align["row0_col1"] == align["row1_col2"] == align["row1_col3"] == "right"  # numbers right
    assert re.search(r"th\.col2 \{\s*text-align: right", html)
    assert re.search(r"th\.col0 \{\s*text-align: left", html)


def test_style_table_align_right_text_columns():
    df = pd.DataFrame({"Chỉ tiêu": ["A"], "Giá trị": ["79,6 (2024)"]})
    html = fmt.style_table(df, "vi", align_right=["Giá trị"]).to_html()
    assert re.search(r"th\.col1 \{\s*text-align: right", html)


def test_empty_tables_render():
    assert "<table" in fmt.style_table(pd.DataFrame(), "vi").to_html()
    out, num = fmt.format_table(pd.DataFrame({"Tỷ lệ": pd.Series([], dtype=float)}), "vi")
    assert out.empty and num == ["Tỷ lệ"]
    html = fmt.style_table(pd.DataFrame({"Năm": [2015], "Ghi chú": [None]}), "en").to_html()
    assert ">2015<" in html and ">—<" in html

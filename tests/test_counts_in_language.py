"""Sentences of counts write their numbers the page's way: 17.132 in Vietnamese, 17,132 in English."""
import datetime as dt
import re

from btchild_analysis import anthropometry as A
from btchild_analysis import io
from btchild_analysis.sample import sample_dir


def _grouped(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


def test_the_measurement_lists_summary():
    ms = A.read_measurements(sample_dir() / "anthropometry_synthetic.csv", today=dt.date(2025, 1, 1))
    n = ms.summary["rows_read"]
    assert n >= 1000
    assert f"{_grouped(n, '.')} trẻ (dòng)" in ms.summary_text("vi")
    assert f"{_grouped(n, ',')} children (rows)" in ms.summary_text("en")


def test_the_submissions_summary():
    res = io.load_submissions(sample_dir() / "submissions_synthetic.csv", today=dt.date(2026, 11, 29), flag_outliers=False)
    s = res.summary
    assert s["rows_read"] >= 1000 and s["accepted"] >= 1000
    vi, en = res.summary_text("vi"), res.summary_text("en")
    assert f"{_grouped(s['rows_read'], '.')} dòng đọc được" in vi and f"{_grouped(s['accepted'], '.')} nhận" in vi
    assert f"{_grouped(s['rows_read'], ',')} rows read" in en
    assert not re.search(r"\d{4}", vi)  # no large number left ungrouped

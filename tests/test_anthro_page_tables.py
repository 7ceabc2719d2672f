"""The measurements report's tables as a reader sees them: headings in the page's language, files by
name only, sex in words, and a sentence when no commune's z-score SD is out of range."""
import datetime as dt

import pandas as pd
import pytest

from btchild_analysis import anthro_quality as Q
from btchild_analysis import anthropometry as A
from btchild_analysis.sample import sample_dir


@pytest.fixture(scope="module")
def scored():
    ms = A.read_measurements(sample_dir() / "anthropometry_synthetic.csv", today=dt.date(2025, 1, 1))
    return A.score(ms)


def test_flagged_records_on_the_page(scored):
    fl = A.flagged(scored)
    assert len(fl) > 10 and all("/" in str(f) for f in fl["file"])   # the records carry the full path
    vi, csv = Q.flagged_shown(fl, "vi")
    en, _ = Q.flagged_shown(fl, "en")
    assert len(vi) == len(fl) == len(csv)
    assert list(vi.columns)[:4] == ["Mã", "Mã trẻ", "Tệp", "Dòng"] and list(en.columns)[:4] == ["Code", "Child ID", "File", "Row"]
    assert set(vi["Tệp"]) == {"anthropometry_synthetic.csv"} == set(csv["file"])
    assert set(vi["Giới"]) <= {"Nam", "Nữ"} and set(en["Sex"]) <= {"Boys", "Girls"}
    # by hand: the sex words follow the codes of the records (1 boy, 2 girl), row by row
    assert [{1: "Nam", 2: "Nữ"}[int(s)] for s in fl["sex"]] == vi["Giới"].tolist()
    assert list(csv.columns) == list(fl.columns)                     # the download keeps every column


def _z(sd_ok):
    n = len(sd_ok)
    return pd.DataFrame({"commune_code": [f"2875{i}" for i in range(n)], "indicator": "HAZ", "n": 40, "flagged": 0,
                         "pct_flagged": 0.0, "mean": -1.0, "sd": 1.0, "skewness": 0.0, "kurtosis": 3.0,
                         "sd_ok": sd_ok})


def test_communes_with_an_sd_out_of_range():
    sentence, shown = Q.sd_outside_shown(_z([True, False, None, False]), "en")
    assert sentence.startswith("Communes whose z-score SD is outside 0.8–1.2")
    assert shown["Code"].tolist() == ["28751", "28753"]               # None (too few children) is not judged
    assert list(shown.columns) == ["Code", "z-score", "Children", "Flagged", "% flagged", "Mean", "SD", "Skewness",
                                   "Kurtosis"]


def test_no_commune_out_of_range_is_said():
    sentence, shown = Q.sd_outside_shown(_z([True, None]), "vi")
    assert sentence == "Không xã nào có độ lệch chuẩn điểm z ngoài khoảng 0,8–1,2 (mọi xã trong tệp tải về)."
    assert shown.empty

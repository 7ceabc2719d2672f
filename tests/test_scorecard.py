"""The plan scorecard: value in the target year beside its verdict, latest value with its year,
sparkline, year reached filled or explained, verdicts coloured by status code.

Values are built by hand; the expected projections are worked out in the comments.
"""
import math
import re

import numpy as np
import pandas as pd
import pytest

from btchild_analysis import scorecard
from btchild_analysis.catalog import Target, plan_indicators

ENGLISH_WORDS = {"the", "of", "met", "not", "since", "late", "by", "projected", "projection", "no", "data",
                 "achieved", "track", "target", "year", "years", "value", "latest", "verdict", "trend", "only"}
VIETNAMESE_WORDS = {"năm", "đạt", "chưa", "dự", "báo", "mục", "tiêu", "giá", "trị", "không", "số", "liệu",
                    "xu", "hướng", "đánh", "giá", "mới", "nhất", "từ", "muộn", "tỷ", "lệ"}


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\w+", text)}


def rows(indicator, series, level="province", unit="83", name="Tỉnh Bến Tre"):
    return [{"level": level, "unit_code": unit, "unit_name": name, "period": str(y), "indicator": indicator,
             "value": v} for y, v in series.items()]


def values_by_hand() -> pd.DataFrame:
    r = []
    # stunting: 24, 23, 22, 21 in 2013–2016.  2015 (< 22.5): 22.0 observed, achieved; 2014 (23.0) did not
    # meet it, so "met since 2015".  2020 (≤ 20): AARR target, log-linear on the four points.
    r += rows("stunting_u5", {2013: 24.0, 2014: 23.0, 2015: 22.0, 2016: 21.0})
    # play area: 45, 48, 52 in 2014–2016.  2015 (≥ 50): 48.0 observed, not achieved; met in 2016 ("late").
    # 2020 (≥ 55): not reported → Theil–Sen: slopes 3, 3.5, 4 → 3.5; intercept median(y) − 3.5·median(t),
    # p(t) = 48 + 3.5 (t − 2015): p(2017) = 55.0 (first year ≥ 55), p(2020) = 65.5 → on track.
    r += rows("play_area_standard", {2014: 45.0, 2015: 48.0, 2016: 52.0})
    # underweight: one value only (2016): 2015 target no value before 2015 → no data, no value at all;
    # 2020 target: 1 value → "only 1 year".
    r += rows("underweight_u5", {2016: 13.0})
    # an H1 row and a commune row must be ignored
    r += rows("stunting_u5", {"2016H1": 99.0})
    r += rows("stunting_u5", {2016: 99.0}, level="commune", unit="28756", name="Phường Phú Khương")
    return pd.DataFrame(r)


def row_of(card, indicator, year):
    hit = card[(card["_indicator"] == indicator) & (card["_target_year"] == year)]
    assert len(hit) == 1
    return hit.iloc[0]


@pytest.fixture(scope="module")
def card_vi():
    return scorecard.plan_scorecard(values_by_hand(), "2016", "vi")


@pytest.fixture(scope="module")
def card_en():
    return scorecard.plan_scorecard(values_by_hand(), "2016", "en")


def test_one_row_per_target_in_plan_order(card_vi):
    got = list(zip(card_vi["_indicator"], card_vi["_target_year"]))
    assert len(got) == 20  # 8 indicators with a 2015 and a 2020 target, 4 with 2020 only
    assert sum(y == 2015 for _, y in got) == 8 and sum(y == 2020 for _, y in got) == 12
    assert [i for i, _ in got] == sorted([i for i, _ in got], key=plan_indicators().index)
    only_2020 = scorecard.plan_scorecard(values_by_hand(), "2016", "vi", target_years=[2020])
    assert len(only_2020) == 12 and set(only_2020["_target_year"]) == {2020}


def test_stunting_rows_vi(card_vi):
    h = scorecard.headers("vi")
    r15 = row_of(card_vi, "stunting_u5", 2015)
    assert r15["_status"] == "achieved" and r15[h["verdict"]] == "Đạt"
    assert r15[h["target"]] == "< 22,5 (năm 2015)"
    assert r15[h["value_target_year"]] == "22,0 (2015)"   # the target year's value, not the latest
    assert r15[h["latest"]] == "21,0 (2016)"
    assert r15[h["reached"]] == "đã đạt từ năm 2015"
    assert r15[h["trend"]] == "█▆▃▁"                       # (v − 21)/3·7 rounded: 7, 5, 2, 0
    r20 = row_of(card_vi, "stunting_u5", 2020)
    # log-linear AARR on ln 24, 23, 22, 21: b = Σ(t − t̄)(ln v − mean)/Σ(t − t̄)², projection
    # 21·exp(b)^(2020 − 2016); year reached: first year from 2016 with 21·exp(b)^(y − 2016) ≤ 20.
    t = np.array([2013, 2014, 2015, 2016.0])
    lv = np.log([24.0, 23.0, 22.0, 21.0])
    b = ((t - t.mean()) * (lv - lv.mean())).sum() / ((t - t.mean()) ** 2).sum()
    proj = 21.0 * math.exp(b) ** 4
    first = next(y for y in range(2016, 2030) if 21.0 * math.exp(b) ** (y - 2016) <= 20)
    assert r20["_status"] == "on_track" and r20[h["verdict"]] == "Đúng hướng"
    assert r20[h["value_target_year"]] == f"dự báo {proj:.1f}".replace(".", ",")
    assert r20[h["reached"]] == f"dự báo năm {first}" and first == 2018


def test_play_area_rows_en(card_en):
    h = scorecard.headers("en")
    r15 = row_of(card_en, "play_area_standard", 2015)
    assert r15["_status"] == "not_achieved" and r15[h["verdict"]] == "Not achieved"
    assert r15[h["value_target_year"]] == "48.0 (2015)" and r15[h["latest"]] == "52.0 (2016)"
    assert r15[h["target"]] == "≥ 50 (by 2015)"
    assert r15[h["reached"]] == "met late, in 2016"
    r20 = row_of(card_en, "play_area_standard", 2020)
    assert r20["_status"] == "on_track"
    assert r20[h["value_target_year"]] == "projected 65.5"
    assert r20[h["reached"]] == "projected for 2017"


def test_no_data_rows_explained(card_vi, card_en):
    h = scorecard.headers("vi")
    r15 = row_of(card_vi, "underweight_u5", 2015)
    assert r15["_status"] == "no_data" and r15[h["value_target_year"]] == "—"
    assert r15[h["reached"]] == "không dự báo: chưa có số liệu"
    r20 = row_of(card_vi, "underweight_u5", 2020)
    assert r20[h["reached"]] == "không dự báo: chỉ có 1 năm số liệu"
    assert r20[h["latest"]] == "13,0 (2016)"
    absent = row_of(card_en, "primary_ontime", 2020)
    assert absent["_status"] == "no_data"
    assert absent[scorecard.headers("en")["reached"]] == "no projection: no data"
    assert absent[scorecard.headers("en")["trend"]] == ""


def test_series_break_explained_and_marked():
    v = pd.DataFrame(rows("child_friendly_commune", {2012: 40.0, 2013: 45.0}))
    card = scorecard.plan_scorecard(v, "2013", "en")
    r = row_of(card, "child_friendly_commune", 2015)
    h = scorecard.headers("en")
    assert r[h["reached"]] == "no projection: no data since 2014 (earlier values not comparable)"
    v = pd.DataFrame(rows("child_friendly_commune", {2017: 60.0, 2018: 70.0, 2019: 50.0, 2021: 55.0}))
    card = scorecard.plan_scorecard(v, "2021", "vi")
    assert row_of(card, "child_friendly_commune", 2020)[scorecard.headers("vi")["trend"]] == "▅█¦▁·▃"  # (v − 50)/20·7 + ½: 60 → 4, 70 → 7, 50 → 0, 55 → 2


def test_six_monthly_report_uses_the_year_before():
    card = scorecard.plan_scorecard(values_by_hand(), "2016H1", "vi")
    r = row_of(card, "stunting_u5", 2015)
    assert r[scorecard.headers("vi")["latest"]] == "22,0 (2015)"


def test_district_scorecard():
    v = pd.DataFrame(rows("stunting_u5", {2014: 30.0, 2015: 20.0}, level="district", unit="829",
                          name="Thành phố Bến Tre") + rows("stunting_u5", {2014: 25.0, 2015: 23.0}))
    card = scorecard.plan_scorecard(v, "2015", "vi", unit_code="829")
    r = row_of(card, "stunting_u5", 2015)
    assert r["_status"] == "achieved" and r[scorecard.headers("vi")["value_target_year"]] == "20,0 (2015)"
    province = scorecard.plan_scorecard(v, "2015", "vi")
    assert row_of(province, "stunting_u5", 2015)["_status"] == "not_achieved"


def test_empty_values_give_an_empty_table_with_headings():
    card = scorecard.plan_scorecard(pd.DataFrame(), "2024", "vi")
    assert card.empty and scorecard.headers("vi")["verdict"] in card.columns
    assert scorecard.plan_scorecard(values_by_hand(), "2012", "vi").empty


def test_no_english_on_vi_scorecard_and_no_vietnamese_on_en(card_vi, card_en):
    vi = " ".join(scorecard.scorecard_download(card_vi).astype(str).to_numpy().ravel().tolist()
                  + list(scorecard.scorecard_download(card_vi).columns))
    en = " ".join(scorecard.scorecard_download(card_en).astype(str).to_numpy().ravel().tolist()
                  + list(scorecard.scorecard_download(card_en).columns))
    assert not words(vi) & ENGLISH_WORDS, words(vi) & ENGLISH_WORDS
    assert not words(en) & VIETNAMESE_WORDS, words(en) & VIETNAMESE_WORDS
    assert "22,0" in vi and "22.0" not in vi


def test_styler_colours_by_code_hides_codes_escapes():
    card = scorecard.plan_scorecard(values_by_hand(), "2016", "vi")
    h = scorecard.headers("vi")
    # the label of one row is changed: the colour must follow the code, not the text
    i = card.index[(card["_indicator"] == "stunting_u5") & (card["_target_year"] == 2015)][0]
    card.loc[i, h["verdict"]] = "Không đạt"
    card.loc[i, h["indicator"]] = "<script>alert(1)</script>"
    html = scorecard.scorecard_styler(card, "vi").to_html()
    col = list(card.columns).index(h["verdict"])
    css_blocks = re.findall(r"([^{}]+)\{([^}]*)\}", html.split("</style>")[0])
    colour = [props for sel, props in css_blocks if f"_row{i}_col{col}" in sel and "background-color" in props]
    assert colour and scorecard.STATUS_COLOURS["achieved"] in colour[0]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "stunting_u5" not in html and "not_achieved" not in html and "_status" not in html
    assert "row_heading" not in html


def test_download_drops_codes(card_vi):
    out = scorecard.scorecard_download(card_vi)
    assert not any(str(c).startswith("_") for c in out.columns) and len(out) == len(card_vi)


def test_sparkline_and_reached_text_units():
    assert scorecard.sparkline([2012, 2013, 2014], [0.0, 50.0, 100.0]) == "▁▅█"
    assert scorecard.sparkline([2012, 2014], [1.0, 2.0]) == "▁·█"
    assert scorecard.sparkline([2012, 2013], [np.nan, 5.0]) == "▄"
    t = Target(2015, ">=", 50.0)
    # met in 2013, missed in 2014, met again in 2015: the run ending in the target year starts in 2015
    assert scorecard.reached_text("achieved", t, [2013, 2014, 2015], [55.0, 45.0, 60.0], lang="vi") == \
        "đã đạt từ năm 2015"
    assert scorecard.reached_text("not_achieved", t, [2015, 2016], [40.0, 45.0], lang="vi") == \
        "chưa đạt đến năm 2016"
    assert scorecard.reached_text("off_track", t, [2013, 2014], [40.0, 41.0], year_reached=None, lang="en") == \
        "not within 50 years on the trend"

"""Change maps: diverging classes centred on zero with a 'no change' class; transitions for yes/no."""
import numpy as np
import pandas as pd
import pytest

from btchild_analysis import boundaries as B
from btchild_analysis import indicators as I
from btchild_analysis import maps
from btchild_analysis.style import NOTICE_KEY


def legend_counts(fig):
    out = {}
    for t in fig.axes[0].get_legend().get_texts():
        text, n = t.get_text().rsplit(" (", 1)
        out[text] = int(n.rstrip(")"))
    return out


def test_change_classes_by_hand():
    # largest |change| 9 → s = 3: falls ≤ −6, (−6, −3], (−3, −0.5]; no change within ±0.5; rises mirror
    edges, cls = maps.change_classes(pd.Series([-9, -6, -3.2, -0.5, -0.49, 0, 0.49, 0.5, 3, 5.99, 6, 9, np.nan]))
    assert edges == [-9, -6, -3, -0.5, 0.5, 3, 6, 9]
    assert cls.tolist() == [0, 0, 1, 2, 3, 3, 3, 4, 5, 5, 6, 6, -1]
    edges, cls = maps.change_classes(pd.Series([0.1, -0.2]))  # nothing moved: all "no change"
    assert cls.tolist() == [3, 3] and edges[4] == 0.5


def test_change_map_counts_per_class_match_the_differences(dataset):
    c = I.compute(dataset.all_elements(), "commune", vintage="2020", which=["kindergarten_enrolment"])
    geo = B.schematic(2020)
    fig = maps.change_map(c, "kindergarten_enrolment", "2016", "2020", geo, lang="en", tolerance=1.0)
    w = c.pivot_table(index="unit_code", columns="period", values="value").reindex(geo["code"])
    d = (w["2020"] - w["2016"]).to_numpy()
    counts = legend_counts(fig)
    assert counts["No change (< ±1.0)"] == int((np.abs(d) < 1.0).sum())
    assert counts["No data"] == int(np.isnan(d).sum())
    rises = sum(n for k, n in counts.items() if k.startswith("+"))
    assert rises == int((d >= 1.0).sum())


def test_yes_no_indicator_shows_transitions(dataset):
    c = I.compute(dataset.all_elements(), "commune", vintage="2020", which=["child_friendly_commune"])
    geo = B.schematic(2020)
    fig = maps.change_map(c, "child_friendly_commune", "2020", "2024", geo, lang="en")
    w = c.pivot_table(index="unit_code", columns="period", values="value").reindex(geo["code"])
    s, e = w["2020"], w["2024"]
    known = s.notna() & e.notna()
    expected = {"Kept": int((known & (s == 100) & (e == 100)).sum()), "Gained": int((known & (s == 0) & (e == 100)).sum()),
                "Lost": int((known & (s == 100) & (e == 0)).sum()), "Never": int((known & (s == 0) & (e == 0)).sum()),
                "No data": int((~known).sum())}
    assert legend_counts(fig) == expected and sum(expected.values()) == 157
    assert fig.axes[0].get_title().startswith("Change of status")
    assert not any("break" in n for n in getattr(fig, NOTICE_KEY))  # 2020 → 2024: no break between


def test_status_change_map_from_the_assessment(dataset):
    a = dataset.assessment()
    geo = B.schematic(2020)
    fig = maps.status_change_map(a, 2020, 2023, geo, lang="en")
    st = a[a["year"].isin([2020, 2023])].pivot_table(index="commune_code", columns="year", values="status", aggfunc="first")
    st = st.reindex(geo["code"])
    gained = ((st[2020] == "not_met") & (st[2023] == "met")).sum()
    lost = ((st[2020] == "met") & (st[2023] == "not_met")).sum()
    counts = legend_counts(fig)
    assert counts["Gained"] == gained and counts["Lost"] == lost
    assert sum(counts.values()) == 157


def test_change_across_a_break_says_so(dataset):
    c = I.compute(dataset.all_elements(), "commune", vintage="2020", which=["child_friendly_commune"])
    fig = maps.change_map(c, "child_friendly_commune", "2016", "2020", B.schematic(2020), lang="vi")
    note = [n for n in getattr(fig, NOTICE_KEY) if "gián đoạn" in n]
    assert note and "2019" in note[0] and "2014" not in note[0]
    assert "gián đoạn" in fig.btchild_alt


@pytest.mark.parametrize("lang,word", [("vi", "Không thay đổi"), ("en", "No change")])
def test_no_change_label_in_the_page_language(dataset, lang, word):
    c = I.compute(dataset.all_elements(), "commune", vintage="2020", which=["stunting_u5"])
    fig = maps.change_map(c, "stunting_u5", "2019", "2020", B.schematic(2020), district="829", lang=lang)
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert texts[3].startswith(word)
    if lang == "vi":
        assert all("." not in t.split(" (")[0] for t in texts[:3] + texts[4:7])

"""The measurements report writes its numbers the page's way: 16.644 and 1,08 in Vietnamese, 16,644 and
1.08 in English (titles, tick labels and the quality table)."""
import datetime as dt

import matplotlib
import numpy as np
import pandas as pd
import pytest

from btchild_analysis import anthro_quality as Q
from btchild_analysis import anthropometry as A
from btchild_analysis.sample import sample_dir

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def scored():
    ms = A.read_measurements(sample_dir() / "anthropometry_synthetic.csv", today=dt.date(2025, 1, 1))
    return A.score(ms)


def _texts(fig):
    fig.canvas.draw()
    out = []
    for ax in fig.axes:
        out.append(ax.get_title())
        out += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    return out


def test_z_histograms_titles_and_ticks(scored):
    n = int((~np.isnan(scored["haz"].to_numpy(float)) & ~scored["haz_flag"].to_numpy(bool)).sum())
    assert n > 1000                                              # so the thousands separator shows
    grouped = f"{n // 1000}.{n % 1000:03d}"                      # by hand: 16644 -> 16.644
    vi, en = _texts(Q.plot_z_distributions(scored, "vi")), _texts(Q.plot_z_distributions(scored, "en"))
    assert f"HAZ (n = {grouped})" in vi and f"HAZ (n = {grouped.replace('.', ',')})" in en
    assert "0,2" in vi and "0.2" not in vi and "0.2" in en      # density ticks


def test_digits_and_ages_titles(scored):
    _, ratio = Q.age_heaping(scored)
    vi, en = _texts(Q.plot_digits_and_ages(scored, "vi")), _texts(Q.plot_digits_and_ages(scored, "en"))
    two = f"{ratio:.2f}"
    assert any(t.endswith("— " + two.replace(".", ",")) for t in vi) and any(t.endswith("— " + two) for t in en)


def test_quality_table_values(scored):
    vi, en = Q.quality_table(scored, "vi"), Q.quality_table(scored, "en")
    v_vi, v_en = vi.iloc[:, 1].tolist(), en.iloc[:, 1].tolist()
    records = len(scored)
    assert v_vi[0] == f"{records:,}".replace(",", ".") and v_en[0] == f"{records:,}"
    decimals = [(a, b) for a, b in zip(v_vi[1:], v_en[1:]) if b]
    assert decimals and all(a == b.replace(".", ",") for a, b in decimals if "," not in b)
    assert all("." not in a for a, _ in decimals)


def test_prevalence_intervals():
    prev = pd.DataFrame({"level": "province", "unit_code": "83", "unit_name": "Bến Tre", "sex": "all",
                         "age_group": "all", "indicator": "stunting", "numerator": [205], "denominator": [1000],
                         "value": [20.5], "ci_low": [18.12], "ci_high": [22.96], "base_mark": [""]})
    vi, en = Q.prevalence_table(prev, lang="vi"), Q.prevalence_table(prev, lang="en")
    assert "18,1–23,0" in vi.iloc[0].tolist() and "18.1–23.0" in en.iloc[0].tolist()


def test_quality_table_expected_ranges(scored):
    vi, en = Q.quality_table(scored, "vi"), Q.quality_table(scored, "en")
    assert "0,8–1,2" in vi.iloc[:, 2].tolist() and "0.8–1.2" not in vi.iloc[:, 2].tolist()
    assert "0.8–1.2" in en.iloc[:, 2].tolist()

"""The synthetic sample (deterministic, labelled); the command line is tested in test_cli.py."""
from pathlib import Path

import pandas as pd

from btchild_analysis import sample as smp

ROOT = Path(__file__).resolve().parents[1]


def test_generator_is_deterministic_and_the_committed_sample_is_its_output():
    a, b = smp.generate(2013), smp.generate(2013)
    for attr in smp.Sample.FILES:
        pd.testing.assert_frame_equal(getattr(a, attr), getattr(b, attr))
    committed = smp.load_sample()
    pd.testing.assert_frame_equal(committed.submissions.reset_index(drop=True),
                                  a.submissions.reset_index(drop=True), check_dtype=False)
    assert not smp.generate(7).submissions["value"].equals(a.submissions["value"])


def test_sample_is_labelled_synthetic():
    folder = ROOT / "data" / "sample"
    for f in folder.rglob("*.*"):
        assert "synthetic" in f.name or f.name == "datapackage.yaml", f
    assert "synthetic: true" in (folder / "datapackage.yaml").read_text(encoding="utf-8")  # what marks outputs
    assert "SYNTHETIC" in (ROOT / "data" / "README.md").read_text(encoding="utf-8").splitlines()[0]


def test_sample_covers_years_periods_and_vintages(sample):
    s = sample.submissions
    assert set(s["period"]) == {f"{y}{k}" for y in range(2012, 2025) for k in ("", "H1")}
    n19 = s.loc[s["period"] == "2019", "commune_code"].nunique()
    n20 = s.loc[s["period"] == "2020", "commune_code"].nunique()
    assert 150 <= n19 <= 164 and 145 <= n20 <= 157
    assert "28771" in set(s.loc[s["period"].str.startswith("201"), "commune_code"])  # Phường 1 before the merger
    assert "28771" not in set(s.loc[s["period"] == "2020", "commune_code"])
    dates = sample.submission_dates
    assert dates["submitted_on"].isna().any() and len(dates) > 4000

"""The synthetic sample (deterministic, labelled) and the command line."""
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from btchild_analysis import sample as smp
from btchild_analysis.cli import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def test_generator_is_deterministic_and_the_committed_sample_is_its_output():
    a, b = smp.generate(2013), smp.generate(2013)
    for attr in smp.Sample.FILES:
        pd.testing.assert_frame_equal(getattr(a, attr), getattr(b, attr))
    committed = smp.load_sample()
    pd.testing.assert_frame_equal(committed.submissions.reset_index(drop=True),
                                  a.submissions.reset_index(drop=True), check_dtype=False)
    assert not smp.generate(7).submissions["value"].equals(a.submissions["value"])


def test_sample_is_labelled_synthetic():
    for f in (ROOT / "data" / "sample").rglob("*.*"):
        assert "synthetic" in f.name, f
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


def test_cli_register():
    r = runner.invoke(app, ["register", "--on", "2020-02-01", "--format", "csv"])
    assert r.exit_code == 0
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith("code,name,type,district_code,district_name")
    assert len(lines) == 158
    r = runner.invoke(app, ["register", "--changes"])
    assert r.exit_code == 0 and len(r.stdout.strip().splitlines()) == 173


def test_cli_load_summary_quarantine_and_errors(tmp_path):
    messy = sorted((ROOT / "data" / "sample" / "messy").glob("*"))
    out = tmp_path / "q.xlsx"
    r = runner.invoke(app, ["load", *map(str, messy), "--quarantine", str(out), "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "3 files" in r.stdout and "quarantined" in r.stdout and out.exists()
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    r = runner.invoke(app, ["load", str(empty)])
    assert r.exit_code != 0
    assert "empty.csv: the file is empty" in r.output and "Traceback" not in r.output


def test_cli_tables():
    r = runner.invoke(app, ["indicators", "--level", "district", "--indicator", "stunting_u5"])
    assert r.exit_code == 0 and r.stdout.startswith("level,unit_code,unit_name,period,indicator,numerator,denominator,value,ci_low,ci_high")
    r = runner.invoke(app, ["targets"])
    assert r.exit_code == 0 and "baseline_year" in r.stdout.splitlines()[0]
    r = runner.invoke(app, ["completeness", "--period", "2015"])
    assert r.exit_code == 0 and "Tỉnh Bến Tre" in r.stdout
    scores = ROOT / "data" / "sample" / "standard_scores_synthetic.csv"
    r = runner.invoke(app, ["standard", str(scores), "--year", "2019", "--audit"])
    assert r.exit_code == 0
    head = r.stdout.splitlines()[0]
    assert head == "code,name,district,year,edition,total,threshold,status,reasons,audit"


def test_cli_boundaries(boundary_file, tmp_path):
    r = runner.invoke(app, ["boundaries", str(boundary_file)])
    assert r.exit_code == 0 and "matched by code: 164" in r.stdout
    import geopandas as gpd
    g = gpd.read_file(boundary_file)
    g[g["ma_xa"] != "28756"].to_file(tmp_path / "p.geojson")
    r = runner.invoke(app, ["boundaries", str(tmp_path / "p.geojson")])
    assert r.exit_code == 1 and "no boundary for unit 28756" in r.stdout

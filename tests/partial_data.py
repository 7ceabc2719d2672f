"""Partial data folders, as a province really has them (built from the sample's values, real-format files).

Each builder writes a folder WITHOUT a descriptor (so it is read as real data) holding only some parts:
one year, one district, score sheets only, submissions without an arrival log, district workbooks.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from btchild_analysis import admin_units
from btchild_analysis.sample import load_sample

CASES = ("one_year", "one_district", "scores_only", "no_arrivals", "workbooks")


def _sample():
    return load_sample()


def one_year(root: Path, year: int = 2024) -> Path:
    """Submissions of one year only (annual and H1), as one long CSV; no scores, no arrival log."""
    root.mkdir(parents=True, exist_ok=True)
    s = _sample().submissions
    s[s["period"].str[:4] == str(year)].to_csv(root / f"so_lieu_{year}.csv", index=False)
    return root


def one_district(root: Path, district: str = "Ba Tri", years=(2023, 2024)) -> Path:
    """One district's submissions, arrival log and score sheets (Vietnamese headings)."""
    root.mkdir(parents=True, exist_ok=True)
    smp = _sample()
    codes = set(admin_units.units(2024).query("district_name == 'Huyện ' + @district")["code"]) | \
        set(admin_units.units(2019).query("district_name == 'Huyện ' + @district")["code"])
    keep = lambda df, col: df[df["commune_code"].isin(codes) & df[col].astype(str).str[:4].isin([str(y) for y in years])]
    keep(smp.submissions, "period").to_csv(root / "ba_tri.csv", index=False)
    d = keep(smp.submission_dates, "period")
    pd.DataFrame({"Mã xã": d["commune_code"], "Kỳ báo cáo": d["period"],
                  "Ngày nộp": pd.to_datetime(d["submitted_on"]).dt.strftime("%d/%m/%Y")}).to_csv(
        root / "so_theo_doi_nop.csv", index=False)
    sc = keep(smp.standard_scores, "year")
    pd.DataFrame({"Mã xã": sc["commune_code"], "Năm": sc["year"], "Tiêu chí": sc["criterion"],
                  "Điểm": sc["score"]}).to_csv(root / "cham_diem.csv", index=False)
    return root


def scores_only(root: Path, years=(2023, 2024)) -> Path:
    """Score sheets of the whole province, nothing else."""
    root.mkdir(parents=True, exist_ok=True)
    sc = _sample().standard_scores
    sc = sc[sc["year"].isin(years)]
    sc[["commune_code", "year", "criterion", "score"]].to_csv(root / "bieu_cham_diem.csv", index=False)
    return root


def no_arrivals(root: Path, years=range(2019, 2025)) -> Path:
    """Submissions and score sheets, no arrival log."""
    root.mkdir(parents=True, exist_ok=True)
    smp = _sample()
    s = smp.submissions
    s[s["period"].str[:4].astype(int).isin(years)].to_csv(root / "submissions.csv", index=False)
    sc = smp.standard_scores
    sc[sc["year"].isin(years)][["commune_code", "year", "criterion", "score"]].to_csv(root / "scores.csv", index=False)
    return root


def workbooks(root: Path) -> Path:
    """A folder of ordinary district workbooks (five districts, 2023 and 2024), nothing else."""
    from realformat import district_folder

    return district_folder(root)


def build(case: str, root: Path) -> Path:
    """The folder of a case of :data:`CASES`."""
    return {"one_year": one_year, "one_district": one_district, "scores_only": scores_only,
            "no_arrivals": no_arrivals, "workbooks": workbooks}[case](root)

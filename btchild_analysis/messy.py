"""SYNTHETIC submissions with the faults real ones have (``data/sample/messy/``), to exercise loading.

Each file states its faults in ``MESSY_FAULTS`` so tests can check every one ends in the quarantine.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from . import admin_units
from .catalog import elements
from .sample import Sample

#: file name → the quarantine reasons it must produce (each at least once).
MESSY_FAULTS = {
    "ba_tri_2015_wide_synthetic.xlsx": {"empty_cell", "not_integer", "negative", "unknown_name",
                                         "numerator_above_denominator", "total_row"},
    "long_cp1258_synthetic.csv": {"unknown_commune", "not_in_force", "unknown_element", "not_yes_no",
                                  "bad_period", "future_period", "conflicting_duplicate", "percent_for_count",
                                  "bad_code"},
    "long_utf16_synthetic.csv": set(),
}


def _wide_sheet(ws, sample: Sample, period: str, district: str, faults: bool) -> None:
    units = admin_units.units(period)
    units = units[units["district_code"] == district]
    sub = sample.submissions[(sample.submissions["period"] == period)
                             & sample.submissions["commune_code"].isin(units["code"])]
    wide = sub.pivot(index="commune_code", columns="element", values="value")
    cols = [e for e in elements() if e in wide.columns][:12]
    dname = units["district_name"].iloc[0]
    ws.append([f"BÁO CÁO SỐ LIỆU TRẺ EM — {dname.upper()}"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(cols) + 2)
    ws.append([f"Kỳ báo cáo: {'6 tháng đầu năm' if period.endswith('H1') else 'Năm'} {period[:4]} (DỮ LIỆU MÔ PHỎNG)"])
    ws.append([])
    reg = elements()
    ws.append(["STT", "Tên xã"] + [reg[c].vi for c in cols])
    for i, (code, name) in enumerate(zip(units["code"], units["name"]), start=1):
        if code not in wide.index:
            continue
        shown = name
        if i == 2:
            shown = admin_units.fold(name)  # typed without diacritics: still matched
        if i == 3:
            shown = name.replace("Xã ", "X. ")
        row = [i, shown] + [int(wide.at[code, c]) if pd.notna(wide.at[code, c]) else None for c in cols]
        if faults and i == 1:
            row[2] = None  # empty cell
        if faults and i == 4:
            row[3] = "12,5"  # a decimal in a count
        if faults and i == 5:
            row[4] = -3
        if faults and i == 6:
            row[1] = "Xã Không Tồn Tại"
        if faults and i == 7 and "u5_stunted" in cols and "u5_measured" in cols:
            row[2 + cols.index("u5_stunted")] = int(wide.at[code, "u5_measured"]) + 5
        if faults and i == 8:
            row[2] = f"{int(wide.at[code, cols[0]]):,}".replace(",", ".")  # thousands dot, accepted
        ws.append(row)
    ws.append(["", "Tổng cộng"] + [int(wide[c].sum()) for c in cols])


def _long_rows(sample: Sample) -> pd.DataFrame:
    s = sample.submissions
    base = s[(s["period"] == "2021") & (s["element"].isin(["u5_measured", "u5_stunted", "play_area_standard"]))].head(30)
    bad = [
        ("28998", "2021", "u5_measured", "410"),        # unknown code (not a unit)
        ("28771", "2021", "u5_measured", "380"),        # Phường 1: merged into An Hội in 2020
        ("28756", "2021", "u5_stunted_pct", "12"),      # unknown element
        ("28756", "2021", "play_area_standard", "2"),   # yes/no outside {0,1}
        ("28756", "2015/H1", "u5_measured", "300"),     # malformed period
        ("28756", "2031", "u5_measured", "300"),        # future period
        ("28759", "2021", "pop_u16", "1500"),           # conflicting duplicates
        ("28759", "2021", "pop_u16", "1600"),
        ("28762", "2021", "u5_stunted", "15%"),         # a percent where a count is due
        ("2876A", "2021", "u5_measured", "100"),        # malformed code
        ("28765", "2021", "pop_u16", "900"),            # identical duplicate: folded
        ("28765", "2021", "pop_u16", "900"),
    ]
    extra = pd.DataFrame(bad, columns=["commune_code", "period", "element", "value"])
    return pd.concat([base.astype(str), extra], ignore_index=True)


def write_messy(sample: Sample, out: str | Path) -> list[Path]:
    """Write the messy files into ``out`` (created)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Năm 2015"
    _wide_sheet(ws, sample, "2015", "836", faults=True)
    _wide_sheet(wb.create_sheet("6 tháng 2015"), sample, "2015H1", "836", faults=False)
    p1 = out / "ba_tri_2015_wide_synthetic.xlsx"
    wb.save(p1)
    rows = _long_rows(sample)
    p2 = out / "long_cp1258_synthetic.csv"
    rows.to_csv(p2, index=False, encoding="cp1258", lineterminator="\r\n")
    p3 = out / "long_utf16_synthetic.csv"
    clean = sample.submissions[sample.submissions["period"] == "2016H1"].head(40)
    clean.to_csv(p3, index=False, encoding="utf-16", sep="\t")
    return [p1, p2, p3]

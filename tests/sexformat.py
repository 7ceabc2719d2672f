"""Builders of district workbooks with figures by sex, shaped like the forms districts fill in.

Forms
-----
three
    An element heading merged over three columns with "Tổng số | Nam | Nữ" on the row below; elements
    that are not split keep one column, their heading merged over both rows.
female_only
    "Tổng số | Trong đó: Nữ" under each split element (the male part is not written).
paired
    One heading row: "<heading> - Nam" and "<heading> (Nữ)" beside the total's column.
parts_only
    "Nam | Nữ" only, no total column.

The ground truth (what was written, and what the arithmetic gives) is kept by the builder in
:class:`SexBuilt`, never derived from the loader.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from btchild_analysis import admin_units
from btchild_analysis.catalog import elements as registry_elements

FORMS = ("three", "female_only", "paired", "parts_only")


@dataclass
class SexBuilt:
    """What a builder wrote.  ``totals``: ``commune_code, period, element, value`` of the total cells
    (with, for ``parts_only``, male + female as computed here); ``parts``: ``commune_code, period,
    element, sex, value, derived`` (``derived`` for the male part computed here as total − female);
    ``cells``: (commune_code, element, sex) → (sheet row, column letter, heading of the column)."""

    path: Path
    period: str
    form: str
    totals: pd.DataFrame
    parts: pd.DataFrame
    cells: dict = field(default_factory=dict)
    data_rows: list = field(default_factory=list)
    total_row: int = 0
    n_columns: int = 0


def _letter(j: int) -> str:
    s, j = "", j + 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def sex_workbook(path, district: str = "Ba Tri", period: str = "2019", form: str = "three",
                 split=("u5_measured", "u5_stunted"), plain=("play_area_standard",), seed: int = 0,
                 overrides: dict | None = None) -> SexBuilt:
    """Write one district's annual workbook with ``split`` elements by sex and ``plain`` ones not split.

    ``overrides``: {(commune_code, element, sex): value} written instead of the drawn value (e.g. a
    male part above its total); the ground truth keeps what was written.
    """
    if form not in FORMS:
        raise ValueError(f"form must be one of {FORMS}")
    path = Path(path)
    reg = registry_elements()
    u = admin_units.units(period)
    key = admin_units.district_key(district)
    units = u[u["district_name"].map(admin_units.district_key) == key].sort_values("code").reset_index(drop=True)
    rng = np.random.default_rng(seed)
    overrides = overrides or {}
    wb = Workbook()
    ws = wb.active
    ws.title = f"Năm {period}"
    ws.cell(1, 1, f"UBND {units['district_name'].iloc[0].upper()}")
    ws.cell(3, 1, f"BÁO CÁO SỐ LIỆU TRẺ EM PHÂN THEO GIỚI TÍNH NĂM {period}")
    top = 5
    subs = {"three": [("Tổng số", "total"), ("Nam", "male"), ("Nữ", "female")],
            "female_only": [("Tổng số", "total"), ("Trong đó: Nữ", "female")],
            "paired": [("", "total"), (" - Nam", "male"), (" (Nữ)", "female")],
            "parts_only": [("Nam", "male"), ("Nữ", "female")]}[form]
    ws.cell(top, 1, "STT")
    ws.cell(top, 2, "Tên đơn vị")
    two_rows = form != "paired"
    if two_rows:
        ws.merge_cells(start_row=top, start_column=1, end_row=top + 1, end_column=1)
        ws.merge_cells(start_row=top, start_column=2, end_row=top + 1, end_column=2)
    columns = []  # (element, sex, column index 0-based, heading)
    col = 2
    for el in split:
        heading = reg[el].aliases[0]
        if two_rows:
            ws.cell(top, col + 1, heading)
            ws.merge_cells(start_row=top, start_column=col + 1, end_row=top, end_column=col + len(subs))
            for k, (word, sex) in enumerate(subs):
                ws.cell(top + 1, col + 1 + k, word)
                columns.append((el, sex, col + k, f"{heading} – {word}"))
        else:
            for k, (word, sex) in enumerate(subs):
                ws.cell(top, col + 1 + k, heading + word)
                columns.append((el, sex, col + k, heading + word))
        col += len(subs)
    for el in plain:
        ws.cell(top, col + 1, reg[el].aliases[0])
        if two_rows:
            ws.merge_cells(start_row=top, start_column=col + 1, end_row=top + 1, end_column=col + 1)
        columns.append((el, "total", col, reg[el].aliases[0]))
        col += 1
    r = top + (2 if two_rows else 1)
    totals, parts, cells, data_rows = [], [], {}, []
    for i, unit in units.iterrows():
        ws.cell(r, 1, i + 1)
        ws.cell(r, 2, unit["name"])
        drawn = {}
        for el in split:
            den = reg[el].denominator
            t = int(rng.integers(200, 600)) if den is None else int(rng.binomial(drawn[(den, "total")], 0.12))
            m = int(rng.binomial(t, 0.515))
            drawn[(el, "total")], drawn[(el, "male")], drawn[(el, "female")] = t, m, t - m
        for el in plain:
            drawn[(el, "total")] = int(rng.random() < 0.7)
        for (el, sex), v in list(drawn.items()):
            drawn[(el, sex)] = overrides.get((unit["code"], el, sex), v)
        for el, sex, j, heading in columns:
            ws.cell(r, j + 1, drawn[(el, sex)])
            cells[(unit["code"], el, sex)] = (r, _letter(j), heading)
            if sex == "total":
                totals.append((unit["code"], period, el, float(drawn[(el, sex)])))
            else:
                parts.append((unit["code"], period, el, sex, float(drawn[(el, sex)]), False))
        for el in split:
            if form == "female_only":
                parts.append((unit["code"], period, el, "male",
                              float(drawn[(el, "total")] - drawn[(el, "female")]), True))
            if form == "parts_only":
                totals.append((unit["code"], period, el, float(drawn[(el, "male")] + drawn[(el, "female")])))
        data_rows.append(r)
        r += 1
    ws.cell(r, 2, "Tổng cộng")  # the district's total row: never loaded (total_row), one record per column
    for el, sex, j, heading in columns:
        ws.cell(r, j + 1, sum(ws.cell(k, j + 1).value for k in data_rows))
    total_row = r
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return SexBuilt(path=path, period=period, form=form,
                    totals=pd.DataFrame(totals, columns=["commune_code", "period", "element", "value"]),
                    parts=pd.DataFrame(parts, columns=["commune_code", "period", "element", "sex", "value", "derived"]),
                    cells=cells, data_rows=data_rows, total_row=total_row, n_columns=len(columns))

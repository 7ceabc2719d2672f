"""Builders of district workbooks shaped like the ones districts really send (for the tests).

Each builder writes with openpyxl what a district statistician would make: an administrative heading
(province/district, the national motto), a date line ("Ba Tri, ngày 15 tháng 10 năm 2019"), a
report title ("BÁO CÁO … NĂM 2019" or "… 6 THÁNG ĐẦU NĂM 2019"), a sheet named with an abbreviation,
then a table of one row per commune in force, one column per data element.

Styles
------
plain
    One header row of Vietnamese element labels (``elements.yaml``); commune column "Tên đơn vị" or
    "Xã, thị trấn".
two_row
    Merged group headings ("Dinh dưỡng" …) above the element headings, a row of column numbers
    ("(1) (2) (3) …" or "1 2 3 …") under them.
messy
    Cells "x", "-", "—", "..", "KPS" (not reported), formula residue (7.000000000000001), numbers as
    text with a thousands dot, yes/no as "Có"/"Không"/"x", ward names "P1"/"P.1"/"P 1"/"F1", commune
    names without their type, a blank row in the middle, a total row "Tổng cộng", notes below the
    table, a date line from the following year.

The ground truth of what was written is kept by the builder (:func:`expected_values`,
:func:`built`), never derived from the loader.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from btchild_analysis import admin_units
from btchild_analysis.periods import parse_period
from btchild_analysis.catalog import elements as registry_elements

STYLES = ("plain", "two_row", "messy")
#: What a district types in a count cell when it has nothing to report.
NOT_REPORTED = ("x", "-", "—", "..", "KPS")

#: Group headings of the two-row layout, in column order.
GROUPS = {
    "Dinh dưỡng": ["u5_measured", "u5_stunted", "u5_weighed", "u5_underweight"],
    "Y tế": ["health_station_midwife", "pop_u1", "u1_fully_immunised"],
    "Giáo dục": ["preschool_universal_5y", "pop_0_2", "enrolled_0_2", "pop_3_5", "enrolled_3_5", "pop_6_10",
                 "primary_ontime", "pop_11_14", "lower_secondary_ontime", "pupils_enrolled", "pupils_dropout",
                 "pupils_repeating"],
    "Vui chơi, giải trí": ["play_area_standard"],
    "Bảo vệ trẻ em": ["pop_u16", "special_circumstances", "special_circumstances_assisted", "abuse_cases",
                      "injuries_u16"],
    "Khai sinh": ["births", "births_registered"],
}
#: Typical share of the denominator for a numerator (the rest: 0.5).
_SHARE = {"u5_stunted": 0.12, "u5_underweight": 0.08, "pupils_dropout": 0.01, "pupils_repeating": 0.02,
          "special_circumstances": 0.03, "special_circumstances_assisted": 0.9, "births_registered": 0.97,
          "u1_fully_immunised": 0.96, "enrolled_0_2": 0.3, "enrolled_3_5": 0.9, "primary_ontime": 0.97,
          "lower_secondary_ontime": 0.9}
_ROOT_RANGE = {"u5_measured": (250, 900), "u5_weighed": (250, 900), "pop_u16": (1500, 5000),
               "births": (40, 160), "pop_u1": (40, 160), "abuse_cases": (0, 3), "injuries_u16": (0, 12)}


@dataclass
class Built:
    """What one builder call wrote: the ground truth for the tests.

    ``values``: ``commune_code, period, element, value`` of every reported cell.  ``not_reported``:
    ``commune_code, element, text, row, column`` of the cells typed as not reported.  ``rows``: sheet
    row numbers (1-based) by kind: ``header``, ``numbers`` (column-number row), ``data``, ``blank``,
    ``total``, ``note``.
    """

    path: Path
    district: str
    district_code: str
    period: str
    style: str
    sheet: str
    title: str
    date_line: str
    commune_heading: str
    values: pd.DataFrame
    not_reported: pd.DataFrame
    rows: dict[str, list[int]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


_BUILT: dict[Path, Built] = {}


def default_elements(period: str) -> list[str]:
    """Count and yes/no elements reported for the kind of ``period`` (H1 only those marked H1)."""
    kind = parse_period(period).kind
    return [k for k, e in registry_elements().items() if kind in e.periods and e.derived_from is None
            and e.kind in ("count", "yes_no")]


def _district_units(district: str, period: str) -> tuple[str, str, pd.DataFrame]:
    u = admin_units.units(period)
    key = admin_units.district_key(district)
    hit = u[(u["district_code"] == district) | (u["district_name"].map(admin_units.district_key) == key)]
    if hit.empty:
        raise ValueError(f"no district '{district}' in force in {period}")
    return hit["district_code"].iloc[0], hit["district_name"].iloc[0], hit.sort_values("code").reset_index(drop=True)


def _ordered(els: list[str]) -> list[str]:
    order = [e for g in GROUPS.values() for e in g]
    return sorted(els, key=lambda e: order.index(e) if e in order else len(order))


def _values(codes: list[str], els: list[str], rng: np.random.Generator) -> dict[tuple[str, str], int]:
    """Plausible values for every element (numerators drawn within their denominators)."""
    reg = registry_elements()
    out: dict[tuple[str, str], int] = {}
    todo = [e for e in reg if reg[e].kind in ("count", "yes_no") and reg[e].derived_from is None]
    while todo:  # denominators before their numerators
        for e in list(todo):
            den = reg[e].denominator
            if den is not None and den in todo:
                continue
            todo.remove(e)
            for c in codes:
                if reg[e].kind == "yes_no":
                    out[(c, e)] = int(rng.random() < 0.7)
                elif den is None:
                    lo, hi = _ROOT_RANGE.get(e, (80, 1500))
                    out[(c, e)] = int(rng.integers(lo, hi + 1))
                else:
                    out[(c, e)] = int(rng.binomial(out[(c, den)], _SHARE.get(e, 0.5)))
    return {k: v for k, v in out.items() if k[1] in els}


def _fold_ascii(text: str) -> str:
    return "".join(w.capitalize() for w in admin_units.fold(text).split())


def _bare_district(name: str) -> str:
    return re.sub(r"^(Huyện|Thành phố)\s+", "", name)


def _messy_name(name: str, i: int) -> str:
    """A commune name as a hurried clerk types it: ward numbers abbreviated, the type often left out."""
    m = re.fullmatch(r"Phường (\d+)", name)
    if m:
        return ["P{}", "P.{}", "P {}", "F{}"][i % 4].format(m.group(1))
    if name.startswith("Phường "):
        return "P. " + name[len("Phường "):]
    if name.startswith("Thị trấn "):
        return "TT " + name[len("Thị trấn "):]
    if name.startswith("Xã ") and i % 2:
        return name[len("Xã "):]
    return name


def _sheet_name(style: str, period: str, seed: int) -> str:
    p = parse_period(period)
    if p.kind == "H1":
        # Excel forbids "/" in a sheet name: "6 tháng/2019" is written "6 tháng-2019"
        return {"plain": f"6T-{p.year}", "two_row": f"6 tháng-{p.year}", "messy": f"BC {p.year}"}[style]
    return {"plain": f"Năm {p.year}", "two_row": f"CN {p.year}", "messy": f"Năm {p.year}"}[style]


def _title(period: str) -> str:
    p = parse_period(period)
    when = f"6 THÁNG ĐẦU NĂM {p.year}" if p.kind == "H1" else f"NĂM {p.year}"
    return f"BÁO CÁO KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU VỀ TRẺ EM {when}"


def _date_line(district: str, period: str, style: str) -> str:
    p = parse_period(period)
    place = _bare_district(district)
    if style == "messy":  # sent late: dated in the following year
        return f"{place}, ngày 05 tháng 01 năm {p.year + 1}" if p.kind == "A" else f"{place}, ngày 08 tháng 5 năm {p.year}"
    return f"{place}, ngày 15 tháng 10 năm {p.year}" if p.kind == "A" else f"{place}, ngày 15 tháng 4 năm {p.year}"


def _heading(el: str, style: str, j: int) -> str:
    e = registry_elements()[el]
    if style == "plain" or not e.aliases:
        return e.vi
    if style == "two_row":
        return e.aliases[0]
    return e.vi.replace(" dưới 5 tuổi ", " dưới 5 tuổi\n", 1) if j % 2 else e.aliases[-1]


def district_workbook(path, district: str = "Ba Tri", period: str = "2019", *, elements=None,
                      style: str = "plain", seed: int = 0) -> Path:
    """Write one district's workbook for one period; return its path.

    Parameters
    ----------
    path : path of the ``.xlsx`` to write.
    district : a district name or code in force in ``period`` ("Ba Tri", "Thành phố Bến Tre", "831").
    period : ``"2019"`` (annual report) or ``"2019H1"``.
    elements : element ids (default :func:`default_elements` of the period's kind).
    style : ``"plain"``, ``"two_row"`` or ``"messy"`` (see the module docstring).
    seed : seed of the values and of the small variations (heading wording, number row form).
    """
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}")
    path = Path(path)
    period = str(parse_period(period))
    els = _ordered(list(elements) if elements is not None else default_elements(period))
    dcode, dname, units = _district_units(district, period)
    rng = np.random.default_rng([seed, int(dcode), int(period[:4]), len(period)])
    values = _values(units["code"].tolist(), els, rng)
    reg = registry_elements()

    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_name(style, period, seed)
    ncol = 2 + len(els) + 1
    title, date_line = _title(period), _date_line(dname, period, style)
    ws.cell(1, 1, "UBND TỈNH BẾN TRE" if style == "two_row" else f"UBND {dname.upper()}")
    ws.cell(1, max(ncol - 3, 3), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    ws.cell(2, 1, "PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI" if style != "two_row" else f"UBND {dname.upper()}")
    ws.cell(2, max(ncol - 3, 3), "Độc lập - Tự do - Hạnh phúc")
    ws.cell(3, max(ncol - 3, 3), date_line).font = Font(italic=True)
    ws.cell(5, 1, title).font = Font(bold=True)
    ws.merge_cells(start_row=5, start_column=1, end_row=5, end_column=ncol)
    r = 6
    if style == "messy":
        ws.cell(6, 1, "(Kèm theo Kế hoạch số 3042/KH-UBND ngày 03/7/2013 của UBND tỉnh)")
        r = 7
    r += 1  # one empty line under the title block
    commune_heading = {"plain": ["Tên đơn vị", "Xã, thị trấn"], "two_row": ["Xã/phường/thị trấn", "Đơn vị"],
                       "messy": ["Địa bàn", "Xã, thị trấn"]}[style][seed % 2]
    rows: dict[str, list[int]] = {k: [] for k in ("header", "numbers", "data", "blank", "total", "note")}
    if style == "two_row":
        ws.cell(r, 1, "STT")
        ws.cell(r, 2, commune_heading)
        ws.merge_cells(start_row=r, start_column=1, end_row=r + 1, end_column=1)
        ws.merge_cells(start_row=r, start_column=2, end_row=r + 1, end_column=2)
        col = 3
        for group, members in GROUPS.items():
            span = [e for e in els if e in members]
            if not span:
                continue
            ws.cell(r, col, group)
            if len(span) > 1:
                ws.merge_cells(start_row=r, start_column=col, end_row=r, end_column=col + len(span) - 1)
            col += len(span)
        ws.cell(r, ncol, "Ghi chú")
        ws.merge_cells(start_row=r, start_column=ncol, end_row=r + 1, end_column=ncol)
        rows["header"] += [r, r + 1]
        r += 1
        for j, el in enumerate(els):
            ws.cell(r, 3 + j, _heading(el, style, j)).alignment = Alignment(wrap_text=True)
        r += 1
        for j in range(ncol):
            ws.cell(r, 1 + j, f"({j + 1})" if seed % 2 == 0 else j + 1)
        rows["numbers"].append(r)
        r += 1
    else:
        ws.cell(r, 1, "STT")
        ws.cell(r, 2, commune_heading)
        for j, el in enumerate(els):
            ws.cell(r, 3 + j, _heading(el, style, j)).alignment = Alignment(wrap_text=True)
        ws.cell(r, ncol, "Ghi chú")
        rows["header"].append(r)
        r += 1

    kept, skipped_cells, names = [], [], {}
    odd_cells = _messy_cells(units["code"].tolist(), els, rng) if style == "messy" else {}
    blank_after = len(units) // 2 if style == "messy" else -1
    for i, unit in units.iterrows():
        if i == blank_after:
            rows["blank"].append(r)
            r += 1
        name = _messy_name(unit["name"], i) if style == "messy" else unit["name"]
        names[unit["code"]] = name
        ws.cell(r, 1, i + 1)
        ws.cell(r, 2, name)
        for j, el in enumerate(els):
            v = values[(unit["code"], el)]
            odd = odd_cells.get((unit["code"], el))
            cell = ws.cell(r, 3 + j)
            if odd == "not_reported":
                text = NOT_REPORTED[len(skipped_cells) % len(NOT_REPORTED)]
                cell.value = text
                skipped_cells.append((unit["code"], el, text, r, cell.column_letter))
                continue
            if reg[el].kind == "yes_no" and style == "messy":
                cell.value = ["Có", "x", "Có"][i % 3] if v else ["Không", 0][i % 2]
            elif odd == "residue":
                cell.value = float(np.nextafter(float(v), np.inf))
            elif odd == "text_thousands" and v >= 1000:
                cell.value = f"{v // 1000}.{v % 1000:03d}"
            else:
                cell.value = v
            kept.append((unit["code"], period, el, float(v)))
        rows["data"].append(r)
        r += 1
    if style == "messy":
        ws.cell(r, 2, "Tổng cộng")
        for j, el in enumerate(els):
            ws.cell(r, 3 + j, sum(v for c, p, e, v in kept if e == el))
        rows["total"].append(r)
        r += 2
        ws.cell(r, 2, "Ghi chú: KPS = không phát sinh; x = không có số liệu")
        rows["note"].append(r)
        ws.cell(r + 2, max(ncol - 3, 3), "NGƯỜI LẬP BIỂU")
        rows["note"].append(r + 2)
    ws.column_dimensions["B"].width = 22
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)

    _BUILT[path.resolve()] = Built(
        path=path, district=dname, district_code=dcode, period=period, style=style, sheet=ws.title,
        title=title, date_line=date_line, commune_heading=commune_heading,
        values=pd.DataFrame(kept, columns=["commune_code", "period", "element", "value"]),
        not_reported=pd.DataFrame(skipped_cells, columns=["commune_code", "element", "text", "row", "column"]),
        rows=rows, names=names)
    return path


def _messy_cells(codes: list[str], els: list[str], rng: np.random.Generator) -> dict[tuple[str, str], str]:
    """Which cells a messy workbook types oddly: five not reported, two residues, two text numbers."""
    counts = [e for e in els if registry_elements()[e].kind == "count"]
    if not counts:
        return {}
    cells = [(c, e) for c in codes for e in counts]
    pick = rng.choice(len(cells), size=min(len(cells), 9), replace=False)
    kinds = ["not_reported"] * 5 + ["residue"] * 2 + ["text_thousands"] * 2
    return {cells[k]: kind for k, kind in zip(pick, kinds)}


def _file_name(district: str, period: str) -> str:
    p = parse_period(period)
    when = f"6T{p.year}" if p.kind == "H1" else str(p.year)
    short = _fold_ascii(_bare_district(district))
    return f"BaoCao_{'TP' + short if admin_units.fold(district).startswith('thanh pho') else short}_{when}.xlsx"


def district_folder(root, districts=("Ba Tri", "Giồng Trôm", "Mỏ Cày Nam", "Chợ Lách", "Thành phố Bến Tre"),
                    periods=("2023", "2024"), style: str = "plain") -> Path:
    """A folder of ordinary district workbooks (one per district and period), nothing else.

    No descriptor, no score sheets, no arrival log: what a province office has after a round of
    reports.  File names as districts choose them (``BaoCao_BaTri_2024.xlsx``).
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    for k, d in enumerate(districts):
        for p in periods:
            district_workbook(root / _file_name(d, str(p)), d, str(p), style=style, seed=k)
    return root


def built(path) -> Built:
    """The record of what :func:`district_workbook` wrote to ``path``."""
    try:
        return _BUILT[Path(path).resolve()]
    except KeyError:
        raise KeyError(f"{path} was not written by tests.realformat in this session") from None


def expected_values(path) -> pd.DataFrame:
    """``commune_code, period, element, value`` written to a workbook, or to every workbook of a folder."""
    p = Path(path).resolve()
    if p.is_dir():
        parts = [b.values for k, b in sorted(_BUILT.items()) if k.parent == p]
        if not parts:
            raise KeyError(f"no workbook of {path} was written by tests.realformat in this session")
        return pd.concat(parts, ignore_index=True)
    return built(p).values.copy()

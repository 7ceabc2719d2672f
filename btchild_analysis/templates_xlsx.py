"""Empty Excel templates for each part of a data folder (``btchild template OUTDIR``).

A data folder (see :mod:`btchild_analysis.dataset`) has four parts; each template has the headings
the loader recognises, so a filled-in template loads as it is:

=================== ============================================================================
file                content
=================== ============================================================================
submissions.xlsx    one sheet per period kind ("Năm 2024", "6 tháng đầu năm 2024"): Mã xã, Tên xã,
                    then one column per data element (Vietnamese headings from ``elements.yaml``),
                    one row per commune in force at the period's reference date
scores.xlsx         self-assessment scores: Mã xã, Tên xã, Năm, Tiêu chí, Nội dung tiêu chí,
                    Điểm tối đa, Điểm — one row per commune and criterion of the year's edition
arrivals.xlsx       arrival log of reports: Mã xã, Tên xã, Kỳ báo cáo, Ngày nộp (dd/mm/yyyy)
classes.xlsx        commune classes that differ from the register's: Mã xã, Năm, Loại xã
datapackage.yaml    the folder's descriptor (title, source, as_of, synthetic: false, resources)
HUONG_DAN.md        how to fill them in (Vietnamese and English)
=================== ============================================================================
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import yaml

from . import admin_units
from .errors import BtchildError, EditionError
from .outputs import atomic_write_text, write_excel
from .periods import Period, parse_period
from .catalog import elements

FILES = {"submissions": "submissions.xlsx", "scores": "scores.xlsx", "arrivals": "arrivals.xlsx",
         "classes": "classes.xlsx"}
DESCRIPTOR = "datapackage.yaml"
GUIDE = "HUONG_DAN.md"
CODE, NAME = "Mã xã", "Tên xã"
SCORE_HEADINGS = [CODE, NAME, "Năm", "Tiêu chí", "Nội dung tiêu chí", "Điểm tối đa", "Điểm"]
ARRIVAL_HEADINGS = [CODE, NAME, "Kỳ báo cáo", "Ngày nộp"]
CLASS_HEADINGS = [CODE, "Năm", "Loại xã"]


def periods_of(period: object) -> list[Period]:
    """The periods a template covers: a year gives its H1 and annual report, ``YYYYH1`` only H1.

    >>> [str(p) for p in periods_of("2024")], [str(p) for p in periods_of("2024H1")]
    (['2024H1', '2024'], ['2024H1'])
    """
    p = parse_period(period)
    return [Period(p.year, "H1"), p] if p.kind == "A" else [p]


def sheet_title(p: Period) -> str:
    """The sheet name districts use: ``"Năm 2024"`` or ``"6 tháng đầu năm 2024"``."""
    return f"Năm {p.year}" if p.kind == "A" else f"6 tháng đầu năm {p.year}"


def communes(p: Period | int, district: str | None = None) -> pd.DataFrame:
    """Units in force at the period's reference date (``code, name``), of one district if given."""
    u = admin_units.units(p)
    if district is not None:
        u = u[u["district_code"] == str(admin_units.find_district(district, p)["district_code"])]
    return u[["code", "name"]].reset_index(drop=True)


def submissions_sheets(period: object, district: str | None = None) -> dict[str, pd.DataFrame]:
    """One empty wide sheet per period kind, prefilled with the communes in force then."""
    sheets = {}
    for p in periods_of(period):
        cols = [e.vi for e in elements().values() if p.kind in e.periods and not e.derived_from]
        c = communes(p, district)
        table = pd.DataFrame({CODE: c["code"], NAME: c["name"]})
        sheets[sheet_title(p)] = pd.concat([table, pd.DataFrame(None, index=table.index, columns=cols, dtype=object)],
                                           axis=1)
    return sheets


def scores_sheet(year: int, district: str | None = None) -> pd.DataFrame:
    """One row per commune and criterion of the edition for ``year`` (empty score)."""
    from .standard import edition_for_year, load_edition

    try:
        criteria = load_edition(edition_for_year(year)).criteria
    except EditionError:
        criteria = ()
    c = communes(year, district)
    rows = [(code, name, year, cr.id, cr.vi, cr.max_points, None)
            for code, name in zip(c["code"], c["name"]) for cr in criteria]
    return pd.DataFrame(rows, columns=SCORE_HEADINGS, dtype=object)


def arrivals_sheet(period: object, district: str | None = None) -> pd.DataFrame:
    """One row per commune and period (empty date of receipt)."""
    rows = []
    for p in periods_of(period):
        c = communes(p, district)
        rows += [(code, name, str(p), None) for code, name in zip(c["code"], c["name"])]
    return pd.DataFrame(rows, columns=ARRIVAL_HEADINGS, dtype=object)


def descriptor_text(title: str, as_of: dt.date | None = None) -> str:
    """An example ``datapackage.yaml`` naming the four templates (real data: ``synthetic: false``)."""
    meta = {"title": title, "source": "UBND xã/huyện — báo cáo định kỳ theo KH 3042/KH-UBND",
            "as_of": (as_of or dt.date.today()).isoformat(), "synthetic": False,
            "resources": [{"path": name, "kind": kind} for kind, name in FILES.items()]}
    head = ("# Mô tả thư mục số liệu / What this data folder is (read by btchild load_dataset).\n"
            "# synthetic: true only for invented data; resources: the file of each part.\n")
    return head + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)


def _classes_in_editions() -> list[str]:
    from ._resources import load_yaml

    names: list[str] = []
    for ed in load_yaml("editions/index.yaml")["years"]:
        spec = load_yaml(f"editions/{ed['edition']}.yaml")
        names += [k for k in spec["pass_rule"]["min_total_by_class"] if k not in names]
    return names


def guide_text(period: object, district_name: str | None) -> str:
    """How to fill in the templates (Markdown, Vietnamese then English)."""
    where = f" — {district_name}" if district_name else ""
    classes = ", ".join(f"`{c}`" for c in _classes_in_editions())
    return f"""# Biểu mẫu số liệu / Data templates ({period}{where})

## Tiếng Việt
- `{FILES['submissions']}`: mỗi sheet là một kỳ báo cáo (tên sheet ghi kỳ). Mỗi dòng một xã; ghi số
  vào cột chỉ tiêu; chỉ tiêu có/không ghi 1 (có) hoặc 0 (không); để trống khi không có số liệu.
  Không sửa dòng tiêu đề, Mã xã và tên sheet.
- `{FILES['scores']}`: điểm tự chấm của từng tiêu chí (cột Điểm), không vượt Điểm tối đa.
- `{FILES['arrivals']}`: ngày nhận báo cáo của từng xã (Ngày nộp, dạng ngày/tháng/năm); để trống nếu
  chưa nhận.
- `{FILES['classes']}`: chỉ ghi các xã có loại khác với mặc định (Loại xã: {classes}).
- `{DESCRIPTOR}`: tên, nguồn và ngày cập nhật của bộ số liệu; `synthetic: false` cho số liệu thật.

## English
- `{FILES['submissions']}`: one sheet per reporting period (named by the sheet). One row per commune;
  counts in the element columns; yes/no elements 1 (yes) or 0 (no); leave empty when not reported.
  Keep the heading row, the commune codes and the sheet names.
- `{FILES['scores']}`: the self-assessment score of each criterion (Điểm), at most Điểm tối đa.
- `{FILES['arrivals']}`: the date each commune's report arrived (Ngày nộp, dd/mm/yyyy); empty if not yet.
- `{FILES['classes']}`: only communes whose class differs from the default (Loại xã: {classes}).
- `{DESCRIPTOR}`: title, source and as-of date of the data; `synthetic: false` for real data.

Check a filled folder with `btchild load {FILES['submissions']}` and `btchild completeness FOLDER --period {period}`.
"""


def write_templates(outdir: str | Path, period: object, district: str | None = None,
                    overwrite: bool = False) -> list[Path]:
    """Write the four workbooks, ``datapackage.yaml`` and ``HUONG_DAN.md`` into ``outdir``.

    Parameters
    ----------
    outdir : path
        Folder to write into (created if missing).
    period : str or int
        ``2024`` (sheets for 2024H1 and 2024) or ``2024H1``: the communes listed are those in force.
    district : str, optional
        Code or name of a district (loosely, see :func:`admin_units.find_district`): only its communes.
    overwrite : bool
        Replace templates already there; otherwise an existing file is never touched.

    Returns
    -------
    list of Path

    Raises
    ------
    BtchildError
        When a file would be overwritten (without ``overwrite``), or for an unknown district or period.
    """
    out = Path(outdir)
    p = parse_period(period)
    d_name = str(admin_units.find_district(district, p)["district_name"]) if district is not None else None
    names = [*FILES.values(), DESCRIPTOR, GUIDE]
    taken = [n for n in names if (out / n).exists()]
    if taken and not overwrite:
        raise BtchildError(f"{out}: {', '.join(taken)} already there; choose another folder or use --force")
    out.mkdir(parents=True, exist_ok=True)
    written = [
        write_excel(out / FILES["submissions"], submissions_sheets(p, district)),
        write_excel(out / FILES["scores"], {"Biểu chấm điểm": scores_sheet(p.year, district)}),
        write_excel(out / FILES["arrivals"], {"Ngày nộp báo cáo": arrivals_sheet(p, district)}),
        write_excel(out / FILES["classes"], {"Loại xã": pd.DataFrame(columns=CLASS_HEADINGS)}),
    ]
    title = "Số liệu trẻ em tỉnh Bến Tre" + (f" — {d_name}" if d_name else "") + f", kỳ {p}"
    written.append(atomic_write_text(out / DESCRIPTOR, descriptor_text(title)))
    written.append(atomic_write_text(out / GUIDE, guide_text(p, d_name)))
    return written

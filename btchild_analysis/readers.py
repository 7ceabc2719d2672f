"""Read district files (CSV, ``.xlsx``, legacy ``.xls``) into long rows with provenance, bounded in size.

Every line below a table's header is accounted for: a data line gives one record per element column
(one for the long layout); a blank line, a line of separators only or a row of column numbers
("1 2 3 …", "(1) (2) (3) …") is *skipped* and counted by reason; a line below the table (a note, a
signature), a CSV line that cannot be split (a stray quote, extra fields) and a sheet without a
recognisable table are records with a fault that the validation quarantines.  :class:`RawRead`
carries the count of records read, so that ``read = accepted + quarantined + folded + skipped`` can
be checked after validation (:meth:`btchild_analysis.validation.LoadResult.check`).

Workbooks
---------
The heading above a table gives the period and the district.  The period comes from the report
title ("BÁO CÁO … 6 THÁNG ĐẦU NĂM 2019"), never from a date line ("Ba Tri, ngày 15 tháng 10 năm
2019") or a legal basis ("Kèm theo Kế hoạch số 3042/KH-UBND ngày 03/7/2013"); the sheet name may
say it too ("Năm 2019", "CN 2019", "6T-2019", "6 tháng/2019").  When the two name the same year the
more specific wins (a half-year over a bare year) and :attr:`RawRead.notes` says so; two different
years are a contradiction and every record of the sheet is quarantined (``period_conflict``).
Headings may take two rows (merged group headings above the element headings); the heading words are
in ``data/layout.yaml``.  Sheets are read by their content, not by the dimension they declare.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .cells import (EXCEL_SUFFIXES, LONG_COLUMNS, RAW_COLUMNS, RawRead, _fast_long, _scan_text, _text_cells,
                    check_regular_file, column_letter, detect_encoding, read_sheets)
from .errors import SubmissionError
from .headings import (_starts_with_any, choose_period, district_from_place, district_in_text, fold_key,
                       is_blank, is_date_line, is_ignored_heading, is_total_label, layout, period_in_text,
                       role_of, sex_of, split_sex_heading, title_period, ward_name)
from .limits import Limits, get_limits
from .periods import Period
from .catalog import element_for_header

#: Names other modules and the tests take from here (the reading layer's public face).
__all__ = ["EXCEL_SUFFIXES", "LONG_COLUMNS", "RAW_COLUMNS", "RawRead", "choose_period", "combine",
           "detect_encoding", "fold_key", "is_blank", "layout", "period_in_text", "read_file", "read_raw",
           "read_sheets", "read_table", "title_period", "ward_name"]


# ----------------------------------------------------------------------------- tables

@dataclass
class _Header:
    row: int                     # position (iloc) of the last header row
    kind: str                    # "long" or "wide"
    roles: dict[int, str]        # column → role
    elements: dict[int, str]     # column → element id (or the heading text of an unknown one)
    headings: dict[int, str]     # column → heading text shown in the quarantine
    unknown: list[int]           # element columns whose heading is not in the registry
    ignored: list[int]           # columns not read (STT, Ghi chú, …)
    first_row: int = -1          # position of the first header row (the group row of a two-row header)
    sexes: dict[int, str] = field(default_factory=dict)  # column → "male"/"female" (a part; else the total)

    def __post_init__(self):
        if self.first_row < 0:
            self.first_row = self.row


def _text(v: object) -> str | None:
    if is_blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def find_header(cells: pd.DataFrame, max_scan: int = 30) -> _Header | None:
    """The header of the table in a sheet's first ``max_scan`` rows (one or two heading rows)."""
    n = min(len(cells), max_scan)
    grid = [[_text(v) for v in cells.iloc[i].tolist()] for i in range(n)]
    for i in range(n):
        row = grid[i]
        above = grid[i - 1] if i else [None] * len(row)
        roles = {j: role_of(h) for j, h in enumerate(row) if role_of(h)}
        roles_above = {j: role_of(h) for j, h in enumerate(above) if role_of(h) and not row[j]}
        if {"element", "value"} <= set(roles.values()) and {"commune_code", "commune_name"} & set(roles.values()):
            return _Header(i, "long", roles, {}, {j: row[j] for j in roles}, [], [])
        els, sexes = _element_columns(row, roles)
        all_roles = {**roles_above, **roles}
        if not els or not ({"commune_code", "commune_name"} & set(all_roles.values())):
            continue
        headings = {j: row[j] for j in els}
        for j, h in enumerate(above):  # an element heading merged over both rows
            if h and not row[j] and j not in all_roles and element_for_header(h):
                els[j], headings[j] = element_for_header(h), h
        two_row = bool(roles_above) or any(above[j] and not row[j] for j in els)
        first = i - 1 if two_row else i
        if i + 1 < len(cells) and _sex_row(cells.iloc[i + 1].tolist(), row, els, all_roles, sexes, headings):
            i += 1  # "Tổng số | Nam | Nữ" under the element headings: the header ends one row lower
            row = [r or s for r, s in zip(row, [_text(v) for v in cells.iloc[i].tolist()])]
        unknown, ignored = [], []
        for j in range(len(row)):
            if j in els or j in all_roles:
                continue
            h = row[j] or above[j]
            if not h:
                continue
            if is_ignored_heading(h):
                ignored.append(j)
                headings[j] = h
            elif row[j] and cells.iloc[i + 1:, j].map(lambda v: not is_blank(v)).any():
                unknown.append(j)  # a heading that is not an element, over values: quarantined
                els[j], headings[j] = row[j], row[j]
        return _Header(i, "wide", all_roles, els, headings, unknown, ignored, first, sexes)
    return None


def _element_columns(row: list, roles: dict) -> tuple[dict[int, str], dict[int, str]]:
    """Element columns of a heading row, and the sex of those whose heading names one
    (``"SDD thấp còi - Nam"``, ``"Thấp còi (Nữ)"``)."""
    els, sexes = {}, {}
    for j, h in enumerate(row):
        if not h or roles.get(j):
            continue
        e = element_for_header(h)
        if e is None and (split := split_sex_heading(h)) is not None:
            e = element_for_header(split[0])
            if e is not None and split[1] != "total":
                sexes[j] = split[1]
        if e:
            els[j] = e
    return els, sexes


def _sex_row(cells: list, row: list, els: dict, roles: dict, sexes: dict, headings: dict) -> bool:
    """Read a row of ``Tổng số | Nam | Nữ`` (or ``Tổng số | Trong đó: Nữ``) under element headings
    merged across their columns into ``els``, ``sexes``, ``headings``; False (nothing changed) when
    the row is not one."""
    subs = {j: _text(v) for j, v in enumerate(cells) if not is_blank(v) and j not in roles}
    if not subs or not any(sex_of(t) in ("male", "female") for t in subs.values()) \
            or any(sex_of(t) is None for t in subs.values()):
        return False
    owner = {}
    for j in subs:  # the element heading at or left of the column (the merged cell's first column)
        k = next((k for k in range(min(j, len(row) - 1), -1, -1) if row[k]), None)
        if k is None or k not in els:
            return False
        owner[j] = k
    for j, k in owner.items():
        sex = sex_of(subs[j])
        els[j] = els[k]
        headings[j] = f"{row[k]} – {subs[j]}"
        if sex == "total":
            sexes.pop(j, None)
        else:
            sexes[j] = sex
    return True


_VALUE_TEXT = re.compile(r"^[\s+\-]?[\d\s.,%]+$")


def _value_like(v: object) -> bool:
    """A cell that holds a value: a number, a number as text, a not-reported mark or a yes/no word."""
    if is_blank(v):
        return False
    if not isinstance(v, str):
        return True
    key = fold_key(v)
    return bool(_VALUE_TEXT.match(v.strip())) or key in _value_words()


@lru_cache(maxsize=1)
def _value_words() -> frozenset:
    lay = layout()
    return frozenset(lay["not_reported"] + lay["yes_words"] + lay["no_words"])


_BLANK = np.frompyfunc(is_blank, 1, 1)
_VALUE_LIKE = np.frompyfunc(_value_like, 1, 1)


def _per_distinct(values: np.ndarray, func) -> np.ndarray:
    """``func`` of each value, computed once per distinct value (bool array)."""
    codes, uniq = pd.factorize(values, use_na_sentinel=True)
    res = np.array([bool(func(u)) for u in uniq] + [False], dtype=bool)
    return res[np.where(codes < 0, len(uniq), codes)]


_NUMBER_CELL = re.compile(r"^\(?\s*\d{1,3}\s*\)?$")


def _is_number_row(values: list) -> bool:
    """A row of column numbers under a header: ``1 2 3 …`` or ``(1) (2) (3) …`` (increasing)."""
    nums = []
    for v in values:
        if is_blank(v):
            continue
        t = _text(v)
        if not _NUMBER_CELL.match(t or ""):
            return False
        nums.append(int(re.sub(r"\D", "", t)))
    return len(nums) >= 3 and all(b > a for a, b in zip(nums, nums[1:]))


_SEPARATOR_ONLY = re.compile(r"^[\s\-=_*.;,|~+#]*$")


def _line_text(values: list) -> str:
    return " | ".join(t for t in (_text(v) for v in values) if t)


def table_records(cells: pd.DataFrame, header: _Header, file: str, sheet: str, district: str | None,
                  period: Period | None, conflict: str | None, bad_lines: dict | None = None) -> RawRead:
    """Records of one table: long rows with provenance, counts of skipped lines, notes."""
    body = cells.iloc[header.row + 1:]
    line_no = body.index.to_numpy() + 1
    vals = body.to_numpy(dtype=object)
    skipped: Counter = Counter()
    notes: list[tuple[str, str, str]] = []
    id_cols = [j for j, r in header.roles.items() if r in ("commune_code", "commune_name")]
    el_cols = sorted(header.elements) if header.kind == "wide" else [j for j, r in header.roles.items() if r == "value"]
    width = len(el_cols) if header.kind == "wide" else 1

    blank = _BLANK(vals).astype(bool) if vals.size else np.ones(vals.shape, dtype=bool)
    line_blank = blank.all(axis=1) if vals.ndim == 2 and vals.shape[1] else np.ones(len(vals), dtype=bool)
    if header.kind == "wide":  # a signature or note over the element columns is not a value
        sub = vals[:, el_cols] if len(vals) else np.empty((0, len(el_cols)), dtype=object)
        has_el = _VALUE_LIKE(sub).astype(bool).any(axis=1) if sub.size else np.zeros(len(vals), dtype=bool)
    else:
        has_el = ~line_blank
    ident = np.full(len(vals), None, dtype=object)
    for j in reversed(id_cols):  # the first identity column that is filled
        filled = ~blank[:, j]
        ident[filled] = vals[filled, j]
    is_total = _per_distinct(ident, is_total_label)
    last_data = int(np.flatnonzero(has_el)[-1]) if has_el.any() else -1
    kinds = np.where(line_blank, "blank_line", np.where(np.arange(len(vals)) > last_data, "below_table", "data"))
    kinds = kinds.astype(object)
    for k in np.flatnonzero(~line_blank & pd.isna(ident)):  # separator lines and column-number rows
        texts = [_text(v) for v in vals[k] if not is_blank(v)]
        if all(_SEPARATOR_ONLY.match(t) for t in texts):
            kinds[k] = "separator_line"
        elif k <= 2 and all(kd in ("blank_line", "column_numbers") for kd in kinds[:k]) \
                and _is_number_row(list(vals[k])):
            kinds[k] = "column_numbers"
    if len(vals) and header.kind == "wide":  # "1 2 3 …" with "2" in the commune column
        for k in range(min(3, len(vals))):
            if kinds[k] == "data" and all(kd in ("blank_line", "column_numbers") for kd in kinds[:k]) \
                    and _is_number_row(list(vals[k])):
                kinds[k] = "column_numbers"
    for reason in ("blank_line", "separator_line", "column_numbers"):
        skipped[reason] += int((kinds == reason).sum())
    data = kinds == "data"
    rows_read = int(data.sum()) * width + int((~data).sum())

    base = {"file": file, "sheet": sheet}
    parts = []
    d_rows = np.flatnonzero(data)
    col_of = {r: j for j, r in header.roles.items()}

    def take(role, default=None):
        if role in col_of:
            return np.array([vals[k][col_of[role]] for k in d_rows], dtype=object)
        return np.full(len(d_rows), default, dtype=object)

    fault = "period_conflict" if conflict else None
    common = pd.DataFrame({"row": line_no[d_rows], "commune_code": take("commune_code"),
                           "commune_name": take("commune_name"), "district": take("district", district),
                           "period": take("period", str(period) if period else None)})
    common["total_row"] = is_total[d_rows]
    if header.kind == "long":
        parts.append(common.assign(element=take("element"), value=take("value"), sex=take("sex"),
                                   column=column_letter(col_of["value"]) + ":value"))
    else:
        row_sex = take("sex")  # a "Giới tính" column: one row per commune and sex
        for j in el_cols:
            parts.append(common.assign(element=header.elements[j],
                                       sex=header.sexes[j] if j in header.sexes else row_sex,
                                       value=np.array([vals[k][j] for k in d_rows], dtype=object),
                                       column=f"{column_letter(j)}:{header.headings[j]}"))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=RAW_COLUMNS)
    frame = frame.assign(**base, fault=fault, fault_hint=conflict or "")
    below = np.flatnonzero(kinds == "below_table")
    if len(below):
        frame = pd.concat([frame, pd.DataFrame({
            **base, "row": line_no[below], "column": "", "commune_code": None, "commune_name": None,
            "district": district, "period": str(period) if period else None, "element": None,
            "value": [_line_text(list(vals[k])) for k in below], "total_row": False,
            "fault": "below_table", "fault_hint": ""})], ignore_index=True)
    if bad_lines:
        hdr_line = int(cells.index[header.row])
        mine = {i: v for i, v in bad_lines.items() if i > hdr_line and v[0] != "separator_line"}
        n_sep = sum(1 for i, v in bad_lines.items() if i > hdr_line and v[0] == "separator_line")
        skipped["separator_line"] += n_sep
        rows_read += n_sep
        if mine:
            frame = pd.concat([frame, pd.DataFrame({
                **base, "row": [i + 1 for i in mine], "column": "", "commune_code": None, "commune_name": None,
                "district": district, "period": str(period) if period else None, "element": None,
                "value": [t for _, t in mine.values()], "total_row": False, "fault": "bad_line",
                "fault_hint": [f for f, _ in mine.values()]})], ignore_index=True)
            rows_read += len(mine)
    for j in header.ignored:
        h = header.headings.get(j, "")
        if not _starts_with_any(fold_key(h), ["stt", "tt", "so tt", "so thu tu"]) \
                and any(not is_blank(vals[k][j]) for k in d_rows):
            notes.append((file, sheet, f"cột {column_letter(j)} '{h}' không phải số liệu, không đọc / "
                                       f"column {column_letter(j)} '{h}' not read (not data)"))
    if header.kind == "long":
        frame = _extra_fields(frame, cells, header, d_rows, vals)
    return RawRead(rows=frame.reindex(columns=RAW_COLUMNS + ["sex"]), rows_read=rows_read, skipped=skipped,
                   notes=notes)


def _extra_fields(frame: pd.DataFrame, cells, header: _Header, d_rows, vals) -> pd.DataFrame:
    """A long-layout line with more fields than the header: the line is quarantined with its text."""
    heads = [j for j, v in enumerate(cells.iloc[header.row].tolist()) if not is_blank(v)]
    used = max(heads) + 1
    extra = np.array([any(not is_blank(v) for v in vals[k][used:]) for k in d_rows], dtype=bool)
    if not extra.any():
        return frame
    frame = frame.copy()
    idx = np.flatnonzero(extra)
    frame.loc[idx, "fault"] = "bad_line"
    frame.loc[idx, "fault_hint"] = "extra_fields"
    frame.loc[idx, "value"] = [",".join("" if is_blank(v) else str(v) for v in vals[d_rows[k]]).rstrip(",")
                               for k in idx]
    frame.loc[idx, "column"] = ""
    return frame


# ----------------------------------------------------------------------------- files

def _no_table(file: str, sheet: str, cells: pd.DataFrame) -> RawRead:
    texts = [t for t in (_text(v) for v in cells.to_numpy(dtype=object).ravel()) if t][:6]
    first = int(next((i for i in range(len(cells)) if any(not is_blank(v) for v in cells.iloc[i])), 0))
    row = pd.DataFrame({"file": [file], "sheet": [sheet], "row": [int(cells.index[first]) + 1 if len(cells) else 1],
                        "column": [""], "commune_code": [None], "commune_name": [None], "district": [None],
                        "period": [None], "element": [None], "value": [" | ".join(texts)[:200]],
                        "total_row": [False], "fault": ["no_table"], "fault_hint": [""]})
    return RawRead(rows=row, rows_read=1)


def _sheet_district(district, heading: list[str], sheet: str, path: Path) -> str | None:
    if district:
        return district
    places = [t.split(",")[0] for t in heading if is_date_line(t)]
    return (district_in_text(" ".join(heading)) or district_in_text(sheet)
            or next((d for d in map(district_from_place, places) if d), None) or district_from_place(path.stem))


def read_file(path: str | Path, district: str | None = None, limits: Limits | None = None) -> RawRead:
    """Read one file into long records with provenance, counts and notes (before validation).

    A long CSV with the standard header goes through ``pandas.read_csv`` when every line gives one
    row; otherwise each line is split on its own, so that one bad line is quarantined with its text
    and true line number and the rest load.  Workbooks are read sheet by sheet (see the module
    docstring).

    Raises
    ------
    SubmissionError
        The file is missing, empty, past a limit (:mod:`btchild_analysis.limits`), not a workbook, or
        holds no table at all.
    """
    path = Path(path)
    lim = get_limits(limits)
    check_regular_file(path)
    bad: dict | None = None
    if path.suffix.lower() in EXCEL_SUFFIXES:
        sheets = read_sheets(path, lim)
    else:
        info = _scan_text(path, lim, quick=True)  # empty lines counted by _fast_long when needed
        fast = _fast_long(path, info, lim)
        if fast is not None:
            return fast
        cells, bad, _ = _text_cells(path, info, lim)
        sheets = {"": cells}
    reads, found = [], False
    for sheet, cells in sheets.items():
        sheet = str(sheet)
        header = find_header(cells)
        if header is None:
            if cells.notna().to_numpy().any():
                reads.append(_no_table(str(path), sheet, cells))
            continue
        found = True
        top = header.first_row
        heading = [t for t in (_text(v) for v in cells.iloc[:top].to_numpy(dtype=object).ravel()) if t]
        title, title_text = title_period(heading)
        period, note, conflict = choose_period(sheet, title, title_text, period_in_text(sheet))
        rr = table_records(cells, header, str(path), sheet, _sheet_district(district, heading, sheet, path),
                           period, conflict, bad)
        if note:
            rr.notes.append((str(path), sheet, note))
        if conflict:
            rr.notes.append((str(path), sheet, f"kỳ báo cáo mâu thuẫn, cả trang bị cách ly / contradictory "
                                               f"periods, the sheet is quarantined: {conflict}"))
        for j in header.unknown:
            rr.notes.append((str(path), sheet, f"cột {column_letter(j)} '{header.headings[j]}' không phải chỉ tiêu "
                                               f"đã biết / column {column_letter(j)} is not a known element"))
        reads.append(rr)
    if not found:
        raise SubmissionError(
            f"{path}: no table found — expected a header row with a commune column (Mã xã or Tên xã) "
            f"and element columns (see `btchild elements`) or the long layout {', '.join(LONG_COLUMNS)}")
    return combine(reads)


def combine(reads: list[RawRead]) -> RawRead:
    """One :class:`RawRead` from several (files or sheets)."""
    rows = [r.rows for r in reads if len(r.rows)]
    skipped: Counter = Counter()
    for r in reads:
        skipped.update(r.skipped)
    return RawRead(rows=pd.concat(rows, ignore_index=True) if len(rows) > 1 else
                   (rows[0] if rows else pd.DataFrame(columns=RAW_COLUMNS)),
                   rows_read=sum(r.rows_read for r in reads), skipped=skipped,
                   notes=[n for r in reads for n in r.notes])


def read_raw(path: str | Path, district: str | None = None, limits: Limits | None = None) -> pd.DataFrame:
    """The long records of one file (:attr:`RawRead.rows` of :func:`read_file`)."""
    return read_file(path, district, limits).rows


def read_table(path: str | Path, limits: Limits | None = None, header_words: set[str] | None = None) -> pd.DataFrame:
    """A simple table (first sheet of a workbook, or a CSV), bounded by ``limits``.

    The header is the first non-empty row, or, with ``header_words`` (folded headings, see
    :func:`fold_key`), the first of the first 30 rows with two such headings (title lines above it
    are skipped).  The index is the file's row number − 1 (blank lines are dropped, not renumbered).
    """
    path = Path(path)
    lim = get_limits(limits)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        sheets = read_sheets(path, lim)
        cells = next(iter(sheets.values())) if sheets else pd.DataFrame()
    else:
        check_regular_file(path)
        cells, _, _ = _text_cells(path, _scan_text(path, lim), lim)
    filled = cells.notna().any(axis=1).to_numpy() if len(cells) else np.zeros(0, bool)
    if not filled.any():
        raise SubmissionError(f"{path}: the file is empty")
    first = int(np.flatnonzero(filled)[0])
    if header_words:
        for i in range(min(len(cells), 30)):
            if sum(fold_key(v) in header_words for v in cells.iloc[i].tolist() if not is_blank(v)) >= 2:
                first = i
                break
    table = cells.iloc[first + 1:][filled[first + 1:]]
    table.columns = [_text(c) or f"column_{j + 1}" for j, c in enumerate(cells.iloc[first].tolist())]
    return table

"""Read commune submissions (long or wide, CSV or Excel), validate them, quarantine what is wrong.

Every data row read ends in exactly one place: ``accepted``, ``quarantine`` (with the file, sheet,
row, column, value and a reason in Vietnamese and English), or folded as an exact duplicate of an
accepted row.  :class:`LoadResult` ``.summary`` holds the counts and they add up.

Formats
-------
long
    One row per commune, period and element: ``commune_code, period, element, value`` (the design's
    contract).  ``commune_name`` and ``district`` may replace ``commune_code``.
wide
    The workbook districts keep: one row per commune, one column per element (Vietnamese headings
    from the element registry, ids or aliases), title rows above the table, a total row below, one
    sheet per period (the period in the sheet name, the title or a ``period`` column).
"""
from __future__ import annotations

import codecs
import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from . import register
from ._resources import load_yaml
from .errors import PeriodError, SubmissionError
from .periods import parse_period
from .registry import element_for_header, elements

LONG_COLUMNS = ["commune_code", "period", "element", "value"]
QUARANTINE_COLUMNS = ["file", "sheet", "row", "column", "commune_code", "period", "element", "value",
                      "reason", "reason_vi", "reason_en"]
_HEADER_ALIASES = {
    "commune_code": ["commune_code", "ma xa", "ma don vi", "ma", "code", "ma xa phuong"],
    "commune_name": ["commune_name", "commune", "ten xa", "xa phuong", "xa, phuong, thi tran", "don vi",
                     "ten don vi", "xa/phuong", "xa/phuong/thi tran"],
    "district": ["district", "huyen", "district_code", "ma huyen", "ten huyen", "huyen/thanh pho"],
    "period": ["period", "ky", "ky bao cao", "nam", "year"],
    "element": ["element", "chi tieu", "ma chi tieu"],
    "value": ["value", "gia tri", "so lieu"],
}


@dataclass
class LoadResult:
    """Outcome of a load: accepted rows, quarantine, outlier flags and the counts.

    ``accepted`` has ``commune_code, period, element, value, file`` (one row per commune × period ×
    element); ``quarantine`` has :data:`QUARANTINE_COLUMNS`; ``flags`` lists implausible but kept
    values (see :func:`btchild_analysis.quality.outliers`).
    """

    accepted: pd.DataFrame
    quarantine: pd.DataFrame
    duplicates_folded: int
    files: list[str] = field(default_factory=list)
    flags: pd.DataFrame | None = None

    @property
    def summary(self) -> dict[str, int]:
        """``files, rows_read, accepted, quarantined, duplicates_folded`` (read = the other three)."""
        acc, q = len(self.accepted), len(self.quarantine)
        return {"files": len(self.files), "rows_read": acc + q + self.duplicates_folded,
                "accepted": acc, "quarantined": q, "duplicates_folded": self.duplicates_folded}

    def summary_text(self, lang: str = "vi") -> str:
        s = self.summary
        if lang == "vi":
            return (f"{s['files']} tệp, {s['rows_read']} dòng đọc được: {s['accepted']} nhận, "
                    f"{s['quarantined']} cách ly, {s['duplicates_folded']} trùng lặp gộp")
        return (f"{s['files']} files, {s['rows_read']} rows read: {s['accepted']} accepted, "
                f"{s['quarantined']} quarantined, {s['duplicates_folded']} duplicates folded")

    def write_quarantine(self, path: str | Path) -> Path:
        """Write the quarantine as CSV (UTF-8 with BOM, opens in Excel) or ``.xlsx``."""
        path = Path(path)
        if path.suffix.lower() == ".xlsx":
            self.quarantine.to_excel(path, index=False, sheet_name="quarantine")
        else:
            self.quarantine.to_csv(path, index=False, encoding="utf-8-sig")
        return path


# ----------------------------------------------------------------------------- text and numbers

def detect_encoding(raw: bytes) -> str:
    """UTF-16 or UTF-8 by their byte-order marks, else UTF-8 if it decodes, else Windows-1258."""
    if raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1258"


_NUM_CLEAN = re.compile(r"[\s\u00a0]")


def parse_number(text: object) -> tuple[float | None, str | None]:
    """Parse a number as officials type it; returns (value, None) or (None, reason code).

    Vietnamese conventions: ``","`` is the decimal mark, ``"."`` groups thousands (``"1.234"`` =
    1234, ``"12,5"`` = 12.5); ``"12.5"`` (a dot not followed by exactly three digits) is read as a
    decimal point.  ``"12%"`` is a percentage.

    >>> parse_number("1.234"), parse_number("12,5"), parse_number(" 7 "), parse_number("abc")
    ((1234.0, None), (12.5, None), (7.0, None), (None, 'not_a_number'))
    >>> parse_number("12,5%")
    (None, 'percent_for_count')
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None, "empty_cell"
    if isinstance(text, (int, float, np.integer, np.floating)) and not isinstance(text, bool):
        return float(text), None
    s = _NUM_CLEAN.sub("", str(text))
    if s == "":
        return None, "empty_cell"
    percent = s.endswith("%")
    s = s.rstrip("%")
    if "," in s and "." in s:
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    elif "," in s:
        s = s.replace(",", ".") if s.count(",") == 1 else s
    elif re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", s):
        s = s.replace(".", "")
    try:
        value = float(s)
    except ValueError:
        return None, "not_a_number"
    if not np.isfinite(value):
        return None, "not_a_number"
    return (None, "percent_for_count") if percent else (value, None)


_YES = {"co": 1.0, "x": 1.0, "yes": 1.0, "dat": 1.0, "khong": 0.0, "no": 0.0, "chua": 0.0, "chua dat": 0.0}


# ----------------------------------------------------------------------------- reading files

def _read_text_table(path: Path, header: int | None) -> pd.DataFrame:
    raw = path.read_bytes()
    if not raw.strip(b"\x00\r\n\t \xef\xbb\xbf\xff\xfe"):
        raise SubmissionError(f"{path}: the file is empty")
    enc = detect_encoding(raw[:1 << 20] if len(raw) > 1 << 20 else raw)
    if enc == "utf-8" and len(raw) > 1 << 20:
        enc = detect_encoding(raw)
    sample = raw[:4096].decode(enc, errors="replace")
    sep = max([",", ";", "\t"], key=sample.count)
    try:
        return pd.read_csv(path, sep=sep, dtype=str, header=header, encoding=enc, keep_default_na=False,
                           na_values=[""], skip_blank_lines=True, engine="c")
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise SubmissionError(f"{path}: cannot be read as a table ({exc})") from None


def _read_sheets(path: Path) -> dict[str, pd.DataFrame]:
    """All sheets of a workbook, or the one table of a CSV, as raw cells (no header)."""
    if not path.exists():
        raise SubmissionError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        if path.stat().st_size == 0:
            raise SubmissionError(f"{path}: the file is empty")
        try:
            return pd.read_excel(path, sheet_name=None, header=None, dtype=object)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise SubmissionError(f"{path}: cannot be opened as an Excel workbook ({type(exc).__name__})") from None
    return {"": _read_text_table(path, header=None)}


def _header_key(text: object) -> str:
    return " ".join(register.fold(str(text)).replace("_", " ").split()) if text is not None else ""


def _role(cell: object) -> str | None:
    key = _header_key(cell)
    for role, names in _HEADER_ALIASES.items():
        if key in {n.replace("_", " ") for n in names}:
            return role
    return None


def _find_header(cells: pd.DataFrame) -> tuple[int, str] | None:
    """(row index, "long" or "wide") of the header row among the first 20 rows."""
    for i in range(min(len(cells), 20)):
        row = [c for c in cells.iloc[i].tolist() if isinstance(c, str) and c.strip()]
        roles = {_role(c) for c in row}
        if {"element", "value"} <= roles and ({"commune_code", "commune_name"} & roles):
            return i, "long"
        n_el = sum(element_for_header(c) is not None for c in row)
        if n_el >= 1 and ({"commune_code", "commune_name"} & roles):
            return i, "wide"
    return None


def _excel_col(j: int) -> str:
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


_PERIOD_IN_TEXT = re.compile(r"(?:(6\s*tháng|6\s*thang|h1|sáu tháng)\D{0,20})?((?:19|20)\d{2})(\s*h1)?", re.I)


def _period_from_text(text: str) -> str | None:
    """``"Năm 2015"`` → ``"2015"``, ``"6 tháng đầu năm 2016"`` / ``"2016H1"`` → ``"2016H1"``."""
    m = _PERIOD_IN_TEXT.search(text or "")
    if not m:
        return None
    return m.group(2) + ("H1" if (m.group(1) or m.group(3)) else "")


def _district_from_text(text: str) -> str | None:
    key = register.fold(text or "")
    for code, name in register.districts()[["district_code", "district_name"]].itertuples(index=False):
        bare = register.fold(re.sub(r"^(Huyện|Thành phố)\s+", "", name))
        if re.search(rf"\b(huyen|thanh pho|tp\.?)\s*{re.escape(bare)}\b", key):
            return code
    return None


def _long_from_table(cells: pd.DataFrame, header_row: int, kind: str, file: str, sheet: str,
                     district: str | None) -> tuple[pd.DataFrame, int]:
    """Turn a sheet into long rows with provenance; returns (rows, number of blank lines skipped)."""
    head = cells.iloc[header_row].tolist()
    body = cells.iloc[header_row + 1:]
    title = " ".join(str(c) for c in cells.iloc[:header_row].to_numpy().ravel() if isinstance(c, str))
    roles = {j: _role(h) for j, h in enumerate(head) if isinstance(h, str)}
    excel_rows = body.index.to_numpy() + 1  # 1-based sheet row
    out = {"file": file, "sheet": sheet}
    col_of = {r: j for j, r in roles.items() if r}
    default_period = _period_from_text(sheet) or _period_from_text(title)
    default_district = district or _district_from_text(title) or _district_from_text(sheet)

    def take(role, default=None):
        return body.iloc[:, col_of[role]].to_numpy(dtype=object) if role in col_of else np.full(len(body), default, dtype=object)

    base = pd.DataFrame({"row": excel_rows, "commune_code": take("commune_code"),
                         "commune_name": take("commune_name"), "district": take("district", default_district),
                         "period": take("period", default_period)})
    if kind == "long":
        base["element"] = take("element")
        base["value"] = take("value")
        base["column"] = _excel_col(col_of["value"]) + ":value"
        frame = base
    else:
        parts = []
        for j, h in enumerate(head):
            el = element_for_header(h) if isinstance(h, str) and not roles.get(j) else None
            if el is None:
                continue
            parts.append(base.assign(element=el, value=body.iloc[:, j].to_numpy(dtype=object),
                                     column=f"{_excel_col(j)}:{str(h).strip()}"))
        frame = pd.concat(parts, ignore_index=True)
    blank = frame[["commune_code", "commune_name", "value"]].map(_is_blank).all(axis=1)
    if kind == "wide":  # a commune row with every element cell empty is still a row read: keep it
        row_blank = frame.groupby("row")["value"].transform(lambda v: v.map(_is_blank).all())
        id_blank = frame[["commune_code", "commune_name"]].map(_is_blank).all(axis=1)
        blank = row_blank & id_blank
    skipped = int(frame.loc[blank, "row"].nunique())
    frame = frame[~blank].assign(**out)
    ident = frame["commune_name"].where(frame["commune_name"].map(lambda v: not _is_blank(v)), frame["commune_code"])
    frame["total_row"] = ident.map(lambda v: isinstance(v, str) and bool(_TOTAL_RE.match(register.fold(v).strip())))
    return frame, skipped


_TOTAL_RE = re.compile(r"^(tong|cong|total|toan tinh|toan huyen)\b")


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip())


def read_raw(path: str | Path, district: str | None = None) -> pd.DataFrame:
    """Read one file into long rows with provenance, before validation.

    A long CSV with the standard header is read fast (a plain ``read_csv``); anything else goes
    through header detection (wide workbooks, titles above the table, Vietnamese headings).
    """
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls"):
        if not path.exists():
            raise SubmissionError(f"{path}: no such file")
        fast = _read_text_table(path, header=0)
        cols = [_role(c) for c in fast.columns]
        if {"element", "value", "period"} <= set(cols) and "commune_code" in cols:
            fast.columns = [r or c for r, c in zip(cols, fast.columns)]
            return pd.DataFrame({"file": str(path), "sheet": "", "row": np.arange(len(fast)) + 2,
                                 "column": "", "commune_code": fast["commune_code"].to_numpy(dtype=object),
                                 "commune_name": None, "district": district, "period": fast["period"],
                                 "element": fast["element"], "value": fast["value"]})
    frames = []
    for sheet, cells in _read_sheets(path).items():
        found = _find_header(cells)
        if found is None:
            continue
        frame, _ = _long_from_table(cells, found[0], found[1], str(path), str(sheet), district)
        frames.append(frame)
    if not frames:
        raise SubmissionError(
            f"{path}: no table found — expected a header row with a commune column (Mã xã or Tên xã) "
            f"and element columns (see `btchild elements`) or the long layout {', '.join(LONG_COLUMNS)}")
    return pd.concat(frames, ignore_index=True)


# ----------------------------------------------------------------------------- validation

def _reason_text(code: str, lang: str, value: object = "", period: object = "", hint: str = "") -> str:
    return load_yaml("reasons.yaml")[code][lang].format(value=value, period=period, hint=hint)


class _Checker:
    """Marks rows with the first reason that applies; each check sees only rows still clean."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.reason = np.full(len(frame), None, dtype=object)
        self.hint = np.full(len(frame), "", dtype=object)
        self.column = np.full(len(frame), None, dtype=object)

    @property
    def ok(self) -> np.ndarray:
        return pd.isna(self.reason)

    def mark(self, mask, code: str, column: str, hint=None) -> None:
        mask = np.asarray(mask, dtype=bool) & self.ok
        self.reason[mask] = code
        self.column[mask] = column
        if hint is not None:
            self.hint[mask] = np.asarray(hint, dtype=object)[mask] if not isinstance(hint, str) else hint


def _factor_map(values: pd.Series, func) -> np.ndarray:
    """Apply ``func`` to each distinct value only (fast on millions of rows with few distinct values)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = [func(u) for u in uniques]
    result = np.empty(len(values), dtype=object)
    na = np.empty(1, dtype=object)
    na[0] = func(None)
    result[codes < 0] = na
    if len(uniques):
        arr = np.empty(len(mapped), dtype=object)
        arr[:] = mapped
        result[codes >= 0] = arr[codes[codes >= 0]]
    return result


def _norm_code(v: object) -> str | None:
    if _is_blank(v):
        return None
    s = str(v).strip()
    if re.fullmatch(r"\d+\.0+", s):
        s = s.split(".")[0]
    if re.fullmatch(r"\d{1,5}", s):
        return s.zfill(5)
    return "!" + s


def _norm_period(v: object):
    if _is_blank(v):
        return None
    try:
        return parse_period(v)
    except PeriodError:
        return "!"


def validate(raw: pd.DataFrame, today: dt.date | None = None) -> LoadResult:
    """Validate long rows with provenance (from :func:`read_raw`) into a :class:`LoadResult`."""
    today = today or dt.date.today()
    n = len(raw)
    raw = raw.reset_index(drop=True)
    chk = _Checker(raw)
    el_reg = elements()

    # commune: by code, or by name within the district
    code = _factor_map(raw["commune_code"], _norm_code)
    period = _factor_map(raw["period"], _norm_period)
    period_str = np.array([str(p) if p is not None and p != "!" else "" for p in period], dtype=object)
    has_name = raw["commune_name"].map(lambda v: not _is_blank(v)).to_numpy() if "commune_name" in raw else np.zeros(n, bool)
    if "total_row" in raw:
        chk.mark(raw["total_row"].fillna(False).to_numpy(dtype=bool), "total_row", "commune_name")
    chk.mark(pd.isna(code) & ~has_name, "empty_cell", "commune_code")
    chk.mark([isinstance(c, str) and c.startswith("!") for c in code], "bad_code", "commune_code")
    chk.mark(pd.isna(period), "empty_cell", "period")
    chk.mark(period == "!", "bad_period", "period")
    future = np.array([p is not None and p != "!" and dt.date(p.year, 1 if p.kind in ("A", "H1") else 7, 1) > today
                       for p in period])
    chk.mark(future, "future_period", "period")
    code = _match_names(raw, code, period, has_name, chk)
    _check_in_force(code, period, period_str, chk)

    element = raw["element"].astype(object).map(lambda v: None if _is_blank(v) else str(v).strip()).to_numpy()
    chk.mark(pd.isna(element), "empty_cell", "element")
    unknown = np.array([e is not None and e not in el_reg for e in element])
    hints = _factor_map(pd.Series(np.where(unknown, element, None)), _element_hint)
    chk.mark(unknown, "unknown_element", "element", hints)

    value, vreason = _parse_values(raw["value"], element, el_reg)
    for rcode in ("empty_cell", "not_a_number", "percent_for_count", "negative", "not_integer", "not_yes_no"):
        chk.mark(vreason == rcode, rcode, "value")

    frame = pd.DataFrame({"commune_code": code, "period": period_str, "element": element, "value": value})
    ok = chk.ok
    folded = _duplicates(frame, ok, chk)
    _numerator_check(frame, chk.ok & ~folded, chk)
    keep = chk.ok & ~folded
    accepted = frame.loc[keep].assign(file=raw.loc[keep, "file"].to_numpy())
    accepted["value"] = accepted["value"].astype(float)
    quarantine = _quarantine_table(raw, frame, chk)
    files = list(dict.fromkeys(raw["file"].tolist())) if n else []
    return LoadResult(accepted=accepted.reset_index(drop=True), quarantine=quarantine,
                      duplicates_folded=int(folded.sum()), files=files)


def _element_hint(v: object) -> str:
    if v is None:
        return ""
    close = difflib.get_close_matches(str(v), list(elements()), n=1, cutoff=0.6)
    return f" (có phải '{close[0]}'? / did you mean '{close[0]}'?)" if close else ""


def _parse_values(values: pd.Series, element: np.ndarray, reg) -> tuple[np.ndarray, np.ndarray]:
    parsed = _factor_map(values, lambda v: parse_number(v) if not (isinstance(v, str) and register.fold(v).strip() in _YES)
                         else (_YES[register.fold(v).strip()], None))
    value = np.array([p[0] for p in parsed], dtype=float)
    reason = np.array([p[1] for p in parsed], dtype=object)
    kind = np.array([reg[e].kind if e in reg else "" for e in element], dtype=object) if len(element) else np.array([], dtype=object)
    clean = pd.isna(reason)
    with np.errstate(invalid="ignore"):
        reason[clean & (value < 0)] = "negative"
        clean = pd.isna(reason)
        reason[clean & (kind == "count") & (value != np.round(value))] = "not_integer"
        reason[clean & (kind == "yes_no") & ~np.isin(value, [0.0, 1.0])] = "not_yes_no"
    return value, reason


def _match_names(raw, code, period, has_name, chk: _Checker) -> np.ndarray:
    """Fill codes from names (per district and period); mark unmatched and ambiguous names."""
    code = code.copy()
    todo = has_name & pd.isna(code) & chk.ok
    if not todo.any():
        return code
    sub = pd.DataFrame({"name": raw.loc[todo, "commune_name"], "district": raw.loc[todo, "district"],
                        "period": [str(p) for p in period[todo]]})
    keys = sub.drop_duplicates()
    results = {}
    for per, grp in keys.groupby("period"):
        m = register.match_names(grp["name"].tolist(), grp["district"].tolist(), on=per).table
        for (nm, d), (_, r) in zip(zip(grp["name"], grp["district"]), m.iterrows()):
            results[(nm, d, per)] = r
    idx = np.flatnonzero(todo)
    for i, (nm, d, per) in zip(idx, sub.itertuples(index=False)):
        r = results[(nm, d, per)]
        if r["code"] is not None and not pd.isna(r["code"]):
            code[i] = r["code"]
        elif r["method"] == "ambiguous":
            chk.mark(np.arange(len(code)) == i, "ambiguous_name", "commune_name", r["candidates"])
        else:
            hint = f" ({r['candidates']})" if r["candidates"] else ""
            chk.mark(np.arange(len(code)) == i, "unknown_name", "commune_name", hint)
    return code


def _check_in_force(code, period, period_str, chk: _Checker) -> None:
    """A code must be a unit in force in its period; point closed codes to their successor."""
    pairs = pd.DataFrame({"code": code, "period": period_str})[chk.ok].drop_duplicates()
    bad: dict[tuple, tuple[str, str]] = {}
    for per, grp in pairs.groupby("period"):
        in_force = set(register.units(per)["code"])
        for c in set(grp["code"]) - in_force:
            succ = register.successor(c, per)
            if succ is not None:
                bad[(c, per)] = ("not_in_force", f"{succ['code']} {succ['name']}")
            else:
                close = suggest_code(c, in_force)
                bad[(c, per)] = ("unknown_commune", f" (có phải {close}? / did you mean {close}?)" if close else "")
    if not bad:
        return
    keys = list(zip(code, period_str))
    for reason in ("not_in_force", "unknown_commune"):
        mask = np.array([bad.get(k, ("",))[0] == reason for k in keys])
        hint = np.array([bad.get(k, ("", ""))[1] for k in keys], dtype=object)
        chk.mark(mask, reason, "commune_code", hint)


def suggest_code(code: str, known: set[str]) -> str | None:
    """The likely intended code: two digits swapped, else one digit mistyped (None when unclear).

    >>> suggest_code("28576", {"28756", "28759"}), suggest_code("28750", {"28756", "28759"})
    ('28756', None)
    """
    def diff(a, b):
        return [i for i in range(len(a)) if a[i] != b[i]]
    swapped = [k for k in known if len(k) == len(code) and sorted(k) == sorted(code) and len(diff(k, code)) == 2
               and (lambda d: d[1] == d[0] + 1)(diff(k, code))]
    if len(swapped) == 1:
        return swapped[0]
    typo = [k for k in known if len(k) == len(code) and len(diff(k, code)) == 1]
    return typo[0] if len(typo) == 1 else None


def _duplicates(frame: pd.DataFrame, ok: np.ndarray, chk: _Checker) -> np.ndarray:
    """Fold identical duplicates (keep the first); quarantine every row of a conflicting group."""
    keys = ["commune_code", "period", "element"]
    sub = frame.loc[ok, keys + ["value"]]
    dup_any = sub.duplicated(keys, keep=False)
    folded = np.zeros(len(frame), dtype=bool)
    if not dup_any.any():
        return folded
    d = sub[dup_any]
    nvals = d.groupby(keys)["value"].transform("nunique")
    conflict_idx = d.index[nvals.to_numpy() > 1]
    vals = d.groupby(keys)["value"].transform(lambda v: "; ".join(f"{x:g}" for x in v))
    mask = np.zeros(len(frame), dtype=bool)
    mask[conflict_idx] = True
    hint = np.full(len(frame), "", dtype=object)
    hint[d.index] = vals.to_numpy()
    chk.mark(mask, "conflicting_duplicate", "value", hint)
    same = d.loc[nvals.to_numpy() == 1]
    folded[same.index[same.duplicated(keys, keep="first")]] = True
    return folded


def _numerator_check(frame: pd.DataFrame, ok: np.ndarray, chk: _Checker) -> None:
    """Quarantine a numerator larger than its denominator in the same commune and period."""
    pairs = {k: e.denominator for k, e in elements().items() if e.denominator}
    sub = frame.loc[ok & frame["element"].isin(list(pairs) + list(pairs.values())).to_numpy()]
    if sub.empty:
        return
    lookup = sub.set_index(["commune_code", "period", "element"])["value"]
    num = sub[sub["element"].isin(list(pairs))]
    den_keys = pd.MultiIndex.from_arrays([num["commune_code"], num["period"], num["element"].map(pairs)])
    den = lookup.reindex(den_keys).to_numpy()
    with np.errstate(invalid="ignore"):
        over = num["value"].to_numpy() > den
    mask = np.zeros(len(frame), dtype=bool)
    mask[num.index[over]] = True
    hint = np.full(len(frame), "", dtype=object)
    hint[num.index[over]] = [f"{pairs[e]} = {d:g}" for e, d in zip(num["element"][over], den[over])]
    chk.mark(mask, "numerator_above_denominator", "value", hint)


def _quarantine_table(raw: pd.DataFrame, frame: pd.DataFrame, chk: _Checker) -> pd.DataFrame:
    bad = np.flatnonzero(~chk.ok)
    q = raw.iloc[bad]
    reasons, cols, hints = chk.reason[bad], chk.column[bad], chk.hint[bad]
    code = np.where(pd.isna(frame["commune_code"].to_numpy()[bad]), q["commune_code"].to_numpy(),
                    frame["commune_code"].to_numpy()[bad]) if len(bad) else []
    shown = [q.iloc[k][c] if c in q.columns else "" for k, c in enumerate(cols)]
    shown = [q.iloc[k]["value"] if c == "value" else s for k, (c, s) in enumerate(zip(cols, shown))]
    per = q["period"].to_numpy()
    out = pd.DataFrame({
        "file": q["file"].to_numpy(), "sheet": q["sheet"].to_numpy(), "row": q["row"].to_numpy(),
        "column": [c if not qc else f"{qc}" for c, qc in zip(cols, q["column"].to_numpy())],
        "commune_code": code, "period": per, "element": q["element"].to_numpy(),
        "value": q["value"].to_numpy(), "reason": reasons,
        "reason_vi": [_reason_text(r, "vi", s, p, h) for r, s, p, h in zip(reasons, shown, per, hints)],
        "reason_en": [_reason_text(r, "en", s, p, h) for r, s, p, h in zip(reasons, shown, per, hints)],
    })
    # the column of a wide sheet (e.g. "D:Thấp còi") is kept for value faults; else the field's name
    out["column"] = [qc if (c == "value" and qc) else c for c, qc in zip(cols, q["column"].to_numpy())]
    return out[QUARANTINE_COLUMNS].reset_index(drop=True)


def load_submissions(paths: str | Path | Iterable[str | Path], district: str | None = None,
                     today: dt.date | None = None, flag_outliers: bool = True) -> LoadResult:
    """Load and validate commune submissions.

    Parameters
    ----------
    paths : path or list of paths
        CSV (UTF-8 with or without BOM, UTF-16, Windows-1258) or Excel files, long or wide layout,
        in any mix.
    district : str, optional
        District code or name, used to match commune names when the file does not say.
    today : date, optional
        Periods that start after this day are quarantined (default: today).
    flag_outliers : bool
        Add :func:`btchild_analysis.quality.outliers` flags (kept rows, never dropped).

    Returns
    -------
    LoadResult

    Raises
    ------
    SubmissionError
        When a file cannot be read at all (missing, empty, not a table); row faults never raise.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = list(paths)
    raw = pd.concat([read_raw(p, district) for p in paths], ignore_index=True)
    res = validate(raw, today)
    res.files = [str(p) for p in paths]
    if flag_outliers and len(res.accepted):
        from .quality import outliers
        res.flags = outliers(res.accepted)
    return res


def read_long(path: str | Path) -> pd.DataFrame:
    """Read an already validated long file (e.g. the sample) without the checks."""
    df = pd.read_csv(path, dtype={"commune_code": str, "period": str, "element": str})
    return df[LONG_COLUMNS]


# ----------------------------------------------------------------------------- self-assessment sheets

SCORE_COLUMNS = ["commune_code", "year", "criterion", "score"]


def load_scores(paths: str | Path | Iterable[str | Path], transitional: str | None = None) -> LoadResult:
    """Load self-assessment sheets of the child-friendly standard (``commune_code, year, criterion, score``).

    The same quarantine rules as submissions, plus: a criterion that is not part of the edition of
    the year, a score above the criterion's maximum (where the edition knows it), a commune not in
    force that year.  A criterion missing from a sheet is not a row: :func:`standard.assess` reports
    it (status ``insufficient_data``).
    """
    from .standard import edition_for_year, load_edition

    if isinstance(paths, (str, Path)):
        paths = [paths]
    frames = []
    for p in map(Path, paths):
        table = _read_text_table(p, header=0) if p.suffix.lower() not in (".xlsx", ".xlsm", ".xls") else \
            pd.read_excel(p, dtype=object)
        table.columns = [_header_key(c).replace(" ", "_") for c in table.columns]
        missing = [c for c in SCORE_COLUMNS if c not in table.columns]
        if missing:
            raise SubmissionError(f"{p}: missing column(s) {', '.join(missing)}; expected {', '.join(SCORE_COLUMNS)}")
        frames.append(pd.DataFrame({"file": str(p), "sheet": "", "row": np.arange(len(table)) + 2, "column": "",
                                    **{c: table[c].to_numpy(dtype=object) for c in SCORE_COLUMNS}}))
    raw = pd.concat(frames, ignore_index=True)
    chk = _Checker(raw)
    code = _factor_map(raw["commune_code"], _norm_code)
    chk.mark(pd.isna(code), "empty_cell", "commune_code")
    chk.mark([isinstance(c, str) and c.startswith("!") for c in code], "bad_code", "commune_code")
    year = _factor_map(raw["year"], _norm_period)
    chk.mark(pd.isna(year), "empty_cell", "year")
    chk.mark([y == "!" or (y is not None and getattr(y, "kind", "A") != "A") for y in year], "bad_period", "year")
    year_str = np.array([str(y) if y is not None and y != "!" else "" for y in year], dtype=object)
    _check_in_force(code, year, year_str, chk)
    crit = raw["criterion"].map(lambda v: None if _is_blank(v) else str(v).strip()).to_numpy()
    chk.mark(pd.isna(crit), "empty_cell", "criterion")
    ed_of = {y: load_edition(edition_for_year(int(y), transitional)) for y in set(year_str) if y}
    maxima = {(y, c.id): c.max_points for y, ed in ed_of.items() for c in ed.criteria}
    unknown = np.array([bool(y) and c is not None and (y, c) not in maxima for y, c in zip(year_str, crit)])
    chk.mark(unknown, "unknown_criterion", "criterion",
             np.array([ed_of[y].id if y in ed_of else "" for y in year_str], dtype=object))
    parsed = _factor_map(raw["score"], parse_number)
    score = np.array([p[0] for p in parsed], dtype=float)
    vreason = np.array([p[1] for p in parsed], dtype=object)
    for rc in ("empty_cell", "not_a_number", "percent_for_count"):
        chk.mark(vreason == rc, rc, "score")
    with np.errstate(invalid="ignore"):
        chk.mark(score < 0, "negative", "score")
        mx = np.array([maxima.get((y, c)) for y, c in zip(year_str, crit)], dtype=object)
        over = np.array([m is not None and s > m for s, m in zip(score, mx)])
    chk.mark(over, "score_above_max", "score", np.array([f"({m})" if m is not None else "" for m in mx], dtype=object))
    frame = pd.DataFrame({"commune_code": code, "period": year_str, "element": crit, "value": score})
    folded = _duplicates(frame, chk.ok, chk)
    keep = chk.ok & ~folded
    accepted = pd.DataFrame({"commune_code": code[keep], "year": year_str[keep].astype(int),
                             "edition": [ed_of[y].id for y in year_str[keep]], "criterion": crit[keep],
                             "score": score[keep]})
    q_raw = raw.rename(columns={"year": "period", "criterion": "element", "score": "value"})
    quarantine = _quarantine_table(q_raw, frame, chk)
    return LoadResult(accepted=accepted, quarantine=quarantine, duplicates_folded=int(folded.sum()),
                      files=[str(p) for p in paths])

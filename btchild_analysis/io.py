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
from .periods import Period, parse_period
from .registry import element_for_header, elements

LONG_COLUMNS = ["commune_code", "period", "element", "value"]
QUARANTINE_COLUMNS = ["file", "sheet", "row", "column", "commune_code", "commune_name", "period", "element",
                      "value", "reason", "reason_vi", "reason_en"]
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
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)  # the encoding and separator are judged on the first megabyte
    if not head.strip(b"\x00\r\n\t \xef\xbb\xbf\xff\xfe"):
        raise SubmissionError(f"{path}: the file is empty")
    enc = detect_encoding(head if len(head) < 1 << 20 else head[: head.rfind(b"\n") + 1] or head)
    sample = head[:4096].decode(enc, errors="replace")
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
            n = len(fast)
            const = {k: pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), [v])
                     for k, v in (("file", str(path)), ("sheet", ""), ("column", ""))}
            out = fast[["commune_code", "period", "element", "value"]]
            return out.assign(**const, row=np.arange(n) + 2)
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


class _Factor:
    """A column as integer codes into its distinct values (-1 = missing): checks run once per value."""

    def __init__(self, values):
        self.codes, self.uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)

    def per_value(self, func, dtype=object) -> np.ndarray:
        """``func`` of each distinct value, with ``func(None)`` last so that code -1 finds it."""
        out = np.empty(len(self.uniques) + 1, dtype=dtype)
        for i, u in enumerate(self.uniques):
            out[i] = func(u)
        out[-1] = func(None)
        return out

    @property
    def index(self) -> np.ndarray:
        """Row positions into :meth:`per_value`'s result: missing values point at its last item."""
        return np.where(self.codes < 0, len(self.uniques), self.codes)


class _Checker:
    """Marks rows with the first reason that applies; each check sees only rows still clean."""

    def __init__(self, n: int):
        self.names: list[str] = [""]
        self.columns: list[str] = [""]
        self.reason = np.zeros(n, dtype=np.int16)
        self.column = np.zeros(n, dtype=np.int16)
        self.hint: dict[int, str] = {}

    @property
    def ok(self) -> np.ndarray:
        return self.reason == 0

    def mark(self, mask, code: str, column: str, hint=None) -> None:
        m = np.asarray(mask, dtype=bool) & self.ok
        if not m.any():
            return
        if code not in self.names:
            self.names.append(code)
        if column not in self.columns:
            self.columns.append(column)
        self.reason[m] = self.names.index(code)
        self.column[m] = self.columns.index(column)
        if hint is not None:
            idx = np.flatnonzero(m)
            if isinstance(hint, str):
                self.hint.update(dict.fromkeys(idx.tolist(), hint))
            else:
                self.hint.update(zip(idx.tolist(), np.asarray(hint, dtype=object)[idx].tolist()))


def normalise_code(v: object) -> str | None:
    """A GSO commune code as a 5-character string (``28756.0`` → ``"28756"``, ``875`` → ``"00875"``);
    None when empty, ``"!" + text`` when it cannot be a code."""
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


def _parse_value(v: object) -> tuple[float, str | None]:
    if isinstance(v, str) and register.fold(v).strip() in _YES:
        return _YES[register.fold(v).strip()], None
    value, reason = parse_number(v)
    return (np.nan if value is None else value), reason


def _check_codes(values, chk: "_Checker", required=True) -> tuple[list, np.ndarray, np.ndarray]:
    """Normalise commune codes once per distinct value; mark empty and malformed ones.

    Returns (distinct codes, each row's index into them, rows without a code).  ``required`` (a bool
    or a row mask) says where an empty code is a fault (not where the row names its commune).
    """
    f = _Factor(values)
    ucode = list(f.per_value(normalise_code))  # last item: the missing code
    ci = f.index
    missing = np.array([c is None for c in ucode])[ci]
    chk.mark(missing & required, "empty_cell", "commune_code")
    chk.mark(np.array([isinstance(c, str) and c.startswith("!") for c in ucode])[ci], "bad_code", "commune_code")
    return ucode, ci, missing


def _check_periods(values, column: str, chk: "_Checker", annual_only: bool) -> tuple[np.ndarray, np.ndarray]:
    """Parse periods once per distinct value; mark empty and malformed ones (H1 too when ``annual_only``)."""
    f = _Factor(values)
    uper = f.per_value(_norm_period)
    pi = f.index
    chk.mark(np.array([p is None for p in uper])[pi], "empty_cell", column)
    chk.mark(np.array([isinstance(p, str) or (annual_only and isinstance(p, Period) and p.kind != "A")
                       for p in uper])[pi], "bad_period", column)
    return uper, pi


def validate(raw: pd.DataFrame, today: dt.date | None = None, known_units: set[str] | None = None) -> LoadResult:
    """Validate long rows with provenance (from :func:`read_raw`) into a :class:`LoadResult`.

    ``known_units``: codes to accept for every period instead of the Bến Tre register (used for
    national-scale files and benchmarks).
    """
    today = today or dt.date.today()
    raw = raw.reset_index(drop=True)
    n = len(raw)
    chk = _Checker(n)
    if "total_row" in raw:
        chk.mark(raw["total_row"].fillna(False).to_numpy(dtype=bool), "total_row", "commune_name")

    has_name = (raw["commune_name"].map(lambda v: not _is_blank(v)).to_numpy(dtype=bool)
                if "commune_name" in raw and raw["commune_name"].notna().any() else np.zeros(n, bool))
    ucode, ci, code_missing = _check_codes(raw["commune_code"], chk, ~has_name)
    uper, pi = _check_periods(raw["period"], "period", chk, annual_only=False)
    chk.mark(np.array([isinstance(p, Period) and dt.date(p.year, 1, 1) > today for p in uper])[pi],
             "future_period", "period")
    if has_name.any():
        ci = _match_names(raw, ucode, ci, uper, pi, has_name & code_missing, chk)
    uper_str = np.array([str(p) if isinstance(p, Period) else "" for p in uper], dtype=object)
    _check_in_force(ucode, ci, uper, pi, chk, known_units)

    fe = _Factor(raw["element"])
    reg = elements()
    clean_e = fe.per_value(lambda v: None if _is_blank(v) else str(v).strip())
    ue = list(dict.fromkeys(e for e in clean_e if e is not None)) + [None]
    ei = np.array([ue.index(e) for e in clean_e])[fe.index]
    chk.mark(ei == len(ue) - 1, "empty_cell", "element")
    unknown_u = np.array([e is not None and e not in reg for e in ue])
    chk.mark(unknown_u[ei], "unknown_element", "element", np.array([_element_hint(e) if u else "" for e, u in zip(ue, unknown_u)], dtype=object)[ei])

    fv = _Factor(raw["value"])
    parsed = fv.per_value(_parse_value)
    vrow = fv.index
    value_u = np.array([p[0] for p in parsed], dtype=float)
    reasons_u = [p[1] for p in parsed]
    vals = value_u[vrow]
    value_faults = ("empty_cell", "not_a_number", "percent_for_count")
    rcode_u = np.array([value_faults.index(r) + 1 if r else 0 for r in reasons_u], dtype=np.int8)
    rcode = rcode_u[vrow]
    for k, rname in enumerate(value_faults, start=1):
        chk.mark(rcode == k, rname, "value")
    kind_row = np.array([{"count": 1, "yes_no": 2}.get(reg[e].kind, 0) if e in reg else 0 for e in ue], dtype=np.int8)[ei]
    with np.errstate(invalid="ignore"):
        chk.mark((value_u < 0)[vrow], "negative", "value")
        chk.mark((kind_row == 1) & (value_u != np.round(value_u))[vrow], "not_integer", "value")
        chk.mark((kind_row == 2) & ~np.isin(value_u, [0.0, 1.0])[vrow], "not_yes_no", "value")

    P, E = len(uper) + 1, len(ue) + 1
    unit_period = ci.astype(np.int64) * P + pi
    key = unit_period * E + ei
    n_keys = len(ucode) * P * E
    folded = _duplicates(key, vals, chk, n_keys)
    _numerator_check(unit_period, ei, ue, vals, chk.ok & ~folded, chk, n_keys)
    keep = chk.ok & ~folded
    ucode_arr = np.array(ucode, dtype=object)
    accepted = pd.DataFrame({"commune_code": ucode_arr[ci[keep]], "period": uper_str[pi[keep]],
                             "element": np.array(ue, dtype=object)[ei[keep]], "value": vals[keep],
                             "file": raw["file"].array[keep]})
    quarantine = _quarantine_table(raw, ucode_arr[ci], chk)
    files = [str(f) for f in pd.unique(raw["file"])] if n else []
    return LoadResult(accepted=accepted, quarantine=quarantine, duplicates_folded=int(folded.sum()), files=files)


def _element_hint(v: object) -> str:
    if v is None:
        return ""
    close = difflib.get_close_matches(str(v), list(elements()), n=1, cutoff=0.6)
    return f" (có phải '{close[0]}'? / did you mean '{close[0]}'?)" if close else ""


def _match_names(raw, ucode: list, ci: np.ndarray, uper, pi, todo: np.ndarray, chk: _Checker) -> np.ndarray:
    """Give codes to rows that name their commune (per district and period); mark the unmatched."""
    ci = ci.copy()
    todo = todo & chk.ok
    idx = np.flatnonzero(todo)
    if not len(idx):
        return ci
    sub = pd.DataFrame({"name": raw["commune_name"].to_numpy()[idx], "district": raw["district"].to_numpy()[idx],
                        "period": [str(uper[p]) for p in pi[idx]]})
    found = {}
    for per, grp in sub.drop_duplicates().groupby("period"):
        m = register.match_names(grp["name"].tolist(), grp["district"].tolist(), on=per).table
        for nm, d, (_, r) in zip(grp["name"], grp["district"], m.iterrows()):
            found[(nm, d, per)] = r
    position = {c: i for i, c in enumerate(ucode)}
    ambiguous, unknown, hints = np.zeros(len(ci), bool), np.zeros(len(ci), bool), np.full(len(ci), "", dtype=object)
    for i, key in zip(idx, sub.itertuples(index=False, name=None)):
        r = found[key]
        if isinstance(r["code"], str):
            if r["code"] not in position:
                position[r["code"]] = len(ucode)
                ucode.append(r["code"])
            ci[i] = position[r["code"]]
        elif r["method"] == "ambiguous":
            ambiguous[i], hints[i] = True, r["candidates"]
        else:
            unknown[i], hints[i] = True, (f" ({r['candidates']})" if r["candidates"] else "")
    chk.mark(ambiguous, "ambiguous_name", "commune_name", hints)
    chk.mark(unknown, "unknown_name", "commune_name", hints)
    return ci


def _check_in_force(ucode: list, ci, uper, pi, chk: _Checker, known_units: set[str] | None) -> None:
    """A code must be a unit in force in its period; point closed codes to their successor."""
    if known_units is not None:  # one list for every period: a check per distinct code
        unknown = np.array([isinstance(c, str) and not c.startswith("!") and c not in known_units for c in ucode])
        chk.mark(unknown[ci], "unknown_commune", "commune_code")
        return
    ok = chk.ok
    P = len(uper)
    pair = ci.astype(np.int64) * P + pi
    inverse, uniq = pd.factorize(pair[ok])
    verdict = np.zeros(len(uniq), dtype=np.int8)  # 0 fine, 1 not in force, 2 unknown
    hint = np.full(len(uniq), "", dtype=object)
    in_force_cache: dict[str, set] = {}
    outcome: dict[tuple[str, str], tuple[int, str]] = {}
    for k, pv in enumerate(uniq):
        code, per = ucode[pv // P], uper[pv % P]
        if not isinstance(code, str) or not isinstance(per, Period):
            continue
        vkey = register.vintage_of(per)
        units = in_force_cache.setdefault(vkey, set(register.units(per)["code"]))
        if code in units:
            continue
        if (code, vkey) not in outcome:
            succ = register.successor(code, per)
            if succ is not None:
                outcome[(code, vkey)] = (1, f"{succ['code']} {succ['name']}")
            else:
                close = suggest_code(code, units)
                outcome[(code, vkey)] = (2, f" (có phải {close}? / did you mean {close}?)" if close else "")
        verdict[k], hint[k] = outcome[(code, vkey)]
    rows = np.flatnonzero(ok)
    for v, reason in ((1, "not_in_force"), (2, "unknown_commune")):
        mask = np.zeros(len(ci), dtype=bool)
        sel = verdict[inverse] == v
        mask[rows[sel]] = True
        h = np.full(len(ci), "", dtype=object)
        h[rows[sel]] = hint[inverse[sel]]
        chk.mark(mask, reason, "commune_code", h)


def suggest_code(code: str, known: set[str]) -> str | None:
    """The likely intended code: two neighbouring digits swapped, else one digit mistyped (None when unclear).

    >>> suggest_code("28576", {"28756", "28759"}), suggest_code("28750", {"28756", "28759"})
    ('28756', None)
    """
    def diff(a, b):
        return [i for i in range(len(a)) if a[i] != b[i]]
    swapped = [k for k in known if len(k) == len(code) and sorted(k) == sorted(code)
               and len(d := diff(k, code)) == 2 and d[1] == d[0] + 1]
    if len(swapped) == 1:
        return swapped[0]
    typo = [k for k in known if len(k) == len(code) and len(diff(k, code)) == 1]
    return typo[0] if len(typo) == 1 else None


#: Above this many possible (commune, period, element) keys, hash tables replace dense arrays.
DENSE_KEYS = 20_000_000


def _duplicates(key: np.ndarray, vals: np.ndarray, chk: _Checker, n_keys: int | None = None) -> np.ndarray:
    """Fold identical duplicates (keep the first); quarantine every row of a conflicting group."""
    folded = np.zeros(len(key), dtype=bool)
    rows = np.flatnonzero(chk.ok)
    if n_keys is not None and n_keys <= DENSE_KEYS:
        dup = np.bincount(key[rows], minlength=n_keys)[key[rows]] > 1
    else:
        dup = pd.Series(key[rows]).duplicated(keep=False).to_numpy()
    if not dup.any():
        return folded
    d = pd.DataFrame({"row": rows[dup], "key": key[rows[dup]], "value": vals[rows[dup]]})
    g = d.groupby("key")["value"]
    conflict = (g.transform("nunique") > 1).to_numpy()
    listing = g.transform(lambda v: "; ".join(f"{x:g}" for x in v)).to_numpy()
    mask = np.zeros(len(key), dtype=bool)
    mask[d["row"].to_numpy()[conflict]] = True
    hint = np.full(len(key), "", dtype=object)
    hint[d["row"].to_numpy()] = listing
    chk.mark(mask, "conflicting_duplicate", "value", hint)
    same = d[~conflict]
    folded[same["row"].to_numpy()[same.duplicated("key", keep="first").to_numpy()]] = True
    return folded


def _numerator_check(unit_period: np.ndarray, ei: np.ndarray, ue: list, vals: np.ndarray, ok: np.ndarray,
                     chk: _Checker, n_keys: int | None = None) -> None:
    """Quarantine a numerator larger than its denominator in the same commune and period."""
    reg = elements()
    den_of = np.array([ue.index(reg[e].denominator) if e in reg and reg[e].denominator in ue else -1 for e in ue])
    E = len(ue) + 1
    num_rows = np.flatnonzero(ok & (den_of[ei] >= 0))
    if not len(num_rows):
        return
    if n_keys is not None and n_keys <= DENSE_KEYS:  # a (unit-period × element) table of values
        table = np.full(n_keys, np.nan)
        table[unit_period[ok] * E + ei[ok]] = vals[ok]
        den_vals = table[unit_period[num_rows] * E + den_of[ei[num_rows]]]
    else:
        lookup = pd.Index(unit_period[ok] * E + ei[ok])
        pos = lookup.get_indexer(unit_period[num_rows] * E + den_of[ei[num_rows]])
        den_vals = np.where(pos >= 0, vals[ok][pos] if len(pos) else np.nan, np.nan)
    with np.errstate(invalid="ignore"):
        over = vals[num_rows] > den_vals
    if not over.any():
        return
    mask = np.zeros(len(ei), dtype=bool)
    mask[num_rows[over]] = True
    hint = np.full(len(ei), "", dtype=object)
    hint[num_rows[over]] = [f"{ue[den_of[e]]} = {d:g}" for e, d in zip(ei[num_rows[over]], den_vals[over])]
    chk.mark(mask, "numerator_above_denominator", "value", hint)


def _quarantine_table(raw: pd.DataFrame, codes: np.ndarray, chk: _Checker) -> pd.DataFrame:
    bad = np.flatnonzero(~chk.ok)
    q = raw.iloc[bad]
    reasons = [chk.names[r] for r in chk.reason[bad]]
    cols = [chk.columns[c] for c in chk.column[bad]]
    hints = [chk.hint.get(i, "") for i in bad.tolist()]
    values = {c: q[c].to_numpy() for c in ("commune_code", "commune_name", "period", "element", "value") if c in q}
    shown = [values[c][k] if c in values else "" for k, c in enumerate(cols)]
    per = q["period"].to_numpy()
    cache: dict[tuple, tuple[str, str]] = {}
    vi, en = [], []
    for key in zip(reasons, shown, per, hints):
        if key not in cache:
            cache[key] = (_reason_text(key[0], "vi", *key[1:]), _reason_text(key[0], "en", *key[1:]))
        vi.append(cache[key][0])
        en.append(cache[key][1])
    sheet_col = q["column"].to_numpy()
    out = pd.DataFrame({
        "file": q["file"].to_numpy(), "sheet": q["sheet"].to_numpy(), "row": q["row"].to_numpy(),
        # a wide sheet's column (e.g. "D:Thấp còi") for value faults; else the field's name
        "column": [qc if (c == "value" and qc) else c for c, qc in zip(cols, sheet_col)],
        "commune_code": [c if isinstance(c, str) and not c.startswith("!") else r
                         for c, r in zip(codes[bad], q["commune_code"].to_numpy())],
        "commune_name": q["commune_name"].to_numpy() if "commune_name" in q else "",
        "period": per, "element": q["element"].to_numpy(), "value": q["value"].to_numpy(),
        "reason": reasons, "reason_vi": vi, "reason_en": en,
    })
    return out[QUARANTINE_COLUMNS].reset_index(drop=True)


def load_submissions(paths: str | Path | Iterable[str | Path], district: str | None = None,
                     today: dt.date | None = None, flag_outliers: bool = True,
                     known_units: set[str] | None = None) -> LoadResult:
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
    known_units : set of str, optional
        Accept these codes in every period instead of checking them against the Bến Tre register.

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
    raws = [read_raw(p, district) for p in paths]
    raw = raws[0] if len(raws) == 1 else pd.concat(raws, ignore_index=True)
    res = validate(raw, today, known_units)
    res.files = [str(p) for p in paths]
    if flag_outliers and len(res.accepted):
        from .quality import outliers
        res.flags = outliers(res.accepted)
    return res


# ----------------------------------------------------------------------------- self-assessment sheets

SCORE_COLUMNS = ["commune_code", "year", "criterion", "score"]
#: Headings of the score sheets as officials write them (folded) → column.
_SCORE_HEADERS = {"ma xa": "commune_code", "ma don vi": "commune_code", "nam": "year", "nam danh gia": "year",
                  "tieu chi": "criterion", "ma tieu chi": "criterion", "diem": "score", "diem tu cham": "score",
                  "so diem": "score"}


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
        table.columns = [_SCORE_HEADERS.get(_header_key(c), _header_key(c).replace(" ", "_")) for c in table.columns]
        missing = [c for c in SCORE_COLUMNS if c not in table.columns]
        if missing:
            raise SubmissionError(f"{p}: missing column(s) {', '.join(missing)}; expected {', '.join(SCORE_COLUMNS)}")
        frames.append(pd.DataFrame({"file": str(p), "sheet": "", "row": np.arange(len(table)) + 2, "column": "",
                                    **{c: table[c].to_numpy(dtype=object) for c in SCORE_COLUMNS}}))
    raw = pd.concat(frames, ignore_index=True)
    chk = _Checker(len(raw))
    ucode, ci, _ = _check_codes(raw["commune_code"], chk)
    uy, yi = _check_periods(raw["year"], "year", chk, annual_only=True)
    _check_in_force(ucode, ci, uy, yi, chk, None)
    year_str = np.array([str(y) if isinstance(y, Period) else "" for y in uy], dtype=object)[yi]
    crit = raw["criterion"].map(lambda v: None if _is_blank(v) else str(v).strip()).to_numpy(dtype=object)
    chk.mark(pd.isna(crit), "empty_cell", "criterion")
    ed_of = {y: load_edition(edition_for_year(int(y), transitional)) for y in set(year_str) if y}
    maxima = {(y, c.id): c.max_points for y, ed in ed_of.items() for c in ed.criteria}
    unknown = np.array([bool(y) and c is not None and (y, c) not in maxima for y, c in zip(year_str, crit)])
    chk.mark(unknown, "unknown_criterion", "criterion",
             np.array([ed_of[y].id if y in ed_of else "" for y in year_str], dtype=object))
    fv = _Factor(raw["score"])
    parsed = fv.per_value(parse_number)
    vrow = fv.index
    score = np.array([np.nan if p[0] is None else p[0] for p in parsed], dtype=float)[vrow]
    vreason = np.array([p[1] for p in parsed], dtype=object)[vrow]
    for rc in ("empty_cell", "not_a_number", "percent_for_count"):
        chk.mark(vreason == rc, rc, "score")
    mx = np.array([maxima.get((y, c)) for y, c in zip(year_str, crit)], dtype=object)
    with np.errstate(invalid="ignore"):
        chk.mark(score < 0, "negative", "score")
        over = np.array([m is not None and s > m for s, m in zip(score, mx)])
    chk.mark(over, "score_above_max", "score", np.array([f"({m})" if m is not None else "" for m in mx], dtype=object))
    ucrit, cri = np.unique(np.where(pd.isna(crit), "", crit).astype(str), return_inverse=True)
    key = (ci.astype(np.int64) * (len(uy) + 1) + yi) * (len(ucrit) + 1) + cri
    folded = _duplicates(key, score, chk)
    keep = chk.ok & ~folded
    ucode_arr = np.array(ucode, dtype=object)
    accepted = pd.DataFrame({"commune_code": ucode_arr[ci[keep]], "year": year_str[keep].astype(int),
                             "edition": [ed_of[y].id for y in year_str[keep]], "criterion": crit[keep],
                             "score": score[keep]})
    q_raw = raw.rename(columns={"year": "period", "criterion": "element", "score": "value"})
    quarantine = _quarantine_table(q_raw, ucode_arr[ci], chk)
    return LoadResult(accepted=accepted, quarantine=quarantine, duplicates_folded=int(folded.sum()),
                      files=[str(p) for p in paths])

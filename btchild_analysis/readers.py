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

import codecs
import csv
import re
import warnings
import zipfile
from collections import Counter
from io import StringIO
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import register
from ._resources import load_yaml
from .errors import SubmissionError
from .limits import Limits, check_file_size, get_limits
from .periods import Period
from .registry import element_for_header

LONG_COLUMNS = ["commune_code", "period", "element", "value"]
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
#: Columns of :attr:`RawRead.rows` besides the long columns (provenance and read-time faults).
RAW_COLUMNS = ["file", "sheet", "row", "column", "commune_code", "commune_name", "district", "period",
               "element", "value", "total_row", "fault", "fault_hint"]


@dataclass
class RawRead:
    """What one file gave before validation.

    ``rows``: long records with provenance (:data:`RAW_COLUMNS`; ``fault`` is a reason code set at
    read time, e.g. ``below_table``, else None).  ``rows_read``: records counted while reading (each
    data line × element columns, plus one per other line below a header, plus one per sheet without a
    table).  ``skipped``: lines skipped by reason.  ``notes``: ``(file, sheet, note)`` about how the
    file was read (period choices, ignored columns).
    """

    rows: pd.DataFrame
    rows_read: int
    skipped: Counter = field(default_factory=Counter)
    notes: list[tuple[str, str, str]] = field(default_factory=list)


# ----------------------------------------------------------------------------- vocabulary

def fold_key(text: object) -> str:
    """A heading or cell folded for matching: lower case, no accents, ``_`` as space, spaces collapsed.

    >>> fold_key("  Xã,  Thị trấn "), fold_key("u5_measured")
    ('xa, thi tran', 'u5 measured')
    """
    return " ".join(register.fold(str(text)).replace("_", " ").split()) if text is not None else ""


@lru_cache(maxsize=1)
def layout() -> dict:
    """``data/layout.yaml`` with every word list folded (see :func:`fold_key`)."""
    raw = load_yaml("layout.yaml")
    out = {k: [fold_key(w) for w in v] for k, v in raw.items() if isinstance(v, list)}
    out["roles"] = {role: {fold_key(w) for w in words} for role, words in raw["roles"].items()}
    return out


def role_of(cell: object) -> str | None:
    """Which identity column a heading is (``commune_code``, ``commune_name``, ``district``, ``period``,
    ``element``, ``value``), or None.

    >>> role_of("Xã, thị trấn"), role_of("Địa bàn"), role_of("Mã xã"), role_of("SDD thấp còi")
    ('commune_name', 'commune_name', 'commune_code', None)
    """
    if not isinstance(cell, str):
        return None
    key = fold_key(cell)
    for role, names in layout()["roles"].items():
        if key in names:
            return role
    return None


def _starts_with_any(key: str, words: list[str]) -> bool:
    return any(key == w or key.startswith(w + " ") or key.startswith(w + "(") or key.startswith(w + ":")
               or key.startswith(w + ",") for w in words)


def is_ignored_heading(cell: object) -> bool:
    """A column that is not data: ``STT``, ``Ghi chú``, ``Tỷ lệ (%)`` … (``data/layout.yaml``)."""
    key = fold_key(cell)
    return _starts_with_any(key, layout()["ignored_headings"]) or "%" in key


def is_total_label(cell: object) -> bool:
    """``Tổng cộng``, ``Cộng``, ``Toàn huyện`` … (a total row)."""
    return isinstance(cell, str) and _starts_with_any(fold_key(cell), layout()["total_rows"])


def is_blank(v: object) -> bool:
    """None, NaN or a string of spaces."""
    return v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip())


_WARD = re.compile(r"^\s*(?:p|f|phuong|ph)\s*[.\-]?\s*0*(\d{1,2})\s*$", re.I)


def ward_name(name: object) -> object:
    """A ward typed as ``P1``, ``P.1``, ``P 1``, ``F1``, ``P.01`` → ``"Phường 1"``; anything else as is.

    >>> [ward_name(n) for n in ("P1", "P.1", "p 01", "F1", "Phường 3", "Phú Khương")]
    ['Phường 1', 'Phường 1', 'Phường 1', 'Phường 1', 'Phường 3', 'Phú Khương']
    """
    if not isinstance(name, str):
        return name
    m = _WARD.match(register.fold(name))
    return f"Phường {int(m.group(1))}" if m else name


# ----------------------------------------------------------------------------- periods in text

_DATES = [re.compile(p) for p in (
    r"ngay\s*[\d.…_ ]*\s*thang\s*[\d.…_ ]*\s*nam\s*\d{4}",   # ngày 15 tháng 10 năm 2019, ngày … tháng … năm 2019
    r"\b\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{4}\b",       # 03/7/2013
    r"thang\s*\d{1,2}\s*(?:/|nam)\s*\d{4}",                   # tháng 10/2019, tháng 10 năm 2019
    r"(?:nam\s*hoc|giai\s*doan|nien\s*khoa)?\s*\d{4}\s*[-–/]\s*\d{4}",  # năm học 2018-2019, giai đoạn 2016-2020
)]
_YEAR_AFTER_NAM = re.compile(r"\b(?:nam|cn|ca nam)\s*[-/.:]?\s*((?:19|20)\d{2})(?!\d)")
_H1 = [re.compile(p) for p in (
    r"(?:\b6\s*t(?:hang)?\b|\bsau\s+thang\b|\bh1\b|\b6t)\s*(?:dau\s*)?(?:nam\s*)?[-/.:\s]*((?:19|20)\d{2})\b",
    r"\b((?:19|20)\d{2})\s*[-_/ ]?\s*h1\b",
)]
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def period_in_text(text: object) -> Period | None:
    """The period a title or sheet name states, ignoring dates; None when it states none.

    >>> [str(period_in_text(t)) for t in ("Năm 2017", "CN 2017", "6T-2017", "6 tháng/2017",
    ...                                   "BÁO CÁO … 6 THÁNG ĐẦU NĂM 2019", "2016H1")]
    ['2017', '2017', '2017H1', '2017H1', '2019H1', '2016H1']
    >>> period_in_text("Ba Tri, ngày 15 tháng 10 năm 2019") is None
    True
    >>> str(period_in_text("BÁO CÁO KẾ HOẠCH GIAI ĐOẠN 2016-2020, NĂM 2019 (năm học 2018-2019)"))
    '2019'
    """
    if not isinstance(text, str):
        return None
    key = register.fold(text)
    for pat in _DATES:
        key = pat.sub(" ", key)
    for pat in _H1:
        m = pat.search(key)
        if m:
            return Period(int(m.group(1)), "H1")
    m = _YEAR_AFTER_NAM.search(key) or _YEAR.search(key)
    return Period(int(m.group(1)), "A") if m else None


def is_date_line(text: object) -> bool:
    """A place-and-date line ("Ba Tri, ngày 15 tháng 10 năm 2019")."""
    return isinstance(text, str) and bool(_DATES[0].search(register.fold(text)))


def title_period(heading: list[str]) -> tuple[Period | None, str | None]:
    """(period, the title it came from) from the heading cells above a table.

    A cell that reads like a report title ("BÁO CÁO", "BIỂU", "SỐ LIỆU", "TỔNG HỢP") wins; date
    lines and legal references never count.
    """
    cands = []
    for text in heading:
        key = fold_key(text).lstrip("(*- ")
        if is_date_line(text) and period_in_text(text) is None or _starts_with_any(key, layout()["not_title"]):
            continue
        p = period_in_text(text)
        if p is not None:
            titled = any(w in key for w in ("bao cao", "bieu", "so lieu", "tong hop", "ket qua"))
            cands.append((not titled, p, text))
    if not cands:
        return None, None
    _, p, text = min(cands, key=lambda c: c[0])
    return p, text


def choose_period(sheet: str, title: Period | None, title_text: str | None,
                  from_sheet: Period | None) -> tuple[Period | None, str | None, str | None]:
    """(period, note, conflict) from the title and the sheet name: the more specific wins.

    >>> p, note, conflict = choose_period("6T-2019", Period(2019, "A"), "BÁO CÁO NĂM 2019", Period(2019, "H1"))
    >>> str(p), conflict is None, "2019H1" in note
    ('2019H1', True, True)
    >>> choose_period("Năm 2016", Period(2017, "A"), "BÁO CÁO NĂM 2017", Period(2016, "A"))[2]
    "sheet 'Năm 2016' says 2016, title 'BÁO CÁO NĂM 2017' says 2017"
    """
    if title is None or from_sheet is None or title == from_sheet:
        return title or from_sheet, None, None
    if title.year != from_sheet.year:
        return None, None, f"sheet '{sheet}' says {from_sheet}, title '{title_text}' says {title}"
    chosen = title if title.kind == "H1" else from_sheet
    note = (f"tên trang '{sheet}' ghi {from_sheet}, tiêu đề ghi {title}: đọc là {chosen} (kỳ cụ thể hơn) / "
            f"sheet name '{sheet}' says {from_sheet}, title says {title}: read as {chosen} (the more specific)")
    return chosen, note, None


def district_in_text(text: object) -> str | None:
    """District code named in heading text ("UBND HUYỆN BA TRI", "Thành phố Bến Tre"), else None."""
    key = register.fold(str(text or ""))
    for code, name in _district_names():
        bare = register.fold(re.sub(r"^(Huyện|Thành phố)\s+", "", name))
        if re.search(rf"\b(huyen|thanh pho|tp\.?|h\.)\s*{re.escape(bare)}\b", key):
            return code
    return None


@lru_cache(maxsize=1)
def _district_names() -> tuple[tuple[str, str], ...]:
    return tuple(register.districts()[["district_code", "district_name"]].itertuples(index=False, name=None))


def district_from_place(text: object) -> str | None:
    """District of a date line's place ("Ba Tri, ngày …") or a file name ("BaoCao_BaTri_2024")."""
    key = re.sub(r"[^a-z]", "", register.fold(str(text or "")))
    hits = [code for code, name in _district_names()
            if re.sub(r"[^a-z]", "", register.fold(re.sub(r"^(Huyện|Thành phố)\s+", "", name))) in key]
    return hits[0] if len(hits) == 1 else None


# ----------------------------------------------------------------------------- text files

def detect_encoding(raw: bytes) -> str:
    """UTF-16 or UTF-8 by their byte-order marks, else UTF-8 if it decodes, else Windows-1258.

    >>> detect_encoding("Xã".encode("utf-8")), detect_encoding(codecs.BOM_UTF8 + b"a"), detect_encoding(b"X\\xe3")
    ('utf-8', 'utf-8-sig', 'cp1258')
    """
    if raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1258"


@dataclass
class _TextInfo:
    encoding: str
    sep: str
    lines: int          # physical lines ("\n"-terminated, a last line without one counts)
    blank: int          # empty lines (or "\r" only)
    longest: int        # bytes of the longest line
    first_line: str
    blank_at: np.ndarray | None = None   # 0-based line numbers of the empty lines (None: unknown)


def _scan_text(path: Path, lim: Limits) -> _TextInfo:
    """One streaming pass over the bytes: lines, empty lines, longest line; encoding and separator."""
    size = path.stat().st_size
    check_file_size(path, size, lim)
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
        if not head.strip(b"\x00\r\n\t \xef\xbb\xbf\xff\xfe"):
            raise SubmissionError(f"{path}: the file is empty")
        enc = detect_encoding(head if len(head) < 1 << 20 else head[: head.rfind(b"\n") + 1] or head)
        lines = blank = longest = 0
        blank_at: list[np.ndarray] = []
        last_nl = -1   # position of the previous newline, in file offsets
        prev_cr = False
        offset = 0
        fh.seek(0)
        while True:
            chunk = fh.read(8 << 20)
            if not chunk:
                break
            arr = np.frombuffer(chunk, dtype=np.uint8)
            nl = np.flatnonzero(arr == 10) + offset
            if len(nl):
                starts = np.concatenate(([last_nl], nl[:-1]))
                gaps = nl - starts - 1
                longest = max(longest, int(gaps.max()))
                cr_before = np.zeros(len(nl), dtype=bool)
                local = nl - offset - 1
                inside = local >= 0
                cr_before[inside] = arr[local[inside]] == 13
                if not inside.all():
                    cr_before[~inside] = prev_cr
                is_blank_line = (gaps == 0) | ((gaps == 1) & cr_before)
                blank += int(is_blank_line.sum())
                blank_at.append(np.flatnonzero(is_blank_line) + lines)
                lines += len(nl)
                last_nl = int(nl[-1])
            longest = max(longest, offset + len(chunk) - last_nl - 1)
            prev_cr = chunk[-1:] == b"\r"
            offset += len(chunk)
            if longest > lim.max_line_bytes:
                raise lim.refuse(path, f"a line has more than {longest:,} bytes", "max_line_bytes")
            if lines > lim.max_rows:
                raise lim.refuse(path, f"more than {lines:,} lines", "max_rows")
        if offset - last_nl - 1 > 0:
            lines += 1  # a last line without a newline
    if enc == "utf-16":  # the byte counts above are not lines: count on the text
        text = path.read_bytes().decode("utf-16")
        lines, blank = text.count("\n") + (not text.endswith("\n")), len(re.findall(r"(?m)^\r?$", text)) - 1
    first = head.decode(enc, errors="replace").lstrip("\ufeff").split("\n", 1)[0]
    sample = head[:4096].decode(enc, errors="replace")
    sep = max([",", ";", "\t"], key=sample.count)
    at = np.concatenate(blank_at) if blank_at and enc != "utf-16" else (np.zeros(0, np.int64) if enc != "utf-16" else None)
    return _TextInfo(enc, sep, lines, blank, longest, first, at)


def _fast_long(path: Path, info: _TextInfo, lim: Limits) -> RawRead | None:
    """The long layout read by ``pandas.read_csv``, or None when the fast path does not hold.

    It holds when the first line is the long header and pandas returns one row per non-empty line
    (a stray quote that merges lines, an extra field, a whitespace-only line: the careful path).
    """
    head = next(csv.reader([info.first_line.rstrip("\r")], delimiter=info.sep), [])
    if len(head) > lim.max_fields:
        raise lim.refuse(path, f"the header has {len(head):,} fields", "max_fields")
    cols = [role_of(c) for c in head]
    if not ({"element", "value", "period"} <= set(cols) and "commune_code" in cols):
        return None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            # index_col=False: lines with one field more than the header must not become an index
            fast = pd.read_csv(path, sep=info.sep, dtype=str, header=0, encoding=info.encoding, index_col=False,
                               keep_default_na=False, na_values=[""], skip_blank_lines=True, engine="c")
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError):
        return None
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        return None  # pandas dropped fields: read line by line
    n_body = info.lines - 1
    if len(fast) + info.blank != n_body or len(fast.columns) != len(head):
        return None
    fast.columns = [r or c for r, c in zip(cols, fast.columns)]
    out = fast[LONG_COLUMNS]
    empty = out.isna().all(axis=1).to_numpy()
    rows = np.arange(len(fast)) + 2
    skipped = Counter()
    if info.blank:  # pandas drops empty lines: number the rows from the file
        if info.blank_at is None:
            return None
        rows = np.setdiff1d(np.arange(1, info.lines), info.blank_at) + 1
        skipped["blank_line"] = info.blank
    if empty.any():
        skipped["separator_line"] = int(empty.sum())
        out, rows = out[~empty], rows[~empty]
    n = len(out)
    const = {k: pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), [v])
             for k, v in (("file", str(path)), ("sheet", ""), ("column", ""))}
    return RawRead(rows=out.assign(**const, row=rows), rows_read=n_body, skipped=skipped)


def _text_cells(path: Path, info: _TextInfo, lim: Limits) -> tuple[pd.DataFrame, dict[int, tuple[str, str]], int]:
    """Every line split on its own (csv module): a stray quote cannot merge lines.

    Returns (cells indexed by line number − 1, {line index: (fault, text)} for lines that cannot be
    split, number of physical lines).
    """
    text = path.read_bytes().decode(info.encoding, errors="replace").lstrip("\ufeff")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    rows, index, bad = [], [], {}
    width, bound = 1, max(lim.max_cells, lim.max_rows)
    for i, line in enumerate(lines):
        line = line.rstrip("\r")
        if line.count(info.sep) + 1 > lim.max_fields:
            raise lim.refuse(path, f"line {i + 1} has {line.count(info.sep) + 1:,} fields", "max_fields")
        if line.count('"') % 2:
            bad[i] = ("unbalanced_quote", line)
            continue
        try:
            split = list(csv.reader(StringIO(line, newline=""), delimiter=info.sep))
        except csv.Error:
            split = []
        if len(split) > 1:
            bad[i] = ("unbalanced_quote", line)
            continue
        fields = split[0] if split else []
        if line.strip() and all(not f.strip() for f in fields):
            bad[i] = ("separator_line", line)
            continue
        rows.append([f if f.strip() else None for f in fields])
        index.append(i)
        width = max(width, len(fields))
        if len(rows) * width > bound:  # checked as the table grows, not after
            raise lim.refuse(path, f"more than {len(rows):,} lines × {width:,} fields to read line by line",
                             "max_cells")
    cells = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], index=index, dtype=object)
    return cells, bad, len(lines)


# ----------------------------------------------------------------------------- workbooks

def _check_zip(path: Path, lim: Limits) -> None:
    """Refuse a workbook whose parts expand past ``max_expanded_bytes`` (before opening it)."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError):
        raise SubmissionError(f"{path}: cannot be opened as an Excel workbook (not a valid .xlsx file); "
                              f"open it in Excel and save it again as .xlsx") from None
    total = sum(i.file_size for i in infos)
    if total > lim.max_expanded_bytes or len(infos) > 10_000:
        raise lim.refuse(path, f"the workbook expands to {total:,} bytes in {len(infos):,} parts",
                         "max_expanded_bytes")


#: A cell with content and its reference (``<c r="B7" t="s">``; not ``<c r="Z9" s="1"/>``).
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>/]*>')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def sheet_extent(zf: zipfile.ZipFile, member: str) -> tuple[int, int, int, bool]:
    """(last row, last column, cells, every cell has a reference) of the cells holding something in a
    worksheet part, from a streaming scan of its XML (the declared ``<dimension>`` is ignored)."""
    max_r = max_c = n = 0
    all_ref = True
    carry = b""
    with zf.open(member) as fh:
        while True:
            chunk = fh.read(4 << 20)
            buf = carry + chunk
            end = len(buf) if not chunk else buf.rfind(b"<")
            if end < 0:
                end = len(buf)
            refs = _CELL_REF.findall(buf, 0, end)
            n += len(refs)
            # every cell written as <c r="…">: else the streaming reader takes over
            all_ref = all_ref and buf.count(b"<c ", 0, end) + buf.count(b"<c>", 0, end) == buf.count(b'<c r="', 0, end)
            if refs:
                max_r = max(max_r, max(map(int, {r for _, r in refs})))
                max_c = max(max_c, max(map(_column_number, {c for c, _ in refs})))
            carry = buf[end:] if len(buf) - end < (1 << 20) else b""
            if not chunk:
                break
    return max_r, max_c, n, all_ref


def _check_extents(path: Path, lim: Limits) -> bool:
    """Refuse a workbook with a sheet whose filled cells span more than ``max_cells``; False when a
    sheet has cells without a reference (then the streaming reader is used)."""
    with zipfile.ZipFile(path) as zf:
        members = [i.filename for i in zf.infolist()
                   if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
        ok = True
        for member in members:
            rows, cols, n, all_ref = sheet_extent(zf, member)
            if rows * cols > lim.max_cells or n > lim.max_cells:
                raise lim.refuse(path, f"a sheet ({member}) spans {rows:,} rows × {cols:,} columns "
                                       f"({max(rows * cols, n):,} cells)", "max_cells")
            if rows > lim.max_rows:
                raise lim.refuse(path, f"a sheet ({member}) has {rows:,} rows", "max_rows")
            ok = ok and all_ref
    return ok


def _calamine_sheets(path: Path) -> dict[str, pd.DataFrame] | None:
    """Every sheet through python-calamine (fast), or None when it is not installed."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        return None
    try:
        with open(path, "rb") as fh:  # by content: calamine would trust the file name's extension
            wb = CalamineWorkbook.from_filelike(fh)
        out = {}
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            width = max((len(r) for r in rows), default=0)
            arr = np.empty((len(rows), width), dtype=object)
            for i, r in enumerate(rows):
                arr[i, :len(r)] = r
            with np.errstate(all="ignore"):
                arr[arr == ""] = None  # calamine gives "" for an empty cell
            out[name] = pd.DataFrame(arr, dtype=object)
        return out
    except Exception as exc:  # calamine raises its own kinds for a broken file
        raise SubmissionError(f"{path}: cannot be opened as an Excel workbook ({type(exc).__name__}); "
                              f"open it in Excel and save it again as .xlsx") from None


def _xlsx_sheets(path: Path, lim: Limits) -> dict[str, pd.DataFrame]:
    """Each sheet's cells (row index = sheet row − 1), read by content, not by the declared dimension.

    The parts' expanded size and the filled cells' extent are checked first (a streaming scan of the
    XML); then python-calamine reads the workbook (about ten times faster than openpyxl), or, if it
    is missing or a sheet's cells carry no reference, openpyxl streams it row by row with a cell count.
    """
    _check_zip(path, lim)
    if _check_extents(path, lim):
        sheets = _calamine_sheets(path)
        if sheets is not None:
            return sheets
    return _xlsx_sheets_openpyxl(path, lim)


def _xlsx_sheets_openpyxl(path: Path, lim: Limits) -> dict[str, pd.DataFrame]:
    """The streaming reader: openpyxl read-only, dimensions reset, cells counted as they come."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise SubmissionError(f"{path}: cannot be opened as an Excel workbook ({type(exc).__name__}); "
                              f"open it in Excel and save it again as .xlsx") from None
    out = {}
    try:
        for ws in wb.worksheets:
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()
            rows, cells, last = [], 0, 0
            for r in ws.iter_rows(values_only=True):
                cells += len(r)
                if cells > lim.max_cells:
                    raise lim.refuse(path, f"sheet '{ws.title}' has more than {cells:,} cells", "max_cells")
                if len(rows) >= lim.max_rows:
                    raise lim.refuse(path, f"sheet '{ws.title}' has more than {len(rows):,} rows", "max_rows")
                rows.append(r)
                if any(not is_blank(v) for v in r):
                    last = len(rows)
            rows = rows[:last]
            width = max((len(r) for r in rows), default=0)
            if last * width > lim.max_cells:
                raise lim.refuse(path, f"sheet '{ws.title}' spans {last:,} rows × {width:,} columns", "max_cells")
            out[ws.title] = pd.DataFrame([tuple(r) + (None,) * (width - len(r)) for r in rows], dtype=object)
    finally:
        wb.close()
    return out


def _xls_sheets(path: Path, lim: Limits) -> dict[str, pd.DataFrame]:
    """A legacy ``.xls`` workbook (xlrd), or a one-line remedy when xlrd is missing."""
    try:
        import xlrd
    except ImportError:
        raise SubmissionError(f"{path}: legacy .xls workbook and the xlrd reader is not installed; "
                              f"open it in Excel and save it as .xlsx (or pip install xlrd)") from None
    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:
        raise SubmissionError(f"{path}: cannot be opened as an .xls workbook ({type(exc).__name__}); "
                              f"open it in Excel and save it as .xlsx") from None
    out = {}
    try:
        for name in book.sheet_names():
            sh = book.sheet_by_name(name)
            if sh.nrows * sh.ncols > lim.max_cells:
                raise lim.refuse(path, f"sheet '{name}' has {sh.nrows * sh.ncols:,} cells", "max_cells")
            rows = []
            for i in range(sh.nrows):
                vals = []
                for c in sh.row(i):
                    v = c.value
                    if c.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK) or v == "":
                        v = None
                    elif c.ctype == xlrd.XL_CELL_ERROR:
                        v = "#ERROR"
                    vals.append(v)
                rows.append(vals)
            out[name] = pd.DataFrame(rows, dtype=object)
    finally:
        book.release_resources()
    return out


def read_sheets(path: str | Path, limits: Limits | None = None) -> dict[str, pd.DataFrame]:
    """All sheets of a workbook as raw cells (no header), row index = sheet row − 1; bounded by ``limits``."""
    path = Path(path)
    lim = get_limits(limits)
    if not path.exists():
        raise SubmissionError(f"{path}: no such file")
    if not path.is_file():
        raise SubmissionError(f"{path}: not a file (give the files of a folder, not the folder)")
    size = path.stat().st_size
    if size == 0:
        raise SubmissionError(f"{path}: the file is empty")
    check_file_size(path, size, lim)
    with open(path, "rb") as fh:
        magic = fh.read(8)
    # by content, not by name: an .xlsx saved as .xls, or an old .xls renamed .xlsx
    if magic.startswith(b"\xd0\xcf\x11\xe0") or (path.suffix.lower() == ".xls" and not magic.startswith(b"PK")):
        return _xls_sheets(path, lim)
    return _xlsx_sheets(path, lim)


# ----------------------------------------------------------------------------- tables

def _excel_col(j: int) -> str:
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


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
        els = {j: element_for_header(h) for j, h in enumerate(row) if h and not roles.get(j)}
        els = {j: e for j, e in els.items() if e}
        all_roles = {**roles_above, **roles}
        if not els or not ({"commune_code", "commune_name"} & set(all_roles.values())):
            continue
        headings = {j: row[j] for j in els}
        for j, h in enumerate(above):  # an element heading merged over both rows
            if h and not row[j] and j not in all_roles and element_for_header(h):
                els[j], headings[j] = element_for_header(h), h
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
        two_row = bool(roles_above) or any(above[j] and not row[j] for j in els)
        return _Header(i, "wide", all_roles, els, headings, unknown, ignored, i - 1 if two_row else i)
    return None


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
        parts.append(common.assign(element=take("element"), value=take("value"),
                                   column=_excel_col(col_of["value"]) + ":value"))
    else:
        for j in el_cols:
            parts.append(common.assign(element=header.elements[j],
                                       value=np.array([vals[k][j] for k in d_rows], dtype=object),
                                       column=f"{_excel_col(j)}:{header.headings[j]}"))
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
            notes.append((file, sheet, f"cột {_excel_col(j)} '{h}' không phải số liệu, không đọc / "
                                       f"column {_excel_col(j)} '{h}' not read (not data)"))
    if header.kind == "long":
        frame = _extra_fields(frame, cells, header, d_rows, vals)
    return RawRead(rows=frame[RAW_COLUMNS], rows_read=rows_read, skipped=skipped, notes=notes)


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
    if not path.exists():
        raise SubmissionError(f"{path}: no such file")
    if not path.is_file():
        raise SubmissionError(f"{path}: not a file (give the files of a folder, not the folder)")
    bad: dict | None = None
    if path.suffix.lower() in EXCEL_SUFFIXES:
        sheets = read_sheets(path, lim)
    else:
        info = _scan_text(path, lim)
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
            rr.notes.append((str(path), sheet, f"cột {_excel_col(j)} '{header.headings[j]}' không phải chỉ tiêu "
                                               f"đã biết / column {_excel_col(j)} is not a known element"))
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
        if not path.exists():
            raise SubmissionError(f"{path}: no such file")
        if not path.is_file():
            raise SubmissionError(f"{path}: not a file")
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

"""Raw cells of a file, within size limits: CSV (encoding, separator, careful line-by-line reading) and
workbooks (``.xlsx`` checked by its zip and sheet XML before python-calamine reads it; legacy ``.xls``).

Sheets are read by their content, not by the dimension they declare: a 1.6 KB file claiming a million
rows is read in milliseconds; one whose XML would expand past the limits is refused in one line.
"""
from __future__ import annotations

import codecs
import csv
import re
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import SubmissionError
from .headings import is_blank, role_of
from .limits import Limits, check_file_size, get_limits

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

def column_letter(j: int) -> str:
    """The spreadsheet letter of the 0-based column ``j``: what a statistician sees in Excel.

    Same as ``openpyxl.utils.get_column_letter(j + 1)`` (tested equal), written here because openpyxl
    costs about 0.1 s to import and the notebooks import the readers (issue 16).

    Examples
    --------
    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(16_383)
    ('A', 'Z', 'AA', 'XFD')
    """
    s, j = "", j + 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


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
    counted: bool = True  # False: empty lines not looked for (``blank`` 0), see _scan_text(quick=True)


#: Bytes read at a time by :func:`_scan_text`.
_CHUNK = 8 << 20


def _scan_text(path: Path, lim: Limits, quick: bool = False) -> _TextInfo:
    """One streaming pass over the bytes: lines, empty lines, longest line; encoding and separator.

    ``quick``: lines are counted without looking for empty ones (:func:`_quick_chunk`, half the
    time); the result says so (``counted`` False) and the caller counts them exactly when the lines
    it read do not add up (see :func:`_fast_long`).
    """
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
        counted = True
        fh.seek(0)
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            fast = _quick_chunk(chunk, offset, last_nl, lim.max_line_bytes) if quick else None
            if fast is not None:  # no line over the limit: newlines counted, empty lines not looked for
                n_nl, last_nl, long_here = fast
                lines, longest, counted = lines + n_nl, max(longest, long_here), False
            else:
                n_nl, last_nl, long_here, empty = _exact_chunk(chunk, offset, last_nl, prev_cr)
                longest = max(longest, long_here)
                if len(empty):
                    blank += len(empty)
                    blank_at.append(empty + lines)
                lines += n_nl
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
    return _TextInfo(enc, sep, lines, blank, longest, first, at, counted or enc == "utf-16")


def _exact_chunk(chunk: bytes, offset: int, last_nl: int, prev_cr: bool) -> tuple[int, int, int, np.ndarray]:
    """(newlines, file offset of the last newline, longest line ended in the chunk, 0-based numbers within
    the chunk of the empty lines ("" or "\\r") ended in it) of one chunk; ``prev_cr``: the chunk before
    ended with a carriage return."""
    arr = np.frombuffer(chunk, dtype=np.uint8)
    nl = np.flatnonzero(arr == 10)  # positions in the chunk
    if not len(nl):
        return 0, last_nl, 0, nl
    gaps = np.empty(len(nl), dtype=np.int64)  # bytes of each line ended here
    gaps[0] = nl[0] + offset - last_nl - 1
    np.subtract(nl[1:], nl[:-1], out=gaps[1:])
    gaps[1:] -= 1
    short = np.flatnonzero(gaps <= 1)  # empty lines are among these ("" or "\r")
    before = nl[short] - 1
    cr = np.where(before >= 0, arr[np.maximum(before, 0)] == 13, prev_cr)
    return len(nl), int(nl[-1]) + offset, int(gaps.max()), short[(gaps[short] == 0) | cr]


def _quick_chunk(chunk: bytes, offset: int, last_nl: int, limit: int) -> tuple[int, int, int] | None:
    """(newlines, file offset of the last newline, a lower bound of the longest line) of a chunk in
    which no line is longer than ``limit`` bytes; None when one may be (or the chunk has no newline).

    The first line (which may have begun in earlier chunks) and the unfinished last one are measured;
    a line between them is longer than ``limit`` only if it holds one of the points ``limit`` apart
    from the second line's start, and the line around each such point is measured.
    """
    first = chunk.find(b"\n")
    if limit < 4096 or first < 0:
        return None
    last = chunk.rfind(b"\n")
    longest = max(offset + first - last_nl - 1, len(chunk) - last - 1)
    for p in range(first + 1, last, limit):
        longest = max(longest, chunk.find(b"\n", p) - chunk.rfind(b"\n", 0, p) - 1)
    if longest > limit:
        return None
    return int(np.count_nonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)), offset + last, longest


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
    names = [r or c for r, c in zip(cols, head)]
    keep = LONG_COLUMNS + (["sex"] if "sex" in cols else [])  # the optional sex column: parts
    if any(names.count(c) != 1 for c in keep):
        return None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            # Categorical columns: the parser factorises each column's text as it reads (no Python
            # string per cell).  header=None: the header line is read as a row, so that every column
            # holds a word and pandas keeps the categories as text (with header=0 it would make
            # "00875" the number 875).  index_col=False: a line with one field more than the header
            # must not become an index.
            fast = pd.read_csv(path, sep=info.sep, dtype="category", header=None, encoding=info.encoding,
                               index_col=False, keep_default_na=False, na_values=[""], skip_blank_lines=True,
                               engine="c", low_memory=False)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError):
        return None
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        return None  # pandas dropped fields: read line by line
    if _line_break_in(fast):
        return None  # a value spanning lines (a stray quote joined them, or a quoted line break)
    n_body = info.lines - 1
    if not info.counted and len(fast) - 1 != n_body:
        info = _scan_text(path, lim)  # pandas dropped lines (empty ones?): count them exactly
    if len(fast) - 1 + info.blank != n_body or len(fast.columns) != len(head):
        return None
    body = {c: _below_header(fast[names.index(c)].array) for c in keep}
    del fast
    if any(col is None for col in body.values()):
        return None
    empty = _all_empty([body[c] for c in keep])
    n_rows = len(body["commune_code"])  # line numbers: int32 while they fit (half the memory)
    rows = np.arange(2, n_rows + 2, dtype=np.int32 if n_rows < 2**31 - 2 else np.int64)
    skipped = Counter()
    if info.blank:  # pandas drops empty lines: number the rows from the file
        if info.blank_at is None:
            return None
        rows = np.setdiff1d(np.arange(1, info.lines), info.blank_at) + 1
        skipped["blank_line"] = info.blank
    if empty is not None:
        skipped["separator_line"] = int(empty.sum())
        body, rows = {c: v[~empty] for c, v in body.items()}, rows[~empty]
    n = len(rows)
    const = {k: pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), [v])
             for k, v in (("file", str(path)), ("sheet", ""), ("column", ""))}
    # one frame made from the columns as they are (validation works on the codes): no copy of them
    return RawRead(rows=pd.DataFrame({**body, **const, "row": rows}, copy=False), rows_read=n_body, skipped=skipped)


def _all_empty(columns: list[pd.Categorical]) -> np.ndarray | None:
    """Rows empty in every column (a line of separators only), or None when there is none."""
    empty = None
    for col in columns:
        missing = np.asarray(col.codes) < 0
        empty = missing if empty is None else empty & missing
        if not empty.any():
            return None
    return empty


def _line_break_in(frame: pd.DataFrame) -> bool:
    """A value of a categorical frame holds a line break (a quote that joined lines, or a quoted field)."""
    return any(isinstance(c, str) and ("\n" in c or "\r" in c)
               for col in frame.columns for c in frame[col].cat.categories)


def _below_header(cat: pd.Categorical) -> pd.Categorical | None:
    """The rows below the first (the header) of a column read as categorical, with its categories in
    order of first appearance (as :func:`pandas.factorize` gives them) and none unused; None when the
    categories are not all text."""
    codes = np.asarray(cat.codes)[1:]
    cats = np.asarray(cat.categories, dtype=object)
    if not all(isinstance(c, str) for c in cats):
        return None
    seen = _first_seen(codes, len(cats))
    width = np.int8 if len(seen) < 2**7 - 1 else np.int16 if len(seen) < 2**15 - 1 else np.int32
    lut = np.full(len(cats) + 1, -1, dtype=width)  # the last item: code -1 stays -1
    lut[seen] = np.arange(len(seen))
    new = codes if np.array_equal(seen, np.arange(len(cats))) and codes.dtype == width else lut[codes]
    return pd.Categorical.from_codes(new, dtype=pd.CategoricalDtype(pd.Index(cats[seen], dtype=object)),
                                     validate=False)


def _first_seen(codes: np.ndarray, n_cats: int, head: int = 1 << 16) -> np.ndarray:
    """The codes (>= 0) that occur, in order of first appearance (as :func:`pandas.unique` gives them).

    The first ``head`` rows usually hold every value of a key column: then the rest is only checked
    for the few values not seen yet (one comparison per value) instead of being hashed row by row.
    """
    seen = pd.unique(codes[:head])
    seen = seen[seen >= 0]
    rest = codes[head:]
    if len(seen) == n_cats or not len(rest):
        return seen
    unseen = np.setdiff1d(np.arange(n_cats), seen)
    if len(unseen) > 8:
        later = pd.unique(rest)
        later = later[later >= 0]
        return np.concatenate([seen, later[~np.isin(later, seen)]]).astype(seen.dtype, copy=False)
    first = {int(c): int(np.argmax(hit)) for c in unseen if (hit := rest == c).any()}
    return np.concatenate([seen, np.array(sorted(first, key=first.get), dtype=seen.dtype)])


def column_codes(values) -> tuple[np.ndarray, np.ndarray]:
    """A column as integer codes (-1: empty) into its distinct values (an object array).

    The codes of a categorical column are taken as they are; Arrow strings (pandas with pyarrow)
    are dictionary-encoded by Arrow; anything else is factorised as Python objects (``28756`` and
    ``"28756"`` stay two values).  No per-row Python object is made for categorical or Arrow input.
    """
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, pd.CategoricalDtype):
        cat = values.array if isinstance(values, (pd.Series, pd.Index)) else values
        return np.asarray(cat.codes), np.asarray(cat.categories, dtype=object)
    if getattr(dtype, "storage", None) == "pyarrow" or isinstance(dtype, pd.ArrowDtype):
        arr = values.array if isinstance(values, (pd.Series, pd.Index)) else values
        codes, uniques = arr.factorize(use_na_sentinel=True)
        return np.asarray(codes), np.asarray(uniques, dtype=object)
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def as_categorical(values) -> pd.Categorical:
    """``values`` as a categorical of its distinct values, in order of appearance, empty cells missing
    (text stays text: ``"00875"`` is not the number 875, as ``read_csv(dtype="category")`` would make it)."""
    codes, uniques = column_codes(values)
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(pd.Index(uniques, dtype=object)),
                                     validate=False)


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


def check_regular_file(path: Path) -> None:
    """Refuse, in one line, a path that does not exist or is not a regular file (a folder, a pipe)."""
    if not path.exists():
        raise SubmissionError(f"{path}: no such file")
    if not path.is_file():
        raise SubmissionError(f"{path}: not a file (give the files of a folder, not the folder)")


def read_sheets(path: str | Path, limits: Limits | None = None) -> dict[str, pd.DataFrame]:
    """All sheets of a workbook as raw cells (no header), row index = sheet row − 1; bounded by ``limits``."""
    path = Path(path)
    lim = get_limits(limits)
    check_regular_file(path)
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


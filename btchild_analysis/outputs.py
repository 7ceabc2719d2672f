"""Writing outputs safely: atomically, as values (never formulas), escaped for HTML and Markdown.

Every file the package writes for people goes through this module:

* :func:`atomic_path` / :func:`atomic_write_text` — write to a temporary file beside the target and
  rename it into place, so a killed run leaves either the old file or the new one, never a half.
* :func:`write_excel` — every cell written as a value: a string that starts with ``=`` stays the
  string (openpyxl would otherwise store it as a live formula).
* :func:`write_csv` / :func:`csv_safe` — OWASP CSV-injection guidance: a text cell starting with
  ``= + - @``, a tab or a carriage return is prefixed with ``'`` so spreadsheets show it as text.
* :func:`escape_html` / :func:`escape_md` — text from data or parameters for HTML pages and Markdown
  cells.
"""
from __future__ import annotations

import contextlib
import html
import os
import re
import tempfile
from pathlib import Path
from typing import Iterator, Mapping

import pandas as pd

from .admin_units import fold

#: Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?%?$")


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("done")
    >>> (d / "a.txt").read_text(), sorted(p.name for p in d.iterdir())
    ('done', ['a.txt'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp" + path.suffix)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_text(d / "a.md", "Xã An Hiệp").read_text(encoding="utf-8"), [p.name for p in d.iterdir()]
    ('Xã An Hiệp', ['a.md'])
    """
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_bytes(d / "a.bin", b"\\x00\\x01").read_bytes(), [p.name for p in d.iterdir()]
    (b'\\x00\\x01', ['a.bin'])
    """
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def neutralise(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, prefixed with ``'``; anything else as is.

    Plain numbers written as text (``"-5"``, ``"+3,5"``) are left alone: they are not formulas.

    >>> neutralise('=HYPERLINK("http://x","click")'), neutralise("-5"), neutralise("@SUM(A1)"), neutralise(3)
    ('\\'=HYPERLINK("http://x","click")', '-5', "'@SUM(A1)", 3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.match(value.strip()):
        return "'" + value
    return value


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells cannot run as formulas when the CSV is opened (see :func:`neutralise`).

    Examples
    --------
    >>> csv_safe(pd.DataFrame({"x": ["=1+1", "-5", "Xã"]}))["x"].tolist()
    ["'=1+1", '-5', 'Xã']
    """
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def write_csv(path: str | Path, df: pd.DataFrame, comment: str | None = None) -> Path:
    """Write ``df`` as UTF-8 CSV with a byte-order mark (opens in Excel), injection-safe and atomic.

    ``comment``: an optional first line (``# …``), e.g. the synthetic-data notice.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_csv(pathlib.Path(tempfile.mkdtemp()) / "t.csv", pd.DataFrame({"x": ["=1+1", "-5"]}), comment="Synthetic data")
    >>> p.read_bytes()  # byte-order mark, the comment, CRLF, the formula made text
    b"\\xef\\xbb\\xbf# Synthetic data\\r\\nx\\r\\n'=1+1\\r\\n-5\\r\\n"
    """
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            if comment:
                fh.write("# " + " ".join(comment.split()) + "\r\n")
            # CRLF (RFC 4180): a lone CR inside a cell is then quoted instead of splitting the line
            csv_safe(df).to_csv(fh, index=False, lineterminator="\r\n")
    return Path(path)


def slug(text: str) -> str:
    """File-name form of a report name: lower-case ASCII letters, digits and ``_``.

    >>> slug("01 Trạng thái — Ba Tri 2024H1")
    '01_trang_thai_ba_tri_2024h1'
    """
    return re.sub(r"[^a-z0-9]+", "_", fold(str(text))).strip("_")[:120]


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(name: str, taken: set[str] | None = None) -> str:
    """A valid, unique Excel sheet name (no ``[]:*?/\\``, at most 31 characters).

    >>> sheet_name("a/b:c"), sheet_name("x" * 40, {"x" * 31})
    ('a_b_c', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxx~2')
    """
    base = _SHEET_BAD.sub("_", str(name)).strip("'") or "Sheet"
    cand, k = base[:31], 1
    while taken and cand in taken:
        k += 1
        cand = base[: 31 - len(f"~{k}")] + f"~{k}"
    return cand


def _cell_value(v: object) -> object:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (pd.Timestamp,)):
        return v.to_pydatetime()
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        return v.item()
    return v


def write_excel(path: str | Path, sheets: Mapping[str, pd.DataFrame], cover: list[str] | None = None,
                notes: Mapping[str, str] | None = None) -> Path:
    """Write tables to an ``.xlsx`` workbook, every cell a value, atomically.

    Parameters
    ----------
    path : path
        The workbook to write.
    sheets : mapping of sheet name → DataFrame
        One sheet each, headers in the first row (names made valid and unique).
    cover : list of str, optional
        Lines of a first sheet named ``"Ghi chú"`` (e.g. the synthetic-data notice and the source).
    notes : mapping of sheet name → str, optional
        A line written above a sheet's table (the table then starts on row 3).

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> p = write_excel(pathlib.Path(tempfile.mkdtemp()) / "t.xlsx",
    ...                 {"bảng": pd.DataFrame({"x": ["=SUM(A1)"], "n": [2.5]})}, cover=["Synthetic data"])
    >>> wb = openpyxl.load_workbook(p)
    >>> wb.sheetnames, wb["bảng"]["A2"].value, wb["bảng"]["A2"].data_type, wb["bảng"]["B2"].value
    (['Ghi chú', 'bảng'], '=SUM(A1)', 's', 2.5)
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    if cover:
        ws = wb.create_sheet(sheet_name("Ghi chú", taken))
        taken.add(ws.title)
        for i, line in enumerate(cover, start=1):
            _put(ws.cell(row=i, column=1), line)
        ws.column_dimensions["A"].width = 100
    for name, df in sheets.items():
        ws = wb.create_sheet(sheet_name(name, taken))
        taken.add(ws.title)
        top = 1
        note = (notes or {}).get(name)
        if note:
            _put(ws.cell(row=1, column=1), note)
            top = 3
        for j, col in enumerate(df.columns, start=1):
            _put(ws.cell(row=top, column=j), str(col))
            ws.column_dimensions[get_column_letter(j)].width = max(10, min(50, len(str(col)) + 2))
        for i, row in enumerate(df.itertuples(index=False, name=None), start=top + 1):
            for j, v in enumerate(row, start=1):
                _put(ws.cell(row=i, column=j), _cell_value(v))
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)


def _put(cell, value: object) -> None:
    """Set a cell's value; text is always stored as text (``data_type = "s"``), never a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def escape_html(text: object) -> str:
    """Text for HTML (``<``, ``>``, ``&``, quotes escaped).

    >>> escape_html('"><img src=x onerror=alert(9)>')
    '&quot;&gt;&lt;img src=x onerror=alert(9)&gt;'
    """
    return html.escape("" if text is None else str(text), quote=True)


def escape_md(text: object) -> str:
    """Text from data or parameters for a Markdown cell: HTML-escaped, Markdown punctuation backslashed.

    >>> escape_md("<script>alert(1)</script> *x*")
    '&lt;script&gt;alert\\\\(1\\\\)&lt;/script&gt; \\\\*x\\\\*'
    """
    plain = "" if text is None else str(text).replace("\n", " ")
    return escape_html(_MD_SPECIAL.sub(r"\\\1", plain))

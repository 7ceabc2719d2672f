"""The words of district files: headings, totals, not-reported marks, and periods and districts in text.

The vocabulary is data (``data/layout.yaml``); this module folds text and recognises it.  A period is
taken from a report title, never from a date line, a legal reference, a school year or a plan stage.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from . import admin_units
from ._resources import load_yaml
from .periods import Period

# ----------------------------------------------------------------------------- vocabulary

def fold_key(text: object) -> str:
    """A heading or cell folded for matching: lower case, no accents, ``_`` as space, spaces collapsed.

    >>> fold_key("  Xã,  Thị trấn "), fold_key("u5_measured")
    ('xa, thi tran', 'u5 measured')
    """
    return " ".join(admin_units.fold(str(text)).replace("_", " ").split()) if text is not None else ""


@lru_cache(maxsize=1)
def layout() -> dict:
    """``data/layout.yaml`` with every word list folded (see :func:`fold_key`)."""
    raw = load_yaml("layout.yaml")
    out = {k: [fold_key(w) for w in v] for k, v in raw.items() if isinstance(v, list)}
    out["roles"] = {role: {fold_key(w) for w in words} for role, words in raw["roles"].items()}
    out["sex_words"] = {fold_key(w): sex for sex, words in raw["sex_words"].items() for w in words}
    return out


def sex_of(cell: object) -> str | None:
    """``"total"``, ``"male"`` or ``"female"`` for a sex word (``data/layout.yaml``, ``sex_words``); a
    blank cell is the total; None for anything else (not a sex word).

    >>> [sex_of(v) for v in ("Nam", "NỮ", "nu gioi", "Tổng số", "", "Trong đó: Nữ", "M", "1")]
    ['male', 'female', 'female', 'total', 'total', 'female', None, None]
    """
    if is_blank(cell):
        return "total"
    if not isinstance(cell, str):
        return None
    key = fold_key(cell)
    return layout()["sex_words"].get(key) or layout()["sex_words"].get(key.replace(" :", ":"))


_SEX_SUFFIX = re.compile(r"^(?P<base>.+?)\s*(?:[-–:,/]\s*|\(\s*)(?P<sex>[^-–:,/()]+?)\s*\)?\s*$")


def split_sex_heading(cell: object) -> tuple[str, str] | None:
    """(heading without its sex, ``"male"``/``"female"``/``"total"``) for a paired column heading
    (``"SDD thấp còi - Nam"``, ``"Thấp còi (Nữ)"``, ``"Thấp còi: Nữ"``), else None.

    >>> split_sex_heading("SDD thấp còi - Nam"), split_sex_heading("Thấp còi (Nữ)"), split_sex_heading("Trẻ 0-2 tuổi")
    (('SDD thấp còi', 'male'), ('Thấp còi', 'female'), None)
    """
    if not isinstance(cell, str):
        return None
    m = _SEX_SUFFIX.match(cell.strip())
    if not m or is_blank(m.group("sex")):
        return None
    sex = sex_of(m.group("sex"))
    return (m.group("base").strip(), sex) if sex else None


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


_DMY = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?\s*$")


def parse_date(v: object) -> tuple[dt.date | None, bool]:
    """A date as officials write it: ``dd/mm/yyyy`` (also ``-`` or ``.``), ISO, or an Excel date cell.

    Returns (date or None, readable): an empty cell is (None, True), a bad one (None, False).

    >>> parse_date("05/06/2024"), parse_date("31/02/2024"), parse_date("")
    ((datetime.date(2024, 6, 5), True), (None, False), (None, True))
    """
    if is_blank(v):
        return None, True
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return v.date(), True
    if isinstance(v, dt.date):
        return v, True
    s = str(v)
    m = _DMY.match(s)
    d, mo, y = (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else (None, None, None)
    if not m and (m := _ISO.match(s)):
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not m:
        return None, False
    try:
        return dt.date(y, mo, d), True
    except ValueError:
        return None, False


_WARD = re.compile(r"^\s*(?:p|f|phuong|ph)\s*[.\-]?\s*0*(\d{1,2})\s*$", re.I)


def ward_name(name: object) -> object:
    """A ward typed as ``P1``, ``P.1``, ``P 1``, ``F1``, ``P.01`` → ``"Phường 1"``; anything else as is.

    >>> [ward_name(n) for n in ("P1", "P.1", "p 01", "F1", "Phường 3", "Phú Khương")]
    ['Phường 1', 'Phường 1', 'Phường 1', 'Phường 1', 'Phường 3', 'Phú Khương']
    """
    if not isinstance(name, str):
        return name
    m = _WARD.match(admin_units.fold(name))
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
    key = admin_units.fold(text)
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
    return isinstance(text, str) and bool(_DATES[0].search(admin_units.fold(text)))


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
    key = admin_units.fold(str(text or ""))
    for code, name in _district_names():
        bare = admin_units.fold(re.sub(r"^(Huyện|Thành phố)\s+", "", name))
        if re.search(rf"\b(huyen|thanh pho|tp\.?|h\.)\s*{re.escape(bare)}\b", key):
            return code
    return None


@lru_cache(maxsize=1)
def _district_names() -> tuple[tuple[str, str], ...]:
    return tuple(admin_units.districts()[["district_code", "district_name"]].itertuples(index=False, name=None))


def district_from_place(text: object) -> str | None:
    """District of a date line's place ("Ba Tri, ngày …") or a file name ("BaoCao_BaTri_2024")."""
    key = re.sub(r"[^a-z]", "", admin_units.fold(str(text or "")))
    hits = [code for code, name in _district_names()
            if re.sub(r"[^a-z]", "", admin_units.fold(re.sub(r"^(Huyện|Thành phố)\s+", "", name))) in key]
    return hits[0] if len(hits) == 1 else None


"""Numbers, dates and comparison signs written the way a reader of each language expects.

Vietnamese pages use the decimal comma and the thousands dot (``79,6``; ``255.206``), dates as
``dd/mm/yyyy`` and the signs ``≥ ≤``; English pages use ``79.6``, ``255,206`` and ISO dates
(``2024-10-31``, the form the rest of the English pages use).  A missing value is a dash (``—``).

Rounding is half-up on the number as written (``2,25`` → ``2,3``), as people round by hand and as
spreadsheets do, not half-to-even on the binary value.

:func:`format_table` and :func:`style_table` turn a whole table into display text: numbers formatted
and right-aligned, text left-aligned, every cell and heading HTML-escaped, no index column.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from .i18n import check_lang, label

#: What a missing value is written as.
DASH = "—"
#: Thousands and decimal separators by language.
SEPARATORS = {"vi": (".", ","), "en": (",", ".")}
#: Comparison signs of the data files and how they are printed.
OPS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "=": "="}


def is_missing(x: object) -> bool:
    """Whether ``x`` is a missing value (None, NaN, ``pd.NA``, ``NaT``, empty text).

    >>> is_missing(None), is_missing(float("nan")), is_missing(pd.NA), is_missing(""), is_missing(0)
    (True, True, True, True, False)
    """
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    if isinstance(x, str):
        return not x.strip()
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _decimal(x: object) -> Decimal | None:
    """``x`` as a Decimal of its shortest written form (None when not a finite number)."""
    if isinstance(x, (bool, np.bool_)):
        return Decimal(int(x))
    if isinstance(x, (int, np.integer)):
        return Decimal(int(x))
    try:
        f = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not math.isfinite(f):
        return None
    try:
        return Decimal(repr(f))
    except InvalidOperation:  # pragma: no cover - repr of a finite float is always a decimal
        return None


def is_whole(x: object) -> bool:
    """Whether ``x`` is a finite whole number (``850.0`` is; ``79.6`` and NaN are not).

    >>> is_whole(850.0), is_whole(3), is_whole(79.6), is_whole(float("nan"))
    (True, True, False, False)
    """
    d = _decimal(x)
    return d is not None and d == d.to_integral_value()


def _group(digits: str, sep: str) -> str:
    """``"255206"`` → ``"255.206"`` with ``sep`` every three digits from the right."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


def number(x: object, lang: str = "vi", decimals: int = 1, fixed: bool = False, sign: bool = False) -> str:
    """A number as text in ``lang``.

    Parameters
    ----------
    x : number
        Any int, float or numpy number; a missing value gives ``"—"``.
    lang : {"vi", "en"}
    decimals : int
        Decimals of a value that is not whole (rounded half-up).
    fixed : bool
        Always write ``decimals`` decimals, also for a whole value (for a column of rates: ``80,0``).
        Without it a whole value is written without decimals (scores, counts: ``850``, ``255.206``).
    sign : bool
        Write ``+`` before a positive value (changes).

    Examples
    --------
    >>> number(79.6, "vi"), number(79.6, "en"), number(255206, "vi"), number(255206.0, "en")
    ('79,6', '79.6', '255.206', '255,206')
    >>> number(850.0, "vi"), number(80.0, "vi", fixed=True), number(2.25, "en"), number(float("nan"), "vi")
    ('850', '80,0', '2.3', '—')
    >>> number(-1234.56, "vi", 2), number(3.24, "en", sign=True), number(0.04, "vi")
    ('-1.234,56', '+3.2', '0')
    """
    thousands, point = SEPARATORS[check_lang(lang)]
    d = None if is_missing(x) else _decimal(x)
    if d is None:
        return DASH
    places = decimals if (fixed or d != d.to_integral_value()) else 0
    q = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)  # no "-0"
    text = f"{abs(q):f}"
    whole, _, frac = text.partition(".")
    if not fixed and frac and set(frac) == {"0"}:
        frac = ""  # 0.04 with one decimal is 0, not 0,0
    out = _group(whole, thousands) + (point + frac if frac else "")
    if q < 0:
        return "-" + out
    return ("+" + out) if sign and q > 0 else out


def percent(x: object, lang: str = "vi", decimals: int = 1, fixed: bool = True) -> str:
    """A percentage (``x`` already in %): ``"79,6%"`` / ``"79.6%"``; ``"—"`` when missing.

    >>> percent(79.64, "vi"), percent(100, "en"), percent(None, "vi")
    ('79,6%', '100%', '—')
    """
    text = number(x, lang, decimals, fixed=fixed and not isinstance(x, (int, np.integer)))
    return text if text == DASH else text + "%"


def counts(fields: Mapping[str, object], lang: str = "vi") -> dict[str, object]:
    """The whole numbers among ``fields`` written the ``lang`` way (for a sentence of counts); other values as they are.

    >>> counts({"rows_read": 17132, "files": 1, "by": "sex"}, "vi")
    {'rows_read': '17.132', 'files': '1', 'by': 'sex'}
    >>> counts({"rows_read": 17132}, "en")
    {'rows_read': '17,132'}
    """
    return {k: number(v, lang, 0) if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else v
            for k, v in fields.items()}


def points(x: object, lang: str = "vi", decimals: int = 1, sign: bool = True) -> str:
    """A difference of two percentages in percentage points: ``"+3,2 điểm %"`` / ``"+3.2 pp"``.

    >>> points(3.24, "vi"), points(-1.0, "en")
    ('+3,2 điểm %', '-1 pp')
    """
    text = number(x, lang, decimals, sign=sign)
    return text if text == DASH else f"{text} {label('points_unit', lang)}"


def date(d: object, lang: str = "vi") -> str:
    """A date: ``dd/mm/yyyy`` in Vietnamese, ``yyyy-mm-dd`` in English; ``"—"`` when missing.

    Accepts a ``date``, ``datetime``, ``Timestamp`` or ISO text (``"2024-10-31"``); other text is
    returned as it is (the caller escapes it).

    >>> date(dt.date(2024, 10, 31), "vi"), date("2024-10-31", "en"), date(None, "vi"), date("Q3", "vi")
    ('31/10/2024', '2024-10-31', '—', 'Q3')
    """
    check_lang(lang)
    if is_missing(d):
        return DASH
    if isinstance(d, (dt.datetime, pd.Timestamp)):
        day = pd.Timestamp(d).date()
    elif isinstance(d, dt.date):
        day = d
    else:
        try:
            day = dt.date.fromisoformat(str(d).strip()[:10])
        except ValueError:
            return str(d)
    return day.strftime(label("date_format", lang))


def op(sign: str, lang: str = "vi") -> str:
    """A comparison sign of the data files as printed: ``">="`` → ``"≥"``, ``"<="`` → ``"≤"``.

    >>> op(">=", "vi"), op("<=", "en"), op("<", "vi")
    ('≥', '≤', '<')
    """
    check_lang(lang)
    return OPS.get(str(sign).strip(), str(sign))


def target(sign: str, value: object, lang: str = "vi", unit: str = "") -> str:
    """A target as printed: ``"≥ 80"``, ``"< 22,5"`` (``unit`` appended when given).

    >>> target(">=", 80.0, "vi"), target("<", 22.5, "vi"), target("<", 22.5, "en", "%")
    ('≥ 80', '< 22,5', '< 22.5%')
    """
    return f"{op(sign, lang)} {number(value, lang)}{unit}"


def value_year(value: object, year: object, lang: str = "vi", decimals: int = 1) -> str:
    """A value with the year it belongs to: ``"79,6 (2024)"``; ``"—"`` when the value is missing.

    >>> value_year(79.64, 2024.0, "vi"), value_year(float("nan"), 2024, "en")
    ('79,6 (2024)', '—')
    """
    if is_missing(value):
        return DASH
    return f"{number(value, lang, decimals, fixed=True)} ({int(year)})" if not is_missing(year) else \
        number(value, lang, decimals, fixed=True)


def interval(low: object, high: object, lang: str = "vi", decimals: int = 1) -> str:
    """A 95% interval ``"20,5–26,2"``; ``""`` when there is none (a complete enumeration).

    >>> interval(20.53, 26.25, "vi"), interval(float("nan"), float("nan"), "en")
    ('20,5–26,3', '')
    """
    if is_missing(low) or is_missing(high):
        return ""
    return f"{number(low, lang, decimals, fixed=True)}–{number(high, lang, decimals, fixed=True)}"


def join_names(names: Iterable[str], lang: str = "vi", limit: int = 8) -> str:
    """Names joined for a sentence, at most ``limit`` of them, then ``"và N xã khác"`` / ``"and N more"``.

    >>> join_names(["A", "B", "C"], "vi"), join_names(["A", "B", "C"], "en", limit=2)
    ('A, B và C', 'A, B and 1 more')
    """
    names = [str(n) for n in names]
    word = label("and_last", lang)
    if len(names) > limit:
        return ", ".join(names[:limit]) + word + label("more_communes", lang, n=len(names) - limit)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + word + names[-1]


# ---------------------------------------------------------------------- tables

def numeric_columns(df: pd.DataFrame) -> list:
    """Columns holding numbers (booleans are not numbers to align).

    >>> numeric_columns(pd.DataFrame({"a": [1.5], "b": ["x"], "c": [True], "d": pd.array([2], "Int64")}))
    ['a', 'd']
    """
    return [c for c in df.columns
            if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]


_YEAR_WORD = re.compile(r"(?:^|\W)(?:năm|year|years)(?:\W|$)", re.IGNORECASE)


def is_year_column(name: object, s: pd.Series) -> bool:
    """Whether a column holds years (written ``2015``, never ``2.015``): its heading says year
    (``năm``/``year``) and every value is a whole number between 1900 and 2100.

    >>> is_year_column("Năm mục tiêu", pd.Series([2015, 2020])), is_year_column("Số trẻ", pd.Series([2015]))
    (True, False)
    """
    if not _YEAR_WORD.search(str(name)):
        return False
    vals = [v for v in s.tolist() if not is_missing(v)]
    return bool(vals) and all(is_whole(v) and 1900 <= float(v) <= 2100 for v in vals)


def _column_decimals(s: pd.Series, wanted: int | None) -> tuple[int, bool]:
    """Decimals and fixed-ness of one column: whole columns as integers, others ``wanted`` (default 1)."""
    vals = [v for v in s.tolist() if not is_missing(v)]
    if wanted is None and all(is_whole(v) for v in vals):
        return 0, False
    return (1 if wanted is None else wanted), True


def format_table(df: pd.DataFrame, lang: str = "vi", decimals: Mapping[str, int] | None = None,
                 percent_columns: Iterable[str] = ()) -> tuple[pd.DataFrame, list]:
    """A copy of ``df`` whose numbers are text in ``lang``, and the list of its numeric columns.

    A column of years (:func:`is_year_column`) is written as plain digits (``2015``).
    A numeric column whose values are all whole is written without decimals (counts, scores);
    any other numeric column with a fixed number of decimals (``decimals[col]``, default 1), so a
    column of rates reads ``80,0`` beside ``79,6``.  Missing values become ``"—"``; text columns are
    left as they are (escape them when writing HTML: :func:`style_table` does).

    Parameters
    ----------
    df : DataFrame
    lang : {"vi", "en"}
    decimals : mapping of column → int, optional
    percent_columns : columns to write with a ``%`` sign

    Returns
    -------
    (DataFrame, list)
        The formatted copy and the columns that held numbers (to right-align).

    Examples
    --------
    >>> t, num = format_table(pd.DataFrame({"Xã": ["A"], "Trẻ": [255206.0], "Tỷ lệ": [79.64]}), "vi")
    >>> t.iloc[0].tolist(), num
    (['A', '255.206', '79,6'], ['Trẻ', 'Tỷ lệ'])
    """
    check_lang(lang)
    decimals = dict(decimals or {})
    pct = set(percent_columns)
    num = numeric_columns(df)
    out = df.copy()
    for col in num:
        if is_year_column(col, df[col]):
            out[col] = pd.Series([DASH if is_missing(v) else str(int(v)) for v in df[col].tolist()],
                                 index=df.index, dtype=object)
            continue
        places, fixed = _column_decimals(df[col], decimals.get(col))
        fmt = (lambda v, p=places, f=fixed: percent(v, lang, p, f)) if col in pct else \
            (lambda v, p=places, f=fixed: number(v, lang, p, fixed=f))
        out[col] = pd.Series([fmt(v) for v in df[col].tolist()], index=df.index, dtype=object)
    return out, num


def style_table(df: pd.DataFrame, lang: str = "vi", decimals: Mapping[str, int] | None = None,
                percent_columns: Iterable[str] = (), hidden: Iterable = (), align_right: Iterable = ()):
    """A pandas Styler of ``df`` for a page: numbers formatted in ``lang`` and right-aligned, text
    left-aligned, every cell and heading HTML-escaped, no index column.

    ``hidden`` columns stay in the data (e.g. a status code that drives a colour) but are not shown;
    ``align_right`` text columns are right-aligned too (numbers already written as text, ``"79,6 (2024)"``).

    Examples
    --------
    >>> html = style_table(pd.DataFrame({"Xã": ["<b>A</b>"], "Tỷ lệ": [79.64]}), "vi").to_html()
    >>> "&lt;b&gt;A&lt;/b&gt;" in html, "79,6" in html, "<b>" in html
    (True, True, False)
    """
    table, num = format_table(df, lang, decimals, percent_columns)
    num = num + [c for c in align_right if c in table.columns and c not in num]
    text = [c for c in table.columns if c not in num]
    styler = (table.style.hide(axis="index")
              .format(escape="html", na_rep=DASH)
              .format_index(escape="html", axis=1))
    if num:
        styler = styler.set_properties(subset=num, **{"text-align": "right", "white-space": "nowrap"})
    if text:
        styler = styler.set_properties(subset=text, **{"text-align": "left"})
    styles = {c: [{"selector": "th", "props": [("text-align", "right" if c in num else "left")]}]
              for c in table.columns}
    styler = styler.set_table_styles(styles, overwrite=False)
    hide = [c for c in hidden if c in table.columns]
    if hide:
        styler = styler.hide(subset=hide, axis="columns")
    return styler

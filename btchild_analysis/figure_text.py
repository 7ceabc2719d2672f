"""Numbers and signs on figures in the page's language (decimal comma and thousands dot in Vietnamese).

>>> num(79.6, "vi"), num(255206, "vi", 0), num(-3.25, "en", 1), op_text(">=", "vi")
('79,6', '255.206', '−3.2', '≥')
"""
from __future__ import annotations

import math

import matplotlib.ticker as mticker

from .style import check_lang

_OPS = {">=": "≥", "<=": "≤", "<": "<", ">": ">", "==": "="}


def num(value: float | None, lang: str = "vi", decimals: int = 1, sign: bool = False) -> str:
    """``value`` with ``decimals`` decimals: ``79,6`` / ``255.206`` in Vietnamese, ``79.6`` / ``255,206`` in English.

    A negative number takes a true minus sign (−); ``sign`` writes ``+`` before a positive one.
    Missing values give ``"–"``.
    """
    check_lang(lang)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{abs(value):,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    rounded_zero = float(f"{abs(value):.{decimals}f}") == 0
    prefix = "−" if value < 0 and not rounded_zero else ("+" if sign and value > 0 and not rounded_zero else "")
    return prefix + text


def op_text(op: str, lang: str = "vi") -> str:
    """A comparison written with its mathematical sign (``>=`` → ``≥``)."""
    check_lang(lang)
    return _OPS.get(op, op)


def span(low: float, high: float, lang: str = "vi", decimals: int = 1) -> str:
    """A range ``low – high`` in the language's number format."""
    return f"{num(low, lang, decimals)} – {num(high, lang, decimals)}"


def axis_formatter(lang: str = "vi", decimals: int | None = None) -> mticker.FuncFormatter:
    """A tick formatter writing numbers the language's way (whole numbers without decimals)."""

    def fmt(x, _pos=None):
        d = decimals if decimals is not None else (0 if float(x).is_integer() else 1)
        return num(x, lang, d)
    return mticker.FuncFormatter(fmt)


def period_label(period: object, lang: str = "vi") -> str:
    """A reporting period in words: ``2015H1`` → ``6 tháng đầu 2015`` / ``2015 H1``; ``2015`` → ``2015``.

    >>> period_label("2015H1", "vi"), period_label("2015H1", "en"), period_label(2015, "vi")
    ('6 tháng đầu 2015', '2015 H1', '2015')
    """
    from .periods import parse_period
    p = parse_period(period)
    if p.kind == "A":
        return str(p.year)
    return f"6 tháng đầu {p.year}" if check_lang(lang) == "vi" else f"{p.year} H1"


def period_order(period: object) -> tuple[int, int]:
    """Sort key putting a year's first half before the whole year: ``2015H1`` < ``2015`` < ``2016H1``."""
    from .periods import parse_period
    p = parse_period(period)
    return p.year, 0 if p.kind == "H1" else 1


def set_alt(fig, text: str) -> str:
    """Keep a short description of a figure in ``fig.btchild_alt`` (alt text for the page)."""
    fig.btchild_alt = " ".join(str(text).split())
    return fig.btchild_alt

"""Numbers and signs on figures in the page's language (decimal comma and thousands dot in Vietnamese).

>>> num(79.6, "vi"), num(255206, "vi", 0), num(-3.25, "en", 1), op_text(">=", "vi")
('79,6', '255.206', '−3.3', '≥')
"""
from __future__ import annotations

import matplotlib.ticker as mticker

from .fmt import is_missing, number
from .fmt import op as fmt_op
from .periods import parse_period
from .i18n import label

def num(value: float | None, lang: str = "vi", decimals: int = 1, sign: bool = False) -> str:
    """:func:`btchild_analysis.fmt.number` with fixed decimals and a true minus sign (−), for figures.

    Missing values give ``"–"``.
    """
    if is_missing(value):
        return "–"
    text = number(value, lang, decimals, fixed=True, sign=sign)
    return "−" + text[1:] if text.startswith("-") else text


def op_text(op: str, lang: str = "vi") -> str:
    """A comparison written with its mathematical sign (``>=`` → ``≥``), as :func:`btchild_analysis.fmt.op`."""
    return fmt_op(op, lang)


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
    p = parse_period(period)
    if p.kind == "A":
        return str(p.year)
    return label("first_half_short", lang, year=p.year)


def set_alt(fig, text: str) -> str:
    """Keep a short description of a figure in ``fig.btchild_alt`` (alt text for the page)."""
    fig.btchild_alt = " ".join(str(text).split())
    return fig.btchild_alt

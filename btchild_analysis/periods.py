"""Reporting periods: ``2015`` (calendar year, annual report) and ``2015H1`` (first half).

The plan asks for a 6-monthly report before 1 May and an annual report before 1 November
(``data/plan.yaml``).  Each period has a *reference date*, the day before its report is due: it picks
the vintage of administrative units a report is expected on (see :func:`reference_date`).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ._resources import load_yaml
from .errors import PeriodError

_PERIOD_RE = re.compile(r"^\s*(\d{4})\s*(?:[-_ ]?([Hh])\s*1)?\s*$")


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: ``year`` and ``kind`` (``"A"`` annual or ``"H1"`` first half)."""

    year: int
    kind: str

    def __str__(self) -> str:
        return f"{self.year}" if self.kind == "A" else f"{self.year}H1"

    @property
    def deadline(self) -> dt.date:
        """The date the report must arrive *before* (1 May for H1, 1 November for annual)."""
        rule = load_yaml("plan.yaml")["reporting"][self.kind]
        return dt.date(self.year, rule["deadline_month"], rule["deadline_day"])

    @property
    def reference_date(self) -> dt.date:
        """The day before the deadline: units in force that day are the ones expected to report."""
        return self.deadline - dt.timedelta(days=1)


def parse_period(value: object) -> Period:
    """Parse ``2015``, ``"2015"``, ``"2015H1"`` (also ``"2015-H1"``, ``"2015 h1"``).

    >>> parse_period("2015H1")
    Period(year=2015, kind='H1')
    >>> str(parse_period(2016.0))
    '2016'
    """
    if isinstance(value, Period):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    m = _PERIOD_RE.match(str(value))
    if not m or not 1990 <= int(m.group(1)) <= 2100:
        raise PeriodError(
            f"'{value}' is not a period: write a year such as 2015 for the annual report "
            f"or 2015H1 for the six-monthly report"
        )
    return Period(int(m.group(1)), "H1" if m.group(2) else "A")


def reference_date(period: object) -> dt.date:
    """Reference date of a period (see :class:`Period`)."""
    return parse_period(period).reference_date

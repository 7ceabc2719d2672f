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
    """A reporting period: ``year`` and ``kind`` (``"A"`` annual or ``"H1"`` first half).

    Examples
    --------
    >>> p = Period(2024, "H1")
    >>> str(p), str(Period(2024, "A")), Period(2023, "A") < p
    ('2024H1', '2024', True)
    """

    year: int
    kind: str

    def __str__(self) -> str:
        return f"{self.year}" if self.kind == "A" else f"{self.year}H1"

    @property
    def deadline(self) -> dt.date:
        """The date the report must arrive *before* (1 May for H1, 1 November for annual).

        Examples
        --------
        >>> Period(2024, "H1").deadline, Period(2024, "A").deadline
        (datetime.date(2024, 5, 1), datetime.date(2024, 11, 1))
        """
        rule = load_yaml("plan.yaml")["reporting"][self.kind]
        return dt.date(self.year, rule["deadline_month"], rule["deadline_day"])

    @property
    def reference_date(self) -> dt.date:
        """The day before the deadline: units in force that day are the ones expected to report.

        Examples
        --------
        >>> Period(2024, "H1").reference_date
        datetime.date(2024, 4, 30)
        """
        return self.deadline - dt.timedelta(days=1)

    @property
    def window(self) -> tuple[dt.date, dt.date]:
        """First and last day the report covers (both included), from ``data/plan.yaml``.

        >>> [str(d) for d in Period(2024, "H1").window], [str(d) for d in Period(2024, "A").window]
        (['2023-11-01', '2024-04-30'], ['2023-11-01', '2024-10-31'])
        """
        rule = load_yaml("plan.yaml")["reporting"][self.kind]["window"]
        return _window_date(self.year, rule["start"]), _window_date(self.year, rule["end"])


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
    """Reference date of a period (see :class:`Period`).

    Examples
    --------
    >>> reference_date("2024"), reference_date("2024H1")
    (datetime.date(2024, 10, 31), datetime.date(2024, 4, 30))
    """
    return parse_period(period).reference_date


def _window_date(year: int, rule: dict) -> dt.date:
    return dt.date(year + int(rule.get("year", 0)), int(rule["month"]), int(rule["day"]))


def due_next(today: dt.date | None = None) -> Period:
    """The report due next after ``today``: the period with the earliest deadline still ahead.

    A report is due *before* its deadline (``data/plan.yaml``), so on the deadline day itself the
    next report is the one due.

    Parameters
    ----------
    today : date, optional
        The run date (default: today).

    Examples
    --------
    >>> str(due_next(dt.date(2026, 10, 20))), str(due_next(dt.date(2026, 4, 20))), str(due_next(dt.date(2026, 11, 2)))
    ('2026', '2026H1', '2027H1')
    """
    today = today or dt.date.today()
    kinds = load_yaml("plan.yaml")["reporting"]
    ahead = [Period(year, kind) for year in (today.year, today.year + 1) for kind in kinds]
    return min((p for p in ahead if p.deadline > today), key=lambda p: p.deadline)


def period_order(period: object) -> tuple[int, int]:
    """Sort key putting a year's first half before the whole year: ``2015H1`` < ``2015`` < ``2016H1``.

    >>> sorted(["2016", "2015", "2016H1", "2015H1"], key=period_order)
    ['2015H1', '2015', '2016H1', '2016']
    """
    p = parse_period(period)
    return p.year, 0 if p.kind == "H1" else 1

"""Periods: faults planted by mutation testing (issue 17) that no earlier test caught.

Expected dates come from the plan's own words (data/plan.yaml, Plan 3042/KH-UBND): the six-monthly
report is due *before 1 May*, the annual report *before 1 November*; the reference date is the day
before, and a report's window is 1 November of the previous year to that day.
"""
import datetime as dt

import pytest

from btchild_analysis import periods
from btchild_analysis.errors import PeriodError
from btchild_analysis.periods import Period, parse_period

D = dt.date


@pytest.mark.parametrize("period, deadline, reference", [
    ("2015H1", D(2015, 5, 1), D(2015, 4, 30)),
    ("2015", D(2015, 11, 1), D(2015, 10, 31)),
    ("2020H1", D(2020, 5, 1), D(2020, 4, 30)),   # 2020 is a leap year: no effect on 30 April
    ("2024", D(2024, 11, 1), D(2024, 10, 31)),
])
def test_deadline_and_reference_date_of_each_kind(period, deadline, reference):
    p = parse_period(period)
    assert p.deadline == deadline
    assert p.reference_date == reference          # deadline − 1 day, not + 1 day
    assert periods.reference_date(period) == reference
    assert (p.deadline - p.reference_date).days == 1


def test_reference_date_accepts_every_spelling():
    assert periods.reference_date(2016) == periods.reference_date("2016") == periods.reference_date(2016.0) == D(2016, 10, 31)
    assert periods.reference_date(Period(2016, "H1")) == D(2016, 4, 30)


@pytest.mark.parametrize("period, start, end", [
    ("2024H1", D(2023, 11, 1), D(2024, 4, 30)),
    ("2024", D(2023, 11, 1), D(2024, 10, 31)),
    ("2016", D(2015, 11, 1), D(2016, 10, 31)),
])
def test_window_at_both_ends(period, start, end):
    assert parse_period(period).window == (start, end)


def test_window_date_without_a_year_offset_is_the_period_year():
    # data/plan.yaml may leave out ``year`` (no offset): the date falls in the period's own year
    assert periods._window_date(2024, {"month": 4, "day": 30}) == D(2024, 4, 30)
    assert periods._window_date(2024, {"year": -1, "month": 11, "day": 1}) == D(2023, 11, 1)
    assert periods._window_date(2024, {"year": "1", "month": "1", "day": "2"}) == D(2025, 1, 2)


@pytest.mark.parametrize("text, expected", [
    ("2015", Period(2015, "A")), ("2015H1", Period(2015, "H1")), ("2015-H1", Period(2015, "H1")),
    ("2015 h1", Period(2015, "H1")), ("2015_H1", Period(2015, "H1")), ("  2015  ", Period(2015, "A")),
    (2015, Period(2015, "A")), (2015.0, Period(2015, "A")),
])
def test_spellings(text, expected):
    assert parse_period(text) == expected


def test_a_period_passes_through_unchanged():
    p = Period(2019, "H1")
    assert parse_period(p) is p


@pytest.mark.parametrize("year", [1990, 2100])
def test_first_and_last_year_accepted(year):
    assert parse_period(str(year)) == Period(year, "A")
    assert parse_period(f"{year}H1") == Period(year, "H1")


@pytest.mark.parametrize("bad", ["1989", "2101", "1989H1", "2101H1", "2015H2", "15", "2015.5", 2015.5, "", "H1",
                                 "2015H12", "20155"])
def test_not_a_period_is_refused_with_a_message_a_person_can_act_on(bad):
    with pytest.raises(PeriodError) as e:
        parse_period(bad)
    msg = str(e.value)
    assert f"'{bad}'" in msg and "2015" in msg and "2015H1" in msg


def test_str_round_trips():
    assert str(Period(2015, "A")) == "2015" and str(Period(2015, "H1")) == "2015H1"
    assert str(parse_period(str(Period(2031, "H1")))) == "2031H1"


def test_periods_sort_by_year_then_kind():
    # order=True on (year, kind): "A" < "H1", so within a year the annual sorts first
    assert sorted([Period(2016, "H1"), Period(2015, "A"), Period(2015, "H1")]) == [
        Period(2015, "A"), Period(2015, "H1"), Period(2016, "H1")]


@pytest.mark.parametrize("today, expected", [
    (D(2026, 4, 30), "2026H1"),    # the last day before the six-monthly deadline
    (D(2026, 5, 1), "2026"),       # on the deadline day the six-monthly report is no longer due before it
    (D(2026, 10, 31), "2026"),
    (D(2026, 11, 1), "2027H1"),    # same on the annual deadline day
    (D(2026, 1, 1), "2026H1"),
    (D(2026, 12, 31), "2027H1"),
])
def test_due_next_on_and_around_each_deadline(today, expected):
    assert str(periods.due_next(today)) == expected

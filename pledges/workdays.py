"""Chinese working days: weekends and public holidays off, and the official make-up working
days (调休, a Saturday or Sunday worked in exchange for a longer holiday) on.

The calendar comes from the chinesecalendar package, which follows the State Council's yearly
notice; it knows only the years published when it was released, so a date outside them is an
error (CalendarNotCovered), never a guess.
"""

from datetime import date, timedelta

import chinese_calendar

from .errors import CalendarNotCovered


def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError as error:  # the package's answer for a year it lacks
        raise CalendarNotCovered(day) from error


def working_days_after(start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself not counted)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    day = start
    while count:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def calendar_last_day() -> date:
    """The last day the calendar covers (31 December of its last year)."""
    return date(max(chinese_calendar.holidays).year, 12, 31)

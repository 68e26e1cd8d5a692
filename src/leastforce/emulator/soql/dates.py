"""SOQL date literals (TODAY, LAST_N_DAYS:7, THIS_MONTH, ...) as half-open date ranges.

Ranges follow
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm
for a user in the en_US locale and the UTC time zone (the emulator's only user locale): weeks start on
Sunday, LAST_N_DAYS:n and LAST_90_DAYS include today, NEXT_N_DAYS:n starts tomorrow. Fiscal literals
(THIS_FISCAL_YEAR, ...) are not supported.
"""

from __future__ import annotations

import datetime as dt
import re

_FIXED = {
    "YESTERDAY": ("DAY", -1, 1),
    "TODAY": ("DAY", 0, 1),
    "TOMORROW": ("DAY", 1, 1),
    "LAST_90_DAYS": ("LAST_N_DAYS", 90, 0),
    "NEXT_90_DAYS": ("NEXT_N_DAYS", 90, 0),
}
_PERIOD = re.compile(r"^(THIS|LAST|NEXT)_(WEEK|MONTH|QUARTER|YEAR)$")
_N_PERIOD = re.compile(
    r"^(?:(LAST|NEXT)_N_(DAYS|WEEKS|MONTHS|QUARTERS|YEARS)|N_(DAYS|WEEKS|MONTHS|QUARTERS|YEARS)_AGO)$"
)
_MONTHS_PER = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}


def is_date_literal(name: str, has_n: bool) -> bool:
    """True if `name` (upper case) is a supported date literal; `has_n` says whether `:n` followed."""
    if name in _FIXED or _PERIOD.match(name):
        return not has_n
    return bool(_N_PERIOD.match(name)) and has_n


def date_range(name: str, n: int | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The half-open range [start, end) of dates that date literal `name` (with `n`) covers."""
    if name in _FIXED:
        kind, offset, length = _FIXED[name]
        if kind == "DAY":
            start = today + dt.timedelta(days=offset)
            return start, start + dt.timedelta(days=length)
        return date_range(kind, offset, today)
    period = _PERIOD.match(name)
    if period:
        shift = {"THIS": 0, "LAST": -1, "NEXT": 1}[period.group(1)]
        return _period(period.group(2), today, shift, 1)
    match = _N_PERIOD.match(name)
    if match is None or n is None:
        raise ValueError(f"not a date literal: {name}")
    direction, unit = (match.group(1), match.group(2)) if match.group(1) else ("AGO", match.group(3))
    unit = unit[:-1]  # DAYS -> DAY
    if unit == "DAY":
        day = dt.timedelta(days=1)
        if direction == "LAST":
            return today - n * day, today + day
        if direction == "NEXT":
            return today + day, today + (n + 1) * day
        return today - n * day, today - (n - 1) * day
    if direction == "LAST":
        return _period(unit, today, -n, n)
    if direction == "NEXT":
        return _period(unit, today, 1, n)
    return _period(unit, today, -n, 1)


def _period(unit: str, today: dt.date, shift: int, count: int) -> tuple[dt.date, dt.date]:
    """`count` whole periods of `unit`, starting `shift` periods from the one holding `today`."""
    if unit == "WEEK":
        sunday = today - dt.timedelta(days=(today.weekday() + 1) % 7)
        start = sunday + dt.timedelta(weeks=shift)
        return start, start + dt.timedelta(weeks=count)
    months = _MONTHS_PER[unit]
    first_month = today.month - 1 - (today.month - 1) % months  # 0-based month opening the period
    base = today.year * 12 + first_month + shift * months
    end = base + count * months
    return dt.date(base // 12, base % 12 + 1, 1), dt.date(end // 12, end % 12 + 1, 1)

"""Field types: how row values compare (normalised keys) and how they look in REST JSON.

SOQL string comparisons are case-insensitive except on unique case-sensitive fields
(https://developer.salesforce.com/docs/platform/salesforce-soql-sosl/guide/sforce-api-calls-soql-select-comparisonoperators.html);
ids compare on their 15-character case-sensitive form, so a 15- and an 18-character id are equal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import Enum
from functools import cache
from typing import Any

UTC = dt.UTC


class Kind(Enum):
    """How a describe type behaves in a query."""

    STRING = "string"
    ID = "id"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    MULTIPICKLIST = "multipicklist"


_KINDS = {
    "id": Kind.ID,
    "reference": Kind.ID,
    "int": Kind.NUMBER,
    "long": Kind.NUMBER,
    "double": Kind.NUMBER,
    "currency": Kind.NUMBER,
    "percent": Kind.NUMBER,
    "boolean": Kind.BOOLEAN,
    "date": Kind.DATE,
    "datetime": Kind.DATETIME,
    "multipicklist": Kind.MULTIPICKLIST,
}


def kind_of(describe_type: str) -> Kind:
    """The comparison kind of a describe type; anything unknown compares as a string."""
    return _KINDS.get(describe_type.lower(), Kind.STRING)


def to_date(value: Any) -> dt.date:
    """A date from a `date`, a `datetime` or an ISO string."""
    if isinstance(value, dt.datetime):
        return to_datetime(value).date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def to_datetime(value: Any) -> dt.datetime:
    """An aware UTC datetime from a `datetime` (naive = UTC), a `date` or an ISO 8601 string
    ("2026-01-31T12:00:00.000+0000", "...Z", "...+01:00")."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        moment = dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _datetime_key(value: Any) -> dt.datetime:
    """A comparison key for a datetime: aware datetimes compare correctly across offsets, so
    only naive values (UTC by convention) need a time zone; cheaper than `to_datetime`."""
    moment = dt.datetime.fromisoformat(value) if type(value) is str else value
    if type(moment) is not dt.datetime:
        return to_datetime(moment)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _id15(value: Any) -> str:
    return str(value)[:15]


def _lower(value: Any) -> str:
    return str(value).lower()


def normaliser(kind: Kind) -> Callable[[Any], Any] | None:
    """The function mapping a non-null stored value to its comparison key (None: use as is)."""
    return {
        Kind.STRING: _lower,
        Kind.MULTIPICKLIST: _lower,
        Kind.ID: _id15,
        Kind.NUMBER: None,
        Kind.BOOLEAN: bool,
        Kind.DATE: to_date,
        Kind.DATETIME: _datetime_key,
    }[kind]


_ID_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def id18(record_id: str) -> str:
    """The 18-character form of a 15- or 18-character id: the suffix encodes which of the first
    15 characters are upper case (https://help.salesforce.com/s/articleView?id=000385008)."""
    base = record_id[:15]
    suffix = ""
    for chunk in range(3):
        bits = sum(1 << i for i, ch in enumerate(base[chunk * 5 : chunk * 5 + 5]) if "A" <= ch <= "Z")
        suffix += _ID_SUFFIX[bits]
    return base + suffix


def is_id(text: str) -> bool:
    """True if `text` has the shape of a Salesforce id (15 or 18 letters and digits)."""
    return len(text) in (15, 18) and text.isascii() and text.isalnum()


def to_json(value: Any, describe_type: str) -> Any:
    """A stored value as the REST API writes it: dates "2026-01-31", datetimes
    "2026-01-31T12:00:00.000+0000", booleans true/false, numbers as numbers."""
    return json_converter(describe_type)(value)


@cache
def json_converter(describe_type: str) -> Callable[[Any], Any]:
    """`to_json` for one describe type, chosen once (a query renders a column's values with it)."""
    kind = kind_of(describe_type)
    if kind is Kind.BOOLEAN:
        return bool  # a boolean field is never null: null reads as false (see where.py)
    if kind is Kind.DATETIME:
        return _datetime_json
    if kind is Kind.DATE:
        return _date_json
    if describe_type.lower() == "int":
        return _int_json
    return same_value


def same_value(value: Any) -> Any:
    """The JSON value is the stored value (text, numbers, ids)."""
    return value


def _datetime_json(value: Any) -> Any:
    if value is None:
        return None
    moment = to_datetime(value)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}+0000"


def _date_json(value: Any) -> Any:
    return None if value is None else to_date(value).isoformat()


def _int_json(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value

"""The one SOQL formatter: every literal goes through simple-salesforce's quoting, never an f-string.

https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from simple_salesforce.format import format_soql, quote_soql_value


def soql(template: str, *args: Any, **values: Any) -> str:
    """Fill ``{name}`` placeholders with quoted literals (lists become ``('a','b')``)."""
    return format_soql(template, *args, **values)


def literal_list(values: Iterable[Any]) -> str:
    """``('a','b')`` for IN clauses; never empty (Salesforce rejects ``IN ()``)."""
    items = sorted(set(values))
    if not items:
        raise ValueError("an IN list needs at least one value")
    return quote_soql_value(items)


def chunks(values: Iterable[str], size: int = 300) -> Iterable[list[str]]:
    """Id lists cut to keep each query well under Salesforce's 100,000-character SOQL limit."""
    items = sorted(set(values))
    for start in range(0, len(items), size):
        yield items[start : start + size]

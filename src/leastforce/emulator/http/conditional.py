"""Conditional request headers on sObject Rows, as the REST API documents them
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api/intro_rest_conditional_requests.htm):
"weak validation headers include If-Modified-Since or If-Unmodified-Since, which compare the precondition
to the last modified date of the record"; HTTP dates (RFC 1123) have whole seconds, so the record's
LastModifiedDate is compared to the second. An invalid If-Unmodified-Since on PATCH or POST is 400;
DELETE requests are not supported (the header is ignored there). ETags (If-Match) exist for Account rows
only and are not emulated.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from leastforce.emulator.errors import ApiError
from leastforce.emulator.http.wire import Request


def header_date(request: Request, name: str) -> datetime | None:
    """The header's date (UTC), None when absent; 400 when present but not an HTTP date."""
    raw = request.headers.get(name.lower())
    if raw is None:
        return None
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        value = None
    if value is None:
        # UNVERIFIED: the documented status is 400; the errorCode and wording are not documented.
        raise ApiError(400, "INVALID_HEADER_TYPE", f"Invalid value for header {name}: {raw[:80]}")
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def modified_after(last_modified: str, when: datetime) -> bool:
    """Whether a record's LastModifiedDate ("2026-12-05T21:10:23.123+0000") is after ``when``, to the second."""
    stamp = datetime.strptime(last_modified, "%Y-%m-%dT%H:%M:%S.%f%z").replace(microsecond=0)
    return stamp > when.replace(microsecond=0)


def precondition_failed(record_id: str) -> ApiError:
    # UNVERIFIED: 412 Precondition Failed is documented; the body's errorCode and message are not.
    return ApiError(412, "PRECONDITION_FAILED", f"The record {record_id} was modified since the given date")

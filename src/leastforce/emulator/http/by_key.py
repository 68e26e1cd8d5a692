"""sObject Rows by External ID: GET and upsert (PATCH) `/sobjects/{Object}/{ExternalIdField}/{value}`.

https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm: a new record is
201 `{"id","success","errors","created": true}`; an updated one is 200 with `"created": false` ("The created
parameter is present in the response in API version 46.0 and later"; before that an update is 204 No
Content); several matches are 300 with the matching records' URLs, nothing written.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_get_by_external_id.htm:
GET returns the one matching record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from leastforce.emulator.errors import ApiError
from leastforce.emulator.http.wire import Response, json_response, no_content
from leastforce.emulator.store.txn import Caller

if TYPE_CHECKING:
    from leastforce.emulator.store.org_store import OrgStore

CREATED_FLAG_SINCE = 46  # the `created` field of an upsert's answer, and 200 instead of 204 on update


def by_key(
    store: OrgStore,
    method: str,
    version: str,
    caller: Caller,
    where: tuple[str, str, str],
    body: Callable[[], dict[str, Any]],
) -> Response:
    """Answer GET or PATCH on `/sobjects/{sobject}/{field}/{value}` (``where``); ``body`` reads the
    request's record."""
    sobject, field, raw = where
    value = unquote(raw)
    base = f"/services/data/v{version}/sobjects/"
    if method in ("GET", "HEAD"):
        found = store.find_by_key(sobject, field, value, caller=caller)
        if len(found) > 1:
            return _multiple(base, sobject, found)
        if not found:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        return json_response(200, store.get(sobject, found[0], None, caller=caller))
    if method != "PATCH":
        raise ApiError(
            405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed. Allowed are GET,HEAD,PATCH"
        )
    result = store.upsert(sobject, field, value, body(), caller=caller)
    if result.matches:
        return _multiple(base, sobject, result.matches)
    newer = int(version.split(".")[0]) >= CREATED_FLAG_SINCE
    answer: dict[str, Any] = {"id": result.record_id, "success": True, "errors": []}
    if newer:
        answer["created"] = result.created
    if result.created:
        return json_response(201, answer)
    return json_response(200, answer) if newer else no_content()


def _multiple(base: str, sobject: str, ids: Sequence[str]) -> Response:
    """300 Multiple Choices: the URL of every matching record."""
    return json_response(300, [f"{base}{sobject}/{record_id}" for record_id in ids])

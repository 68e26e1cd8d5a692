"""What the org logs of each REST call, as Event Monitoring's API Total Usage event shows it.

API_RESOURCE is the path after /services/data ("/v21.0/sobjects/Account/001xx000003DGQW" in the event
type's reference); ENTITY_NAME "The name of the object accessed by the API request"; CLIENT_NAME
"Includes values passed via the Sforce-Call-Options header"; a composite request is logged once, as its
parent ("In the event of a composite request, EventLogFile captures only the parent request").
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_eventlogfile_apitotalusage.htm
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_eventlogfile.htm
"""

from __future__ import annotations

import re
import secrets
import time
from typing import TYPE_CHECKING

from leastforce.emulator.http.wire import Request, Response
from leastforce.emulator.store.eventlog import ApiCall

if TYPE_CHECKING:
    from leastforce.emulator.store.org_store import OrgStore

_VERSIONED = re.compile(r"^/services/data(/v(\d+\.\d+)(?:/(.*))?)$")
_FROM = re.compile(r"\bFROM\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)
_TOTAL = re.compile(rb'\{"totalSize":\s*(\d+)')
_CLIENT = re.compile(r"client\s*=\s*([^,;]+)", re.IGNORECASE)


def log_call(store: OrgStore, request: Request, response: Response) -> None:
    """Log one answered /services/data/vNN.0 call of a known user (others are not API calls of a user)."""
    match = _VERSIONED.match(request.path)
    token = request.bearer_token()
    if match is None or token is None or response.drop:
        return
    user_id = store.session_user(token)
    if user_id is None:
        return
    resource, version, tail = match.group(1), match.group(2), match.group(3) or ""
    parts = [p for p in tail.split("/") if p]
    tooling = bool(parts) and parts[0] == "tooling"
    if tooling:
        parts = parts[1:]
    soql = request.param("q") if parts and parts[0] in ("query", "queryAll") else None
    client = _CLIENT.search(request.headers.get("sforce-call-options", ""))
    store.log_call(
        ApiCall(
            at=time.time(),
            request_id=secrets.token_urlsafe(16)[:22],
            user_id=user_id,
            app=store.session_app(token),
            method=request.method,
            resource=resource,
            entity=_entity(parts, soql),
            family="Tooling" if tooling else "REST",  # UNVERIFIED: the family Salesforce writes for Tooling
            version=version,
            status=response.status,
            client=client.group(1).strip() if client else "",
            soql=soql,
            rows=_rows(response) if soql else None,
        )
    )


def _entity(parts: list[str], soql: str | None) -> str:
    if soql:
        found = _top_level_from(soql)
        return found or ""
    if len(parts) >= 2 and parts[0] == "sobjects":
        return parts[1]
    return ""


def _top_level_from(soql: str) -> str | None:
    """The object after the FROM that is outside every parenthesis (subqueries have their own)."""
    depth = 0
    for index, char in enumerate(soql):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and char in "Ff":
            found = _FROM.match(soql, index)
            if found and (index == 0 or not soql[index - 1].isalnum()):
                return found.group(1)
    return None


def _rows(response: Response) -> int | None:
    """totalSize, read from the head of the body (a query page starts with it; no full parse)."""
    found = _TOTAL.match(response.body[:64]) if response.status == 200 else None
    return int(found.group(1)) if found else None

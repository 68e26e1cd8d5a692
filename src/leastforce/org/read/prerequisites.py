"""Read the org-level facts a manifest's ``prerequisites:`` and ``when:`` conditions ask about: at most
5 calls, each only when an item needs it.

1. Organization.OrganizationType (REST query), for ``edition``;
2. /limits DailyApiRequests.Max, for ``api_capacity``
   (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm);
3. FieldDefinition.IsFieldHistoryTracked of the fields named (Tooling API), for ``field_history``
   (https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_fielddefinition.htm);
4. EntityDefinition.InternalSharingModel / ExternalSharingModel of the objects named (Tooling API), for
   ``when:`` (https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_entitydefinition.htm);
5. ConnectedApplication.OptionsAllowAdminApprovedUsersOnly of the manifest's app (REST), for its Permitted
   Users (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_connectedapplication.htm).
A read Salesforce refuses (OrgError other than auth) leaves that fact unread: the check is then reported as
not checked, never as passed. A plain function of the client, so any OrgSource can call it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from leastforce.errors import AuthError, OrgError
from leastforce.manifest.model import Prerequisite
from leastforce.org.client import OrgClient
from leastforce.org.read.for_plan import read_installed_packages
from leastforce.org.soql import literal_list
from leastforce.values.model import frozen_map
from leastforce.values.org_facts import OrgFacts, SharingModel


def read_prerequisite_facts(client: OrgClient, prerequisites: Iterable[Prerequisite]) -> OrgFacts:
    """The facts the given prerequisites need (nothing is read for ``check: manual`` items)."""
    items = [p for p in prerequisites if not p.manual]
    kinds = {p.kind for p in items}
    conditions = [p.when for p in prerequisites if p.when is not None]
    read: set[str] = set()
    edition = daily_max = None
    tracked: dict[str, bool] = {}
    sharing: dict[str, SharingModel] = {}
    if "edition" in kinds:
        rows = _try(lambda: client.query("SELECT OrganizationType FROM Organization"))
        edition = str(rows[0]["OrganizationType"]) if rows else None
    if "api_capacity" in kinds:
        limits = _try(lambda: client.request("GET", "limits"))
        daily_max = int(limits["DailyApiRequests"]["Max"]) if limits else None
    fields = sorted({p.subject for p in items if p.kind == "field_history"})
    if fields:
        found = _history(client, fields)
        if found is not None:
            tracked, read = found, read | {"fields"}
    objects = sorted({c.object for c in conditions})
    if objects:
        found_sharing = _sharing(client, objects)
        if found_sharing is not None:
            sharing, read = found_sharing, read | {"sharing"}
    packages = _try(lambda: read_installed_packages(client)) if "package" in kinds else None
    apps = sorted({p.subject for p in items if p.kind == "app_permitted_users"})
    connected_apps = _connected_apps(client, apps) if apps else None
    return OrgFacts(
        edition,
        daily_max,
        frozen_map(tracked),
        frozen_map(sharing),
        frozen_map({}),
        frozenset(read | ({"packages"} if packages is not None else set())),
        packages,
        None if connected_apps is None else frozen_map(connected_apps),
    )


def _connected_apps(client: OrgClient, names: list[str]) -> dict[str, bool] | None:
    rows = _try(
        lambda: client.query(
            "SELECT Name, OptionsAllowAdminApprovedUsersOnly FROM ConnectedApplication"
            f" WHERE Name IN {literal_list(names)}"
        )
    )
    if rows is None:
        return None
    return {str(r["Name"]): bool(r.get("OptionsAllowAdminApprovedUsersOnly")) for r in rows}


def _history(client: OrgClient, fields: list[str]) -> dict[str, bool] | None:
    objects = sorted({f.split(".", 1)[0] for f in fields})
    rows = _try(
        lambda: client.query(
            "SELECT EntityDefinition.QualifiedApiName, QualifiedApiName, IsFieldHistoryTracked FROM FieldDefinition"
            f" WHERE EntityDefinition.QualifiedApiName IN {literal_list(objects)}",
            tooling=True,
        )
    )
    if rows is None:
        return None
    out = {}
    for row in rows:
        entity = (row.get("EntityDefinition") or {}).get("QualifiedApiName", "")
        out[f"{entity}.{row['QualifiedApiName']}"] = bool(row.get("IsFieldHistoryTracked"))
    return out


def _sharing(client: OrgClient, objects: list[str]) -> dict[str, SharingModel] | None:
    rows = _try(
        lambda: client.query(
            "SELECT QualifiedApiName, InternalSharingModel, ExternalSharingModel FROM EntityDefinition"
            f" WHERE QualifiedApiName IN {literal_list(objects)}",
            tooling=True,
        )
    )
    if rows is None:
        return None
    return {
        str(r["QualifiedApiName"]): SharingModel(r.get("InternalSharingModel"), r.get("ExternalSharingModel"))
        for r in rows
    }


def _try(call: Any) -> Any:
    """A read Salesforce refuses leaves the fact unread (auth errors still stop the command)."""
    try:
        return call()
    except AuthError:
        raise
    except OrgError:
        return None

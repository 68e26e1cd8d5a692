"""Read what a question needs from an org, in as few API calls as Salesforce allows.

One user (verify, explain, doctor): at most 6 calls whatever the org's size:
  1. the user, with profile and license, and (child subqueries) their permission set and permission set
     license assignments;
  2. the components of the user's permission set groups (only when the user has groups);
  3. the permission sets (FIELDS(STANDARD) gives every Permissions* field this org has), with their
     setup entity access as a child subquery;
  4. the groups' muting permission sets (only when a group has one);
  5. ObjectPermissions and 6. FieldPermissions of just those sets, limited to the objects asked about.
Permission sets of a group are read from the group's components, not from the group's aggregate set
(PermissionSet.Type = 'Group'), so that every grant keeps its source.
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_fields.htm
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from leastforce.errors import InputError
from leastforce.org import records as rec
from leastforce.org.client import OrgClient
from leastforce.org.soql import chunks, literal_list, soql
from leastforce.values.model import OrgSnapshot, PermissionSetGroup, frozen_map

USER_FIELDS = (
    "Id, Username, Name, Email, IsActive, UserType, ProfileId, Profile.Name, Profile.UserLicense.Name, "
    "LastLoginDate, LastPasswordChangeDate"
)
PSA_FIELDS = (
    "Id, AssigneeId, PermissionSetId, PermissionSetGroupId, ExpirationDate, PermissionSet.IsOwnedByProfile"
)
PSLA_FIELDS = "Id, AssigneeId, PermissionSetLicense.MasterLabel, PermissionSetLicense.DeveloperName"
OBJECT_FIELDS = (
    "ParentId, SobjectType, PermissionsRead, PermissionsCreate, PermissionsEdit, PermissionsDelete, "
    "PermissionsViewAllRecords, PermissionsModifyAllRecords, PermissionsViewAllFields"
)
FIELD_FIELDS = "ParentId, SobjectType, Field, PermissionsRead, PermissionsEdit"


@dataclass(frozen=True)
class ReadScope:
    """Which objects' object and field permissions to read; empty = every object, ``rows=False`` = none."""

    objects: frozenset[str] = frozenset()
    rows: bool = True
    entity_names: bool = False  # resolve SetupEntityAccess Ids to names (one call per entity type held)

    def clause(self) -> str:
        return f" AND SobjectType IN {literal_list(self.objects)}" if self.objects else ""


def read_user(client: OrgClient, username: str, scope: ReadScope = ReadScope()) -> OrgSnapshot:
    """A snapshot holding one user and every row their access depends on."""
    user_row, frozen = _fetch_user(client, username)  # call 1 (2 only for a frozen user)
    user = rec.user_from(user_row, frozen=frozen)
    assignments = [
        rec.assignment_from(r, user.id) for r in rec.children(user_row, "PermissionSetAssignments")
    ]
    licenses = [
        rec.license_assignment_from(r, user.id)
        for r in rec.children(user_row, "PermissionSetLicenseAssignments")
    ]
    group_rows = _group_components(client, {a.group_id for a in assignments if a.group_id})  # call 2
    component_ids = {str(r["PermissionSetId"]) for rows in group_rows.values() for r in rows}
    set_ids = {a.permission_set_id for a in assignments if a.permission_set_id} | component_ids
    set_rows = _permission_set_rows(client, set_ids, user.profile_id)  # call 3
    muting_ids = component_ids - {str(r["Id"]) for r in set_rows}
    muting_rows = query_ids(
        client, "SELECT FIELDS(STANDARD) FROM MutingPermissionSet WHERE Id IN {ids}", muting_ids
    )  # call 4, only when a group has a muting set
    parents = {str(r["Id"]) for r in [*set_rows, *muting_rows]}
    objects, fields = _object_and_field_rows(client, parents, scope)  # calls 5 and 6
    names = _entity_names(client, set_rows) if scope.entity_names else {}
    sets = {
        str(r["Id"]): rec.permission_set_from(
            r,
            objects=objects.get(str(r["Id"]), ()),
            fields=fields.get(str(r["Id"]), ()),
            entities=rec.setup_entities_of(rec.children(r, "SetupEntityAccessItems"), names),
        )
        for r in set_rows
    }
    mutings = {
        str(r["Id"]): rec.muting_set_from(
            r, objects=objects.get(str(r["Id"]), ()), fields=fields.get(str(r["Id"]), ())
        )
        for r in muting_rows
    }
    profile_set_id = next((sid for sid, ps in sets.items() if ps.is_owned_by_profile), "")
    profile = rec.profile_from(
        {"Id": user.profile_id, "Name": user.profile_name},
        permission_set_id=profile_set_id,
        license_name=user.user_license,
    )
    return OrgSnapshot(
        taken_at=datetime.now(UTC),
        instance_url=client.instance_url,
        users=frozen_map({user.id: user}),
        profiles=frozen_map({user.profile_id: profile}),
        permission_sets=frozen_map(sets),
        groups=frozen_map(_groups(group_rows, sets, mutings)),
        assignments=tuple(a for a in assignments if a.permission_set_id != profile_set_id),
        license_assignments=tuple(licenses),
    )


def _groups(
    group_rows: dict[str, list[Any]], sets: dict[str, Any], mutings: dict[str, Any]
) -> dict[str, PermissionSetGroup]:
    return {
        gid: rec.group_from(
            gid,
            (rows[0].get("PermissionSetGroup") or {}) if rows else {},
            (str(r["PermissionSetId"]) for r in rows),
            sets,
            mutings,
        )
        for gid, rows in group_rows.items()
    }


# SetupEntityType -> (object, name field): SetupEntityAccess rows carry Ids only.
# https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_setupentityaccess.htm
ENTITY_TABLES = {
    "ApexClass": ("ApexClass", "Name"),
    "ApexPage": ("ApexPage", "Name"),
    "CustomPermission": ("CustomPermission", "DeveloperName"),
    "ConnectedApplication": ("ConnectedApplication", "Name"),
}


def _entity_names(client: OrgClient, set_rows: list[Any]) -> dict[str, str]:
    """SetupEntityId -> API name (``ns__Name`` when packaged), one query per entity type present."""
    wanted: dict[str, set[str]] = {}
    for row in set_rows:
        for item in rec.children(row, "SetupEntityAccessItems"):
            kind = str(item.get("SetupEntityType", ""))
            if kind in ENTITY_TABLES:
                wanted.setdefault(kind, set()).add(str(item["SetupEntityId"]))
    names: dict[str, str] = {}
    for kind, ids in sorted(wanted.items()):
        table, field = ENTITY_TABLES[kind]
        namespace = ", NamespacePrefix" if table != "ConnectedApplication" else ""
        for row in query_ids(client, f"SELECT Id, {field}{namespace} FROM {table} WHERE Id IN {{ids}}", ids):
            ns = row.get("NamespacePrefix")
            names[str(row["Id"])] = f"{ns}__{row[field]}" if ns else str(row[field])
    return names


def _fetch_user(client: OrgClient, username: str) -> tuple[dict[str, Any], bool]:
    """The user row and whether the user is frozen.

    Frozen lives on UserLogin, not User. Rather than a call of its own, the query excludes frozen users
    with a semi-join; only when that finds nobody does a second query tell "frozen" from "no such user".
    https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_userlogin.htm
    """
    query = soql(
        f"SELECT {USER_FIELDS}, (SELECT {PSA_FIELDS} FROM PermissionSetAssignments), "
        f"(SELECT {PSLA_FIELDS} FROM PermissionSetLicenseAssignments) FROM User WHERE Username = {{username}}",
        username=username,
    )
    rows = client.query(query + " AND Id NOT IN (SELECT UserId FROM UserLogin WHERE IsFrozen = true)")
    if rows:
        return rows[0], False
    rows = client.query(query)
    if not rows:
        raise InputError(f"no user with username {username!r} in {client.instance_url}")
    return rows[0], True


def _group_components(client: OrgClient, group_ids: set[str]) -> dict[str, list[Any]]:
    """Group id -> its PermissionSetGroupComponent rows (component sets and the muting set)."""
    if not group_ids:
        return {}
    rows = client.query(
        "SELECT PermissionSetGroupId, PermissionSetId, PermissionSetGroup.DeveloperName, "
        "PermissionSetGroup.MasterLabel, PermissionSetGroup.Status FROM PermissionSetGroupComponent "
        f"WHERE PermissionSetGroupId IN {literal_list(group_ids)}"
    )
    out: dict[str, list[Any]] = {gid: [] for gid in group_ids}
    for row in rows:
        out[str(row["PermissionSetGroupId"])].append(row)
    return out


def _permission_set_rows(client: OrgClient, set_ids: set[str], profile_id: str) -> list[Any]:
    """The assigned and component sets, and the user's profile-owned set, in one query."""
    select = (
        "SELECT FIELDS(STANDARD), (SELECT SetupEntityId, SetupEntityType FROM SetupEntityAccessItems) "
        "FROM PermissionSet WHERE "
    )
    owned = soql("(IsOwnedByProfile = true AND ProfileId = {pid})", pid=profile_id)
    ids = sorted(set_ids)
    if len(ids) > 300:  # very long Id lists go in chunks, keeping each query under the SOQL length limit
        return client.query(select + owned) + query_ids(client, select + "Id IN {ids}", ids)
    return client.query(select + (f"Id IN {literal_list(ids)} OR {owned}" if ids else owned))


def _object_and_field_rows(
    client: OrgClient, parent_ids: set[str], scope: ReadScope
) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    if not parent_ids or not scope.rows:
        return {}, {}
    clause = scope.clause()
    objects = query_ids(
        client, f"SELECT {OBJECT_FIELDS} FROM ObjectPermissions WHERE ParentId IN {{ids}}{clause}", parent_ids
    )
    fields = query_ids(
        client, f"SELECT {FIELD_FIELDS} FROM FieldPermissions WHERE ParentId IN {{ids}}{clause}", parent_ids
    )
    return rec.group_rows(objects), rec.group_rows(fields)


def query_ids(client: OrgClient, template: str, ids: Iterable[str]) -> list[Any]:
    """Run ``template`` with ``{ids}`` replaced by quoted Id lists (chunked for very long lists)."""
    out: list[Any] = []
    for chunk in chunks(ids):
        out.extend(client.query(template.replace("{ids}", literal_list(chunk))))
    return out

"""Read an org's whole permission state (for audit, snapshots and who-has questions).

One query per table (LoginHistory, read apart and only when the caller may read every row, in
read/logins.py). Small tables go through REST, paged by Salesforce (2,000 rows a page); tables above
a row threshold through Bulk API 2.0 query jobs, a few large CSV result sets each (read/bulk.py picks, with
one /limits/recordCount call). Tables are read concurrently (each worker with its own client), the
biggest first, because the API time dominates.

A caller that needs field-level security for only some sets (audit: its integration users') reads every
table but FieldPermissions, picks the sets from that snapshot, and reads their field rows alone
(``read_field_rows``): at 1.5 million field rows that table is most of a whole read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from leastforce.org import records as rec
from leastforce.org.client import OrgClient
from leastforce.org.read.bulk import (
    BulkRefused,
    ReadApi,
    TableApi,
    bulk_rows,
    choose_api_of_part,
    choose_apis,
)
from leastforce.org.read.logins import NOT_READ, LoginRead
from leastforce.org.read.one_user import FIELD_FIELDS, OBJECT_FIELDS, USER_FIELDS
from leastforce.org.soql import chunks, literal_list
from leastforce.values.model import (
    OrgSnapshot,
    PermissionSetGroup,
    frozen_map,
)

# Table name -> SOQL. Names resolve SetupEntityAccess rows to the entity's API name.
TABLES: dict[str, str] = {
    "User": f"SELECT {USER_FIELDS} FROM User",
    "UserLogin": "SELECT UserId, IsFrozen FROM UserLogin WHERE IsFrozen = true",
    "Profile": "SELECT Id, Name, UserLicenseId, UserType FROM Profile",
    "UserLicense": "SELECT Id, Name FROM UserLicense",
    "PermissionSetLicense": "SELECT Id, MasterLabel, DeveloperName FROM PermissionSetLicense",
    "PermissionSet": "SELECT FIELDS(STANDARD) FROM PermissionSet",
    "ObjectPermissions": f"SELECT {OBJECT_FIELDS} FROM ObjectPermissions",
    "FieldPermissions": f"SELECT {FIELD_FIELDS} FROM FieldPermissions",
    "SetupEntityAccess": "SELECT ParentId, SetupEntityId, SetupEntityType FROM SetupEntityAccess",
    "PermissionSetAssignment": "SELECT Id, AssigneeId, PermissionSetId, PermissionSetGroupId, ExpirationDate FROM PermissionSetAssignment",
    "PermissionSetGroup": "SELECT Id, DeveloperName, MasterLabel, Status FROM PermissionSetGroup",
    "PermissionSetGroupComponent": "SELECT PermissionSetGroupId, PermissionSetId FROM PermissionSetGroupComponent",
    "MutingPermissionSet": "SELECT FIELDS(STANDARD) FROM MutingPermissionSet",
    "PermissionSetLicenseAssign": "SELECT Id, AssigneeId, PermissionSetLicenseId FROM PermissionSetLicenseAssign",
    "OauthToken": "SELECT Id, UserId, AppName, CreatedDate, LastUsedDate, UseCount FROM OauthToken",
    "ApexClass": "SELECT Id, Name, NamespacePrefix FROM ApexClass",
    "CustomPermission": "SELECT Id, DeveloperName, NamespacePrefix FROM CustomPermission",
    "ConnectedApplication": "SELECT Id, Name FROM ConnectedApplication",
}

FIELD_TABLE = "FieldPermissions"
FIELDS_OF_SETS = f"SELECT {FIELD_FIELDS} FROM FieldPermissions WHERE ParentId IN {{ids}}"

Progress = Callable[[str, int], None]  # (table, rows read so far)
# Picks, from a snapshot read without field rows, the sets whose FieldPermissions to read.
FieldScope = Callable[[OrgSnapshot], Iterable[str]]
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReadStats:
    calls: int
    rows: int
    apis: tuple[TableApi, ...] = ()


def read_tables(
    make_client: Callable[[], OrgClient],
    *,
    workers: int = 4,
    progress: Progress | None = None,
    api: ReadApi = ReadApi.AUTO,
    tables: Mapping[str, str] = TABLES,
) -> tuple[dict[str, list[dict[str, Any]]], ReadStats]:
    """Every table of ``tables`` (name -> SOQL; default TABLES), concurrently; returns rows per table, the
    calls made and the API of each."""
    chooser = make_client()
    plan = choose_apis(chooser, tables, api)

    def read_one(table: str) -> tuple[str, list[dict[str, Any]], int, TableApi]:
        client = make_client()
        rows: list[dict[str, Any]] = []
        used = plan[table]
        if used.api is ReadApi.BULK:
            try:
                for row in bulk_rows(client, tables[table]):
                    rows.append(row)
                    if progress and len(rows) % 10_000 == 0:
                        progress(table, len(rows))
            except BulkRefused as exc:  # before any row: REST reads the table instead
                used = TableApi(table, ReadApi.REST, f"Bulk API refused: {exc.message}")
        if used.api is ReadApi.REST:
            for page in client.query_pages(tables[table]):
                rows.extend(page)
                if progress:
                    progress(table, len(rows))
        elif progress:
            progress(table, len(rows))
        _log.info("%s: %s (%s)", table, used.api.value, used.reason)
        return table, rows, client.calls, used

    order = sorted(tables, key=lambda t: plan[t].api is not ReadApi.BULK)  # bulk (big) tables first
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(read_one, order))
    read = {table: rows for table, rows, *_ in sorted(results, key=lambda r: list(tables).index(r[0]))}
    return read, ReadStats(
        calls=chooser.calls + sum(r[2] for r in results),
        rows=sum(len(r) for r in read.values()),
        apis=tuple(r[3] for r in results),
    )


def without_fields() -> dict[str, str]:
    """TABLES but FieldPermissions (read apart, for chosen sets only: ``read_field_rows``)."""
    return {table: query for table, query in TABLES.items() if table != FIELD_TABLE}


def read_field_rows(
    make_client: Callable[[], OrgClient],
    set_ids: Iterable[str],
    *,
    api: ReadApi = ReadApi.AUTO,
    all_sets: int = 0,
    workers: int = 4,
) -> tuple[list[dict[str, Any]], int]:
    """The FieldPermissions rows of ``set_ids`` (permission sets and muting sets): one query per chunk of
    Ids, chunks read concurrently (a client each); returns the rows and the calls made. The API is chosen
    as for a whole table (read/bulk.py), on the rows these sets are expected to hold: the table's count
    in proportion of the sets asked for among the org's ``all_sets``."""
    ids = sorted(set(set_ids))
    queries = [FIELDS_OF_SETS.replace("{ids}", literal_list(chunk)) for chunk in chunks(ids)]
    if not queries:
        return [], 0
    chooser = make_client()
    used = choose_api_of_part(chooser, FIELD_TABLE, FIELDS_OF_SETS, len(ids) / max(1, all_sets), api)

    def read_one(soql: str) -> tuple[list[dict[str, Any]], int]:
        client = make_client()
        if used.api is ReadApi.BULK:
            try:
                return list(bulk_rows(client, soql)), client.calls
            except BulkRefused as exc:  # before any row: REST reads it instead
                _log.info("%s: Bulk API refused (%s), REST instead", FIELD_TABLE, exc.message)
        return client.query(soql), client.calls

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(read_one, queries))
    _log.info("%s of %d sets: %s (%s)", FIELD_TABLE, len(ids), used.api.value, used.reason)
    return [row for rows, _ in results for row in rows], chooser.calls + sum(calls for _, calls in results)


def snapshot_from_tables(
    tables: dict[str, list[dict[str, Any]]], instance_url: str = "", logins: LoginRead = NOT_READ
) -> OrgSnapshot:
    """Model values from the raw table rows and the login summaries (read apart: read_logins); pure."""
    licenses = {str(r["Id"]): str(r["Name"]) for r in tables.get("UserLicense", [])}
    psls = {str(r["Id"]): r for r in tables.get("PermissionSetLicense", [])}
    license_names = {**licenses, **{k: str(v["MasterLabel"]) for k, v in psls.items()}}
    objects = rec.group_rows(tables.get("ObjectPermissions", []))
    fields = rec.group_rows(tables.get("FieldPermissions", []))
    entities = rec.group_rows(tables.get("SetupEntityAccess", []))
    names = _entity_names(tables)
    sets = {
        str(r["Id"]): rec.permission_set_from(
            r,
            objects=objects.get(str(r["Id"]), ()),
            fields=fields.get(str(r["Id"]), ()),
            entities=rec.setup_entities_of(entities.get(str(r["Id"]), ()), names),
            license_names=license_names,
        )
        for r in tables.get("PermissionSet", [])
    }
    mutings = {
        str(r["Id"]): rec.muting_set_from(
            r, objects=objects.get(str(r["Id"]), ()), fields=fields.get(str(r["Id"]), ())
        )
        for r in tables.get("MutingPermissionSet", [])
    }
    profile_owned = {set_id for set_id, ps in sets.items() if ps.is_owned_by_profile}
    profile_set_by_id = {
        str(r.get("ProfileId")): str(r["Id"])
        for r in tables.get("PermissionSet", [])
        if r.get("IsOwnedByProfile")
    }
    profiles = {
        str(r["Id"]): rec.profile_from(
            r,
            permission_set_id=profile_set_by_id.get(str(r["Id"]), ""),
            license_name=licenses.get(str(r.get("UserLicenseId")), ""),
        )
        for r in tables.get("Profile", [])
    }
    frozen = {str(r["UserId"]) for r in tables.get("UserLogin", []) if r.get("IsFrozen")}
    users = {str(r["Id"]): rec.user_from(r, frozen=str(r["Id"]) in frozen) for r in tables.get("User", [])}
    return OrgSnapshot(
        taken_at=datetime.now(UTC),
        instance_url=instance_url,
        users=frozen_map(users),
        profiles=frozen_map(profiles),
        permission_sets=frozen_map(sets),
        groups=frozen_map(_groups(tables, sets, mutings)),
        assignments=tuple(
            rec.assignment_from(r)
            for r in tables.get("PermissionSetAssignment", [])
            # a profile's own set is assigned to each of its users: that row grants through the profile
            if r.get("PermissionSetGroupId") or str(r.get("PermissionSetId")) not in profile_owned
        ),
        license_assignments=tuple(
            rec.license_assignment_from(
                {
                    "Id": r.get("Id"),
                    "AssigneeId": r.get("AssigneeId"),
                    "PermissionSetLicense": psls.get(str(r.get("PermissionSetLicenseId")), {}),
                }
            )
            for r in tables.get("PermissionSetLicenseAssign", [])
        ),
        oauth_tokens=tuple(rec.oauth_token_from(r) for r in tables.get("OauthToken", [])),
        logins=logins.summaries,
        logins_unread=logins.unread,
    )


def with_field_rows(
    snapshot: OrgSnapshot, rows: Iterable[dict[str, Any]], sets: frozenset[str]
) -> OrgSnapshot:
    """``snapshot`` (read without field rows) with the FieldPermissions ``rows`` of ``sets``, which
    ``field_rows_of`` then names; only the sets and muting sets that have rows are rebuilt. Pure."""
    by_parent = rec.group_rows(rows)
    permission_sets = {
        key: replace(ps, fields=rec.fields_map(by_parent[key])) if key in by_parent else ps
        for key, ps in snapshot.permission_sets.items()
    }
    groups = {
        key: group
        if group.muting is None or group.muting.id not in by_parent
        else replace(group, muting=replace(group.muting, fields=rec.fields_map(by_parent[group.muting.id])))
        for key, group in snapshot.groups.items()
    }
    return replace(
        snapshot,
        permission_sets=frozen_map(permission_sets),
        groups=frozen_map(groups),
        field_rows_of=sets,
    )


def _groups(
    tables: dict[str, list[dict[str, Any]]], sets: dict[str, Any], mutings: dict[str, Any]
) -> dict[str, PermissionSetGroup]:
    components = rec.group_rows(tables.get("PermissionSetGroupComponent", []), key="PermissionSetGroupId")
    return {
        str(row["Id"]): rec.group_from(
            str(row["Id"]),
            row,
            (str(c["PermissionSetId"]) for c in components.get(str(row["Id"]), [])),
            sets,
            mutings,
        )
        for row in tables.get("PermissionSetGroup", [])
    }


def _entity_names(tables: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """SetupEntityId -> API name (``ns__Name`` for packaged entities)."""
    names: dict[str, str] = {}
    for table, field in (
        ("ApexClass", "Name"),
        ("CustomPermission", "DeveloperName"),
        ("ConnectedApplication", "Name"),
    ):
        for row in tables.get(table, []):
            ns = row.get("NamespacePrefix")
            names[str(row["Id"])] = f"{ns}__{row[field]}" if ns else str(row[field])
    return names

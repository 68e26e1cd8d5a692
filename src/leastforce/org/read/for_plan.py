"""Read what plan needs from an org, in 8 API calls whatever the org's size:
  1. the profiles by name (the one to create or use, and its base);
  2. user licenses and 3. permission set licenses (name -> Id);
  4. the desired and package permission sets by Name (package sets also by Label) and the profiles' own
     sets, with every Permissions* field (FIELDS(STANDARD));
  5. ObjectPermissions and 6. FieldPermissions of just those sets, with their Ids;
  7. the user, with their permission set and permission set license assignments (child subqueries);
  8. which of the objects the rows name exist in this org (EntityDefinition);
  and, only when the rows name custom fields (``Object.Field__c``), one describe per object that has them,
  to see whether those fields exist (a FieldPermissions row for a missing field is refused);
  and, only when the manifest names Apex classes, custom permissions or connected apps, one query per
  entity type for their Ids (the sets' SetupEntityAccess rows come with call 4 as a child subquery).
Every literal goes through org.soql.
"""

from __future__ import annotations

from typing import Any

from leastforce.catalog.catalog import Catalog
from leastforce.desired import DesiredSetup
from leastforce.org import records as rec
from leastforce.org.client import OrgClient
from leastforce.org.read.one_user import ENTITY_TABLES, FIELD_FIELDS, OBJECT_FIELDS
from leastforce.org.soql import chunks, literal_list, soql
from leastforce.planning.changes import CurrentOrg, RowIds
from leastforce.planning.profile import default_profile
from leastforce.values.model import PermissionSet, SetupEntity, frozen_map
from leastforce.values.packages import InstalledPackage

_USER = (
    "SELECT Id, Username, Name, Email, IsActive, UserType, ProfileId, Profile.Name, Profile.UserLicense.Name, "
    "(SELECT Id, PermissionSetId, PermissionSetGroupId FROM PermissionSetAssignments), "
    "(SELECT Id, PermissionSetLicense.MasterLabel, PermissionSetLicense.DeveloperName "
    "FROM PermissionSetLicenseAssignments) FROM User WHERE Username = {username}"
)


def profile_names(desired: DesiredSetup, catalog: Catalog) -> set[str]:
    names = {desired.user.profile or default_profile(desired, catalog)}
    if desired.profile is not None:
        names |= {desired.profile.name, desired.profile.based_on}
    return {n for n in names if n}


def read_for_plan(client: OrgClient, desired: DesiredSetup, catalog: Catalog, username: str) -> CurrentOrg:
    """The org's side of a plan for ``desired`` and the user ``username`` ("" = no user)."""
    profiles = client.query(
        "SELECT Id, Name, Description, UserLicenseId, UserLicense.Name FROM Profile WHERE Name IN "
        + literal_list(profile_names(desired, catalog))
    )
    user_licenses = {str(r["Name"]): str(r["Id"]) for r in client.query("SELECT Id, Name FROM UserLicense")}
    psl_rows = client.query("SELECT Id, MasterLabel, DeveloperName FROM PermissionSetLicense")
    psls = {str(r["MasterLabel"]): str(r["Id"]) for r in psl_rows}
    license_names = {v: k for k, v in {**user_licenses, **psls}.items()}
    set_rows = _set_rows(client, desired, [str(p["Id"]) for p in profiles])
    objects, fields = _rows(client, [str(r["Id"]) for r in set_rows])
    profile_by_id = {str(p["Id"]): str(p["Name"]) for p in profiles}
    sets, owned, row_ids = _sets(set_rows, objects, fields, license_names, profile_by_id, desired)
    user_state = _user(client, username) if username else {}
    named = objects_named(desired)
    found = _existing_objects(client, named) if named else frozenset()
    custom = custom_fields_named(desired)
    existing, unprotected = _custom_fields(client, custom, found) if custom else (frozenset(), frozenset())
    return CurrentOrg(
        entity_ids=frozen_map(_entity_ids(client, desired)),
        entity_rows=frozen_map(_entity_rows(set_rows)),
        permission_sets=frozen_map(sets),
        row_ids=frozen_map(row_ids),
        profiles=frozen_map(
            {
                str(p["Name"]): rec.profile_from(
                    p, license_name=license_names.get(str(p["UserLicenseId"]), "")
                )
                for p in profiles
            }
        ),
        profile_descriptions=frozen_map({str(p["Name"]): str(p.get("Description") or "") for p in profiles}),
        profile_sets=frozen_map(owned),
        user_licenses=frozen_map(user_licenses),
        permission_set_licenses=frozen_map(psls),
        objects=found,
        custom_fields=existing,
        unprotected_fields=unprotected,
        installed_packages=read_installed_packages(client) if desired.packages else None,
        **user_state,
    )


# The documented sample query of InstalledSubscriberPackage (Tooling API):
# https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_installedsubscriberpackage.htm
_PACKAGES = (
    "SELECT Id, SubscriberPackage.NamespacePrefix, SubscriberPackage.Name, SubscriberPackageVersion.MajorVersion,"
    " SubscriberPackageVersion.MinorVersion, SubscriberPackageVersion.PatchVersion FROM InstalledSubscriberPackage"
)


def read_installed_packages(client: OrgClient) -> tuple[InstalledPackage, ...]:
    """The org's installed packages with their versions (one Tooling API call)."""
    out = []
    for row in client.query(_PACKAGES, tooling=True):
        package = row.get("SubscriberPackage") or {}
        version = row.get("SubscriberPackageVersion") or {}
        numbers = tuple(int(version.get(k) or 0) for k in ("MajorVersion", "MinorVersion", "PatchVersion"))
        out.append(
            InstalledPackage(
                str(package.get("NamespacePrefix") or ""),
                str(package.get("Name") or ""),
                (numbers[0], numbers[1], numbers[2]),
            )
        )
    return tuple(out)


def _sets(
    set_rows: list[Any],
    objects: dict[str, list[Any]],
    fields: dict[str, list[Any]],
    license_names: dict[str, str],
    profile_by_id: dict[str, str],
    desired: DesiredSetup,
) -> tuple[dict[str, PermissionSet], dict[str, PermissionSet], dict[str, RowIds]]:
    """(sets by Name, and package sets also by Label; profile-owned sets by profile name; row Ids by set)."""
    sets: dict[str, PermissionSet] = {}
    owned: dict[str, PermissionSet] = {}
    row_ids: dict[str, RowIds] = {}
    for row in set_rows:
        set_id = str(row["Id"])
        ps = rec.permission_set_from(
            row, objects=objects.get(set_id, ()), fields=fields.get(set_id, ()), license_names=license_names
        )
        row_ids[set_id] = RowIds(
            frozen_map({str(o["SobjectType"]): str(o["Id"]) for o in objects.get(set_id, ())}),
            frozen_map({str(f["Field"]): str(f["Id"]) for f in fields.get(set_id, ())}),
        )
        if ps.is_owned_by_profile:
            owned[profile_by_id.get(str(row.get("ProfileId") or ""), "")] = ps
            continue
        sets.setdefault(ps.name, ps)
        if ps.label in desired.package_permission_sets:
            sets.setdefault(ps.label, ps)
    return sets, owned, row_ids


def _entity_rows(set_rows: list[Any]) -> dict[str, Any]:
    """Set Id -> {SetupEntityId: row Id} for the entity types apply manages."""
    managed = set(ENTITY_TABLES)
    return {
        str(row["Id"]): frozen_map(
            {
                str(item["SetupEntityId"]): str(item["Id"])
                for item in rec.children(row, "SetupEntityAccessItems")
                if str(item.get("SetupEntityType")) in managed
            }
        )
        for row in set_rows
    }


def _entity_ids(client: OrgClient, desired: DesiredSetup) -> dict[SetupEntity, str]:
    """The Ids of the setup entities the desired sets name, one query per entity type named."""
    wanted: dict[str, set[SetupEntity]] = {}
    for ps in desired.permission_sets:
        for entity in ps.setup_entities:
            if entity.type.value in ENTITY_TABLES:
                wanted.setdefault(entity.type.value, set()).add(entity)
    out: dict[SetupEntity, str] = {}
    for kind, entities in sorted(wanted.items()):
        table, field = ENTITY_TABLES[kind]
        by_name = {e.name.split("__", 1)[-1] if e.name.count("__") == 1 else e.name: e for e in entities}
        namespace = ", NamespacePrefix" if table != "ConnectedApplication" else ""
        rows = client.query(
            f"SELECT Id, {field}{namespace} FROM {table} WHERE {field} IN {literal_list(by_name)}"
        )
        for row in rows:
            ns = row.get("NamespacePrefix")
            full = f"{ns}__{row[field]}" if ns else str(row[field])
            match = by_name.get(str(row[field]))
            if match is not None and match.name == full:
                out[match] = str(row["Id"])
    return out


def objects_named(desired: DesiredSetup) -> set[str]:
    """Every object the desired sets and profile have rows for."""
    sets = [*desired.permission_sets, *([desired.profile.permission_set] if desired.profile else [])]
    return {o for ps in sets for o in ps.objects} | {f.split(".", 1)[0] for ps in sets for f in ps.fields}


def custom_fields_named(desired: DesiredSetup) -> set[str]:
    """The custom fields (``Object.Field__c``, any namespace) the desired sets and profile have rows for."""
    sets = [*desired.permission_sets, *([desired.profile.permission_set] if desired.profile else [])]
    return {f for ps in sets for f in ps.fields if f.partition(".")[2].endswith("__c")}


def _custom_fields(
    client: OrgClient, names: set[str], objects: frozenset[str]
) -> tuple[frozenset[str], frozenset[str]]:
    """Which of the custom fields ``names`` this org has, and which of those take no field-level security
    (``permissionable: false`` in describe: Salesforce refuses FieldPermissions rows for them): one describe
    per existing object that has them
    (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm).
    A field of a missing object is missing too (the object is already a blocker)."""
    found: set[str] = set()
    unprotected: set[str] = set()
    for obj in sorted({n.partition(".")[0] for n in names} & objects):
        described = client.request("GET", f"sobjects/{obj}/describe")
        fields = {str(f.get("name", "")).lower(): f for f in (described or {}).get("fields", ())}
        for name in (n for n in names if n.partition(".")[0] == obj):
            row = fields.get(name.partition(".")[2].lower())
            if row is not None:
                found.add(name)
                if row.get("permissionable") is False:
                    unprotected.add(name)
    return frozenset(found), frozenset(unprotected)


def _existing_objects(client: OrgClient, names: set[str]) -> frozenset[str]:
    """Which of ``names`` this org has (an ObjectPermissions row for any other is refused)."""
    rows = client.query(
        f"SELECT QualifiedApiName FROM EntityDefinition WHERE QualifiedApiName IN {literal_list(names)}"
    )
    return frozenset(str(r["QualifiedApiName"]) for r in rows)


def _set_rows(client: OrgClient, desired: DesiredSetup, profile_ids: list[str]) -> list[Any]:
    names = {ps.name for ps in desired.permission_sets} | set(desired.package_permission_sets)
    where = f"Name IN {literal_list(names)}" if names else ""
    if desired.package_permission_sets:
        where += f" OR Label IN {literal_list(desired.package_permission_sets)}"
    if profile_ids:
        owned = f"(IsOwnedByProfile = true AND ProfileId IN {literal_list(profile_ids)})"
        where = f"{where} OR {owned}" if where else owned
    if not where:
        return []
    return client.query(
        "SELECT FIELDS(STANDARD), (SELECT Id, SetupEntityId, SetupEntityType FROM SetupEntityAccessItems) "
        f"FROM PermissionSet WHERE {where}"
    )


def _rows(client: OrgClient, set_ids: list[str]) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    objects: list[Any] = []
    fields: list[Any] = []
    for chunk in chunks(set_ids):
        ids = literal_list(chunk)
        objects += client.query(f"SELECT Id, {OBJECT_FIELDS} FROM ObjectPermissions WHERE ParentId IN {ids}")
        fields += client.query(f"SELECT Id, {FIELD_FIELDS} FROM FieldPermissions WHERE ParentId IN {ids}")
    return rec.group_rows(objects), rec.group_rows(fields)


def _user(client: OrgClient, username: str) -> dict[str, Any]:
    rows = client.query(soql(_USER, username=username))
    if not rows:
        return {}
    row = rows[0]
    user = rec.user_from(row)
    assigned = {
        str(a.get("PermissionSetId") or "") for a in rec.children(row, "PermissionSetAssignments")
    } - {""}
    held = {
        str((a.get("PermissionSetLicense") or {}).get("MasterLabel") or "")
        for a in rec.children(row, "PermissionSetLicenseAssignments")
    } - {""}
    return {
        "user": user,
        "user_active": bool(row.get("IsActive", True)),
        "assigned": frozenset(assigned),
        "licenses_held": frozenset(held),
    }

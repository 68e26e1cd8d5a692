"""Salesforce REST records (JSON dicts) to model values. Pure functions.

Field names: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/
(PermissionSet, ObjectPermissions, FieldPermissions, SetupEntityAccess, PermissionSetAssignment, User ...).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from leastforce.errors import OrgError
from leastforce.values.model import (
    Assignment,
    FieldRight,
    LicenseAssignment,
    LoginSummary,
    MutingPermissionSet,
    OAuthToken,
    ObjectRight,
    PermissionSet,
    PermissionSetGroup,
    Profile,
    SetupEntity,
    SetupEntityType,
    User,
    frozen_map,
)

Record = Mapping[str, Any]
PERMISSION_PREFIX = "Permissions"

R = TypeVar("R", ObjectRight, FieldRight)


def parse_datetime(value: Any) -> datetime | None:
    """Salesforce datetimes look like 2026-01-31T12:00:00.000+0000; dates like 2026-01-31."""
    if not value:
        return None
    text = str(value).replace("Z", "+00:00")
    if len(text) >= 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _path(record: Record | None, dotted: str) -> Any:
    """record["Profile"]["UserLicense"]["Name"] as _path(record, "Profile.UserLicense.Name")."""
    value: Any = record
    for part in dotted.split("."):
        # dict first: Mapping's ABC check is slow, and REST records are dicts
        if not isinstance(value, dict) and not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def user_permissions_of(record: Record) -> frozenset[str]:
    """The user permissions a PermissionSet / MutingPermissionSet record has set to true."""
    return frozenset(
        key[len(PERMISSION_PREFIX) :]
        for key, value in record.items()
        if value is True and key.startswith(PERMISSION_PREFIX)  # most flags are off: test that first
    )


def children(record: Record, relationship: str) -> list[Record]:
    """The records of a child subquery ({"totalSize", "done", "records"} or null).

    A child result can page (``done: false`` with its own ``nextRecordsUrl``); ``OrgClient.query``
    follows those pages, so one still unfinished here would lose rows silently: refused instead.
    https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_results.htm
    """
    block = record.get(relationship)
    if isinstance(block, Mapping):
        if block.get("done") is False:
            raise OrgError(
                f"the {relationship} of a record came back incomplete ({len(block.get('records') or [])} "
                f"of {block.get('totalSize')} rows): its nextRecordsUrl was not followed"
            )
        return list(block.get("records") or [])
    return []


def user_from(record: Record, *, frozen: bool = False) -> User:
    return User(
        username=str(record.get("Username", "")),
        id=str(record.get("Id", "")),
        name=str(record.get("Name") or ""),
        email=str(record.get("Email") or ""),
        is_active=bool(record.get("IsActive", True)),
        is_frozen=frozen,
        profile_id=str(record.get("ProfileId") or ""),
        profile_name=str(_path(record, "Profile.Name") or ""),
        user_license=str(_path(record, "Profile.UserLicense.Name") or ""),
        user_type=str(record.get("UserType") or "Standard"),
        last_login=parse_datetime(record.get("LastLoginDate")),
        last_password_change=parse_datetime(record.get("LastPasswordChangeDate")),
    )


def profile_from(record: Record, *, permission_set_id: str = "", license_name: str = "") -> Profile:
    return Profile(
        name=str(record.get("Name", "")),
        id=str(record.get("Id", "")),
        user_license=license_name or str(_path(record, "UserLicense.Name") or ""),
        is_custom=bool(record.get("IsCustom", False)),
        permission_set_id=permission_set_id,
    )


def assignment_from(record: Record, user_id: str = "") -> Assignment:
    group_id = str(record.get("PermissionSetGroupId") or "")
    return Assignment(
        user_id=user_id or str(record.get("AssigneeId", "")),
        permission_set_id="" if group_id else str(record.get("PermissionSetId") or ""),
        group_id=group_id,
        id=str(record.get("Id", "")),
        expires=parse_datetime(record.get("ExpirationDate")),
    )


def license_assignment_from(record: Record, user_id: str = "") -> LicenseAssignment:
    return LicenseAssignment(
        user_id=user_id or str(record.get("AssigneeId", "")),
        license_name=str(_path(record, "PermissionSetLicense.MasterLabel") or ""),
        license_developer_name=str(_path(record, "PermissionSetLicense.DeveloperName") or ""),
        id=str(record.get("Id", "")),
    )


def login_summary_from(record: Record) -> LoginSummary:
    """One LoginHistory group of org/read/logins.py (``n`` rows, the latest ``latest``)."""
    return LoginSummary(
        user_id=str(record.get("UserId") or ""),
        login_type=str(record.get("LoginType") or ""),
        application=str(record.get("Application") or ""),
        browser=str(record.get("Browser") or ""),
        count=int(record.get("n") or 0),
        last_login=parse_datetime(record.get("latest")),
    )


def oauth_token_from(record: Record) -> OAuthToken:
    return OAuthToken(
        user_id=str(record.get("UserId", "")),
        app_name=str(record.get("AppName") or ""),
        id=str(record.get("Id", "")),
        created=parse_datetime(record.get("CreatedDate")),
        last_used=parse_datetime(record.get("LastUsedDate")),
        use_count=int(record.get("UseCount") or 0),
    )


_OBJECT_FLAGS = tuple(ObjectRight)
_FIELD_FLAGS = tuple(FieldRight)


_OBJECT_COLUMNS = tuple(r.value for r in _OBJECT_FLAGS)


def object_rights_of(record: Record) -> frozenset[ObjectRight]:
    # The flags' values, read in C, decoded once per combination (a few dozen in an org).
    return _object_rights(tuple(map(record.get, _OBJECT_COLUMNS)))


@cache
def _object_rights(values: tuple[Any, ...]) -> frozenset[ObjectRight]:
    return _rights(tuple(v is True for v in values), _OBJECT_FLAGS)


def field_rights_of(record: Record) -> frozenset[FieldRight]:
    # Two flags, read inline: this runs once per FieldPermissions row (1.5 million in a large org).
    flags = (record.get("PermissionsRead") is True, record.get("PermissionsEdit") is True)
    return _rights(flags, _FIELD_FLAGS)


@cache
def _rights(flags: tuple[bool, ...], rights: tuple[R, ...]) -> frozenset[R]:
    """The (shared) set of rights whose flag is on."""
    return shared(frozenset(right for right, on in zip(rights, flags, strict=True) if on))


@cache
def shared(rights: frozenset[R]) -> frozenset[R]:
    """One instance per distinct set of rights: a large org has millions of permission rows but a handful
    of right combinations, and a frozenset per row is most of a snapshot's memory."""
    return rights


def group_rows(rows: Iterable[Record], key: str = "ParentId") -> dict[str, list[Record]]:
    grouped: dict[str, list[Record]] = defaultdict(list)
    for row in rows:
        grouped[str(row.get(key, ""))].append(row)
    return grouped


def objects_map(rows: Iterable[Record]) -> Mapping[str, frozenset[ObjectRight]]:
    return frozen_map({str(r["SobjectType"]): rights for r in rows if (rights := object_rights_of(r))})


def fields_map(rows: Iterable[Record]) -> Mapping[str, frozenset[FieldRight]]:
    return frozen_map({str(r["Field"]): rights for r in rows if (rights := field_rights_of(r))})


def setup_entities_of(rows: Iterable[Record], names: Mapping[str, str]) -> frozenset[SetupEntity]:
    """SetupEntityAccess rows as SetupEntity values; ``names`` maps SetupEntityId to a name."""
    known = {t.value: t for t in SetupEntityType}
    out = set()
    for row in rows:
        kind = known.get(str(row.get("SetupEntityType", "")))
        if kind is not None:
            entity_id = str(row.get("SetupEntityId", ""))
            out.add(SetupEntity(kind, names.get(entity_id, entity_id)))
    return frozenset(out)


def permission_set_from(
    record: Record,
    *,
    objects: Iterable[Record] = (),
    fields: Iterable[Record] = (),
    entities: frozenset[SetupEntity] = frozenset(),
    license_names: Mapping[str, str] | None = None,
) -> PermissionSet:
    license_id = str(record.get("LicenseId") or "")
    return PermissionSet(
        name=str(record.get("Name", "")),
        label=str(record.get("Label") or ""),
        id=str(record.get("Id", "")),
        description=str(record.get("Description") or ""),
        license=(license_names or {}).get(license_id, license_id),
        namespace=str(record.get("NamespacePrefix") or ""),
        is_owned_by_profile=bool(record.get("IsOwnedByProfile", False)),
        profile_name=str(_path(record, "Profile.Name") or ""),
        is_custom=bool(record.get("IsCustom", True)),
        user_permissions=user_permissions_of(record),
        objects=objects_map(objects),
        fields=fields_map(fields),
        setup_entities=entities,
    )


def muting_set_from(
    record: Record, *, objects: Iterable[Record] = (), fields: Iterable[Record] = ()
) -> MutingPermissionSet:
    return MutingPermissionSet(
        name=str(record.get("DeveloperName", "")),
        id=str(record.get("Id", "")),
        label=str(record.get("MasterLabel") or ""),
        user_permissions=user_permissions_of(record),
        objects=objects_map(objects),
        fields=fields_map(fields),
    )


def group_from(
    group_id: str,
    header: Record,
    component_ids: Iterable[str],
    sets: Mapping[str, PermissionSet],
    mutings: Mapping[str, MutingPermissionSet],
) -> PermissionSetGroup:
    """A PermissionSetGroup from its record (DeveloperName, MasterLabel, Status) and its components'
    PermissionSetIds, which name both its permission sets and its muting set."""
    ids = list(component_ids)
    return PermissionSetGroup(
        name=str(header.get("DeveloperName") or group_id),
        id=group_id,
        label=str(header.get("MasterLabel") or ""),
        status=str(header.get("Status") or "Updated"),
        permission_set_ids=tuple(sorted(i for i in ids if i in sets)),
        muting=next((mutings[i] for i in ids if i in mutings), None),
    )

"""An in-memory `RowSource` for the SOQL engine tests (imported by the other test_soql_* files)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

from leastforce.emulator.soql import FieldMeta, Filter, SoqlError
from leastforce.emulator.soql.values import id18


def _f(name: str, type_: str, to: str | None = None, rel: str | None = None) -> FieldMeta:
    return FieldMeta(name, type_, (to,) if to else (), rel)


SCHEMA: dict[str, list[FieldMeta]] = {
    "User": [
        _f("Id", "id"),
        _f("Username", "string"),
        _f("LastName", "string"),
        _f("Email", "email"),
        _f("IsActive", "boolean"),
        _f("ProfileId", "reference", "Profile", "Profile"),
        _f("CreatedDate", "datetime"),
        _f("LastLoginDate", "datetime"),
        _f("NumberOfFailedLogins", "int"),
    ],
    "Profile": [_f("Id", "id"), _f("Name", "string")],
    "PermissionSet": [
        _f("Id", "id"),
        _f("Name", "string"),
        _f("Label", "string"),
        _f("IsOwnedByProfile", "boolean"),
        _f("ProfileId", "reference", "Profile", "Profile"),
        _f("PermissionsApiEnabled", "boolean"),
    ],
    "PermissionSetGroup": [
        _f("Id", "id"),
        _f("DeveloperName", "string"),
        _f("MasterLabel", "string"),
        _f("Status", "picklist"),
    ],
    "PermissionSetAssignment": [
        _f("Id", "id"),
        _f("AssigneeId", "reference", "User", "Assignee"),
        _f("PermissionSetId", "reference", "PermissionSet", "PermissionSet"),
        _f("PermissionSetGroupId", "reference", "PermissionSetGroup", "PermissionSetGroup"),
        _f("IsActive", "boolean"),
        _f("ExpirationDate", "datetime"),
        _f("SystemModstamp", "datetime"),
    ],
}
CHILDREN = {
    ("user", "permissionsetassignments"): (
        "PermissionSetAssignment",
        "AssigneeId",
        "PermissionSetAssignments",
    ),
    ("permissionset", "assignments"): ("PermissionSetAssignment", "PermissionSetId", "Assignments"),
}


class FakeSource:
    """Dict-of-lists storage. `use_hints` makes `rows` apply the engine's filters (as an index would);
    `calls` records every `rows` call so tests can check the hints."""

    def __init__(self, data: Mapping[str, list[dict[str, Any]]], use_hints: bool = True) -> None:
        self.data = {name: list(rows) for name, rows in data.items()}
        self.use_hints = use_hints
        self.calls: list[tuple[str, tuple[Filter, ...]]] = []

    def canonical_sobject(self, sobject: str) -> str:
        for name in SCHEMA:
            if name.lower() == sobject.lower():
                return name
        raise SoqlError(
            "INVALID_TYPE",
            f"sObject type '{sobject}' is not supported. If you are attempting to use a custom object, be "
            "sure to append the '__c' after the entity name. Please reference your WSDL or the describe "
            "call for the appropriate names.",
        )

    def fields(self, sobject: str) -> Mapping[str, FieldMeta]:
        return {f.name.lower(): f for f in SCHEMA[self.canonical_sobject(sobject)]}

    def rows(
        self, sobject: str, filters: Sequence[Filter], fields: Collection[str] | None = None
    ) -> Iterable[Mapping[str, Any]]:
        name = self.canonical_sobject(sobject)
        self.calls.append((name, tuple(filters)))
        rows: Iterable[dict[str, Any]] = self.data.get(name, [])
        if self.use_hints:
            for flt in filters:
                rows = [r for r in rows if _hint_matches(r.get(flt.field), flt)]
        if fields is None:
            return rows
        return [Declared(row, frozenset(fields)) for row in rows]

    def columns(self, sobject: str, names: Sequence[str]) -> list[list[Any]] | None:
        return None  # every query reads rows (the store's whole-table reads: test_emulator_bulk_query.py)

    def get_by_id(self, sobject: str, record_id: str) -> Mapping[str, Any] | None:
        name = self.canonical_sobject(sobject)
        return next((r for r in self.data.get(name, []) if r["Id"][:15] == record_id[:15]), None)

    def child_relationship(self, sobject: str, name: str) -> tuple[str, ...] | None:
        return CHILDREN.get((sobject.lower(), name.lower()))


class Declared(Mapping[str, Any]):
    """A row that holds only the fields the engine said it reads: reading another fails the test (the
    store would read it again, correct but slow; db.Row)."""

    def __init__(self, row: Mapping[str, Any], fields: frozenset[str]) -> None:
        self.row, self.fields = row, fields

    def __getitem__(self, key: str) -> Any:
        assert key in self.fields, f"the engine read {key!r} but declared only {sorted(self.fields)}"
        return self.row[key]

    def get(self, key: str, default: Any = None) -> Any:
        assert key in self.fields, f"the engine read {key!r} but declared only {sorted(self.fields)}"
        return self.row.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self.row)

    def __len__(self) -> int:
        return len(self.row)


def _hint_matches(value: Any, flt: Filter) -> bool:
    if value is None:
        return False
    if flt.case_insensitive:
        return str(value).lower() in {str(v).lower() for v in flt.values}
    return value in flt.values


def sid(prefix: str, n: int) -> str:
    """An 18-character id with a valid case-safe suffix."""
    return id18(f"{prefix}{'0' * (12 - len(str(n)))}{n}"[:15].ljust(15, "0"))


def small_org() -> dict[str, list[dict[str, Any]]]:
    """Two profiles, three users, three permission sets, one group, four assignments."""
    admin, minimal = sid("00e", 1), sid("00e", 2)
    users = [
        ("alice@example.com", "Alice", True, admin, "2026-01-10T08:00:00.000+0000", 3),
        ("Bob@Example.com", "bob", True, minimal, "2026-01-31T23:30:00.000+0000", None),
        ("carol@example.com", None, False, minimal, None, 0),
    ]
    ps_rows = [
        (sid("0PS", 1), "X00e_admin", "Admin profile set", True, admin, True),
        (sid("0PS", 2), "Upflow_Permissions", "Upflow Permissions", False, None, True),
        (sid("0PS", 3), "Read_Only", "Read Only", False, None, False),
    ]
    return {
        "Profile": [{"Id": admin, "Name": "System Administrator"}, {"Id": minimal, "Name": "Minimum Access"}],
        "User": [
            {
                "Id": sid("005", i + 1),
                "Username": u,
                "LastName": ln,
                "Email": u.lower(),
                "IsActive": act,
                "ProfileId": prof,
                "CreatedDate": created,
                "LastLoginDate": None,
                "NumberOfFailedLogins": fails,
            }
            for i, (u, ln, act, prof, created, fails) in enumerate(users)
        ],
        "PermissionSet": [
            dict(
                zip(
                    ("Id", "Name", "Label", "IsOwnedByProfile", "ProfileId", "PermissionsApiEnabled"),
                    p,
                    strict=True,
                )
            )
            for p in ps_rows
        ],
        "PermissionSetGroup": [
            {
                "Id": sid("0PG", 1),
                "DeveloperName": "Integration",
                "MasterLabel": "Integration",
                "Status": "Updated",
            }
        ],
        "PermissionSetAssignment": [
            _psa(1, 1, 1, None, None),
            _psa(2, 2, 2, sid("0PG", 1), dt.datetime(2026, 2, 1, tzinfo=dt.UTC)),
            _psa(3, 2, 3, None, None),
            _psa(4, 1, 2, None, "2025-12-31T00:00:00.000+0000"),
        ],
    }


def _psa(n: int, user: int, ps: int, group: str | None, expires: Any) -> dict[str, Any]:
    return {
        "Id": sid("0Pa", n),
        "AssigneeId": sid("005", user),
        "PermissionSetId": sid("0PS", ps),
        "PermissionSetGroupId": group,
        "IsActive": True,
        "ExpirationDate": expires,
        "SystemModstamp": dt.datetime(2026, 1, n, 12, 0, 0),
    }


def test_fake_ids_are_valid_18_char_ids() -> None:
    assert sid("005", 1) == "005000000000001AAA"
    assert all(len(r["Id"]) == 18 for rows in small_org().values() for r in rows)

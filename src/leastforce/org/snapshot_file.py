"""Save and load an OrgSnapshot as a SQLite file (``leastforce snapshot``; ``--org snapshot:FILE``).

The file holds permission state only: no access token, password or secret is ever written. It is created
with mode 0600 because it still describes who can do what in an org.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from functools import cache, partial
from pathlib import Path
from sys import intern
from types import MappingProxyType
from typing import Any

import orjson

from leastforce.errors import InputError
from leastforce.org.records import shared
from leastforce.values.jsonable import to_jsonable
from leastforce.values.model import (
    Assignment,
    FieldRight,
    LicenseAssignment,
    LoginSummary,
    MutingPermissionSet,
    OAuthToken,
    ObjectRight,
    OrgSnapshot,
    PermissionSet,
    PermissionSetGroup,
    Profile,
    SetupEntity,
    SetupEntityType,
    User,
    frozen_map,
)
from leastforce.values.packed import NameTable, PackedRights

# 3: field maps are [name indexes, rights bitmasks], the names once in meta ``field_names`` (1.5 million
# field rows name a few thousand fields: no name is decoded, hashed and interned per row);
# 2: object and field maps are [names, rights bitmasks] (decoded by C-level zips); 1: {name: [right, ...]};
# all still read.
# A table or meta key added beside the others (``logins``, ``logins_unread``) changes no existing body:
# the version stays, older files load without it (the logins as not read) and older leastforce ignores it.
FORMAT_VERSION = 3
_READABLE = frozenset({"1", "2", "3"})
_TABLES = (
    "users",
    "profiles",
    "permission_sets",
    "groups",
    "assignments",
    "license_assignments",
    "oauth_tokens",
    "logins",
)
# Files written before LoginHistory was read hold no ``logins`` table.
LOGINS_NOT_IN_FILE = "the snapshot file holds no login history (written by an older leastforce)"


def save_snapshot(snapshot: OrgSnapshot, path: str | Path) -> None:
    """Write atomically (temp file + rename), mode 0600. A snapshot read with some sets' field rows only
    is refused (ValueError): a file stands for the whole org."""
    if snapshot.field_rows_of is not None:
        raise ValueError("this snapshot holds field rows of some sets only; save a whole read")
    target = Path(path)
    temp = target.with_name(target.name + ".tmp")
    temp.unlink(missing_ok=True)
    fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    with sqlite3.connect(temp) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        meta = {
            "format": str(FORMAT_VERSION),
            "taken_at": snapshot.taken_at.isoformat(),
            "instance_url": snapshot.instance_url,
            "org_id": snapshot.org_id,
            "available_permissions": json.dumps(sorted(snapshot.available_permissions)),
            "logins_unread": snapshot.logins_unread,
        }
        db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        for table in _TABLES:
            db.execute(f"CREATE TABLE {table} (id TEXT, body TEXT)")
        db.executemany("INSERT INTO users VALUES (?, ?)", _rows(snapshot.users.items()))
        db.executemany("INSERT INTO profiles VALUES (?, ?)", _rows(snapshot.profiles.items()))
        names: dict[str, int] = {}  # field name -> its index in meta field_names
        db.executemany(
            "INSERT INTO permission_sets VALUES (?, ?)",
            _rows(snapshot.permission_sets.items(), partial(_compact, names=names)),
        )
        db.executemany(
            "INSERT INTO groups VALUES (?, ?)",
            _rows(snapshot.groups.items(), partial(_compact_muting, names=names)),
        )
        db.execute("INSERT INTO meta VALUES (?, ?)", ("field_names", json.dumps(list(names))))
        db.executemany(
            "INSERT INTO assignments VALUES (?, ?)", _rows((a.id, a) for a in snapshot.assignments)
        )
        db.executemany(
            "INSERT INTO license_assignments VALUES (?, ?)",
            _rows((a.id, a) for a in snapshot.license_assignments),
        )
        db.executemany(
            "INSERT INTO oauth_tokens VALUES (?, ?)", _rows((t.id, t) for t in snapshot.oauth_tokens)
        )
        db.executemany("INSERT INTO logins VALUES (?, ?)", _rows((s.user_id, s) for s in snapshot.logins))
    db.close()
    os.replace(temp, target)
    os.chmod(target, 0o600)


def _rows(
    items: Iterable[tuple[str, Any]], shape: Callable[[dict[str, Any]], dict[str, Any]] | None = None
) -> Iterable[tuple[str, str]]:
    for key, value in items:
        body = to_jsonable(value)
        yield key, json.dumps(shape(body) if shape else body, separators=(",", ":"))


def _compact(body: dict[str, Any], names: dict[str, int]) -> dict[str, Any]:
    """Object maps as [names, bitmasks] (bit i = the i-th right of the enum); field maps as [indexes into
    ``names`` (filled here) in ascending order, bitmasks]."""
    fields = body["fields"]
    indexes = [names.setdefault(name, len(names)) for name in fields]
    masks = _masks(fields, _FIELD_BITS)[1]
    order = sorted(range(len(indexes)), key=indexes.__getitem__)  # ascending: searched as stored
    return body | {
        "objects": _masks(body["objects"], _OBJECT_BITS),
        "fields": [[indexes[i] for i in order], [masks[i] for i in order]],
    }


def _compact_muting(body: dict[str, Any], names: dict[str, int]) -> dict[str, Any]:
    return body | {"muting": _compact(body["muting"], names)} if body.get("muting") else body


def _masks(rights: Mapping[str, list[str]], bits: Mapping[str, int]) -> list[list[Any]]:
    return [list(rights), [sum(bits[v] for v in values) for values in rights.values()]]


_OBJECT_BITS = {right.value: 1 << i for i, right in enumerate(ObjectRight)}
_FIELD_BITS = {right.value: 1 << i for i, right in enumerate(FieldRight)}


def load_snapshot(path: str | Path) -> OrgSnapshot:
    """Read a snapshot file; a missing or foreign file is an InputError naming it."""
    source = Path(path)
    if not source.is_file():
        raise InputError(f"snapshot file {source} does not exist")
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as db:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("format") not in _READABLE:
                raise InputError(f"{source}: unsupported snapshot format {meta.get('format')!r}")
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            snapshot = _snapshot(meta, lambda table: _bodies(db, table) if table in tables else iter(()))
        db.close()
    except (sqlite3.DatabaseError, ValueError, KeyError, TypeError, IndexError) as exc:  # a mangled body
        raise InputError(f"{source} is not a leastforce snapshot ({exc})") from None
    return snapshot


def _bodies(db: sqlite3.Connection, table: str) -> Iterator[dict[str, Any]]:
    """The rows of one table, decoded one at a time (a large org's file is never held decoded whole)."""
    for (body,) in db.execute(f"SELECT body FROM {table}"):
        yield orjson.loads(body)  # its JSONDecodeError is json's


def _snapshot(meta: Mapping[str, str], bodies: Callable[[str], Iterator[dict[str, Any]]]) -> OrgSnapshot:
    # Format 3's field names, each interned once: every set names the same "Object.Field" strings.
    names = NameTable(tuple(map(intern, json.loads(meta["field_names"])))) if "field_names" in meta else None
    return OrgSnapshot(
        taken_at=datetime.fromisoformat(meta["taken_at"]),
        instance_url=meta.get("instance_url", ""),
        org_id=meta.get("org_id", ""),
        users=frozen_map({u["id"]: _user(u) for u in bodies("users")}),
        profiles=frozen_map(
            {p["id"]: Profile(**{**p, "login_ip_ranges": _pairs(p)}) for p in bodies("profiles")}
        ),
        permission_sets=frozen_map({p["id"]: _permission_set(p, names) for p in bodies("permission_sets")}),
        groups=frozen_map({g["id"]: _group(g, names) for g in bodies("groups")}),
        assignments=tuple(_assignment(a) for a in bodies("assignments")),
        license_assignments=tuple(LicenseAssignment(**a) for a in bodies("license_assignments")),
        oauth_tokens=tuple(
            OAuthToken(**{**t, "created": _dt(t["created"]), "last_used": _dt(t["last_used"])})
            for t in bodies("oauth_tokens")
        ),
        logins=tuple(LoginSummary(**{**s, "last_login": _dt(s["last_login"])}) for s in bodies("logins")),
        logins_unread=meta.get("logins_unread", LOGINS_NOT_IN_FILE),
        available_permissions=frozenset(json.loads(meta.get("available_permissions", "[]"))),
    )


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _assignment(body: Mapping[str, Any]) -> Assignment:
    return Assignment(  # named one by one: no merged dict per row (45,000 rows at L)
        user_id=body["user_id"],
        permission_set_id=body["permission_set_id"],
        group_id=body["group_id"],
        id=body["id"],
        expires=_dt(body["expires"]),
    )


def _pairs(profile: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((str(a), str(b)) for a, b in profile.get("login_ip_ranges", []))


def _user(body: Mapping[str, Any]) -> User:
    return User(
        **{
            **body,
            "last_login": _dt(body["last_login"]),
            "last_password_change": _dt(body["last_password_change"]),
        }
    )


def _objects(body: Mapping[str, list[str]] | list[list[Any]]) -> Mapping[str, frozenset[ObjectRight]]:
    if isinstance(body, list):  # format 2
        names, masks = body
        return MappingProxyType(
            dict(zip(map(intern, names), map(_OBJECT_MASKS.__getitem__, masks), strict=True))
        )
    return frozen_map({intern(k): _object_rights(tuple(vs)) for k, vs in body.items()})


def _fields(
    body: Mapping[str, list[str]] | list[list[Any]], names: NameTable | None
) -> Mapping[str, frozenset[FieldRight]]:
    if isinstance(body, list) and names is not None:  # format 3: packed as it is stored, no dict built
        keys, masks = body
        return PackedRights(names, keys, bytes(masks), _FIELD_MASKS)
    if isinstance(body, list):  # format 2: C-level zips, a table lookup per mask
        keys, masks = body
        return MappingProxyType(
            dict(zip(map(intern, keys), map(_FIELD_MASKS.__getitem__, masks), strict=True))
        )
    return frozen_map({intern(k): _field_rights(tuple(vs)) for k, vs in body.items()})


@cache
def _object_rights(values: tuple[str, ...]) -> frozenset[ObjectRight]:
    """Rights as the file spells them (a handful of combinations for millions of rows): decoded once."""
    return shared(frozenset(ObjectRight(v) for v in values))


@cache
def _field_rights(values: tuple[str, ...]) -> frozenset[FieldRight]:
    return shared(frozenset(FieldRight(v) for v in values))


def _mask_table(rights: type[ObjectRight] | type[FieldRight], bits: Mapping[str, int]) -> tuple[Any, ...]:
    """The rights of every bitmask, by mask (index)."""
    return tuple(
        shared(frozenset(r for r in rights if mask & bits[r.value])) for mask in range(1 << len(bits))
    )


_OBJECT_MASKS: tuple[frozenset[ObjectRight], ...] = _mask_table(ObjectRight, _OBJECT_BITS)
_FIELD_MASKS: tuple[frozenset[FieldRight], ...] = _mask_table(FieldRight, _FIELD_BITS)


def _permission_set(body: Mapping[str, Any], names: NameTable | None) -> PermissionSet:
    return PermissionSet(
        **{
            **body,
            "user_permissions": frozenset(body["user_permissions"]),
            "objects": _objects(body["objects"]),
            "fields": _fields(body["fields"], names),
            "setup_entities": frozenset(
                SetupEntity(SetupEntityType(e["type"]), e["name"]) for e in body["setup_entities"]
            ),
        }
    )


def _muting(body: Mapping[str, Any] | None, names: NameTable | None) -> MutingPermissionSet | None:
    if body is None:
        return None
    return MutingPermissionSet(
        **{
            **body,
            "user_permissions": frozenset(body["user_permissions"]),
            "objects": _objects(body["objects"]),
            "fields": _fields(body["fields"], names),
        }
    )


def _group(body: Mapping[str, Any], names: NameTable | None) -> PermissionSetGroup:
    return PermissionSetGroup(
        **{
            **body,
            "permission_set_ids": tuple(body["permission_set_ids"]),
            "muting": _muting(body["muting"], names),
        }
    )

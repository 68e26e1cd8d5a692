"""Save and load an OrgSnapshot as a SQLite file (``leastforce snapshot``; ``--org snapshot:FILE``).

The file holds permission state only: no access token, password or secret is ever written. It is created
with mode 0600 because it still describes who can do what in an org.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from leastforce.errors import InputError
from leastforce.org.records import shared
from leastforce.values.jsonable import to_jsonable
from leastforce.values.model import (
    Assignment,
    FieldRight,
    LicenseAssignment,
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

FORMAT_VERSION = 1
_TABLES = (
    "users",
    "profiles",
    "permission_sets",
    "groups",
    "assignments",
    "license_assignments",
    "oauth_tokens",
)


def save_snapshot(snapshot: OrgSnapshot, path: str | Path) -> None:
    """Write atomically (temp file + rename), mode 0600."""
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
        }
        db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        for table in _TABLES:
            db.execute(f"CREATE TABLE {table} (id TEXT, body TEXT)")
        db.executemany("INSERT INTO users VALUES (?, ?)", _rows(snapshot.users.items()))
        db.executemany("INSERT INTO profiles VALUES (?, ?)", _rows(snapshot.profiles.items()))
        db.executemany("INSERT INTO permission_sets VALUES (?, ?)", _rows(snapshot.permission_sets.items()))
        db.executemany("INSERT INTO groups VALUES (?, ?)", _rows(snapshot.groups.items()))
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
    db.close()
    os.replace(temp, target)
    os.chmod(target, 0o600)


def _rows(items: Iterable[tuple[str, Any]]) -> Iterable[tuple[str, str]]:
    for key, value in items:
        yield key, json.dumps(to_jsonable(value), separators=(",", ":"))


def load_snapshot(path: str | Path) -> OrgSnapshot:
    """Read a snapshot file; a missing or foreign file is an InputError naming it."""
    source = Path(path)
    if not source.is_file():
        raise InputError(f"snapshot file {source} does not exist")
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as db:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            bodies = {t: [json.loads(b) for (b,) in db.execute(f"SELECT body FROM {t}")] for t in _TABLES}
        db.close()
    except (sqlite3.DatabaseError, json.JSONDecodeError) as exc:
        raise InputError(f"{source} is not a leastforce snapshot ({exc})") from None
    if meta.get("format") != str(FORMAT_VERSION):
        raise InputError(f"{source}: unsupported snapshot format {meta.get('format')!r}")
    return OrgSnapshot(
        taken_at=datetime.fromisoformat(meta["taken_at"]),
        instance_url=meta.get("instance_url", ""),
        org_id=meta.get("org_id", ""),
        users=frozen_map({u["id"]: _user(u) for u in bodies["users"]}),
        profiles=frozen_map(
            {p["id"]: Profile(**{**p, "login_ip_ranges": _pairs(p)}) for p in bodies["profiles"]}
        ),
        permission_sets=frozen_map({p["id"]: _permission_set(p) for p in bodies["permission_sets"]}),
        groups=frozen_map({g["id"]: _group(g) for g in bodies["groups"]}),
        assignments=tuple(Assignment(**{**a, "expires": _dt(a["expires"])}) for a in bodies["assignments"]),
        license_assignments=tuple(LicenseAssignment(**a) for a in bodies["license_assignments"]),
        oauth_tokens=tuple(
            OAuthToken(**{**t, "created": _dt(t["created"]), "last_used": _dt(t["last_used"])})
            for t in bodies["oauth_tokens"]
        ),
        available_permissions=frozenset(json.loads(meta.get("available_permissions", "[]"))),
    )


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


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


def _objects(body: Mapping[str, list[str]]) -> Mapping[str, frozenset[ObjectRight]]:
    return frozen_map({k: shared(frozenset(ObjectRight(v) for v in vs)) for k, vs in body.items()})


def _fields(body: Mapping[str, list[str]]) -> Mapping[str, frozenset[FieldRight]]:
    return frozen_map({k: shared(frozenset(FieldRight(v) for v in vs)) for k, vs in body.items()})


def _permission_set(body: Mapping[str, Any]) -> PermissionSet:
    return PermissionSet(
        **{
            **body,
            "user_permissions": frozenset(body["user_permissions"]),
            "objects": _objects(body["objects"]),
            "fields": _fields(body["fields"]),
            "setup_entities": frozenset(
                SetupEntity(SetupEntityType(e["type"]), e["name"]) for e in body["setup_entities"]
            ),
        }
    )


def _muting(body: Mapping[str, Any] | None) -> MutingPermissionSet | None:
    if body is None:
        return None
    return MutingPermissionSet(
        **{
            **body,
            "user_permissions": frozenset(body["user_permissions"]),
            "objects": _objects(body["objects"]),
            "fields": _fields(body["fields"]),
        }
    )


def _group(body: Mapping[str, Any]) -> PermissionSetGroup:
    return PermissionSetGroup(
        **{**body, "permission_set_ids": tuple(body["permission_set_ids"]), "muting": _muting(body["muting"])}
    )

"""One unit of work on the org's SQLite database: raw reads and writes that rules and effects build on.

A ``Txn`` never checks rules: ``OrgStore`` runs the rules (rules.py) and side effects (effects.py)
around its raw writes, all inside one SQLite transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from leastforce.emulator.errors import ApiError
from leastforce.emulator.store import db
from leastforce.emulator.store.ids import key_prefix, make_id
from leastforce.emulator.store.schema import Schema, SObjectDef


@dataclass(frozen=True)
class Caller:
    """Who makes a request: a User Id; ``system`` = the emulator itself (seed, fixtures: no rights checks)."""

    user_id: str
    system: bool = False
    # The caller's permissions as they were when a multi-write operation began (a Metadata API deploy):
    # its rights are checked as of its start, so a deploy that rewrites the caller's own set cannot lose
    # them halfway. None: read them at each write.
    held: frozenset[str] | None = None


class Txn:
    """Raw access to the records of one open connection (the caller holds the store's lock)."""

    def __init__(self, conn: sqlite3.Connection, schema: Schema, actor: str) -> None:
        self.conn = conn
        self.schema = schema
        self.actor = actor  # the user Id written in CreatedById / LastModifiedById

    def sobject(self, name: str) -> SObjectDef:
        found = self.schema.get(name)
        if found is None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        return found

    def get(self, sobject: str, record_id: str | None) -> db.Row | None:
        if not record_id:
            return None
        return db.get(self.conn, self.sobject(sobject), record_id)

    def find(self, sobject: str, **equals: Any) -> list[db.Row]:
        """Rows whose fields equal the given values (None matches null)."""
        where = [(name, "=", (value,), False) for name, value in equals.items()]
        return list(db.select(self.conn, self.sobject(sobject), where))

    def find_in(self, sobject: str, field: str, values: tuple[Any, ...], **equals: Any) -> list[db.Row]:
        where = [(field, "IN", values, False)] + [(n, "=", (v,), False) for n, v in equals.items()]
        return list(db.select(self.conn, self.sobject(sobject), where))

    def count(self, sobject: str, **equals: Any) -> int:
        return db.count(self.conn, self.sobject(sobject), list(equals.items()))

    def new_id(self, sobject: str) -> str:
        prefix = key_prefix(sobject)
        row = self.conn.execute(
            "INSERT INTO _seq (prefix, next) VALUES (?, 2) ON CONFLICT(prefix) DO UPDATE SET next = next + 1 "
            "RETURNING next",
            (prefix,),
        ).fetchone()
        return make_id(prefix, int(row[0]) - 1)

    def insert(self, sobject: str, values: Mapping[str, Any]) -> str:
        """Insert with audit fields and defaults for booleans; returns the new Id."""
        so = self.sobject(sobject)
        record = dict(values)
        record.setdefault("Id", self.new_id(so.name))
        stamp = db.now_iso()
        for name, value in (
            ("CreatedDate", stamp),
            ("CreatedById", self.actor),
            ("LastModifiedDate", stamp),
            ("LastModifiedById", self.actor),
            ("SystemModstamp", stamp),
            ("IsDeleted", False),
        ):
            if name in so.fields:
                record.setdefault(name, value)
        for field in so.fields.values():
            if field.type == "boolean" and field.name not in record:
                record[field.name] = False
        db.insert(self.conn, so, record)
        return str(record["Id"])

    def update(self, sobject: str, record_id: str, values: Mapping[str, Any]) -> None:
        so = self.sobject(sobject)
        record = dict(values)
        stamp = db.now_iso()
        for name, value in (
            ("LastModifiedDate", stamp),
            ("LastModifiedById", self.actor),
            ("SystemModstamp", stamp),
        ):
            if name in so.fields:
                record[name] = value
        db.update(self.conn, so, record_id, record)

    def delete(self, sobject: str, record_id: str) -> None:
        db.delete(self.conn, self.sobject(sobject), record_id)

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM _meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO _meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

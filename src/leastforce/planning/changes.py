"""Plan values: what the org holds now (CurrentOrg), and what must change (Change, ChangeSet). All frozen.

A :class:`Change` is one API write, with its Setup terms (what an admin would click) and its API terms
(the sObject, the verb and the fields). Records the plan itself creates are referred to by a key
(``PermissionSet:Upflow_Permissions``, ``Profile:Upflow API Profile``, ``ProfileSet:Upflow API Profile``
for the profile's own permission set, ``User:<username>``) until apply knows their Ids.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from leastforce.values.model import PermissionSet, Profile, SetupEntity, User, frozen_map
from leastforce.values.packages import InstalledPackage


class Action(enum.Enum):
    """The API verb of a change."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class Step(enum.IntEnum):
    """Apply's order, Salesforce's: a record exists before anything refers to it. The user comes after the
    sets (nothing else needs it) and before its licenses and assignments (they need the user, and a permission
    set license needs the user's license, which comes with the profile)."""

    PROFILE = 1
    PERMISSION_SET = 2
    ROWS_GROW = 3  # rows adding rights (object, field and setup entity access): before the set's user permissions that may depend on them
    SET_UPDATE = 4
    ROWS_SHRINK = 5  # rows losing rights: after the set's user permissions that needed them are gone
    USER = 6
    LICENSE_ASSIGNMENT = 7
    ASSIGNMENT = 8


class FindingKind(enum.Enum):
    """What plan reports without changing it."""

    UNMANAGED = "unmanaged"  # a set or profile leastforce did not create: never changed
    BLOCKER = "blocker"  # apply cannot proceed (a package set or license missing in the org)
    NOTE = "note"  # worth knowing, nothing to do (extra assignments, no user given)


@dataclass(frozen=True)
class Finding:
    """Something plan reports but does not change."""

    kind: FindingKind
    subject: str
    message: str


@dataclass(frozen=True)
class Change:
    """One write. ``values``: the fields to send; ``refs``: field -> key of a record created earlier in the
    same apply (its Id fills the field); ``before``: for updates, the old values of the fields changed (what
    undo restores); ``key``: the key this record gets when created (for refs), else a readable name."""

    step: Step
    action: Action
    sobject: str
    key: str
    setup: str
    values: Mapping[str, Any] = field(default_factory=frozen_map)
    refs: Mapping[str, str] = field(default_factory=frozen_map)
    record_id: str = ""
    before: Mapping[str, Any] = field(default_factory=frozen_map)

    def api(self) -> str:
        """The change in API terms: ``POST PermissionSet {...}``, ``PATCH ObjectPermissions 0PS.. {...}``."""
        verb = {Action.CREATE: "POST", Action.UPDATE: "PATCH", Action.DELETE: "DELETE"}[self.action]
        # A new record's false flags are its defaults: only what is granted is shown.
        values = {k: v for k, v in self.values.items() if not (self.action is Action.CREATE and v is False)}
        fields = {**values, **{k: f"<Id of {v}>" for k, v in self.refs.items()}}
        shown = ", ".join(f"{k}={_short(v)}" for k, v in sorted(fields.items()))
        target = f" {self.record_id}" if self.record_id else ""
        return f"{verb} {self.sobject}{target}" + (f" {{{shown}}}" if shown else "")


def _short(value: Any) -> str:
    return repr(value) if not isinstance(value, bool) else str(value).lower()


@dataclass(frozen=True)
class ChangeSet:
    """The plan: changes in apply order, what already matches, and what is only reported."""

    integration: str
    username: str
    changes: tuple[Change, ...] = ()
    matches: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def in_sync(self) -> bool:
        return not self.changes

    @property
    def blockers(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind is FindingKind.BLOCKER)


@dataclass(frozen=True)
class RowIds:
    """Record Ids of a set's permission rows: object name / ``Object.Field`` -> Id."""

    objects: Mapping[str, str] = field(default_factory=frozen_map)
    fields: Mapping[str, str] = field(default_factory=frozen_map)


@dataclass(frozen=True)
class CurrentOrg:
    """What plan needs to know about the org, as read by ``org.read_plan``.

    ``permission_sets``: the sets found, by Name (package sets also by Label), with rows and ``license`` as a
    name. ``profiles``: by name, each with ``owned`` (its permission set, with rows). ``user``: the user or
    None; ``assigned``: Ids of the sets assigned to them; ``licenses_held``: PSL labels they hold.
    ``user_licenses`` / ``permission_set_licenses``: name (label) -> Id in this org. ``objects``: which of
    the objects the desired rows name exist in this org (EntityDefinition). ``custom_fields``: which of the
    custom fields (``Object.Field__c``) the desired rows name exist here (the objects' describe).
    """

    permission_sets: Mapping[str, PermissionSet] = field(default_factory=frozen_map)
    row_ids: Mapping[str, RowIds] = field(default_factory=frozen_map)  # by permission set Id
    profiles: Mapping[str, Profile] = field(default_factory=frozen_map)
    profile_descriptions: Mapping[str, str] = field(default_factory=frozen_map)
    profile_sets: Mapping[str, PermissionSet] = field(default_factory=frozen_map)  # by profile name
    user: User | None = None
    user_active: bool = True
    assigned: frozenset[str] = frozenset()
    licenses_held: frozenset[str] = frozenset()
    user_licenses: Mapping[str, str] = field(default_factory=frozen_map)
    permission_set_licenses: Mapping[str, str] = field(default_factory=frozen_map)
    objects: frozenset[str] | None = None  # the sObjects named by the plan that exist here; None = not read
    custom_fields: frozenset[str] | None = None  # the custom fields named that exist here; None = not read
    # Of those, the ones the org's describe marks ``permissionable: false`` (required, master-detail ...).
    unprotected_fields: frozenset[str] = frozenset()
    # Setup entities the desired sets name -> their Id here (absent = not in this org).
    entity_ids: Mapping[SetupEntity, str] = field(default_factory=frozen_map)
    # Permission set Id -> {SetupEntityId: SetupEntityAccess row Id} for the entity types leastforce manages.
    entity_rows: Mapping[str, Mapping[str, str]] = field(default_factory=frozen_map)
    # InstalledSubscriberPackage rows (Tooling API); None = not read (the manifest declares no package).
    installed_packages: tuple[InstalledPackage, ...] | None = None

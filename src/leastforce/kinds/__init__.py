"""The registry of requirement kinds: ``kind_of(req)`` gives the one object that knows how to describe,
price, grant and check a requirement. One exhaustive ``match``: mypy fails when a kind is missing.

A requirement's YAML shape and parsing live with its atom model in ``manifest.schema_atoms``.
"""

from __future__ import annotations

from typing import Any, assert_never

from leastforce.catalog.catalog import Catalog
from leastforce.kinds.base import CheckContext, Chosen, Contribution, Kind, UserNeed
from leastforce.kinds.combinators import AllOfKind, AnyOfKind
from leastforce.kinds.field import FieldKind
from leastforce.kinds.negation import NotKind
from leastforce.kinds.object import ObjectKind
from leastforce.kinds.outcome import RequirementResult, Status
from leastforce.kinds.permission import PermissionKind
from leastforce.kinds.setup_entity import SetupEntityKind
from leastforce.kinds.source import check_from_source
from leastforce.kinds.user import (
    LicenseKind,
    PackagePermissionSetKind,
    PermissionSetLicenseKind,
    ProfileKind,
    UserStateKind,
)
from leastforce.kinds.user_settings import ProfileSessionKind, UserPermissionStateKind
from leastforce.values.requirements import (
    AllOf,
    AnyOf,
    FieldReq,
    LicenseReq,
    NotReq,
    ObjectReq,
    PackagePermissionSetReq,
    PermissionReq,
    PermissionSetLicenseReq,
    ProfileReq,
    ProfileSessionReq,
    Requirement,
    SetupEntityReq,
    UserPermissionStateReq,
    UserStateReq,
)

__all__ = [
    "CheckContext",
    "Chosen",
    "Contribution",
    "Kind",
    "RequirementResult",
    "Status",
    "UserNeed",
    "check",
    "describe",
    "granted_by",
    "kind_of",
]

_PERMISSION = PermissionKind()
_OBJECT = ObjectKind()
_FIELD = FieldKind()
_SETUP_ENTITY = SetupEntityKind()
_PROFILE = ProfileKind()
_LICENSE = LicenseKind()
_PSL = PermissionSetLicenseKind()
_PACKAGE_SET = PackagePermissionSetKind()
_USER_STATE = UserStateKind()
_USER_PERMISSION = UserPermissionStateKind()
_PROFILE_SESSION = ProfileSessionKind()


def kind_of(req: Requirement) -> Kind[Any]:
    """The kind of a requirement value."""
    match req:
        case PermissionReq():
            return _PERMISSION
        case ObjectReq():
            return _OBJECT
        case FieldReq():
            return _FIELD
        case SetupEntityReq():
            return _SETUP_ENTITY
        case ProfileReq():
            return _PROFILE
        case LicenseReq():
            return _LICENSE
        case PermissionSetLicenseReq():
            return _PSL
        case PackagePermissionSetReq():
            return _PACKAGE_SET
        case UserStateReq():
            return _USER_STATE
        case UserPermissionStateReq():
            return _USER_PERMISSION
        case ProfileSessionReq():
            return _PROFILE_SESSION
        case NotReq():
            return _NOT
        case AllOf():
            return _ALL
        case AnyOf():
            return _ANY
        case _:
            assert_never(req)


_ALL = AllOfKind(kind_of)
_ANY = AnyOfKind(kind_of)
_NOT = NotKind(kind_of)


def granted_by(req: Requirement, catalog: Catalog) -> Contribution:
    """Everything granting ``req`` puts in a permission set, its ``then`` items included (the items of an
    ``all:``, the chosen item of an ``any:``); what it refuses (``negated``) stays as declared."""
    done = kind_of(req).contribute(req, catalog)
    parts = [done, *(granted_by(item, catalog) for item in done.then)]
    return Contribution(
        permissions=tuple(dict.fromkeys(p for c in parts for p in c.permissions)),
        objects=tuple(o for c in parts for o in c.objects),
        fields=tuple(f for c in parts for f in c.fields),
        entities=tuple(dict.fromkeys(e for c in parts for e in c.entities)),
        user=tuple(u for c in parts for u in c.user),
        negated=tuple(n for c in parts for n in c.negated),
    )


def describe(req: Requirement, catalog: Catalog | None = None) -> str:
    """One line naming a requirement: "permission ApiEnabled (API Enabled)", "object Account: Read"."""
    return kind_of(req).describe(req, catalog)


def check(req: Requirement, ctx: CheckContext) -> RequirementResult:
    """Verify one requirement by its kind, on the grants of the source it must come from (``from:``)."""
    return check_from_source(req, ctx, lambda item, context: kind_of(item).check(item, context))

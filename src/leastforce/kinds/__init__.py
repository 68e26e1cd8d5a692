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
        case AllOf():
            return _ALL
        case AnyOf():
            return _ANY
        case _:
            assert_never(req)


_ALL = AllOfKind(kind_of)
_ANY = AnyOfKind(kind_of)


def describe(req: Requirement, catalog: Catalog | None = None) -> str:
    """One line naming a requirement: "permission ApiEnabled (API Enabled)", "object Account: Read"."""
    return kind_of(req).describe(req, catalog)


def check(req: Requirement, ctx: CheckContext) -> RequirementResult:
    """Verify one requirement by its kind, on the grants of the source it must come from (``from:``)."""
    return check_from_source(req, ctx, lambda item, context: kind_of(item).check(item, context))

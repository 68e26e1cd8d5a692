"""The catalog's frozen values: user permissions, dependencies, objects, licenses, standard profiles.

Every value carries ``sources``: ids into ``Catalog.sources`` (title + URL of the document behind it).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from leastforce.catalog.fields import NoFieldSecurity
from leastforce.values.model import IDENTITY_HASH, ObjectRight, frozen_map


class Risk(enum.Enum):
    """How much harm a permission can do in the wrong hands (tiers defined in data/risk.yaml)."""

    __hash__ = IDENTITY_HASH

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """critical=4, high=3, medium=2, low=1: larger is riskier."""
        return _RISK_RANK[self]


_RISK_RANK = {Risk.CRITICAL: 4, Risk.HIGH: 3, Risk.MEDIUM: 2, Risk.LOW: 1}


@dataclass(frozen=True)
class Source:
    """A document a fact comes from."""

    id: str
    title: str
    url: str


@dataclass(frozen=True)
class UserPermission:
    """One user permission: ``name`` is the API name without the ``Permissions`` prefix."""

    name: str
    label: str
    section: str = ""  # "System Permissions" | "App Permissions" | "" when unknown
    subsection: str = ""  # e.g. "Users", "Flow and Flow Orchestration"; "" when unknown
    risk: Risk | None = None
    risk_reason: str = ""
    since_api: str | None = None  # None when in the v64.0 describe baseline (or version unknown)
    sources: tuple[str, ...] = ()
    baseline: bool = True  # present in the v64.0 PermissionSet describe the catalog is built from
    verified: bool = True  # False when the API name or label has no primary source (UNVERIFIED)
    # The describe's label when Setup displays another one (``label``), e.g. "Api Only User"; "" otherwise.
    describe_label: str = ""
    section_verified: bool = True  # False when ``section`` follows the Setup layout but no page states it

    @property
    def field_name(self) -> str:
        """The sObject field on PermissionSet / Profile: ``Permissions<Name>``."""
        return f"Permissions{self.name}"


class PermissionType(enum.Enum):
    """PermissionDependency.PermissionType / RequiredPermissionType values."""

    USER = "User Permission"
    OBJECT = "Object Permission"


@dataclass(frozen=True)
class Dependency:
    """One PermissionDependency row: ``permission`` needs ``required_permission``.

    Types are "User Permission" / "Object Permission"; object permissions are encoded like
    ``Case<update>`` (verbs read, create, update, delete, viewAllRecords, modifyAllRecords).
    https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_permissiondependency.htm
    """

    permission: str
    permission_type: str
    required_permission: str
    required_permission_type: str
    source: str
    verified: bool = True  # False: a source states it but other evidence contradicts it (UNVERIFIED)


@dataclass(frozen=True)
class ObjectField:
    """A field of a standard object; ``permissionable`` = whether field-level security applies.

    ``exemption`` says why a field takes none (None when it takes FLS, or when the reason is unknown).
    """

    name: str
    label: str
    type: str
    permissionable: bool
    nillable: bool
    exemption: NoFieldSecurity | None = None

    @property
    def not_permissionable_reason(self) -> str:
        """Why the field takes no field-level security, for people; "" when it takes FLS."""
        if self.permissionable:
            return ""
        return (self.exemption or NoFieldSecurity.OTHER).value


@dataclass(frozen=True)
class StandardObject:
    """A standard object and whether it takes object permissions at all (see ``note`` when not)."""

    name: str
    label: str
    plural_label: str
    permissionable: bool
    fields: Mapping[str, ObjectField] = field(default_factory=frozen_map)
    note: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoObjectPermissions:
    """An object that takes no object permissions, and what grants access to it instead.

    ``object`` is the object's API name (for a suffix rule: the suffix, e.g. "History", with ``parent``
    left as the placeholder ``{parent}`` in the texts). ``verified`` is False where no page states it.
    """

    object: str
    reason: str
    access_from: str
    parent: str = ""
    sources: tuple[str, ...] = ()
    verified: bool = True


class LicenseKind(enum.Enum):
    USER = "user"
    PERMISSION_SET = "permission_set"


@dataclass(frozen=True)
class License:
    """A user license or a permission set license.

    ``denied_permissions``: user permissions known not to be grantable under it; ``standard_objects``:
    whether the license alone can hold permissions on standard objects (Salesforce Integration cannot).
    ``denied_known`` says whether ``denied_permissions`` is an authoritative list.
    """

    name: str  # MasterLabel, e.g. "Salesforce Integration"
    developer_name: str
    kind: LicenseKind
    note: str = ""
    denied_permissions: frozenset[str] = frozenset()
    standard_objects: bool = True
    sources: tuple[str, ...] = ()
    allowed_permissions: frozenset[str] = frozenset()  # known-grantable (empty = no list known)
    denied_objects: frozenset[str] = frozenset()  # standard objects the license gives no access to
    api_only: bool = False  # users of this license can only use the API
    requires_user_license: str = ""  # a permission set license's user license, e.g. "Salesforce Integration"

    def can_hold(self, permission: str) -> bool | None:
        """True/False when the catalog knows; None when it does not (no authoritative list)."""
        if permission in self.denied_permissions:
            return False
        if permission in self.allowed_permissions:
            return True
        return None


@dataclass(frozen=True)
class StandardProfile:
    """A profile Salesforce ships, as a fresh org has it."""

    name: str
    user_license: str
    user_permissions: frozenset[str]
    objects: Mapping[str, frozenset[ObjectRight]] = field(default_factory=frozen_map)
    api_only: bool = False
    note: str = ""
    sources: tuple[str, ...] = ()

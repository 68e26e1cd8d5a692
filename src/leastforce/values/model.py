"""Frozen values for Salesforce's permission model, shared by every layer.

Names follow Salesforce's API: a user permission is its API name without the ``Permissions`` prefix
(``ApiEnabled``), an object is its API name (``Account``), a field is ``Object.Field``
(``Contact.Email``), as in FieldPermissions.Field.
See https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionset.htm
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType


def frozen_map(data: Mapping | None = None) -> Mapping:  # type: ignore[type-arg]
    """A read-only mapping (dataclasses stay immutable all the way down)."""
    return MappingProxyType(dict(data or {}))


# Enum members are singletons compared by identity; Enum hashes them by name in Python code, run millions
# of times per org (frozensets of rights, dict keys). The hot enums hash by identity instead (a C slot):
# equal members still hash equal, and no order anywhere depends on a hash.
IDENTITY_HASH = object.__hash__


class ObjectRight(enum.Enum):
    """One object permission flag, named as in the manifest; value = ObjectPermissions field."""

    __hash__ = IDENTITY_HASH

    READ = "PermissionsRead"
    CREATE = "PermissionsCreate"
    EDIT = "PermissionsEdit"
    DELETE = "PermissionsDelete"
    VIEW_ALL_RECORDS = "PermissionsViewAllRecords"
    MODIFY_ALL_RECORDS = "PermissionsModifyAllRecords"
    VIEW_ALL_FIELDS = "PermissionsViewAllFields"

    @property
    def key(self) -> str:
        """The manifest spelling: read, create, edit, delete, view_all_records ..."""
        return self.name.lower()

    @property
    def xml_name(self) -> str:
        """The element name in <objectPermissions>."""
        return _XML_NAMES[self]

    @property
    def label(self) -> str:
        """The Setup label in Object Settings."""
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> ObjectRight:
        """Accept the manifest key, the Setup label or the XML name, case-insensitively."""
        norm = text.strip().lower().replace(" ", "_")
        for right in cls:
            if norm in (right.key, right.xml_name.lower(), right.label.lower().replace(" ", "_")):
                return right
        raise ValueError(f"unknown object access {text!r}")


_XML_NAMES = {
    ObjectRight.READ: "allowRead",
    ObjectRight.CREATE: "allowCreate",
    ObjectRight.EDIT: "allowEdit",
    ObjectRight.DELETE: "allowDelete",
    ObjectRight.VIEW_ALL_RECORDS: "viewAllRecords",
    ObjectRight.MODIFY_ALL_RECORDS: "modifyAllRecords",
    ObjectRight.VIEW_ALL_FIELDS: "viewAllFields",
}
_LABELS = {
    ObjectRight.READ: "Read",
    ObjectRight.CREATE: "Create",
    ObjectRight.EDIT: "Edit",
    ObjectRight.DELETE: "Delete",
    ObjectRight.VIEW_ALL_RECORDS: "View All Records",
    ObjectRight.MODIFY_ALL_RECORDS: "Modify All Records",
    ObjectRight.VIEW_ALL_FIELDS: "View All Fields",
}


class FieldRight(enum.Enum):
    """One field permission flag; value = FieldPermissions field."""

    __hash__ = IDENTITY_HASH

    READ = "PermissionsRead"
    EDIT = "PermissionsEdit"

    @property
    def key(self) -> str:
        return self.name.lower()


class SetupEntityType(enum.StrEnum):
    """SetupEntityAccess.SetupEntityType values leastforce handles (a StrEnum: entities sort by type, name)."""

    APEX_CLASS = "ApexClass"
    APEX_PAGE = "ApexPage"
    CUSTOM_PERMISSION = "CustomPermission"
    CONNECTED_APP = "ConnectedApplication"
    EXTERNAL_CLIENT_APP = "ExternalClientApplication"
    EXTERNAL_CREDENTIAL_PRINCIPAL = "ExternalCredentialParameter"
    TAB = "TabSet"


@dataclass(frozen=True, order=True)
class SetupEntity:
    """Access to a setup entity (Apex class, custom permission, connected app ...), by name."""

    type: SetupEntityType
    name: str


@dataclass(frozen=True)
class PermissionSet:
    """A PermissionSet record with its permission rows (also used for profile-owned sets).

    ``objects`` maps object API name -> granted rights; ``fields`` maps ``Object.Field`` -> rights.
    Only granted rights are stored: an absent key means no access.
    """

    name: str
    label: str = ""
    id: str = ""
    description: str = ""
    license: str = ""  # user license or permission set license name; "" for none
    namespace: str = ""
    is_owned_by_profile: bool = False
    profile_name: str = ""  # when owned by a profile
    is_custom: bool = True
    user_permissions: frozenset[str] = frozenset()
    objects: Mapping[str, frozenset[ObjectRight]] = field(default_factory=frozen_map)
    fields: Mapping[str, frozenset[FieldRight]] = field(default_factory=frozen_map)
    setup_entities: frozenset[SetupEntity] = frozenset()

    @property
    def full_name(self) -> str:
        """``ns__Name`` for packaged sets, as metadata and PermissionSetGroup refer to them."""
        return f"{self.namespace}__{self.name}" if self.namespace else self.name

    def with_changes(self, **changes: object) -> PermissionSet:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class MutingPermissionSet:
    """Permissions muted inside one PermissionSetGroup; a flag set here means *muted*."""

    name: str
    id: str = ""
    label: str = ""
    user_permissions: frozenset[str] = frozenset()
    objects: Mapping[str, frozenset[ObjectRight]] = field(default_factory=frozen_map)
    fields: Mapping[str, frozenset[FieldRight]] = field(default_factory=frozen_map)


@dataclass(frozen=True)
class PermissionSetGroup:
    """A group of permission sets; its muting set only mutes inside the group."""

    name: str
    id: str = ""
    label: str = ""
    status: str = "Updated"
    permission_set_ids: tuple[str, ...] = ()
    muting: MutingPermissionSet | None = None


@dataclass(frozen=True)
class Profile:
    """A profile; its permissions live on ``permission_set`` (IsOwnedByProfile = true)."""

    name: str
    id: str = ""
    user_license: str = ""
    is_custom: bool = False
    permission_set_id: str = ""
    login_ip_ranges: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class User:
    """A User record, with the names of its profile and license resolved."""

    username: str
    id: str = ""
    name: str = ""
    email: str = ""
    is_active: bool = True
    is_frozen: bool = False
    profile_id: str = ""
    profile_name: str = ""
    user_license: str = ""
    user_type: str = "Standard"
    last_login: datetime | None = None
    last_password_change: datetime | None = None


@dataclass(frozen=True)
class Assignment:
    """A PermissionSetAssignment: of a permission set, or of a group (then ``group_id`` is set)."""

    user_id: str
    permission_set_id: str = ""
    group_id: str = ""
    id: str = ""
    expires: datetime | None = None

    def active_at(self, when: datetime) -> bool:
        """Expired assignments grant nothing (PermissionSetAssignment.ExpirationDate)."""
        return self.expires is None or self.expires > when


@dataclass(frozen=True)
class LicenseAssignment:
    """A PermissionSetLicenseAssign row: a permission set license given to a user."""

    user_id: str
    license_name: str  # PermissionSetLicense.MasterLabel, e.g. "Salesforce API Integration"
    license_developer_name: str = ""
    id: str = ""


@dataclass(frozen=True)
class OAuthToken:
    """An OauthToken row: a connected app the user has authorised."""

    user_id: str
    app_name: str
    id: str = ""
    created: datetime | None = None
    last_used: datetime | None = None
    use_count: int = 0


LOGIN_DAYS = 30  # the logins a snapshot summarises: the last 30 days of LoginHistory
LOGINS_NOT_READ = "not in this snapshot"


@dataclass(frozen=True)
class LoginSummary:
    """Successful logins of one user in the last LOGIN_DAYS days with one login type, application and
    browser: a LoginHistory group (``count`` rows, the latest at ``last_login``)."""

    user_id: str
    login_type: str  # LoginHistory.LoginType, e.g. "Application", "Remote Access 2.0"
    application: str = ""
    browser: str = ""
    count: int = 0
    last_login: datetime | None = None


@dataclass(frozen=True)
class OrgSnapshot:
    """Everything needed to resolve access for some or all users of an org, as read at ``taken_at``.

    ``permission_sets`` is keyed by Id and holds profile-owned and group-owned sets as well.
    A partial snapshot (e.g. for one user) holds just the rows that user's access depends on.
    """

    taken_at: datetime
    instance_url: str = ""
    org_id: str = ""
    users: Mapping[str, User] = field(default_factory=frozen_map)
    profiles: Mapping[str, Profile] = field(default_factory=frozen_map)
    permission_sets: Mapping[str, PermissionSet] = field(default_factory=frozen_map)
    groups: Mapping[str, PermissionSetGroup] = field(default_factory=frozen_map)
    assignments: tuple[Assignment, ...] = ()
    license_assignments: tuple[LicenseAssignment, ...] = ()
    oauth_tokens: tuple[OAuthToken, ...] = ()
    logins: tuple[LoginSummary, ...] = ()
    # Why ``logins`` is empty for want of reading LoginHistory; "" when it was read (then a user without
    # a summary had no successful login in LOGIN_DAYS days).
    logins_unread: str = LOGINS_NOT_READ
    available_permissions: frozenset[str] = frozenset()  # from describe; empty = unknown
    # The sets whose FieldPermissions were read; None: every set's. Audit reads field rows only for its
    # integration users' sets, so any other set's field-level access is unknown, not empty.
    field_rows_of: frozenset[str] | None = None

    def user_by_username(self, username: str) -> User | None:
        wanted = username.lower()
        return next((u for u in self.users.values() if u.username.lower() == wanted), None)

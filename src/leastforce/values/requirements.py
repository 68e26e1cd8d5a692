"""What an integration needs, as values: the manifest's requirement atoms after loading.

The manifest loader turns YAML into these; build, guide, verify, plan and audit consume them through the
registry of requirement kinds (``leastforce.kinds``: one module per kind with its description, risk,
contribution to the desired setup, verify check and fix). Every atom carries ``why`` (the vendor's reason)
and ``position`` (where it was declared).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

from leastforce.errors import Position
from leastforce.values.model import FieldRight, ObjectRight, SetupEntity

_NOWHERE = Position("<manifest>")


class Source(enum.Enum):
    """Where a right must come from (the manifest's ``from:``): anywhere, the profile, a permission set."""

    ANY = "any"
    PROFILE = "profile"
    PERMISSION_SET = "permission_set"

    @property
    def words(self) -> str:
        return {"any": "anywhere", "profile": "the profile", "permission_set": "a permission set"}[self.value]


@dataclass(frozen=True)
class Atom:
    """Base of every requirement atom. ``source``: where the right must come from (``from:``)."""

    why: str = field(default="", kw_only=True)
    position: Position = field(default=_NOWHERE, kw_only=True, compare=False)
    source: Source = field(default=Source.ANY, kw_only=True)


@dataclass(frozen=True)
class PermissionReq(Atom):
    """A user (system/app) permission by API name, e.g. ApiEnabled."""

    name: str


@dataclass(frozen=True)
class ObjectReq(Atom):
    """Object permissions; ``rights`` as declared (closure is applied by build/verify)."""

    object: str
    rights: frozenset[ObjectRight]
    fields: tuple[str, ...] = ()  # field API names (without the object) that must be readable


@dataclass(frozen=True)
class FieldReq(Atom):
    """Field-level security on one field, ``Object.Field``."""

    field_name: str
    rights: frozenset[FieldRight]

    @property
    def object(self) -> str:
        return self.field_name.split(".", 1)[0]


@dataclass(frozen=True)
class SetupEntityReq(Atom):
    """Access to an Apex class, custom permission, connected app or external credential principal."""

    entity: SetupEntity


@dataclass(frozen=True)
class ProfileReq(Atom):
    """The user must have this profile (seed 003's easy way: System Administrator)."""

    name: str


@dataclass(frozen=True)
class LicenseReq(Atom):
    """The user's license must be one of ``allowed`` (if any) and none of ``forbidden``."""

    allowed: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()


@dataclass(frozen=True)
class PermissionSetLicenseReq(Atom):
    """A permission set license (PermissionSetLicense.MasterLabel) assigned to the user."""

    name: str


@dataclass(frozen=True)
class PackagePermissionSetReq(Atom):
    """An existing permission set (usually from a managed package), assigned to the user, by label or name."""

    name: str


class UserState(enum.Enum):
    ACTIVE = "active"
    NOT_FROZEN = "not_frozen"


@dataclass(frozen=True)
class UserStateReq(Atom):
    """The user must be active / not frozen: verify checks it for every user (no manifest key)."""

    state: UserState

    def __str__(self) -> str:
        return "user is active" if self.state is UserState.ACTIVE else "user is not frozen"


@dataclass(frozen=True)
class UserPermissionStateReq(Atom):
    """A user-level permission the user must hold (``wanted``) or must NOT hold, from any source:
    ``user.api_only`` (ApiUserOnly) and ``user.password_never_expires`` (PasswordNeverExpires), tri-state."""

    name: str
    wanted: bool


class SessionSecurityLevel(enum.Enum):
    """Profile > Session Settings > Session Security Level Required at Login (Metadata API
    ProfileSessionSetting.requiredSessionLevel: STANDARD, HIGH_ASSURANCE; none = not set).
    https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_profilesessionsetting.htm"""

    NONE = "none"
    STANDARD = "standard"
    HIGH_ASSURANCE = "high_assurance"


@dataclass(frozen=True)
class ProfileSessionReq(Atom):
    """A setting of the user's profile's Session Settings (``user.session``): ``setting`` is
    ``security_level`` or ``timeout_minutes``, ``value`` its wanted value as text."""

    setting: str
    value: str


@dataclass(frozen=True)
class AllOf(Atom):
    """Every item must hold."""

    items: tuple[Requirement, ...]


@dataclass(frozen=True)
class AnyOf(Atom):
    """At least one item must hold; build picks the least risky one."""

    items: tuple[Requirement, ...]


@dataclass(frozen=True)
class NotReq(Atom):
    """The item must NOT hold: a vendor's "must not have X" (``not:``). It grants nothing."""

    item: Requirement


Requirement = (
    PermissionReq
    | ObjectReq
    | FieldReq
    | SetupEntityReq
    | ProfileReq
    | LicenseReq
    | PermissionSetLicenseReq
    | PackagePermissionSetReq
    | UserStateReq
    | UserPermissionStateReq
    | ProfileSessionReq
    | NotReq
    | AllOf
    | AnyOf
)


def walk(requirements: tuple[Requirement, ...]) -> Iterator[Requirement]:
    """Every requirement, depth first, combinators included; not into a ``not:`` (what it names is refused,
    not asked for)."""
    for req in requirements:
        yield req
        if isinstance(req, AllOf | AnyOf):
            yield from walk(req.items)

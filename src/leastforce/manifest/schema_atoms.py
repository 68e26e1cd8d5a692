"""Requirement atoms' YAML shape (pydantic models) and the value types the manifest schema shares.

Models are strict (YAML 1.2 already types every scalar: ``yes`` is text, ``1`` a number) and forbid
unknown keys. An atom is recognised by its kind key (``permission``, ``object`` ...), see ``atom_kind``:
a tagged union whose tags (``atom:permission``) show in pydantic error locations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Protocol

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag
from pydantic_core import PydanticCustomError

from leastforce.errors import Position
from leastforce.values.model import FieldRight, ObjectRight, SetupEntity, SetupEntityType
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
    Requirement,
    SetupEntityReq,
    Source,
)

# Salesforce API names: a letter, then letters, digits and single underscores, not ending in "_"
# (https://help.salesforce.com/s/articleView?id=platform.custom_field_names.htm); "ns__" prefixes
# and "__c" suffixes allowed for packaged and custom items.
API_NAME = r"^([A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*__)?[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*(__[A-Za-z]+)?$"
FIELD_NAME = API_NAME[:-1] + r"\." + API_NAME[1:]
FEATURE_NAME = r"^[a-z][a-z0-9_-]*$"
SCHEMA_ID = (
    "https://leastforce.dev/schema/manifest-1.schema.json"  # UNVERIFIED host: a stable name, not fetched
)

Text = Annotated[str, Field(min_length=1, pattern=r"\S")]
Why = Annotated[
    str, Field(min_length=1, pattern=r"\S", description="The vendor's reason, shown in every guide.")
]
ApiName = Annotated[str, Field(pattern=API_NAME)]
FieldName = Annotated[str, Field(pattern=FIELD_NAME, description="Object.Field, e.g. Contact.Email")]
ACCESS_KEYS = tuple(r.key for r in ObjectRight)


def _listify(value: Any) -> Any:
    """A single name where a list is allowed: ``license: Salesforce`` == ``license: [Salesforce]``."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise PydanticCustomError("names_type", "expected a name or a list of names")
    return value


def _check_access(value: str) -> str:
    ObjectRight.parse(value)  # ValueError -> a pydantic error at this item
    return value


From = Annotated[
    Literal["profile", "permission_set"] | None,
    Field(
        alias="from",
        description=(
            "Where the right must come from: the profile (leastforce's profile clone carries it) or a"
            " permission set; anywhere when left out."
        ),
    ),
]


def _source(value: str | None) -> Source:
    return Source(value) if value else Source.ANY


Names = Annotated[list[Text], BeforeValidator(_listify, json_schema_input_type=Text | list[Text])]
ObjectAccess = Annotated[
    str,
    BeforeValidator(lambda v: _check_access(v) if isinstance(v, str) else v),
    Field(description="read, create, edit, delete, view_all_records, modify_all_records, view_all_fields"),
    Field(json_schema_extra={"examples": list(ACCESS_KEYS)}),
]


class Strict(BaseModel):
    """Base: strict types, unknown keys forbidden, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class AtomScope(Protocol):
    """What an atom needs to become a requirement value: where it is, and its file's conventions."""

    position: Position

    def api_permission(self, text: str, key: str) -> str:
        """A permission as written (API name or label) at ``key`` -> its API name."""
        ...

    def nested(self, atoms: list[Any], key: str) -> tuple[Requirement, ...]:
        """The atoms listed under ``key`` (``all:``, ``any:``) as requirement values."""
        ...

    def nested_one(self, atom: Any, key: str) -> Requirement:
        """The one atom under ``key`` (``not:``) as a requirement value."""
        ...


class AtomModel(Strict):
    """A requirement's YAML shape; ``to_requirement`` is its parsing (one method per kind)."""

    if TYPE_CHECKING:  # each model declares ``why`` last, so that the schema lists its own keys first
        why: str

    def to_requirement(self, scope: AtomScope) -> Requirement:
        raise NotImplementedError(type(self).__name__)


class EntityAtom(AtomModel):
    """Access to a setup entity named by the model's one kind key."""

    entity_type: ClassVar[SetupEntityType]
    entity_key: ClassVar[str]

    def to_requirement(self, scope: AtomScope) -> Requirement:
        entity = SetupEntity(self.entity_type, getattr(self, self.entity_key))
        source = _source(getattr(self, "from_", None))
        return SetupEntityReq(entity, why=self.why, position=scope.position, source=source)


class PermissionAtom(AtomModel):
    """A user (system/app) permission; API name preferred (ApiEnabled), a UI label is accepted."""

    permission: Text
    from_: From = None
    why: Why

    def to_requirement(self, scope: AtomScope) -> Requirement:
        name = scope.api_permission(self.permission, "permission")
        return PermissionReq(name, why=self.why, position=scope.position, source=_source(self.from_))


class ObjectAtom(AtomModel):
    """Object permissions on one object, plus fields that must be readable."""

    object: Annotated[str, Field(pattern=API_NAME)]
    access: Annotated[list[ObjectAccess], Field(min_length=1)]
    fields: list[Text] = []
    from_: From = None
    why: Why

    def to_requirement(self, scope: AtomScope) -> Requirement:
        rights = frozenset(ObjectRight.parse(a) for a in self.access)
        fields = tuple(f.removeprefix(self.object + ".") for f in self.fields)
        source = _source(self.from_)
        return ObjectReq(self.object, rights, fields, why=self.why, position=scope.position, source=source)


class FieldAtom(AtomModel):
    """Field-level security on one field."""

    field: FieldName
    access: Annotated[list[Literal["read", "edit"]], Field(min_length=1)]
    from_: From = None
    why: Why

    def to_requirement(self, scope: AtomScope) -> Requirement:
        rights = frozenset(FieldRight[a.upper()] for a in self.access)
        return FieldReq(self.field, rights, why=self.why, position=scope.position, source=_source(self.from_))


class ApexClassAtom(EntityAtom):
    apex_class: ApiName
    from_: From = None
    why: Why

    entity_type = SetupEntityType.APEX_CLASS
    entity_key = "apex_class"


class ApexPageAtom(EntityAtom):
    apex_page: ApiName
    from_: From = None
    why: Why

    entity_type = SetupEntityType.APEX_PAGE
    entity_key = "apex_page"


class CustomPermissionAtom(EntityAtom):
    custom_permission: ApiName
    from_: From = None
    why: Why

    entity_type = SetupEntityType.CUSTOM_PERMISSION
    entity_key = "custom_permission"


class ConnectedAppAtom(EntityAtom):
    connected_app: Text
    from_: From = None
    why: Why

    entity_type = SetupEntityType.CONNECTED_APP
    entity_key = "connected_app"


class ExternalClientAppAtom(EntityAtom):
    external_client_app: Text
    from_: From = None
    why: Why

    entity_type = SetupEntityType.EXTERNAL_CLIENT_APP
    entity_key = "external_client_app"


class ExternalCredentialPrincipalAtom(EntityAtom):
    """``Credential-Principal`` as in the permission set metadata."""

    external_credential_principal: Text
    from_: From = None
    why: Why

    entity_type = SetupEntityType.EXTERNAL_CREDENTIAL_PRINCIPAL
    entity_key = "external_credential_principal"


class ProfileAtom(AtomModel):
    profile: Text
    why: Why

    def to_requirement(self, scope: AtomScope) -> Requirement:
        return ProfileReq(self.profile, why=self.why, position=scope.position)


class LicenseAtom(AtomModel):
    """The user's license: one of ``license``, none of ``not_license``."""

    license: Names
    not_license: Names = []
    why: Why

    def to_requirement(self, scope: AtomScope) -> Requirement:
        return LicenseReq(tuple(self.license), tuple(self.not_license), why=self.why, position=scope.position)


class NotLicenseAtom(AtomModel):
    not_license: Names
    why: Why

    def to_requirement(self, scope: AtomScope) -> Requirement:
        return LicenseReq((), tuple(self.not_license), why=self.why, position=scope.position)


class PermissionSetLicenseAtom(AtomModel):
    permission_set_license: Text
    why: Why

    def to_requirement(self, scope: AtomScope) -> Requirement:
        return PermissionSetLicenseReq(self.permission_set_license, why=self.why, position=scope.position)


class PackagePermissionSetAtom(AtomModel):
    package_permission_set: Text
    why: Why

    def to_requirement(self, scope: AtomScope) -> Requirement:
        return PackagePermissionSetReq(self.package_permission_set, why=self.why, position=scope.position)


class AllAtom(AtomModel):
    """Every item must hold."""

    all: Annotated[list[Atom], Field(min_length=1)]
    why: Why

    def to_requirement(self, scope: AtomScope) -> Requirement:
        return AllOf(scope.nested(self.all, "all"), why=self.why, position=scope.position)


class AnyAtom(AtomModel):
    """At least one item must hold; build picks the least risky one."""

    any: Annotated[list[Atom], Field(min_length=1)]
    why: Why

    def to_requirement(self, scope: AtomScope) -> Requirement:
        return AnyOf(scope.nested(self.any, "any"), why=self.why, position=scope.position)


class NotAtom(AtomModel):
    """The item must NOT hold (the user must not have it); verify checks it, build grants nothing."""

    negated: Atom = Field(alias="not")
    why: Why

    def to_requirement(self, scope: AtomScope) -> Requirement:
        return NotReq(scope.nested_one(self.negated, "not"), why=self.why, position=scope.position)


# kind key -> model, in the order the kind is recognised (license before not_license).
ATOM_MODELS: dict[str, type[AtomModel]] = {
    "permission": PermissionAtom,
    "object": ObjectAtom,
    "field": FieldAtom,
    "apex_class": ApexClassAtom,
    "apex_page": ApexPageAtom,
    "custom_permission": CustomPermissionAtom,
    "connected_app": ConnectedAppAtom,
    "external_client_app": ExternalClientAppAtom,
    "external_credential_principal": ExternalCredentialPrincipalAtom,
    "profile": ProfileAtom,
    "license": LicenseAtom,
    "not_license": NotLicenseAtom,
    "permission_set_license": PermissionSetLicenseAtom,
    "package_permission_set": PackagePermissionSetAtom,
    "all": AllAtom,
    "any": AnyAtom,
    "not": NotAtom,
}
ATOM_TAG = "atom:"  # tags show up in pydantic error locations; the prefix tells them from YAML keys


def atom_kind(value: Any) -> str | None:
    """The union tag for a raw atom (its first kind key) or a model; None when it has none."""
    if isinstance(value, dict):
        return next((ATOM_TAG + k for k in ATOM_MODELS if k in value), None)
    for key, model in ATOM_MODELS.items():
        if isinstance(value, model):
            return ATOM_TAG + key
    return None


ATOM_ERROR = "a requirement needs one of the keys: " + ", ".join(ATOM_MODELS)
Atom = Annotated[
    Annotated[PermissionAtom, Tag("atom:permission")]
    | Annotated[ObjectAtom, Tag("atom:object")]
    | Annotated[FieldAtom, Tag("atom:field")]
    | Annotated[ApexClassAtom, Tag("atom:apex_class")]
    | Annotated[ApexPageAtom, Tag("atom:apex_page")]
    | Annotated[CustomPermissionAtom, Tag("atom:custom_permission")]
    | Annotated[ConnectedAppAtom, Tag("atom:connected_app")]
    | Annotated[ExternalClientAppAtom, Tag("atom:external_client_app")]
    | Annotated[ExternalCredentialPrincipalAtom, Tag("atom:external_credential_principal")]
    | Annotated[ProfileAtom, Tag("atom:profile")]
    | Annotated[LicenseAtom, Tag("atom:license")]
    | Annotated[NotLicenseAtom, Tag("atom:not_license")]
    | Annotated[PermissionSetLicenseAtom, Tag("atom:permission_set_license")]
    | Annotated[PackagePermissionSetAtom, Tag("atom:package_permission_set")]
    | Annotated[AllAtom, Tag("atom:all")]
    | Annotated[AnyAtom, Tag("atom:any")]
    | Annotated[NotAtom, Tag("atom:not")],
    Discriminator(atom_kind, custom_error_type="atom_kind", custom_error_message=ATOM_ERROR),
]
Requires = Annotated[list[Atom], Field(min_length=1)]

for _model in (AllAtom, AnyAtom):
    _model.model_rebuild()

"""Requirement atoms' YAML shape (pydantic models) and the value types the manifest schema shares.

Models are strict (YAML 1.2 already types every scalar: ``yes`` is text, ``1`` a number) and forbid
unknown keys. An atom is recognised by its kind key (``permission``, ``object`` ...), see ``atom_kind``:
a tagged union whose tags (``atom:permission``) show in pydantic error locations.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag
from pydantic_core import PydanticCustomError

from leastforce.values.model import ObjectRight

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


class PermissionAtom(Strict):
    """A user (system/app) permission; API name preferred (ApiEnabled), a UI label is accepted."""

    permission: Text
    why: Why


class ObjectAtom(Strict):
    """Object permissions on one object, plus fields that must be readable."""

    object: Annotated[str, Field(pattern=API_NAME)]
    access: Annotated[list[ObjectAccess], Field(min_length=1)]
    fields: list[Text] = []
    why: Why


class FieldAtom(Strict):
    """Field-level security on one field."""

    field: FieldName
    access: Annotated[list[Literal["read", "edit"]], Field(min_length=1)]
    why: Why


class ApexClassAtom(Strict):
    apex_class: ApiName
    why: Why


class ApexPageAtom(Strict):
    apex_page: ApiName
    why: Why


class CustomPermissionAtom(Strict):
    custom_permission: ApiName
    why: Why


class ConnectedAppAtom(Strict):
    connected_app: Text
    why: Why


class ExternalClientAppAtom(Strict):
    external_client_app: Text
    why: Why


class ExternalCredentialPrincipalAtom(Strict):
    """``Credential-Principal`` as in the permission set metadata."""

    external_credential_principal: Text
    why: Why


class ProfileAtom(Strict):
    profile: Text
    why: Why


class LicenseAtom(Strict):
    """The user's license: one of ``license``, none of ``not_license``."""

    license: Names
    not_license: Names = []
    why: Why


class NotLicenseAtom(Strict):
    not_license: Names
    why: Why


class PermissionSetLicenseAtom(Strict):
    permission_set_license: Text
    why: Why


class PackagePermissionSetAtom(Strict):
    package_permission_set: Text
    why: Why


class AllAtom(Strict):
    """Every item must hold."""

    all: Annotated[list[Atom], Field(min_length=1)]
    why: Why


class AnyAtom(Strict):
    """At least one item must hold; build picks the least risky one."""

    any: Annotated[list[Atom], Field(min_length=1)]
    why: Why


# kind key -> model, in the order the kind is recognised (license before not_license).
ATOM_MODELS: dict[str, type[Strict]] = {
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
    | Annotated[AnyAtom, Tag("atom:any")],
    Discriminator(atom_kind, custom_error_type="atom_kind", custom_error_message=ATOM_ERROR),
]
Requires = Annotated[list[Atom], Field(min_length=1)]

for _model in (AllAtom, AnyAtom):
    _model.model_rebuild()

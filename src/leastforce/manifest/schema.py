"""The manifest's YAML shape (format 1) as pydantic models: the edge between YAML and values.

The loader validates the YAML tree with ``ManifestDoc`` and maps any error back to a file:line:col;
the JSON Schema (``leastforce.manifest.jsonschema``) is generated from the same models, with the
attribute docstrings below as descriptions (editors show them on hover). Atoms live in ``schema_atoms``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field

from leastforce.manifest.schema_apps import AppDoc
from leastforce.manifest.schema_atoms import (
    API_NAME,
    ATOM_ERROR,
    ATOM_MODELS,
    ATOM_TAG,
    FEATURE_NAME,
    FIELD_NAME,
    AllAtom,
    AnyAtom,
    ApexClassAtom,
    ApexPageAtom,
    ApiName,
    AtomModel,
    ConnectedAppAtom,
    CustomPermissionAtom,
    ExternalClientAppAtom,
    ExternalCredentialPrincipalAtom,
    FieldAtom,
    LicenseAtom,
    Names,
    NotLicenseAtom,
    ObjectAtom,
    PackagePermissionSetAtom,
    PermissionAtom,
    PermissionSetLicenseAtom,
    ProfileAtom,
    Requires,
    Strict,
    Text,
    Why,
    atom_kind,
)
from leastforce.manifest.schema_packages import PackageDoc
from leastforce.manifest.schema_prereqs import PrerequisiteDoc

SCHEMA_ID = "https://leastforce.dev/schema/manifest-1.schema.json"  # a stable name; nothing fetches it


def _profile_form(value: Any) -> Any:
    """``profile: System Administrator`` == ``profile: {name: System Administrator}``."""
    return {"name": value} if isinstance(value, str) else value


class Documented(Strict):
    """Base of the document models: attribute docstrings become JSON Schema descriptions."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, use_attribute_docstrings=True)


class ProfileDoc(Documented):
    """A profile: an existing one by name, or a clone of ``based_on`` called ``name``."""

    name: Text
    """The profile's name (a new one when based_on is given)."""
    based_on: Text | None = None
    """The profile to clone, e.g. Minimum Access - Salesforce."""


class UserDoc(Documented):
    """The integration user the vendor logs in as."""

    license: Names = []
    """Allowed user license(s): the user must have one, e.g. Salesforce Integration."""
    not_license: Names = []
    """User license(s) that will not work for this integration."""
    profile: Annotated[
        ProfileDoc | None, BeforeValidator(_profile_form, json_schema_input_type=Text | ProfileDoc | None)
    ] = None
    """An existing profile by name, or {name, based_on} for a clone leastforce creates."""
    permission_set_licenses: Names = []
    """Permission set licenses assigned to the user before its permission sets."""
    api_only: bool | None = None
    """true: API only (API Only User), never the UI; false: must NOT be API only (interactive OAuth
    login); leave out when the guide does not say."""
    password_never_expires: bool | None = None
    """true: Password Never Expires must be on; false: must be off; leave out when the guide does not say."""
    username: str = ""
    """A suggested username."""
    session: SessionDoc | None = None
    """The profile's Session Settings the integration needs."""


class SessionDoc(Documented):
    """The user's profile's Session Settings (Setup > Profiles > profile > Session Settings)."""

    security_level: Literal["none", "standard", "high_assurance"] | None = None
    """Session Security Level Required at Login: none, standard or high_assurance."""
    timeout_minutes: Literal[15, 30, 60, 120, 240, 480, 720, 1440] | None = None
    """Session Times Out After, in minutes."""
    why: str = ""
    """The vendor's reason."""


class PermissionSetDoc(Documented):
    """A permission set leastforce creates; ``features`` it carries (none listed = all unclaimed)."""

    name: ApiName
    """API name (DeveloperName), e.g. Upflow_Permissions."""
    label: Text | None = None
    """Label shown in Setup; default: the name with spaces."""
    description: str = ""
    """Description shown in Setup."""
    license: Text | None = None
    """A user license or permission set license; leave out for none."""
    features: list[Annotated[str, Field(pattern=FEATURE_NAME)]] = []
    """Features whose requirements go in this set; none = every feature no other set claims."""


class FeatureDoc(Documented):
    """Something the integration does, and what it needs for it."""

    summary: Text
    """What the feature does, in one sentence."""
    optional: bool = False
    """Opted into (e.g. build --feature NAME); required features are always included."""
    requires: Requires
    """The requirements, each with its why."""


class RoleDoc(Documented):
    """Another person the integration relies on (an admin who authenticates first ...)."""

    summary: Text
    """Who this is."""
    requires: Requires
    """What they need, each with its why."""


class CredentialDoc(Documented):
    """A named / external credential the integration authenticates through."""

    external_credential: ApiName
    """The External Credential's API name."""
    principal: Text | None = None
    """The principal's name."""
    token_lifetime_days: Annotated[int, Field(ge=1)] | None = None
    """Days until the stored token expires."""
    renew: str = ""
    """Who renews the token, and how."""
    why: Why


class TroubleshootingDoc(Documented):
    """An error the vendor's guide explains."""

    error: Text
    """The message or error code the user sees."""
    cause: str = ""
    """Why it happens."""
    fix: Text
    """What to do."""


FeatureKey = Annotated[str, Field(pattern=FEATURE_NAME)]


class ManifestDoc(Documented):
    """A leastforce manifest: what an integration user needs, feature by feature, and why."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        use_attribute_docstrings=True,
        title="leastforce manifest",
        json_schema_extra={"$schema": "http://json-schema.org/draft-07/schema#", "$id": SCHEMA_ID},
    )

    manifest: Literal[1]
    """The format version; always 1."""
    integration: Text
    """The product's name."""
    summary: Text
    """What the integration does with Salesforce, in a sentence or two."""
    docs: str = ""
    """The vendor's own setup guide (URL)."""
    user: UserDoc = UserDoc()
    """The integration user."""
    permission_sets: list[PermissionSetDoc] = []
    """Permission sets leastforce creates to carry the features' requirements."""
    features: Annotated[dict[FeatureKey, FeatureDoc], Field(min_length=1)]
    """What the integration does, by feature name (lower case)."""
    roles: dict[FeatureKey, RoleDoc] = {}
    """Other people the integration relies on, by role name."""
    credentials: list[CredentialDoc] = []
    """Named / external credentials and their tokens."""
    troubleshooting: list[TroubleshootingDoc] = []
    """Errors the guide explains, with cause and fix."""
    prerequisites: list[PrerequisiteDoc] = []
    """Org state the integration needs (edition, org settings, field history, apps, API capacity), each with why."""
    packages: list[PackageDoc] = []
    """Managed packages the integration needs installed, with their minimum version and what they provide."""
    app: AppDoc | None = None
    """The integration's OAuth app (connected app or External Client App), its flow and policies."""


ManifestDoc.model_rebuild()


__all__ = [
    "API_NAME",
    "ATOM_ERROR",
    "ATOM_MODELS",
    "ATOM_TAG",
    "FIELD_NAME",
    "AllAtom",
    "AnyAtom",
    "ApexClassAtom",
    "ApexPageAtom",
    "AtomModel",
    "ConnectedAppAtom",
    "CustomPermissionAtom",
    "ExternalClientAppAtom",
    "ExternalCredentialPrincipalAtom",
    "FieldAtom",
    "LicenseAtom",
    "ManifestDoc",
    "NotLicenseAtom",
    "ObjectAtom",
    "PackagePermissionSetAtom",
    "PermissionAtom",
    "PermissionSetLicenseAtom",
    "ProfileAtom",
    "Strict",
    "atom_kind",
]

"""The emulated org's sObject definitions, loaded from ``data/sobjects.json`` (a trimmed v64.0 describe).

``Permissions<Name>`` booleans (PermissionSet, Profile, MutingPermissionSet) and
``MaximumPermissions<Name>`` (PermissionSetLicense) are stored once in the data file and expanded here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

from leastforce.emulator.store.ids import key_prefix

# Fields every record carries that the store fills in itself.
AUDIT_FIELDS = ("CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp")
# Objects exposed only through the Tooling API.
TOOLING_ONLY = frozenset(
    {
        "PermissionDependency",
        "SecurityHealthCheck",
        "SecuritySettings",
        "SourceMember",
        "InstalledSubscriberPackage",
        "SubscriberPackage",
        "SubscriberPackageVersion",
    }
)


@dataclass(frozen=True)
class FieldDef:
    """One field as describe shows it; ``reference_to`` / ``relationship_name`` for lookups."""

    name: str
    label: str
    type: str
    nillable: bool
    createable: bool
    updateable: bool
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    permissionable: bool = False
    external_id: bool = False  # a custom field with the External ID attribute
    filterable: bool = True  # may appear in WHERE (the object reference's "Filter" property)

    @property
    def id_lookup(self) -> bool:
        """Whether the field can identify a record (describe's ``idLookup``); upsert keys are these and
        External IDs (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_upsert.htm)."""
        return self.name in ("Id", "Username") or self.external_id


@dataclass(frozen=True)
class ChildRelationship:
    child_sobject: str
    field: str
    relationship_name: str | None


@dataclass(frozen=True, eq=False)
class SObjectDef:
    """One sObject: its fields by exact name, its child relationships and whether it is a setup object
    (setup and non-setup objects cannot be mixed in one DML call)."""

    name: str
    label: str
    fields: Mapping[str, FieldDef]
    children: tuple[ChildRelationship, ...]
    setup: bool
    tooling_only: bool = False

    @property
    def key_prefix(self) -> str:
        return key_prefix(self.name)

    def field(self, name: str) -> FieldDef | None:
        """The field named ``name`` in any case."""
        return self.fields.get(name) or self._lower().get(name.lower())

    def _lower(self) -> dict[str, FieldDef]:
        return _lower_index(self)

    @property
    def permission_names(self) -> tuple[str, ...]:
        """User permission names with a ``Permissions<Name>`` field on this object."""
        return tuple(f.name[11:] for f in self.fields.values() if _is_perm_field(self.name, f.name))


def _is_perm_field(sobject: str, field: str) -> bool:
    return sobject in PERMISSION_HOLDERS and field.startswith("Permissions")


PERMISSION_HOLDERS = frozenset({"PermissionSet", "Profile", "MutingPermissionSet"})

# Fields the object reference lists without the "Filter" property. LoginHistory: "Not all fields are
# filterable. You can only filter on the following fields: AuthenticationServiceId, CipherSuite, CountryIso,
# Id, LoginTime, LoginType, LoginUrl, NetworkId, TlsProtocol, UserId"
# (https://developer.salesforce.com/docs/atlas.en-us.210.0.object_reference.meta/object_reference/sforce_api_objects_loginhistory.htm);
# the current page still gives ApiType, ApiVersion, Application and Browser no "Filter". Fields added
# after that list (AuthMethodReference, LoginSubType, ForwardedForIp, OptionsIsGet ...) stay filterable.
NOT_FILTERABLE: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "LoginHistory": frozenset(
            {
                "ApiType",
                "ApiVersion",
                "Application",
                "Browser",
                "ClientVersion",
                "Platform",
                "SourceIp",
                "Status",
            }
        )
    }
)


@cache
def _lower_index(sobject: SObjectDef) -> dict[str, FieldDef]:
    return {name.lower(): f for name, f in sobject.fields.items()}


@dataclass(frozen=True, eq=False)
class Schema:
    """Every sObject of the emulated org, by name; ``permissions`` maps user permission name -> label."""

    api_version: str
    sobjects: Mapping[str, SObjectDef]
    permissions: Mapping[str, str]

    def get(self, name: str) -> SObjectDef | None:
        """The sObject named ``name`` in any case."""
        found = self.sobjects.get(name)
        if found is None:
            for key, value in self.sobjects.items():
                if key.lower() == name.lower():
                    return value
        return found


@cache
def load_schema() -> Schema:
    """The bundled schema (parsed once)."""
    raw = json.loads(
        resources.files("leastforce.emulator.store").joinpath("data/sobjects.json").read_text("utf-8")
    )
    permissions = {name: label for name, label in raw["permissions"]}
    sobjects = {name: _sobject(name, spec, permissions) for name, spec in raw["sobjects"].items()}
    # The objects audit tools read (SetupAuditTrail, VerificationHistory, Tooling's SecurityHealthCheck ...).
    audit = json.loads(
        resources.files("leastforce.emulator.store").joinpath("data/audit_sobjects.json").read_text("utf-8")
    )
    sobjects.update({name: _sobject(name, spec, permissions) for name, spec in audit["sobjects"].items()})
    sobjects.update(_catalog_objects(set(sobjects)))
    return Schema(raw["api_version"], MappingProxyType(sobjects), MappingProxyType(permissions))


def _sobject(name: str, spec: dict, permissions: dict[str, str]) -> SObjectDef:  # type: ignore[type-arg]
    permissionable = set(spec.get("permissionable", ()))
    unfiltered = NOT_FILTERABLE.get(name, frozenset())
    fields: dict[str, FieldDef] = {}
    for row in spec["fields"]:
        refs = tuple(row[6]) if len(row) > 6 else ()
        rel = row[7] if len(row) > 7 else None
        fields[row[0]] = FieldDef(
            row[0],
            row[1],
            row[2],
            bool(row[3]),
            bool(row[4]),
            bool(row[5]),
            refs,
            rel,
            row[0] in permissionable,
            filterable=row[0] not in unfiltered,
        )
    prefix = spec.get("permission_fields")
    if prefix:
        # PSL maxima are read-only; Profile and PermissionSet permissions are createable and updateable, as in
        # a v64.0 describe (/work/shared/reference/sobject-fields-v64.json: Profile.PermissionsApiEnabled
        # createable true) and the object reference's Profile create() call.
        updateable = prefix == "Permissions"
        createable = updateable
        for perm, label in permissions.items():
            field = prefix + perm
            fields[field] = FieldDef(field, label, "boolean", False, createable, updateable)
    children = tuple(ChildRelationship(c, f, r) for c, f, r in spec.get("children", ()))
    return SObjectDef(
        name,
        spec["label"],
        MappingProxyType(fields),
        children,
        bool(spec.get("setup")),
        bool(spec.get("tooling_only")),
    )


def _catalog_objects(known: set[str]) -> dict[str, SObjectDef]:
    """Standard objects the catalog documents beyond the v64 describe (Incident, Image ...), so that an
    org can hold their object and field permissions like a current org does."""
    from leastforce.catalog import load_catalog

    out = {}
    for obj in load_catalog().objects.values():
        if obj.name in known or obj.name == "User":
            continue
        fields = {
            f.name: FieldDef(
                f.name,
                f.label,
                f.type,
                f.nillable,
                f.permissionable,
                f.permissionable,
                ("User",) if f.name in ("OwnerId", "CreatedById", "LastModifiedById") else (),
                None,
                f.permissionable,
            )
            for f in obj.fields.values()
        }
        out[obj.name] = SObjectDef(obj.name, obj.label, MappingProxyType(fields), (), False, False)
    return out

"""Managed packages in the emulated org (``leastforce emulator serve --install``, POST /_emulator/packages).

Installing a package (a ``values.packages.PackageSpec``, plain data: the emulator never reads manifests)
does what Salesforce's install shows through the API:

- an ``InstalledSubscriberPackage`` row (Tooling API) with its ``SubscriberPackage`` (Name,
  NamespacePrefix) and ``SubscriberPackageVersion`` (MajorVersion, MinorVersion, PatchVersion), the fields
  the documented sample query reads:
  https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_installedsubscriberpackage.htm
  https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_subscriberpackage.htm
- its custom objects and fields in describe and SOQL (fields on standard objects too);
- its permission sets, with ``NamespacePrefix``: managed, so they can be assigned but not edited
  (rules.perms.managed_set);
- its Apex classes and custom permissions (``NamespacePrefix`` + name), and its connected app.
The installed version is the declared minimum. Installs are kept in the state directory (``_meta``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, replace
from types import MappingProxyType
from typing import Any

from leastforce.emulator.store import app_policy, auth
from leastforce.emulator.store.schema import FieldDef, Schema, SObjectDef
from leastforce.emulator.store.txn import Txn
from leastforce.values.packages import PackageObject, PackagePermissionSetDef, PackageSpec

META_KEY = "installed_packages"
_AUDIT = ("CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp")


def _field(name: str, label: str, kind: str = "string", **more: Any) -> FieldDef:
    return FieldDef(name, label, kind, True, False, False, **more)


def _audit() -> dict[str, FieldDef]:
    out = {n: _field(n, n, "datetime") for n in ("CreatedDate", "LastModifiedDate", "SystemModstamp")}
    out |= {n: _field(n, n, "reference", reference_to=("User",)) for n in ("CreatedById", "LastModifiedById")}
    return out


def _tooling(name: str, label: str, fields: list[FieldDef]) -> SObjectDef:
    every = {"Id": FieldDef("Id", f"{label} ID", "id", False, False, False)}
    every |= {f.name: f for f in fields} | _audit()
    return SObjectDef(name, label, MappingProxyType(every), (), True, True)


def tooling_objects() -> dict[str, SObjectDef]:
    """InstalledSubscriberPackage and the two objects its relationships reach (Tooling API only)."""
    return {
        "SubscriberPackage": _tooling(
            "SubscriberPackage",
            "Subscriber Package",
            [
                _field("Name", "Name"),
                _field("NamespacePrefix", "Namespace Prefix"),
                _field("Description", "Description"),
            ],
        ),
        "SubscriberPackageVersion": _tooling(
            "SubscriberPackageVersion",
            "Subscriber Package Version",
            [
                _field("Name", "Name"),
                _field(
                    "SubscriberPackageId",
                    "Subscriber Package ID",
                    "reference",
                    reference_to=("SubscriberPackage",),
                ),
                *(
                    _field(n, n, "int")
                    for n in ("MajorVersion", "MinorVersion", "PatchVersion", "BuildNumber")
                ),
            ],
        ),
        "InstalledSubscriberPackage": _tooling(
            "InstalledSubscriberPackage",
            "Installed Subscriber Package",
            [
                _field(
                    "SubscriberPackageId",
                    "Subscriber Package ID",
                    "reference",
                    reference_to=("SubscriberPackage",),
                    relationship_name="SubscriberPackage",
                ),
                _field(
                    "SubscriberPackageVersionId",
                    "Subscriber Package Version ID",
                    "reference",
                    reference_to=("SubscriberPackageVersion",),
                    relationship_name="SubscriberPackageVersion",
                ),
                _field(
                    "MinPackageVersionId",
                    "Min Package Version ID",
                    "reference",
                    reference_to=("SubscriberPackageVersion",),
                ),
            ],
        ),
    }


def with_package_objects(schema: Schema) -> Schema:
    """The schema with the Tooling API's package objects (InstalledSubscriberPackage ...), present in
    every org whether or not a package is installed."""
    return Schema(
        schema.api_version, MappingProxyType({**schema.sobjects, **tooling_objects()}), schema.permissions
    )


def extend_schema(schema: Schema, specs: tuple[PackageSpec, ...]) -> Schema:
    """The schema with the packages' objects, and their fields on objects already there."""
    sobjects = dict(schema.sobjects)
    for spec in specs:
        for obj in spec.objects:
            sobjects[obj.name] = _with_fields(sobjects.get(obj.name), obj)
    return Schema(schema.api_version, MappingProxyType(sobjects), schema.permissions)


def _with_fields(base: SObjectDef | None, obj: PackageObject) -> SObjectDef:
    if base is None:
        fields = {"Id": FieldDef("Id", "Record ID", "id", False, False, False)}
        fields["Name"] = FieldDef("Name", "Name", "string", True, True, True, permissionable=False)
        fields["OwnerId"] = FieldDef(
            "OwnerId", "Owner ID", "reference", False, True, True, ("User",), "Owner"
        )
        fields["IsDeleted"] = FieldDef("IsDeleted", "Deleted", "boolean", False, False, False)
        fields |= _audit()
        base = SObjectDef(
            obj.name, obj.name.split("__")[-2].replace("_", " "), MappingProxyType(fields), (), False
        )
    more = {
        f: FieldDef(
            f,
            f.split("__")[-2].replace("_", " "),
            "string",
            True,
            True,
            True,
            permissionable=True,
            external_id=f in obj.external_ids,
        )
        for f in obj.fields
    }
    return replace(base, fields=MappingProxyType({**base.fields, **more}))


def install(txn: Txn, spec: PackageSpec) -> None:
    """The package's records (its schema is already extended); installing again changes nothing."""
    ns = spec.namespace
    if txn.find("SubscriberPackage", NamespacePrefix=ns):
        return
    package = txn.insert("SubscriberPackage", {"Name": spec.name, "NamespacePrefix": ns})
    major, minor, patch = spec.min_version
    version = txn.insert(
        "SubscriberPackageVersion",
        {
            "Name": spec.version_text,
            "SubscriberPackageId": package,
            "MajorVersion": major,
            "MinorVersion": minor,
            "PatchVersion": patch,
            "BuildNumber": 1,
        },
    )
    txn.insert(
        "InstalledSubscriberPackage",
        {
            "SubscriberPackageId": package,
            "SubscriberPackageVersionId": version,
            "MinPackageVersionId": version,
        },
    )
    for ps in spec.permission_sets:
        txn.insert("PermissionSet", _permission_set(ps, ns))
    for name in spec.apex_classes:
        txn.insert(
            "ApexClass",
            {
                "Name": _bare(name, ns),
                "NamespacePrefix": ns,
                "ApiVersion": 64.0,
                "Status": "Active",
                "IsValid": True,
            },
        )
    for name in spec.custom_permissions:
        bare = _bare(name, ns)
        txn.insert(
            "CustomPermission",
            {
                "DeveloperName": bare,
                "MasterLabel": bare.replace("_", " "),
                "NamespacePrefix": ns,
                "Language": "en_US",
            },
        )
    _install_app(txn, spec)


def _install_app(txn: Txn, spec: PackageSpec) -> None:
    """The package's OAuth app, installed in the org. A new app's Permitted Users is "All users may
    self-authorize" until an admin edits its policies (UNVERIFIED for packaged apps, whose publisher may
    ship other defaults): https://help.salesforce.com/s/articleView?id=xcloud.connected_app_manage_oauth.htm"""
    for name, kind in (
        (spec.connected_app, "connected_app"),
        (spec.external_client_app, "external_client_app"),
    ):
        if not name or txn.find("ConnectedApplication", Name=name):
            continue
        app = auth.add_connected_app(txn, name, installed=True, admin_preauthorized=False)
        app_policy.set_policy(txn, str(app["Id"]), kind=kind)


def _permission_set(ps: PackagePermissionSetDef, ns: str) -> dict[str, Any]:
    return {
        "Name": ps.name,
        "Label": ps.label,
        "NamespacePrefix": ns,
        "IsCustom": True,
        "Type": "Regular",
        "IsOwnedByProfile": False,
        "Description": f"Installed with the {ns} package",
    }


def _bare(name: str, ns: str) -> str:
    """``ns__Name`` -> ``Name`` (ApexClass.Name and CustomPermission.DeveloperName carry no prefix)."""
    return name[len(ns) + 2 :] if name.lower().startswith(ns.lower() + "__") else name


def dump(specs: tuple[PackageSpec, ...]) -> str:
    return json.dumps([{k: v for k, v in asdict(s).items() if k != "position"} for s in specs])


def load(text: str | None) -> tuple[PackageSpec, ...]:
    return tuple(from_mapping(item) for item in json.loads(text or "[]"))


def from_mapping(data: Mapping[str, Any]) -> PackageSpec:
    """A PackageSpec from JSON (the state file, POST /_emulator/packages); ValueError when malformed."""
    try:
        version = tuple(int(v) for v in data["min_version"])
        if len(version) == 2:
            version = (*version, 0)
        return PackageSpec(
            name=str(data["name"]),
            namespace=str(data["namespace"]),
            min_version=(version[0], version[1], version[2]),
            install_url=str(data.get("install_url", "")),
            objects=tuple(
                PackageObject(str(o["name"]), tuple(o.get("fields", ()))) for o in data.get("objects", ())
            ),
            permission_sets=tuple(
                PackagePermissionSetDef(str(p["name"]), str(p["label"]))
                for p in data.get("permission_sets", ())
            ),
            permission_set_licenses=tuple(data.get("permission_set_licenses", ())),
            apex_classes=tuple(data.get("apex_classes", ())),
            apex_pages=tuple(data.get("apex_pages", ())),
            custom_permissions=tuple(data.get("custom_permissions", ())),
            connected_app=str(data.get("connected_app", "")),
            external_client_app=str(data.get("external_client_app", "")),
        )
    except (KeyError, TypeError, IndexError) as exc:
        raise ValueError(f"not a package description: {exc}") from exc

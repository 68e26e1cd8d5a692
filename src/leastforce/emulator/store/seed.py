"""A fresh org: Organization, user licenses, the Salesforce API Integration permission set license,
the standard profiles of the catalog with their profile-owned permission sets, an admin user,
EntityDefinition rows and the Tooling PermissionDependency rows, and the Salesforce CLI's connected app.

Values not in the catalog are marked UNVERIFIED where they matter (license counts, LicenseDefinitionKey).
"""

from __future__ import annotations

import secrets
from typing import Any

from leastforce.emulator.store import auth, effects
from leastforce.emulator.store.audit_seed import seed_audit_objects
from leastforce.emulator.store.ids import key_prefix
from leastforce.emulator.store.txn import Txn

ADMIN_USERNAME = "admin@leastforce.emulator"
# Salesforce Integration licenses: 5 in Enterprise/Unlimited/Performance ([3P] SalesforceBen; UNVERIFIED).
LICENSE_COUNTS = {"Salesforce": 20, "Salesforce Platform": 10, "Salesforce Integration": 5}
LICENSE_KEYS = {
    "Salesforce": "SFDC",
    "Salesforce Platform": "AUL",
    "Salesforce Integration": "SFDC_INTEGRATION",
}
PSL_COUNT = 5  # UNVERIFIED: matches the Integration user licenses
# The sf CLI's web login uses the global connected app "PlatformCLI" (@salesforce/core, DEFAULT_CONNECTED_APP_INFO).
SF_CLI_CLIENT_ID = "PlatformCLI"


def seed_org(txn: Txn) -> None:
    """Fill an empty database with a fresh org (no rules: the org as Salesforce ships it)."""
    from leastforce.catalog.loader import load_catalog

    catalog = load_catalog()
    org_id = txn.new_id("Organization")
    user_id = txn.new_id("User")
    txn.actor = user_id
    txn.set_meta("org_id", org_id)
    txn.set_meta("admin_user_id", user_id)
    _organization(txn, org_id)
    licenses = _user_licenses(txn, catalog)
    _permission_set_licenses(txn, catalog)
    profiles = _profiles(txn, catalog, licenses)
    password = "Lf-" + secrets.token_urlsafe(12)
    admin = {
        "Id": user_id,
        "Username": ADMIN_USERNAME,
        "LastName": "Admin",
        "FirstName": "Org",
        "Name": "Org Admin",
        "Alias": "admin",
        "Email": ADMIN_USERNAME,
        "CommunityNickname": "admin",
        "TimeZoneSidKey": "GMT",
        "LocaleSidKey": "en_US",
        "EmailEncodingKey": "UTF-8",
        "LanguageLocaleKey": "en_US",
        "ProfileId": profiles["System Administrator"],
        "IsActive": True,
        "DigestFrequency": "D",
        "DefaultGroupNotificationFrequency": "N",
        "UserType": "Standard",
    }
    txn.insert("User", _known(txn, "User", admin))
    effects.after_create(txn, txn.sobject("User"), user_id, admin)
    auth.set_password(txn, user_id, password)
    txn.set_meta("admin_password", password)
    _entity_definitions(txn, catalog)
    _dependencies(txn, catalog)
    seed_audit_objects(txn)
    auth.add_connected_app(
        txn,
        "Salesforce CLI",
        consumer_key=SF_CLI_CLIENT_ID,
        consumer_secret="",
        installed=True,
        admin_preauthorized=False,
    )


def _known(txn: Txn, sobject: str, values: dict[str, Any]) -> dict[str, Any]:
    fields = txn.sobject(sobject).fields
    return {k: v for k, v in values.items() if k in fields}


def _organization(txn: Txn, org_id: str) -> None:
    txn.insert(
        "Organization",
        _known(
            txn,
            "Organization",
            {
                "Id": org_id,
                "Name": "leastforce emulator",
                "OrganizationType": "Enterprise Edition",
                "IsSandbox": False,
                "InstanceName": "LF1",
                "DefaultLocaleSidKey": "en_US",
                "TimeZoneSidKey": "GMT",
                "LanguageLocaleKey": "en_US",
                "Country": "US",
                "FiscalYearStartMonth": 1,
                "UiSkin": "Theme3",
                "IsReadOnly": False,
            },
        ),
    )


def _user_licenses(txn: Txn, catalog: Any) -> dict[str, str]:
    ids: dict[str, str] = {}
    for lic in catalog.licenses.values():
        if lic.kind.value != "user":
            continue
        ids[lic.name] = txn.insert(
            "UserLicense",
            {
                "Name": lic.name,
                "MasterLabel": lic.name,
                "Status": "Active",
                "UsedLicenses": 0,
                "LicenseDefinitionKey": lic.developer_name or LICENSE_KEYS.get(lic.name, lic.name.upper()),
                "TotalLicenses": LICENSE_COUNTS.get(lic.name, 10),
            },
        )
    return ids


def _permission_set_licenses(txn: Txn, catalog: Any) -> None:
    names = txn.sobject("PermissionSet").permission_names
    for lic in catalog.licenses.values():
        if lic.kind.value != "permission_set":
            continue
        maxima = {"MaximumPermissions" + p: lic.can_hold(p) is not False for p in names}
        txn.insert(
            "PermissionSetLicense",
            _known(
                txn,
                "PermissionSetLicense",
                {
                    "DeveloperName": lic.developer_name,
                    "MasterLabel": lic.name,
                    "Status": "Active",
                    "TotalLicenses": PSL_COUNT,
                    "UsedLicenses": 0,
                    "IsAvailableForIntegrations": True,
                    "PermissionSetLicenseKey": lic.developer_name.upper(),
                    **maxima,
                },
            ),
        )


def _profiles(txn: Txn, catalog: Any, licenses: dict[str, str]) -> dict[str, str]:
    names = set(txn.sobject("PermissionSet").permission_names)
    ids: dict[str, str] = {}
    for profile in catalog.profiles.values():
        perms = {"Permissions" + p: True for p in profile.user_permissions if p in names}
        values = {
            "Name": profile.name,
            "UserLicenseId": licenses.get(profile.user_license),
            "UserType": "Standard",
            "Description": profile.note[:255] or None,
            **perms,
        }
        profile_id = txn.insert("Profile", _known(txn, "Profile", values))
        effects.after_create(txn, txn.sobject("Profile"), profile_id, {**values, "_custom": False})
        owned = txn.find("PermissionSet", ProfileId=profile_id, IsOwnedByProfile=True)[0]["Id"]
        for obj, rights in profile.objects.items():
            flags = {right.value: True for right in rights}
            txn.insert("ObjectPermissions", {"ParentId": owned, "SobjectType": obj, **flags})
            _field_permissions(txn, owned, obj, "PermissionsEdit" in flags)
        ids[profile.name] = profile_id
    return ids


def _field_permissions(txn: Txn, parent_id: str, sobject: str, edit: bool) -> None:
    """Field-level security of a standard profile: every permissionable field readable, and editable where
    the profile edits the object and the field can be written (standard profiles ship that way)."""
    so = txn.schema.get(sobject)
    if so is None:
        return
    for field in so.fields.values():
        if field.permissionable:
            writable = edit and (field.createable or field.updateable)
            txn.insert(
                "FieldPermissions",
                {
                    "ParentId": parent_id,
                    "SobjectType": sobject,
                    "Field": f"{sobject}.{field.name}",
                    "PermissionsRead": True,
                    "PermissionsEdit": writable,
                },
            )


def _entity_definitions(txn: Txn, catalog: Any) -> None:
    for so in txn.schema.sobjects.values():
        if so.tooling_only:
            continue
        std = catalog.objects.get(so.name)
        label = std.label if std else so.label
        txn.insert(
            "EntityDefinition",
            _known(
                txn,
                "EntityDefinition",
                {
                    "DurableId": so.name,
                    "QualifiedApiName": so.name,
                    "DeveloperName": so.name,
                    "MasterLabel": label,
                    "Label": label,
                    "PluralLabel": std.plural_label if std else label + "s",
                    "KeyPrefix": key_prefix(so.name),
                    "IsCustomizable": not so.setup,
                    "IsQueryable": True,
                    "IsRetrieveable": True,
                    "IsTriggerable": not so.setup,
                    "IsSearchable": not so.setup,
                    "IsLayoutable": not so.setup,
                    "DeploymentStatus": None,
                    "InternalSharingModel": None if so.setup else "ReadWrite",
                    "IsEverCreatable": True,
                    "IsEverUpdatable": True,
                    "IsEverDeletable": True,
                    "IsIdEnabled": True,
                },
            ),
        )


def _dependencies(txn: Txn, catalog: Any) -> None:
    for dep in catalog.dependencies:
        txn.insert(
            "PermissionDependency",
            {
                "Permission": dep.permission,
                "PermissionType": dep.permission_type,
                "RequiredPermission": dep.required_permission,
                "RequiredPermissionType": dep.required_permission_type,
            },
        )

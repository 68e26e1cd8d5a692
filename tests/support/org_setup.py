"""Building test orgs on the emulator through REST, as an admin would (not through leastforce's apply)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from leastforce.catalog import load_catalog
from leastforce.org.client import Session, SimpleSalesforceClient

OBJECT_FLAGS = {
    "read": "PermissionsRead",
    "create": "PermissionsCreate",
    "edit": "PermissionsEdit",
    "delete": "PermissionsDelete",
    "view_all_records": "PermissionsViewAllRecords",
    "modify_all_records": "PermissionsModifyAllRecords",
    "view_all_fields": "PermissionsViewAllFields",
}


def with_dependencies(permissions: Iterable[str]) -> set[str]:
    """The permissions plus what Salesforce's Setup UI auto-enables with them (the catalog's dependencies)."""
    catalog = load_catalog()
    out = set(permissions)
    for name in list(out):
        out |= set(catalog.required_permissions(name))
    return out


@dataclass
class Admin:
    """A REST session as the emulator's admin, with helpers that return new record Ids."""

    client: SimpleSalesforceClient

    @classmethod
    def of(cls, org: Any) -> Admin:
        return cls(SimpleSalesforceClient(Session(org.instance_url, org.admin_token, org.ca_bundle)))

    def create(self, sobject: str, **fields: Any) -> str:
        return str(self.client.request("POST", f"sobjects/{sobject}", json=fields)["id"])

    def update(self, sobject: str, record_id: str, **fields: Any) -> None:
        self.client.request("PATCH", f"sobjects/{sobject}/{record_id}", json=fields)

    def delete(self, sobject: str, record_id: str) -> None:
        self.client.request("DELETE", f"sobjects/{sobject}/{record_id}")

    def id_of(self, soql: str) -> str:
        rows = self.client.query(soql)
        assert rows, f"nothing for {soql}"
        return str(rows[0]["Id"])

    def profile_id(self, name: str) -> str:
        return self.id_of(f"SELECT Id FROM Profile WHERE Name = '{name}'")

    def user(self, username: str, profile: str, **extra: Any) -> str:
        return self.create(
            "User",
            Username=username,
            LastName=username.split("@")[0],
            Email=username,
            Alias=username[:8],
            ProfileId=self.profile_id(profile),
            TimeZoneSidKey="Europe/Paris",
            LocaleSidKey="en_US",
            EmailEncodingKey="UTF-8",
            LanguageLocaleKey="en_US",
            **extra,
        )

    def permission_set(
        self,
        name: str,
        *,
        permissions: Iterable[str] = (),
        objects: Mapping[str, str] | None = None,
        fields: Mapping[str, str] | None = None,
        license_id: str | None = None,
        description: str = "",
    ) -> str:
        body: dict[str, Any] = {"Name": name, "Label": name.replace("_", " "), "Description": description}
        body |= {f"Permissions{p}": True for p in with_dependencies(permissions)}
        if license_id:
            body["LicenseId"] = license_id
        ps_id = self.create("PermissionSet", **body)
        self.grant_objects(ps_id, objects or {})
        self.grant_fields(ps_id, fields or {})
        return ps_id

    def grant_objects(self, parent_id: str, objects: Mapping[str, str]) -> None:
        for obj, rights in objects.items():
            flags = {OBJECT_FLAGS[r.strip()]: True for r in rights.split(",")}
            self.create("ObjectPermissions", ParentId=parent_id, SobjectType=obj, **flags)

    def grant_fields(self, parent_id: str, fields: Mapping[str, str]) -> None:
        """Field permissions: ``{"Account.Industry": "read"}`` or ``"read,edit"`` (edit implies read)."""
        for field, rights in fields.items():
            self.create(
                "FieldPermissions",
                ParentId=parent_id,
                SobjectType=field.split(".")[0],
                Field=field,
                PermissionsRead=True,
                PermissionsEdit="edit" in rights,
            )

    def assign(
        self, user_id: str, *, set_id: str = "", group_id: str = "", expires: str | None = None
    ) -> str:
        body: dict[str, Any] = {"AssigneeId": user_id}
        body |= {"PermissionSetGroupId": group_id} if group_id else {"PermissionSetId": set_id}
        if expires:
            body["ExpirationDate"] = expires
        return self.create("PermissionSetAssignment", **body)

    def psl_id(self, label: str = "Salesforce API Integration") -> str:
        return self.id_of(f"SELECT Id FROM PermissionSetLicense WHERE MasterLabel = '{label}'")

    def assign_psl(self, user_id: str, label: str = "Salesforce API Integration") -> str:
        return self.create(
            "PermissionSetLicenseAssign", AssigneeId=user_id, PermissionSetLicenseId=self.psl_id(label)
        )

    def group(
        self,
        name: str,
        set_ids: Iterable[str],
        *,
        muted: Iterable[str] = (),
        muted_objects: Mapping[str, str] | None = None,
    ) -> str:
        group_id = self.create("PermissionSetGroup", DeveloperName=name, MasterLabel=name)
        for set_id in set_ids:
            self.create("PermissionSetGroupComponent", PermissionSetGroupId=group_id, PermissionSetId=set_id)
        if muted or muted_objects:
            body = {"DeveloperName": f"{name}_Muting", "MasterLabel": f"{name} Muting"}
            muting_id = self.create("MutingPermissionSet", **body | {f"Permissions{p}": True for p in muted})
            self.grant_objects(muting_id, muted_objects or {})
            self.create(
                "PermissionSetGroupComponent", PermissionSetGroupId=group_id, PermissionSetId=muting_id
            )
        return group_id

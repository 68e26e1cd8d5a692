"""Managed packages in the local org: installed as Salesforce shows them (InstalledSubscriberPackage through
the Tooling API, namespaced objects and fields, managed permission sets that refuse edits, Apex classes,
custom permissions), kept across a restart, and installable at runtime through /_emulator/packages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from leastforce.emulator.handle import running_emulator
from leastforce.values.packages import PackageObject, PackagePermissionSetDef, PackageSpec

SPEC = PackageSpec(
    "Elements",
    "elements",
    (5, 1, 2),
    objects=(
        PackageObject("elements__Item__c", ("elements__Score__c",)),
        PackageObject("Account", ("elements__Tier__c",)),
    ),
    permission_sets=(PackagePermissionSetDef("Elements_Admins", "Elements Admins"),),
    apex_classes=("elements__SyncService",),
    custom_permissions=("elements__Sync",),
)
ISP = (
    "SELECT Id, SubscriberPackage.NamespacePrefix, SubscriberPackage.Name,"
    " SubscriberPackageVersion.MajorVersion, SubscriberPackageVersion.MinorVersion,"
    " SubscriberPackageVersion.PatchVersion FROM InstalledSubscriberPackage"
)


def _call(org: Any, method: str, path: str, **kw: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {org.admin_token}"}
    return requests.request(
        method, org.instance_url + path, headers=headers, verify=org.ca_bundle, timeout=30, **kw
    )


def _query(org: Any, soql: str, tooling: bool = False) -> requests.Response:
    return _call(
        org, "GET", "/services/data/v64.0/" + ("tooling/" if tooling else "") + "query", params={"q": soql}
    )


def test_an_installed_package_shows_in_the_tooling_api_with_its_version() -> None:
    with running_emulator(install=(SPEC,)) as org:
        answer = _query(org, ISP, tooling=True)
        assert answer.status_code == 200
        (row,) = answer.json()["records"]
        assert row["SubscriberPackage"]["NamespacePrefix"] == "elements"
        assert row["SubscriberPackage"]["Name"] == "Elements"
        version = row["SubscriberPackageVersion"]
        assert (version["MajorVersion"], version["MinorVersion"], version["PatchVersion"]) == (5, 1, 2)
        assert _query(org, ISP).status_code == 400  # a Tooling object: not in the data API


def test_no_package_no_row() -> None:
    with running_emulator() as org:
        assert _query(org, ISP, tooling=True).json()["totalSize"] == 0


def test_namespaced_objects_fields_classes_and_permissions_exist() -> None:
    with running_emulator(install=(SPEC,)) as org:
        described = _call(org, "GET", "/services/data/v64.0/sobjects/elements__Item__c/describe").json()
        assert "elements__Score__c" in {f["name"] for f in described["fields"]}
        assert _query(org, "SELECT Id, elements__Tier__c FROM Account").status_code == 200
        classes = _query(org, "SELECT Name, NamespacePrefix FROM ApexClass").json()["records"]
        assert {(c["NamespacePrefix"], c["Name"]) for c in classes} >= {("elements", "SyncService")}
        perms = _query(org, "SELECT DeveloperName, NamespacePrefix FROM CustomPermission").json()["records"]
        assert {(c["NamespacePrefix"], c["DeveloperName"]) for c in perms} >= {("elements", "Sync")}


def test_a_managed_permission_set_can_be_assigned_but_not_edited() -> None:
    with running_emulator(install=(SPEC,)) as org:
        (ps,) = _query(org, "SELECT Id FROM PermissionSet WHERE NamespacePrefix = 'elements'").json()[
            "records"
        ]
        edit = _call(
            org, "PATCH", f"/services/data/v64.0/sobjects/PermissionSet/{ps['Id']}", json={"Label": "x"}
        )
        row = _call(
            org,
            "POST",
            "/services/data/v64.0/sobjects/ObjectPermissions",
            json={"ParentId": ps["Id"], "SobjectType": "elements__Item__c", "PermissionsRead": True},
        )
        gone = _call(org, "DELETE", f"/services/data/v64.0/sobjects/PermissionSet/{ps['Id']}")
        for answer in (edit, row, gone):
            assert answer.status_code == 400
            assert answer.json()[0]["errorCode"] == "CANNOT_MODIFY_MANAGED_OBJECT"
        assigned = _call(
            org,
            "POST",
            "/services/data/v64.0/sobjects/PermissionSetAssignment",
            json={"AssigneeId": org.store.admin_user_id, "PermissionSetId": ps["Id"]},
        )
        assert assigned.status_code == 201


def test_packages_survive_a_restart_and_install_at_runtime(tmp_path: Path) -> None:
    with running_emulator(tmp_path) as org:
        body = {
            "name": "Flock",
            "namespace": "evs",
            "min_version": [2, 0],
            "objects": [{"name": "evs__Event__c"}],
        }
        assert _call(org, "POST", "/_emulator/packages", json=body).status_code == 200
        assert _call(org, "POST", "/_emulator/packages", json={"name": "x"}).status_code == 400
        listed = _call(org, "GET", "/_emulator/packages").json()
        assert [p["namespace"] for p in listed] == ["evs"]
    with running_emulator(tmp_path) as org:
        assert _query(org, "SELECT Id FROM evs__Event__c").status_code == 200
        assert _query(org, ISP, tooling=True).json()["totalSize"] == 1

"""package.xml, sfdx-project.json, and metadata kinds of file paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leastforce.metadata import metadata_kind_for_path, package_xml, sfdx_project_json


def test_package_xml_exact() -> None:
    text = package_xml({"Profile": ["Upflow API Profile"], "PermissionSet": ["B", "A", "B"], "Flow": []})
    assert text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Package xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        "    <types>\n"
        "        <members>A</members>\n"
        "        <members>B</members>\n"
        "        <name>PermissionSet</name>\n"
        "    </types>\n"
        "    <types>\n"
        "        <members>Upflow API Profile</members>\n"
        "        <name>Profile</name>\n"
        "    </types>\n"
        "    <version>64.0</version>\n"
        "</Package>\n"
    )


def test_sfdx_project_json() -> None:
    project = json.loads(sfdx_project_json("63.0"))
    assert project["sourceApiVersion"] == "63.0"
    assert project["packageDirectories"] == [{"path": "force-app", "default": True}]


@pytest.mark.parametrize("bad", ["v64.0", "64", "sixty"])
def test_api_version_is_checked(bad: str) -> None:
    with pytest.raises(ValueError, match="API version"):
        package_xml({}, bad)
    with pytest.raises(ValueError, match="API version"):
        sfdx_project_json(bad)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("force-app/main/default/permissionsets/X.permissionset-meta.xml", "PermissionSet"),
        ("src/permissionsets/X.permissionset", "PermissionSet"),
        ("profiles/Admin.profile-meta.xml", "Profile"),
        ("profiles/E-Bikes Profile.profile", "Profile"),
        ("permissionsetgroups/G.permissionsetgroup-meta.xml", "PermissionSetGroup"),
        ("mutingpermissionsets/M.mutingpermissionset-meta.xml", "MutingPermissionSet"),
        ("permissionsets/ebikes/objectSettings/Account.objectSettings-meta.xml", "PermissionSet"),
        ("permissionSets/w/w.classAccess-meta.xml", "PermissionSet"),
        ("elsewhere/w.classAccess-meta.xml", None),
        ("classes/Foo.cls-meta.xml", None),
        ("package.xml", None),
        (Path("a/B.PermissionSet-meta.xml"), "PermissionSet"),
    ],
)
def test_metadata_kind_for_path(path: str | Path, kind: str | None) -> None:
    assert metadata_kind_for_path(path) == kind

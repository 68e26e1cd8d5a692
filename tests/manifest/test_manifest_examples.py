"""The five example manifests (one per seed guide) load and validate with no errors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pytest

from leastforce.catalog import load_catalog
from leastforce.manifest import Manifest, load_manifest, validate_manifest
from leastforce.values.model import ObjectRight, SetupEntityType
from leastforce.values.requirements import (
    AllOf,
    AnyOf,
    LicenseReq,
    ObjectReq,
    PackagePermissionSetReq,
    PermissionReq,
    ProfileReq,
    Requirement,
    walk,
)
from support.paths import ROOT

EXAMPLES = ROOT / "examples"
NAMES = ["eventspark-flock", "elements", "analytics-platform", "ticketing", "upflow"]
R = ObjectRight


def _load(name: str) -> Manifest:
    return load_manifest(EXAMPLES / f"{name}.yaml", load_catalog()).manifest


def _bare(atoms: Iterable[Requirement]) -> list[Requirement]:
    """Atoms without their reasons, to compare with values written in the test."""
    return [replace(a, why="") for a in atoms]


def _permissions(manifest: Manifest) -> set[str]:
    return {a.name for f in manifest.features for a in walk(f.requires) if isinstance(a, PermissionReq)}


@pytest.mark.parametrize("name", NAMES)
def test_example_loads_and_validates_without_errors(name: str) -> None:
    catalog = load_catalog()
    loaded = load_manifest(EXAMPLES / f"{name}.yaml", catalog)
    problems = loaded.warnings + validate_manifest(loaded.manifest, catalog)
    assert [str(p) for p in problems if p.severity == "error"] == []


@pytest.mark.parametrize("name", NAMES)
def test_example_has_schema_modeline_and_every_atom_a_reason(name: str) -> None:
    text = (EXAMPLES / f"{name}.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../schema/manifest.schema.json\n")
    manifest = _load(name)
    for owner in (*manifest.features, *manifest.roles):
        for atom in walk(owner.requires):
            assert atom.why.strip(), f"{owner.name}: {atom}"
            assert atom.position.line > 0


def test_upflow_matches_seed_004() -> None:
    m = _load("upflow")
    assert m.user.licenses == ("Salesforce Integration",)
    assert m.user.profile is not None
    assert (m.user.profile.name, m.user.profile.based_on) == (
        "Upflow API Profile",
        "Minimum Access - API Only Integrations",
    )
    assert m.user.permission_set_licenses == ("Salesforce API Integration",)
    assert m.user.api_only is True
    (ps,) = m.permission_sets
    assert (ps.name, ps.label, ps.license) == (
        "Upflow_Permissions",
        "Upflow Permissions",
        "Salesforce API Integration",
    )
    sync = {a.object: a.rights for a in m.feature("sync").requires if isinstance(a, ObjectReq)}
    assert sync == {
        "Account": {R.READ, R.VIEW_ALL_RECORDS, R.VIEW_ALL_FIELDS},
        "Contact": {R.READ, R.VIEW_ALL_RECORDS, R.VIEW_ALL_FIELDS},
    }
    assert {"ApiEnabled", "CanApproveUninstalledApps"} <= _permissions(m)
    export = m.feature("export")
    assert export.optional
    assert any(isinstance(a, ObjectReq) and R.EDIT in a.rights for a in export.requires)
    assert [t.error for t in m.troubleshooting] == [
        "OAUTH_APPROVAL_ERROR_GENERIC",
        "Access Restricted for API Only Users",
    ]


def test_upflow_selected_features() -> None:
    m = _load("upflow")
    assert [f.name for f in m.selected_features()] == ["sync", "connect"]
    assert [f.name for f in m.selected_features(["export"])] == ["sync", "connect", "export"]
    assert [f.name for f in m.selected_features(with_optional=True)] == ["sync", "connect", "export"]
    with pytest.raises(KeyError, match="no feature 'exprt'"):
        m.selected_features(["exprt"])
    assert m.permission_set_for("export") == m.permission_sets[0]  # the catch-all set


def test_elements_matches_seed_001() -> None:
    m = _load("elements")
    assert m.user.licenses == ("Salesforce",)
    assert m.user.not_licenses == ("Salesforce Integration",)
    assert m.user.profile is not None and m.user.profile.based_on == "Minimum Access - Salesforce"
    assert [(p.name, p.label) for p in m.permission_sets] == [
        ("System_Elements_Sync", "System - Elements Sync")
    ]
    assert _permissions(m) == {
        "ManageInteraction",
        "ApiEnabled",
        "AuthorApex",
        "ManagePvtRptsAndDashbds",
        "RunReports",
        "ViewAllCustomSettings",
        "ViewAllData",
        "ManageSharing",
        "ViewAllUsers",
    }
    atoms = _bare(walk(m.feature("sync").requires))
    assert PackagePermissionSetReq("Elements Admins") in atoms
    assert LicenseReq(("Salesforce",), ("Salesforce Integration",)) in atoms
    assert any("Permission Set Licenses" in t.cause or "PSL" in t.cause for t in m.troubleshooting)


def test_analytics_offers_view_all_data_or_scoped_reads() -> None:
    m = _load("analytics-platform")
    assert {"ApiEnabled", "ViewAllUsers"} <= _permissions(m)
    (choice,) = [a for a in m.feature("sync").requires if isinstance(a, AnyOf)]
    first, second = choice.items
    assert _bare([first]) == [PermissionReq("ViewAllData")]
    assert isinstance(second, AllOf)
    assert {a.object for a in second.items if isinstance(a, ObjectReq)} == {
        "Account",
        "Contact",
        "Opportunity",
        "Lead",
    }
    assert all(a.rights == {R.READ} for a in second.items if isinstance(a, ObjectReq))


def test_ticketing_easy_way_or_granular() -> None:
    m = _load("ticketing")
    (top,) = m.feature("service_cloud").requires
    assert isinstance(top, AnyOf)
    easy, granular = top.items
    assert _bare([easy]) == [ProfileReq("System Administrator")]
    assert isinstance(granular, AllOf)
    objects = {a.object: a.rights for a in granular.items if isinstance(a, ObjectReq)}
    assert objects["Contact"] == {R.READ, R.CREATE, R.EDIT, R.VIEW_ALL_RECORDS}
    assert objects["Account"] == {R.READ, R.VIEW_ALL_RECORDS}
    assert R.MODIFY_ALL_RECORDS in objects["Case"] and R.MODIFY_ALL_RECORDS in objects["Incident"]
    assert set(objects) == {"Contact", "Account", "Image", "Case", "Document", "Incident"}
    assert "User" not in objects  # User takes no object permissions: View All Users instead
    perms = {a.name for a in walk(granular.items) if isinstance(a, PermissionReq)}
    assert perms == {
        "CustomizeApplication",
        "ManageRemoteAccess",
        "ModifyAllData",
        "ViewAllUsers",
        "EditCaseComments",
    }
    nested = [a for a in granular.items if isinstance(a, AnyOf)]
    assert [{i.name for i in n.items if isinstance(i, PermissionReq)} for n in nested] == [
        {"ManageRemoteAccess", "ModifyAllData"}
    ]


def test_eventspark_roles_and_credential() -> None:
    m = _load("eventspark-flock")
    (ps,) = m.permission_sets
    assert ps.label == "Custom Modify Named & External Credentials"
    assert ps.features == ("authenticate",)
    assert PermissionReq("ManageNamedCredentials") in _bare(m.feature("authenticate").requires)
    first = _bare(m.role("first_authenticator").requires)
    assert ProfileReq("System Administrator") in first
    assert PackagePermissionSetReq("EventSpark Flock Integration") in first
    assert PermissionReq("ManageNamedCredentials") in first
    pusher = _bare(m.role("pusher").requires)
    assert PackagePermissionSetReq("EventSpark Flock Integration") in pusher
    (cred,) = m.credentials
    assert cred.token_lifetime_days == 30 and "System Administrator" in cred.renew
    with pytest.raises(KeyError):
        m.role("nobody")


def test_setup_entity_atoms_map_to_types(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "manifest: 1\nintegration: X\nsummary: s\nfeatures:\n  f:\n    summary: s\n    requires:\n"
        "      - {apex_class: SyncService, why: a}\n"
        "      - {custom_permission: Can_Sync, why: b}\n"
        "      - {connected_app: Upflow, why: c}\n"
        "      - {external_credential_principal: Flock-Flock, why: d}\n"
    )
    atoms = load_manifest(path, load_catalog()).manifest.feature("f").requires
    assert [a.entity.type for a in atoms] == [  # type: ignore[union-attr]
        SetupEntityType.APEX_CLASS,
        SetupEntityType.CUSTOM_PERMISSION,
        SetupEntityType.CONNECTED_APP,
        SetupEntityType.EXTERNAL_CREDENTIAL_PRINCIPAL,
    ]

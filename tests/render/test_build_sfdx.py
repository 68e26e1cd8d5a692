"""`leastforce build`: an SFDX project per example, valid against the Metadata API WSDL, carrying every
requirement; invalid manifests are refused (exit 2, file:line) without writing anything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leastforce.cli import main
from leastforce.metadata import (
    metadata_kind_for_path,
    parse_metadata,
    to_permission_set,
    validate_against_wsdl,
)
from leastforce.render.sfdx import profile_file_name
from leastforce.values.model import ObjectRight
from support.paths import ROOT

EXAMPLES = ROOT / "examples"
NAMES = ("eventspark-flock", "elements", "analytics-platform", "ticketing", "upflow")
PS_DIR = "force-app/main/default/permissionsets"
R = ObjectRight


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def build(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, *extra: str) -> Path:
    out_dir = tmp_path / name
    code, _, err = run(capsys, "build", str(EXAMPLES / f"{name}.yaml"), "-o", str(out_dir), *extra)
    assert code == 0, err
    return out_dir


def permission_set(out_dir: Path, name: str):  # type: ignore[no-untyped-def]
    text = (out_dir / PS_DIR / f"{name}.permissionset-meta.xml").read_text()
    return to_permission_set(parse_metadata(text, filename=name), name=name)


@pytest.mark.parametrize("name", NAMES)
def test_every_generated_file_is_valid_metadata(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    out_dir = build(capsys, tmp_path, name, "--with-optional")
    files = sorted(p for p in out_dir.rglob("*") if p.is_file())
    assert out_dir / "sfdx-project.json" in files and out_dir / "manifest/package.xml" in files
    assert any(p.name.endswith(".permissionset-meta.xml") for p in files)
    for path in files:
        if path.suffix != ".xml":
            continue
        kind = metadata_kind_for_path(path) or "Package"
        text = path.read_text()
        assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
        assert validate_against_wsdl(text, kind) == [], path
    package = (out_dir / "manifest/package.xml").read_text()
    for path in (out_dir / PS_DIR).iterdir():
        assert f"<members>{path.name.removesuffix('.permissionset-meta.xml')}</members>" in package
    assert (
        json.loads((out_dir / "sfdx-project.json").read_text())["packageDirectories"][0]["path"]
        == "force-app"
    )


def test_elements_permissions(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ps = permission_set(build(capsys, tmp_path, "elements"), "System_Elements_Sync")
    for perm in (
        "ManageInteraction",
        "ApiEnabled",
        "AuthorApex",
        "ManagePvtRptsAndDashbds",
        "RunReports",
        "ViewAllCustomSettings",
        "ViewAllData",
        "ManageSharing",
        "ViewAllUsers",
    ):
        assert perm in ps.user_permissions, perm
    assert ps.description.startswith("Managed by leastforce (Elements).")


def test_upflow_set_and_profile(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_dir = build(capsys, tmp_path, "upflow")
    ps = permission_set(out_dir, "Upflow_Permissions")
    for obj in ("Account", "Contact"):
        assert ps.objects[obj] == frozenset({R.READ, R.VIEW_ALL_RECORDS, R.VIEW_ALL_FIELDS})
    assert {"ApiEnabled", "CanApproveUninstalledApps"} <= ps.user_permissions
    assert ps.license == "Salesforce API Integration"
    profile = (out_dir / "force-app/main/default/profiles/Upflow API Profile.profile-meta.xml").read_text()
    assert "<userLicense>Salesforce Integration</userLicense>" in profile
    assert "<name>ApiUserOnly</name>" in profile
    assert "<members>Upflow API Profile</members>" in (out_dir / "manifest/package.xml").read_text()


def test_optional_features_only_on_request(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    plain = permission_set(build(capsys, tmp_path, "upflow"), "Upflow_Permissions")
    assert R.EDIT not in plain.objects["Account"]
    named = build(capsys, tmp_path / "named", "upflow", "--feature", "export")
    assert R.EDIT in permission_set(named, "Upflow_Permissions").objects["Account"]


def test_ticketing_least_risky_alternative(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_dir = build(capsys, tmp_path, "ticketing")
    (path,) = (out_dir / PS_DIR).iterdir()
    ps = permission_set(out_dir, path.name.removesuffix(".permissionset-meta.xml"))
    assert "ManageRemoteAccess" in ps.user_permissions and "ModifyAllData" not in ps.user_permissions
    assert "not profile System Administrator (less risky)" in ps.description
    assert not (out_dir / "force-app/main/default/profiles").exists()


def test_eventspark_roles_get_their_sets(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_dir = build(capsys, tmp_path, "eventspark-flock")
    names = sorted(p.name for p in (out_dir / PS_DIR).iterdir())
    assert "Custom_Modify_Named_External_Credentials.permissionset-meta.xml" in names
    assert "EventSpark_Flock_pusher.permissionset-meta.xml" in names
    ps = permission_set(out_dir, "EventSpark_Flock_pusher")
    assert ps.user_permissions == frozenset({"ManageNamedCredentials"})


def test_json_envelope(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "build", str(EXAMPLES / "ticketing.yaml"), "-o", str(tmp_path / "t"), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["status"] == 0
    result = data["result"]
    assert "manifest/package.xml" in result["files"]
    assert any(c["chosen"] == "ManageRemoteAccess" for c in result["choices"])


def test_invalid_manifest_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "manifest: 1\nintegration: X\nfeatures:\n  f:\n    requires:\n      - permission: NoSuchPerm\n"
    )
    out_dir = tmp_path / "out"
    code, _, err = run(capsys, "build", str(bad), "-o", str(out_dir))
    assert code == 2
    assert "bad.yaml:6" in err
    assert not out_dir.exists()


def test_unknown_feature_is_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "build", str(EXAMPLES / "upflow.yaml"), "-o", str(tmp_path / "o"), "--feature", "x"
    )
    assert code == 2 and "x" in err


def test_profile_file_names() -> None:
    assert profile_file_name("Upflow API Profile") == "Upflow API Profile"
    assert profile_file_name("Custom: Sales") == "Custom%3A Sales"


def test_connected_app_access_is_reported_as_a_gap() -> None:
    from leastforce.desired import desired_setup
    from leastforce.render.sfdx import metadata_gaps, render_project
    from leastforce.values.model import SetupEntity, SetupEntityType
    from leastforce.values.requirements import SetupEntityReq
    from support.factories import make_catalog, make_manifest

    app = SetupEntity(SetupEntityType.CONNECTED_APP, "Upflow")
    cls = SetupEntity(SetupEntityType.APEX_CLASS, "UpflowSync")
    manifest = make_manifest(("connect", [SetupEntityReq(app), SetupEntityReq(cls)]))
    setup = desired_setup(manifest, make_catalog())
    assert dict(metadata_gaps(setup)) == {"Upflow_Permissions": ("ConnectedApplication Upflow",)}
    text = render_project(setup)[f"{PS_DIR}/Upflow_Permissions.permissionset-meta.xml"]
    assert "<apexClass>UpflowSync</apexClass>" in text and "ConnectedApplication" not in text

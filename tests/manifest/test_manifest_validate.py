"""validate_manifest: Salesforce rules (licenses, objects, access closure) on in-memory manifests."""

from __future__ import annotations

from pathlib import Path

import pytest

from leastforce.catalog import load_catalog
from leastforce.errors import ManifestError, Position
from leastforce.manifest import (
    Feature,
    Manifest,
    PermissionSetSpec,
    ProfileSpec,
    UserSpec,
    check_manifest,
    validate_manifest,
)
from leastforce.values.model import ObjectRight
from leastforce.values.requirements import AnyOf, ObjectReq, PermissionReq, Requirement

R = ObjectRight
AT = Position("m.yaml", 3, 5)


def _manifest(
    *requires: Requirement, user: UserSpec | None = None, sets: tuple[PermissionSetSpec, ...] = ()
) -> Manifest:
    feature = Feature("sync", "s", requires=tuple(requires), position=AT)
    return Manifest("m.yaml", "X", user=user or UserSpec(), permission_sets=sets, features=(feature,))


def _messages(manifest: Manifest, severity: str = "error") -> list[str]:
    return [p.message for p in validate_manifest(manifest, load_catalog()) if p.severity == severity]


INTEGRATION = UserSpec(
    licenses=("Salesforce Integration",),
    profile=ProfileSpec("P", "Minimum Access - API Only Integrations"),
    permission_set_licenses=("Salesforce API Integration",),
)


def test_integration_user_with_psl_may_read_standard_objects() -> None:
    m = _manifest(ObjectReq("Account", frozenset({R.READ}), why="a"), user=INTEGRATION)
    assert _messages(m) == []


def test_integration_user_without_psl_cannot_hold_standard_object_permissions() -> None:
    user = UserSpec(licenses=("Salesforce Integration",))
    (message,) = _messages(_manifest(ObjectReq("Account", frozenset({R.READ})), user=user))
    assert "no permissions on standard objects such as Account" in message
    assert "Salesforce API Integration" in message


def test_integration_user_custom_objects_need_no_psl() -> None:
    user = UserSpec(licenses=("Salesforce Integration",))
    assert _messages(_manifest(ObjectReq("Invoice__c", frozenset({R.READ})), user=user)) == []


def test_standard_object_alternative_inside_any_is_not_a_license_error() -> None:
    user = UserSpec(licenses=("Salesforce Integration",))
    choice = AnyOf((PermissionReq("ApiEnabled"), ObjectReq("Account", frozenset({R.READ}))))
    assert _messages(_manifest(choice, user=user)) == []


def test_psl_set_needs_the_psl_on_the_user() -> None:
    user = UserSpec(licenses=("Salesforce Integration",))
    sets = (PermissionSetSpec("S", license="Salesforce API Integration", position=AT),)
    messages = _messages(_manifest(PermissionReq("ApiEnabled"), user=user, sets=sets))
    assert messages == [
        "permission set S has the 'Salesforce API Integration' permission set license; "
        "add it to user.permission_set_licenses (it is assigned before the set)"
    ]


def test_user_license_set_must_match_the_user() -> None:
    sets = (PermissionSetSpec("S", license="Salesforce", position=AT),)
    messages = _messages(_manifest(PermissionReq("ApiEnabled"), user=INTEGRATION, sets=sets))
    assert messages == [
        "permission set S (license 'Salesforce') cannot be assigned to a Salesforce Integration user"
    ]


def test_profile_license_must_match_user_license() -> None:
    user = UserSpec(
        licenses=("Salesforce",), profile=ProfileSpec("P", "Minimum Access - API Only Integrations")
    )
    (message,) = _messages(_manifest(PermissionReq("ApiEnabled"), user=user))
    assert message.startswith(
        "profile 'Minimum Access - API Only Integrations' has the 'Salesforce Integration' user license"
    )


def test_psl_for_integration_users_only() -> None:
    user = UserSpec(licenses=("Salesforce",), permission_set_licenses=("Salesforce API Integration",))
    (message,) = _messages(_manifest(PermissionReq("ApiEnabled"), user=user))
    assert message == (
        "permission set license 'Salesforce API Integration' is only for 'Salesforce Integration' users; "
        "user.license is Salesforce"
    )


def test_license_kinds_in_the_wrong_place() -> None:
    user = UserSpec(
        licenses=("Salesforce API Integration", "Salesforc"), permission_set_licenses=("Salesforce",)
    )
    messages = _messages(_manifest(PermissionReq("ApiEnabled"), user=user))
    assert (
        "'Salesforce API Integration' is a permission set license; list it under user.permission_set_licenses"
        in messages
    )
    assert any(m.startswith("unknown user license 'Salesforc' (did you mean 'Salesforce'") for m in messages)
    assert "'Salesforce' is a user license; put it under user.license" in messages


def test_unknown_standard_object_is_a_warning_and_closure_warns() -> None:
    m = _manifest(
        ObjectReq("Widget", frozenset({R.READ})), ObjectReq("Case", frozenset({R.MODIFY_ALL_RECORDS}))
    )
    assert _messages(m) == []
    warnings = _messages(m, "warning")
    assert (
        "object 'Widget' is not in leastforce's catalog of standard objects; make sure the org has it"
        in warnings
    )
    assert (
        "Case access [modify_all_records] needs delete, edit, read, view_all_records too; it is implied and will be added"
        in warnings
    )


def test_feature_not_carried_by_any_set_warns() -> None:
    sets = (PermissionSetSpec("Other", features=("other",), position=AT),)
    m = Manifest(
        "m.yaml",
        "X",
        permission_sets=sets,
        features=(
            Feature("sync", requires=(PermissionReq("ApiEnabled"),), position=AT),
            Feature("other", position=AT),
        ),
    )
    assert _messages(m, "warning") == ["feature sync is carried by no permission set"]


def test_problems_come_in_file_order() -> None:
    late = PermissionReq("Nope1", position=Position("m.yaml", 9, 1))
    early = PermissionReq("Nope2", position=Position("m.yaml", 2, 1))
    problems = validate_manifest(_manifest(late, early), load_catalog())
    assert [p.position.line for p in problems] == [2, 9]


def test_permission_the_license_cannot_hold_is_an_error_unless_a_psl_can() -> None:
    from dataclasses import replace

    from leastforce.catalog import LicenseKind

    catalog = load_catalog()
    sfi = replace(catalog.licenses["Salesforce Integration"], denied_permissions=frozenset({"ManageUsers"}))
    psl = replace(
        catalog.licenses["Salesforce API Integration"], allowed_permissions=frozenset({"ManageUsers"})
    )
    assert psl.kind is LicenseKind.PERMISSION_SET
    strict = replace(catalog, licenses={**catalog.licenses, sfi.name: sfi})
    user = UserSpec(licenses=("Salesforce Integration",))
    m = _manifest(PermissionReq("ManageUsers", position=AT), user=user)
    errors = [p for p in validate_manifest(m, strict) if p.severity == "error"]
    assert [str(p) for p in errors] == [
        "m.yaml:3:5: error: the user license Salesforce Integration doesn't allow the permission: ManageUsers"
    ]
    lenient = replace(strict, licenses={**strict.licenses, psl.name: psl})
    with_psl = _manifest(PermissionReq("ManageUsers"), user=INTEGRATION)
    assert [p for p in validate_manifest(with_psl, lenient) if p.severity == "error"] == []


def test_dependencies_on_risky_permissions_and_object_rights_warn() -> None:
    m = _manifest(PermissionReq("AuthorApex"), PermissionReq("EditCaseComments"))
    warnings = _messages(m, "warning")
    assert any(w.startswith("AuthorApex depends on ModifyAllData") for w in warnings), warnings
    assert "EditCaseComments needs Case access [edit, read]; it will be added" in warnings
    granted = _manifest(PermissionReq("EditCaseComments"), ObjectReq("Case", frozenset({R.EDIT})))
    assert not [w for w in _messages(granted, "warning") if w.startswith("EditCaseComments")]


def test_check_manifest_raises_on_semantic_errors(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "manifest: 1\nintegration: X\nsummary: s\nfeatures:\n  sync:\n    summary: s\n    requires:\n"
        "      - {permission: Manage Flow, why: flows}\n      - {object: User, access: [read], why: users}\n"
    )
    with pytest.raises(ManifestError) as info:
        check_manifest(path, load_catalog())
    assert [(p.severity, p.position.line) for p in info.value.problems] == [("warning", 8), ("error", 9)]

"""Validation against the Metadata API WSDL (simple-salesforce's metadata.wsdl, API 63.0)."""

from __future__ import annotations

from pathlib import Path

import pytest

from leastforce.metadata import (
    from_permission_set,
    from_profile,
    package_xml,
    parse_metadata,
    validate_against_wsdl,
    write_metadata,
)
from leastforce.metadata.wsdl import sequence_for
from leastforce.values.model import (
    FieldRight,
    ObjectRight,
    PermissionSet,
    SetupEntity,
    SetupEntityType,
    frozen_map,
)
from support.paths import SHARED, TESTS, needs

# What from_permission_set / from_profile write for a rich example (checked by test_metadata_permissions).
GOLDEN = TESTS / "golden" / "metadata"
PERMISSION_SET_XML = GOLDEN / "Upflow_Permissions.permissionset-meta.xml"


def make_permission_set() -> PermissionSet:
    return PermissionSet(
        name="Ops",
        label="Ops",
        license="Salesforce",
        user_permissions=frozenset({"ApiEnabled"}),
        objects=frozen_map({"Case": frozenset(ObjectRight)}),
        fields=frozen_map({"Case.Subject": frozenset(FieldRight)}),
        setup_entities=frozenset(SetupEntity(t, "X") for t in SetupEntityType),
    )


def test_element_orders_come_from_the_wsdl() -> None:
    ps = sequence_for("PermissionSet")
    assert ps is not None
    names = [n for n, _ in ps.elements]
    assert names[0] == "fullName"  # inherited from tns:Metadata
    assert names.index("description") < names.index("label") < names.index("userPermissions")
    assert ps.child_type("objectPermissions") == "PermissionSetObjectPermissions"
    obj = sequence_for("PermissionSetObjectPermissions")
    assert obj is not None
    assert [n for n, _ in obj.elements] == [
        "allowCreate", "allowDelete", "allowEdit", "allowRead",
        "modifyAllRecords", "object", "viewAllFields", "viewAllRecords",
    ]  # fmt: skip
    profile = sequence_for("Profile")
    assert profile is not None and profile.child_type("fieldPermissions") == "ProfileFieldLevelSecurity"
    group = sequence_for("PermissionSetGroup")
    assert group is not None
    assert [n for n, _ in group.elements][1:] == [
        "description", "hasActivationRequired", "label", "mutingPermissionSets", "permissionSets", "status",
    ]  # fmt: skip
    assert sequence_for("MutingPermissionSet") == ps  # see wsdl._CONTENT_MODEL_ALIASES
    assert sequence_for("NoSuchType") is None


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.xml")), ids=lambda p: p.name)
def test_golden_files_validate(path: Path) -> None:
    kind = "Profile" if path.name.endswith(".profile-meta.xml") else "PermissionSet"
    assert validate_against_wsdl(path.read_text(encoding="utf-8"), kind) == []


def test_generated_files_validate() -> None:
    ps = make_permission_set()
    assert validate_against_wsdl(write_metadata(from_permission_set(ps)), "PermissionSet") == []
    profile = from_profile(ps, user_license="Salesforce Integration", disabled_permissions=["ModifyAllData"])
    assert validate_against_wsdl(write_metadata(profile), "Profile") == []
    assert validate_against_wsdl(package_xml({"PermissionSet": ["Upflow_Permissions"]}), "Package") == []


def test_misordered_elements_fail_readably() -> None:
    text = PERMISSION_SET_XML.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    label = next(i for i, line in enumerate(lines) if "<label>" in line)
    lines.insert(2, lines.pop(label))  # <label> first, before <applicationVisibilities>
    problems = validate_against_wsdl("".join(lines), "PermissionSet")
    assert problems[0].startswith("line 4: element 'applicationVisibilities': This element is not expected.")
    assert "Expected is one of ( license, objectPermissions" in problems[0]
    assert "{" not in problems[0]  # no namespace noise


def test_unknown_element_and_bad_value_fail() -> None:
    text = write_metadata(from_permission_set(make_permission_set()))
    unknown = text.replace("<label>", "<bogus>x</bogus>\n    <label>")
    assert (
        "element 'bogus': This element is not expected" in validate_against_wsdl(unknown, "PermissionSet")[0]
    )
    not_bool = text.replace("<allowRead>true</allowRead>", "<allowRead>yes</allowRead>", 1)
    assert "'yes' is not a valid value" in validate_against_wsdl(not_bool, "PermissionSet")[0]


def test_wrong_root_namespace_and_malformed_input() -> None:
    text = write_metadata(from_permission_set(make_permission_set()))
    assert "expected 'Profile'" in validate_against_wsdl(text, "Profile")[0]
    no_ns = text.replace(' xmlns="http://soap.sforce.com/2006/04/metadata"', "")
    assert "xmlns" in validate_against_wsdl(no_ns, "PermissionSet")[0]
    assert "malformed XML" in validate_against_wsdl("<PermissionSet>", "PermissionSet")[0]


CORPUS = SHARED / "corpus"


@needs(CORPUS, "corpus")
def test_real_retrieved_file_validates_after_writing() -> None:
    path = CORPUS / "trailheadapps__dreamhouse-lwc/force-app/main/default/permissionsets"
    path = path / "dreamhouse.permissionset-meta.xml"
    text = write_metadata(parse_metadata(path.read_bytes(), filename=str(path)))
    assert validate_against_wsdl(text, "PermissionSet") == []

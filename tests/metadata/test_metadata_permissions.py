"""PermissionSet values <-> PermissionSet / Profile metadata files."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leastforce.errors import MetadataError
from leastforce.metadata import (
    METADATA_ENTITY_TYPES,
    entities_not_in_metadata,
    from_muting_permission_set,
    from_permission_set,
    from_permission_set_group,
    from_profile,
    group_members,
    parse_metadata,
    to_permission_set,
    validate_against_wsdl,
    write_metadata,
)
from leastforce.values.model import (
    FieldRight,
    MutingPermissionSet,
    ObjectRight,
    PermissionSet,
    PermissionSetGroup,
    SetupEntity,
    SetupEntityType,
    frozen_map,
)
from support.paths import SHARED, TESTS, needs

GOLDEN = TESTS / "golden" / "metadata"
CORPUS = SHARED / "corpus"


def make_permission_set(**changes: object) -> PermissionSet:
    """A rich permission set touching every group leastforce writes."""
    ps = PermissionSet(
        name="Upflow_Permissions",
        label="Upflow Permissions",
        description='Upflow\'s "sync" & <export> features',
        license="Salesforce API Integration",
        user_permissions=frozenset({"ViewAllData", "ApiEnabled"}),
        objects=frozen_map(
            {
                "Contact": frozenset({ObjectRight.READ, ObjectRight.EDIT}),
                "Account": frozenset(
                    {ObjectRight.READ, ObjectRight.VIEW_ALL_RECORDS, ObjectRight.VIEW_ALL_FIELDS}
                ),
            }
        ),
        fields=frozen_map(
            {
                "Contact.Email": frozenset({FieldRight.READ}),
                "Account.Upflow_Id__c": frozenset({FieldRight.READ, FieldRight.EDIT}),
            }
        ),
        setup_entities=frozenset(
            {
                SetupEntity(SetupEntityType.APEX_CLASS, "UpflowSync"),
                SetupEntity(SetupEntityType.APEX_PAGE, "UpflowSetup"),
                SetupEntity(SetupEntityType.CUSTOM_PERMISSION, "Upflow_Admin"),
                SetupEntity(SetupEntityType.EXTERNAL_CREDENTIAL_PRINCIPAL, "Upflow-Principal"),
                SetupEntity(SetupEntityType.TAB, "Upflow"),
            }
        ),
    )
    return ps.with_changes(**changes)


def test_permission_set_golden_file() -> None:
    text = write_metadata(from_permission_set(make_permission_set()))
    assert text == (GOLDEN / "Upflow_Permissions.permissionset-meta.xml").read_text(encoding="utf-8")


def test_profile_golden_file() -> None:
    doc = from_profile(
        make_permission_set(),
        user_license="Salesforce Integration",
        disabled_permissions=["ModifyAllData", "ApiEnabled"],
    )
    text = write_metadata(doc)
    assert text == (GOLDEN / "Upflow_API_Profile.profile-meta.xml").read_text(encoding="utf-8")


def test_profile_writes_disabled_permissions_and_enabled_wins() -> None:
    doc = from_profile(
        make_permission_set(), user_license="Salesforce", disabled_permissions=["ApiEnabled", "X"]
    )
    rows = {e.child_text("name"): e.child_text("enabled") for e in doc.find_all("userPermissions")}
    assert rows == {"ApiEnabled": "true", "ViewAllData": "true", "X": "false"}
    ps = to_permission_set(doc, name="P")
    assert ps.user_permissions == {"ApiEnabled", "ViewAllData"}
    assert ps.is_owned_by_profile and ps.profile_name == "P" and ps.license == "Salesforce"
    # A profile cannot carry external credential principal access (not in the Profile WSDL type).
    assert not any(True for _ in doc.find_all("externalCredentialPrincipalAccesses"))
    principal = SetupEntity(SetupEntityType.EXTERNAL_CREDENTIAL_PRINCIPAL, "Upflow-Principal")
    assert entities_not_in_metadata(make_permission_set(), profile=True) == {principal}
    assert ps.setup_entities == make_permission_set().setup_entities - {principal}


def test_description_override_and_unexpressible_entities() -> None:
    app = SetupEntity(SetupEntityType.CONNECTED_APP, "Upflow")
    ps = make_permission_set(setup_entities=frozenset({app}))
    doc = from_permission_set(ps, description="Other")
    assert doc.text("description") == "Other"
    assert entities_not_in_metadata(ps) == {app}
    assert to_permission_set(doc, name=ps.name).setup_entities == frozenset()


def test_to_permission_set_reads_only_enabled_rows() -> None:
    text = """<?xml version="1.0" encoding="UTF-8"?>
<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">
    <classAccesses><apexClass>Off</apexClass><enabled>false</enabled></classAccesses>
    <fieldPermissions><editable>false</editable><field>A.B__c</field><readable>false</readable></fieldPermissions>
    <label>L</label>
    <objectPermissions><allowCreate>False</allowCreate><allowDelete>false</allowDelete><allowEdit>false</allowEdit>
      <allowRead>false</allowRead><modifyAllRecords>false</modifyAllRecords><object>Lead</object>
      <viewAllRecords>false</viewAllRecords></objectPermissions>
    <objectPermissions><allowCreate>True</allowCreate><allowDelete>false</allowDelete><allowEdit>false</allowEdit>
      <allowRead>True</allowRead><modifyAllRecords>false</modifyAllRecords><object>Case</object>
      <viewAllRecords>false</viewAllRecords></objectPermissions>
    <userLicense>Salesforce</userLicense>
    <userPermissions><enabled>false</enabled><name>ModifyAllData</name></userPermissions>
</PermissionSet>"""
    ps = to_permission_set(parse_metadata(text, filename="old.permissionset"), name="Old")
    assert ps.objects == {"Case": {ObjectRight.CREATE, ObjectRight.READ}}
    assert ps.fields == {} and ps.user_permissions == frozenset() and ps.setup_entities == frozenset()
    assert ps.license == "Salesforce"  # userLicense: the API <= 37.0 spelling
    assert not ps.is_owned_by_profile


def test_muting_permission_set_is_read_like_a_permission_set() -> None:
    text = (
        '<MutingPermissionSet xmlns="http://soap.sforce.com/2006/04/metadata"><label>Mute</label>'
        "<userPermissions><enabled>true</enabled><name>ExportReport</name></userPermissions>"
        "</MutingPermissionSet>"
    )
    ps = to_permission_set(parse_metadata(text, filename="m"), name="Mute")
    assert ps.user_permissions == {"ExportReport"} and ps.label == "Mute"


def test_other_roots_are_refused() -> None:
    doc = parse_metadata('<PermissionSetGroup xmlns="x"><label>G</label></PermissionSetGroup>', filename="g")
    with pytest.raises(MetadataError, match="PermissionSetGroup"):
        to_permission_set(doc, name="G")


@needs(CORPUS, "corpus")
def test_corpus_files_convert() -> None:
    base = CORPUS / "trailheadapps__apex-recipes/force-app/main/default/permissionsets"
    path = base / "Provides_Create_Access_to_Contact_and_Contact_Email_Field.permissionset-meta.xml"
    ps = to_permission_set(parse_metadata(path.read_bytes(), filename=str(path)), name="P")
    assert ps.label == "Provides create access to Contact and contact email field"
    assert ps.objects == {"Contact": {ObjectRight.CREATE, ObjectRight.READ}}
    both = frozenset({FieldRight.READ, FieldRight.EDIT})
    assert ps.fields == {"Contact.AccountId": both, "Contact.Email": both}
    admin = CORPUS / "SalesforceFoundation__EDA/unpackaged/config/dev/profiles/Admin.profile"
    profile = to_permission_set(parse_metadata(admin.read_bytes(), filename=str(admin)), name="Admin")
    # <enabled>True</enabled> (capitalised) in this hand-written profile still counts.
    assert SetupEntity(SetupEntityType.APEX_CLASS, "%%%NAMESPACE%%%UTIL_Describe") in profile.setup_entities


_XML_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn"), include_characters="\t\n\r"),
    max_size=30,
)
_IDENT = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,15}", fullmatch=True)
_OBJECT_RIGHTS = st.frozensets(st.sampled_from(list(ObjectRight)), min_size=1)
_FIELD_RIGHTS = st.frozensets(st.sampled_from(list(FieldRight)), min_size=1)
_ENTITY = st.builds(
    SetupEntity, st.sampled_from(sorted(METADATA_ENTITY_TYPES, key=lambda t: t.value)), _IDENT
)

permission_sets = st.builds(
    PermissionSet,
    name=_IDENT,
    label=_XML_TEXT.filter(bool),
    description=_XML_TEXT,
    license=st.sampled_from(["", "Salesforce", "Salesforce API Integration"]),
    user_permissions=st.frozensets(_IDENT, max_size=5),
    objects=st.dictionaries(_IDENT, _OBJECT_RIGHTS, max_size=4).map(frozen_map),
    fields=st.dictionaries(st.builds("{}.{}".format, _IDENT, _IDENT), _FIELD_RIGHTS, max_size=4).map(
        frozen_map
    ),
    setup_entities=st.frozensets(_ENTITY, max_size=5),
)


@settings(max_examples=150, deadline=None)
@given(permission_sets)
def test_permission_set_round_trips_through_xml(ps: PermissionSet) -> None:
    text = write_metadata(from_permission_set(ps))
    assert to_permission_set(parse_metadata(text, filename="x"), name=ps.name) == ps
    assert write_metadata(from_permission_set(ps)) == text  # deterministic


def test_permission_set_group_file() -> None:
    muting = MutingPermissionSet(
        name="Upflow_Muted",
        label="Upflow Muted",
        user_permissions=frozenset({"ViewAllData"}),
        objects=frozen_map({"Account": frozenset({ObjectRight.EDIT})}),
    )
    group = PermissionSetGroup(name="Upflow", label="Upflow Access", muting=muting)
    text = write_metadata(from_permission_set_group(group, permission_sets=["ns__B", "A"], description="d"))
    assert text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<PermissionSetGroup xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        "    <description>d</description>\n"
        "    <hasActivationRequired>false</hasActivationRequired>\n"
        "    <label>Upflow Access</label>\n"
        "    <mutingPermissionSets>Upflow_Muted</mutingPermissionSets>\n"
        "    <permissionSets>A</permissionSets>\n"
        "    <permissionSets>ns__B</permissionSets>\n"
        "    <status>Updated</status>\n"
        "</PermissionSetGroup>\n"
    )
    assert validate_against_wsdl(text, "PermissionSetGroup") == []
    assert group_members(parse_metadata(text, filename="g")) == (
        "Upflow Access",
        ("A", "ns__B"),
        ("Upflow_Muted",),
    )
    muted_xml = write_metadata(from_muting_permission_set(muting))
    assert (
        muted_xml.splitlines()[1] == '<MutingPermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">'
    )
    assert validate_against_wsdl(muted_xml, "MutingPermissionSet") == []
    back = to_permission_set(parse_metadata(muted_xml, filename="m"), name="Upflow_Muted")
    assert (back.user_permissions, back.objects, back.label) == (
        muting.user_permissions,
        muting.objects,
        "Upflow Muted",
    )

"""The local org's Metadata API over SOAP, with hand-built envelopes (no sf needed): deploy semantics for
permission sets (the file replaces the set) and profiles (the file overlays the profile), Salesforce's error
shapes, rollback, retrieve/listMetadata/describeMetadata and the session fault.

Sources: PermissionSet "when you deploy a permission set, you must include all of its metadata to avoid
accidentally overwriting the permission set's contents"
(https://developer.salesforce.com/docs/platform/api-metadata/references/meta-types/metadata-permissionset.html);
Profile "deployment to overlay the existing Profile settings"
(https://developer.salesforce.com/docs/atlas.en-us.216.0.api_meta.meta/api_meta/meta_profile.htm).
"""

from __future__ import annotations

from typing import Any

import pytest

from leastforce.emulator.store.org_store import ApiError, Caller
from support.mdapi import MD, MetadataClient, doc, make_zip, messages, text

OBJ = (
    "<objectPermissions><allowCreate>false</allowCreate><allowDelete>false</allowDelete>"
    "<allowEdit>{edit}</allowEdit><allowRead>true</allowRead><modifyAllRecords>false</modifyAllRecords>"
    "<object>{obj}</object><viewAllFields>false</viewAllFields><viewAllRecords>false</viewAllRecords>"
    "</objectPermissions>\n"
)
PERM = "<userPermissions><enabled>{on}</enabled><name>{name}</name></userPermissions>\n"


def perm_set(label: str, objects: dict[str, bool], perms: dict[str, bool], extra: str = "") -> str:
    body = f"<label>{label}</label>\n{extra}"
    body += "".join(OBJ.format(obj=o, edit=str(e).lower()) for o, e in objects.items())
    body += "".join(PERM.format(name=p, on=str(v).lower()) for p, v in perms.items())
    return doc("PermissionSet", body)


@pytest.fixture
def md(emulator: Any, https: Any) -> MetadataClient:
    return MetadataClient(https, emulator.instance_url, emulator.admin_token)


def rows(emulator: Any, soql: str) -> list[dict[str, Any]]:
    caller = Caller(emulator.store.admin_user_id, system=True)
    return emulator.store.query(soql, caller=caller).records


def set_rows(emulator: Any, name: str) -> tuple[dict[str, Any], set[str]]:
    ps = rows(
        emulator,
        f"SELECT Id, Label, PermissionsApiEnabled, PermissionsViewSetup FROM PermissionSet WHERE Name = '{name}'",
    )
    assert len(ps) == 1
    objs = rows(emulator, f"SELECT SobjectType FROM ObjectPermissions WHERE ParentId = '{ps[0]['Id']}'")
    return ps[0], {r["SobjectType"] for r in objs}


def test_deploy_creates_the_rows_rest_shows(md: MetadataClient, emulator: Any) -> None:
    zipped = make_zip(
        {
            ("PermissionSet", "Vendor_Set"): perm_set(
                "Vendor Set", {"Account": False, "Contact": True}, {"ApiEnabled": True}
            )
        }
    )
    result = md.deploy(zipped)
    assert text(result, "status") == "Succeeded" and text(result, "success") == "true"
    assert text(result, "numberComponentsDeployed") == "1" and text(result, "numberComponentsTotal") == "1"
    done = {m["fullName"]: m for m in messages(result, "componentSuccesses")}
    assert done["Vendor_Set"]["componentType"] == "PermissionSet" and done["Vendor_Set"]["created"] == "true"
    assert done["package.xml"]["componentType"] == ""
    ps, objects = set_rows(emulator, "Vendor_Set")
    assert ps["Label"] == "Vendor Set" and ps["PermissionsApiEnabled"] is True
    assert objects == {"Account", "Contact"}


def test_permission_set_deploy_replaces_what_the_file_omits(md: MetadataClient, emulator: Any) -> None:
    md.deploy(
        make_zip(
            {
                ("PermissionSet", "S"): perm_set(
                    "S", {"Account": False, "Contact": False}, {"ApiEnabled": True, "ViewSetup": True}
                )
            }
        )
    )
    again = md.deploy(
        make_zip({("PermissionSet", "S"): perm_set("S", {"Account": False}, {"ApiEnabled": True})})
    )
    assert messages(again, "componentSuccesses")[-1]["changed"] == "true"
    ps, objects = set_rows(emulator, "S")
    assert objects == {"Account"}  # Contact omitted: removed
    assert ps["PermissionsViewSetup"] is False and ps["PermissionsApiEnabled"] is True


def test_profile_deploy_overlays_and_leaves_the_rest(md: MetadataClient, emulator: Any) -> None:
    profile = doc(
        "Profile",
        "<custom>true</custom><userLicense>Salesforce</userLicense>\n"
        + OBJ.format(obj="Account", edit="false") + OBJ.format(obj="Contact", edit="false")
        + PERM.format(name="ApiEnabled", on="true") + PERM.format(name="ViewSetup", on="true"),
    )  # fmt: skip
    assert text(md.deploy(make_zip({("Profile", "Vendor Profile"): profile})), "success") == "true"
    overlay = doc("Profile", PERM.format(name="ViewSetup", on="false"))
    assert text(md.deploy(make_zip({("Profile", "Vendor Profile"): overlay})), "success") == "true"
    owned = rows(
        emulator,
        "SELECT Id, PermissionsApiEnabled, PermissionsViewSetup FROM PermissionSet WHERE Profile.Name = 'Vendor Profile' AND IsOwnedByProfile = true",
    )[0]
    assert owned["PermissionsViewSetup"] is False  # named false: turned off
    assert owned["PermissionsApiEnabled"] is True  # not named: left alone
    objects = {
        r["SobjectType"]
        for r in rows(emulator, f"SELECT SobjectType FROM ObjectPermissions WHERE ParentId = '{owned['Id']}'")
    }
    assert {"Account", "Contact"} <= objects  # not named in the overlay: kept


def test_unknown_permission_fails_with_file_and_line_and_rolls_back(
    md: MetadataClient, emulator: Any
) -> None:
    good = perm_set("Good", {"Account": False}, {"ApiEnabled": True})
    bad = perm_set("Bad", {}, {"ApiEnabled": True, "NoSuchPermission": True})
    result = md.deploy(make_zip({("PermissionSet", "Good"): good, ("PermissionSet", "Bad"): bad}))
    assert text(result, "status") == "Failed" and text(result, "numberComponentErrors") == "1"
    failure = messages(result, "componentFailures")[0]
    assert (
        failure["problemType"] == "Error"
        and failure["problem"] == "Unknown user permission: NoSuchPermission"
    )
    assert failure["fileName"] == "permissionsets/Bad.permissionset"
    assert failure["lineNumber"] == str(
        bad.splitlines().index(next(line for line in bad.splitlines() if "NoSuchPermission" in line)) + 1
    )
    assert (
        rows(emulator, "SELECT Id FROM PermissionSet WHERE Name IN ('Good', 'Bad')") == []
    )  # rollbackOnError


def test_rules_refusal_comes_back_with_the_rest_message(md: MetadataClient, emulator: Any) -> None:
    """A dependency the store's rules refuse over REST fails the component with the same text."""
    refused = perm_set("L", {}, {"ModifyAllData": True, "ApiEnabled": True})
    result = md.deploy(make_zip({("PermissionSet", "L"): refused}), rollbackOnError=False)
    failure = messages(result, "componentFailures")[0]
    with pytest.raises(ApiError) as rest:
        emulator.store.create(
            "PermissionSet",
            {"Name": "L2", "Label": "L2", "PermissionsModifyAllData": True, "PermissionsApiEnabled": True},
            caller=Caller(emulator.store.admin_user_id),
        )
    assert failure["fullName"] == "L" and failure["problem"] == rest.value.message
    assert "depends on permission(s)" in failure["problem"]
    assert rows(emulator, "SELECT Id FROM PermissionSet WHERE Name = 'L'") == []


def test_check_only_writes_nothing(md: MetadataClient, emulator: Any) -> None:
    result = md.deploy(
        make_zip({("PermissionSet", "Dry"): perm_set("Dry", {}, {"ApiEnabled": True})}), checkOnly=True
    )
    assert text(result, "success") == "true" and text(result, "checkOnly") == "true"
    assert rows(emulator, "SELECT Id FROM PermissionSet WHERE Name = 'Dry'") == []


def test_missing_file_is_a_failure(md: MetadataClient) -> None:
    zipped = make_zip({("PermissionSet", "A"): perm_set("A", {}, {})})
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(zipped)) as src, zipfile.ZipFile(out, "w") as dst:
        dst.writestr("package.xml", src.read("package.xml"))
    failure = messages(md.deploy(out.getvalue()), "componentFailures")[0]
    assert "was named in package.xml, but was not found" in failure["problem"]


def test_group_with_muting_set(md: MetadataClient, emulator: Any) -> None:
    muting = doc("MutingPermissionSet", "<label>Mute</label>\n" + OBJ.format(obj="Contact", edit="false"))
    group = doc(
        "PermissionSetGroup",
        "<label>G</label>\n<mutingPermissionSets>Mute</mutingPermissionSets>\n<permissionSets>Member</permissionSets>\n",
    )
    zipped = make_zip({
        ("PermissionSetGroup", "G"): group,
        ("PermissionSet", "Member"): perm_set("Member", {"Account": False, "Contact": False}, {"ApiEnabled": True}),
        ("MutingPermissionSet", "Mute"): muting,
    })  # fmt: skip
    result = md.deploy(zipped)
    assert text(result, "success") == "true", messages(result, "componentFailures")
    group_id = rows(emulator, "SELECT Id FROM PermissionSetGroup WHERE DeveloperName = 'G'")[0]["Id"]
    assert (
        len(
            rows(
                emulator,
                f"SELECT Id FROM PermissionSetGroupComponent WHERE PermissionSetGroupId = '{group_id}'",
            )
        )
        == 2
    )
    aggregate = rows(emulator, f"SELECT Id FROM PermissionSet WHERE PermissionSetGroupId = '{group_id}'")[0][
        "Id"
    ]
    objects = {
        r["SobjectType"]
        for r in rows(emulator, f"SELECT SobjectType FROM ObjectPermissions WHERE ParentId = '{aggregate}'")
    }
    assert objects == {"Account"}  # Contact muted inside the group
    _, files = md.retrieve({"PermissionSetGroup": ["G"]})
    assert (
        b"<mutingPermissionSets>Mute</mutingPermissionSets>"
        in files["permissionsetgroups/G.permissionsetgroup"]
    )


def test_retrieve_round_trips_and_list_and_describe(md: MetadataClient) -> None:
    md.deploy(make_zip({("PermissionSet", "R"): perm_set("R", {"Account": True}, {"ApiEnabled": True})}))
    result, files = md.retrieve({"PermissionSet": ["R", "Nope"]})
    assert text(result, "status") == "Succeeded"
    body = files["permissionsets/R.permissionset"].decode()
    assert (
        "<object>Account</object>" in body
        and "<allowEdit>true</allowEdit>" in body
        and "<name>ApiEnabled</name>" in body
    )
    assert b"<members>R</members>" in files["package.xml"]
    assert "named 'Nope' cannot be found" in "".join(
        m.findtext(f"{{{MD}}}problem") or "" for m in result.findall(f"{{{MD}}}messages")
    )
    listed = md.result(
        "listMetadata", "<queries><type>PermissionSet</type></queries><asOfVersion>64.0</asOfVersion>"
    )
    assert "R" in {text(el, "fullName") for el in listed.getparent().findall(f"{{{MD}}}result")}
    described = md.result("describeMetadata", "<asOfVersion>64.0</asOfVersion>")
    names = {text(o, "xmlName") for o in described.findall(f"{{{MD}}}metadataObjects")}
    assert names == {"PermissionSet", "Profile", "PermissionSetGroup", "MutingPermissionSet"}


def test_bad_session_is_a_soap_fault(https: Any, emulator: Any) -> None:
    status, root = MetadataClient(https, emulator.instance_url, "not-a-session").call("describeMetadata", "")
    assert status == 500
    assert root.findtext(".//faultcode") == "sf:INVALID_SESSION_ID"
    assert (
        root.findtext(".//faultstring")
        == "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session"
    )


def test_elements_the_local_org_does_not_store_are_named_in_a_warning(
    md: MetadataClient, emulator: Any
) -> None:
    """Never silently ignored: the component succeeds with problemType Warning (DeployMessage,
    https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_deployresult.htm)
    naming each element the local org does not store, and the line it is on."""
    extra = (
        "<applicationVisibilities><application>standard__Sales</application><visible>true</visible>"
        "</applicationVisibilities>\n"
        "<tabSettings><tab>standard-Account</tab><visibility>Visible</visibility></tabSettings>\n"
        "<hasActivationRequired>false</hasActivationRequired>\n"
    )
    result = md.deploy(
        make_zip({("PermissionSet", "Warned"): perm_set("Warned", {"Account": True}, {}, extra)})
    )
    assert text(result, "success") == "true"
    done = {m["fullName"]: m for m in messages(result, "componentSuccesses")}["Warned"]
    assert done["problemType"] == "Warning"
    assert "applicationVisibilities (line" in done["problem"] and "tabSettings (line" in done["problem"]
    assert "hasActivationRequired" not in done["problem"] and int(done["lineNumber"]) > 1
    plain = md.deploy(make_zip({("PermissionSet", "Plain"): perm_set("Plain", {"Account": True}, {})}))
    assert "problemType" not in {m["fullName"]: m for m in messages(plain, "componentSuccesses")}["Plain"]


def test_retrieve_after_a_profile_overlay_keeps_what_the_file_omitted(md: MetadataClient) -> None:
    """Profile deploys overlay (meta_profile.htm): a retrieve after an overlay that names only one user
    permission still returns the object permissions and the other permission of the first deploy."""
    first = doc(
        "Profile",
        "<custom>true</custom><userLicense>Salesforce</userLicense>\n"
        + OBJ.format(obj="Contact", edit="true")
        + PERM.format(name="ApiEnabled", on="true") + PERM.format(name="ViewSetup", on="true"),
    )  # fmt: skip
    assert text(md.deploy(make_zip({("Profile", "Overlay Profile"): first})), "success") == "true"
    overlay = doc("Profile", PERM.format(name="ViewSetup", on="false"))
    assert text(md.deploy(make_zip({("Profile", "Overlay Profile"): overlay})), "success") == "true"
    result, files = md.retrieve({"Profile": ["Overlay Profile"]})
    assert text(result, "status") == "Succeeded"
    body = files["profiles/Overlay Profile.profile"].decode()
    assert "<object>Contact</object>" in body and "<allowEdit>true</allowEdit>" in body
    assert "<name>ApiEnabled</name>" in body
    assert "<enabled>true</enabled><name>ViewSetup</name>" not in body.replace("\n", "").replace(" ", "")

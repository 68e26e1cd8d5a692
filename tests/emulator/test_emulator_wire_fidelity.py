"""Wire details that differ from Salesforce (issue 15), each as a real org answers, with its source."""

from __future__ import annotations

from typing import Any

import pytest

from support.org_setup import Admin


def _get(org: Any, https: Any, path: str, **params: str) -> Any:
    url = f"{org.instance_url}/services/data/v64.0/{path}"
    return https.get(url, params=params, headers={"Authorization": f"Bearer {org.admin_token}"})


def _send(org: Any, https: Any, method: str, path: str, body: Any = None, **params: str) -> Any:
    url = f"{org.instance_url}/services/data/v64.0/{path}"
    auth = {"Authorization": f"Bearer {org.admin_token}"}
    return https.request(method, url, json=body, params=params, headers=auth)


def test_q_invalid_answers_exactly_as_a_real_org(emulator: Any, https: Any) -> None:
    """jesperkristensen/node-salesforce-connection, salesforce-test.js (run against a real org)."""
    answer = _get(emulator, https, "query", q="invalid")
    assert answer.status_code == 400
    [error] = answer.json()
    assert list(error.items()) == [
        ("message", "unexpected token: 'invalid'"),
        ("errorCode", "MALFORMED_QUERY"),
    ]


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT Id FROM NoSuchThing", "INVALID_TYPE"),
        ("SELECT NoSuchField FROM Account", "INVALID_FIELD"),
        ("SELECT Id FROM Account WHERE", "MALFORMED_QUERY"),
    ],
)
def test_query_errors_carry_no_fields_key(emulator: Any, https: Any, soql: str, code: str) -> None:
    [error] = _get(emulator, https, "query", q=soql).json()
    assert list(error) == ["message", "errorCode"] and error["errorCode"] == code


def test_not_found_carries_no_fields_key(emulator: Any, https: Any) -> None:
    """Real responses quoted in clients' tests: [{"errorCode":"NOT_FOUND","message":"The requested ..."}]."""
    answer = _get(emulator, https, "sobjects/Account/001000000000000AAA")
    assert answer.status_code == 404
    assert answer.json() == [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
    assert list(answer.json()[0]) == ["errorCode", "message"]


@pytest.mark.parametrize("sobject", ["Contact", "User"])
def test_an_invalid_email_is_refused(emulator: Any, https: Any, sobject: str) -> None:
    """salesforce-test.js: INVALID_EMAIL_ADDRESS "Email: invalid email address: not an email" [Email]."""
    admin = Admin.of(emulator)
    body: dict[str, Any] = {"LastName": "Smith", "Email": "not an email"}
    if sobject == "User":
        body |= {
            "Username": "smith@acme.example",
            "Alias": "smith",
            "ProfileId": admin.profile_id("Minimum Access - Salesforce"),
            "TimeZoneSidKey": "Europe/Paris",
            "LocaleSidKey": "en_US",
            "EmailEncodingKey": "UTF-8",
            "LanguageLocaleKey": "en_US",
        }
    answer = _send(emulator, https, "POST", f"sobjects/{sobject}", body)
    assert answer.status_code == 400
    assert answer.json() == [
        {
            "message": "Email: invalid email address: not an email",
            "errorCode": "INVALID_EMAIL_ADDRESS",
            "fields": ["Email"],
        }
    ]


@pytest.mark.parametrize("name", ["1bad", "has space", "a__b", "ends_", "x" * 81])
def test_a_permission_set_name_that_is_no_api_name_is_refused(emulator: Any, https: Any, name: str) -> None:
    answer = _send(emulator, https, "POST", "sobjects/PermissionSet", {"Name": name, "Label": "L"})
    assert answer.status_code == 400
    [error] = answer.json()
    assert error["errorCode"] == ("STRING_TOO_LONG" if len(name) > 80 else "FIELD_INTEGRITY_EXCEPTION")
    assert error["fields"] == ["Name"]


@pytest.mark.parametrize("field", ["Label", "Description"])
def test_300_character_label_or_description_is_refused(emulator: Any, https: Any, field: str) -> None:
    body = {"Name": "Fine_Name", "Label": "Fine", field: "y" * 300}
    answer = _send(emulator, https, "POST", "sobjects/PermissionSet", body)
    assert answer.status_code == 400
    [error] = answer.json()
    assert error["errorCode"] == "STRING_TOO_LONG" and error["fields"] == [field]
    assert error["message"].endswith(f"(max length={80 if field == 'Label' else 255})")


def test_good_names_still_pass_and_renames_are_checked(emulator: Any, https: Any) -> None:
    admin = Admin.of(emulator)
    set_id = admin.permission_set("Good_Name_2")
    answer = _send(emulator, https, "PATCH", f"sobjects/PermissionSet/{set_id}", {"Name": "bad__name"})
    assert answer.status_code == 400 and answer.json()[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"


def test_user_login_ids_start_0yw(emulator: Any) -> None:
    admin = Admin.of(emulator)
    admin.user("login@acme.example", "Minimum Access - Salesforce")
    rows = admin.client.query("SELECT Id FROM UserLogin")
    assert rows and all(str(r["Id"]).startswith("0Yw") for r in rows)


def test_a_duplicate_license_assignment_says_duplicate_value_found(emulator: Any, https: Any) -> None:
    """`sf org assign permsetlicense` treats "duplicate value found..." as already assigned
    (salesforcecli/plugin-user, src/commands/org/assign/permsetlicense.ts)."""
    admin = Admin.of(emulator)
    lic = admin.id_of("SELECT Id FROM UserLicense WHERE Name = 'Salesforce Integration'")
    admin.create("Profile", Name="Integration Profile", UserLicenseId=lic)
    user = admin.user("psl@acme.example", "Integration Profile")
    admin.assign_psl(user)
    body = {"AssigneeId": user, "PermissionSetLicenseId": admin.psl_id()}
    answer = _send(emulator, https, "POST", "sobjects/PermissionSetLicenseAssign", body)
    assert answer.status_code == 400
    [error] = answer.json()
    assert error["errorCode"] == "DUPLICATE_VALUE"
    assert error["message"].startswith("duplicate value found")


def test_collection_delete_without_ids_is_refused(emulator: Any, https: Any) -> None:
    answer = _send(emulator, https, "DELETE", "composite/sobjects")
    assert answer.status_code == 400
    assert answer.json() == [{"message": "At least 1 Id is required.", "errorCode": "REQUIRED_FIELD_MISSING"}]


def test_tooling_describe_global_answers(emulator: Any, https: Any) -> None:
    answer = _get(emulator, https, "tooling/sobjects")
    assert answer.status_code == 200
    names = {s["name"] for s in answer.json()["sobjects"]}
    assert "PermissionDependency" in names  # Tooling-only objects are listed here
    entry = next(s for s in answer.json()["sobjects"] if s["name"] == "PermissionSet")
    assert entry["urls"]["sobject"].startswith("/services/data/v64.0/tooling/sobjects/")


def test_describe_global_entries_carry_every_key(emulator: Any, https: Any) -> None:
    """resources_describeGlobal.htm: the entry keys of a current org."""
    [entry] = [s for s in _get(emulator, https, "sobjects").json()["sobjects"] if s["name"] == "Account"]
    for key in ("associateEntityType", "associateParentEntity", "deepCloneable", "hasSubtypes"):
        assert key in entry
    assert (entry["isInterface"], entry["isSubtype"]) == (False, False)

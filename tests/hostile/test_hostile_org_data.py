"""Hostile org data: labels, descriptions and names with quotes, SOQL metacharacters, HTML, bidi controls and
emoji, and a 100,000-row table, flowing through verify, explain and snapshot (live and offline).

Outcome: exit 0/1 as the access says, the strings come back exactly (JSON) and unchanged (text), every
query literal arrives quoted (the emulator's request log), and a big table is read completely in bounded
time. The guide and build read no org data; their hostile text (from manifests) is covered in
test_hostile_manifest.py, test_hostile_xml.py and test_hostile_guide_html.py.
"""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from leastforce.cli import main
from leastforce.emulator.store.org_store import Caller
from support.org_setup import Admin

HOSTILE = [
    "<script>alert('x')</script>",
    'O\'Brien "the" \\ back\\slash',
    "x' OR Name != '",
    "100% _under_ %",
    "\u202eevil\u202c reversed",
    "日本語 ✓ 😀",
    "&amp; &lt;b&gt; <img src=x onerror=alert(1)>",
]
MANIFEST = textwrap.dedent(
    """\
    manifest: 1
    integration: Acme
    summary: Acme reads accounts.
    user: {license: Salesforce}
    permission_sets:
      - {name: Acme_Sync, label: Acme Sync}
    features:
      sync:
        summary: Read accounts
        requires:
          - {permission: ApiEnabled, why: the API}
          - {object: Account, access: [read], why: accounts}
    """
)
# Apostrophes, percent signs and underscores are legal in an email's local part (RFC 5322 atext).
USERNAME = "o'brien%_x@acme.example"


@pytest.fixture
def cli(emulator: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    monkeypatch.setenv("SF_ACCESS_TOKEN", emulator.admin_token)
    monkeypatch.setenv("SF_CA_BUNDLE", emulator.ca_bundle)
    monkeypatch.setenv("LEASTFORCE_ORG", emulator.instance_url)

    def invoke(*args: str) -> tuple[int, str]:
        with pytest.raises(SystemExit) as done:
            main(list(args))
        captured = capsys.readouterr()
        out = captured.out + captured.err
        assert "Traceback" not in out and "internal error" not in out, out
        return int(done.value.code or 0), captured.out

    return invoke


@pytest.fixture
def hostile_org(emulator: Any) -> Admin:
    """One set per hostile label, all assigned to a user whose name is hostile too; a decoy user whose
    username would match USERNAME if % and _ were wildcards."""
    admin = Admin.of(emulator)
    user = admin.user(USERNAME, "Minimum Access - Salesforce", FirstName=HOSTILE[0])
    admin.update("User", user, LastName=HOSTILE[1])
    admin.user("obrienXYx@acme.example", "Standard User")
    for number, label in enumerate(HOSTILE):
        ps = admin.create("PermissionSet", Name=f"Hostile_{number}", Label=label[:80], Description=label)
        admin.assign(user, set_id=ps)
    granting = admin.permission_set("Acme_Grant", permissions=["ApiEnabled"], objects={"Account": "read"})
    admin.client.request("PATCH", f"sobjects/PermissionSet/{granting}", json={"Label": HOSTILE[2]})
    admin.assign(user, set_id=granting)
    return admin


def test_verify_and_explain_carry_hostile_labels_exactly(
    hostile_org: Admin, cli: Any, emulator: Any, tmp_path: Path
) -> None:
    manifest = tmp_path / "acme.yaml"
    manifest.write_text(MANIFEST)
    code, out = cli("verify", str(manifest), "--user", USERNAME, "--json")
    body = json.loads(out)
    assert code == 0 and body["result"]["passed"] is True
    sync = next(f for f in body["result"]["features"] if f["name"] == "sync")
    assert {s["name"] for r in sync["requirements"] for s in r["satisfiedBy"]} == {"Acme_Grant"}
    code, text = cli("verify", str(manifest), "--user", USERNAME)
    assert code == 0 and USERNAME in text
    code, out = cli("explain", "--user", USERNAME, "ApiEnabled", "--json")
    result = json.loads(out)["result"]
    assert code == 0 and result["user"] == USERNAME and result["granted"] is True
    assert [p["name"] for p in result["paths"]] == ["Acme_Grant"]
    code, text = cli("explain", "--user", USERNAME, "Account:read")
    assert code == 0 and "permission set Acme_Grant" in text
    # the username went out as one quoted literal: no wildcard, no extra clause
    queries = [line for line in emulator.requests_log() if "FROM User WHERE" in line]
    assert queries and all("Username = 'o\\'brien%_x@acme.example'" in q for q in queries), queries


def test_unknown_username_full_of_soql_metacharacters_is_not_injected(
    cli: Any, emulator: Any, tmp_path: Path
) -> None:
    manifest = tmp_path / "acme.yaml"
    manifest.write_text(MANIFEST)
    for username in ("x' OR Name != '", "%", "_", "a\\' OR Id != null OR Id = \\'", "x') OR (Name != 'y"):
        code, _ = cli("verify", str(manifest), "--user", username)
        assert code in (2, 3)
        code, _ = cli("explain", "--user", username, "ApiEnabled")
        assert code in (2, 3)
    for line in emulator.requests_log():
        if "FROM User WHERE" in line:
            literal = line.split("WHERE Username = ", 1)[1]
            literal = literal.removesuffix(
                " AND Id NOT IN (SELECT UserId FROM UserLogin WHERE IsFrozen = true)"
            )
            assert literal.startswith("'") and literal.endswith("'"), line
            inner = literal[1:-1].replace("\\\\", "").replace("\\'", "")
            assert "'" not in inner, f"an unescaped quote reached the org: {line}"


def test_snapshot_keeps_hostile_strings_and_offline_answers_match(
    hostile_org: Admin, cli: Any, emulator: Any, tmp_path: Path
) -> None:
    snap = tmp_path / "org.sqlite"
    code, _ = cli("snapshot", "-o", str(snap), "--json")
    assert code == 0
    assert snap.stat().st_mode & 0o777 == 0o600
    live = json.loads(cli("explain", "--user", USERNAME, "Account:read", "--json")[1])
    offline = json.loads(
        cli("explain", "--org", f"snapshot:{snap}", "--user", USERNAME, "Account:read", "--json")[1]
    )
    for body in (live, offline):
        body["result"].pop("apiCalls", None)
    assert offline == live
    from leastforce.org.snapshot_file import load_snapshot

    labels = {ps.label for ps in load_snapshot(snap).permission_sets.values()}
    assert {h[:80] for h in HOSTILE} <= labels


def test_a_100k_row_table_is_read_completely(emulator: Any, cli: Any, tmp_path: Path) -> None:
    store = emulator.store
    ps = store.create(
        "PermissionSet", {"Name": "Big", "Label": HOSTILE[0]}, caller=Caller(store.admin_user_id)
    )
    store.bulk_insert(
        "FieldPermissions",
        (
            {"ParentId": ps, "SobjectType": "Account", "Field": f"Account.F{i}__c", "PermissionsRead": True}
            for i in range(100_000)
        ),
    )
    snap = tmp_path / "big.sqlite"
    started = time.monotonic()
    code, out = cli("snapshot", "-o", str(snap), "--json")
    assert code == 0, out
    assert time.monotonic() - started < 60
    from leastforce.org.snapshot_file import load_snapshot

    loaded = load_snapshot(snap)
    big = next(s for s in loaded.permission_sets.values() if s.name == "Big")
    assert len(big.fields) == 100_000

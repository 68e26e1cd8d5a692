"""plan checks that what the manifest names exists before anything is written: a custom field the org
lacks is a blocker like a missing object or package set, all of them are listed at once, and apply
writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from leastforce.catalog import load_catalog
from leastforce.desired import desired_setup
from leastforce.manifest import load_manifest
from leastforce.org.read.for_plan import read_for_plan
from leastforce.planning.changes import CurrentOrg
from leastforce.planning.diff import plan
from support.cli import run_cli
from support.plan import client_for, org_state

MANIFEST = """\
manifest: 1
integration: Scorer
summary: Scorer writes a score to accounts.
permission_sets:
  - name: Scorer_Integration
features:
  score:
    summary: Write the score.
    requires:
      - {permission: ApiEnabled, why: Scorer uses the API.}
      - {object: Account, access: [read, edit], why: Scorer updates accounts.}
      - {field: Account.Score__c, access: [read, edit], why: Scorer writes its score here.}
      - {field: Contact.Scorer_Rank__c, access: [read], why: Scorer reads the contact rank.}
      - {object: Widget__c, access: [read], why: Scorer reads widgets.}
      - {package_permission_set: Scorer Package User, why: The package's own set.}
"""


def _manifest(tmp_path: Path, *, only_the_field: bool = False) -> Path:
    """The manifest; ``only_the_field``: without the missing object and package set, so that the custom
    field is the only thing the org lacks."""
    path = tmp_path / "scorer.yaml"
    lines = MANIFEST.splitlines(keepends=True)
    if only_the_field:
        lines = [
            line
            for line in lines
            if "Widget__c" not in line and "package" not in line and "Contact" not in line
        ]
    path.write_text("".join(lines))
    return path


def test_plan_lists_every_missing_custom_field_object_and_package_set_at_once(
    emulator: Any, tmp_path: Path
) -> None:
    catalog = load_catalog()
    desired = desired_setup(load_manifest(_manifest(tmp_path), catalog).manifest, catalog)
    client = client_for(emulator)

    current = read_for_plan(client, desired, catalog, "scorer@acme.example")
    changes = plan(desired, current, catalog, username="scorer@acme.example")

    assert current.custom_fields == frozenset()
    assert sorted((f.subject, f.message) for f in changes.blockers) == [
        (
            "Account.Score__c",
            "custom field 'Account.Score__c' is not in this org: create it (or install the package that adds"
            " it) first",
        ),
        (
            "Contact.Scorer_Rank__c",
            "custom field 'Contact.Scorer_Rank__c' is not in this org: create it (or install the package that"
            " adds it) first",
        ),
        (
            "Scorer Package User",
            "package permission set 'Scorer Package User' is not in this org (install its package first)",
        ),
        ("Widget__c", "object 'Widget__c' is not in this org (feature off or not licensed)"),
    ]


def test_apply_with_a_missing_custom_field_writes_nothing(org_env: Any, capsys: Any, tmp_path: Path) -> None:
    before = org_state(org_env.store)
    code, out = run_cli(
        [
            "apply",
            str(_manifest(tmp_path, only_the_field=True)),
            "--user",
            "scorer@acme.example",
            "--yes",
            "--json",
        ],
        capsys,
    )
    assert code != 0
    assert "custom field 'Account.Score__c' is not in this org" in json.dumps(json.loads(out))
    assert "Widget__c" not in out and "Scorer Package User" not in out
    assert org_state(org_env.store) == before


def test_a_custom_field_the_org_has_is_no_blocker(tmp_path: Path) -> None:
    catalog = load_catalog()
    desired = desired_setup(load_manifest(_manifest(tmp_path), catalog).manifest, catalog)
    current = CurrentOrg(
        objects=frozenset({"Account", "Contact", "Widget__c"}),
        custom_fields=frozenset({"Account.Score__c", "Contact.Scorer_Rank__c"}),
    )
    changes = plan(desired, current, catalog)
    assert not [f for f in changes.blockers if "custom field" in f.message]
    assert changes.findings  # the org was barely described: other findings remain, none about the fields


def test_custom_fields_are_not_checked_when_the_org_was_not_read(tmp_path: Path) -> None:
    catalog = load_catalog()
    desired = desired_setup(load_manifest(_manifest(tmp_path), catalog).manifest, catalog)
    changes = plan(desired, CurrentOrg(objects=frozenset({"Account", "Contact", "Widget__c"})), catalog)
    assert not [f for f in changes.blockers if "custom field" in f.message]


def test_a_custom_field_without_field_level_security_is_a_blocker(tmp_path: Path) -> None:
    """The org's describe says ``permissionable: false`` (a required or master-detail custom field):
    Salesforce refuses its FieldPermissions row, so plan says so before any write."""
    catalog = load_catalog()
    desired = desired_setup(load_manifest(_manifest(tmp_path), catalog).manifest, catalog)
    current = CurrentOrg(
        objects=frozenset({"Account", "Contact", "Widget__c"}),
        custom_fields=frozenset({"Account.Score__c", "Contact.Scorer_Rank__c"}),
        unprotected_fields=frozenset({"Account.Score__c"}),
    )
    [blocker] = [f for f in plan(desired, current, catalog).blockers if "custom field" in f.message]
    assert blocker.subject == "Account.Score__c"
    assert "takes no field-level security in this org" in blocker.message


def test_read_for_plan_reads_permissionable_from_the_describe() -> None:
    from leastforce.org.read.for_plan import _custom_fields

    class Describe:
        calls = 0

        def request(self, method: str, path: str, **_: Any) -> Any:
            assert (method, path) == ("GET", "sobjects/Account/describe")
            return {"fields": [{"name": "Score__c", "permissionable": False}, {"name": "Tier__c"}]}

    names = {"Account.Score__c", "Account.Tier__c", "Account.Gone__c"}
    found, unprotected = _custom_fields(Describe(), names, frozenset({"Account"}))  # type: ignore[arg-type]
    assert found == {"Account.Score__c", "Account.Tier__c"} and unprotected == {"Account.Score__c"}

"""The plan's text and JSON rendering, exactly."""

from __future__ import annotations

from leastforce.planning.changes import Action, Change, ChangeSet, Finding, FindingKind, Step
from leastforce.render.json.plan import change_set_output
from leastforce.render.text.plan import render
from leastforce.values.model import frozen_map

CHANGES = ChangeSet(
    integration="Upflow",
    username="u@example.com",
    changes=(
        Change(
            Step.PERMISSION_SET,
            Action.CREATE,
            "PermissionSet",
            "PermissionSet:Upflow_Permissions",
            'Setup > Permission Sets > New: Label "Upflow Permissions", API Name Upflow_Permissions',
            frozen_map(
                {"Name": "Upflow_Permissions", "PermissionsApiEnabled": True, "PermissionsViewSetup": False}
            ),
        ),
        Change(
            Step.ROWS_SHRINK,
            Action.DELETE,
            "ObjectPermissions",
            'permission set "Upflow Permissions"/Lead',
            'permission set "Upflow Permissions", Object Settings > Lead: remove Read (not in the manifest)',
            record_id="110000000000001AAA",
        ),
    ),
    matches=("user u@example.com: exists, profile Upflow API Profile, active",),
    findings=(
        Finding(
            FindingKind.BLOCKER,
            "Elements Admins",
            "package permission set 'Elements Admins' is not in this org",
        ),
    ),
)

EXPECTED = """\
Plan: Upflow (user u@example.com): 1 to create, 0 to update, 1 to remove; 1 already match

Permission sets:
  + Setup > Permission Sets > New: Label "Upflow Permissions", API Name Upflow_Permissions
      API: POST PermissionSet {Name='Upflow_Permissions', PermissionsApiEnabled=true}
Object and field permissions:
  - permission set "Upflow Permissions", Object Settings > Lead: remove Read (not in the manifest)
      API: DELETE ObjectPermissions 110000000000001AAA

Reported, not changed:
  ! blocker: package permission set 'Elements Admins' is not in this org

Already as the manifest needs:
  = user u@example.com: exists, profile Upflow API Profile, active
"""


def test_render_text_exactly() -> None:
    assert render(CHANGES) == EXPECTED


def test_render_json() -> None:
    body = change_set_output(CHANGES).dump()
    assert body["inSync"] is False
    assert body["changes"][1] == {
        "step": "rows_shrink",
        "action": "delete",
        "sobject": "ObjectPermissions",
        "key": 'permission set "Upflow Permissions"/Lead',
        "setup": 'permission set "Upflow Permissions", Object Settings > Lead: remove Read (not in the manifest)',
        "api": "DELETE ObjectPermissions 110000000000001AAA",
        "recordId": "110000000000001AAA",
        "values": {},
        "refs": {},
        "before": {},
    }
    assert body["findings"] == [
        {
            "kind": "blocker",
            "subject": "Elements Admins",
            "message": "package permission set 'Elements Admins' is not in this org",
        }
    ]


def test_in_sync_summary() -> None:
    empty = ChangeSet(integration="Upflow", username="")
    assert render(empty).startswith("Plan: Upflow: in sync, nothing to change; 0 already match\n")

"""Golden text for the verify renderer (plain and colored)."""

from __future__ import annotations

from test_verify_core import run

from leastforce.manifest.model import Feature
from leastforce.render.text.verify import render
from leastforce.values.model import ObjectRight
from leastforce.values.requirements import AnyOf, ObjectReq, PermissionReq
from support.factories import INTEGRATION_USER, integration_org, make_catalog

R = ObjectRight
CAT = make_catalog()

SYNC = (
    "sync",
    [
        ObjectReq("Account", frozenset({R.READ, R.VIEW_ALL_RECORDS}), why="import accounts"),
        PermissionReq("ApiEnabled"),
    ],
)
EXPORT = Feature(
    "export",
    optional=True,
    requires=(
        ObjectReq("Account", frozenset({R.EDIT}), why="write back scores"),
        AnyOf(
            (PermissionReq("ModifyAllData"), PermissionReq("ManageRemoteAccess")),
            why="install the connected app",
        ),
    ),
)

GOLDEN = """\
Upflow: verify int@x.com: FAILED (3 missing)

User
  ✓ user is active
  ✓ user is not frozen
  ✓ user license Salesforce Integration
  ✓ profile Minimum Access - API Only Integrations
  ✓ permission ApiUserOnly (API Only User)  (profile Minimum Access - API Only Integrations)
  ✗ permission set license Salesforce API Integration
      fix: In Setup > Users > int@x.com > Permission Set License Assignments, click Edit Assignments, \
check "Salesforce API Integration" and save. Assign it before the permission sets that need it.

Feature sync: passed
  ✓ object Account: Read, View All Records  (permission set Upflow_Permissions)
  ✓ permission ApiEnabled (API Enabled)  (profile Minimum Access - API Only Integrations)

Feature export (optional): MISSING
  ✗ object Account: Edit
      why: write back scores
      missing: Edit
      fix: In Setup > Permission Sets > Upflow Permissions > Object Settings > Accounts, click Edit, \
check Edit, and save.
  ✗ any of
      why: install the connected app
      fix: Any one of: (1) In Setup > Permission Sets > Upflow Permissions > System Permissions, click Edit, \
check "Modify All Data" (ModifyAllData) and save. Or: (2) In Setup > Permission Sets > Upflow Permissions > \
System Permissions, click Edit, check "Manage Connected Apps" (ManageRemoteAccess) and save.
      ✗ permission ModifyAllData (Modify All Data)
      ✗ permission ManageRemoteAccess (Manage Connected Apps)

Warnings
  ! License mismatch: permission set Upflow_Permissions needs the permission set license Salesforce API \
Integration, not assigned to the user.
"""


def failing_result():
    builder = integration_org()
    builder._psls.clear()
    return run(builder, SYNC, EXPORT, user=INTEGRATION_USER, with_optional=True)


def test_render_plain_golden():
    assert render(failing_result(), catalog=CAT) == GOLDEN


def test_render_does_not_wrap_long_fix_lines():
    assert render(failing_result(), catalog=CAT, width=40) == GOLDEN


def test_render_passed_golden():
    result = run(integration_org(), SYNC, user=INTEGRATION_USER)
    assert render(result, catalog=CAT).splitlines()[0] == "Upflow: verify int@x.com: PASSED"


def test_render_color_only_when_asked():
    colored = render(failing_result(), catalog=CAT, color=True)
    assert "\x1b[" not in render(failing_result(), catalog=CAT)
    assert colored.startswith("\x1b[1mUpflow: verify int@x.com: \x1b[0m\x1b[1;31mFAILED (3 missing)\x1b[0m\n")
    assert "\x1b[32m✓\x1b[0m user is active" in colored


def test_render_not_checked_and_role():
    from dataclasses import replace

    from leastforce.access.resolve import effective_access
    from leastforce.checks.verify.check import verify
    from leastforce.manifest.model import ProfileSpec, Role, UserSpec
    from support.factories import OrgBuilder, make_manifest

    snap = OrgBuilder().user("int@x.com").build()
    user = replace(snap.user_by_username("int@x.com"), profile_id="", profile_name="")
    access = effective_access(replace(snap, users={user.id: user}), "int@x.com", catalog=CAT)
    manifest = make_manifest(
        user=UserSpec(profile=ProfileSpec("X")),
        roles=(Role("pusher", requires=(PermissionReq("ApiEnabled"),)),),
    )
    text = render(verify(manifest, access, CAT), catalog=CAT)
    assert "  ? profile X  (not checked: profile unknown)\n" in text
    text = render(verify(manifest, access, CAT, role="pusher"), catalog=CAT)
    assert text.endswith(
        "Role pusher: MISSING\n  ✗ permission ApiEnabled (API Enabled)\n      fix: In Setup > Permission Sets > "
        '(a permission set assigned to int@x.com) > System Permissions, click Edit, check "API Enabled" (ApiEnabled) and save.\n'
    )


def test_render_license_warnings():
    from leastforce.access.resolve import effective_access
    from leastforce.checks.verify.check import verify
    from support.factories import OrgBuilder, make_manifest

    builder = (
        OrgBuilder()
        .profile("Integration", license="Salesforce Integration")
        .permission_set("Full_License", license="Salesforce", perms=["ApiEnabled"])
        .user("int@x.com", profile="Integration")
        .assign("int@x.com", "Full_License")
    )
    access = effective_access(builder.build(), "int@x.com", catalog=CAT)
    result = verify(make_manifest(("sync", [PermissionReq("ApiEnabled")])), access, CAT)
    assert result.passed
    assert render(result, catalog=CAT).endswith(
        "\nWarnings\n  ! License mismatch: permission set Full_License has the user license Salesforce;"
        " the user has Salesforce Integration.\n"
    )

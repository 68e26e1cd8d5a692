"""user.api_only / user.password_never_expires are tri-state, verified both ways; user.session is not checked."""

from __future__ import annotations

from leastforce.access.resolve import effective_access
from leastforce.catalog import load_catalog
from leastforce.checks.verify.check import Status, user_requirements, verify
from leastforce.manifest.model import SessionSpec, UserSpec
from leastforce.render.json.verify import verify_output
from leastforce.values.requirements import PermissionReq, ProfileSessionReq, UserPermissionStateReq
from support.factories import MIN_ACCESS, OrgBuilder, make_catalog, make_manifest

CAT = make_catalog()
USER = "int@x.com"


def run(builder: OrgBuilder, user: UserSpec):
    access = effective_access(builder.build(), USER, catalog=CAT)
    return verify(make_manifest(user=user), access, CAT)


def check_of(result, name):
    return next(r for r in result.user_checks if getattr(r.requirement, "name", "") == name)


def test_unset_keys_add_no_checks():
    reqs = user_requirements(make_manifest(user=UserSpec()))
    assert not [r for r in reqs if isinstance(r, PermissionReq | UserPermissionStateReq | ProfileSessionReq)]


def test_api_only_false_fails_when_a_permission_set_makes_the_user_api_only():
    builder = (
        OrgBuilder()
        .profile(MIN_ACCESS, perms=["ApiEnabled"])
        .permission_set("Api_Only", perms=["ApiUserOnly"], label="Api Only")
        .user(USER)
        .assign(USER, "Api_Only")
    )
    result = run(builder, UserSpec(api_only=False))
    assert not result.passed
    check = check_of(result, "ApiUserOnly")
    assert check.status is Status.MISSING
    assert check.missing == ("permission set Api_Only",)
    assert (
        'Setup > Permission Sets > Api_Only > System Permissions, click Edit, clear "API Only User"'
        in check.fix
    )
    assert f"remove {USER}'s assignment of Api_Only" in check.fix


def test_api_only_false_passes_without_it_and_fails_on_an_api_only_license():
    ok = OrgBuilder().profile(MIN_ACCESS, perms=["ApiEnabled"]).user(USER)
    assert run(ok, UserSpec(api_only=False)).passed
    licensed = (
        OrgBuilder().profile(MIN_ACCESS, perms=["ApiEnabled"], license="Salesforce Integration").user(USER)
    )
    real = load_catalog()  # its Salesforce Integration license is API only
    access = effective_access(licensed.build(), USER, catalog=real)
    result = verify(make_manifest(user=UserSpec(api_only=False)), access, real)
    check = check_of(result, "ApiUserOnly")
    assert check.status is Status.MISSING
    assert "user license Salesforce Integration always grants" in check.fix


def test_password_never_expires_true_fails_without_it_and_passes_with_it():
    without = OrgBuilder().profile(MIN_ACCESS, perms=["ApiEnabled"]).user(USER)
    result = run(without, UserSpec(password_never_expires=True))
    check = check_of(result, "PasswordNeverExpires")
    assert check.status is Status.MISSING and not result.passed
    assert check.fix.startswith(f"In Setup > Profiles > {MIN_ACCESS} > System Permissions, click Edit, check")
    assert "(PasswordNeverExpires)" in check.fix
    with_it = OrgBuilder().profile(MIN_ACCESS, perms=["ApiEnabled", "PasswordNeverExpires"]).user(USER)
    assert run(with_it, UserSpec(password_never_expires=True)).passed


def test_password_never_expires_false_fails_when_the_profile_grants_it():
    builder = OrgBuilder().profile(MIN_ACCESS, perms=["PasswordNeverExpires"]).user(USER)
    result = run(builder, UserSpec(password_never_expires=False))
    check = check_of(result, "PasswordNeverExpires")
    assert check.status is Status.MISSING
    assert check.fix.startswith(f"In Setup > Profiles > {MIN_ACCESS} > ")
    assert "clear" in check.fix


def test_session_settings_are_not_checked_never_passed():
    builder = OrgBuilder().profile(MIN_ACCESS).user(USER)
    session = SessionSpec(security_level="none", timeout_minutes=120, why="the vendor logs in without MFA")
    result = run(builder, UserSpec(session=session))
    checks = [r for r in result.user_checks if isinstance(r.requirement, ProfileSessionReq)]
    assert [r.status for r in checks] == [Status.NOT_CHECKED] * 2
    assert 'set "Session Security Level Required at Login" to None' in checks[0].fix
    assert f"Setup > Profiles > {MIN_ACCESS}" in checks[0].fix
    body = verify_output(result, CAT, api_calls=0).dump()
    assert [item["item"] for item in body["notChecked"]] == [
        "profile session security level required at login: none",
        "profile session timeout: 120 minutes",
    ]

"""verify of ``from: profile`` / ``from: permission_set``: a right counts only from the source named."""

from __future__ import annotations

from leastforce.access.resolve import effective_access
from leastforce.checks.verify.check import Status, verify
from leastforce.render.json.verify import verify_output
from leastforce.values.model import ObjectRight
from leastforce.values.requirements import ObjectReq, PermissionReq, Source
from support.factories import OrgBuilder, make_catalog, make_manifest

CAT = make_catalog()
USER = "int@x.com"
PROFILE = "Acme API Profile"


def _result(builder: OrgBuilder, req):
    access = effective_access(builder.build(), USER, catalog=CAT)
    [feature] = verify(make_manifest(("f", [req])), access, CAT).features
    [result] = feature.requirements
    return result


def _org(profile_perms=(), set_perms=()) -> OrgBuilder:
    builder = OrgBuilder().profile(PROFILE, perms=profile_perms)
    builder.permission_set("Acme_Integration", perms=set_perms, label="Acme Integration")
    return builder.user(USER, profile=PROFILE).assign(USER, "Acme_Integration")


def test_a_right_needed_on_the_profile_fails_when_a_permission_set_grants_it():
    req = PermissionReq("ApiEnabled", why="the package reads it from the profile", source=Source.PROFILE)
    result = _result(_org(set_perms=["ApiEnabled"]), req)
    assert result.status is Status.MISSING
    said = "granted by permission set Acme_Integration, but the vendor needs it on the profile"
    assert result.missing[0] == said
    assert result.fix.startswith("Granted by permission set Acme_Integration, but the vendor needs it")
    assert f"Setup > Profiles > {PROFILE}" in result.fix and '"API Enabled"' in result.fix


def test_a_right_needed_on_the_profile_passes_from_the_profile():
    req = PermissionReq("ApiEnabled", source=Source.PROFILE)
    result = _result(_org(profile_perms=["ApiEnabled"], set_perms=["ApiEnabled"]), req)
    assert result.status is Status.PASSED
    assert {g.name for g in result.satisfied_by} == {PROFILE}


def test_a_right_needed_from_a_permission_set_fails_when_only_the_profile_has_it():
    req = ObjectReq("Account", frozenset({ObjectRight.READ}), source=Source.PERMISSION_SET)
    builder = OrgBuilder().profile(PROFILE, objects={"Account": "read"})
    builder.permission_set("Acme_Integration", label="Acme Integration")
    builder.user(USER, profile=PROFILE).assign(USER, "Acme_Integration")
    result = _result(builder, req)
    assert result.status is Status.MISSING
    assert result.missing[0] == f"granted by profile {PROFILE}, but the vendor needs it on a permission set"
    assert "Setup > Permission Sets > Upflow Permissions > Object Settings" in result.fix  # the feature's set


def test_anywhere_is_the_default_and_json_says_where():
    result = _result(_org(set_perms=["ApiEnabled"]), PermissionReq("ApiEnabled"))
    assert result.status is Status.PASSED
    access = effective_access(_org(set_perms=["ApiEnabled"]).build(), USER, catalog=CAT)
    req = PermissionReq("ApiEnabled", source=Source.PROFILE)
    data = verify_output(verify(make_manifest(("f", [req])), access, CAT), CAT, api_calls=0).dump()
    assert data["features"][0]["requirements"][0]["from"] == "profile"

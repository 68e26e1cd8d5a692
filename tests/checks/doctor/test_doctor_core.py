"""diagnose() over facts built in memory: each error names its cause, and org facts confirm or rule it out."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from leastforce.access.resolve import effective_access
from leastforce.catalog import load_catalog
from leastforce.checks.doctor.diagnose import diagnose, manifest_apps, token_lifetime
from leastforce.checks.doctor.model import OrgFacts, Verdict, load_diagnoses
from leastforce.manifest import load_manifest
from leastforce.render.json.doctor import doctor_output
from leastforce.values.model import OAuthToken, Profile
from support.factories import NOW, OrgBuilder
from support.paths import ROOT


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def facts_for(catalog, builder: OrgBuilder, username: str = "int@acme.com", **extra) -> OrgFacts:
    snap = builder.build()
    access = effective_access(snap, username, catalog=catalog, now=NOW)
    return OrgFacts(now=NOW, username=username, access=access, **extra)


def verdicts(result) -> dict[str, Verdict]:
    return {d.id: d.verdict for d in result.diagnoses}


def test_every_diagnosis_has_a_source_and_known_checks():
    from leastforce.checks.doctor.org_checks import CHECKS

    errors, hygiene = load_diagnoses()
    for spec in (*errors, *hygiene):
        assert spec.source and spec.cause and spec.fix
        assert set(spec.checks) <= set(CHECKS), spec.id
    assert all(spec.patterns for spec in errors)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "OAUTH_APPROVAL_ERROR_GENERIC : An unexpected error occurred",
            {"uninstalled-app", "cannot-approve-uninstalled"},
        ),
        (
            '{"error":"invalid_client","error_description":"app must be installed into org"}',
            {"uninstalled-app"},
        ),
        (
            '{"error":"invalid_grant","error_description":"user hasn\'t approved this consumer"}',
            {"not-approved-consumer"},
        ),
        ("invalid_grant: expired access/refresh token", {"expired-authorization"}),
        ("invalid_grant: ip restricted or invalid login hours", {"ip-restricted"}),
        ("invalid_grant: inactive user", {"inactive-user"}),
        ("invalid_grant: authentication failure", {"authentication-failure"}),
        ("INVALID_SESSION_ID: Session expired or invalid", {"invalid-session"}),
        ("[{'errorCode': 'API_DISABLED_FOR_ORG'}]", {"api-disabled"}),
        ("INSUFFICIENT_ACCESS on SOAP login()", {"soap-login-use-any-api-auth"}),
        ("Access Restricted for API Only Users", {"api-only-ui"}),
        ("REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.", {"request-limit"}),
    ],
)
def test_offline_error_texts_name_their_causes(text, expected):
    result = diagnose(text, None)
    found = {d.id for d in result.diagnoses}
    assert expected <= found
    assert all(d.verdict is Verdict.LIKELY for d in result.diagnoses)
    assert all(d.source for d in result.diagnoses) and not result.org_checked


def test_unknown_error_has_no_diagnosis():
    assert diagnose("something odd happened", None).diagnoses == ()


def test_uninstalled_app_confirmed_when_app_missing_and_user_lacks_the_bypass(catalog):
    facts = facts_for(
        catalog,
        OrgBuilder().user("int@acme.com"),
        apps=("Upflow",),
        installed_apps=frozenset({"Salesforce CLI"}),
    )
    found = verdicts(diagnose("OAUTH_APPROVAL_ERROR_GENERIC", facts))
    assert found["uninstalled-app"] is Verdict.CONFIRMED
    assert found["cannot-approve-uninstalled"] is Verdict.CONFIRMED


def test_bypass_permission_and_installed_app_rule_the_causes_out(catalog):
    builder = (
        OrgBuilder()
        .profile("API", perms=["ApiEnabled", "ApiUserOnly"], license="Salesforce Integration")
        .permission_set("Approve", perms=["CanApproveUninstalledApps"])
        .user("int@acme.com", profile="API")
        .assign("int@acme.com", "Approve")
    )
    facts = facts_for(catalog, builder, apps=("Upflow",), installed_apps=frozenset({"upflow"}))
    result = diagnose("OAUTH_APPROVAL_ERROR_GENERIC", facts)
    assert verdicts(result) == {
        "uninstalled-app": Verdict.RULED_OUT,
        "cannot-approve-uninstalled": Verdict.RULED_OUT,
    }
    assert not result.problems


def test_preauthorization_by_app_id(catalog):
    builder = (
        OrgBuilder()
        .permission_set("Jwt", setup=["ConnectedApplication:0H4000000000001"])
        .user("int@acme.com")
        .user("other@acme.com")
        .assign("int@acme.com", "Jwt")
    )
    text = "invalid_grant: user hasn't approved this consumer"
    ids = (("Flock", "0H4000000000001"),)
    ok = facts_for(catalog, builder, apps=("Flock",), app_ids=ids)
    assert verdicts(diagnose(text, ok))["not-approved-consumer"] is Verdict.RULED_OUT
    bad = facts_for(catalog, builder, "other@acme.com", apps=("Flock",), app_ids=ids)
    assert verdicts(diagnose(text, bad))["not-approved-consumer"] is Verdict.CONFIRMED


def test_inactive_frozen_and_missing_users(catalog):
    builder = OrgBuilder().user("int@acme.com", active=False).user("cold@acme.com", frozen=True)
    assert (
        verdicts(diagnose("inactive user", facts_for(catalog, builder)))["inactive-user"] is Verdict.CONFIRMED
    )
    cold = facts_for(catalog, builder, "cold@acme.com")
    assert verdicts(diagnose("authentication failure", cold))["authentication-failure"] is Verdict.CONFIRMED
    assert "user-frozen" in {d.id for d in diagnose("", cold).hygiene}
    missing = OrgFacts(now=NOW, username="nobody@acme.com", user_found=False)
    (only,) = diagnose("authentication failure", missing).diagnoses
    assert only.verdict is Verdict.CONFIRMED and "no user" in only.checks[0].detail


def test_api_disabled_confirmed_or_ruled_out(catalog):
    without = facts_for(catalog, OrgBuilder().user("int@acme.com"))
    assert verdicts(diagnose("API_DISABLED_FOR_ORG", without))["api-disabled"] is Verdict.CONFIRMED
    builder = OrgBuilder().profile("P", perms=["ApiEnabled"]).user("int@acme.com", profile="P")
    assert (
        verdicts(diagnose("API_DISABLED_FOR_ORG", facts_for(catalog, builder)))["api-disabled"]
        is Verdict.RULED_OUT
    )


def test_token_lifetime_from_the_manifest(catalog):
    manifest = load_manifest(ROOT / "examples" / "eventspark-flock.yaml").manifest
    lifetime, renew = token_lifetime(manifest)
    assert lifetime == 30 and renew
    snap = (
        OrgBuilder()
        .profile("P", perms=["ApiEnabled", "ApiUserOnly"])
        .user("int@acme.com", profile="P")
        .build()
    )
    user = snap.user_by_username("int@acme.com")
    assert user is not None
    old = OAuthToken(user.id, "Flock", created=NOW - timedelta(days=31))
    access = effective_access(snap, user.id, catalog=catalog, now=NOW)
    facts = OrgFacts(
        now=NOW, username=user.username, access=access, tokens=(old,), token_lifetime_days=30, renew=renew
    )
    hygiene = {d.id: d for d in diagnose("", facts, manifest).hygiene}
    assert "31 days old" in hygiene["token-lifetime"].checks[0].detail
    young = replace(facts, tokens=(replace(old, created=NOW - timedelta(days=25)),))
    (check,) = {d.id: d for d in diagnose("", young).hygiene}["token-lifetime"].checks
    assert "expires in 5 day(s)" in check.detail
    fresh = replace(facts, tokens=(replace(old, created=NOW - timedelta(days=2)),))
    assert "token-lifetime" not in {d.id for d in diagnose("", fresh).hygiene}
    expired = diagnose("invalid_grant: expired access/refresh token", facts)
    assert verdicts(expired)["expired-authorization"] is Verdict.CONFIRMED


def test_hygiene_password_and_ip_ranges(catalog):
    snap = OrgBuilder().profile("P", perms=["ApiEnabled"]).user("int@acme.com", profile="P").build()
    profile = next(iter(snap.profiles.values()))
    ranged = replace(profile, login_ip_ranges=(("10.0.0.1", "10.0.0.255"),))
    snap = replace(snap, profiles={profile.id: ranged})
    access = effective_access(snap, "int@acme.com", catalog=catalog, now=NOW)
    assert isinstance(access.profile, Profile)
    facts = OrgFacts(now=NOW, username="int@acme.com", access=access)
    ids = {d.id for d in diagnose("", facts).hygiene}
    assert {"password-expires", "login-ip-ranges"} <= ids
    assert verdicts(diagnose("ip restricted", facts))["ip-restricted"] is Verdict.CONFIRMED


def test_manifest_troubleshooting_entries_and_json(catalog):
    manifest = load_manifest(ROOT / "examples" / "upflow.yaml").manifest
    result = diagnose("Access Restricted for API Only Users", None, manifest)
    ids = [d.id for d in result.diagnoses]
    assert "api-only-ui" in ids and "manifest:Access Restricted for API Only Users" in ids
    vendor = next(d for d in result.diagnoses if d.id.startswith("manifest:"))
    assert "Log out" in vendor.fix and "upflow.yaml" in vendor.source
    data = doctor_output(result).dump()
    assert data["problems"] == 2 and data["diagnoses"][0]["verdict"] == "likely"
    assert manifest_apps(manifest) == ()


def test_request_limit_checked_against_usage():
    spent = OrgFacts(now=NOW, username="x", api_usage=(15000, 15000))
    assert verdicts(diagnose("REQUEST_LIMIT_EXCEEDED", spent))["request-limit"] is Verdict.CONFIRMED
    fine = OrgFacts(now=NOW, username="x", api_usage=(10, 15000))
    assert verdicts(diagnose("REQUEST_LIMIT_EXCEEDED", fine))["request-limit"] is Verdict.RULED_OUT

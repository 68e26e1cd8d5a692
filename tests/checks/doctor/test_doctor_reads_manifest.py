"""doctor reads the manifest: for an interactive OAuth user (api_only: false) it never says "make it API only"."""

from __future__ import annotations

from leastforce.access.resolve import effective_access
from leastforce.catalog import load_catalog
from leastforce.checks.doctor.diagnose import diagnose
from leastforce.checks.doctor.model import OrgFacts
from leastforce.manifest.model import UserSpec
from support.factories import NOW, OrgBuilder, make_manifest

CAT = load_catalog()


def _facts() -> OrgFacts:
    snap = OrgBuilder().profile("P", perms=["ApiEnabled"]).user("int@acme.com", profile="P").build()
    access = effective_access(snap, "int@acme.com", catalog=CAT, now=NOW)
    return OrgFacts(now=NOW, username="int@acme.com", access=access)


def _password_fix(user: UserSpec) -> str | None:
    found = {d.id: d for d in diagnose("", _facts(), make_manifest(user=user)).hygiene}
    return found["password-expires"].fix if "password-expires" in found else None


def test_password_fix_respects_api_only_false():
    assert "API Only User" in (_password_fix(UserSpec()) or "")
    fix = _password_fix(UserSpec(api_only=False)) or ""
    assert fix.startswith("Give the user's profile Password Never Expires")
    assert "Use the Salesforce Integration license or API Only User" not in fix
    assert _password_fix(UserSpec(api_only=False, password_never_expires=False)) is None

"""The guide renders every requirement kind with its reason: field rows with their own why and optional
note, the profile plan uses when the manifest names none, org prerequisites with their Setup steps, the
profile's session settings, and what the user must not have or be."""

from __future__ import annotations

from pathlib import Path

import pytest

from leastforce.catalog import load_catalog
from leastforce.manifest import load_manifest
from leastforce.render.guide.model import guide_model
from leastforce.render.guide.render import GuideFormat, render_guide

MANIFEST = """\
manifest: 1
integration: Acme
summary: Acme syncs cases.
user:
  license: Salesforce
  api_only: false
  password_never_expires: false
  session: {security_level: none, why: the OAuth login cannot answer a second factor}
prerequisites:
  - edition: [Enterprise, Unlimited]
    why: Acme needs API access
  - org_setting: {name: SessionSettings.lockSessionsToIp, value: false}
    why: Acme workers call from many IP addresses
features:
  sync:
    summary: Read cases
    requires:
      - {permission: ApiEnabled, why: Acme calls the REST API}
      - {object: Case, access: [read], why: Acme reads every case}
      - not: {permission: ModifyAllData, why: w}
        why: The security review forbids org-wide writes
  write:
    summary: Write case subjects
    optional: true
    requires:
      - {field: Case.Subject, access: [read, edit], why: Acme writes the ticket title to the subject}
"""


@pytest.fixture(params=list(GuideFormat), ids=lambda f: f.name)
def guide(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    path = tmp_path / "acme.yaml"
    path.write_text(MANIFEST)
    catalog = load_catalog()
    return render_guide(guide_model(load_manifest(path, catalog).manifest, catalog), request.param)


def test_a_field_row_carries_its_own_reason_and_its_optional_note(guide: str) -> None:
    assert "Acme writes the ticket title to the subject" in guide
    row = guide[guide.index("field Subject") :][:200]
    assert "Optional (feature write)" in row


def test_with_no_profile_named_the_new_user_form_shows_the_profile_apply_uses(guide: str) -> None:
    assert "Minimum Access - Salesforce" in guide
    assert "the form requires a profile" in guide


def test_org_prerequisites_are_listed_with_how_they_are_checked(guide: str) -> None:
    assert "Acme needs API access" in guide and "checked by verify" in guide
    assert "Acme workers call from many IP addresses" in guide and "check by hand" in guide


def test_session_settings_and_negative_user_keys_are_shown(guide: str) -> None:
    assert "Session Security Level Required at Login" in guide and "None" in guide
    assert "must <strong>not</strong> be API only" in guide or "must **not** be API only" in guide
    assert "do not grant" in guide and "Password Never Expires" in guide


def test_what_the_user_must_not_have_is_listed_with_its_reason(guide: str) -> None:
    assert "The security review forbids org-wide writes" in guide
    assert "ModifyAllData" in guide

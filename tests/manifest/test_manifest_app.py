"""``app:``: its YAML shape (file:line errors) and validate's rules, each with its stable code."""

from __future__ import annotations

from pathlib import Path

import pytest

from leastforce.catalog import load_catalog
from leastforce.errors import ManifestError
from leastforce.manifest import load_manifest, validate_manifest
from leastforce.values import problem_codes as codes
from leastforce.values.apps import AppKind, Flow, PermittedUsers, RefreshTokenPolicy

HEAD = """manifest: 1
integration: Demo
summary: Demo.
user:
  license: Salesforce Integration
  api_only: {api_only}
permission_sets:
  - name: Demo_Set
features:
  sync:
    summary: Sync.
    requires:
      - permission: ApiEnabled
        why: API.
{extra}app:
"""
GRANT = "      - connected_app: Demo App\n        why: pre-authorised.\n"
PROFILE_GRANT = GRANT + "        from: profile\n"


def _write(tmp_path: Path, app: str, extra: str = "", api_only: str = "true") -> Path:
    path = tmp_path / "m.yaml"
    path.write_text(HEAD.format(extra=extra, api_only=api_only) + app, encoding="utf-8")
    return path


def _problems(path: Path) -> list[tuple[str, str, int]]:
    catalog = load_catalog()
    found = validate_manifest(load_manifest(path, catalog).manifest, catalog)
    return [(p.severity, p.code, p.position.line) for p in found if p.code.startswith("app-")]


def test_the_app_loads_with_flow_policies_and_positions(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "  connected_app: Demo App\n  flow: web_server\n  permitted_users: all_users\n"
        "  refresh_token: {policy: expire_if_unused, period: 90, unit: days}\n",
    )
    app = load_manifest(path, load_catalog()).manifest.app
    assert app is not None
    assert (app.name, app.kind, app.flow, app.permitted_users) == (
        "Demo App",
        AppKind.CONNECTED_APP,
        Flow.WEB_SERVER,
        PermittedUsers.ALL_USERS,
    )
    assert app.refresh_token is not None and app.refresh_token.policy is RefreshTokenPolicy.EXPIRE_IF_UNUSED
    assert app.at("flow").line == 17 and app.at("refresh_token").line == 19


@pytest.mark.parametrize(
    ("body", "line", "text"),
    [
        ("  connected_app: A\n  external_client_app: B\n  flow: device\n", 15, "exactly one"),
        ("  connected_app: A\n  flow: magic\n", 17, "client_credentials"),
        ("  connected_app: A\n  flow: device\n  refresh_token: {policy: expire_after}\n", 18, "period and unit"),
    ],
)
def test_a_bad_app_is_an_error_at_its_line(tmp_path: Path, body: str, line: int, text: str) -> None:
    with pytest.raises(ManifestError) as caught:
        load_manifest(_write(tmp_path, body), load_catalog())
    problem = caught.value.problems[0]
    assert problem.position.line == line and text in problem.message


def test_client_credentials_needs_a_run_as_user(tmp_path: Path) -> None:
    path = _write(tmp_path, "  connected_app: Demo App\n  flow: client_credentials\n")
    assert _problems(path) == [("error", codes.APP_RUN_AS, 17)]


def test_a_run_as_user_not_api_only_is_a_warning(tmp_path: Path) -> None:
    app = "  connected_app: Demo App\n  flow: client_credentials\n  run_as: int@example.com\n"
    assert _problems(_write(tmp_path, app, api_only="false")) == [("warning", codes.APP_RUN_AS, 18)]
    assert _problems(_write(tmp_path, app, api_only="true")) == []


def test_run_as_for_another_flow_is_a_warning(tmp_path: Path) -> None:
    path = _write(tmp_path, "  connected_app: Demo App\n  flow: jwt_bearer\n  run_as: int@example.com\n")
    assert _problems(path) == [("warning", codes.APP_RUN_AS, 18)]


def test_admin_approved_needs_a_requirement_granting_the_app(tmp_path: Path) -> None:
    app = "  connected_app: Demo App\n  flow: jwt_bearer\n  permitted_users: admin_approved\n"
    path = _write(tmp_path, app)
    catalog = load_catalog()
    (problem,) = [
        p for p in validate_manifest(load_manifest(path, catalog).manifest, catalog) if p.code.startswith("app-")
    ]
    assert (problem.severity, problem.code, problem.position.line) == ("error", codes.APP_PREAUTHORIZATION, 18)
    assert "add `- connected_app: Demo App`" in problem.message
    assert _problems(_write(tmp_path, app, extra=GRANT)) == []


def test_pre_authorising_through_the_profile_needs_from_profile(tmp_path: Path) -> None:
    app = (
        "  connected_app: Demo App\n  flow: jwt_bearer\n  permitted_users: admin_approved\n"
        "  pre_authorize: profile\n"
    )
    assert _problems(_write(tmp_path, app, extra=GRANT)) == [("error", codes.APP_PREAUTHORIZATION, 15)]


def test_pre_authorize_without_admin_approved_is_a_warning(tmp_path: Path) -> None:
    app = "  connected_app: Demo App\n  flow: web_server\n  pre_authorize: permission_set\n"
    assert _problems(_write(tmp_path, app)) == [("warning", codes.APP_PREAUTHORIZATION, 18)]


def test_username_password_is_a_warning_with_its_source(tmp_path: Path) -> None:
    path = _write(tmp_path, "  connected_app: Demo App\n  flow: username_password\n")
    catalog = load_catalog()
    (problem,) = validate_manifest(load_manifest(path, catalog).manifest, catalog)
    assert problem.code == codes.APP_FLOW and "Summer '23" in problem.message
    assert "remoteaccess_disable_username_password_flow" in problem.message


def test_the_device_flow_warns_unless_a_declared_package_installs_the_app(tmp_path: Path) -> None:
    app = "  connected_app: Demo App\n  flow: device\n"
    assert _problems(_write(tmp_path, app)) == [("warning", codes.APP_FLOW, 17)]
    package = (
        "packages:\n  - name: Demo\n    namespace: demo\n    min_version: '1.0'\n"
        "    provides: {connected_app: Demo App}\n"
    )
    assert _problems(_write(tmp_path, app, extra=package)) == []


def test_doctor_takes_the_app_from_the_manifest(tmp_path: Path) -> None:
    from leastforce.checks.doctor.diagnose import manifest_apps

    path = _write(tmp_path, "  connected_app: Demo App\n  flow: device\n")
    assert manifest_apps(load_manifest(path, load_catalog()).manifest) == ("Demo App",)

"""``not:``: the user must NOT hold the item; verify checks it both ways, validate refuses a manifest that
grants what it refuses, the guide lists it, build grants nothing, verify reads what it names."""

from __future__ import annotations

from pathlib import Path

from leastforce.access.resolve import effective_access
from leastforce.checks.verify.check import Status, verify
from leastforce.desired import desired_setup
from leastforce.manifest import load_manifest, validate_manifest
from leastforce.org.read.scope import read_scope
from leastforce.render.guide.model import guide_model
from leastforce.values.model import ObjectRight
from leastforce.values.requirements import NotReq, ObjectReq, PermissionReq
from support.factories import OrgBuilder, make_catalog, make_manifest

CAT = make_catalog()
USER = "int@x.com"
NO_MAD = NotReq(PermissionReq("ModifyAllData"), why="no org-wide writes")


def _result(builder: OrgBuilder, req):
    access = effective_access(builder.build(), USER, catalog=CAT)
    [feature] = verify(make_manifest(("f", [req])), access, CAT).features
    [result] = feature.requirements
    return result


def _org(set_perms=(), objects=None) -> OrgBuilder:
    builder = OrgBuilder().profile("P")
    builder.permission_set(
        "Acme_Integration", perms=set_perms, objects=objects or {}, label="Acme Integration"
    )
    return builder.user(USER, profile="P").assign(USER, "Acme_Integration")


def test_not_passes_when_the_user_lacks_the_item():
    assert _result(_org(set_perms=["ApiEnabled"]), NO_MAD).status is Status.PASSED


def test_not_fails_when_the_item_is_held_and_says_where_to_take_it_away():
    result = _result(_org(set_perms=["ApiEnabled", "ModifyAllData", "ViewAllData"]), NO_MAD)
    assert result.status is Status.MISSING
    assert result.missing == ("has permission ModifyAllData (Modify All Data)",)
    assert result.fix.startswith(f"{USER} must not have permission ModifyAllData (Modify All Data)")
    assert "permission set Acme_Integration" in result.fix


def test_not_on_an_object_right_counts_implied_access():
    """View All Data gives Read on every object: "not Read on Account" fails for its holder."""
    req = NotReq(ObjectReq("Account", frozenset({ObjectRight.READ})), why="w")
    assert _result(_org(set_perms=["ViewAllData"]), req).status is Status.MISSING
    assert _result(_org(set_perms=["ApiEnabled"]), req).status is Status.PASSED


def test_build_grants_nothing_for_a_not():
    manifest = make_manifest(("f", [PermissionReq("ApiEnabled", why="api"), NO_MAD]))
    setup = desired_setup(manifest, CAT)
    assert all("ModifyAllData" not in ps.user_permissions for ps in setup.permission_sets)


MANIFEST = """\
manifest: 1
integration: Acme
summary: s
features:
  sync:
    summary: s
    requires:
      - {permission: ModifyAllData, why: the guide says so}
      - not: {permission: ViewAllData, why: w}
        why: no org-wide reads
"""


def test_validate_refuses_a_not_that_the_manifest_grants_itself(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MANIFEST)
    loaded = load_manifest(path, CAT)
    problems = validate_manifest(loaded.manifest, CAT)
    [clash] = [p for p in problems if p.code == "negation-conflict"]
    assert clash.severity == "error" and clash.position.line == 9
    assert "ViewAllData" in clash.message


def test_the_guide_lists_what_the_user_must_not_have(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MANIFEST.replace("ModifyAllData, why: the guide says so", "ApiEnabled, why: api"))
    guide = guide_model(load_manifest(path, CAT).manifest, CAT)
    [item] = guide.user.must_not
    assert item.name.startswith("permission ViewAllData") and item.why == "no org-wide reads"


def test_verify_reads_the_objects_a_not_names(tmp_path: Path) -> None:

    path = tmp_path / "m.yaml"
    path.write_text(
        MANIFEST.replace(
            "{permission: ModifyAllData, why: the guide says so}", "{permission: ApiEnabled, why: api}"
        ).replace("{permission: ViewAllData, why: w}", "{object: Lead, access: [delete], why: w}")
    )
    scope = read_scope(load_manifest(path, CAT).manifest, CAT)
    assert "Lead" in scope.objects

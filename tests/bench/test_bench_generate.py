"""The benchmark generator on a tiny size (XS): the org it writes has the promised shape, reads back
through leastforce's own snapshot code, and its Upflow user passes examples/upflow.yaml."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bench.generate import EXPLAIN_FIELD, cached_org
from bench.people import UPFLOW_USER
from bench.run import selected_sizes
from bench.sizes import SIZES

from bench import shape
from leastforce.access.index import AccessIndex
from leastforce.access.resolve import active_sources, effective_access, resolve_all, resolve_user
from leastforce.catalog.loader import load_catalog
from leastforce.checks.explain.paths import TargetKind, parse_target, target_grants
from leastforce.checks.explain.who_has import who_has
from leastforce.checks.verify.check import verify
from leastforce.emulator.store.org_store import Caller, OrgStore
from leastforce.manifest.loader import load_manifest
from leastforce.org.read.whole_org import TABLES, snapshot_from_tables
from leastforce.values.model import ObjectRight
from support.paths import ROOT

UPFLOW = ROOT / "examples" / "upflow.yaml"
READ = ObjectRight.READ


@pytest.fixture(scope="module")
def xs_tables(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[dict]]]:
    state = cached_org(SIZES["XS"], tmp_path_factory.mktemp("orgs"))
    store = OrgStore.open(state, seed=False)
    try:
        caller = Caller(store.admin_user_id, system=True)
        tables = {t: store.query(q, caller=caller, batch_size=10**9).records for t, q in TABLES.items()}
    finally:
        store.close()
    return state, tables


def test_xs_org_has_the_promised_shape(xs_tables) -> None:
    state, tables = xs_tables
    size = SIZES["XS"]
    assert json.loads((state / "done.json").read_text())["users"] == size.users
    assert len(tables["User"]) == size.users + 2  # the seeded admin and the Upflow user
    custom = [r for r in tables["PermissionSet"] if str(r["Name"]).startswith("Bench_Set_")]
    assert len(custom) == size.permission_sets
    assert abs(len(tables["FieldPermissions"]) - size.field_rows) <= 0.05 * size.field_rows
    assert len({r["SobjectType"] for r in tables["ObjectPermissions"]}) >= size.objects
    assert len(tables["PermissionSetGroup"]) == size.groups
    assert tables["MutingPermissionSet"], "groups come with muting sets"
    expiring = [r for r in tables["PermissionSetAssignment"] if r["ExpirationDate"]]
    assert expiring, "some assignments expire"
    assert tables["PermissionSetLicenseAssign"], "integration users hold the API Integration PSL"


def test_xs_snapshot_resolves_and_upflow_user_passes_verify(xs_tables) -> None:
    _, tables = xs_tables
    catalog = load_catalog()
    snapshot = snapshot_from_tables(tables)
    assert sum(1 for _ in resolve_all(snapshot, catalog)) == len(snapshot.users)
    access = effective_access(snapshot, UPFLOW_USER, catalog=catalog, now=datetime.now(UTC))
    manifest = load_manifest(UPFLOW, catalog).manifest
    assert verify(manifest, access, catalog).passed
    assert access.license == "Salesforce Integration"
    holders = who_has(snapshot, EXPLAIN_FIELD, catalog)
    assert 0 < len(holders) <= len(snapshot.users)


def test_generation_is_cached_and_deterministic(tmp_path: Path) -> None:
    first = cached_org(SIZES["XS"], tmp_path / "a")
    stamp = (first / "done.json").stat().st_mtime_ns
    assert cached_org(SIZES["XS"], tmp_path / "a") == first
    assert (first / "done.json").stat().st_mtime_ns == stamp  # reused, not regenerated
    second = cached_org(SIZES["XS"], tmp_path / "b")
    one, two = (
        {k: v for k, v in json.loads((d / "done.json").read_text()).items() if k != "generate_s"}
        for d in (first, second)
    )
    assert one == two


def test_budgets_spread_rows_under_the_cap() -> None:
    out = shape.budgets(10_000, shape.zipf_weights(20), cap=900)
    assert max(out) <= 900
    assert abs(sum(out) - 10_000) <= 20


def test_bench_sizes_from_the_environment() -> None:
    assert selected_sizes(None) == ["S", "M"]
    assert selected_sizes("l,s") == ["S", "L"]
    assert selected_sizes("S M") == ["S", "M"]
    with pytest.raises(SystemExit):
        selected_sizes("XXL")


@pytest.mark.parametrize("target", ["Contact.Email", "Account.Phone:edit", "Account:edit", "ApiEnabled"])
def test_who_has_matches_resolving_every_user(xs_tables, target: str) -> None:
    """who_has shares work between users with the same relevant sources; the answer must be exactly
    what resolving each user alone gives (on an org with groups, muting and expired assignments)."""
    _, tables = xs_tables
    catalog = load_catalog()
    snapshot = snapshot_from_tables(tables)
    tgt = parse_target(target, catalog, (), set(snapshot.available_permissions) | {"ApiEnabled"})
    expected = []
    for user in sorted(snapshot.users.values(), key=lambda u: u.username.casefold()):
        access = effective_access(snapshot, user.id, catalog=catalog)
        grants = tuple(dict.fromkeys(g for gs in target_grants(access, tgt).values() for g in gs))
        if grants and not (
            tgt.kind is TargetKind.FIELD and not access.object_rights(tgt.name.partition(".")[0]).get(READ)
        ):
            expected.append((user.username, grants))
    found = [(u.username, g) for u, g in who_has(snapshot, tgt, catalog)]
    assert found == expected
    assert found, f"the XS org should have holders of {target}"


def test_resolve_all_equals_resolving_each_user_alone(xs_tables) -> None:
    _, tables = xs_tables
    catalog = load_catalog()
    snapshot = snapshot_from_tables(tables)
    for access in resolve_all(snapshot, catalog):
        alone = effective_access(snapshot, access.user.id, catalog=catalog)
        assert dict(access.permissions) == dict(alone.permissions)
        assert dict(access.objects) == dict(alone.objects)
        assert {k: dict(v) for k, v in access.fields.items()} == {k: dict(v) for k, v in alone.fields.items()}
        assert access.muted == alone.muted and access.ignored == alone.ignored


def test_active_sources_are_what_a_resolved_user_holds(xs_tables) -> None:
    _, tables = xs_tables
    catalog = load_catalog()
    snapshot = snapshot_from_tables(tables)
    index = AccessIndex.build(snapshot, catalog)
    for user in snapshot.users.values():
        access = resolve_user(index, user, snapshot.taken_at)
        assert active_sources(index, user, snapshot.taken_at) == access.permissions.sources


def test_audit_candidates_cover_every_integration_user(xs_tables) -> None:
    """Audit resolves only ``candidates``: they must include every user that resolving everyone finds an
    integration user (else audit would silently miss one), and leave most humans out."""
    from leastforce.checks.audit.find import candidates, integration_reasons, token_holders

    _state, tables = xs_tables
    snapshot = snapshot_from_tables(tables)
    catalog = load_catalog()
    index = AccessIndex.build(snapshot, catalog)
    tokens = token_holders(snapshot)
    found = {a.user.id for a in resolve_all(snapshot, catalog, index=index) if integration_reasons(a, tokens)}
    picked = candidates(snapshot, index)
    assert found and found <= set(picked)
    assert len(picked) < len(snapshot.users) / 2

"""Verify: does this user have what the manifest's features need, and if not, how to fix it.

``verify`` takes an EffectiveAccess (computed from an org snapshot) and checks, feature by feature,
each requirement atom against it. Object rights are checked after closure (Modify All Records needs
Read, Edit, Delete and View All Records); a field needs field-level security plus Read on its object;
``any:`` passes when one alternative holds (and says which), ``all:`` when every item holds.
Missing requirements carry the exact fix in Setup terms (leastforce.checks.fixes), with a hint when an
expired assignment or a group's muting set is what took the right away.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, Protocol, assert_never

from leastforce.access.grants import EffectiveAccess, Grant, Rights, describe_grant
from leastforce.catalog.catalog import Catalog
from leastforce.catalog.rights import close_object_rights
from leastforce.checks import fixes
from leastforce.checks.fixes import FixTarget
from leastforce.checks.verify.result import (
    Checked,
    FeatureResult,
    RequirementResult,
    Status,
    UserState,
    UserStateReq,
    VerifyResult,
)
from leastforce.checks.verify.user import check_user
from leastforce.manifest.model import Manifest
from leastforce.values.model import FieldRight, ObjectRight
from leastforce.values.requirements import (
    AllOf,
    AnyOf,
    FieldReq,
    LicenseReq,
    ObjectReq,
    PackagePermissionSetReq,
    PermissionReq,
    PermissionSetLicenseReq,
    ProfileReq,
    SetupEntityReq,
)

__all__ = [
    "FeatureResult",
    "RequirementResult",
    "Status",
    "UserState",
    "UserStateReq",
    "VerifyResult",
    "user_requirements",
    "verify",
]


class DesiredLike(Protocol):
    """What verify reads from leastforce.desired.DesiredSetup."""

    @property
    def package_permission_sets(self) -> Any: ...


def verify(
    manifest: Manifest,
    access: EffectiveAccess,
    catalog: Catalog,
    *,
    features: Iterable[str] = (),
    with_optional: bool = False,
    role: str | None = None,
    desired: DesiredLike | None = None,
) -> VerifyResult:
    """Check ``access`` against the manifest: the user itself, then each selected feature.

    With ``role``, the user is checked as that role's person instead: only active / not frozen and the
    role's requirements (the manifest's ``user:`` describes the integration user, not the role).
    Raises KeyError for an unknown feature or role name.
    """
    username = access.user.username
    if role is not None:
        spec = manifest.role(role)
        target = _role_target(manifest, spec.name, access, desired)
        checks = tuple(_check(UserStateReq(s), access, catalog, target) for s in UserState)
        reqs = tuple(_check(r, access, catalog, target) for r in spec.requires)
        role_result = FeatureResult(spec.name, False, reqs)
        return VerifyResult(manifest.integration, username, checks, (), role_result, _warnings(access))
    user_target = _user_target(manifest, access)
    checks = tuple(_check(r, access, catalog, user_target) for r in user_requirements(manifest, desired))
    results = []
    for feature in manifest.selected_features(features, with_optional):
        target = _target_for(manifest, feature.name, access)
        reqs = tuple(_check(r, access, catalog, target) for r in feature.requires)
        results.append(FeatureResult(feature.name, feature.optional, reqs))
    return VerifyResult(manifest.integration, username, checks, tuple(results), None, _warnings(access))


def _warnings(access: EffectiveAccess) -> tuple[str, ...]:
    """License mismatches found in the data: Salesforce should have refused them (see leastforce.access.resolve)."""
    return tuple(f"License mismatch: {c.reason}." for c in access.license_conflicts)


def user_requirements(manifest: Manifest, desired: DesiredLike | None = None) -> tuple[Checked, ...]:
    """What the manifest's ``user:`` asks of the integration user, as requirement atoms."""
    spec = manifest.user
    out: list[Checked] = [UserStateReq(UserState.ACTIVE), UserStateReq(UserState.NOT_FROZEN)]
    if spec.licenses or spec.not_licenses:
        out.append(LicenseReq(spec.licenses, spec.not_licenses, position=spec.position))
    if spec.profile is not None:
        out.append(ProfileReq(spec.profile.name, position=spec.profile.position))
    if spec.api_only:
        out.append(
            PermissionReq("ApiUserOnly", why="the manifest's user is API only", position=spec.position)
        )
    out += [PermissionSetLicenseReq(n, position=spec.position) for n in spec.permission_set_licenses]
    for item in getattr(desired, "package_permission_sets", None) or ():
        out.append(PackagePermissionSetReq(str(getattr(item, "name", item))))
    return tuple(out)


def _user_target(manifest: Manifest, access: EffectiveAccess) -> FixTarget:
    """User-level permissions (API Only User) belong on the integration user's profile."""
    profile = manifest.user.profile
    name = profile.name if profile else (access.profile.name if access.profile else "")
    return FixTarget(access.user.username, name, name, profile=bool(name))


def _target_for(
    manifest: Manifest, name: str, access: EffectiveAccess, explicit_only: bool = False
) -> FixTarget:
    spec = manifest.permission_set_for(name)
    if spec is None or (explicit_only and name not in spec.features):
        return FixTarget(access.user.username)
    return FixTarget(
        access.user.username, spec.name, spec.label or spec.name, assigned=access.has_set(spec.name)
    )


def _role_target(
    manifest: Manifest, role: str, access: EffectiveAccess, desired: DesiredLike | None
) -> FixTarget:
    """A role's permissions go in the set desired_setup(role=...) creates for it, if given."""
    sets = getattr(desired, "permission_sets", ()) if getattr(desired, "role", "") == role else ()
    if sets:
        name, label = sets[0].name, sets[0].label or sets[0].name
        return FixTarget(access.user.username, name, label, assigned=access.has_set(name))
    return _target_for(manifest, role, access, explicit_only=True)


def _check(req: Checked, access: EffectiveAccess, catalog: Catalog, target: FixTarget) -> RequirementResult:
    """One requirement against the access; exhaustive over the atom types."""
    match req:
        case PermissionReq():
            return _permission(req, access, catalog, target)
        case ObjectReq():
            return _object(req, access, catalog, target)
        case FieldReq():
            return _field(req, access, catalog, target)
        case SetupEntityReq():
            grants = access.setup_entities.get(req.entity, ())
            return _result(req, grants, (req.entity.name,), fixes.fix_setup_entity(req.entity, target))
        case (
            ProfileReq()
            | LicenseReq()
            | PermissionSetLicenseReq()
            | PackagePermissionSetReq()
            | UserStateReq()
        ):
            return check_user(req, access, catalog)
        case AllOf():
            return _all_of(req, [_check(r, access, catalog, target) for r in req.items])
        case AnyOf():
            return _any_of(req, [_check(r, access, catalog, target) for r in req.items])
        case _:
            assert_never(req)


def _result(req: Checked, grants: tuple[Grant, ...], missing: tuple[str, ...], fix: str) -> RequirementResult:
    if grants:
        return RequirementResult(req, Status.PASSED, grants)
    return RequirementResult(req, Status.MISSING, (), (), missing, fix)


def _permission(
    req: PermissionReq, access: EffectiveAccess, catalog: Catalog, target: FixTarget
) -> RequirementResult:
    perm = catalog.find_permission(req.name)
    name = perm.name if perm else req.name
    grants = access.permissions.get(name, ())
    fix = fixes.fix_permission(name, target, catalog) + _lost_hint(access, lambda r: name in r.permissions)
    return _result(req, grants, (name,), fix)


def _object(
    req: ObjectReq, access: EffectiveAccess, catalog: Catalog, target: FixTarget
) -> RequirementResult:
    have = access.object_rights(req.object)
    needed = close_object_rights(req.rights)
    lacking = [r for r in needed if r not in have]
    fields_lacking = [
        f for f in req.fields if FieldRight.READ not in access.field_rights(f"{req.object}.{f}")
    ]
    grants = _unique(g for r in needed if r in have for g in have[r])
    if not lacking and not fields_lacking:
        return RequirementResult(req, Status.PASSED, grants)
    missing: tuple[str, ...] = (fixes.rights_text(lacking),) if lacking else ()
    missing += tuple(f"field {f}: read" for f in fields_lacking)
    fix = fixes.fix_object(req.object, lacking, fields_lacking, target, catalog)
    fix += _lost_hint(access, lambda r: bool(set(lacking) & r.objects.get(req.object, frozenset())))
    return RequirementResult(req, Status.MISSING, grants, (), tuple(m for m in missing if m), fix)


def _field(req: FieldReq, access: EffectiveAccess, catalog: Catalog, target: FixTarget) -> RequirementResult:
    """Field-level security on the field, and Read on its object (without it no field is visible)."""
    have = access.field_rights(req.field_name)
    needed = req.rights | {FieldRight.READ}
    lacking = sorted((r for r in needed if r not in have), key=lambda r: r.name, reverse=True)
    obj_read = access.object_rights(req.object).get(ObjectRight.READ, ())
    grants = _unique(g for r in needed if r in have for g in have[r])
    if not lacking and obj_read:
        return RequirementResult(req, Status.PASSED, grants)
    missing = tuple(f"field {r.key}" for r in lacking) + (() if obj_read else (f"Read on {req.object}",))
    steps = [fixes.fix_field(req.field_name, lacking, target, catalog)] if lacking else []
    if not obj_read:
        steps.append(fixes.fix_object(req.object, [ObjectRight.READ], [], target, catalog))
    fix = " ".join(steps) + _lost_hint(
        access, lambda r: bool(set(lacking) & r.fields.get(req.field_name, frozenset()))
    )
    return RequirementResult(req, Status.MISSING, grants, (), missing, fix)


def _lost_hint(access: EffectiveAccess, grants_it: Callable[[Rights], bool]) -> str:
    """Say so when an expired assignment or a group's muting set is what removed the right."""
    hints = []
    for ignored in access.ignored:
        for grant, rights in ignored.would_grant:
            if grants_it(rights):
                plain = describe_grant(replace(grant, expires=None))
                hints.append(f" ({plain} would grant it, but its {ignored.reason}: renew that assignment.)")
    for muted in access.muted:
        if grants_it(muted.removed):
            hints.append(f" ({muted.grant} grants it, but muting set {muted.muting_set} mutes it there.)")
    return "".join(dict.fromkeys(hints))


def _all_of(req: AllOf, items: list[RequirementResult]) -> RequirementResult:
    statuses = {r.status for r in items}
    status = next((s for s in (Status.MISSING, Status.NOT_CHECKED) if s in statuses), Status.PASSED)
    grants = _unique(g for r in items for g in r.satisfied_by)
    fix = " ".join(r.fix for r in items if r.status is Status.MISSING)
    missing = tuple(m for r in items if r.status is Status.MISSING for m in r.missing)
    return RequirementResult(req, status, grants, tuple(items), missing, fix)


def _any_of(req: AnyOf, items: list[RequirementResult]) -> RequirementResult:
    winner = next((r for r in items if r.status is Status.PASSED), None)
    if winner is not None:
        return RequirementResult(req, Status.PASSED, winner.satisfied_by, tuple(items))
    if any(r.status is Status.NOT_CHECKED for r in items):
        return RequirementResult(req, Status.NOT_CHECKED, (), tuple(items))
    fix = "Any one of: " + " Or: ".join(f"({i}) {r.fix}" for i, r in enumerate(items, start=1))
    return RequirementResult(req, Status.MISSING, (), tuple(items), ("one of the alternatives",), fix)


def _unique(grants: Iterable[Grant]) -> tuple[Grant, ...]:
    return tuple(dict.fromkeys(grants))

"""Verify: does this user have what the manifest's features need, and if not, how to fix it.

``verify`` takes an EffectiveAccess (computed from an org snapshot) and checks, feature by feature,
each requirement atom against it. Object rights are checked after closure (Modify All Records needs
Read, Edit, Delete and View All Records); a field needs field-level security plus Read on its object;
``any:`` passes when one alternative holds (and says which), ``all:`` when every item holds.
Missing requirements carry the exact fix in Setup terms (leastforce.kinds), with a hint when an
expired assignment or a group's muting set is what took the right away.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from leastforce.access.grants import EffectiveAccess
from leastforce.catalog.catalog import Catalog
from leastforce.checks.verify.prerequisites import check_prerequisites
from leastforce.checks.verify.result import (
    FeatureResult,
    RequirementResult,
    Status,
    UserState,
    UserStateReq,
    VerifyResult,
)
from leastforce.kinds import CheckContext
from leastforce.kinds import check as check_requirement
from leastforce.kinds.fixes import FixTarget
from leastforce.manifest.model import Manifest, SessionSpec
from leastforce.values.org_facts import OrgFacts
from leastforce.values.requirements import (
    LicenseReq,
    PackagePermissionSetReq,
    PermissionReq,
    PermissionSetLicenseReq,
    ProfileReq,
    ProfileSessionReq,
    Requirement,
    UserPermissionStateReq,
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
    facts: OrgFacts | None = None,
) -> VerifyResult:
    """Check ``access`` against the manifest: the user itself, then each selected feature.

    With ``role``, the user is checked as that role's person instead: only active / not frozen and the
    role's requirements (the manifest's ``user:`` describes the integration user, not the role).
    ``facts``: the org-level facts ``prerequisites:`` are checked against (None: not read, so every
    prerequisite is reported as not checked). Raises KeyError for an unknown feature or role name.
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
    prereqs = check_prerequisites(manifest.prerequisites, facts or OrgFacts())
    return VerifyResult(
        manifest.integration, username, checks, tuple(results), None, _warnings(access), prereqs
    )


def _warnings(access: EffectiveAccess) -> tuple[str, ...]:
    """License mismatches found in the data: Salesforce should have refused them (see leastforce.access.resolve)."""
    return tuple(f"License mismatch: {c.reason}." for c in access.license_conflicts)


def user_requirements(manifest: Manifest, desired: DesiredLike | None = None) -> tuple[Requirement, ...]:
    """What the manifest's ``user:`` asks of the integration user, as requirement atoms."""
    spec = manifest.user
    out: list[Requirement] = [UserStateReq(UserState.ACTIVE), UserStateReq(UserState.NOT_FROZEN)]
    if spec.licenses or spec.not_licenses:
        out.append(LicenseReq(spec.licenses, spec.not_licenses, position=spec.position))
    if spec.profile is not None:
        out.append(ProfileReq(spec.profile.name, position=spec.profile.position))
    if spec.api_only:
        out.append(
            PermissionReq("ApiUserOnly", why="the manifest's user is API only", position=spec.position)
        )
    elif spec.api_only is False:
        why = "the manifest's user must NOT be API only (it logs in interactively)"
        out.append(UserPermissionStateReq("ApiUserOnly", False, why=why, position=spec.position))
    if spec.password_never_expires is not None:
        why = f"the manifest says the password {'never expires' if spec.password_never_expires else 'must expire'}"
        wanted = spec.password_never_expires
        out.append(UserPermissionStateReq("PasswordNeverExpires", wanted, why=why, position=spec.position))
    out += _session_requirements(spec.session)
    out += [PermissionSetLicenseReq(n, position=spec.position) for n in spec.permission_set_licenses]
    for item in getattr(desired, "package_permission_sets", None) or ():
        out.append(PackagePermissionSetReq(str(getattr(item, "name", item))))
    return tuple(out)


def _session_requirements(session: SessionSpec | None) -> list[Requirement]:
    """``user.session``: the profile's Session Settings (verify reports them as not checked)."""
    if session is None:
        return []
    out: list[Requirement] = []
    if session.security_level:
        out.append(
            ProfileSessionReq(
                "security_level", session.security_level, why=session.why, position=session.position
            )
        )
    if session.timeout_minutes is not None:
        value = str(session.timeout_minutes)
        out.append(ProfileSessionReq("timeout_minutes", value, why=session.why, position=session.position))
    return out


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


def _check(
    req: Requirement, access: EffectiveAccess, catalog: Catalog, target: FixTarget
) -> RequirementResult:
    """One requirement against the access, by its kind (leastforce.kinds)."""

    def check(item: Requirement) -> RequirementResult:
        return check_requirement(item, context)

    context = CheckContext(access, catalog, target, check)
    return check(req)

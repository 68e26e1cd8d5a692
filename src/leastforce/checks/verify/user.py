"""Verify's checks on the user itself: active, not frozen, license, profile, permission set licenses,
package permission sets.

A permission set license must be assigned before permission sets that need it (Salesforce Help, "Give
Integration Users API Only Access": https://help.salesforce.com/s/articleView?id=platform.integration_user.htm).
"""

from __future__ import annotations

from typing import assert_never

from leastforce.access.grants import EffectiveAccess, Grant, SourceKind
from leastforce.catalog.catalog import Catalog
from leastforce.checks import fixes
from leastforce.checks.verify.result import RequirementResult, Status, UserState, UserStateReq
from leastforce.values.requirements import (
    LicenseReq,
    PackagePermissionSetReq,
    PermissionSetLicenseReq,
    ProfileReq,
)

UserReq = ProfileReq | LicenseReq | PermissionSetLicenseReq | PackagePermissionSetReq | UserStateReq


def check_user(req: UserReq, access: EffectiveAccess, catalog: Catalog) -> RequirementResult:
    """One user-level requirement; NOT_CHECKED when the snapshot lacks the user's profile or license."""
    user = access.user.username
    match req:
        case UserStateReq(state=UserState.ACTIVE):
            ok = access.user.is_active
            return _yes_no(req, ok, (), "inactive", fixes.fix_active(user))
        case UserStateReq(state=UserState.NOT_FROZEN):
            ok = not access.user.is_frozen
            return _yes_no(req, ok, (), "frozen", fixes.fix_unfreeze(user))
        case UserStateReq():
            raise AssertionError(req.state)
        case ProfileReq(name=name):
            have = access.profile.name if access.profile else ""
            if not have:
                return RequirementResult(req, Status.NOT_CHECKED, missing=("profile unknown",))
            grant = (Grant(SourceKind.PROFILE, have),)
            return _yes_no(
                req,
                have.casefold() == name.casefold(),
                grant,
                f"profile is {have}",
                fixes.fix_profile(name, user),
            )
        case LicenseReq():
            return _license(req, access, catalog)
        case PermissionSetLicenseReq(name=name):
            held = {_license_key(n, catalog) for n in access.permission_set_licenses}
            ok = _license_key(name, catalog) in held
            return _yes_no(
                req,
                ok,
                (Grant(SourceKind.LICENSE, name),),
                name,
                fixes.fix_permission_set_license(name, user),
            )
        case PackagePermissionSetReq(name=name):
            sets = [a for a in access.assigned_sets if a.matches(name)]
            grants = tuple(Grant(a.kind, a.name, expires=a.expires) for a in sets)
            return _yes_no(req, bool(grants), grants, name, fixes.fix_package_set(name, user))
        case _:
            assert_never(req)


def _license(req: LicenseReq, access: EffectiveAccess, catalog: Catalog) -> RequirementResult:
    have = access.license
    if not have:
        return RequirementResult(req, Status.NOT_CHECKED, missing=("user license unknown",))
    key = _license_key(have, catalog)
    allowed = not req.allowed or key in {_license_key(n, catalog) for n in req.allowed}
    forbidden = key in {_license_key(n, catalog) for n in req.forbidden}
    fix = fixes.fix_license(req, have, access.user.username)
    return _yes_no(
        req, allowed and not forbidden, (Grant(SourceKind.LICENSE, have),), f"license is {have}", fix
    )


def _yes_no(req: UserReq, ok: bool, grants: tuple[Grant, ...], missing: str, fix: str) -> RequirementResult:
    if ok:
        return RequirementResult(req, Status.PASSED, grants)
    return RequirementResult(req, Status.MISSING, (), (), (missing,), fix)


def _license_key(name: str, catalog: Catalog) -> str:
    """Licenses match by name or developer name, case-insensitively."""
    lic = catalog.find_license(name)
    return (lic.name if lic else name).casefold()

"""Requirements on the user itself: profile, user license, permission set license, an existing (package)
permission set, and the state checks verify adds for every user (active, not frozen).

A permission set license must be assigned before permission sets that need it (Salesforce Help, "Give
Integration Users API Only Access": https://help.salesforce.com/s/articleView?id=platform.integration_user.htm).
"""

from __future__ import annotations

from leastforce.access.grants import Grant, SourceKind
from leastforce.catalog.catalog import Catalog
from leastforce.kinds import fixes
from leastforce.kinds.base import NOTHING, CheckContext, Contribution, Held, Kind, UserNeed
from leastforce.kinds.outcome import RequirementResult, Status, yes_no
from leastforce.kinds.risk import UNKNOWN_RANK, Cost
from leastforce.values.requirements import (
    LicenseReq,
    PackagePermissionSetReq,
    PermissionSetLicenseReq,
    ProfileReq,
    UserState,
    UserStateReq,
)

_MILD = Cost(worst=1, total=1, count=1)


def license_key(name: str, catalog: Catalog) -> str:
    """Licenses match by name or developer name, case-insensitively."""
    lic = catalog.find_license(name)
    return (lic.name if lic else name).casefold()


class ProfileKind(Kind[ProfileReq]):
    key = "profile"
    missing_detail = "now"

    def describe(self, req: ProfileReq, catalog: Catalog | None) -> str:
        return f"profile {req.name}"

    def short(self, req: ProfileReq, shown: int) -> str:
        return f"profile {req.name}"

    def cost(self, req: ProfileReq, catalog: Catalog, held: Held = NOTHING) -> Cost:
        return Cost(profile=1, worst=4, total=4, count=1)  # a whole profile grants far more than a set

    def contribute(self, req: ProfileReq, catalog: Catalog, held: Held = NOTHING) -> Contribution:
        return Contribution(user=(UserNeed("profile", req.name),))

    def user_conflicts(self, req: ProfileReq, profile: str, licenses: tuple[str, ...]) -> list[str]:
        if profile and req.name.casefold() != profile.casefold():
            return [f"needs profile {req.name!r}, but user.profile is {profile!r}"]
        return []

    def check(self, req: ProfileReq, ctx: CheckContext) -> RequirementResult:
        have = ctx.access.profile.name if ctx.access.profile else ""
        if not have:
            return RequirementResult(req, Status.NOT_CHECKED, missing=("profile unknown",))
        ok = have.casefold() == req.name.casefold()
        fix = fixes.fix_profile(req.name, ctx.access.user.username)
        return yes_no(req, ok, (Grant(SourceKind.PROFILE, have),), f"profile is {have}", fix)


class LicenseKind(Kind[LicenseReq]):
    key = "license"
    missing_detail = "now"

    def describe(self, req: LicenseReq, catalog: Catalog | None) -> str:
        parts = [f"user license {' or '.join(req.allowed)}"] if req.allowed else []
        parts += [f"user license not {' or '.join(req.forbidden)}"] if req.forbidden else []
        return "; ".join(parts) or "any user license"

    def short(self, req: LicenseReq, shown: int) -> str:
        return "license " + " or ".join(req.allowed or ("any",))

    def cost(self, req: LicenseReq, catalog: Catalog, held: Held = NOTHING) -> Cost:
        return _MILD

    def contribute(self, req: LicenseReq, catalog: Catalog, held: Held = NOTHING) -> Contribution:
        rights = tuple(req.allowed) + tuple(f"not:{name}" for name in req.forbidden)
        return Contribution(user=(UserNeed("license", " or ".join(req.allowed) or "any", rights),))

    def user_conflicts(self, req: LicenseReq, profile: str, licenses: tuple[str, ...]) -> list[str]:
        mine = {name.casefold() for name in licenses}
        if not mine:
            return []
        out = []
        if req.allowed and not mine & {name.casefold() for name in req.allowed}:
            out.append(f"needs license {' or '.join(req.allowed)}; user.license is {', '.join(licenses)}")
        refused = [name for name in req.forbidden if name.casefold() in mine]
        if refused:
            out.append(f"refuses license {', '.join(refused)}, which user.license allows")
        return out

    def check(self, req: LicenseReq, ctx: CheckContext) -> RequirementResult:
        have, catalog = ctx.access.license, ctx.catalog
        if not have:
            return RequirementResult(req, Status.NOT_CHECKED, missing=("user license unknown",))
        key = license_key(have, catalog)
        allowed = not req.allowed or key in {license_key(n, catalog) for n in req.allowed}
        forbidden = key in {license_key(n, catalog) for n in req.forbidden}
        fix = fixes.fix_license(req, have, ctx.access.user.username)
        grant = (Grant(SourceKind.LICENSE, have),)
        return yes_no(req, allowed and not forbidden, grant, f"license is {have}", fix)


class PermissionSetLicenseKind(Kind[PermissionSetLicenseReq]):
    key = "permission_set_license"

    def describe(self, req: PermissionSetLicenseReq, catalog: Catalog | None) -> str:
        return f"permission set license {req.name}"

    def short(self, req: PermissionSetLicenseReq, shown: int) -> str:
        return f"permission set license {req.name}"

    def cost(self, req: PermissionSetLicenseReq, catalog: Catalog, held: Held = NOTHING) -> Cost:
        return _MILD

    def contribute(self, req: PermissionSetLicenseReq, catalog: Catalog, held: Held = NOTHING) -> Contribution:
        return Contribution(user=(UserNeed("permission_set_license", req.name),))

    def check(self, req: PermissionSetLicenseReq, ctx: CheckContext) -> RequirementResult:
        held = {license_key(n, ctx.catalog) for n in ctx.access.permission_set_licenses}
        ok = license_key(req.name, ctx.catalog) in held
        fix = fixes.fix_permission_set_license(req.name, ctx.access.user.username)
        return yes_no(req, ok, (Grant(SourceKind.LICENSE, req.name),), req.name, fix)


class PackagePermissionSetKind(Kind[PackagePermissionSetReq]):
    key = "package_permission_set"

    def describe(self, req: PackagePermissionSetReq, catalog: Catalog | None) -> str:
        return f"permission set {req.name} assigned"

    def short(self, req: PackagePermissionSetReq, shown: int) -> str:
        return f"permission set {req.name}"

    def cost(self, req: PackagePermissionSetReq, catalog: Catalog, held: Held = NOTHING) -> Cost:
        return Cost(worst=UNKNOWN_RANK, total=UNKNOWN_RANK, count=1)  # contents unknown to leastforce

    def contribute(self, req: PackagePermissionSetReq, catalog: Catalog, held: Held = NOTHING) -> Contribution:
        return Contribution(user=(UserNeed("package_permission_set", req.name),))

    def check(self, req: PackagePermissionSetReq, ctx: CheckContext) -> RequirementResult:
        sets = [a for a in ctx.access.assigned_sets if a.matches(req.name)]
        grants = tuple(Grant(a.kind, a.name, expires=a.expires) for a in sets)
        fix = fixes.fix_package_set(req.name, ctx.access.user.username)
        return yes_no(req, bool(grants), grants, req.name, fix)


class UserStateKind(Kind[UserStateReq]):
    """Active and not frozen: verify checks these for every user; no manifest key declares them."""

    key = "user_state"

    def describe(self, req: UserStateReq, catalog: Catalog | None) -> str:
        return str(req)

    def short(self, req: UserStateReq, shown: int) -> str:
        return str(req)

    def cost(self, req: UserStateReq, catalog: Catalog, held: Held = NOTHING) -> Cost:
        return Cost()

    def contribute(self, req: UserStateReq, catalog: Catalog, held: Held = NOTHING) -> Contribution:
        return Contribution()

    def check(self, req: UserStateReq, ctx: CheckContext) -> RequirementResult:
        user = ctx.access.user
        if req.state is UserState.ACTIVE:
            return yes_no(req, user.is_active, (), "inactive", fixes.fix_active(user.username))
        return yes_no(req, not user.is_frozen, (), "frozen", fixes.fix_unfreeze(user.username))

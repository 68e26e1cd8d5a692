"""Tri-state user-level settings: a permission the user must or must NOT hold (``user.api_only``,
``user.password_never_expires``), and the profile's session settings (``user.session``).

"Must not" counts every source: the profile, any permission set or group, and for API Only User an
API-only user license (the Salesforce Integration license: Salesforce Help, "Give Integration Users API
Only Access": https://help.salesforce.com/s/articleView?id=platform.integration_user.htm).

Profile session settings are readable only through the Metadata API (ProfileSessionSetting,
https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_profilesessionsetting.htm);
leastforce reads orgs through REST and Tooling, so verify reports them as not checked, with the Setup steps.
"""

from __future__ import annotations

from leastforce.access.grants import Grant, SourceKind
from leastforce.catalog.catalog import Catalog
from leastforce.kinds import fixes
from leastforce.kinds.base import NOTHING, CheckContext, Contribution, Held, Kind
from leastforce.kinds.outcome import RequirementResult, Status, passed_or_missing
from leastforce.kinds.risk import Cost
from leastforce.values.requirements import ProfileSessionReq, UserPermissionStateReq

API_ONLY = "ApiUserOnly"


class UserPermissionStateKind(Kind[UserPermissionStateReq]):
    key = "user_permission"
    missing_detail = "held through"

    def describe(self, req: UserPermissionStateReq, catalog: Catalog | None) -> str:
        perm = catalog.find_permission(req.name) if catalog else None
        label = f"{req.name} ({perm.label})" if perm and perm.label != req.name else req.name
        return f"user {'has' if req.wanted else 'must not have'} permission {label}"

    def short(self, req: UserPermissionStateReq, shown: int) -> str:
        return req.name if req.wanted else f"not {req.name}"

    def cost(self, req: UserPermissionStateReq, catalog: Catalog, held: Held = NOTHING) -> Cost:
        return Cost()

    def contribute(self, req: UserPermissionStateReq, catalog: Catalog, held: Held = NOTHING) -> Contribution:
        # What ``user:`` adds (or keeps out) is decided by desired/setup.py from the manifest's user spec.
        return Contribution()

    def check(self, req: UserPermissionStateReq, ctx: CheckContext) -> RequirementResult:
        perm = ctx.catalog.find_permission(req.name)
        name = perm.name if perm else req.name
        grants = tuple(ctx.access.permissions.get(name, ()))
        if name == API_ONLY and ctx.access.license:
            lic = ctx.catalog.find_license(ctx.access.license)
            if lic is not None and lic.api_only:
                grants += (Grant(SourceKind.LICENSE, lic.name),)
        if req.wanted:
            return passed_or_missing(
                req, grants, (name,), fixes.fix_permission(name, ctx.target, ctx.catalog)
            )
        if not grants:
            return RequirementResult(req, Status.PASSED)
        username = ctx.access.user.username
        held = tuple(str(g) for g in grants)
        fix = fixes.fix_remove_permission(name, grants, username, ctx.catalog)
        return RequirementResult(req, Status.MISSING, (), (), held, fix)


class ProfileSessionKind(Kind[ProfileSessionReq]):
    key = "profile_session"

    def describe(self, req: ProfileSessionReq, catalog: Catalog | None) -> str:
        if req.setting == "security_level":
            return f"profile session security level required at login: {req.value}"
        return f"profile session timeout: {req.value} minutes"

    def short(self, req: ProfileSessionReq, shown: int) -> str:
        return f"session {req.setting} {req.value}"

    def cost(self, req: ProfileSessionReq, catalog: Catalog, held: Held = NOTHING) -> Cost:
        return Cost()

    def contribute(self, req: ProfileSessionReq, catalog: Catalog, held: Held = NOTHING) -> Contribution:
        return Contribution()

    def check(self, req: ProfileSessionReq, ctx: CheckContext) -> RequirementResult:
        profile = ctx.access.profile.name if ctx.access.profile else ctx.target.name
        fix = fixes.fix_session_setting(req.setting, req.value, profile)
        reason = "profile session settings are readable only through the Metadata API: check by hand"
        return RequirementResult(req, Status.NOT_CHECKED, missing=(reason,), fix=fix)

"""``from: profile`` / ``from: permission_set``: a right that counts only when it comes from there.

Some vendors' packages read a right from the user's profile (or require a permission set): the check is
then run on the grants of that source alone; when the right is held elsewhere only, the result says where
and the fix puts it on the source the vendor needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from leastforce.access.grants import Grant, SourceKind, describe_grant
from leastforce.kinds.base import CheckContext
from leastforce.kinds.fixes import FixTarget
from leastforce.kinds.outcome import RequirementResult, Status
from leastforce.values.requirements import Requirement, Source

_KINDS = {
    Source.PROFILE: frozenset({SourceKind.PROFILE}),
    # A permission set group hands out its sets' rights: it counts as a permission set.
    Source.PERMISSION_SET: frozenset({SourceKind.PERMISSION_SET, SourceKind.GROUP}),
}


def check_from_source(
    req: Requirement, ctx: CheckContext, check: Callable[[Requirement, CheckContext], RequirementResult]
) -> RequirementResult:
    """``check(req, ctx)`` on the grants of ``req.source`` only, saying where else the right is held."""
    if req.source is Source.ANY:
        return check(req, ctx)
    kinds = _KINDS[req.source]
    narrowed = replace(ctx, access=ctx.access.only(lambda g: g.kind in kinds), target=_target(req, ctx))
    result = check(req, narrowed)
    if result.status is not Status.MISSING:
        return result
    anywhere = check(req, ctx)
    if anywhere.status is not Status.PASSED:
        return result
    elsewhere = _where(anywhere.satisfied_by)
    said = f"granted by {elsewhere}, but the vendor needs it on {req.source.words}"
    fix = f"{said[0].upper()}{said[1:]}: {result.fix}"
    return replace(result, missing=(said, *result.missing), fix=fix)


def _target(req: Requirement, ctx: CheckContext) -> FixTarget:
    """Where the fix lands: the user's profile, or a permission set when the check's target is the profile."""
    username = ctx.target.username
    if req.source is Source.PROFILE:
        profile = ctx.access.profile.name if ctx.access.profile else ""
        return FixTarget(username, profile, profile, profile=bool(profile))
    return FixTarget(username) if ctx.target.profile else ctx.target


def _where(grants: tuple[Grant, ...]) -> str:
    return " and ".join(dict.fromkeys(describe_grant(g) for g in grants)) or "another source"

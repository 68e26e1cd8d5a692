"""From what an org source read about a user to the OrgFacts doctor judges (pure)."""

from __future__ import annotations

from dataclasses import replace

from leastforce.access.resolve import effective_access
from leastforce.catalog import Catalog
from leastforce.checks.doctor.model import LoginState, OrgFacts
from leastforce.values.model import OrgSnapshot, User, frozen_map


def user_facts(
    base: OrgFacts, snapshot: OrgSnapshot, user: User, state: LoginState, catalog: Catalog
) -> OrgFacts:
    """``base`` completed with the user's effective access (as of ``base.now``) and login state.

    Frozen lives on UserLogin, not User: when the source says frozen and the snapshot's user does not,
    the user is marked frozen before access is resolved.
    https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_userlogin.htm
    """
    if state.frozen and not user.is_frozen:
        user = replace(user, is_frozen=True)
        snapshot = replace(snapshot, users=frozen_map({user.id: user}))
    access = effective_access(snapshot, user.id, catalog=catalog, now=base.now)
    apps = state.connected_apps
    return replace(
        base,
        access=access,
        tokens=state.tokens,
        installed_apps=None if apps is None else frozenset(name for name, _ in apps),
        app_ids=apps or (),
        api_usage=state.api_usage,
    )

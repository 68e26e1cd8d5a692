"""The integration's OAuth app (``app:``) as a value: which app, the flow it uses and the policies it needs.

The policies are the ones an admin sets in Setup > App Manager > (app) > Manage > Edit Policies (connected
apps) or External Client App Manager > (app) > Policies (External Client Apps):
https://help.salesforce.com/s/articleView?id=xcloud.connected_app_manage_oauth.htm
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from leastforce.errors import Position
from leastforce.values.model import SetupEntityType, frozen_map

_NOWHERE = Position("<manifest>")


class AppKind(enum.Enum):
    CONNECTED_APP = "connected_app"
    EXTERNAL_CLIENT_APP = "external_client_app"

    @property
    def entity_type(self) -> SetupEntityType:
        """The SetupEntityAccess type that pre-authorises a profile or permission set for the app."""
        if self is AppKind.CONNECTED_APP:
            return SetupEntityType.CONNECTED_APP
        return SetupEntityType.EXTERNAL_CLIENT_APP

    @property
    def label(self) -> str:
        return "connected app" if self is AppKind.CONNECTED_APP else "External Client App"


class Flow(enum.Enum):
    """OAuth 2.0 flows (https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_flows.htm)."""

    WEB_SERVER = "web_server"
    JWT_BEARER = "jwt_bearer"
    CLIENT_CREDENTIALS = "client_credentials"
    DEVICE = "device"
    USERNAME_PASSWORD = "username_password"
    REFRESH_TOKEN = "refresh_token"


class PermittedUsers(enum.Enum):
    """OAuth Policies > Permitted Users."""

    ADMIN_APPROVED = "admin_approved"  # "Admin approved users are pre-authorized"
    ALL_USERS = "all_users"  # "All users may self-authorize"


class PreAuthorize(enum.Enum):
    """Where the admin pre-authorises the user: its permission set (Manage Permission Sets) or its profile
    (Manage Profiles) on the app's page."""

    PERMISSION_SET = "permission_set"
    PROFILE = "profile"


class IpRelaxation(enum.Enum):
    """OAuth Policies > IP Relaxation."""

    ENFORCE = "enforce"  # "Enforce IP restrictions"
    RELAX_WITH_SECOND_FACTOR = "relax_with_second_factor"  # "Relax IP restrictions with second factor"
    RELAX = "relax"  # "Relax IP restrictions"


class RefreshTokenPolicy(enum.Enum):
    """OAuth Policies > Refresh Token Policy."""

    UNTIL_REVOKED = "until_revoked"  # "Refresh token is valid until revoked"
    EXPIRE_IMMEDIATELY = "expire_immediately"  # "Immediately expire refresh token"
    EXPIRE_IF_UNUSED = "expire_if_unused"  # "Expire refresh token if not used for N"
    EXPIRE_AFTER = "expire_after"  # "Expire refresh token after N"


@dataclass(frozen=True)
class RefreshToken:
    """A refresh token policy; ``period`` and ``unit`` (hours, days, months) only for the two expiries."""

    policy: RefreshTokenPolicy
    period: int | None = None
    unit: str = ""

    def __str__(self) -> str:
        text = self.policy.value.replace("_", " ")
        return f"{text} {self.period} {self.unit}" if self.period else text


@dataclass(frozen=True)
class AppSpec:
    """``app:``: the OAuth app the integration connects through. ``None`` = the manifest does not say.

    ``positions``: key -> where it was written (``at(key)`` falls back on the section's own position).
    """

    name: str
    kind: AppKind
    flow: Flow
    permitted_users: PermittedUsers | None = None
    pre_authorize: PreAuthorize | None = None
    ip_relaxation: IpRelaxation | None = None
    refresh_token: RefreshToken | None = None
    run_as: str = ""
    why: str = ""
    position: Position = field(default=_NOWHERE, compare=False)
    positions: Mapping[str, Position] = field(default_factory=frozen_map, compare=False)

    def at(self, key: str) -> Position:
        return self.positions.get(key, self.position)

    @property
    def preauthorized_through(self) -> PreAuthorize | None:
        """Where the app must be granted: only "admin approved" apps need it (the permission set by default)."""
        if self.permitted_users is not PermittedUsers.ADMIN_APPROVED:
            return None
        return self.pre_authorize or PreAuthorize.PERMISSION_SET

"""The YAML shape of ``app:``: the integration's OAuth app (a connected app or an External Client App),
the OAuth flow it uses and the policies it needs (Setup > App Manager > Manage > Edit Policies:
https://help.salesforce.com/s/articleView?id=xcloud.connected_app_manage_oauth.htm)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from leastforce.manifest.schema_atoms import Strict, Text

FlowName = Literal[
    "web_server", "jwt_bearer", "client_credentials", "device", "username_password", "refresh_token"
]


class _Doc(Strict):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, use_attribute_docstrings=True)


def _refresh_form(value: Any) -> Any:
    """``refresh_token: until_revoked`` == ``refresh_token: {policy: until_revoked}``."""
    return {"policy": value} if isinstance(value, str) else value


class RefreshTokenDoc(_Doc):
    """The Refresh Token Policy: until revoked, expire immediately, or expire after / if unused for a period."""

    policy: Literal["until_revoked", "expire_immediately", "expire_if_unused", "expire_after"]
    """until_revoked, expire_immediately, expire_if_unused or expire_after."""
    period: Annotated[int, Field(ge=1)] | None = None
    """The period, for expire_if_unused and expire_after."""
    unit: Literal["hours", "days", "months"] | None = None
    """hours, days or months."""

    @model_validator(mode="after")
    def _period(self) -> RefreshTokenDoc:
        timed = self.policy in ("expire_if_unused", "expire_after")
        if timed != (self.period is not None and self.unit is not None):
            raise PydanticCustomError(
                "refresh_token",
                "period and unit go with expire_if_unused and expire_after (and only with them)",
            )
        return self


class AppDoc(_Doc):
    """The OAuth app the integration connects through, its flow and the policies it needs."""

    connected_app: Text | None = None
    """The connected app's name (Setup > App Manager)."""
    external_client_app: Text | None = None
    """The External Client App's name (Setup > External Client App Manager)."""
    flow: FlowName
    """The OAuth flow: web_server, jwt_bearer, client_credentials, device, username_password or refresh_token."""
    permitted_users: Literal["admin_approved", "all_users"] | None = None
    """admin_approved ("Admin approved users are pre-authorized") or all_users ("All users may self-authorize")."""
    pre_authorize: Literal["permission_set", "profile"] | None = None
    """With admin_approved: the user is pre-authorised through its permission set (default) or its profile."""
    ip_relaxation: Literal["enforce", "relax_with_second_factor", "relax"] | None = None
    """IP Relaxation: enforce, relax_with_second_factor or relax."""
    refresh_token: Annotated[
        RefreshTokenDoc | None,
        BeforeValidator(_refresh_form, json_schema_input_type=str | RefreshTokenDoc | None),
    ] = None
    """The Refresh Token Policy: a policy name, or {policy, period, unit}."""
    run_as: Text | None = None
    """The client credentials flow's Run As user (its username)."""
    why: str = ""
    """The vendor's reason for these settings."""

    @model_validator(mode="after")
    def _one_app(self) -> AppDoc:
        if (self.connected_app is None) == (self.external_client_app is None):
            raise PydanticCustomError("app", "name exactly one of connected_app or external_client_app")
        return self

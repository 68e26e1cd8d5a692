"""What /services/oauth2/userinfo and the identity URL /id/<org>/<user> say about the session's user.

Shapes: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_userinfo_endpoint.htm and
https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_openid.htm (URLs keep the literal
`{version}` placeholder, as Salesforce does when no version is asked for). The sf CLI reads user_id,
organization_id and preferred_username from userinfo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from leastforce.emulator.store.org_store import Caller

if TYPE_CHECKING:
    from leastforce.emulator.http.server import EmulatorContext

_USER_FIELDS = [
    "Id",
    "Username",
    "FirstName",
    "LastName",
    "Name",
    "Email",
    "IsActive",
    "TimeZoneSidKey",
    "LanguageLocaleKey",
    "LocaleSidKey",
    "UserType",
    "LastModifiedDate",
]


def _user(ctx: EmulatorContext, user_id: str) -> dict[str, Any]:
    admin = Caller(ctx.store.admin_user_id, system=True)
    try:
        return dict(ctx.store.get("User", user_id, _USER_FIELDS, caller=admin))
    except Exception:  # a store without some optional User field: fall back to what it has
        return dict(ctx.store.get("User", user_id, None, caller=admin))


def _urls(ctx: EmulatorContext, user_id: str) -> dict[str, str]:
    base, org = ctx.instance_url, ctx.store.org_id
    data = f"{base}/services/data/v{{version}}/"
    return {
        "enterprise": f"{base}/services/Soap/c/{{version}}/{org[:15]}",
        "metadata": f"{base}/services/Soap/m/{{version}}/{org[:15]}",
        "partner": f"{base}/services/Soap/u/{{version}}/{org[:15]}",
        "rest": data,
        "sobjects": data + "sobjects/",
        "search": data + "search/",
        "query": data + "query/",
        "recent": data + "recent/",
        "tooling_soap": f"{base}/services/Soap/T/{{version}}/{org[:15]}",
        "tooling_rest": data + "tooling/",
        "profile": f"{base}/{user_id}",
        "feeds": data + "chatter/feeds",
        "groups": data + "chatter/groups",
        "users": data + "chatter/users",
        "feed_items": data + "chatter/feed-items",
        "custom_domain": base,
    }


def userinfo(ctx: EmulatorContext, user_id: str) -> dict[str, Any]:
    """The OpenID Connect UserInfo answer for the session's user."""
    user = _user(ctx, user_id)
    org = ctx.store.org_id
    return {
        "sub": f"{ctx.instance_url}/id/{org}/{user_id}",
        "user_id": user_id,
        "organization_id": org,
        "preferred_username": user.get("Username"),
        "nickname": (user.get("Username") or "").split("@")[0],
        "name": user.get("Name") or " ".join(filter(None, [user.get("FirstName"), user.get("LastName")])),
        "email": user.get("Email"),
        "email_verified": True,
        "given_name": user.get("FirstName"),
        "family_name": user.get("LastName"),
        "zoneinfo": user.get("TimeZoneSidKey") or "America/Los_Angeles",
        "profile": f"{ctx.instance_url}/{user_id}",
        "active": bool(user.get("IsActive", True)),
        "user_type": "STANDARD",
        "language": user.get("LanguageLocaleKey") or "en_US",
        "locale": user.get("LocaleSidKey") or "en_US",
        "utcOffset": 0,
        "updated_at": user.get("LastModifiedDate"),
        "is_app_installed": True,
        "is_salesforce_integration_user": False,
        "urls": _urls(ctx, user_id),
    }


def identity(ctx: EmulatorContext, user_id: str) -> dict[str, Any]:
    """The identity URL answer (older key names: username, display_name, first_name ...)."""
    info = userinfo(ctx, user_id)
    return {
        "id": info["sub"],
        "asserted_user": True,
        "user_id": user_id,
        "organization_id": info["organization_id"],
        "username": info["preferred_username"],
        "nick_name": info["nickname"],
        "display_name": info["name"],
        "email": info["email"],
        "email_verified": True,
        "first_name": info["given_name"],
        "last_name": info["family_name"],
        "timezone": info["zoneinfo"],
        "active": info["active"],
        "user_type": "STANDARD",
        "language": info["language"],
        "locale": info["locale"],
        "utcOffset": 0,
        "last_modified_date": info["updated_at"],
        "is_app_installed": True,
        "urls": info["urls"],
    }

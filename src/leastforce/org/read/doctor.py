"""What doctor reads about one user beyond their access: 4 calls.

  1. UserLogin.IsFrozen (frozen lives on UserLogin, not User);
  2. the user's OauthToken rows;
  3. the org's ConnectedApplication rows (doctor tells an uninstalled app from a blocked one);
  4. /limits, for DailyApiRequests.
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_userlogin.htm
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_oauthtoken.htm
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
"""

from __future__ import annotations

from leastforce.checks.doctor.model import LoginState
from leastforce.org import records as rec
from leastforce.org.client import OrgClient
from leastforce.org.soql import soql


def read_login_state(client: OrgClient, user_id: str) -> LoginState:
    """The user's frozen state, OAuth tokens, the org's connected apps and its daily API usage."""
    frozen = client.query(soql("SELECT IsFrozen FROM UserLogin WHERE UserId = {uid}", uid=user_id))
    token_rows = client.query(
        soql(
            "SELECT Id, UserId, AppName, CreatedDate, LastUsedDate, UseCount FROM OauthToken WHERE UserId = {uid}",
            uid=user_id,
        )
    )
    app_rows = client.query("SELECT Id, Name FROM ConnectedApplication")
    limits = client.request("GET", "limits")
    daily = (limits or {}).get("DailyApiRequests") or {}
    usage = None
    if "Max" in daily and "Remaining" in daily:
        usage = (int(daily["Max"]) - int(daily["Remaining"]), int(daily["Max"]))
    return LoginState(
        frozen=bool(frozen and frozen[0].get("IsFrozen")),
        tokens=tuple(rec.oauth_token_from(r) for r in token_rows),
        connected_apps=tuple((str(r["Name"]), str(r["Id"])) for r in app_rows),
        api_usage=usage,
    )

"""Org-level facts that ``prerequisites:`` and ``when:`` conditions are checked against.

Read by ``leastforce.org.read.prerequisites`` (REST and Tooling queries); ``None`` / absent = not read or
not readable, which a check reports as not checked, never as passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from leastforce.values.model import frozen_map
from leastforce.values.packages import InstalledPackage


@dataclass(frozen=True)
class SharingModel:
    """An object's org-wide defaults (EntityDefinition.InternalSharingModel / ExternalSharingModel)."""

    internal: str | None = None
    external: str | None = None


@dataclass(frozen=True)
class OrgFacts:
    """``edition``: Organization.OrganizationType ("Enterprise Edition"). ``daily_api_max``: /limits
    DailyApiRequests.Max. ``history_tracked``: "Object.Field" -> FieldDefinition.IsFieldHistoryTracked
    (absent = no such field). ``sharing``: object -> its sharing models (absent = no such object).
    ``apps``: app DeveloperName or label -> whether the user's profile or permission sets assign it
    (absent = no such app). ``read``: which of these were read at all (edition, limits, fields, sharing, apps,
    packages). ``packages``: the InstalledSubscriberPackage rows (None = not read). ``connected_apps``:
    ConnectedApplication Name -> OptionsAllowAdminApprovedUsersOnly (None = not read; absent = no such app).
    """

    edition: str | None = None
    daily_api_max: int | None = None
    history_tracked: Mapping[str, bool] = field(default_factory=frozen_map)
    sharing: Mapping[str, SharingModel] = field(default_factory=frozen_map)
    apps: Mapping[str, bool] = field(default_factory=frozen_map)
    read: frozenset[str] = frozenset()
    packages: tuple[InstalledPackage, ...] | None = None
    connected_apps: Mapping[str, bool] | None = None

"""The values adopt returns: the manifest document an existing user's access amounts to.

Every entry keeps the sources that grant it (profile, permission set, group: already words, not yet
sanitised), so the renderer can write ``why: TODO (granted by ...)`` and the risky grants at the top.
"""

from __future__ import annotations

from dataclasses import dataclass

from leastforce.catalog.types import Risk

TODO = "TODO"


@dataclass(frozen=True)
class Entry:
    """One requirement of the adopted manifest, in the manifest's own terms.

    ``key`` is the requirement kind's key (``permission``, ``object``, ``field``, ``apex_class`` ...),
    ``name`` its value, ``access`` the rights for ``object`` / ``field`` (manifest spelling, in order).
    """

    key: str
    name: str
    sources: tuple[str, ...]
    access: tuple[str, ...] = ()

    @property
    def why(self) -> str:
        """The placeholder reason the admin replaces: ``TODO (granted by profile X; permission set Y)``."""
        return f"{TODO} (granted by {'; '.join(self.sources) or 'an unknown source'})"


@dataclass(frozen=True)
class Feature:
    """A group of entries (grouping rule: leastforce.adopt.grouping)."""

    name: str
    summary: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class RiskyGrant:
    """A grant worth questioning first: its tier, what it is in words, and where it comes from."""

    risk: Risk
    what: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Left:
    """Something the user holds that the manifest does not state, with why (listed as a comment)."""

    what: str
    reason: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class AdoptedUser:
    """The ``user:`` section: the user's license, profile, permission set licenses and user-level flags
    (``api_only`` / ``password_never_expires``: True when held, None = not stated)."""

    username: str
    license: str
    profile: str
    permission_set_licenses: tuple[str, ...]
    api_only: tuple[str, ...] = ()  # the sources of API Only User; () = not held
    password_never_expires: tuple[str, ...] = ()


@dataclass(frozen=True)
class AssignedSetInfo:
    """A permission set or group assigned to the user, for the header (names and labels from the org)."""

    kind: str  # "permission set" | "permission set group"
    name: str
    label: str


@dataclass(frozen=True)
class AdoptedPackage:
    """A ``packages:`` entry: a namespace the entries use. ``version``: installed today (None: unknown);
    ``installed``: None when the org's packages were not read; ``permission_sets``: (name, label)."""

    namespace: str
    name: str
    version: str | None
    installed: bool | None
    permission_sets: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Adoption:
    """A user's effective access as a manifest document, with the risky grants and what was left out."""

    integration: str
    user: AdoptedUser
    features: tuple[Feature, ...]
    risky: tuple[RiskyGrant, ...]
    left_out: tuple[Left, ...]
    assigned: tuple[AssignedSetInfo, ...]
    packages: tuple[AdoptedPackage, ...] = ()

    @property
    def requirement_count(self) -> int:
        return sum(len(f.entries) for f in self.features)

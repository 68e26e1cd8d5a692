"""The desired setup's frozen values: sets, profile, user, and the reason behind every row."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from leastforce.errors import Position
from leastforce.values.model import PermissionSet
from leastforce.values.packages import PackageSpec

# Other layers test a set's description for this marker to recognise the sets leastforce owns.
MANAGED_MARKER = "Managed by leastforce"
# PermissionSet.Description is limited to 255 characters; Name and Label to 80.
# https://developer.salesforce.com/docs/platform/api-tooling/references/tooling-objects/tooling-permissionset.html
DESCRIPTION_LIMIT = 255
NAME_LIMIT = 80
_NOWHERE = Position("<manifest>")


class NeedKind(enum.Enum):
    """What a :class:`Need` gives."""

    USER_PERMISSION = "user_permission"
    OBJECT = "object"
    FIELD = "field"
    SETUP_ENTITY = "setup_entity"
    PROFILE = "profile"
    LICENSE = "license"
    PERMISSION_SET_LICENSE = "permission_set_license"
    PACKAGE_PERMISSION_SET = "package_permission_set"


@dataclass(frozen=True)
class Need:
    """One thing the user needs, where it lands, and why.

    ``permission_set``: the API name of the managed set holding it, the profile name when it lands on the
    profile, or "" for user-level needs (profile, license, PSL, package set). ``subject``: permission API
    name, object, ``Object.Field``, ``Type:Name`` of a setup entity, or the profile/license/set name.
    ``rights``: right keys as requested, before closure (``read``, ``edit`` ...); for a license, the
    forbidden ones are prefixed ``not:``. ``required_by``: the permission that pulled this one in as a
    Salesforce dependency ("" when the manifest asked for it). ``optional``: only an optional feature needs it.
    """

    permission_set: str
    kind: NeedKind
    subject: str
    rights: tuple[str, ...] = ()
    feature: str = ""
    why: str = ""
    required_by: str = ""
    optional: bool = False
    position: Position = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True)
class Choice:
    """For one ``any:``: the alternatives (one line each), the index chosen, and why."""

    feature: str
    alternatives: tuple[str, ...]
    chosen: int
    reason: str
    why: str = ""
    position: Position = field(default=_NOWHERE, compare=False)
    short: tuple[str, ...] = ()  # the alternatives named more briefly, for the 255-character description

    @property
    def chosen_text(self) -> str:
        return self.alternatives[self.chosen]

    @property
    def rejected(self) -> tuple[str, ...]:
        return tuple(a for i, a in enumerate(self.alternatives) if i != self.chosen)


@dataclass(frozen=True)
class DesiredProfile:
    """The profile leastforce creates as a clone of ``based_on``, with its own permissions."""

    name: str
    based_on: str
    user_license: str = ""
    permission_set: PermissionSet = field(default_factory=lambda: PermissionSet(name=""))
    # User permissions the clone must NOT keep from its base (``user.api_only: false``,
    # ``user.password_never_expires: false``).
    without: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DesiredUser:
    """What the user record must look like. Empty ``licenses`` = any license; ``profile`` "" = any."""

    licenses: tuple[str, ...] = ()
    not_licenses: tuple[str, ...] = ()
    profile: str = ""
    api_only: bool | None = None
    permission_set_licenses: tuple[str, ...] = ()
    password_never_expires: bool | None = None
    username: str = ""


@dataclass(frozen=True)
class DesiredSetup:
    """Everything the integration user (or the holders of ``role``) must have.

    ``permission_sets``: the sets leastforce creates and manages, dependencies closed. ``profile``: the
    profile leastforce clones (None when the manifest names an existing profile or none). ``assignments``:
    every set to assign, managed first, then package sets. ``features``: the features selected.
    """

    integration: str
    permission_sets: tuple[PermissionSet, ...]
    profile: DesiredProfile | None
    user: DesiredUser
    package_permission_sets: tuple[str, ...]
    assignments: tuple[str, ...]
    choices: tuple[Choice, ...] = ()
    notes: tuple[str, ...] = ()
    needs: tuple[Need, ...] = ()
    features: tuple[str, ...] = ()
    role: str = ""
    packages: tuple[PackageSpec, ...] = ()  # managed packages that must be installed first (``packages:``)

    def permission_set(self, name: str) -> PermissionSet:
        """The managed set called ``name``; KeyError if there is none."""
        for ps in self.permission_sets:
            if ps.name == name:
                return ps
        raise KeyError(name)

    def needs_for(self, target: str) -> tuple[Need, ...]:
        """The needs landing on one set or profile ("" = user-level)."""
        return tuple(g for g in self.needs if g.permission_set == target)


def api_name(text: str) -> str:
    """A valid DeveloperName from any text: letters, digits and single underscores, starting with a letter.

    https://help.salesforce.com/s/articleView?id=platform.perm_sets_create.htm (API Name rules).
    """
    name = re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_")
    if not name or not name[0].isalpha():
        name = f"X_{name}".rstrip("_")
    return name[:NAME_LIMIT].rstrip("_")


def managed_description(integration: str, description: str, choices: Iterable[Choice] = ()) -> str:
    """``Managed by leastforce (<integration>). <description> <choices>``, cut to 255 characters."""
    parts = [f"{MANAGED_MARKER} ({integration})."]
    if description.strip():
        text = description.strip()
        parts.append(text if text.endswith(".") else text + ".")
    for choice in choices:
        names = choice.short or choice.alternatives
        rejected = " / ".join(n for i, n in enumerate(names) if i != choice.chosen)
        parts.append(f"Uses {names[choice.chosen]}, not {rejected} (less risky).")
    text = " ".join(parts)
    if len(text) <= DESCRIPTION_LIMIT:
        return text
    cut = text[: DESCRIPTION_LIMIT - 3]
    at_word = cut.rsplit(" ", 1)[0]  # end on a whole word unless that loses too much
    return (at_word if len(at_word) > DESCRIPTION_LIMIT // 2 else cut).rstrip(" ,;:") + "..."

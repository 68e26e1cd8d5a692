"""The loaded manifest as frozen values: what an integration needs, feature by feature, and why.

The loader (``leastforce.manifest.loader``) builds these from YAML; build, guide, plan, verify and
audit consume them. Requirement atoms come from ``leastforce.values.requirements``. Every value carries the
``position`` where it was declared, so any later finding can point back at the manifest line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from leastforce.errors import Position, Problem
from leastforce.values.apps import AppSpec
from leastforce.values.packages import PackageSpec
from leastforce.values.requirements import Requirement, walk

_NOWHERE = Position("<manifest>")


@dataclass(frozen=True)
class ProfileSpec:
    """The integration user's profile.

    With ``based_on`` leastforce creates ``name`` as a clone of ``based_on``; without it ``name`` is an
    existing profile the user must have (e.g. "System Administrator").
    """

    name: str
    based_on: str = ""
    position: Position = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True)
class UserSpec:
    """The integration user the vendor logs in as.

    ``licenses``: allowed user licenses (any one; empty = any); ``not_licenses``: refused ones.
    ``api_only`` and ``password_never_expires`` are tri-state: True = must have, False = must NOT have,
    None = not stated. ``session``: the profile's session settings the vendor names (``user.session``).
    ``username`` is a suggested pattern or "".
    """

    licenses: tuple[str, ...] = ()
    not_licenses: tuple[str, ...] = ()
    profile: ProfileSpec | None = None
    permission_set_licenses: tuple[str, ...] = ()
    api_only: bool | None = None
    password_never_expires: bool | None = None
    username: str = ""
    session: SessionSpec | None = None
    position: Position = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True)
class SessionSpec:
    """The profile's Session Settings: ``security_level`` (none, standard, high_assurance; "" = not
    stated) and ``timeout_minutes`` (None = not stated)."""

    security_level: str = ""
    timeout_minutes: int | None = None
    why: str = ""
    position: Position = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True)
class Condition:
    """``when:``: holds while ``object``'s org-wide default is ``sharing_model`` (internal) and / or
    ``external_sharing_model`` ("" = not tested)."""

    object: str
    sharing_model: str = ""
    external_sharing_model: str = ""
    position: Position = field(default=_NOWHERE, compare=False)

    def __str__(self) -> str:
        tests = [f"sharing model {self.sharing_model}"] if self.sharing_model else []
        tests += (
            [f"external sharing model {self.external_sharing_model}"] if self.external_sharing_model else []
        )
        return f"{self.object} {' and '.join(tests)}"


@dataclass(frozen=True)
class Prerequisite:
    """Org state the integration needs (``prerequisites:``).

    ``kind``: edition, org_setting, field_history, app_visible or api_capacity (or ``package``: a declared
    package verify checks, subject its namespace, values its minimum version, name and install link). ``subject``: the field,
    app, setting name or "" ; ``values``: the editions, or the setting's value, or the minimum requests.
    ``manual``: no API reads it (``check: manual``). ``when``: applies only while that holds.
    """

    kind: str
    subject: str = ""
    values: tuple[str, ...] = ()
    why: str = ""
    manual: bool = False
    when: Condition | None = None
    setup: str = ""
    position: Position = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True)
class PermissionSetSpec:
    """A permission set leastforce creates to carry feature requirements.

    ``features`` names the features whose requirements go in this set; () = every feature not
    claimed by another set. ``license`` is a user license or permission set license name, or "".
    """

    name: str  # API name (DeveloperName)
    label: str = ""
    description: str = ""
    license: str = ""
    features: tuple[str, ...] = ()
    position: Position = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True)
class Feature:
    """Something the integration does, with what it needs; optional features are opted into."""

    name: str
    summary: str = ""
    optional: bool = False
    requires: tuple[Requirement, ...] = ()
    position: Position = field(default=_NOWHERE, compare=False)

    def atoms(self) -> Iterator[Requirement]:
        """Every requirement, depth first (combinators included)."""
        return walk(self.requires)


@dataclass(frozen=True)
class Role:
    """Another person the integration needs (e.g. the admin who authenticates first)."""

    name: str
    summary: str = ""
    requires: tuple[Requirement, ...] = ()
    position: Position = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True)
class Credential:
    """A named/external credential principal the integration authenticates through."""

    external_credential: str
    principal: str = ""
    token_lifetime_days: int | None = None
    renew: str = ""
    why: str = ""
    position: Position = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True)
class Troubleshooting:
    """A known error the vendor's guide explains, with cause and fix."""

    error: str
    cause: str = ""
    fix: str = ""
    position: Position = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True)
class Manifest:
    """A whole manifest (format 1)."""

    path: str
    integration: str
    summary: str = ""
    docs: str = ""
    user: UserSpec = field(default_factory=UserSpec)
    permission_sets: tuple[PermissionSetSpec, ...] = ()
    features: tuple[Feature, ...] = ()
    roles: tuple[Role, ...] = ()
    credentials: tuple[Credential, ...] = ()
    troubleshooting: tuple[Troubleshooting, ...] = ()
    prerequisites: tuple[Prerequisite, ...] = ()
    packages: tuple[PackageSpec, ...] = ()  # managed packages to install first (values/packages.py)
    app: AppSpec | None = None  # the OAuth app, its flow and policies (values/apps.py)

    def feature(self, name: str) -> Feature:
        """The feature called ``name``; KeyError if there is none."""
        for feat in self.features:
            if feat.name == name:
                return feat
        raise KeyError(f"no feature {name!r} in {self.integration} (have: {self._names(self.features)})")

    def role(self, name: str) -> Role:
        """The role called ``name``; KeyError if there is none."""
        for role in self.roles:
            if role.name == name:
                return role
        raise KeyError(f"no role {name!r} in {self.integration} (have: {self._names(self.roles)})")

    def selected_features(
        self, names: Iterable[str] = (), with_optional: bool = False
    ) -> tuple[Feature, ...]:
        """The required features plus those named (or every optional one), in manifest order.

        Raises KeyError for a name that is not a feature.
        """
        wanted = set(names)
        for name in wanted:
            self.feature(name)
        return tuple(f for f in self.features if not f.optional or with_optional or f.name in wanted)

    def permission_set_for(self, feature: str) -> PermissionSetSpec | None:
        """The permission set that carries ``feature``'s requirements (None when no set is declared)."""
        catch_all = None
        for spec in self.permission_sets:
            if feature in spec.features:
                return spec
            if not spec.features and catch_all is None:
                catch_all = spec
        return catch_all

    @staticmethod
    def _names(items: Iterable[Feature | Role]) -> str:
        return ", ".join(i.name for i in items) or "none"


@dataclass(frozen=True)
class LoadResult:
    """A loaded manifest and the warnings found while loading it (errors raise ManifestError)."""

    manifest: Manifest
    warnings: tuple[Problem, ...] = ()

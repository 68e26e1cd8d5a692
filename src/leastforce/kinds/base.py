"""What a requirement kind declares: its description, risk, contribution to the desired setup, verify check.

Each kind is one small class in its own module (``leastforce.kinds.permission`` ...); ``kinds.kind_of``
maps a requirement value to its kind with one exhaustive ``match``. The manifest's YAML shape of a kind and
its parsing live with its pydantic atom model (``manifest.schema_atoms``, ``to_requirement``).
Adding a kind: the value (values/requirements.py), its atom model (manifest/schema_atoms.py), its module
here and one ``case`` in kinds/__init__.py; docs/ARCHITECTURE.md walks through an example.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from leastforce.access.grants import EffectiveAccess, Rights, describe_grant
from leastforce.catalog.catalog import Catalog
from leastforce.errors import Problem
from leastforce.kinds.fixes import FixTarget
from leastforce.kinds.outcome import RequirementResult
from leastforce.kinds.risk import Cost
from leastforce.values.model import FieldRight, ObjectRight, SetupEntity
from leastforce.values.requirements import Requirement

R = TypeVar("R", bound=Requirement)
KindOf = Callable[[Requirement], "Kind[Any]"]  # the registry's lookup, given to kinds made of other kinds


@dataclass(frozen=True)
class Held:
    """What the rest of the setup already grants (its permissions with their dependencies, its object
    rights closed): an ``any:`` alternative that needs nothing more costs nothing."""

    permissions: frozenset[str] = frozenset()
    objects: Mapping[str, frozenset[ObjectRight]] = field(default_factory=dict)


NOTHING = Held()


@dataclass(frozen=True)
class UserNeed:
    """A need about the user itself (profile, license, permission set license, package set).

    ``kind`` is a ``desired.NeedKind`` value; ``rights`` as there (forbidden licenses prefixed ``not:``).
    """

    kind: str
    subject: str
    rights: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chosen:
    """For an ``any:``: the alternatives named (long and short), the index taken, and why."""

    alternatives: tuple[str, ...]
    index: int
    reason: str
    short: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contribution:
    """What granting a requirement puts in a permission set, and what it asks of the user.

    ``then``: requirements granted with it (the items of an ``all:``, the chosen item of an ``any:``);
    ``negated``: requirements the user must not hold (nothing is granted for them).
    ``implied_objects``: the objects in ``objects`` granted only because Salesforce requires them for the
    rest (field-level security needs object Read, field Edit object Edit): desired records them as
    dependencies of ``required_by`` and validate warns unless the feature grants them itself.
    """

    permissions: tuple[str, ...] = ()
    objects: tuple[tuple[str, frozenset[ObjectRight]], ...] = ()
    fields: tuple[tuple[str, frozenset[FieldRight]], ...] = ()
    entities: tuple[SetupEntity, ...] = ()
    user: tuple[UserNeed, ...] = ()
    then: tuple[Requirement, ...] = ()
    choice: Chosen | None = None
    negated: tuple[Requirement, ...] = ()  # what the user must NOT hold (``not:``): verify reads it too
    implied_objects: frozenset[str] = frozenset()
    required_by: str = ""


@dataclass(frozen=True)
class CheckContext:
    """What a verify check reads: the user's effective access, the catalog, where a fix should land,
    and ``check`` for the items of a combinator."""

    access: EffectiveAccess
    catalog: Catalog
    target: FixTarget
    check: Callable[[Requirement], RequirementResult] = field(repr=False, compare=False)


class Kind(ABC, Generic[R]):
    """One kind of requirement. ``key`` names it in JSON and in the manifest (``permission``, ``object``)."""

    key: str = ""
    # Whether ``missing`` adds detail to the one-line description (which rights lack, what the user has).
    missing_detail: str = ""

    @abstractmethod
    def describe(self, req: R, catalog: Catalog | None) -> str:
        """One line naming the requirement for people: "permission ApiEnabled (API Enabled)"."""

    @abstractmethod
    def short(self, req: R, shown: int) -> str:
        """What granting it gives, with API names, for ``any:`` choices: "Account (read, edit)"."""

    @abstractmethod
    def cost(self, req: R, catalog: Catalog, held: Held = NOTHING) -> Cost:
        """How risky granting it is, beyond what ``held`` already grants (``any:`` takes the cheapest)."""

    @abstractmethod
    def contribute(self, req: R, catalog: Catalog, held: Held = NOTHING) -> Contribution:
        """What granting it adds to the desired setup (``held``: what the rest already grants, for
        ``any:`` choices)."""

    @abstractmethod
    def check(self, req: R, ctx: CheckContext) -> RequirementResult:
        """Whether the user's effective access satisfies it, with the grants or the fix."""

    def validate(self, req: R, catalog: Catalog) -> list[Problem]:
        """Problems with the requirement on its own, against the catalog (names, completeness)."""
        return []

    def user_conflicts(self, req: R, profile: str, licenses: tuple[str, ...]) -> list[str]:
        """How a feature's requirement contradicts the manifest's ``user:`` (its profile and licenses)."""
        return []


def lost_hint(access: EffectiveAccess, grants_it: Callable[[Rights], bool]) -> str:
    """Say so when an expired assignment or a group's muting set is what removed the right."""
    hints = []
    for ignored in access.ignored:
        for grant, rights in ignored.would_grant:
            if grants_it(rights):
                plain = describe_grant(replace(grant, expires=None))
                hints.append(f" ({plain} would grant it, but its {ignored.reason}: renew that assignment.)")
    for muted in access.muted:
        if grants_it(muted.removed):
            hints.append(f" ({muted.grant} grants it, but muting set {muted.muting_set} mutes it there.)")
    return "".join(dict.fromkeys(hints))

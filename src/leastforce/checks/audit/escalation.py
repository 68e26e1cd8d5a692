"""Escalation paths (blast radius): what a user can do to access control itself, as a graph.

A node is what a user holds of the permissions that matter here (the edges' requirements and the
targets), split into what its profile gives and what the rest gives (changing profile drops the first).
An edge is a Salesforce rule from data/escalation.yaml taken with a concrete choice (which set, which
profile, which user); a path ends at a target (System Administrator-equivalent: Modify All Data,
Customize Application, Manage Users). Like PMapper's graph for AWS IAM, the answer depends only on the
node, so users with the same node, license and held names share one search: all users at 20,000 cost a
few hundred searches.
"""

from __future__ import annotations

import enum
import functools
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from leastforce.access.grants import SourceKind
from leastforce.access.index import AccessIndex, Source
from leastforce.access.resolve import active_units
from leastforce.catalog.catalog import Catalog
from leastforce.catalog.types import PermissionType
from leastforce.values.model import User

MAX_DEPTH = 4


class Effect(enum.Enum):
    """What taking an edge changes (a closed choice: the code below handles each)."""

    ASSIGN = "assign"  # gain a permission set's or group's permissions
    EDIT_HELD = "edit_held"  # add a target permission to a set or profile already held
    CHANGE_PROFILE = "change_profile"  # swap the profile's permissions for another profile's
    SYSTEM_CODE = "system_code"  # run code in system mode: every permission
    BECOME_USER = "become_user"  # act as another user


@dataclass(frozen=True)
class Edge:
    id: str
    any_of: tuple[frozenset[str], ...]
    effect: Effect
    step: str
    source: str
    verified: bool


@dataclass(frozen=True)
class Rules:
    targets: frozenset[str]
    edges: tuple[Edge, ...]

    @property
    def relevant(self) -> frozenset[str]:
        return self.targets.union(*(req for e in self.edges for req in e.any_of))


@functools.cache
def load_edges() -> Rules:
    """The bundled edges (read once, on first use)."""
    from ruamel.yaml import YAML  # lazily: nothing heavy at import time

    path = resources.files("leastforce.checks.audit").joinpath("data/escalation.yaml")
    raw = YAML(typ="safe").load(path.read_text("utf-8"))
    edges = tuple(
        Edge(
            key,
            tuple(frozenset(r) for r in e["any_of"]),
            Effect(e["effect"]),
            e["step"],
            e["source"],
            e["verified"],
        )
        for key, e in raw["edges"].items()
    )
    return Rules(frozenset(raw["targets"]), edges)


@dataclass(frozen=True)
class Step:
    """One edge taken: its rule id, the action in words, the source, whether the rule is verified."""

    edge: str
    action: str
    source: str
    verified: bool

    def __str__(self) -> str:
        return self.action + ("" if self.verified else " [UNVERIFIED]")


@dataclass(frozen=True)
class EscalationPath:
    """Steps from a user's access to ``target`` (a target permission)."""

    target: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class _Node:
    rest: frozenset[str]
    profile: frozenset[str]

    @property
    def held(self) -> frozenset[str]:
        return self.rest | self.profile


@dataclass(frozen=True)
class _Choice:
    """Something an edge can act on: a set, group, profile or user, with its relevant permissions."""

    name: str
    perms: frozenset[str]
    denied: frozenset[str] = frozenset()  # every permission it grants (for the license gate)
    license: str = ""


class EscalationGraph:
    """The org's escalation graph, built once per snapshot; ``shortest`` / ``all_paths`` per user."""

    def __init__(self, index: AccessIndex, now: datetime) -> None:
        self.index, self.now, self.rules = index, now, load_edges()
        self.relevant = self.rules.relevant
        self.implied = implications(index.catalog, self.relevant)
        self.sets = self._set_choices()
        self.profiles = self._profile_choices()
        self.nodes: dict[str, tuple[_Node, str]] = {}
        self.by_sources: dict[tuple[int, ...], tuple[_Node, str]] = {}
        self.keep: list[Source] = []
        self.memo: dict[tuple[object, ...], EscalationPath | None] = {}
        self.admins = self._admin_choices()

    # -- per user -------------------------------------------------------------------------------------
    def node_of(self, user: User) -> tuple[_Node, str]:
        """(node, the first set it holds by name, else its profile) for a user."""
        found = self.nodes.get(user.id)
        if found is None:
            sources = [source for source, _ in active_units(self.index, user, self.now)]
            key = tuple(map(id, sources))  # users holding the same sources share a node
            found = self.by_sources.get(key)
            if found is None:
                found = self.by_sources[key] = self._node(sources)
                self.keep.extend(sources)  # keeps the ids of ``key`` valid
            self.nodes[user.id] = found
        return found

    def _node(self, sources: list[Source]) -> tuple[_Node, str]:
        rest: set[str] = set()
        profile: frozenset[str] = frozenset()
        held = ""
        for source in sources:
            grant, perms = source.grant, self._relevant(source.rights.permissions)
            if grant.kind is SourceKind.PROFILE:
                profile = frozenset(perms)
                held = held or f"profile {grant.name}"
            else:
                rest |= perms
                held = f"permission set {grant.via or grant.name}"
        return _Node(frozenset(rest), profile), held

    def shortest(self, user: User) -> EscalationPath | None:
        """The shortest path to a target (steps empty: already holds one); None when there is none."""
        node, held = self.node_of(user)
        key = (node, user.user_license, held, self._psls(user))
        if key not in self.memo:
            self.memo[key] = self._bfs(node, user, held)
        return self.memo[key]

    def all_paths(self, user: User, limit: int = 200) -> tuple[EscalationPath, ...]:
        """Every simple path to a target up to MAX_DEPTH steps (shortest first, at most ``limit``)."""
        start, held = self.node_of(user)
        out: list[EscalationPath] = []

        def walk(node: _Node, steps: tuple[Step, ...], seen: frozenset[_Node]) -> None:
            reached = sorted(self.rules.targets & node.held)
            if reached and steps:
                out.append(EscalationPath(reached[0], steps))
                return
            if len(steps) >= MAX_DEPTH or len(out) >= limit:
                return
            for step, nxt in self._moves(node, user, held):
                if nxt not in seen:
                    walk(nxt, (*steps, step), seen | {nxt})

        walk(start, (), frozenset({start}))
        return tuple(sorted(out, key=lambda p: (len(p.steps), [str(s) for s in p.steps]))[:limit])

    def _bfs(self, start: _Node, user: User, held: str) -> EscalationPath | None:
        queue: deque[tuple[_Node, tuple[Step, ...]]] = deque([(start, ())])
        seen = {start}
        while queue:
            node, steps = queue.popleft()
            reached = sorted(self.rules.targets & node.held)
            if reached:
                return EscalationPath(reached[0], steps)
            if len(steps) >= MAX_DEPTH:
                continue
            for step, nxt in self._moves(node, user, held):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append((nxt, (*steps, step)))
        return None

    # -- edges ----------------------------------------------------------------------------------------
    def _moves(self, node: _Node, user: User, held: str) -> Iterator[tuple[Step, _Node]]:
        for edge in self.rules.edges:
            if not any(req <= node.held for req in edge.any_of):
                continue
            match edge.effect:
                case Effect.ASSIGN:
                    for c in self.sets:
                        if self._assignable(c, user) and not c.perms <= node.held:
                            yield self._step(edge, c.name), _Node(node.rest | c.perms, node.profile)
                case Effect.EDIT_HELD:
                    for perm in sorted(self.rules.targets):
                        if held and self._license_allows(user, frozenset({perm})):
                            text = edge.step.format(target=perm, held=held)
                            yield (
                                Step(edge.id, text, edge.source, edge.verified),
                                _Node(node.rest | {perm}, node.profile),
                            )
                case Effect.CHANGE_PROFILE:
                    for c in self.profiles:
                        if c.license == user.user_license and c.perms != node.profile:
                            yield self._step(edge, c.name), _Node(node.rest, c.perms)
                case Effect.SYSTEM_CODE:
                    text = edge.step.format(target="", held=held)
                    yield Step(edge.id, text, edge.source, edge.verified), _Node(self.relevant, node.profile)
                case Effect.BECOME_USER:
                    for c in self.admins:
                        if c.name != user.username:
                            yield self._step(edge, f"user {c.name}"), _Node(node.rest | c.perms, node.profile)

    def _relevant(self, permissions: frozenset[str]) -> frozenset[str]:
        """The permissions that matter here among ``permissions`` and what they imply."""
        out = permissions & self.relevant
        for name in permissions & self.implied.keys():
            out |= self.implied[name]
        return out

    @staticmethod
    def _step(edge: Edge, target: str) -> Step:
        return Step(edge.id, edge.step.format(target=target, held=""), edge.source, edge.verified)

    def _psls(self, user: User) -> frozenset[str]:
        return self.index.permission_set_licenses.get(user.id, frozenset())

    def _license_allows(self, user: User, perms: frozenset[str]) -> bool:
        """The license gate: "The user license doesn't allow the permission" refuses the whole change
        (PermissionSetAssignment). Unknown to the catalog: allowed."""
        lic = self.index.license(user.user_license)
        return lic is None or not any(lic.can_hold(p) is False for p in perms)

    def _assignable(self, choice: _Choice, user: User) -> bool:
        """A set with no license, the user's license, or a permission set license the user holds."""
        lic = choice.license.casefold()
        names = {user.user_license.casefold(), *(p.casefold() for p in self._psls(user))}
        return (not lic or lic in names) and self._license_allows(user, choice.denied)

    # -- choices, once per snapshot ---------------------------------------------------------------------
    def _set_choices(self) -> tuple[_Choice, ...]:
        out = []
        for set_id, source in self.index.set_sources.items():
            ps = self.index.snapshot.permission_sets[set_id]
            perms = self._relevant(source.rights.permissions)
            if perms:
                out.append(
                    _Choice(f"permission set {ps.full_name}", perms, source.rights.permissions, ps.license)
                )
        for group_id, sources in self.index.group_sources.items():
            every = frozenset().union(*(s.rights.permissions for s in sources))
            if self._relevant(every):
                name = self.index.snapshot.groups[group_id].name
                out.append(_Choice(f"permission set group {name}", self._relevant(every), every))
        return tuple(sorted(out, key=lambda c: (-len(c.perms & self.rules.targets), c.name)))

    def _profile_choices(self) -> tuple[_Choice, ...]:
        out = []
        for name, source in self.index.profile_sources.items():
            profile = self.index.profiles_by_name.get(name)
            perms = self._relevant(source.rights.permissions)
            if perms & self.rules.targets:
                out.append(_Choice(f"profile {name}", perms, license=profile.user_license if profile else ""))
        return tuple(sorted(out, key=lambda c: c.name))

    def _admin_choices(self) -> tuple[_Choice, ...]:
        """One active user per distinct admin-equivalent node (by username), to act as."""
        out: dict[frozenset[str], _Choice] = {}
        users = sorted(self.index.snapshot.users.values(), key=lambda u: u.username.casefold())
        for user in users:
            node = self.node_of(user)[0] if user.is_active else None
            if node is not None and node.held & self.rules.targets and node.held not in out:
                out[node.held] = _Choice(user.username, node.held)
        return tuple(out.values())


def implications(catalog: Catalog, relevant: frozenset[str]) -> dict[str, frozenset[str]]:
    """Permission -> the relevant permissions it brings with it: the catalog's verified user permission
    dependencies, closed (Salesforce enables Modify Metadata with Author Apex: "enabled automatically when
    either the Deploy Change Sets or the Author Apex permission is selected",
    https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_modify_metadata_perm.htm).
    Unverified dependencies (Author Apex -> Modify All Data) are left out."""
    out: dict[str, frozenset[str]] = {}
    for name in catalog.permissions:
        seen: set[str] = set()
        todo = [name]
        while todo:
            for dep in catalog.direct_dependencies(todo.pop()):
                req = dep.required_permission
                if (
                    dep.verified
                    and dep.required_permission_type == PermissionType.USER.value
                    and req not in seen
                ):
                    seen.add(req)
                    todo.append(req)
        found = frozenset(seen - {name}) & relevant
        if found:
            out[name] = found
    return out


def escalation_for(graph: EscalationGraph, users: Mapping[str, User]) -> dict[str, EscalationPath | None]:
    """User Id -> its shortest path (for the bench and the audit)."""
    return {user_id: graph.shortest(user) for user_id, user in users.items()}


@dataclass(frozen=True)
class EscalationReport:
    """``explain --escalation``: a user's paths to System Administrator-equivalent access.

    ``holds``: the targets it already holds (then no path is needed); ``paths``: every path found."""

    username: str
    holds: tuple[str, ...]
    paths: tuple[EscalationPath, ...]


def escalation_report(graph: EscalationGraph, user: User) -> EscalationReport:
    node = graph.node_of(user)[0]
    holds = tuple(sorted(graph.rules.targets & node.held))
    return EscalationReport(user.username, holds, () if holds else graph.all_paths(user))

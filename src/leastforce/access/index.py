"""AccessIndex: per-snapshot precomputation for resolving many users quickly.

Each profile, permission set and group component is turned into a ``Source`` (a grant template and the
closed, muted rights it carries) once; assignments are grouped by user and by set. Resolving a user is
then a merge of the few sources it holds (``leastforce.access.resolve``), and "who holds X" starts from the
sources that grant X (``leastforce.checks.explain.who_has``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

from leastforce.access.grants import AssignedSet, Grant, LicenseConflict, Rights, SourceKind
from leastforce.catalog.catalog import Catalog
from leastforce.catalog.rights import close_field_rights, close_object_rights, needed_rights
from leastforce.catalog.types import License, LicenseKind
from leastforce.values.model import (
    Assignment,
    FieldRight,
    MutingPermissionSet,
    ObjectRight,
    OrgSnapshot,
    PermissionSet,
    PermissionSetGroup,
    Profile,
    User,
    frozen_map,
)
from leastforce.values.packed import PackedRights


@dataclass(frozen=True)
class Source:
    """One grant-bearing unit: a profile, a plain set, or one component set inside a group.

    ``rights`` is what it grants (objects closed, group muting applied); ``muted`` what muting removed.
    """

    grant: Grant
    rights: Rights
    muted: Rights = field(default_factory=Rights)
    muting_set: str = ""


def rights_of(ps: PermissionSet | MutingPermissionSet) -> Rights:
    """A permission set's rights, object rights closed (Edit needs Read ...) and field Edit with Read.

    Object rules: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_objectpermissions.htm
    """
    return Rights(
        permissions=frozenset(p.removeprefix("Permissions") for p in ps.user_permissions),
        objects=frozen_map({o: close_object_rights(r) for o, r in ps.objects.items() if r}),
        fields=_closed_fields(ps.fields),
        setup_entities=getattr(ps, "setup_entities", frozenset()),
    )


def _closed_fields(fields: Mapping[str, frozenset[FieldRight]]) -> Mapping[str, frozenset[FieldRight]]:
    """Field rights with Edit closed over Read. A set holds few distinct right combinations, so they are
    checked once each; when none needs closing (the usual case) the set's own read-only map is kept
    rather than copied (field rows are most of an org's rows)."""
    # A snapshot file's packed map: its rights read without building it, and kept packed.
    distinct = fields.distinct_values() if isinstance(fields, PackedRights) else set(fields.values())
    if all(r and close_field_rights(r) is r for r in distinct):
        return fields if isinstance(fields, PackedRights | MappingProxyType) else frozen_map(fields)
    return frozen_map({f: close_field_rights(r) for f, r in fields.items() if r})


def mute(rights: Rights, muting: MutingPermissionSet) -> tuple[Rights, Rights]:
    """(kept, removed): a component set's rights inside a group with this muting set.

    A flag set on the muting set means muted. A right whose prerequisite is muted goes too (muting Read
    on Account mutes Edit on Account; muting field Read mutes field Edit): Salesforce keeps a group's
    aggregate consistent with the object rules. That cascade is our reading of the rules: UNVERIFIED.
    """
    kept_objects: dict[str, frozenset[ObjectRight]] = {}
    gone_objects: dict[str, frozenset[ObjectRight]] = {}
    for obj, have in rights.objects.items():
        left = have - muting.objects.get(obj, frozenset())
        left = frozenset(r for r in left if needed_rights(r) <= left)
        _split(obj, have, left, kept_objects, gone_objects)
    kept_fields, gone_fields = _mute_fields(rights.fields, muting.fields)
    perms = frozenset(p.removeprefix("Permissions") for p in muting.user_permissions)
    kept = Rights(rights.permissions - perms, frozen_map(kept_objects), kept_fields, rights.setup_entities)
    gone = Rights(rights.permissions & perms, frozen_map(gone_objects), frozen_map(gone_fields))
    return kept, gone


def _mute_fields(
    fields: Mapping[str, frozenset[FieldRight]], muted: Mapping[str, frozenset[FieldRight]]
) -> tuple[Mapping[str, frozenset[FieldRight]], dict[str, frozenset[FieldRight]]]:
    """(kept, removed) field rights. A muting set names few fields: when it names none the set holds
    (the usual case), the set's own map is kept as it is, neither copied nor walked."""
    if not any(name in fields for name in muted):
        return fields, {}
    kept: dict[str, frozenset[FieldRight]] = {}
    gone: dict[str, frozenset[FieldRight]] = {}
    for name, have in fields.items():
        if name not in muted:
            kept[name] = have
            continue
        left = have - muted[name]
        left = left if FieldRight.READ in left else frozenset()
        _split(name, have, left, kept, gone)
    return frozen_map(kept), gone


def _split(key: str, have: frozenset, left: frozenset, kept: dict, gone: dict) -> None:  # type: ignore[type-arg]
    if left:
        kept[key] = left
    if have - left:
        gone[key] = have - left


@dataclass(frozen=True, eq=False)
class Directory:
    """Who holds which assignment rows, and profiles by name: what finding a user's sets needs, without
    computing any set's rights (audit picks its users with this before reading field rows)."""

    snapshot: OrgSnapshot
    assignments: Mapping[str, tuple[Assignment, ...]]  # user Id -> assignment rows
    profiles_by_name: Mapping[str, Profile]

    @classmethod
    def of(cls, snapshot: OrgSnapshot) -> Directory:
        by_user: dict[str, list[Assignment]] = {}
        for row in snapshot.assignments:
            by_user.setdefault(row.user_id, []).append(row)
        return cls(
            snapshot=snapshot,
            assignments={u: tuple(rows) for u, rows in by_user.items()},
            profiles_by_name={p.name: p for p in snapshot.profiles.values()},
        )

    def profile_of(self, user: User) -> Profile | None:
        """The user's profile record (by Id, then by name), or a bare one named after the user's."""
        profile = self.snapshot.profiles.get(user.profile_id)
        if profile is None and user.profile_name:
            profile = self.profiles_by_name.get(user.profile_name, Profile(name=user.profile_name))
        return profile


@dataclass(frozen=True, eq=False)
class AccessIndex(Directory):
    """Everything per-set, computed once per snapshot; see the module docstring."""

    catalog: Catalog
    profile_sources: Mapping[str, Source]  # profile name -> its own set
    set_sources: Mapping[str, Source]  # permission set Id -> plain set (not profile-owned)
    group_sources: Mapping[str, tuple[Source, ...]]  # group Id -> one source per component
    profile_owned: Mapping[str, Source]  # profile-owned set Id -> its rights, named after its profile
    permission_set_licenses: Mapping[str, frozenset[str]]  # user Id -> PSL names
    open_fields: Mapping[str, frozenset[str]]  # object -> fields without field-level security
    licenses: dict[str, License | None] = field(default_factory=dict)  # lookup cache, by name

    @classmethod
    def build(cls, snapshot: OrgSnapshot, catalog: Catalog) -> AccessIndex:
        """Index a snapshot: O(rows) once, then per-user merges."""
        owned = {i: ps for i, ps in snapshot.permission_sets.items() if ps.is_owned_by_profile}
        rights = _RightsCache()  # each set's rights computed once, shared by every source holding it
        directory = Directory.of(snapshot)
        psls: dict[str, set[str]] = {}
        for lic in snapshot.license_assignments:
            psls.setdefault(lic.user_id, set()).add(lic.license_name)
        return cls(
            snapshot=snapshot,
            assignments=directory.assignments,
            profiles_by_name=directory.profiles_by_name,
            catalog=catalog,
            profile_sources=_profile_sources(snapshot, owned, rights),
            set_sources={
                i: Source(Grant(SourceKind.PERMISSION_SET, ps.full_name), rights.of(ps))
                for i, ps in snapshot.permission_sets.items()
                if i not in owned
            },
            group_sources={gid: _group_sources(g, snapshot, rights) for gid, g in snapshot.groups.items()},
            profile_owned={
                i: Source(Grant(SourceKind.PROFILE, ps.profile_name), rights.of(ps))
                for i, ps in owned.items()
            },
            permission_set_licenses={u: frozenset(names) for u, names in psls.items()},
            open_fields=_open_fields(catalog),
        )

    def profile_source(self, profile: Profile | None, rows: Iterable[Assignment] = ()) -> Source | None:
        """The profile's own set: linked by Profile.permission_set_id or the set's profile name, else
        the one the user's own assignment rows point at (every user has a row for it)."""
        source = self.profile_sources.get(profile.name) if profile else None
        if source is not None:
            return source
        for row in rows:
            owned = self.profile_owned.get(row.permission_set_id)
            if owned is not None:
                name = (profile.name if profile else "") or owned.grant.name or row.permission_set_id
                return Source(Grant(SourceKind.PROFILE, name), owned.rights)
        return None

    def is_profile_owned(self, set_id: str) -> bool:
        return set_id in self.profile_owned

    def sources_of(self, row: Assignment) -> tuple[Source, ...] | None:
        """The sources an assignment row brings; None for a profile-owned set or an unknown Id.

        A group assignment's PermissionSetId points at the group's aggregate set: the group is used.
        """
        if row.group_id:
            return self.group_sources.get(row.group_id)
        source = self.set_sources.get(row.permission_set_id)
        return (source,) if source else None

    def assignment_grant(self, row: Assignment) -> Grant:
        """The grant naming an assignment itself (the set, or the group without ``via``)."""
        if row.group_id:
            return Grant(SourceKind.GROUP, self.snapshot.groups[row.group_id].name)
        return self.set_sources[row.permission_set_id].grant

    def assigned_set(self, row: Assignment) -> AssignedSet:
        if row.group_id:
            group = self.snapshot.groups[row.group_id]
            return AssignedSet(SourceKind.GROUP, group.name, group.label, "", group.id, row.expires)
        ps = self.snapshot.permission_sets[row.permission_set_id]
        return AssignedSet(
            SourceKind.PERMISSION_SET, ps.name, ps.label, ps.namespace, ps.id, row.expires, ps.license
        )

    def license(self, name: str) -> License | None:
        """The catalog's license by name or developer name (looked up once per name)."""
        if name not in self.licenses:
            self.licenses[name] = self.catalog.find_license(name) if name else None
        return self.licenses[name]

    def license_conflicts(
        self, license_name: str, permissions: Mapping[str, tuple[Grant, ...]]
    ) -> tuple[LicenseConflict, ...]:
        """Permissions the catalog says ``license_name`` cannot hold (kept, but flagged)."""
        lic = self.license(license_name)
        if lic is None:
            return ()
        # License.can_hold(p) is False exactly for its denied permissions: look those up only.
        found = ((perm, permissions.get(perm, ())) for perm in sorted(lic.denied_permissions))
        return tuple(
            LicenseConflict(perm, lic.name, grants, f"the {lic.name} license cannot hold {perm}")
            for perm, grants in found
            if grants
        )

    def set_license_conflicts(
        self, user_license: str, psls: Iterable[str], assigned: Iterable[AssignedSet]
    ) -> tuple[LicenseConflict, ...]:
        """Assigned sets whose license does not fit the user: "If the PermissionSet has a UserLicenseId,
        its UserLicenseId and the Profile UserLicenseId must match" (PermissionSetAssignment); a set
        with a permission set license needs that license assigned first (platform.integration_user.htm).
        """
        held = {self._license_key(n) for n in psls}
        out = []
        for a in assigned:
            lic = self.license(a.license) if a.license else None
            if lic is None:
                continue
            grant = Grant(SourceKind.PERMISSION_SET, a.name, expires=a.expires)
            if lic.kind is LicenseKind.USER and self._license_key(user_license) != lic.name.casefold():
                why = f"permission set {a.name} has the user license {lic.name}; the user has {user_license or 'none'}"
                out.append(LicenseConflict("", lic.name, (grant,), why))
            elif lic.kind is LicenseKind.PERMISSION_SET and lic.name.casefold() not in held:
                why = f"permission set {a.name} needs the permission set license {lic.name}, not assigned to the user"
                out.append(LicenseConflict("", lic.name, (grant,), why))
        return tuple(out)

    def _license_key(self, name: str) -> str:
        lic = self.license(name)
        return (lic.name if lic else name).casefold()

    def holders(self, grants_target: Callable[[Rights], bool]) -> Iterable[tuple[str, str]]:
        """(kind, key) of every source whose rights satisfy ``grants_target``: ("profile", name),
        ("set", Id) or ("group", Id); used to find candidate users without resolving everyone."""
        for name, source in self.profile_sources.items():
            if grants_target(source.rights):
                yield ("profile", name)
        for set_id, source in (*self.set_sources.items(), *self.profile_owned.items()):
            if grants_target(source.rights):
                yield ("set", set_id)
        for group_id, sources in self.group_sources.items():
            if any(grants_target(s.rights) for s in sources):
                yield ("group", group_id)


class _RightsCache(dict[int, Rights]):
    """rights_of per permission set object, computed once during a build."""

    def of(self, ps: PermissionSet) -> Rights:
        found = self.get(id(ps))
        if found is None:
            found = self[id(ps)] = rights_of(ps)
        return found


def _profile_sources(
    snapshot: OrgSnapshot, owned: Mapping[str, PermissionSet], rights: _RightsCache
) -> dict[str, Source]:
    """Profile name -> the profile-owned set's rights (by Profile.permission_set_id, else by owner name)."""
    by_owner = {ps.profile_name: ps for ps in owned.values() if ps.profile_name}
    out: dict[str, Source] = {}
    for profile in snapshot.profiles.values():
        ps = owned.get(profile.permission_set_id) or by_owner.get(profile.name)
        if ps is not None:
            out[profile.name] = Source(Grant(SourceKind.PROFILE, profile.name), rights.of(ps))
    for name, ps in by_owner.items():  # profiles known only through their owned set
        out.setdefault(name, Source(Grant(SourceKind.PROFILE, name), rights.of(ps)))
    return out


def _group_sources(
    group: PermissionSetGroup, snapshot: OrgSnapshot, cache: _RightsCache
) -> tuple[Source, ...]:
    """One source per component set, with the group's muting applied to it alone."""
    out = []
    for set_id in group.permission_set_ids:
        ps = snapshot.permission_sets.get(set_id)
        if ps is None:
            continue
        grant = Grant(SourceKind.GROUP, group.name, via=ps.full_name)
        rights = cache.of(ps)
        if group.muting is None:
            out.append(Source(grant, rights))
            continue
        kept, gone = mute(rights, group.muting)
        out.append(Source(grant, kept, gone, group.muting.name))
    return tuple(out)


@cache
def _open_fields(catalog: Catalog) -> Mapping[str, frozenset[str]]:
    """Object -> fields that have no field-level security (describe ``permissionable`` false)."""
    return frozen_map(
        {
            name: frozenset(f.name for f in obj.fields.values() if not f.permissionable)
            for name, obj in catalog.objects.items()
        }
    )

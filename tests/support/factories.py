"""Factory helpers for tests: build OrgSnapshots (and a small Catalog) in a few readable lines.

    snap = (
        OrgBuilder()
        .profile("Minimum Access - Salesforce", perms=["ApiEnabled"])
        .permission_set("X", perms=["ViewSetup"], objects={"Account": "read,edit"})
        .group("G", sets=["X"], muting={"perms": ["ViewSetup"]})
        .user("int@x.com", profile="Minimum Access - Salesforce")
        .assign("int@x.com", "X", expires=NOW + timedelta(days=1))
        .psl("int@x.com", "Salesforce API Integration")
        .build()
    )

Rights are written as in the manifest: "read,edit", ["view_all_records"], {"Contact.Email": "read"}.
Setup entities as "ApexClass:MyClass" / "CustomPermission:Can_Push". Ids are deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from leastforce.catalog.catalog import Catalog
from leastforce.catalog.types import (
    Dependency,
    License,
    LicenseKind,
    ObjectField,
    Risk,
    StandardObject,
    UserPermission,
)
from leastforce.manifest.model import Feature, Manifest, PermissionSetSpec, ProfileSpec, UserSpec
from leastforce.values.model import (
    Assignment,
    FieldRight,
    LicenseAssignment,
    MutingPermissionSet,
    ObjectRight,
    OrgSnapshot,
    PermissionSet,
    PermissionSetGroup,
    Profile,
    SetupEntity,
    SetupEntityType,
    User,
    frozen_map,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
MIN_ACCESS = "Minimum Access - Salesforce"
API_ONLY_PROFILE = "Minimum Access - API Only Integrations"

ObjectSpec = Mapping[str, str | Iterable[str | ObjectRight]]
FieldSpec = Mapping[str, str | Iterable[str]]


def object_rights(spec: ObjectSpec | None) -> Mapping[str, frozenset[ObjectRight]]:
    """{"Account": "read,edit"} -> {"Account": {READ, EDIT}} (keys, labels or XML names accepted)."""
    return frozen_map({obj: frozenset(map(_right, _words(v))) for obj, v in (spec or {}).items()})


def _right(value: str | ObjectRight) -> ObjectRight:
    return value if isinstance(value, ObjectRight) else ObjectRight.parse(value)


def field_rights(spec: FieldSpec | None) -> Mapping[str, frozenset[FieldRight]]:
    """{"Contact.Email": "read,edit"} -> {"Contact.Email": {READ, EDIT}}."""
    return frozen_map(
        {name: frozenset(FieldRight[r.upper()] for r in _words(v)) for name, v in (spec or {}).items()}
    )


def entities(spec: Iterable[str | SetupEntity]) -> frozenset[SetupEntity]:
    """["ApexClass:Foo"] -> {SetupEntity(APEX_CLASS, "Foo")}."""
    out = set()
    for item in spec:
        if isinstance(item, SetupEntity):
            out.add(item)
        else:
            kind, _, name = item.partition(":")
            out.add(SetupEntity(SetupEntityType(kind), name))
    return frozenset(out)


def _words(value: Any) -> list[Any]:
    items = value.split(",") if isinstance(value, str) else list(value)
    return [w.strip() if isinstance(w, str) else w for w in items if not isinstance(w, str) or w.strip()]


@dataclass
class OrgBuilder:
    """Builds an OrgSnapshot step by step; every method returns the builder."""

    taken_at: datetime = NOW
    _profiles: dict[str, Profile] = field(default_factory=dict)
    _sets: dict[str, PermissionSet] = field(default_factory=dict)
    _groups: dict[str, PermissionSetGroup] = field(default_factory=dict)
    _users: dict[str, User] = field(default_factory=dict)
    _assign: list[tuple[str, str, datetime | None]] = field(default_factory=list)
    _psls: list[tuple[str, str]] = field(default_factory=list)
    _available: frozenset[str] = frozenset()
    _set_names: dict[str, str] = field(default_factory=dict)  # name, ns__name, label -> Id

    def profile(
        self,
        name: str,
        *,
        perms: Iterable[str] = (),
        objects: ObjectSpec | None = None,
        fields: FieldSpec | None = None,
        setup: Iterable[str | SetupEntity] = (),
        license: str = "Salesforce",
    ) -> OrgBuilder:
        """A profile and its profile-owned permission set."""
        n = len(self._profiles) + 1
        set_id = f"0PSP{n:011d}"
        self._sets[set_id] = PermissionSet(
            name=f"X00e{n:011d}",  # profile-owned sets have generated names
            id=set_id,
            is_owned_by_profile=True,
            profile_name=name,
            is_custom=False,
            user_permissions=frozenset(perms),
            objects=object_rights(objects),
            fields=field_rights(fields),
            setup_entities=entities(setup),
        )
        self._profiles[f"00e{n:012d}"] = Profile(name, f"00e{n:012d}", license, True, set_id)
        return self

    def permission_set(
        self,
        name: str,
        *,
        perms: Iterable[str] = (),
        objects: ObjectSpec | None = None,
        fields: FieldSpec | None = None,
        setup: Iterable[str | SetupEntity] = (),
        label: str = "",
        license: str = "",
        namespace: str = "",
    ) -> OrgBuilder:
        """A permission set (``name`` is its API name; ``label`` defaults to it with spaces)."""
        set_id = f"0PS{len(self._sets) + 1:012d}"
        self._sets[set_id] = PermissionSet(
            name=name,
            label=label or name.replace("_", " "),
            id=set_id,
            license=license,
            namespace=namespace,
            user_permissions=frozenset(perms),
            objects=object_rights(objects),
            fields=field_rights(fields),
            setup_entities=entities(setup),
        )
        ps = self._sets[set_id]
        for key in (ps.name, ps.full_name, ps.label):
            self._set_names.setdefault(key, set_id)
        return self

    def add_permission_set(self, ps: PermissionSet) -> OrgBuilder:
        """An existing PermissionSet value (e.g. from desired_setup), given the next Id."""
        set_id = f"0PS{len(self._sets) + 1:012d}"
        self._sets[set_id] = ps.with_changes(id=set_id)
        for key in (ps.name, ps.full_name, ps.label):
            self._set_names.setdefault(key, set_id)
        return self

    def group(
        self, name: str, *, sets: Iterable[str] = (), muting: Mapping[str, Any] | None = None
    ) -> OrgBuilder:
        """A permission set group of the named sets; ``muting`` = {"perms": [...], "objects": {...},
        "fields": {...}} for its muting permission set."""
        group_id = f"0PG{len(self._groups) + 1:012d}"
        mute = None
        if muting is not None:
            mute = MutingPermissionSet(
                name=f"{name}_Muting",
                id=f"0QM{len(self._groups) + 1:012d}",
                user_permissions=frozenset(muting.get("perms", ())),
                objects=object_rights(muting.get("objects")),
                fields=field_rights(muting.get("fields")),
            )
        ids = tuple(self._set_id(s) for s in sets)
        self._groups[group_id] = PermissionSetGroup(
            name, group_id, name.replace("_", " "), "Updated", ids, mute
        )
        return self

    def user(
        self,
        username: str,
        *,
        profile: str = MIN_ACCESS,
        license: str | None = None,
        active: bool = True,
        frozen: bool = False,
    ) -> OrgBuilder:
        """A user with ``profile`` (created bare if not declared); license defaults to the profile's."""
        if not any(p.name == profile for p in self._profiles.values()):
            self.profile(profile)
        prof = next(p for p in self._profiles.values() if p.name == profile)
        user_id = f"005{len(self._users) + 1:012d}"
        self._users[username] = User(
            username=username,
            id=user_id,
            name=username.split("@")[0],
            email=username,
            is_active=active,
            is_frozen=frozen,
            profile_id=prof.id,
            profile_name=prof.name,
            user_license=prof.user_license if license is None else license,
        )
        return self

    def assign(self, username: str, set_or_group: str, *, expires: datetime | None = None) -> OrgBuilder:
        """Assign a permission set or group (by name) to a user, optionally until ``expires``."""
        self._assign.append((username, set_or_group, expires))
        return self

    def psl(self, username: str, license_name: str) -> OrgBuilder:
        """Assign a permission set license (PermissionSetLicenseAssign) to a user."""
        self._psls.append((username, license_name))
        return self

    def available(self, *perms: str) -> OrgBuilder:
        """The org's permission field names from describe (empty = unknown)."""
        self._available = frozenset(perms)
        return self

    def build(self) -> OrgSnapshot:
        users = {u.id: u for u in self._users.values()}
        groups = {g.name: g for g in self._groups.values()}
        rows = [
            Assignment(u.id, _profile_set(self, u), id=f"0Pa{i:012d}") for i, u in enumerate(users.values())
        ]
        for i, (username, target, expires) in enumerate(self._assign, start=len(rows)):
            user_id = self._users[username].id
            group = groups.get(target)
            if group is not None:
                rows.append(Assignment(user_id, group_id=group.id, id=f"0Pa{i:012d}", expires=expires))
            else:
                rows.append(Assignment(user_id, self._set_id(target), id=f"0Pa{i:012d}", expires=expires))
        return OrgSnapshot(
            taken_at=self.taken_at,
            instance_url="https://example.my.salesforce.com",
            org_id="00D000000000001",
            users=frozen_map(users),
            profiles=frozen_map(self._profiles),
            permission_sets=frozen_map(self._sets),
            groups=frozen_map(self._groups),
            assignments=tuple(rows),
            license_assignments=tuple(LicenseAssignment(self._users[u].id, lic) for u, lic in self._psls),
            available_permissions=self._available,
        )

    def _set_id(self, name: str) -> str:
        if name not in self._set_names:
            raise KeyError(f"no permission set {name!r} declared before use")
        return self._set_names[name]


def _profile_set(builder: OrgBuilder, user: User) -> str:
    # Real orgs hold one PermissionSetAssignment per user for the profile-owned set.
    return builder._profiles[user.profile_id].permission_set_id


# -- a small catalog, independent of the bundled data files ------------------------------------

_PERMS = {
    "ApiEnabled": ("API Enabled", Risk.MEDIUM),
    "ApiUserOnly": ("API Only User", Risk.LOW),
    "ViewSetup": ("View Setup and Configuration", Risk.MEDIUM),
    "ViewAllData": ("View All Data", Risk.CRITICAL),
    "ModifyAllData": ("Modify All Data", Risk.CRITICAL),
    "CustomizeApplication": ("Customize Application", Risk.HIGH),
    "ManageRemoteAccess": ("Manage Connected Apps", Risk.HIGH),
    "ManageNamedCredentials": (
        "Allows users to modify Named Credentials and External Credentials",
        Risk.HIGH,
    ),
    "ManageUsers": ("Manage Users", Risk.CRITICAL),
    "ViewAllFieldsGlobal": ("View All Fields (Global)", Risk.HIGH),
    "EditCaseComments": ("Edit Case Comments", Risk.LOW),
}

_OBJECTS = {
    "Account": ("Account", "Accounts", ["Id:Account ID:0", "Name:Account Name:0", "Phone:Account Phone:1"]),
    "Contact": ("Contact", "Contacts", ["Id:Contact ID:0", "LastName:Last Name:0", "Email:Email:1"]),
    "Case": ("Case", "Cases", ["Id:Case ID:0", "Subject:Subject:1"]),
}


def make_catalog() -> Catalog:
    """A small catalog with the permissions, objects and licenses the tests use."""
    perms = {
        n: UserPermission(n, label, "System Permissions", "", risk) for n, (label, risk) in _PERMS.items()
    }
    objects = {}
    for name, (label, plural, fields) in _OBJECTS.items():
        parsed = [f.split(":") for f in fields]
        objects[name] = StandardObject(
            name,
            label,
            plural,
            True,
            frozen_map({f: ObjectField(f, flabel, "string", p == "1", p == "1") for f, flabel, p in parsed}),
        )
    licenses = {
        "Salesforce": License("Salesforce", "Salesforce", LicenseKind.USER),
        "Salesforce Integration": License(
            "Salesforce Integration",
            "SalesforceIntegration",
            LicenseKind.USER,
            denied_permissions=frozenset({"ManageUsers"}),
            standard_objects=False,
        ),
        "Salesforce API Integration": License(
            "Salesforce API Integration", "SalesforceAPIIntegrationPsl", LicenseKind.PERMISSION_SET
        ),
    }
    deps = (
        Dependency("ModifyAllData", "User Permission", "ViewAllData", "User Permission", "test"),
        Dependency("ModifyAllData", "User Permission", "ViewSetup", "User Permission", "test"),
        Dependency("EditCaseComments", "User Permission", "Case<update>", "Object Permission", "test"),
    )
    return Catalog(
        permissions=frozen_map(perms),
        dependencies=deps,
        objects=frozen_map(objects),
        licenses=frozen_map(licenses),
        profiles=frozen_map({}),
        sources=frozen_map({}),
    )


# -- manifests ----------------------------------------------------------------------------------


def make_manifest(
    *features: Any,
    user: UserSpec | None = None,
    permission_sets: tuple[PermissionSetSpec, ...] | None = None,
    roles: tuple[Any, ...] = (),
    integration: str = "Upflow",
) -> Manifest:
    """A Manifest with ``features`` (Feature values, or (name, requirements) pairs).

    By default one permission set Upflow_Permissions ("Upflow Permissions") carries every feature.
    """
    feats = tuple(f if isinstance(f, Feature) else Feature(f[0], requires=tuple(f[1])) for f in features)
    sets = (
        permission_sets
        if permission_sets is not None
        else (PermissionSetSpec("Upflow_Permissions", "Upflow Permissions"),)
    )
    return Manifest(
        path="upflow.yaml",
        integration=integration,
        user=user or UserSpec(),
        permission_sets=sets,
        features=feats,
        roles=roles,
    )


INTEGRATION_USER = UserSpec(
    licenses=("Salesforce Integration",),
    profile=ProfileSpec(API_ONLY_PROFILE, based_on=API_ONLY_PROFILE),
    permission_set_licenses=("Salesforce API Integration",),
    api_only=True,
)


def integration_org() -> OrgBuilder:
    """A well set-up integration user int@x.com: API-only profile, PSL, Upflow_Permissions assigned."""
    return (
        OrgBuilder()
        .profile(API_ONLY_PROFILE, perms=["ApiEnabled", "ApiUserOnly"], license="Salesforce Integration")
        .permission_set(
            "Upflow_Permissions",
            label="Upflow Permissions",
            license="Salesforce API Integration",
            objects={"Account": "read,view_all_records"},
            fields={"Account.Phone": "read"},
        )
        .user("int@x.com", profile=API_ONLY_PROFILE)
        .psl("int@x.com", "Salesforce API Integration")
        .assign("int@x.com", "Upflow_Permissions")
    )

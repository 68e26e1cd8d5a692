"""The admin's setup guide as values (pure): what to click, in which order, and why.

``guide_model(manifest, catalog, with_optional=...)`` lays out the steps; the templates in ``templates/``
turn it into Markdown or HTML. Optional features are always documented; unless ``with_optional`` their
rows are marked optional. Setup click paths follow Salesforce Help "Create Permission Sets"
(https://help.salesforce.com/s/articleView?id=platform.perm_sets_create.htm), "Object Settings"
(platform.perm_sets_object_perms_edit.htm) and "Assign Permission Set Licenses"
(platform.users_permissionset_licenses_assign.htm).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from leastforce.catalog.catalog import Catalog
from leastforce.checks.verify import app as app_policies
from leastforce.checks.verify.prerequisites import describe as describe_prerequisite
from leastforce.checks.verify.prerequisites import setup_steps
from leastforce.desired import DesiredSetup, Need, NeedKind, desired_setup
from leastforce.desired.setup import default_profile_name, role_permission_set_spec
from leastforce.kinds import kind_of
from leastforce.manifest.model import Credential, Manifest, SessionSpec, Troubleshooting
from leastforce.render.guide.perms import (
    ObjectRow,
    PermGroup,
    PermRow,
    dependency_rows,
    entity_rows,
    object_rows,
    permission_groups,
    permission_rows,
)
from leastforce.values.model import PermissionSet, SetupEntityType
from leastforce.values.packages import PackageSpec
from leastforce.values.requirements import walk


@dataclass(frozen=True)
class FeatureLine:
    name: str
    summary: str
    optional: bool
    included: bool


@dataclass(frozen=True)
class SetStep:
    """Create one permission set and fill it."""

    label: str
    api_name: str
    description: str
    license: str
    objects: tuple[ObjectRow, ...]
    permissions: tuple[PermGroup, ...]
    dependencies: tuple[PermRow, ...]
    entities: tuple[tuple[str, str, str, str], ...]  # (Setup page, name, why, optional note)
    choices: tuple[str, ...]


@dataclass(frozen=True)
class ProfileStep:
    name: str
    based_on: str
    license: str
    permissions: tuple[PermGroup, ...]
    dependencies: tuple[PermRow, ...]


@dataclass(frozen=True)
class Item:
    """A thing to assign or check, with its reason."""

    name: str
    why: str = ""
    note: str = ""


@dataclass(frozen=True)
class UserStep:
    licenses: tuple[str, ...]
    not_licenses: tuple[str, ...]
    profile: str
    api_only: bool | None
    username: str
    password_never_expires: bool | None
    permission_set_licenses: tuple[Item, ...]
    permission_sets: tuple[Item, ...]
    package_sets: tuple[Item, ...]
    must_not: tuple[Item, ...] = ()  # ``not:`` requirements: what the user must never hold, with why
    default_profile: bool = False  # the manifest names no profile: ``profile`` is the one plan/apply use


@dataclass(frozen=True)
class PrerequisiteLine:
    """An org prerequisite: what, why, when it applies, how to check it in Setup, and whether verify
    can read it (``manual``: only a person can check it)."""

    text: str
    why: str
    when: str
    steps: str
    manual: bool


@dataclass(frozen=True)
class AppStep:
    """The OAuth app's policies: ``flow`` in words, ``policies`` (what, Setup steps) one per stated policy,
    ``checked``: the policies verify reads (the others only a person can check)."""

    name: str
    kind: str
    flow: str
    why: str
    policies: tuple[tuple[str, str], ...]
    preauthorized_through: str


@dataclass(frozen=True)
class RoleStep:
    name: str
    summary: str
    profile: Item | None
    permission_set: SetStep | None
    package_sets: tuple[Item, ...]
    permission_set_licenses: tuple[Item, ...]


@dataclass(frozen=True)
class Guide:
    """Everything the templates show, in order."""

    integration: str
    summary: str
    docs: str
    manifest_path: str
    features: tuple[FeatureLine, ...]
    admin_permissions: tuple[str, ...]
    licenses_needed: tuple[str, ...]
    packages_needed: tuple[str, ...]
    sets: tuple[SetStep, ...]
    profile: ProfileStep | None
    user: UserStep
    roles: tuple[RoleStep, ...]
    credentials: tuple[Credential, ...]
    troubleshooting: tuple[Troubleshooting, ...]
    notes: tuple[str, ...]
    verify_command: str
    plan_command: str
    apply_command: str
    build_command: str
    optional_flag: str
    admin_profile: bool = False  # the manifest itself requires the System Administrator profile
    prerequisites: tuple[PrerequisiteLine, ...] = ()
    session: SessionSpec | None = None  # the profile's Session Settings the vendor names
    # Managed packages to install first. Installing needs "Download AppExchange Packages" (usually an
    # admin): https://developer.salesforce.com/docs/platform/pkg1-dev/guide/editing-client-security-profile.md
    packages: tuple[PackageSpec, ...] = ()
    app: AppStep | None = None  # the OAuth app's policies (checks/verify/app.py has the Setup paths)


def _app_step(manifest: Manifest) -> AppStep | None:
    app = manifest.app
    if app is None:
        return None
    through = app.preauthorized_through
    return AppStep(
        name=app.name,
        kind=app.kind.label,
        flow=app.flow.value.replace("_", " "),
        why=app.why,
        policies=tuple(
            (app_policies.describe(p), app_policies.setup_steps(p)) for p in app_policies.app_prerequisites(app)
        ),
        preauthorized_through=through.value.replace("_", " ") if through else "",
    )


def guide_model(manifest: Manifest, catalog: Catalog, *, with_optional: bool = False) -> Guide:
    """The guide for ``manifest``: every feature documented, optional ones marked unless ``with_optional``."""
    setup = desired_setup(manifest, catalog, with_optional=True)
    marked = frozenset() if with_optional else frozenset(f.name for f in manifest.features if f.optional)
    sets = tuple(_set_step(ps, setup, catalog, marked) for ps in setup.permission_sets)
    path = manifest.path
    flag = " --with-optional" if with_optional else ""
    user = manifest.user.username or "<username>"
    return Guide(
        integration=manifest.integration,
        summary=manifest.summary,
        docs=manifest.docs,
        manifest_path=path,
        features=tuple(
            FeatureLine(f.name, f.summary, f.optional, f.name not in marked) for f in manifest.features
        ),
        admin_permissions=_admin_permissions(manifest, setup),
        licenses_needed=_licenses_needed(setup),
        packages_needed=tuple(setup.package_permission_sets),
        sets=sets,
        profile=_profile_step(setup, catalog, marked),
        user=_user_with_profile(
            replace(_user_step(setup, marked), must_not=_must_not(manifest, catalog)), catalog
        ),
        roles=tuple(_role_step(manifest, catalog, r.name) for r in manifest.roles),
        credentials=manifest.credentials,
        troubleshooting=manifest.troubleshooting,
        notes=setup.notes,
        verify_command=f"leastforce verify {path} --org <alias> --user {user}{flag}",
        plan_command=f"leastforce plan {path} --org <alias>{flag}",
        apply_command=f"leastforce apply {path} --org <alias>{flag}",
        build_command=f"leastforce build {path} -o {_slug(manifest.integration)}-metadata{flag}",
        optional_flag=flag,
        admin_profile=setup.user.profile.casefold() == "system administrator",
        prerequisites=tuple(
            PrerequisiteLine(
                describe_prerequisite(p), p.why, str(p.when) if p.when else "", setup_steps(p), p.manual
            )
            for p in manifest.prerequisites
        ),
        session=manifest.user.session,
        packages=manifest.packages,
        app=_app_step(manifest),
    )


def _user_with_profile(step: UserStep, catalog: Catalog) -> UserStep:
    """The New User form requires a profile: when the manifest names none, the one plan and apply use
    (the least-privileged standard profile of the user's license, desired.setup.default_profile_name)."""
    if step.profile:
        return step
    return replace(step, profile=default_profile_name(step.licenses, catalog), default_profile=True)


def _must_not(manifest: Manifest, catalog: Catalog) -> tuple[Item, ...]:
    """What the integration user must never hold (``not:``), each with the vendor's reason."""
    out = []
    for feature in manifest.features:
        for atom in walk(feature.requires):
            for refused in kind_of(atom).contribute(atom, catalog).negated:
                out.append(Item(kind_of(refused).describe(refused, catalog), atom.why))
    return tuple(dict.fromkeys(out))


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "integration"


def _set_step(ps: PermissionSet, setup: DesiredSetup, catalog: Catalog, marked: frozenset[str]) -> SetStep:
    needs = setup.needs_for(ps.name)
    choices = tuple(
        f"{c.feature}: the vendor accepts {' or '.join(c.alternatives)}; this guide uses {c.chosen_text}. "
        f"Why: {c.reason}."
        for c in setup.choices
        if any(n.feature == c.feature for n in needs)
    )
    rows = permission_rows(ps.user_permissions, needs, catalog, marked)
    return SetStep(
        label=ps.label or ps.name,
        api_name=ps.name,
        description=ps.description,
        license=ps.license,
        objects=object_rows(ps, needs, catalog, marked),
        permissions=permission_groups(rows),
        dependencies=dependency_rows(rows),
        entities=entity_rows(ps, needs, marked),
        choices=choices,
    )


def _profile_step(setup: DesiredSetup, catalog: Catalog, marked: frozenset[str]) -> ProfileStep | None:
    if setup.profile is None:
        return None
    prof = setup.profile
    base = catalog.find_profile(prof.based_on)
    already = base.user_permissions if base else frozenset()
    needs = setup.needs_for(prof.name)
    rows = permission_rows(
        prof.permission_set.user_permissions,
        needs,
        catalog,
        marked,
        already_on=already,
        base_profile=prof.based_on,
    )
    return ProfileStep(
        prof.name, prof.based_on, prof.user_license, permission_groups(rows), dependency_rows(rows)
    )


def _why(needs: Iterable[Need], kind: NeedKind, name: str) -> str:
    return "; ".join(dict.fromkeys(n.why for n in needs if n.kind is kind and n.subject == name and n.why))


def _user_step(setup: DesiredSetup, marked: frozenset[str]) -> UserStep:
    user_needs = setup.needs_for("")
    optional = {n.subject for n in user_needs if n.feature in marked} - {
        n.subject for n in user_needs if n.feature not in marked
    }

    def items(names: Iterable[str], kind: NeedKind, default_why: str = "") -> tuple[Item, ...]:
        out = []
        for name in names:
            note = "optional" if name in optional else ""
            out.append(Item(name, _why(user_needs, kind, name) or default_why, note))
        return tuple(out)

    user = setup.user
    psl_why = "the user's permission sets with standard-object access need it (assign it first)"
    managed = tuple(Item(ps.label or ps.name, note=ps.name) for ps in setup.permission_sets)
    return UserStep(
        licenses=user.licenses,
        not_licenses=user.not_licenses,
        profile=user.profile,
        api_only=user.api_only,
        username=user.username,
        password_never_expires=user.password_never_expires,
        permission_set_licenses=items(user.permission_set_licenses, NeedKind.PERMISSION_SET_LICENSE, psl_why),
        permission_sets=managed,
        package_sets=items(setup.package_permission_sets, NeedKind.PACKAGE_PERMISSION_SET),
    )


def _role_step(manifest: Manifest, catalog: Catalog, name: str) -> RoleStep:
    role = manifest.role(name)
    setup = desired_setup(manifest, catalog, role=name)
    needs = setup.needs
    spec = role_permission_set_spec(manifest, name)
    ps_step = (
        _set_step(setup.permission_sets[0], setup, catalog, frozenset()) if setup.permission_sets else None
    )
    profile = (
        Item(setup.user.profile, _why(needs, NeedKind.PROFILE, setup.user.profile))
        if setup.user.profile
        else None
    )
    return RoleStep(
        name=role.name,
        summary=role.summary or f"people who need {spec.label}",
        profile=profile,
        permission_set=ps_step,
        package_sets=tuple(
            Item(p, _why(needs, NeedKind.PACKAGE_PERMISSION_SET, p)) for p in setup.package_permission_sets
        ),
        permission_set_licenses=tuple(
            Item(p, _why(needs, NeedKind.PERMISSION_SET_LICENSE, p))
            for p in setup.user.permission_set_licenses
        ),
    )


def _admin_permissions(manifest: Manifest, setup: DesiredSetup) -> tuple[str, ...]:
    """What the admin doing the setup needs (the System Administrator profile has all of it).

    Help "Create Permission Sets" / "Add a Single User" / "Assign Permission Sets" list Manage Profiles and
    Permission Sets, Manage Internal Users and Assign Permission Sets; external credentials need Customize
    Application or Manage Named Credentials (help nc_user_external_credentials).
    """
    needed = [
        "Manage Profiles and Permission Sets (create the permission set"
        + (" and the profile)" if setup.profile else ")"),
        "Manage Internal Users (create the user, assign permission set licenses)",
        "Assign Permission Sets",
    ]
    if manifest.credentials:
        needed.append("Customize Application or Manage Named Credentials (external credentials)")
    kinds = {n.subject.split(":", 1)[0] for n in setup.needs if n.kind is NeedKind.SETUP_ENTITY}
    if SetupEntityType.CONNECTED_APP.value in kinds:
        needed.append("Customize Application and Manage Connected Apps (connected app access)")
    return tuple(needed)


def _licenses_needed(setup: DesiredSetup) -> tuple[str, ...]:
    out = []
    if setup.user.licenses:
        out.append(f"one unused {' or '.join(setup.user.licenses)} user license")
    out += [f"one unused {name} permission set license" for name in setup.user.permission_set_licenses]
    return tuple(out)

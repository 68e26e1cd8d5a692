"""desired_setup: the integration user's (or a role's) complete desired setup, from manifest and catalog."""

from __future__ import annotations

from collections.abc import Iterable

from leastforce.catalog.catalog import Catalog
from leastforce.desired.compute import (
    _Collector,
    _default_spec,
    _Draft,
    _freeze,
    _user_level,
    held_outside_choices,
)
from leastforce.desired.types import (
    DesiredProfile,
    DesiredSetup,
    DesiredUser,
    Need,
    NeedKind,
    api_name,
    managed_description,
)
from leastforce.manifest.model import Manifest, PermissionSetSpec
from leastforce.values.model import PermissionSet


def desired_setup(
    manifest: Manifest,
    catalog: Catalog,
    *,
    features: Iterable[str] = (),
    with_optional: bool = True,
    role: str | None = None,
) -> DesiredSetup:
    """What the integration user must have for the selected features (or what ``role``'s holders need).

    Selected = every required feature, plus ``features`` by name, plus every optional one when
    ``with_optional``. For each ``any:`` the least risky alternative is taken (see ``leastforce.kinds.risk``).
    Raises KeyError for an unknown feature or role.
    """
    if role is not None:
        return _role_setup(manifest, catalog, role)
    selected = manifest.selected_features(features, with_optional)
    specs = manifest.permission_sets or (_default_spec(manifest),)
    drafts = {spec.name: _Draft(spec.name) for spec in specs}
    home = {f.name: (manifest.permission_set_for(f.name) or specs[0]).name for f in manifest.features}
    held = held_outside_choices((r for f in selected for r in f.requires), catalog)
    collector = _Collector(catalog, profile=_profile_draft(manifest), held=held)
    for feature in selected:
        for req in feature.requires:
            collector.add(req, drafts[home[feature.name]], feature.name, feature.optional)
    profile_draft = _user_extras(manifest, catalog, collector, drafts[specs[0].name])
    for draft in (*drafts.values(), *([profile_draft] if profile_draft else [])):
        collector.close(draft)
    sets = tuple(
        _freeze(
            drafts[spec.name],
            spec,
            manifest.integration,
            [c for c in collector.choices if home.get(c.feature) == spec.name],
        )
        for spec in specs
    )
    user, user_notes = _desired_user(manifest, collector.needs)
    packages = _user_level(collector.needs, NeedKind.PACKAGE_PERMISSION_SET)
    return DesiredSetup(
        integration=manifest.integration,
        permission_sets=sets,
        profile=_desired_profile(manifest, catalog, profile_draft),
        user=user,
        package_permission_sets=packages,
        assignments=tuple(ps.name for ps in sets) + packages,
        packages=manifest.packages,
        choices=tuple(collector.choices),
        notes=user_notes,
        needs=tuple(collector.needs),
        features=tuple(f.name for f in selected),
    )


def role_permission_set_spec(manifest: Manifest, role: str) -> PermissionSetSpec:
    """The set leastforce creates for a role's holders: ``<Integration>_<Role>``."""
    found = manifest.role(role)
    title = found.name[:1].upper() + found.name[1:]
    return PermissionSetSpec(
        name=api_name(f"{manifest.integration}_{found.name}"),
        label=f"{manifest.integration} {title.replace('_', ' ')}"[:80],
        description=found.summary,
    )


def _role_setup(manifest: Manifest, catalog: Catalog, name: str) -> DesiredSetup:
    role = manifest.role(name)
    spec = role_permission_set_spec(manifest, name)
    draft = _Draft(spec.name)
    collector = _Collector(catalog)
    for req in role.requires:
        collector.add(req, draft, role.name, False)
    collector.close(draft)
    sets = () if draft.is_empty() else (_freeze(draft, spec, manifest.integration, collector.choices),)
    profiles = _user_level(collector.needs, NeedKind.PROFILE)
    licenses = [g for g in collector.needs if g.kind is NeedKind.LICENSE]
    user = DesiredUser(
        licenses=tuple(r for g in licenses for r in g.rights if not r.startswith("not:")),
        not_licenses=tuple(r[4:] for g in licenses for r in g.rights if r.startswith("not:")),
        profile=profiles[0] if profiles else "",
        permission_set_licenses=_user_level(collector.needs, NeedKind.PERMISSION_SET_LICENSE),
    )
    packages = _user_level(collector.needs, NeedKind.PACKAGE_PERMISSION_SET)
    return DesiredSetup(
        integration=manifest.integration,
        permission_sets=sets,
        profile=None,
        user=user,
        package_permission_sets=packages,
        assignments=tuple(ps.name for ps in sets) + packages,
        packages=manifest.packages,
        choices=tuple(collector.choices),
        needs=tuple(collector.needs),
        role=role.name,
    )


def _user_extras(manifest: Manifest, catalog: Catalog, collector: _Collector, main: _Draft) -> _Draft | None:
    """Permissions that follow from ``user:`` (API only, password never expires): on the cloned profile
    when leastforce creates one, else in the main permission set. Returns the profile draft (or None)."""
    spec = manifest.user
    created = collector.profile is not None
    target = collector.profile or main
    wanted: list[tuple[str, str]] = []
    if spec.api_only and not _existing_profile_is_api_only(manifest, catalog):
        wanted += [
            ("ApiEnabled", "the integration user works through the API only (user.api_only)"),
            ("ApiUserOnly", "the integration user must not log in to the UI (user.api_only)"),
        ]
    if spec.password_never_expires:
        wanted.append(("PasswordNeverExpires", "the integration user's password must not expire"))
    for perm, why in wanted:
        if perm not in target.perms:
            target.perms[perm] = None
            collector.needs.append(
                Need(target.name, NeedKind.USER_PERMISSION, perm, why=why, position=spec.position)
            )
    return target if created else None


def _profile_draft(manifest: Manifest) -> _Draft | None:
    """The profile leastforce clones (``user.profile`` with ``based_on``), else None."""
    profile = manifest.user.profile
    return _Draft(profile.name) if profile is not None and profile.based_on else None


def _existing_profile_is_api_only(manifest: Manifest, catalog: Catalog) -> bool:
    profile = manifest.user.profile
    if profile is None or profile.based_on:
        return False
    known = catalog.find_profile(profile.name)
    return bool(known and known.api_only)


def _desired_profile(manifest: Manifest, catalog: Catalog, draft: _Draft | None) -> DesiredProfile | None:
    spec = manifest.user.profile
    if draft is None or spec is None:
        return None
    base = catalog.find_profile(spec.based_on)
    license_ = manifest.user.licenses[0] if manifest.user.licenses else (base.user_license if base else "")
    frozen = _freeze(draft, PermissionSetSpec(name=spec.name, label=spec.name), manifest.integration, ())
    owned = PermissionSet(
        name=spec.name,
        label=spec.name,
        description=managed_description(manifest.integration, f"Clone of {spec.based_on}."),
        license=license_,
        is_owned_by_profile=True,
        profile_name=spec.name,
        user_permissions=frozen.user_permissions,
        objects=frozen.objects,
        fields=frozen.fields,
        setup_entities=frozen.setup_entities,
    )
    return DesiredProfile(spec.name, spec.based_on, license_, owned, forbidden_user_permissions(manifest))


def forbidden_user_permissions(manifest: Manifest) -> frozenset[str]:
    """What ``user:`` says the user must NOT hold (tri-state keys set to false)."""
    spec = manifest.user
    out = {"ApiUserOnly"} if spec.api_only is False else set()
    out |= {"PasswordNeverExpires"} if spec.password_never_expires is False else set()
    return frozenset(out)


def _desired_user(manifest: Manifest, needs: Iterable[Need]) -> tuple[DesiredUser, tuple[str, ...]]:
    """The user record: the manifest's ``user:`` merged with feature-level profile/license/PSL needs."""
    spec = manifest.user
    needs = tuple(needs)
    notes: list[str] = []
    allowed = tuple(
        r for g in needs if g.kind is NeedKind.LICENSE for r in g.rights if not r.startswith("not:")
    )
    forbidden = tuple(
        r[4:] for g in needs if g.kind is NeedKind.LICENSE for r in g.rights if r.startswith("not:")
    )
    licenses = spec.licenses or tuple(dict.fromkeys(allowed))
    if spec.licenses and allowed and not set(spec.licenses) & set(allowed):
        notes.append(
            f"a feature needs license {' or '.join(allowed)}, but user.license is {', '.join(spec.licenses)}"
        )
    profiles = _user_level(needs, NeedKind.PROFILE)
    profile = spec.profile.name if spec.profile else (profiles[0] if profiles else "")
    for other in profiles:
        if other != profile:
            notes.append(f"a feature needs profile {other}, but the user's profile is {profile}")
    psls = tuple(
        dict.fromkeys((*spec.permission_set_licenses, *_user_level(needs, NeedKind.PERMISSION_SET_LICENSE)))
    )
    user = DesiredUser(
        licenses=licenses,
        not_licenses=tuple(dict.fromkeys((*spec.not_licenses, *forbidden))),
        profile=profile,
        api_only=spec.api_only,
        permission_set_licenses=psls,
        password_never_expires=spec.password_never_expires,
        username=spec.username,
    )
    return user, tuple(notes)


def default_profile_name(licenses: tuple[str, ...], catalog: Catalog) -> str:
    """The profile apply gives a user the manifest names no profile for: the least-privileged standard
    profile of the user's license (Minimum Access - ...)."""
    wanted = licenses[0] if licenses else "Salesforce"
    for profile in catalog.profiles.values():
        if profile.user_license == wanted and profile.name.startswith("Minimum Access"):
            return profile.name
    return "Minimum Access - Salesforce"

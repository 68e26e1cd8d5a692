"""validate_manifest: a loaded manifest checked against the catalog of Salesforce facts.

Returns problems (errors and warnings), never raises for a bad manifest. Checks: every atom on its
own (validate_atoms), the user's licenses, permission set licenses and profile, whether the licenses
can hold what the features need, and whether each permission set's license fits the user.

License rules (https://help.salesforce.com/s/articleView?id=platform.integration_user.htm): the
Salesforce Integration user license holds no standard-object permissions by itself; the "Salesforce API
Integration" permission set license adds them and must be assigned before such permission sets
("The user license doesn't allow the permission: Read Accounts" otherwise). A permission set with a
user license can only be assigned to users of that license (PermissionSetAssignment:
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsetassignment.htm).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from leastforce.catalog.rights import close_field_rights, close_object_rights
from leastforce.errors import Problem
from leastforce.kinds import granted_by, kind_of
from leastforce.manifest.model import Manifest, PermissionSetSpec
from leastforce.manifest.validate_app import app_problems
from leastforce.manifest.validate_atoms import (
    Placed,
    atom_problems,
    dependency_problems,
    implied_object_problems,
    is_custom_object,
    placed,
)
from leastforce.manifest.validate_packages import package_problems
from leastforce.values import problem_codes as codes
from leastforce.values.model import ObjectRight
from leastforce.values.requirements import Requirement, Source, walk

if TYPE_CHECKING:
    from leastforce.catalog.catalog import Catalog


def validate_manifest(manifest: Manifest, catalog: Catalog) -> tuple[Problem, ...]:
    """Every semantic problem in ``manifest``, in file order (each once)."""
    problems: list[Problem] = []
    items = list(_all_atoms(manifest))
    for item in items:
        problems += atom_problems(item, catalog)
        problems += _context_problems(item, manifest)
        problems += _source_problems(item, manifest)
        problems += _todo_problems(item)
    problems += dependency_problems([i for i in items if i.owner.startswith("feature")], catalog)
    problems += implied_object_problems(items, catalog)
    problems += _user_problems(manifest, catalog)
    problems += _capacity_problems(manifest, catalog)
    for spec in manifest.permission_sets:
        problems += _permission_set_problems(spec, manifest, catalog)
    problems += _coverage_problems(manifest, catalog)
    problems += _credential_problems(manifest)
    problems += _negation_problems(manifest, catalog)
    problems += package_problems(manifest, items, catalog)
    problems += app_problems(manifest, items, catalog)
    unique = dict.fromkeys(problems)
    return tuple(sorted(unique, key=lambda p: (p.position.line, p.position.column, p.severity)))


def _all_atoms(manifest: Manifest) -> Iterator[Placed]:
    for feature in manifest.features:
        yield from placed(feature.requires, f"feature {feature.name}")
    for role in manifest.roles:
        yield from placed(role.requires, f"role {role.name}")


# ``why: TODO (granted by ...)`` is what ``leastforce adopt`` writes (docs/adopt.md): a reason still to give.
_TODO = re.compile(r"^\s*TODO\b")


def _todo_problems(item: Placed) -> list[Problem]:
    """A warning for every requirement whose reason is still a TODO."""
    if not _TODO.match(item.atom.why):
        return []
    what = kind_of(item.atom).describe(item.atom, None)
    message = f"{item.owner}: {what}: why is still a TODO; give the reason, or remove the requirement"
    return [Problem("warning", message, item.atom.position, codes.WHY_TODO)]


def _context_problems(item: Placed, manifest: Manifest) -> list[Problem]:
    """A feature's atom that contradicts the user declared for the integration (not roles, not an
    alternative of an ``any:``)."""
    if item.alternative or not item.owner.startswith("feature"):
        return []
    user = manifest.user
    profile = user.profile.name if user.profile else ""
    found = kind_of(item.atom).user_conflicts(item.atom, profile, user.licenses)
    return [
        Problem("error", f"{item.owner} {message}", item.atom.position, codes.FEATURE_USER_CONFLICT)
        for message in found
    ]


def _source_problems(item: Placed, manifest: Manifest) -> list[Problem]:
    """``from: profile`` needs a profile leastforce creates: it clones ``user.profile.based_on`` and puts
    the right on the clone; it never edits an existing profile (a standard profile's user and object
    permissions cannot be changed: https://www.salesforcehacker.com/2013/05/why-standard-profile-permissions-cant.html,
    a Salesforce product manager's post; no Salesforce Help page found, so UNVERIFIED for today's orgs)."""
    if item.atom.source is not Source.PROFILE:
        return []
    if not item.owner.startswith("feature"):
        message = f"{item.owner}: `from: profile` is for the integration user's features, not for roles"
        return [Problem("error", message, item.atom.position, codes.RIGHT_SOURCE)]
    profile = manifest.user.profile
    if profile is not None and profile.based_on:
        return []
    message = (
        f"{item.owner} needs this right on the profile (`from: profile`), but leastforce only puts rights"
        " on a profile it clones: declare user.profile with a name and `based_on:` (the profile to clone)"
    )
    return [Problem("error", message, item.atom.position, codes.RIGHT_SOURCE)]


def _user_problems(manifest: Manifest, catalog: Catalog) -> list[Problem]:
    user, out = manifest.user, []
    for name in user.licenses:
        lic = _license(catalog, name)
        if lic is None:
            out.append(
                Problem(
                    "error",
                    f"unknown user license {name!r}{_suggest(name, catalog)}",
                    user.position,
                    codes.UNKNOWN_LICENSE,
                )
            )
        elif _is_psl(lic):
            message = f"{name!r} is a permission set license; list it under user.permission_set_licenses"
            out.append(Problem("error", message, user.position, codes.LICENSE_MISPLACED))
    refused = {n.casefold() for n in user.not_licenses}
    clash = [n for n in user.licenses if n.casefold() in refused]
    if clash:
        message = f"license {', '.join(clash)} is both allowed (license) and refused (not_license)"
        out.append(Problem("error", message, user.position, codes.LICENSE_CONFLICT))
    for name in user.not_licenses:
        if _license(catalog, name) is None:
            out.append(
                Problem(
                    "warning",
                    f"user.not_license {name!r} is not a license leastforce knows",
                    user.position,
                    codes.UNKNOWN_LICENSE,
                )
            )
    for name in user.permission_set_licenses:
        out += _psl_problems(name, manifest, catalog)
    if user.profile is not None:
        out += _profile_problems(manifest, catalog)
    return out


def _psl_problems(name: str, manifest: Manifest, catalog: Catalog) -> list[Problem]:
    user, lic = manifest.user, _license(catalog, name)
    if lic is None:  # PSLs are many and per org (Field Service ...): the catalog knows few
        return [
            Problem(
                "warning",
                f"permission set license {name!r} is not in leastforce's catalog",
                user.position,
                codes.UNKNOWN_LICENSE,
            )
        ]
    if not _is_psl(lic):
        return [
            Problem(
                "error",
                f"{name!r} is a user license; put it under user.license",
                user.position,
                codes.LICENSE_MISPLACED,
            )
        ]
    needs = getattr(lic, "requires_user_license", "") or ""
    if needs and user.licenses and needs.casefold() not in {n.casefold() for n in user.licenses}:
        message = f"permission set license {name!r} is only for {needs!r} users; user.license is {', '.join(user.licenses)}"
        return [Problem("error", message, user.position, codes.LICENSE_CONFLICT)]
    return []


def _profile_problems(manifest: Manifest, catalog: Catalog) -> list[Problem]:
    user = manifest.user
    assert user.profile is not None
    spec = user.profile
    base = spec.based_on or spec.name
    profile = catalog.find_profile(base)
    if profile is None:
        message = f"profile {base!r} is not a standard profile; it must exist in the org"
        return [Problem("warning", message, spec.position, codes.UNKNOWN_PROFILE)]
    licenses = {n.casefold() for n in user.licenses}
    if licenses and profile.user_license and profile.user_license.casefold() not in licenses:
        message = (
            f"profile {profile.name!r} has the {profile.user_license!r} user license, "
            f"but user.license is {', '.join(user.licenses)}"
        )
        return [Problem("error", message, spec.position, codes.LICENSE_CONFLICT)]
    return []


def _capacity_problems(manifest: Manifest, catalog: Catalog) -> list[Problem]:
    """What the user's licenses (plus its permission set licenses) cannot hold."""
    user_licenses = [
        lic for n in manifest.user.licenses if (lic := _license(catalog, n)) and not _is_psl(lic)
    ]
    if not user_licenses:
        return []
    psls = [lic for n in manifest.user.permission_set_licenses if (lic := _license(catalog, n))]
    out = []
    for item in _all_atoms(manifest):
        atom = item.atom
        if not item.owner.startswith("feature") or item.alternative:
            continue
        granted = kind_of(atom).contribute(atom, catalog)
        for name in granted.permissions:
            if all(lic.can_hold(name) is False for lic in user_licenses) and not any(
                psl.can_hold(name) for psl in psls
            ):
                names = " or ".join(lic.name for lic in user_licenses)
                message = f"the user license {names} doesn't allow the permission: {name}"
                out.append(Problem("error", message, atom.position, codes.LICENSE_CAPACITY))
        for obj in dict.fromkeys(o for o, _ in granted.objects):
            if not is_custom_object(obj):
                out += _standard_object_capacity(atom, obj, user_licenses, psls)
    return out


def _standard_object_capacity(
    atom: Requirement, obj: str, licenses: list[Any], psls: list[Any]
) -> list[Problem]:
    if any(lic.standard_objects for lic in licenses) or any(psl.standard_objects for psl in psls):
        denied = [lic for lic in licenses if obj in (getattr(lic, "denied_objects", ()) or ())]
        if denied and len(denied) == len(licenses):
            message = f"the user license {denied[0].name} doesn't allow permissions on {obj}"
            return [Problem("error", message, atom.position, codes.LICENSE_CAPACITY)]
        return []
    names = " or ".join(lic.name for lic in licenses)
    message = (
        f"{names} users get no permissions on standard objects such as {obj} without the "
        "'Salesforce API Integration' permission set license; add it to user.permission_set_licenses"
    )
    return [Problem("error", message, atom.position, codes.LICENSE_CAPACITY)]


def _permission_set_problems(spec: PermissionSetSpec, manifest: Manifest, catalog: Catalog) -> list[Problem]:
    if not spec.license:
        return []
    user, lic = manifest.user, _license(catalog, spec.license)
    if lic is None:
        return [
            Problem(
                "error",
                f"unknown license {spec.license!r}{_suggest(spec.license, catalog)}",
                spec.position,
                codes.UNKNOWN_LICENSE,
            )
        ]
    if _is_psl(lic):
        if lic.name.casefold() not in {n.casefold() for n in user.permission_set_licenses}:
            message = (
                f"permission set {spec.name} has the {lic.name!r} permission set license; "
                "add it to user.permission_set_licenses (it is assigned before the set)"
            )
            return [Problem("error", message, spec.position, codes.LICENSE_CONFLICT)]
        return []
    out = []
    if user.licenses and lic.name.casefold() not in {n.casefold() for n in user.licenses}:
        message = f"permission set {spec.name} (license {lic.name!r}) cannot be assigned to a {', '.join(user.licenses)} user"
        out.append(Problem("error", message, spec.position, codes.LICENSE_CONFLICT))
    if not lic.standard_objects and _carries_standard_objects(spec, manifest, catalog):
        message = (
            f"permission set {spec.name} has the {lic.name!r} user license, which offers no standard objects; "
            "use the 'Salesforce API Integration' permission set license (or none)"
        )
        out.append(Problem("error", message, spec.position, codes.LICENSE_CONFLICT))
    return out


def _carries_standard_objects(spec: PermissionSetSpec, manifest: Manifest, catalog: Catalog) -> bool:
    for feature in manifest.features:
        if manifest.permission_set_for(feature.name) != spec:
            continue
        for item in placed(feature.requires, feature.name):
            granted = kind_of(item.atom).contribute(item.atom, catalog)
            if any(not is_custom_object(obj) for obj, _ in granted.objects):
                return True
    return False


def _coverage_problems(manifest: Manifest, catalog: Catalog) -> list[Problem]:
    if not manifest.permission_sets:
        return []
    return [
        Problem(
            "warning",
            f"feature {f.name} is carried by no permission set",
            f.position,
            codes.UNCOVERED_FEATURE,
        )
        for f in manifest.features
        if manifest.permission_set_for(f.name) is None and _grantable(f.requires, catalog)
    ]


def _grantable(requires: tuple[Any, ...], catalog: Catalog) -> bool:
    """Whether the requirements put anything in a permission set (permissions or object access)."""
    contributions = [kind_of(i.atom).contribute(i.atom, catalog) for i in placed(requires, "")]
    return any(c.permissions or c.objects for c in contributions)


def _credential_problems(manifest: Manifest) -> list[Problem]:
    return [
        Problem(
            "warning",
            f"credential {c.external_credential}: token expires but `renew:` says nothing",
            c.position,
            codes.CREDENTIAL_RENEWAL,
        )
        for c in manifest.credentials
        if c.token_lifetime_days and not c.renew.strip()
    ]


def _license(catalog: Catalog, name: str) -> Any:
    return catalog.find_license(name)


def _is_psl(lic: Any) -> bool:
    return getattr(lic.kind, "value", lic.kind) == "permission_set"


def _suggest(name: str, catalog: Catalog) -> str:
    names = [lic.name for lic in catalog.licenses.values()]
    close = difflib.get_close_matches(name, names, n=2, cutoff=0.5)
    return (
        f" (did you mean {' or '.join(repr(c) for c in close)}?)"
        if close
        else f" (known: {', '.join(names)})"
    )


def _negation_problems(manifest: Manifest, catalog: Catalog) -> list[Problem]:
    """A ``not:`` that the manifest's own features grant (directly or as a Salesforce dependency): the
    integration user would always fail it."""
    granted = [granted_by(req, catalog) for f in manifest.features for req in f.requires]
    perms = {p for g in granted for p in g.permissions}
    perms |= {d for p in perms for d in catalog.required_permissions(p)}
    objects: dict[str, set[ObjectRight]] = {}
    for g in granted:
        for obj, rights in g.objects:
            objects.setdefault(obj, set()).update(close_object_rights(rights))
    fields = {name: set(close_field_rights(r)) for g in granted for name, r in g.fields}
    entities = {e for g in granted for e in g.entities}
    out = []
    for atom in (a for f in manifest.features for a in walk(f.requires)):
        for refused in kind_of(atom).contribute(atom, catalog).negated:
            own = granted_by(refused, catalog)
            clash = (
                any(p in perms for p in own.permissions)
                or any(set(r) <= objects.get(o, set()) for o, r in own.objects)
                or any(set(r) <= fields.get(n, set()) for n, r in own.fields)
                or any(e in entities for e in own.entities)
            )
            if clash:
                what = kind_of(refused).describe(refused, catalog)
                message = f"`not:` {what}, but the manifest's features grant it"
                out.append(Problem("error", message, atom.position, codes.NEGATION_CONFLICT))
    return out

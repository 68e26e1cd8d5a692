"""An SFDX project from a desired setup: ``{relative path: file text}``, pure (the build command writes it).

Layout (source format, https://developer.salesforce.com/docs/atlas.en-us.sfdx_dev.meta/sfdx_dev/sfdx_dev_source_file_format.htm):
``sfdx-project.json``, ``force-app/main/default/permissionsets/<Name>.permissionset-meta.xml``,
``force-app/main/default/profiles/<Name>.profile-meta.xml`` and ``manifest/package.xml``.
Deploy with ``sf project deploy start --manifest manifest/package.xml``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import quote

from leastforce.desired import DesiredSetup
from leastforce.metadata import (
    entities_not_in_metadata,
    from_permission_set,
    from_profile,
    package_xml,
    sfdx_project_json,
    write_metadata,
)
from leastforce.values.model import PermissionSet

SOURCE_DIR = "force-app/main/default"
API_VERSION = "64.0"


def profile_file_name(name: str) -> str:
    """A profile's metadata fullName: its name with characters such as ``:`` percent-encoded.

    Retrieved profiles keep spaces and encode the rest ("Custom%3A Marketing Profile"); characters other
    than ``:`` and ``/`` are kept as written (UNVERIFIED for rarer punctuation).
    https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_profile.htm
    """
    return quote(name, safe=" -_.()&',+")


def render_project(
    setup: DesiredSetup,
    role_sets: Iterable[PermissionSet] = (),
    api_version: str = API_VERSION,
) -> dict[str, str]:
    """Every file of the project, sorted by path: the managed sets, the role sets, the profile (when
    leastforce clones one), package.xml listing them all, and sfdx-project.json."""
    files: dict[str, str] = {"sfdx-project.json": sfdx_project_json(api_version)}
    sets = (*setup.permission_sets, *role_sets)
    for ps in sets:
        path = f"{SOURCE_DIR}/permissionsets/{ps.name}.permissionset-meta.xml"
        files[path] = write_metadata(from_permission_set(ps))
    members: dict[str, list[str]] = {"PermissionSet": [ps.name for ps in sets]}
    if setup.profile is not None:
        name = profile_file_name(setup.profile.name)
        doc = from_profile(setup.profile.permission_set, user_license=setup.profile.user_license, custom=True)
        files[f"{SOURCE_DIR}/profiles/{name}.profile-meta.xml"] = write_metadata(doc)
        members["Profile"] = [name]
    files["manifest/package.xml"] = package_xml(members, api_version)
    return dict(sorted(files.items()))


def metadata_gaps(
    setup: DesiredSetup, role_sets: Iterable[PermissionSet] = ()
) -> Mapping[str, tuple[str, ...]]:
    """Setup entities the metadata files cannot carry (e.g. connected app access), by set name: the admin
    (or ``leastforce apply``) must grant these by hand."""
    gaps: dict[str, tuple[str, ...]] = {}
    for ps in (*setup.permission_sets, *role_sets):
        missing = entities_not_in_metadata(ps)
        if missing:
            gaps[ps.name] = tuple(sorted(f"{e.type.value} {e.name}" for e in missing))
    if setup.profile is not None:
        missing = entities_not_in_metadata(setup.profile.permission_set, profile=True)
        if missing:
            gaps[setup.profile.name] = tuple(sorted(f"{e.type.value} {e.name}" for e in missing))
    return gaps

"""package.xml, sfdx-project.json and the metadata type of a source file.

package.xml: https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/manifest_samples.htm
sfdx-project.json: https://developer.salesforce.com/docs/atlas.en-us.sfdx_dev.meta/sfdx_dev/sfdx_dev_ws_config.htm
Source file names: https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_permissionset.htm
(``permissionsets/<Name>.permissionset-meta.xml`` in source format, ``<Name>.permissionset`` in
Metadata API format).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import PurePath

from leastforce.metadata.xmlio import Element, MetadataDocument, write_metadata

# File suffix (lower case, without "-meta.xml") -> metadata type.
_SUFFIX_KINDS = {
    "permissionset": "PermissionSet",
    "profile": "Profile",
    "permissionsetgroup": "PermissionSetGroup",
    "mutingpermissionset": "MutingPermissionSet",
}
# Fragments of a decomposed permission set, as source-deploy-retrieve writes them (presets
# decomposePermissionSetBeta / Beta2: permissionsets/<Name>/<Name>.classAccess-meta.xml,
# permissionsets/<Name>/objectSettings/<Object>.objectSettings-meta.xml); suffixes from its registry presets,
# https://github.com/forcedotcom/source-deploy-retrieve/blob/main/src/registry/presets/
_FRAGMENT_SUFFIXES = frozenset(
    {
        "applicationvisibility",
        "classaccess",
        "custommetadatatypeaccess",
        "custompermissions",
        "customsettingaccess",
        "externalcredentialprincipalaccess",
        "externaldatasourceaccess",
        "fieldpermission",
        "flowaccess",
        "objectpermission",
        "objectsettings",
        "pageaccess",
        "recordtypevisibility",
        "tabsetting",
        "userpermission",
    }
)
_API_VERSION = re.compile(r"^\d{2,3}\.0$")


def metadata_kind_for_path(path: str | PurePath) -> str | None:
    """``"PermissionSet"`` for ``*.permissionset-meta.xml`` / ``*.permissionset`` (and decomposed fragments
    under a ``permissionsets`` folder), ``"Profile"``, ``"PermissionSetGroup"``, ``"MutingPermissionSet"``;
    None for anything else."""
    p = PurePath(path)
    name = p.name.lower()
    if name.endswith("-meta.xml"):
        name = name[: -len("-meta.xml")]
    suffix = name.rsplit(".", 1)[-1] if "." in name else ""
    if suffix in _SUFFIX_KINDS:
        return _SUFFIX_KINDS[suffix]
    if suffix in _FRAGMENT_SUFFIXES and any(part.lower() == "permissionsets" for part in p.parts[:-1]):
        return "PermissionSet"
    return None


def package_xml(members: Mapping[str, Iterable[str]], api_version: str = "64.0") -> str:
    """A package.xml listing ``members`` by type, types and members sorted, e.g.
    ``package_xml({"PermissionSet": ["Upflow_Permissions"]})``. Types with no members are left out."""
    _check_version(api_version)
    types = []
    for type_name in sorted(members):
        names = sorted(set(members[type_name]))
        if names:
            rows = [Element("members", n) for n in names]
            types.append(Element("types", "", (*rows, Element("name", type_name))))
    doc = MetadataDocument("Package", (*types, Element("version", api_version)))
    return write_metadata(doc)


def sfdx_project_json(api_version: str = "64.0") -> str:
    """The sfdx-project.json of a project with one default package directory, ``force-app``."""
    _check_version(api_version)
    project = {
        "packageDirectories": [{"path": "force-app", "default": True}],
        "name": "leastforce",
        "namespace": "",
        "sfdcLoginUrl": "https://login.salesforce.com",
        "sourceApiVersion": api_version,
    }
    return json.dumps(project, indent=2) + "\n"


def _check_version(api_version: str) -> None:
    if not _API_VERSION.match(api_version):
        raise ValueError(f"API version must look like '64.0', got {api_version!r}")

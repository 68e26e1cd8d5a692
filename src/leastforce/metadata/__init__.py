"""Salesforce permission metadata XML: safe lossless parsing, Salesforce-exact writing, conversion to and
from :mod:`leastforce.values.model` values, package.xml / sfdx-project.json, and validation against the WSDL.

https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_permissionset.htm
"""

from leastforce.metadata.groups import from_muting_permission_set, from_permission_set_group, group_members
from leastforce.metadata.package import metadata_kind_for_path, package_xml, sfdx_project_json
from leastforce.metadata.permissions import (
    METADATA_ENTITY_TYPES,
    PROFILE_ENTITY_TYPES,
    entities_not_in_metadata,
    from_permission_set,
    from_profile,
    to_permission_set,
)
from leastforce.metadata.wsdl import METADATA_NS, validate_against_wsdl
from leastforce.metadata.xmlio import Element, MetadataDocument, parse_metadata, write_metadata

__all__ = [
    "METADATA_ENTITY_TYPES",
    "METADATA_NS",
    "PROFILE_ENTITY_TYPES",
    "Element",
    "MetadataDocument",
    "entities_not_in_metadata",
    "from_muting_permission_set",
    "from_permission_set",
    "from_permission_set_group",
    "from_profile",
    "group_members",
    "metadata_kind_for_path",
    "package_xml",
    "parse_metadata",
    "sfdx_project_json",
    "to_permission_set",
    "validate_against_wsdl",
    "write_metadata",
]

"""PermissionSetGroup and MutingPermissionSet files.

https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_permissionsetgroup.htm
https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_mutingpermissionset.htm
Each ``<permissionSets>`` / ``<mutingPermissionSets>`` element holds one name; packaged sets are named
``ns__Name``. In a muting permission set a flag set to true means *muted* (inside its group only).
"""

from __future__ import annotations

from collections.abc import Iterable

from leastforce.errors import MetadataError, Position
from leastforce.metadata.permissions import from_permission_set
from leastforce.metadata.wsdl import METADATA_NS
from leastforce.metadata.xmlio import Element, MetadataDocument
from leastforce.values.model import MutingPermissionSet, PermissionSet, PermissionSetGroup


def from_permission_set_group(
    group: PermissionSetGroup, *, permission_sets: Iterable[str], description: str = ""
) -> MetadataDocument:
    """A PermissionSetGroup file bundling ``permission_sets`` (full names, sorted) and the group's muting set.

    The model keeps member Ids, metadata wants names, so the caller passes the names.
    """
    children = [
        *([Element("description", description)] if description else []),
        Element("hasActivationRequired", "false"),
        Element("label", group.label or group.name),
        *([Element("mutingPermissionSets", group.muting.name)] if group.muting else []),
        *(Element("permissionSets", n) for n in sorted(set(permission_sets))),
        Element("status", group.status or "Updated"),
    ]
    return MetadataDocument("PermissionSetGroup", tuple(children), METADATA_NS).in_wsdl_order()


def group_members(doc: MetadataDocument) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """``(label, permission set names, muting permission set names)`` of a PermissionSetGroup file."""
    if doc.root != "PermissionSetGroup":
        raise MetadataError(f"expected a PermissionSetGroup, got <{doc.root}>", Position(doc.root))
    names = tuple(e.text.strip() for e in doc.find_all("permissionSets"))
    muting = tuple(e.text.strip() for e in doc.find_all("mutingPermissionSets"))
    return doc.text("label"), names, muting


def from_muting_permission_set(muting: MutingPermissionSet) -> MetadataDocument:
    """A MutingPermissionSet file muting exactly the flags set on ``muting``."""
    as_set = PermissionSet(
        name=muting.name,
        label=muting.label or muting.name,
        user_permissions=muting.user_permissions,
        objects=muting.objects,
        fields=muting.fields,
    )
    # Same elements as a permission set (the documented sample carries hasActivationRequired too).
    return MetadataDocument("MutingPermissionSet", from_permission_set(as_set).children, METADATA_NS)

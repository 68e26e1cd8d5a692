"""What a PermissionSet, Profile or MutingPermissionSet file says, read from its XML.

Element names as the Metadata API documents them: userPermissions (enabled, name), objectPermissions
(allowCreate, allowDelete, allowEdit, allowRead, modifyAllRecords, object, viewAllFields, viewAllRecords),
fieldPermissions (editable, field, readable), classAccesses (apexClass, enabled), customPermissions
(name, enabled).
https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_permissionset.htm
https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_profile.htm
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from leastforce.emulator.metadata.xml import ParseProblem, children, flag, line_of, local, text

# Metadata element -> ObjectPermissions field.
OBJECT_FLAGS = {
    "allowCreate": "PermissionsCreate",
    "allowDelete": "PermissionsDelete",
    "allowEdit": "PermissionsEdit",
    "allowRead": "PermissionsRead",
    "modifyAllRecords": "PermissionsModifyAllRecords",
    "viewAllFields": "PermissionsViewAllFields",
    "viewAllRecords": "PermissionsViewAllRecords",
}
# Setup entity access: element -> (its name element, the sObject it names, that sObject's name field).
ENTITY_ELEMENTS = {
    "classAccesses": ("apexClass", "ApexClass", "Name"),
    "customPermissions": ("name", "CustomPermission", "DeveloperName"),
}


@dataclass(frozen=True)
class Setting:
    """One named setting of the file and the line it is on (for componentFailures)."""

    name: str
    values: dict[str, bool]
    line: int


@dataclass(frozen=True)
class PermContent:
    label: str
    description: str
    license: str
    custom: bool
    user: tuple[Setting, ...] = ()
    objects: tuple[Setting, ...] = ()
    fields: tuple[Setting, ...] = ()
    entities: dict[str, tuple[Setting, ...]] = field(default_factory=dict)


def read_content(root: etree._Element, type_name: str) -> PermContent:
    """The file's settings; ParseProblem when the root element is not the type's."""
    if local(root) != type_name:
        raise ParseProblem(
            f"Error parsing file: Element {local(root)} is not a {type_name}", line_of(root) or 1, 1
        )  # UNVERIFIED wording
    return PermContent(
        label=text(root, "label"),
        description=text(root, "description"),
        license=text(root, "license") or text(root, "userLicense"),
        custom=text(root, "custom").lower() != "false",
        user=tuple(
            Setting(text(e, "name"), {"enabled": flag(e, "enabled")}, line_of(e))
            for e in children(root, "userPermissions")
        ),
        objects=tuple(
            Setting(text(e, "object"), {f: flag(e, k) for k, f in OBJECT_FLAGS.items()}, line_of(e))
            for e in children(root, "objectPermissions")
        ),
        fields=tuple(
            Setting(
                text(e, "field"),
                {"PermissionsRead": flag(e, "readable"), "PermissionsEdit": flag(e, "editable")},
                line_of(e),
            )
            for e in children(root, "fieldPermissions")
        ),
        entities={
            tag: tuple(
                Setting(text(e, name_tag), {"enabled": flag(e, "enabled")}, line_of(e))
                for e in children(root, tag)
            )
            for tag, (name_tag, _, _) in ENTITY_ELEMENTS.items()
        },
    )


# The elements the local org applies (above) or that only describe the set; any other one (tabSettings,
# applicationVisibilities, pageAccesses, recordTypeVisibilities, layoutAssignments ...) is not stored.
APPLIED = frozenset(
    {"label", "description", "license", "userLicense", "custom", "fullName"}
    | {"userPermissions", "objectPermissions", "fieldPermissions"}
    | set(ENTITY_ELEMENTS)
)


def unsupported(root: etree._Element) -> list[tuple[str, int]]:
    """Each element of the file the local org does not store, with the line it first appears on
    (``hasActivationRequired`` only when true: false is the default and changes nothing)."""
    first: dict[str, int] = {}
    for el in root:
        if not isinstance(el.tag, str):
            continue  # comments, processing instructions
        name = local(el)
        if name in APPLIED or (name == "hasActivationRequired" and (el.text or "").strip() != "true"):
            continue
        first.setdefault(name, line_of(el) or 1)
    return list(first.items())

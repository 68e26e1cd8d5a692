"""Conversion between metadata documents and :class:`leastforce.values.model.PermissionSet` values.

Element names and semantics follow the Metadata API:
https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_permissionset.htm
https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_profile.htm
https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_mutingpermissionset.htm
Setup entity types are those of SetupEntityAccess.SetupEntityType (``TabSet`` = an app):
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_setupentityaccess.htm
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from leastforce.errors import MetadataError, Position
from leastforce.metadata.wsdl import METADATA_NS
from leastforce.metadata.xmlio import Element, MetadataDocument
from leastforce.values.model import (
    FieldRight,
    ObjectRight,
    PermissionSet,
    SetupEntity,
    SetupEntityType,
    frozen_map,
)

PERMISSION_ROOTS = frozenset({"PermissionSet", "Profile", "MutingPermissionSet"})

# Element holding each setup entity type, and its name child. Profiles and permission sets share these
# (applicationVisibilities marks an app "visible"; profiles add a <default> flag).
_ENTITY_ELEMENTS: dict[SetupEntityType, tuple[str, str, str]] = {
    # type: (element, name child, flag child)
    SetupEntityType.APEX_CLASS: ("classAccesses", "apexClass", "enabled"),
    SetupEntityType.APEX_PAGE: ("pageAccesses", "apexPage", "enabled"),
    SetupEntityType.CUSTOM_PERMISSION: ("customPermissions", "name", "enabled"),
    SetupEntityType.EXTERNAL_CREDENTIAL_PRINCIPAL: (
        "externalCredentialPrincipalAccesses",
        "externalCredentialPrincipal",
        "enabled",
    ),
    SetupEntityType.TAB: ("applicationVisibilities", "application", "visible"),
}
# Connected-app and external-client-app access is not part of a PermissionSet file: it is set on the app
# (ConnectedApp <oauthConfig> / permission set assignment in Setup), so these types cannot be written here.
METADATA_ENTITY_TYPES = frozenset(_ENTITY_ELEMENTS)
# The Profile type of the API 63.0 WSDL has no externalCredentialPrincipalAccesses (the meta_profile page
# does not list it either), so a profile cannot carry principal access: use a permission set.
PROFILE_ENTITY_TYPES = METADATA_ENTITY_TYPES - {SetupEntityType.EXTERNAL_CREDENTIAL_PRINCIPAL}

_FIELD_FLAGS = {FieldRight.READ: "readable", FieldRight.EDIT: "editable"}


def to_permission_set(doc: MetadataDocument, *, name: str) -> PermissionSet:
    """The permissions a PermissionSet, Profile or MutingPermissionSet file grants (or, for muting, mutes).

    Only enabled rows count: disabled user permissions, all-false object/field rows and disabled setup
    entities are dropped. Booleans are read leniently ("True", "true").
    """
    if doc.root not in PERMISSION_ROOTS:
        raise MetadataError(
            f"expected a PermissionSet, Profile or MutingPermissionSet, got <{doc.root}>", Position(name)
        )
    is_profile = doc.root == "Profile"
    user_permissions = frozenset(
        e.child_text("name").strip() for e in doc.find_all("userPermissions") if e.flag("enabled")
    )
    objects: dict[str, frozenset[ObjectRight]] = {}
    for e in doc.find_all("objectPermissions"):
        rights = frozenset(r for r in ObjectRight if e.flag(r.xml_name))
        if rights:
            obj = e.child_text("object").strip()
            objects[obj] = objects.get(obj, frozenset()) | rights
    fields: dict[str, frozenset[FieldRight]] = {}
    for e in doc.find_all("fieldPermissions"):
        field_rights = frozenset(r for r, tag in _FIELD_FLAGS.items() if e.flag(tag))
        if field_rights:
            fld = e.child_text("field").strip()
            fields[fld] = fields.get(fld, frozenset()) | field_rights
    entities = frozenset(
        SetupEntity(kind, e.child_text(name_tag).strip())
        for kind, (tag, name_tag, flag_tag) in _ENTITY_ELEMENTS.items()
        for e in doc.find_all(tag)
        if e.flag(flag_tag)
    )
    # userLicense: Profile, and PermissionSet up to API 37.0; license: PermissionSet from API 38.0.
    license_name = doc.text("license") or doc.text("userLicense")
    return PermissionSet(
        name=name,
        label=doc.text("label"),
        description=doc.text("description"),
        license=license_name.strip(),
        is_owned_by_profile=is_profile,
        profile_name=name if is_profile else "",
        is_custom=_lenient_bool(doc.text("custom"), default=True) if is_profile else True,
        user_permissions=user_permissions,
        objects=frozen_map(objects),
        fields=frozen_map(fields),
        setup_entities=entities,
    )


def _lenient_bool(text: str, *, default: bool) -> bool:
    norm = text.strip().lower()
    return default if not norm else norm in ("true", "1")


def entities_not_in_metadata(ps: PermissionSet, *, profile: bool = False) -> frozenset[SetupEntity]:
    """Setup entities of ``ps`` that a PermissionSet (or, with ``profile``, a Profile) file cannot carry:
    connected apps and external client apps; for profiles also external credential principals."""
    allowed = PROFILE_ENTITY_TYPES if profile else METADATA_ENTITY_TYPES
    return frozenset(e for e in ps.setup_entities if e.type not in allowed)


def from_permission_set(ps: PermissionSet, *, description: str | None = None) -> MetadataDocument:
    """A PermissionSet file granting exactly ``ps`` (a deploy replaces the whole set, so nothing else).

    Rows are sorted by name within each group; object rows list every flag. Setup entities that
    permission set metadata cannot express are left out (see :func:`entities_not_in_metadata`).
    """
    text = ps.description if description is None else description
    children = [
        *_entity_rows(ps, profile=False),
        *_leaf("description", text),
        *_field_rows(ps.fields),
        _el("hasActivationRequired", "false"),
        _el("label", ps.label or ps.name),
        *_leaf("license", ps.license),
        *_object_rows(ps.objects),
        *_user_permission_rows({p: True for p in ps.user_permissions}),
    ]
    return MetadataDocument("PermissionSet", tuple(children), METADATA_NS).in_wsdl_order()


def from_profile(
    ps: PermissionSet,
    *,
    user_license: str,
    custom: bool = True,
    disabled_permissions: Iterable[str] = (),
) -> MetadataDocument:
    """A Profile file granting ``ps``, with ``disabled_permissions`` written as ``enabled=false``.

    Setup entities a profile cannot carry are left out (see :func:`entities_not_in_metadata`).
    A profile deploy overlays the org's profile (settings not in the file are left as they are), so a
    permission to remove has to be written out disabled.
    https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_profile.htm
    """
    permissions = {p: False for p in disabled_permissions}
    permissions.update({p: True for p in ps.user_permissions})
    children = [
        *_entity_rows(ps, profile=True),
        _el("custom", _bool(custom)),
        *_leaf("description", ps.description),
        *_field_rows(ps.fields),
        *_object_rows(ps.objects),
        _el("userLicense", user_license),
        *_user_permission_rows(permissions),
    ]
    return MetadataDocument("Profile", tuple(children), METADATA_NS).in_wsdl_order()


def _el(tag: str, text: str = "", *children: Element) -> Element:
    return Element(tag, text, tuple(children))


def _leaf(tag: str, text: str) -> list[Element]:
    return [_el(tag, text)] if text else []


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _entity_rows(ps: PermissionSet, *, profile: bool) -> list[Element]:
    rows = []
    allowed = PROFILE_ENTITY_TYPES if profile else METADATA_ENTITY_TYPES
    for entity in sorted(ps.setup_entities, key=lambda e: (e.type.value, e.name)):
        if entity.type not in allowed:
            continue
        tag, name_tag, flag_tag = _ENTITY_ELEMENTS[entity.type]
        parts = [_el(name_tag, entity.name), _el(flag_tag, "true")]
        if profile and entity.type is SetupEntityType.TAB:
            parts.insert(1, _el("default", "false"))  # ProfileApplicationVisibility requires <default>
        rows.append(_el(tag, "", *parts))
    return rows


def _field_rows(fields: Mapping[str, frozenset[FieldRight]]) -> list[Element]:
    return [
        _el(
            "fieldPermissions",
            "",
            _el("editable", _bool(FieldRight.EDIT in rights)),
            _el("field", name),
            _el("readable", _bool(FieldRight.READ in rights)),
        )
        for name, rights in sorted(fields.items())
    ]


def _object_rows(objects: Mapping[str, frozenset[ObjectRight]]) -> list[Element]:
    rows = []
    for name, rights in sorted(objects.items()):
        flags = [_el(r.xml_name, _bool(r in rights)) for r in ObjectRight]
        rows.append(_el("objectPermissions", "", _el("object", name), *flags))
    return rows


def _user_permission_rows(permissions: Mapping[str, bool]) -> list[Element]:
    return [
        _el("userPermissions", "", _el("enabled", _bool(enabled)), _el("name", name))
        for name, enabled in sorted(permissions.items())
    ]

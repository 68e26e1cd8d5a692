"""Salesforce's permission facts as data, each with its source.

``load_catalog()`` reads the bundled data files once (nothing happens at import time). A live org's
PermissionDependency rows can replace the bundled dependencies: ``catalog.replace_dependencies(rows)``.
"""

from __future__ import annotations

from leastforce.catalog.catalog import Catalog, format_object_permission, parse_object_permission
from leastforce.catalog.fields import NoFieldSecurity, field_security_exemption
from leastforce.catalog.loader import CatalogDataError, load_catalog
from leastforce.catalog.rights import close_object_rights, implied_object_rights, needed_rights
from leastforce.catalog.types import (
    Dependency,
    License,
    LicenseKind,
    NoObjectPermissions,
    ObjectField,
    PermissionType,
    Risk,
    Source,
    StandardObject,
    StandardProfile,
    UserPermission,
)

__all__ = [
    "Catalog",
    "CatalogDataError",
    "Dependency",
    "License",
    "LicenseKind",
    "NoFieldSecurity",
    "NoObjectPermissions",
    "ObjectField",
    "PermissionType",
    "Risk",
    "Source",
    "StandardObject",
    "StandardProfile",
    "UserPermission",
    "close_object_rights",
    "field_security_exemption",
    "format_object_permission",
    "implied_object_rights",
    "load_catalog",
    "needed_rights",
    "parse_object_permission",
]

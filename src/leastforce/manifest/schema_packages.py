"""The YAML shape of ``packages:``: the managed packages an integration needs installed, and what each
provides (objects and fields, permission sets, permission set licenses, Apex, custom permissions, its app).

``min_version`` is text ``major.minor[.patch]`` (quote it: YAML reads ``5.0`` as a number); the loader
reports anything else at its file:line:col.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from leastforce.manifest.schema_atoms import API_NAME, Names, Strict, Text
from leastforce.values.packages import VERSION

ApiName = Annotated[str, Field(pattern=API_NAME)]
Namespace = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*$", max_length=15)]
Version = Annotated[
    str, Field(pattern=VERSION.pattern, description="major.minor[.patch], quoted, e.g. '5.0'")
]


class _Doc(Strict):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, use_attribute_docstrings=True)


class PackageObjectDoc(_Doc):
    """An object the package adds, or a standard object it adds fields to, with those fields."""

    name: ApiName
    """The object's API name, e.g. ns__Invoice__c (or Account, for the package's fields on it)."""
    fields: list[ApiName] = []
    """The package's fields on it, without the object, e.g. ns__Amount__c."""


class PackageSetDoc(_Doc):
    """A permission set the package ships (managed: assign it, never edit it)."""

    name: ApiName
    """Its API name without the namespace, e.g. Elements_Admins."""
    label: Text
    """Its label, as ``package_permission_set:`` names it."""


class ProvidesDoc(_Doc):
    """What the package installs."""

    objects: list[PackageObjectDoc] = []
    """Custom objects and fields, each {name, fields}."""
    permission_sets: list[PackageSetDoc] = []
    """Permission sets, each {name, label}."""
    permission_set_licenses: Names = []
    """Permission set licenses the package brings."""
    apex_classes: list[ApiName] = []
    """Apex classes, as ns__ClassName."""
    apex_pages: list[ApiName] = []
    """Visualforce pages, as ns__PageName."""
    custom_permissions: list[ApiName] = []
    """Custom permissions, as ns__PermissionName."""
    connected_app: Text | None = None
    """The connected app the package installs, by name."""
    external_client_app: Text | None = None
    """The External Client App the package installs, by name."""


class PackageDoc(_Doc):
    """A managed package the integration needs installed before anything else."""

    name: Text
    """The package's name, as Setup > Installed Packages shows it."""
    namespace: Namespace
    """Its namespace prefix, e.g. elements (names like elements__Item__c belong to it)."""
    min_version: Version
    """The lowest version that works, major.minor[.patch] (quoted: '5.0')."""
    install_url: str = ""
    """Where an admin installs it (AppExchange listing or installation URL)."""
    provides: ProvidesDoc = ProvidesDoc()
    """What the package installs."""
    why: str = ""
    """The vendor's reason."""

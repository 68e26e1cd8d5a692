"""The rule that groups an adopted user's requirements into features (docs/adopt.md states it for people).

1. ``system-permissions``: every user permission (System and App permissions), one feature.
2. ``setup-access``: Apex classes, Visualforce pages, custom permissions, connected apps, external client
   apps and external credential principals (setup entity access), one feature.
3. ``package-sets``: the assigned permission sets and groups that come from a managed package (they have
   a namespace), each as ``package_permission_set``.
4. Objects, one feature per object family: an object with its own fields (``account``: Account and
   Account.Industry), a namespaced custom object with the other objects of its namespace
   (``package-acme``: acme__Invoice__c, acme__Line__c). A field goes with its object, so a package's
   field on a standard object (Account.acme__Score__c) stays with Account.

Fixed feature names hold a ``-`` and object families other than a namespace's hold none (object API
names cannot contain one), so a family never takes a fixed feature's name.
"""

from __future__ import annotations

from leastforce.values.packages import namespace_of

PERMISSIONS = "system-permissions"
SETUP_ACCESS = "setup-access"
PACKAGE_SETS = "package-sets"

SUMMARIES = {
    PERMISSIONS: "System and app permissions the user holds today (adopted).",
    SETUP_ACCESS: "Apex classes, pages, custom permissions and apps the user may use today (adopted).",
    PACKAGE_SETS: "Managed package permission sets assigned to the user today (adopted).",
}


def family_of(obj: str) -> str:
    """The feature an object (and its fields) goes to: ``package-<ns>`` for a namespaced custom object,
    else the object's API name in lower case (``Account`` -> ``account``)."""
    namespace = namespace_of(obj)
    if namespace:
        return f"package-{namespace.lower()}"
    return obj.lower()


def family_summary(family: str, objects: list[str]) -> str:
    """One sentence for a family's feature."""
    if family.startswith("package-"):
        return f"Objects of the {family.removeprefix('package-')} namespace: {', '.join(objects)} (adopted)."
    return f"Access to {objects[0]} and its fields (adopted)."


def feature_order(name: str) -> tuple[int, str]:
    """System permissions first, then setup access, package sets, then object families by name."""
    fixed = (PERMISSIONS, SETUP_ACCESS, PACKAGE_SETS)
    return (fixed.index(name), "") if name in fixed else (len(fixed), name)

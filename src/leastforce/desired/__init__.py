"""The desired setup: what the integration user (or a role) must have, computed from a manifest (pure).

``desired_setup(manifest, catalog)`` turns the manifest's feature requirements into the permission sets
leastforce manages (dependencies closed), the profile to clone, the user's license / profile / PSLs and the
package permission sets to assign. Every row carries a :class:`Need` saying which feature needs it and why,
so build, guide, plan and verify can explain themselves; each ``any:`` is resolved to its least risky
alternative and recorded as a :class:`Choice`.

Roles are other people: ``desired_setup(role=...)`` computes one role's needs, with a permission set
``<Integration>_<Role>`` when the role needs user, object, field or setup-entity access (build writes it).
"""

from leastforce.desired.setup import desired_setup, role_permission_set_spec
from leastforce.desired.types import (
    DESCRIPTION_LIMIT,
    MANAGED_MARKER,
    Choice,
    DesiredProfile,
    DesiredSetup,
    DesiredUser,
    Need,
    NeedKind,
    api_name,
    managed_description,
)

__all__ = [
    "DESCRIPTION_LIMIT",
    "MANAGED_MARKER",
    "Choice",
    "DesiredProfile",
    "DesiredSetup",
    "DesiredUser",
    "Need",
    "NeedKind",
    "api_name",
    "desired_setup",
    "managed_description",
    "role_permission_set_spec",
]

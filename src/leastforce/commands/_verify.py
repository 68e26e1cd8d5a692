"""What verify reads of an org for a manifest; shared by `verify` and `apply` (which verifies after applying)."""

from __future__ import annotations

from leastforce.manifest import Manifest
from leastforce.org.read.one_user import ReadScope
from leastforce.values.requirements import FieldReq, ObjectReq, SetupEntityReq, walk


def read_scope(manifest: Manifest) -> ReadScope:
    """Just the objects (and setup entities) the manifest asks about: verify reads nothing else."""
    atoms = [a for f in manifest.features for a in walk(f.requires)]
    atoms += [a for r in manifest.roles for a in walk(r.requires)]
    return ReadScope(
        frozenset(a.object for a in atoms if isinstance(a, ObjectReq | FieldReq)),
        entity_names=any(isinstance(a, SetupEntityReq) for a in atoms),
    )

"""What verify reads of an org for a manifest: just the objects and setup entities it asks about."""

from __future__ import annotations

from leastforce.catalog.catalog import Catalog
from leastforce.kinds import kind_of
from leastforce.manifest import Manifest
from leastforce.org.read.one_user import ReadScope
from leastforce.values.requirements import walk


def read_scope(manifest: Manifest, catalog: Catalog) -> ReadScope:
    """Just the objects (and setup entities) the manifest asks about: verify reads nothing else."""
    atoms = [a for f in manifest.features for a in walk(f.requires)]
    atoms += [a for r in manifest.roles for a in walk(r.requires)]
    granted = [kind_of(a).contribute(a, catalog) for a in atoms]
    # What a ``not:`` refuses is read too: without its rows, "not held" would pass unseen.
    refused = [n for g in granted for n in walk(g.negated)]
    granted += [kind_of(a).contribute(a, catalog) for a in refused]
    objects = {o for g in granted for o, _ in g.objects} | {f.split(".")[0] for g in granted for f, _ in g.fields}
    return ReadScope(frozenset(objects), entity_names=any(g.entities for g in granted))

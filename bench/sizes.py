"""Benchmark org sizes and the generator version that keys the on-disk cache (bench/orgs/)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources

# Bump when generate.py changes what it writes: cached orgs of older versions are ignored.
GENERATOR_VERSION = 2


@dataclass(frozen=True)
class Size:
    """One synthetic org: counts as the issue gives them (field_rows: FieldPermissions rows, about)."""

    name: str
    users: int
    permission_sets: int
    objects: int
    field_rows: int
    groups: int
    profiles: int  # custom profiles besides the seeded standard ones

    @property
    def key(self) -> str:
        """Cache key: size, generator version, and a fingerprint of the emulator's and the catalog's data
        (the seed and the schema shape the org, and other work changes them)."""
        return f"{self.name}-v{GENERATOR_VERSION}-{data_fingerprint()}"


@cache
def data_fingerprint() -> str:
    """8 hex digits of a hash over leastforce's bundled emulator and catalog data files."""
    digest = hashlib.sha256()
    for package in ("leastforce.emulator.store", "leastforce.catalog"):
        root = resources.files(package).joinpath("data")
        for item in sorted(root.iterdir(), key=lambda t: t.name):
            if item.is_file():
                digest.update(item.name.encode() + b"\0" + item.read_bytes())
    return digest.hexdigest()[:8]


SIZES: dict[str, Size] = {
    "XS": Size("XS", users=30, permission_sets=8, objects=5, field_rows=3_000, groups=2, profiles=2),
    "S": Size("S", users=200, permission_sets=50, objects=20, field_rows=20_000, groups=5, profiles=3),
    "M": Size("M", users=5_000, permission_sets=600, objects=150, field_rows=300_000, groups=40, profiles=6),
    "L": Size(
        "L", users=20_000, permission_sets=2_000, objects=400, field_rows=1_500_000, groups=100, profiles=10
    ),
}

"""The manifest: what an integration needs, feature by feature, and why (format 1).

``load_manifest(path)`` reads and checks a YAML manifest (raising ManifestError with every problem,
each at file:line:col); ``validate_manifest(manifest, catalog)`` checks it against Salesforce facts;
``check_manifest(path)`` does both and raises on any error.
"""

from leastforce.manifest.loader import check_manifest, load_manifest
from leastforce.manifest.model import (
    Credential,
    Feature,
    LoadResult,
    Manifest,
    PermissionSetSpec,
    ProfileSpec,
    Role,
    Troubleshooting,
    UserSpec,
)
from leastforce.manifest.validate import validate_manifest

__all__ = [
    "Credential",
    "Feature",
    "LoadResult",
    "Manifest",
    "PermissionSetSpec",
    "ProfileSpec",
    "Role",
    "Troubleshooting",
    "UserSpec",
    "check_manifest",
    "load_manifest",
    "validate_manifest",
]

"""leastforce: least-privilege Salesforce integration users from a manifest.

The public Python API (docs/api.md), imported on first use so that ``import leastforce`` stays cheap::

    from leastforce import connect, load_manifest, verify
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_API = (
    "Audit",
    "Explanation",
    "Plan",
    "Verification",
    "audit",
    "connect",
    "explain",
    "load_manifest",
    "open_org",
    "open_snapshot",
    "plan",
    "validation_warnings",
    "verify",
)
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    """``leastforce.verify`` ... come from ``leastforce.api``, loaded when first asked for."""
    if name in _API:
        return getattr(importlib.import_module("leastforce.api"), name)
    raise AttributeError(f"module 'leastforce' has no attribute {name!r}")

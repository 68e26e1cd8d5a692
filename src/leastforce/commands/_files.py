"""Writing reports that list who holds what in the org: owner only, secrets redacted."""

from __future__ import annotations

import os
from pathlib import Path

from leastforce.values import secrets


def write_private(path: Path, text: str) -> None:
    """Write ``text`` readable by the owner only (0600, an existing file too): the report lists who holds
    which access in the org, as the snapshot file does."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(secrets.redact(text))

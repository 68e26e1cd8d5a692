"""What an interrupted or failed apply may have left in an org, saved where the next `plan` finds it:
``.leastforce/apply-journal-<host>.json`` in the working directory (0600: it names records, not secrets).

Written when apply cannot say the org is as before or fully applied (undo incomplete, an outcome unknown,
a second Ctrl-C during undo); removed by the next apply that completes on that org.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

FOLDER = Path(".leastforce")


@dataclass(frozen=True)
class Pending:
    """The saved report: when, what failed, the changes that may remain, and whether it was re-read."""

    instance: str
    when: str
    failed_at: str
    remaining: tuple[str, ...]
    read_back: bool  # False: from apply's journal only (interrupted before the org could be re-read)


def path_for(instance_url: str, folder: Path = FOLDER) -> Path:
    host = urlsplit(instance_url).netloc or instance_url
    return folder / f"apply-journal-{re.sub(r'[^A-Za-z0-9.-]', '_', host)}.json"


def save(
    instance_url: str, failed_at: str, remaining: Sequence[str], *, read_back: bool, folder: Path = FOLDER
) -> Path:
    """Write the report atomically (a Ctrl-C mid-write leaves the old file or the new one)."""
    path = path_for(instance_url, folder)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    body = {
        "instance": instance_url,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "failedAt": failed_at,
        "remaining": list(remaining),
        "readBack": read_back,
    }
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(body, out, indent=1)
    os.replace(temporary, path)
    return path


def load(instance_url: str, folder: Path = FOLDER) -> Pending | None:
    """The saved report for this org, if any (an unreadable file is ignored: it is advice, not state)."""
    path = path_for(instance_url, folder)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Pending(
            instance=str(data["instance"]),
            when=str(data["when"]),
            failed_at=str(data["failedAt"]),
            remaining=tuple(str(r) for r in data["remaining"]),
            read_back=bool(data["readBack"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def clear(instance_url: str, folder: Path = FOLDER) -> None:
    path_for(instance_url, folder).unlink(missing_ok=True)

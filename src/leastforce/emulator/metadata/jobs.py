"""Asynchronous Metadata API requests: deploy() and retrieve() answer an AsyncResult with an id; the
result is read with checkDeployStatus / checkRetrieveStatus. The local org does the work at once, so the
first check finds it done. Kept in memory (a restarted org forgets them, as Salesforce forgets old ones).

Id prefixes: 0Af for deploys (the DeployRequest key prefix seen in `sf project deploy report` ids) and
09S for retrieves (UNVERIFIED, commonly seen).
"""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime
from typing import Any

from leastforce.emulator.store.ids import make_id

DEPLOY_PREFIX = "0Af"
RETRIEVE_PREFIX = "09S"


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Jobs:
    """The org's deploy and retrieve results by id (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._results: dict[str, dict[str, Any]] = {}
        self._numbers = itertools.count(1)

    def new_id(self, prefix: str) -> str:
        with self._lock:
            return make_id(prefix, next(self._numbers))

    def put(self, job_id: str, result: dict[str, Any]) -> None:
        with self._lock:
            self._results[job_id] = result

    def get(self, job_id: str, prefix: str) -> dict[str, Any] | None:
        with self._lock:
            result = self._results.get(job_id)
            return result if result is not None and job_id.startswith(prefix) else None

"""A snapshot file (``--org snapshot:FILE``) as an OrgSource: every answer comes from the file, 0 calls."""

from __future__ import annotations

import functools
from pathlib import Path

from leastforce.checks.doctor.model import LoginState
from leastforce.errors import InputError
from leastforce.manifest.model import Prerequisite
from leastforce.org.client import OrgClient
from leastforce.org.read.one_user import ReadScope
from leastforce.org.read.whole_org import FieldScope, Progress
from leastforce.org.snapshot_file import load_snapshot
from leastforce.values.model import OrgSnapshot, User
from leastforce.values.org_facts import OrgFacts

LIVE_ORG_NEEDED = "plan and apply need a live org, not a snapshot"


class SnapshotFile:
    """A file written by ``leastforce snapshot``, read once on first use."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @functools.cached_property
    def snapshot(self) -> OrgSnapshot:
        return load_snapshot(self.path)

    def client(self) -> OrgClient:
        raise InputError(LIVE_ORG_NEEDED)

    def require_live(self, refusal: str) -> None:
        raise InputError(refusal)

    def user_snapshot(self, username: str, scope: ReadScope = ReadScope()) -> tuple[OrgSnapshot, int]:
        """The whole file: it holds every user, and access resolution picks out the one asked for."""
        return self.snapshot, 0

    def org_snapshot(
        self, progress: Progress | None = None, fields_of: FieldScope | None = None
    ) -> tuple[OrgSnapshot, int]:
        """The whole file (every field row is already at hand)."""
        return self.snapshot, 0

    def prerequisite_facts(self, prerequisites: tuple[Prerequisite, ...]) -> tuple[OrgFacts | None, int]:
        """A snapshot keeps no org-level facts: every prerequisite is reported as not checked."""
        return None, 0

    def login_state(self, user: User) -> LoginState:
        """Frozen and tokens as saved; the file keeps neither connected apps nor API usage (None)."""
        held = tuple(t for t in self.snapshot.oauth_tokens if t.user_id == user.id)
        return LoginState(frozen=user.is_frozen, tokens=held)

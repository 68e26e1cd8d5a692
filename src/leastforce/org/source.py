"""One protocol for where org data comes from: a live org or a snapshot file.

Commands call ``open_org`` and use what it returns; they never ask which kind they have. Each kind lives
in its own file: ``live.py`` (LiveOrg: the REST API) and ``snapshot_source.py`` (SnapshotFile: a file
written by ``leastforce snapshot``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, assert_never

from leastforce.checks.doctor.model import LoginState
from leastforce.manifest.model import Prerequisite
from leastforce.org.client import OrgClient
from leastforce.org.connect import OrgKind, parse_org_spec
from leastforce.org.live import LiveOrg
from leastforce.org.read.bulk import ReadApi
from leastforce.org.read.one_user import ReadScope
from leastforce.org.read.whole_org import FieldScope, Progress
from leastforce.org.snapshot_source import SnapshotFile
from leastforce.values.model import OrgSnapshot, User
from leastforce.values.org_facts import OrgFacts


class OrgSource(Protocol):
    """The reads commands need from an org. Every read returns its value and the API calls it took
    (0 for a file)."""

    def user_snapshot(self, username: str, scope: ReadScope = ...) -> tuple[OrgSnapshot, int]:
        """The rows one user's access depends on (verify, explain, doctor)."""
        ...

    def org_snapshot(
        self, progress: Progress | None = None, fields_of: FieldScope | None = None
    ) -> tuple[OrgSnapshot, int]:
        """The whole org's permission state (audit, snapshot); ``progress`` is fed (table, rows so far).
        ``fields_of``: read field rows only for the sets it picks from the rest (``field_rows_of`` says
        which); a source holding every row already may return them all."""
        ...

    def login_state(self, user: User) -> LoginState:
        """What doctor needs about ``user`` beyond their access: frozen, tokens, connected apps, API usage."""
        ...

    def prerequisite_facts(self, prerequisites: tuple[Prerequisite, ...]) -> tuple[OrgFacts | None, int]:
        """What the org says about the manifest's prerequisites (edition, limits, field history ...);
        None where the source keeps no org-level facts (a snapshot file): each is then not checked."""
        ...

    def client(self) -> OrgClient:
        """A connected client for plan and apply; a snapshot file refuses (InputError)."""
        ...

    def require_live(self, refusal: str) -> None:
        """Raise InputError(refusal) unless this source is a live org (``snapshot`` saves only live orgs)."""
        ...


def open_org(org: str | None, env: Mapping[str, str], api: ReadApi = ReadApi.AUTO) -> OrgSource:
    """The source an ``--org`` value names (falling back to LEASTFORCE_ORG in ``env``); ``api`` is how a
    live org's whole tables are read (a snapshot file ignores it)."""
    spec = parse_org_spec(org, env)
    match spec.kind:
        case OrgKind.SNAPSHOT:
            return SnapshotFile(spec.value)
        case OrgKind.URL | OrgKind.SF_CLI:
            return LiveOrg(spec, env, api)
        case _:
            assert_never(spec.kind)

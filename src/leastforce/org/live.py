"""A live org as an OrgSource: each read connects (credentials from the environment) and counts its calls."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from leastforce.checks.doctor.model import LoginState
from leastforce.manifest.model import Prerequisite
from leastforce.org.client import OrgClient
from leastforce.org.connect import OrgSpec, client_factory, connect
from leastforce.org.read.bulk import ReadApi
from leastforce.org.read.doctor import read_login_state
from leastforce.org.read.logins import read_logins
from leastforce.org.read.one_user import ReadScope, read_user
from leastforce.org.read.prerequisites import read_prerequisite_facts
from leastforce.org.read.setup_access import refusals_named, require_view_setup
from leastforce.org.read.whole_org import (
    FIELD_TABLE,
    TABLES,
    FieldScope,
    Progress,
    read_field_rows,
    read_tables,
    snapshot_from_tables,
    with_field_rows,
    without_fields,
)
from leastforce.values.model import OrgSnapshot, User
from leastforce.values.org_facts import OrgFacts


@dataclass(frozen=True)
class LiveOrg:
    """An instance URL or sf CLI org, read through the REST API (whole big tables through Bulk API 2.0,
    as ``api`` says)."""

    spec: OrgSpec
    env: Mapping[str, str]
    api: ReadApi = ReadApi.AUTO

    def client(self) -> OrgClient:
        return connect(self.spec, self.env)

    def require_live(self, refusal: str) -> None:
        return None

    def user_snapshot(self, username: str, scope: ReadScope = ReadScope()) -> tuple[OrgSnapshot, int]:
        client = self.client()
        with refusals_named():
            return read_user(client, username, scope), client.calls

    def org_snapshot(
        self, progress: Progress | None = None, fields_of: FieldScope | None = None
    ) -> tuple[OrgSnapshot, int]:
        make_client = client_factory(self.spec, self.env)
        checker = make_client()
        require_view_setup(checker)  # one query: a clear refusal before reading every table
        wanted = TABLES if fields_of is None else without_fields()
        with refusals_named():
            tables, stats = read_tables(make_client, progress=progress, api=self.api, tables=wanted)
        logins = read_logins(checker, (str(r["Id"]) for r in tables.get("User", [])))
        if progress:
            progress("LoginHistory", len(logins.summaries))
        snapshot = snapshot_from_tables(tables, instance_url=checker.instance_url, logins=logins)
        calls = stats.calls + checker.calls
        if fields_of is None:
            return snapshot, calls
        sets = frozenset(fields_of(snapshot))
        with refusals_named():
            every = len(snapshot.permission_sets) + len(_muting_sets(snapshot))
            rows, field_calls = read_field_rows(make_client, sets, api=self.api, all_sets=every)
        if progress:
            progress(FIELD_TABLE, len(rows))
        return with_field_rows(snapshot, rows, sets), calls + field_calls

    def prerequisite_facts(self, prerequisites: tuple[Prerequisite, ...]) -> tuple[OrgFacts | None, int]:
        if not prerequisites:
            return None, 0
        client = self.client()
        return read_prerequisite_facts(client, prerequisites), client.calls

    def login_state(self, user: User) -> LoginState:
        return read_login_state(self.client(), user.id)


def _muting_sets(snapshot: OrgSnapshot) -> set[str]:
    return {g.muting.id for g in snapshot.groups.values() if g.muting is not None}

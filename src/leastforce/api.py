"""The public Python API, for vendors' backends and admins' scripts; the CLI is built on it.

    from leastforce import connect, load_manifest, verify

    manifest = load_manifest("upflow.yaml")
    org = connect("https://acme.my.salesforce.com", access_token=token)   # the customer's OAuth token
    result = verify(manifest, org, user="upflow@acme.example")
    if not result.passed:
        show(result.missing)            # ["export: missing Edit on Account: In Setup > ..."]
    result.to_json()                    # the same JSON as `leastforce verify --json`'s "result"

Every function takes values and returns a frozen result with ``to_json()``; errors are leastforce's own
(``ManifestError`` / ``InputError``: bad input; ``OrgError``: the org or the connection). Nothing is
printed and nothing is read from the environment except by ``open_org`` (the CLI's ``--org`` rules).
docs/api.md shows each function.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from leastforce.access.index import AccessIndex
from leastforce.access.resolve import effective_access
from leastforce.adopt.compute import adopt as adopt_access
from leastforce.adopt.model import Adoption
from leastforce.adopt.packages import adopted_packages
from leastforce.catalog import Catalog, load_catalog
from leastforce.checks.audit.escalation import EscalationGraph, EscalationReport, escalation_report
from leastforce.checks.audit.find import integration_sets
from leastforce.checks.audit.model import AuditResult, Finding
from leastforce.checks.audit.run import AuditOptions
from leastforce.checks.audit.run import audit as audit_snapshot
from leastforce.checks.explain.paths import ExplainResult, TargetKind, parse_target
from leastforce.checks.explain.paths import explain as explain_access
from leastforce.checks.verify.app import app_prerequisites
from leastforce.checks.verify.check import verify as verify_access
from leastforce.checks.verify.prerequisites import package_prerequisites
from leastforce.checks.verify.result import FeatureResult, VerifyResult
from leastforce.desired import DesiredSetup, desired_setup
from leastforce.errors import InputError, ManifestError, Problem
from leastforce.manifest import Manifest, validate_manifest
from leastforce.manifest import load_manifest as load_manifest_file
from leastforce.manifest.model import Prerequisite
from leastforce.org.connect import OrgKind, OrgSpec
from leastforce.org.live import LiveOrg
from leastforce.org.read.bulk import ReadApi
from leastforce.org.read.for_plan import read_for_plan
from leastforce.org.read.one_user import ReadScope
from leastforce.org.read.scope import read_scope
from leastforce.org.read.whole_org import Progress
from leastforce.org.snapshot_source import SnapshotFile
from leastforce.org.source import OrgSource
from leastforce.org.source import open_org as open_org_spec
from leastforce.planning.changes import ChangeSet
from leastforce.planning.diff import plan as plan_changes
from leastforce.render.json.adopt import adopt_output
from leastforce.render.json.audit import audit_output
from leastforce.render.json.explain import explain_output
from leastforce.render.json.plan import plan_output
from leastforce.render.json.verify import verify_output
from leastforce.render.yaml.adopted import render as render_adopted
from leastforce.values.model import OrgSnapshot

__all__ = [
    "Adopted",
    "Audit",
    "Explanation",
    "OrgSource",
    "Plan",
    "Verification",
    "adopt",
    "audit",
    "connect",
    "explain",
    "load_manifest",
    "open_org",
    "open_snapshot",
    "plan",
    "verify",
]


def load_manifest(path: str | Path, *, catalog: Catalog | None = None) -> Manifest:
    """Load and validate a manifest; ``ManifestError`` (each problem with file:line:col) when it has errors.

    Warnings do not stop it: ``validation_warnings(manifest)`` lists them.
    """
    catalog = catalog or load_catalog()
    loaded = load_manifest_file(path, catalog)
    problems = (*loaded.warnings, *validate_manifest(loaded.manifest, catalog))
    errors = tuple(p for p in problems if p.severity == "error")
    if errors:
        raise ManifestError(errors)
    return loaded.manifest


def validation_warnings(manifest: Manifest, *, catalog: Catalog | None = None) -> tuple[Problem, ...]:
    """The warnings validate reports for a loaded manifest (implied access, labels used as names ...)."""
    problems = validate_manifest(manifest, catalog or load_catalog())
    return tuple(p for p in problems if p.severity == "warning")


def connect(instance_url: str, *, access_token: str, ca_bundle: str | None = None) -> OrgSource:
    """An org reached with an access token (the customer's OAuth token, a session id). ``ca_bundle``: a
    CA file for orgs behind their own CA (the built-in local org). Only https URLs are accepted."""
    if not instance_url.startswith("https://"):
        raise InputError(f"{instance_url!r}: an org URL must start with https://")
    env = {"SF_ACCESS_TOKEN": access_token, **({"SF_CA_BUNDLE": ca_bundle} if ca_bundle else {})}
    return LiveOrg(OrgSpec(OrgKind.URL, instance_url.rstrip("/")), env)


def open_snapshot(path: str | Path) -> OrgSource:
    """A snapshot file written by ``leastforce snapshot`` (offline: verify, explain and audit work)."""
    return SnapshotFile(path)


def open_org(
    org: str | None = None, env: Mapping[str, str] | None = None, *, api: ReadApi = ReadApi.AUTO
) -> OrgSource:
    """What the CLI's ``--org`` accepts: an instance URL, an sf CLI alias or username, ``snapshot:FILE``;
    credentials and defaults from ``env`` (default: the process environment). ``api``: how whole tables
    are read (audit, snapshot): ``auto`` (Bulk API 2.0 for big tables), ``rest`` or ``bulk``."""
    return open_org_spec(org, os.environ if env is None else env, api)


@dataclass(frozen=True)
class Verification:
    """The verification of one user: ``passed``, ``features`` (each with its requirements checked),
    ``missing`` (one line per missing requirement, with its fix) and ``to_json()``."""

    result: VerifyResult
    api_calls: int
    catalog: Catalog = field(repr=False, compare=False)

    @property
    def passed(self) -> bool:
        return self.result.passed

    @property
    def features(self) -> tuple[FeatureResult, ...]:
        return self.result.features

    @property
    def missing(self) -> tuple[str, ...]:
        """ "feature: what is missing: the fix", for every missing requirement, user checks first."""
        groups = [("user", self.result.user_checks), *((f.name, f.requirements) for f in self.features)]
        if self.result.role is not None:
            groups.append((self.result.role.name, self.result.role.requirements))
        return tuple(
            f"{name}: missing {', '.join(r.missing)}: {r.fix}"
            for name, results in groups
            for r in results
            if not r.passed
        )

    def to_json(self) -> dict[str, Any]:
        """The same JSON as ``leastforce verify --json``'s ``result``."""
        return verify_output(self.result, self.catalog, self.api_calls).dump()


def verify(
    manifest: Manifest,
    org: OrgSource,
    *,
    user: str | None = None,
    features: Iterable[str] = (),
    with_optional: bool = False,
    role: str | None = None,
    catalog: Catalog | None = None,
    now: datetime | None = None,
) -> Verification:
    """Check ``user``'s effective access in ``org`` against the manifest, feature by feature (the
    manifest's ``user.username`` when ``user`` is None). Reads only what the manifest asks about."""
    catalog = catalog or load_catalog()
    username = _username(manifest, user)
    features = tuple(features)
    desired = _desired(manifest, catalog, features, with_optional, role)
    snapshot, calls = org.user_snapshot(username, read_scope(manifest, catalog))
    # declared packages are checked as prerequisites (installed, at their minimum version), and so are
    # the app's policies (checked where ConnectedApplication shows them)
    more_items = package_prerequisites(manifest.packages) + app_prerequisites(manifest.app)
    manifest = replace(manifest, prerequisites=manifest.prerequisites + more_items)
    facts, more = org.prerequisite_facts(manifest.prerequisites)
    access = effective_access(snapshot, username, catalog=catalog, now=now or datetime.now(UTC))
    result = verify_access(
        manifest,
        access,
        catalog,
        features=features,
        with_optional=with_optional,
        role=role,
        desired=desired,
        facts=facts,
    )
    return Verification(result, calls + more, catalog)


@dataclass(frozen=True)
class Adopted:
    """A user's effective access as a manifest: ``adoption`` (features, risky grants, what was left out),
    ``manifest_text`` (the YAML, comments included) and ``to_json(file)``."""

    adoption: Adoption
    api_calls: int

    @property
    def manifest_text(self) -> str:
        return render_adopted(self.adoption)

    def to_json(self, file: str = "") -> dict[str, Any]:
        """The same JSON as ``leastforce adopt --json``'s ``result``."""
        return adopt_output(self.adoption, file, self.api_calls).dump()


def adopt(
    org: OrgSource, *, user: str, catalog: Catalog | None = None, now: datetime | None = None
) -> Adopted:
    """``user``'s effective access today, exactly, as a manifest grouped into features (docs/adopt.md),
    every requirement with ``why: TODO (granted by ...)``. Reads every object's rows and the names of the
    setup entities the user holds; InputError for an unknown user."""
    catalog = catalog or load_catalog()
    snapshot, calls = org.user_snapshot(user, ReadScope(entity_names=True))
    access = effective_access(snapshot, user, catalog=catalog, now=now or datetime.now(UTC))
    adoption = adopt_access(access, catalog)
    if not adoption.packages:
        return Adopted(adoption, calls)
    # namespaces used: their installed versions for packages: (a snapshot file has none: facts None)
    facts, more = org.prerequisite_facts((Prerequisite("package"),))
    installed = facts.packages if facts else None
    packages = adopted_packages(adoption.features, adoption.assigned, installed)
    return Adopted(replace(adoption, packages=packages), calls + more)


@dataclass(frozen=True)
class Plan:
    """What applying the manifest would change in the org: ``changes`` (a ChangeSet), ``in_sync``."""

    changes: ChangeSet
    desired: DesiredSetup
    api_calls: int = 0

    @property
    def in_sync(self) -> bool:
        return self.changes.in_sync

    def to_json(self) -> dict[str, Any]:
        """The same JSON as ``leastforce plan --json``'s ``result``."""
        return plan_output(self.changes, self.api_calls).dump()


def plan(
    manifest: Manifest,
    org: OrgSource,
    *,
    user: str | None = None,
    features: Iterable[str] = (),
    with_optional: bool = False,
    catalog: Catalog | None = None,
) -> Plan:
    """Compare the manifest with a live org (a snapshot file refuses: InputError); nothing is written."""
    catalog = catalog or load_catalog()
    desired = _desired(manifest, catalog, tuple(features), with_optional, None)
    username = "" if user is None and "{" in manifest.user.username else (user or manifest.user.username)
    client = org.client()
    current = read_for_plan(client, desired, catalog, username)
    return Plan(plan_changes(desired, current, catalog, username=username), desired, client.calls)


@dataclass(frozen=True)
class Explanation:
    """Every path that grants a target to a user: ``granted``, ``result.paths``, and ``to_json()``."""

    result: ExplainResult

    @property
    def granted(self) -> bool:
        return self.result.granted

    def to_json(self) -> dict[str, Any]:
        """The same JSON as ``leastforce explain --json``'s ``result``."""
        return explain_output(self.result).dump()


def explain(
    org: OrgSource, target: str, *, user: str, catalog: Catalog | None = None, now: datetime | None = None
) -> Explanation:
    """Why ``user`` holds (or lacks) ``target``: a permission (API name or label), ``Account``,
    ``Account:edit`` or ``Contact.Email``. InputError for an unknown target."""
    catalog = catalog or load_catalog()
    parsed = parse_target(target, catalog)
    objects = frozenset() if parsed.kind is TargetKind.PERMISSION else frozenset({parsed.name.split(".")[0]})
    scope = ReadScope() if not objects else ReadScope(objects)
    snapshot, _ = org.user_snapshot(user, scope)
    access = effective_access(snapshot, user, catalog=catalog, now=now or datetime.now(UTC))
    return Explanation(explain_access(access, parsed, catalog))


@dataclass(frozen=True)
class Audit:
    """Every integration user of the org and what each holds beyond its declaration: ``findings``."""

    result: AuditResult
    api_calls: int
    snapshot: OrgSnapshot = field(repr=False, compare=False)  # what was read (for drift against a later one)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(self.result.findings())

    def to_json(self) -> dict[str, Any]:
        """The same JSON as ``leastforce audit --json``'s ``result``."""
        return audit_output(self.result, api_calls=self.api_calls, html=None).dump()


def audit(
    org: OrgSource,
    *,
    manifests: Iterable[tuple[Manifest, str]] = (),
    catalog: Catalog | None = None,
    progress: Progress | None = None,
) -> Audit:
    """Audit the whole org; ``manifests``: (manifest, its integration user's username) pairs, so that
    what each declares is not reported as excess; ``progress`` is fed (table, rows read so far).
    InputError for a username the org lacks."""
    catalog = catalog or load_catalog()
    named = tuple(manifests)
    users = [username for _, username in named]
    # Field-level security is audited for integration users only: read just their sets' field rows.
    snapshot, calls = org.org_snapshot(progress, fields_of=lambda s: integration_sets(s, users))
    for _, username in named:
        if snapshot.user_by_username(username) is None:
            raise InputError(f"no user {username!r} in the org")
    return Audit(audit_snapshot(snapshot, catalog, AuditOptions(named=named)), calls, snapshot)


def escalation(
    org: OrgSource, *, user: str, catalog: Catalog | None = None, now: datetime | None = None
) -> EscalationReport:
    """Every path by which ``user`` can give itself System Administrator-equivalent access (reads the
    whole org: a path may go through any set, profile or user). InputError for an unknown user."""
    catalog = catalog or load_catalog()
    snapshot, _ = org.org_snapshot(None, fields_of=lambda _: ())  # no edge needs field rows
    found = snapshot.user_by_username(user)
    if found is None:
        raise InputError(f"--escalation: no user {user!r} in the org")
    graph = EscalationGraph(AccessIndex.build(snapshot, catalog), now or snapshot.taken_at)
    return escalation_report(graph, found)


def _username(manifest: Manifest, user: str | None) -> str:
    username = user or manifest.user.username
    if not username or "{" in username:
        raise InputError("which user? pass user=USERNAME (the manifest names none)")
    return username


def _desired(
    manifest: Manifest, catalog: Catalog, features: tuple[str, ...], with_optional: bool, role: str | None
) -> DesiredSetup:
    try:
        return desired_setup(manifest, catalog, features=features, with_optional=with_optional, role=role)
    except KeyError as exc:
        raise InputError(str(exc.args[0]) if exc.args else "unknown feature or role") from None

"""doctor's values: the diagnoses data file, what the org told us (LoginState, OrgFacts), and the result."""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from leastforce.access.grants import EffectiveAccess
from leastforce.values.model import OAuthToken


class Verdict(enum.Enum):
    """How sure a diagnosis is."""

    CONFIRMED = "confirmed"  # every org check says the cause is present
    LIKELY = "likely"  # the error text matches; the org could not be checked
    RULED_OUT = "ruled_out"  # an org check says this is not the cause


@dataclass(frozen=True)
class Check:
    """One org check: ``holds`` True = the cause is present, False = it is not, None = not checked."""

    name: str
    holds: bool | None
    detail: str


@dataclass(frozen=True)
class DiagnosisSpec:
    """One entry of data/diagnoses.yaml."""

    id: str
    title: str
    cause: str
    fix: str
    source: str
    patterns: tuple[re.Pattern[str], ...] = ()
    checks: tuple[str, ...] = ()

    def matches(self, text: str) -> str:
        """The part of ``text`` a pattern matched ("" when none)."""
        for pattern in self.patterns:
            found = pattern.search(text)
            if found:
                return found.group(0)
        return ""


@dataclass(frozen=True)
class Diagnosis:
    """A cause named for an error (or for the user's state), with its fix, source and the org's word."""

    id: str
    title: str
    cause: str
    fix: str
    source: str
    verdict: Verdict
    checks: tuple[Check, ...] = ()
    matched: str = ""


@dataclass(frozen=True)
class LoginState:
    """What an org source says about a user's ability to log in, beyond their access.

    ``connected_apps``: (Name, Id) of the org's ConnectedApplication rows, None when the source cannot tell
    (a snapshot file holds none); ``api_usage``: (used, max) daily API requests, None when unknown.
    """

    frozen: bool
    tokens: tuple[OAuthToken, ...] = ()
    connected_apps: tuple[tuple[str, str], ...] | None = None
    api_usage: tuple[int, int] | None = None


@dataclass(frozen=True)
class OrgFacts:
    """What the org says about the user, gathered by the command (None = could not be read).

    ``installed_apps``: ConnectedApplication names; ``app_ids``: name -> Id (SetupEntityAccess names apps
    by Id); ``api_usage``: (used, max) daily API requests; ``apps``: the connected apps in question (from
    --app, the manifest's connected_app requirements, or the user's tokens).
    """

    now: datetime
    username: str = ""
    user_found: bool = True
    access: EffectiveAccess | None = None
    tokens: tuple[OAuthToken, ...] = ()
    installed_apps: frozenset[str] | None = None
    app_ids: tuple[tuple[str, str], ...] = ()
    api_usage: tuple[int, int] | None = None
    apps: tuple[str, ...] = ()
    token_lifetime_days: int | None = None
    renew: str = ""
    flow: str = ""  # the OAuth flow the integration uses (--flow or the manifest's app), "" unknown
    org_error: str = ""  # the error code the org answered while doctor read it (e.g. REQUEST_LIMIT_EXCEEDED)


@dataclass(frozen=True)
class DoctorResult:
    """Diagnoses for an error text (best first) and the user's hygiene problems."""

    error: str
    username: str
    diagnoses: tuple[Diagnosis, ...]
    hygiene: tuple[Diagnosis, ...]
    org_checked: bool

    @property
    def problems(self) -> tuple[Diagnosis, ...]:
        """Diagnoses not ruled out, and hygiene problems."""
        return tuple(d for d in self.diagnoses if d.verdict is not Verdict.RULED_OUT) + self.hygiene


@functools.cache
def load_diagnoses() -> tuple[tuple[DiagnosisSpec, ...], tuple[DiagnosisSpec, ...]]:
    """(error diagnoses, hygiene checks) from data/diagnoses.yaml, read once on first use."""
    from ruamel.yaml import YAML  # lazily: nothing heavy at import time

    text = resources.files("leastforce.checks.doctor").joinpath("data/diagnoses.yaml").read_text("utf-8")
    raw = YAML(typ="safe").load(text)

    def spec(body: dict[str, object]) -> DiagnosisSpec:
        patterns = body.get("patterns") or []
        checks = body.get("checks") or []
        assert isinstance(patterns, list) and isinstance(checks, list)
        return DiagnosisSpec(
            id=str(body["id"]),
            title=str(body["title"]),
            cause=" ".join(str(body["cause"]).split()),
            fix=" ".join(str(body["fix"]).split()),
            source=str(body["source"]),
            patterns=tuple(re.compile(str(p), re.IGNORECASE) for p in patterns),
            checks=tuple(str(c) for c in checks),
        )

    return tuple(spec(b) for b in raw["diagnoses"]), tuple(spec(b) for b in raw["hygiene"])

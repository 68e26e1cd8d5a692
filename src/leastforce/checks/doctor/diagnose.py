"""Doctor: why does this connection fail, and what will fail next?

``diagnose(error, facts, manifest)`` is pure. From an error text it names every known cause whose
patterns match (data/diagnoses.yaml, plus the manifest's own troubleshooting entries), each with its fix
and source, and confirms or rules it out with the org checks of doctor_checks when ``facts`` come from an
org. With facts about a user it also lists the user's hygiene problems (inactive, frozen, expiring
password, login IP ranges, tokens near the end of the manifest's token lifetime).
"""

from __future__ import annotations

from dataclasses import replace

from leastforce.checks.doctor.model import (
    Check,
    Diagnosis,
    DiagnosisSpec,
    DoctorResult,
    OrgFacts,
    Verdict,
    load_diagnoses,
)
from leastforce.checks.doctor.org_checks import CHECKS
from leastforce.manifest.model import Manifest
from leastforce.values.model import SetupEntityType
from leastforce.values.requirements import SetupEntityReq, walk

__all__ = ["Diagnosis", "DoctorResult", "OrgFacts", "Verdict", "diagnose", "manifest_apps"]

_ORDER = {Verdict.CONFIRMED: 0, Verdict.LIKELY: 1, Verdict.RULED_OUT: 2}


def diagnose(error: str, facts: OrgFacts | None, manifest: Manifest | None = None) -> DoctorResult:
    """Diagnoses for ``error`` (confirmed first, ruled-out last) and hygiene problems of ``facts``' user."""
    specs, hygiene_specs = load_diagnoses()
    found: list[Diagnosis] = []
    if error.strip():
        for spec in specs:
            matched = spec.matches(error)
            if matched:
                found.append(_judge(spec, facts, matched))
        found += _troubleshooting(error, manifest)
    hygiene: list[Diagnosis] = []
    if facts is not None and facts.access is not None:
        for spec in hygiene_specs:
            judged = _judge(spec, facts, "")
            if judged.verdict is Verdict.CONFIRMED:
                hygiene.append(judged)
    found.sort(key=lambda d: _ORDER[d.verdict])
    found, hygiene = _respect_manifest(found, manifest), _respect_manifest(hygiene, manifest)
    return DoctorResult(
        error=error.strip(),
        username=facts.username if facts else "",
        diagnoses=tuple(found),
        hygiene=tuple(hygiene),
        org_checked=facts is not None,
    )


# Fixes that recommend what a manifest with ``user.api_only: false`` forbids, and what to say instead.
_NOT_API_ONLY_FIXES = {
    "password-expires": (
        "Give the user's profile Password Never Expires: the manifest says the user must NOT be API only"
        " (it logs in interactively), so neither the Salesforce Integration license nor API Only User fits."
    ),
}


def _respect_manifest(found: list[Diagnosis], manifest: Manifest | None) -> list[Diagnosis]:
    """Never recommend what the manifest forbids (``api_only: false``; ``password_never_expires: false``)."""
    if manifest is None:
        return found
    user = manifest.user
    out = []
    for item in found:
        if item.id == "password-expires" and user.password_never_expires is False and user.api_only is False:
            continue  # the manifest wants an interactive user whose password expires
        if user.api_only is False and item.id in _NOT_API_ONLY_FIXES:
            item = replace(item, fix=_NOT_API_ONLY_FIXES[item.id])
        out.append(item)
    return out


def _judge(spec: DiagnosisSpec, facts: OrgFacts | None, matched: str) -> Diagnosis:
    """Run the spec's checks: all known ones hold -> confirmed; any fails -> ruled out; none known -> likely."""
    checks: tuple[Check, ...] = tuple(CHECKS[name](facts) for name in spec.checks) if facts else ()
    known = [c for c in checks if c.holds is not None]
    if any(c.holds is False for c in known):
        verdict = Verdict.RULED_OUT
    elif known:
        verdict = Verdict.CONFIRMED
    else:
        verdict = Verdict.LIKELY
    return Diagnosis(spec.id, spec.title, spec.cause, spec.fix, spec.source, verdict, checks, matched)


def _troubleshooting(error: str, manifest: Manifest | None) -> list[Diagnosis]:
    """The vendor's own entries whose ``error`` text appears in the error (case-insensitive)."""
    if manifest is None:
        return []
    text = error.casefold()
    source = manifest.docs or manifest.path
    return [
        Diagnosis(
            id=f"manifest:{entry.error}",
            title=f"{manifest.integration}'s troubleshooting: {entry.error}",
            cause=" ".join(entry.cause.split()),
            fix=" ".join(entry.fix.split()),
            source=f"{source} ({manifest.path}:{entry.position.line})" if entry.position.line else source,
            verdict=Verdict.LIKELY,
            matched=entry.error,
        )
        for entry in manifest.troubleshooting
        if entry.error.strip() and entry.error.casefold() in text
    ]


def manifest_apps(manifest: Manifest | None) -> tuple[str, ...]:
    """The manifest's ``app:`` and the apps its features name (``connected_app:`` requirements)."""
    if manifest is None:
        return ()
    names = [manifest.app.name] if manifest.app else []
    names += [
        r.entity.name
        for f in manifest.features
        for r in walk(f.requires)
        if isinstance(r, SetupEntityReq)
        and r.entity.type in (SetupEntityType.CONNECTED_APP, SetupEntityType.EXTERNAL_CLIENT_APP)
    ]
    return tuple(dict.fromkeys(names))


def token_lifetime(manifest: Manifest | None) -> tuple[int | None, str]:
    """The shortest token lifetime among the manifest's credentials, and how to renew it."""
    if manifest is None:
        return None, ""
    with_life = [c for c in manifest.credentials if c.token_lifetime_days]
    if not with_life:
        return None, ""
    best = min(with_life, key=lambda c: c.token_lifetime_days or 0)
    return best.token_lifetime_days, " ".join(best.renew.split())

"""``adopt --json``: where the manifest went and a summary of what it states (strings exact: the JSON
writer escapes what could disguise them, values.visible.json_safe)."""

from __future__ import annotations

from leastforce.adopt.model import Adoption
from leastforce.render.json.base import JsonModel


class AdoptFeatureOutput(JsonModel):
    name: str
    requirements: int


class AdoptRiskOutput(JsonModel):
    """``risk``: critical / high / medium; ``grant``: what, in words; ``sources``: what grants it."""

    risk: str
    grant: str
    sources: tuple[str, ...]


class AdoptOutput(JsonModel):
    """``file``: the manifest written; ``todo``: the requirements whose why is still a TODO;
    ``leftOut``: rights held that the manifest cannot state (listed as comments in the file)."""

    file: str
    user: str
    license: str
    profile: str
    permission_set_licenses: tuple[str, ...]
    features: tuple[AdoptFeatureOutput, ...]
    requirements: int
    todo: int
    risky: tuple[AdoptRiskOutput, ...]
    left_out: tuple[str, ...]
    api_calls: int


def adopt_output(adoption: Adoption, file: str, api_calls: int) -> AdoptOutput:
    user = adoption.user
    return AdoptOutput(
        file=file,
        user=user.username,
        license=user.license,
        profile=user.profile,
        permission_set_licenses=user.permission_set_licenses,
        features=tuple(
            AdoptFeatureOutput(name=f.name, requirements=len(f.entries)) for f in adoption.features
        ),
        requirements=adoption.requirement_count,
        todo=adoption.requirement_count,
        risky=tuple(
            AdoptRiskOutput(risk=r.risk.value, grant=r.what, sources=r.sources) for r in adoption.risky
        ),
        left_out=tuple(f"{x.what}: {x.reason}" for x in adoption.left_out),
        api_calls=api_calls,
    )

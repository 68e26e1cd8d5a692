"""The registry of requirement kinds: every requirement value has exactly one kind, every manifest atom
model parses to a requirement value, and nothing outside leastforce.kinds branches on requirement types."""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass

import pytest

from leastforce.errors import Position
from leastforce.kinds import Kind, kind_of
from leastforce.manifest.schema_atoms import ATOM_MODELS
from leastforce.values.model import FieldRight, ObjectRight, SetupEntity, SetupEntityType
from leastforce.values.requirements import (
    AllOf,
    AnyOf,
    Atom,
    FieldReq,
    LicenseReq,
    NotReq,
    ObjectReq,
    PackagePermissionSetReq,
    PermissionReq,
    PermissionSetLicenseReq,
    ProfileReq,
    ProfileSessionReq,
    Requirement,
    SetupEntityReq,
    UserPermissionStateReq,
    UserState,
    UserStateReq,
)
from support.factories import make_catalog
from support.paths import ROOT

SAMPLES: list[Requirement] = [
    PermissionReq("ApiEnabled"),
    ObjectReq("Account", frozenset({ObjectRight.READ}), ("Name",)),
    FieldReq("Contact.Email", frozenset({FieldRight.READ})),
    SetupEntityReq(SetupEntity(SetupEntityType.APEX_CLASS, "Sync")),
    ProfileReq("System Administrator"),
    LicenseReq(("Salesforce Integration",)),
    PermissionSetLicenseReq("Salesforce API Integration"),
    PackagePermissionSetReq("Vendor_User"),
    UserStateReq(UserState.ACTIVE),
    UserPermissionStateReq("ApiUserOnly", False),
    ProfileSessionReq("security_level", "none"),
    AllOf((PermissionReq("ApiEnabled"),)),
    NotReq(PermissionReq("ModifyAllData")),
    AnyOf((PermissionReq("ViewAllData"), ObjectReq("Account", frozenset({ObjectRight.READ})))),
]


def test_every_requirement_type_has_one_kind_with_its_own_key() -> None:
    members = set(typing.get_args(Requirement))
    assert {type(s) for s in SAMPLES} == members  # the samples cover the whole union
    kinds = {type(s): kind_of(s) for s in SAMPLES}
    assert all(isinstance(k, Kind) for k in kinds.values())
    keys = [k.key for k in kinds.values()]
    assert len(set(keys)) == len(keys) and all(keys)


def test_an_unregistered_requirement_type_is_refused() -> None:
    @dataclass(frozen=True)
    class Stranger(Atom):
        name: str

    with pytest.raises(AssertionError):
        kind_of(Stranger("x"))  # type: ignore[arg-type]


@pytest.mark.parametrize("req", SAMPLES, ids=lambda r: type(r).__name__)
def test_each_kind_describes_prices_and_grants(req: Requirement) -> None:
    catalog = make_catalog()
    kind = kind_of(req)
    assert kind.describe(req, catalog)
    assert kind.short(req, 4)
    kind.cost(req, catalog)
    kind.contribute(req, catalog)
    assert isinstance(kind.validate(req, catalog), list)


class _Scope:
    position = Position("m.yaml", 3, 5)

    def api_permission(self, text: str, key: str) -> str:
        return text

    def nested(self, atoms: list[object], key: str) -> tuple[Requirement, ...]:
        return (PermissionReq("ApiEnabled"),)


def test_every_atom_model_parses_to_a_requirement_with_its_position() -> None:
    for key, model in ATOM_MODELS.items():
        assert "to_requirement" in {n for c in model.__mro__ for n in vars(c)} - {"AtomModel"}, key
    atom = ATOM_MODELS["apex_class"].model_validate({"apex_class": "Sync", "why": "w"})
    req = atom.to_requirement(_Scope())
    assert req == SetupEntityReq(SetupEntity(SetupEntityType.APEX_CLASS, "Sync"), why="w")
    assert req.position == Position("m.yaml", 3, 5)


def test_no_isinstance_chains_over_requirement_kinds_outside_the_registry() -> None:
    """Behaviour per kind lives in leastforce/kinds: elsewhere, code asks ``kind_of(req)``."""
    src = ROOT / "src" / "leastforce"
    offenders = []
    for path in src.rglob("*.py"):
        if "kinds" in path.relative_to(src).parts:
            continue
        text = path.read_text()
        count = len(re.findall(r"(?:isinstance\(|case )\w*\(?[^)\n]*\b\w+Req\b", text))
        if count >= 3:
            offenders.append(f"{path.relative_to(src)}: {count}")
    assert not offenders, offenders

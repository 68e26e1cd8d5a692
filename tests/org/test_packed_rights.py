"""PackedRights (a snapshot file's field maps, values/packed.py) behaves as the dict it packs, and a
snapshot loaded from a file answers every question as the snapshot it was saved from."""

from __future__ import annotations

from array import array
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leastforce.access.index import AccessIndex
from leastforce.access.resolve import resolve_all
from leastforce.catalog import load_catalog
from leastforce.checks.explain.who_has import who_has
from leastforce.org.snapshot_file import load_snapshot, save_snapshot
from leastforce.values.packed import NameTable, PackedRights
from support.factories import OrgBuilder

VALUES = ("none", "read", "edit", "both")
NAMES = NameTable(tuple(f"Account.F{i}" for i in range(40)))


def packed(pairs: dict[str, str]) -> PackedRights[str]:
    keys = array("I", (NAMES.positions[name] for name in pairs))
    return PackedRights(NAMES, keys, bytes(VALUES.index(v) for v in pairs.values()), VALUES)


@given(st.dictionaries(st.sampled_from(NAMES.names), st.sampled_from(VALUES), max_size=40))
def test_packed_rights_answer_as_their_dict(pairs: dict[str, str]) -> None:
    for walk_first in (False, True):  # before and after the map is built
        found = packed(pairs)
        if walk_first:
            assert list(found) == list(pairs)
        assert len(found) == len(pairs)
        for name in NAMES.names:
            assert (name in found) == (name in pairs)
            assert found.get(name, "x") == pairs.get(name, "x")
            if name in pairs:
                assert found[name] == pairs[name]
            else:
                with pytest.raises(KeyError):
                    found[name]
        assert "Not.AName" not in found and found.get("Not.AName") is None and 3 not in found
        assert dict(found.items()) == pairs and list(found.keys()) == list(pairs)
        assert found.distinct_values() == set(pairs.values())
        assert found == pairs and pairs == found and MappingProxyType(pairs) == found
        assert found == packed(pairs) and (found != {**pairs, "Account.F0x": "read"})


def test_a_packed_map_refuses_codes_it_cannot_read() -> None:
    with pytest.raises(ValueError, match="2 keys but 1 values"):
        PackedRights(NAMES, array("I", [0, 1]), bytes([1]), VALUES)
    with pytest.raises(ValueError, match="value code 7"):
        PackedRights(NAMES, array("I", [0]), bytes([7]), VALUES)
    with pytest.raises(ValueError, match="name index 99"):
        PackedRights(NAMES, array("I", [99]), bytes([1]), VALUES)
    with pytest.raises(TypeError):
        hash(packed({}))


def test_a_loaded_snapshot_answers_as_the_one_saved(tmp_path) -> None:
    """Field maps come back packed; who holds a field, every user's access and equality are unchanged."""
    snap = (
        OrgBuilder()
        .profile(
            "Standard User",
            perms=["ApiEnabled"],
            objects={"Contact": "read"},
            fields={"Contact.Email": "read"},
        )
        .permission_set("Editor", objects={"Contact": "read,edit"}, fields={"Contact.Email": "read,edit"})
        .permission_set("Phone", objects={"Contact": "read"}, fields={"Contact.Phone": "read"})
        .group("Team", sets=["Editor", "Phone"], muting={"fields": {"Contact.Email": "edit"}})
        .user("a@x.com", profile="Standard User")
        .assign("a@x.com", "Editor")
        .user("b@x.com", profile="Standard User")
        .assign("b@x.com", "Team")
        .build()
    )
    path = tmp_path / "org.snapshot"
    save_snapshot(snap, path)
    loaded = load_snapshot(path)
    assert any(isinstance(ps.fields, PackedRights) for ps in loaded.permission_sets.values())
    assert loaded == snap
    catalog = load_catalog()
    for field in ("Contact.Email", "Contact.Phone"):
        assert who_has(loaded, field, catalog) == who_has(snap, field, catalog)
    theirs = {a.user.id: (dict(a.fields), dict(a.objects)) for a in resolve_all(snap, catalog)}
    ours = {a.user.id: (dict(a.fields), dict(a.objects)) for a in resolve_all(loaded, catalog)}
    assert ours == theirs
    assert (
        AccessIndex.build(loaded, catalog).set_sources.keys()
        == AccessIndex.build(snap, catalog).set_sources.keys()
    )


def test_keys_in_any_order_are_found_and_ascending_ones_are_searched_as_they_are() -> None:
    """Snapshot files store each map's keys ascending (searched in place); any other order is sorted
    once, at the first lookup, and still iterates in its own order."""
    ascending = PackedRights(NAMES, array("I", [1, 5, 9]), bytes([1, 2, 3]), VALUES)
    assert ascending.get("Account.F5") == "edit" and ascending._search is not None
    assert ascending._search[0] is ascending._keys
    shuffled = PackedRights(NAMES, array("I", [9, 1, 5]), bytes([3, 1, 2]), VALUES)
    assert [shuffled.get(f"Account.F{i}") for i in (1, 5, 9, 2)] == ["read", "edit", "both", None]
    assert list(shuffled) == ["Account.F9", "Account.F1", "Account.F5"]

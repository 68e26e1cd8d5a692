"""Property tests of effective access: more assignments or less muting never remove access, and
resolve_all agrees with effective_access user by user."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from leastforce.access.resolve import EffectiveAccess, effective_access, resolve_all
from leastforce.values.model import Assignment, FieldRight, ObjectRight, OrgSnapshot
from support.factories import NOW, OrgBuilder, make_catalog

CAT = make_catalog()
PERMS = ["ApiEnabled", "ViewSetup", "ViewAllData", "ModifyAllData", "ViewAllFieldsGlobal"]
OBJECTS = ["Account", "Contact"]
FIELDS = ["Contact.Email", "Contact.Id", "Account.Phone"]
RIGHTS = [r.key for r in ObjectRight]
EXPIRIES = [None, NOW - timedelta(days=1), NOW + timedelta(days=1)]

rights_spec = st.dictionaries(
    st.sampled_from(OBJECTS), st.sets(st.sampled_from(RIGHTS), min_size=1), max_size=2
)
field_spec = st.dictionaries(
    st.sampled_from(FIELDS), st.sets(st.sampled_from(["read", "edit"]), min_size=1), max_size=2
)
set_spec = st.fixed_dictionaries(
    {"perms": st.sets(st.sampled_from(PERMS), max_size=3), "objects": rights_spec, "fields": field_spec}
)


@st.composite
def org_specs(draw: Any) -> dict[str, Any]:
    sets = draw(st.lists(set_spec, min_size=1, max_size=4))
    names = [f"S{i}" for i in range(len(sets))]
    groups = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "sets": st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True),
                    "muting": st.none() | set_spec,
                }
            ),
            max_size=2,
        )
    )
    targets = names + [f"G{i}" for i in range(len(groups))]
    users = draw(
        st.lists(
            st.lists(st.tuples(st.sampled_from(targets), st.sampled_from(EXPIRIES)), max_size=3),
            min_size=1,
            max_size=3,
        )
    )
    profile = draw(set_spec)
    return {"sets": sets, "groups": groups, "users": users, "profile": profile}


def build(
    spec: dict[str, Any], extra: tuple[int, str] | None = None, unmute: int | None = None
) -> OrgSnapshot:
    builder = OrgBuilder().profile("P", **_kw(spec["profile"]))
    for i, s in enumerate(spec["sets"]):
        builder.permission_set(f"S{i}", **_kw(s))
    for i, g in enumerate(spec["groups"]):
        muting = None if unmute == i or g["muting"] is None else g["muting"]
        builder.group(f"G{i}", sets=g["sets"], muting=muting)
    for u, rows in enumerate(spec["users"]):
        builder.user(f"u{u}@x.com", profile="P")
        for target, expires in rows:
            builder.assign(f"u{u}@x.com", target, expires=expires)
    if extra is not None:
        builder.assign(f"u{extra[0]}@x.com", extra[1])
    return builder.build()


def _kw(s: dict[str, Any]) -> dict[str, Any]:
    return {"perms": s["perms"], "objects": s["objects"], "fields": s["fields"]}


def flat(access: EffectiveAccess) -> set[tuple[str, ...]]:
    """Every effective right, implications included, as comparable tuples."""
    out = {("perm", p) for p, g in access.permissions.items() if g}
    out |= {("obj", o, r.key) for o in OBJECTS for r, g in access.object_rights(o).items() if g}
    out |= {("field", f, r.key) for f in FIELDS for r, g in access.field_rights(f).items() if g}
    return out


def user_access(snap: OrgSnapshot, username: str) -> EffectiveAccess:
    return effective_access(snap, username, catalog=CAT)


@settings(max_examples=60, deadline=None)
@given(spec=org_specs(), data=st.data())
def test_adding_an_assignment_never_removes_access(spec: dict[str, Any], data: Any) -> None:
    user = data.draw(st.integers(0, len(spec["users"]) - 1))
    targets = [f"S{i}" for i in range(len(spec["sets"]))] + [f"G{i}" for i in range(len(spec["groups"]))]
    target = data.draw(st.sampled_from(targets))
    before = flat(user_access(build(spec), f"u{user}@x.com"))
    after = flat(user_access(build(spec, extra=(user, target)), f"u{user}@x.com"))
    assert before <= after


@settings(max_examples=60, deadline=None)
@given(spec=org_specs(), data=st.data())
def test_removing_a_muting_set_never_removes_access(spec: dict[str, Any], data: Any) -> None:
    if not spec["groups"]:
        return
    group = data.draw(st.integers(0, len(spec["groups"]) - 1))
    for user in range(len(spec["users"])):
        before = flat(user_access(build(spec), f"u{user}@x.com"))
        after = flat(user_access(build(spec, unmute=group), f"u{user}@x.com"))
        assert before <= after


@settings(max_examples=60, deadline=None)
@given(spec=org_specs())
def test_resolve_all_agrees_with_effective_access(spec: dict[str, Any]) -> None:
    snap = build(spec)
    for access in resolve_all(snap, CAT):
        assert access == effective_access(snap, access.user.id, catalog=CAT)


@settings(max_examples=40, deadline=None)
@given(spec=org_specs())
def test_expiring_every_assignment_leaves_only_the_profile(spec: dict[str, Any]) -> None:
    snap = build(spec)
    past = NOW - timedelta(seconds=1)
    expired = tuple(
        replace(a, expires=past) if a.id and _not_profile(snap, a) else a for a in snap.assignments
    )
    snap = replace(snap, assignments=expired)
    profile_only = build({**spec, "users": [[] for _ in spec["users"]]})
    for u in range(len(spec["users"])):
        assert flat(user_access(snap, f"u{u}@x.com")) == flat(user_access(profile_only, f"u{u}@x.com"))


def _not_profile(snap: OrgSnapshot, row: Assignment) -> bool:
    ps = snap.permission_sets.get(row.permission_set_id)
    return ps is None or not ps.is_owned_by_profile


def test_field_rights_never_include_edit_without_read() -> None:
    snap = (
        OrgBuilder()
        .permission_set("S", fields={"Contact.Email": "edit"})
        .user("u@x.com")
        .assign("u@x.com", "S")
        .build()
    )
    rights = user_access(snap, "u@x.com").field_rights("Contact.Email")
    assert FieldRight.EDIT in rights and FieldRight.READ in rights

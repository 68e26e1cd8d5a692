"""load_manifest: positions, normalisation, and refusal of unsafe or malformed files (never a traceback)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from leastforce.catalog import load_catalog
from leastforce.errors import ManifestError, Problem
from leastforce.manifest import LoadResult, load_manifest
from leastforce.manifest.yamlread import MAX_BYTES, MAX_DEPTH
from leastforce.values.model import FieldRight, ObjectRight
from leastforce.values.requirements import FieldReq, ObjectReq, PermissionReq

HEAD = "manifest: 1\nintegration: Test\nsummary: A test manifest.\n"
FEATURE = "features:\n  sync:\n    summary: Read\n    requires:\n"


def _write(tmp_path: Path, text: str | bytes, name: str = "m.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _load(path: Path) -> LoadResult:
    return load_manifest(path, load_catalog())


def _problems(path: Path) -> list[str]:
    with pytest.raises(ManifestError) as info:
        _load(path)
    assert all(isinstance(p, Problem) for p in info.value.problems)
    return [f"{p.position.line}:{p.position.column}: {p.message}" for p in info.value.problems]


def test_positions_are_one_based_for_features_and_atoms(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + FEATURE + "      - permission: ApiEnabled\n        why: API\n")
    m = _load(path).manifest
    assert (m.feature("sync").position.line, m.feature("sync").position.column) == (5, 3)
    (atom,) = m.feature("sync").requires
    assert (atom.position.file, atom.position.line, atom.position.column) == (str(path), 8, 9)


def test_label_is_normalised_to_api_name_with_warning(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + FEATURE + "      - {permission: Manage Flow, why: sync flows}\n")
    loaded = _load(path)
    assert loaded.manifest.feature("sync").requires[0] == PermissionReq("ManageInteraction", why="sync flows")
    (warning,) = loaded.warnings
    assert warning.severity == "warning"
    assert warning.message == "label 'Manage Flow' used; the API name is ManageInteraction"
    assert (warning.position.line, warning.position.column) == (8, 22)


def test_prefixed_field_name_is_normalised(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + FEATURE + "      - {permission: PermissionsApiEnabled, why: api}\n")
    loaded = _load(path)
    assert loaded.manifest.feature("sync").requires[0] == PermissionReq("ApiEnabled", why="api")
    assert "the API name is ApiEnabled" in loaded.warnings[0].message


def test_access_accepts_labels_and_strips_object_prefix_from_fields(tmp_path: Path) -> None:
    text = (
        HEAD
        + FEATURE
        + (
            "      - {object: Account, access: [Read, View All Records], fields: [Account.Name, Phone], why: a}\n"
            "      - {field: Contact.Email, access: [read, edit], why: b}\n"
        )
    )
    obj, fld = _load(_write(tmp_path, text)).manifest.feature("sync").requires
    assert isinstance(obj, ObjectReq) and isinstance(fld, FieldReq)
    assert obj.rights == {ObjectRight.READ, ObjectRight.VIEW_ALL_RECORDS}
    assert obj.fields == ("Name", "Phone")
    assert fld.rights == {FieldRight.READ, FieldRight.EDIT} and fld.object == "Contact"


def test_profile_as_text_means_existing_profile(tmp_path: Path) -> None:
    text = HEAD + "user:\n  profile: System Administrator\n  license: Salesforce\n" + FEATURE
    text += "      - {permission: ApiEnabled, why: api}\n"
    user = _load(_write(tmp_path, text)).manifest.user
    assert user.profile is not None
    assert (user.profile.name, user.profile.based_on) == ("System Administrator", "")
    assert user.licenses == ("Salesforce",)
    assert user.password_never_expires is None


def test_missing_version_and_features_are_reported_together(tmp_path: Path) -> None:
    assert _problems(_write(tmp_path, "integration: X\nsummary: s\n")) == [
        "1:1: missing required key 'features'",
        "1:1: missing required key 'manifest'",
    ]


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    text = (
        HEAD
        + FEATURE
        + "      - {permission: ApiEnabled}\n      - {object: Account, access: [read], wy: x}\n"
    )
    got = _problems(_write(tmp_path, text))
    assert got == [
        "8:9: missing required key 'why' in features.sync.requires[0]",
        "9:9: missing required key 'why' in features.sync.requires[1]",
        "9:43: unknown key 'wy' in features.sync.requires[1] (did you mean 'why'?)",
    ]


def test_empty_file_and_top_level_list(tmp_path: Path) -> None:
    assert _problems(_write(tmp_path, "")) == ["1:1: the manifest is empty"]
    assert _problems(_write(tmp_path, "# only a comment\n")) == ["1:1: the manifest is empty"]
    assert _problems(_write(tmp_path, "- a\n- b\n")) == [
        "1:1: a manifest is a mapping (key: value) at the top"
    ]


def test_syntax_error_points_at_the_line(tmp_path: Path) -> None:
    (got,) = _problems(_write(tmp_path, HEAD + "features:\n  sync: [unclosed\n"))
    assert got.startswith("6:1: invalid YAML:") or got.startswith("5:"), got


def test_not_utf8_points_at_the_byte(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD.encode() + b"docs: caf\xe9\n")
    assert _problems(path) == ["4:10: the file is not UTF-8 text (byte 0xe9); save it as UTF-8"]


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    text = "\ufeff" + HEAD + FEATURE + "      - {permission: ApiEnabled, why: api}\n"
    assert _load(_write(tmp_path, text)).manifest.integration == "Test"


def test_control_character_is_refused_with_position(tmp_path: Path) -> None:
    (got,) = _problems(_write(tmp_path, HEAD + "docs: a\x00b\n"))
    assert got.startswith("4:8: invalid YAML: character #x0000 is not allowed")


def test_file_larger_than_limit(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + "#" * (MAX_BYTES + 10) + "\n")
    assert _problems(path) == ["0:0: file is larger than 256 KiB; a manifest is a few KiB"]


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert _problems(tmp_path / "nope.yaml") == ["0:0: no such file"]
    assert _problems(tmp_path) == ["0:0: is a directory, not a manifest file"]


def test_billion_laughs_is_refused_fast(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    start = time.monotonic()
    got = _problems(_write(tmp_path, "\n".join(lines) + "\n"))
    assert time.monotonic() - start < 2
    assert got[0] == "2:8: YAML aliases (*name) are not allowed in a manifest; repeat the value"
    assert len(got) <= 52  # the scan stops early on hostile input


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    # the top-level mapping is the first level
    deep = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    got = _problems(_write(tmp_path, HEAD + f"docs: {deep}\n"))
    assert got == [f"4:{6 + MAX_DEPTH}: nesting deeper than {MAX_DEPTH} levels"]


def test_very_deep_nesting_never_recurses(tmp_path: Path) -> None:
    got = _problems(_write(tmp_path, "a: " + "[" * 50_000 + "\n"))
    assert got  # refused with a position, no RecursionError


def test_custom_tags_and_multiple_documents(tmp_path: Path) -> None:
    assert _problems(_write(tmp_path, HEAD + "docs: !!python/object:os.system x\n")) == [
        "4:7: YAML tag tag:yaml.org,2002:python/object:os.system is not allowed in a manifest"
    ]
    assert _problems(_write(tmp_path, HEAD + "---\n" + HEAD)) == [
        "4:1: a manifest is one YAML document; remove the second"
    ]


def test_duplicate_keys_are_all_reported(tmp_path: Path) -> None:
    text = HEAD + "summary: again\n" + FEATURE + "      - {permission: ApiEnabled, why: a, why: b}\n"
    assert _problems(_write(tmp_path, text)) == [
        "4:1: duplicate key 'summary'",
        "9:42: duplicate key 'why'",
    ]


def test_yaml_12_keeps_yes_as_text(tmp_path: Path) -> None:
    text = HEAD + "user: {api_only: yes}\n" + FEATURE + "      - {permission: ApiEnabled, why: api}\n"
    assert _problems(_write(tmp_path, text)) == ["4:8: user.api_only: expected true or false, got text 'yes'"]


def test_timestamps_and_numbers_are_not_text(tmp_path: Path) -> None:
    text = HEAD.replace("Test", "2024-01-01") + FEATURE + "      - {permission: 12, why: api}\n"
    got = _problems(_write(tmp_path, text))
    assert got[0].startswith("2:1: integration: expected text, got")
    assert got[1] == "8:10: features.sync.requires[0].permission: expected text, got a number (12)"


def test_token_lifetime_must_be_positive(tmp_path: Path) -> None:
    text = HEAD + FEATURE + "      - {permission: ApiEnabled, why: api}\n"
    text += "credentials:\n  - {external_credential: Flock, token_lifetime_days: 0, why: t}\n"
    assert _problems(_write(tmp_path, text)) == [
        "10:34: credentials[0].token_lifetime_days: must be at least 1, got 0"
    ]


def test_manifest_error_str_lists_every_problem(tmp_path: Path) -> None:
    path = _write(tmp_path, "integration: X\nsummary: s\n")
    with pytest.raises(ManifestError) as info:
        _load(path)
    assert str(info.value).splitlines() == [
        f"{path}:1:1: error: missing required key 'features'",
        f"{path}:1:1: error: missing required key 'manifest'",
    ]

"""``packages:``: parsed with positions, versions checked at file:line:col, every namespaced name tied to a
declared package (unknown-namespace), package permission sets provided by a declared package."""

from __future__ import annotations

from pathlib import Path

import pytest

from leastforce.catalog import load_catalog
from leastforce.errors import ManifestError
from leastforce.manifest import load_manifest, validate_manifest
from leastforce.values import problem_codes as codes
from leastforce.values.packages import (
    InstalledPackage,
    PackageSpec,
    missing_packages,
    namespace_of,
    parse_version,
)

HEAD = "manifest: 1\nintegration: T\nsummary: s\n"
PACKAGE = """packages:
  - name: Elements
    namespace: elements
    min_version: "{version}"
    install_url: https://example.com/install
    provides:
      objects: [{{name: elements__Item__c, fields: [elements__Score__c]}}]
      permission_sets: [{{name: Elements_Admins, label: Elements Admins}}]
      apex_classes: [elements__Sync]
"""


def _write(tmp_path: Path, requires: str, version: str = "5.0", packages: bool = True) -> Path:
    path = tmp_path / "m.yaml"
    body = PACKAGE.format(version=version) if packages else ""
    path.write_text(f"{HEAD}{body}features:\n  sync:\n    summary: s\n    requires:\n{requires}")
    return path


def _problems(path: Path) -> list[tuple[str, str, int, str]]:
    catalog = load_catalog()
    manifest = load_manifest(path, catalog).manifest
    return [(p.severity, p.code, p.position.line, p.message) for p in validate_manifest(manifest, catalog)]


def test_a_package_loads_with_its_position_and_version(tmp_path: Path) -> None:
    path = _write(tmp_path, "      - {permission: ApiEnabled, why: w}\n", version="5.1.2")
    (spec,) = load_manifest(path, load_catalog()).manifest.packages
    assert (spec.name, spec.namespace, spec.min_version) == ("Elements", "elements", (5, 1, 2))
    assert spec.position.line == 5
    assert spec.provides_set("Elements Admins") and spec.provides_set("elements__Elements_Admins")


@pytest.mark.parametrize("version", ["5", "v5.0", "5.0.1.2", "five"])
def test_a_bad_version_is_an_error_at_its_line(tmp_path: Path, version: str) -> None:
    path = _write(tmp_path, "      - {permission: ApiEnabled, why: w}\n", version=version)
    with pytest.raises(ManifestError) as raised:
        load_manifest(path, load_catalog())
    assert raised.value.problems[0].position.line == 7


def test_namespaced_names_must_belong_to_a_declared_package(tmp_path: Path) -> None:
    requires = (
        "      - {object: elements__Item__c, access: [read], why: w}\n"
        "      - {field: Account.other__Score__c, access: [read], why: w}\n"
        "      - {apex_class: zz__Thing, why: w}\n"
        "      - {apex_class: elements__Sync, why: w}\n"
        "      - {object: Local__c, access: [read], why: w}\n"
    )
    errors = [p for p in _problems(_write(tmp_path, requires)) if p[1] == codes.UNKNOWN_NAMESPACE]
    assert [(e[0], e[2]) for e in errors] == [("error", 18), ("error", 19)]
    assert "namespace 'other'" in errors[0][3] and "namespace 'zz'" in errors[1][3]


def test_without_packages_a_namespaced_name_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "      - {object: acme__Deal__c, access: [read], why: w}\n", packages=False)
    assert [p[1] for p in _problems(path) if p[0] == "error"] == [codes.UNKNOWN_NAMESPACE]


def test_a_package_set_no_package_provides_is_a_warning(tmp_path: Path) -> None:
    requires = (
        "      - {package_permission_set: Elements Admins, why: w}\n"
        "      - {package_permission_set: Somebody Else, why: w}\n"
    )
    found = [p for p in _problems(_write(tmp_path, requires)) if p[1] == codes.UNKNOWN_NAMESPACE]
    assert [(p[0], p[2]) for p in found] == [("warning", 18)]


@pytest.mark.parametrize(
    ("name", "suffixed", "namespace"),
    [
        ("ns__Obj__c", True, "ns"),
        ("Obj__c", True, ""),
        ("Account", True, ""),
        ("ns__Field__c", True, "ns"),
        ("Person__pc", True, ""),
        ("ns__Class", False, "ns"),
        ("Class", False, ""),
    ],
)
def test_namespace_of(name: str, suffixed: bool, namespace: str) -> None:
    assert namespace_of(name, suffixed=suffixed) == namespace


def test_versions_compare_as_numbers() -> None:
    assert parse_version("5.10") == (5, 10, 0) and parse_version("5") is None
    spec = PackageSpec("E", "elements", (5, 2, 0))
    assert missing_packages((spec,), ()) == ((spec, None),)
    old = InstalledPackage("Elements", "E", (5, 1, 9))
    assert missing_packages((spec,), (old,)) == ((spec, old),)  # namespaces compare without case
    assert missing_packages((spec,), (InstalledPackage("elements", "E", (5, 10, 0)),)) == ()

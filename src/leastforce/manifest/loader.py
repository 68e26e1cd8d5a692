"""load_manifest: a YAML file to a Manifest, or a ManifestError listing every problem at file:line:col.

Stages, each reporting all it finds before the next runs: read (size, UTF-8, YAML syntax, aliases,
tags, duplicate keys, depth; see yamlread), shape (pydantic models in ``schema``), references (features
named by permission sets exist, no feature in two sets ...), then names: a permission written as its
UI label is normalised to the API name with a warning. Checks against Salesforce facts (unknown
permissions, licenses, object rules) are ``validate_manifest``'s job; ``check_manifest`` runs both.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from leastforce.errors import ManifestError, Position, Problem, display_path
from leastforce.manifest.convert import Converter
from leastforce.manifest.locate import Locator, validation_problems
from leastforce.manifest.model import LoadResult
from leastforce.manifest.schema import ManifestDoc
from leastforce.manifest.yamlread import read_yaml
from leastforce.values import problem_codes as codes

if TYPE_CHECKING:
    from leastforce.catalog.catalog import Catalog


def load_manifest(path: str | Path, catalog: Catalog | None = None) -> LoadResult:
    """Read, check and convert one manifest; warnings come back in the result.

    ``catalog`` (default: the bundled one) normalises permission labels to API names.
    Raises ManifestError with every error found (and the warnings found so far).
    """
    display = display_path(path)
    at = Locator(display)
    raw = read_yaml(path, display)
    if raw is None:
        raise ManifestError(
            (Problem("error", "the manifest is empty", Position(display, 1, 1), codes.MANIFEST_FORMAT),)
        )
    if not isinstance(raw, dict):
        raise ManifestError(
            (
                Problem(
                    "error",
                    "a manifest is a mapping (key: value) at the top",
                    at.node(raw),
                    codes.MANIFEST_FORMAT,
                ),
            )
        )
    try:
        doc = ManifestDoc.model_validate(_plain(raw))
    except ValidationError as exc:
        raise ManifestError(tuple(validation_problems(exc, raw, at))) from None
    problems = reference_problems(doc, raw, at)
    naming = _Naming(catalog if catalog is not None else _default_catalog())
    manifest = Converter(at, naming).manifest(doc, raw)
    problems += naming.problems
    if any(p.severity == "error" for p in problems):
        raise ManifestError(_in_order(problems))
    return LoadResult(manifest, _in_order(problems))


def check_manifest(path: str | Path, catalog: Catalog | None = None) -> LoadResult:
    """load_manifest + validate_manifest: raises ManifestError on any error, returns all warnings."""
    from leastforce.manifest.validate import validate_manifest

    resolved = catalog if catalog is not None else _default_catalog()
    loaded = load_manifest(path, resolved)
    problems = loaded.warnings + validate_manifest(loaded.manifest, resolved)
    if any(p.severity == "error" for p in problems):
        raise ManifestError(_in_order(problems))
    return LoadResult(loaded.manifest, _in_order(problems))


def reference_problems(doc: ManifestDoc, raw: Any, at: Locator) -> list[Problem]:
    """Names that must agree within the file: permission sets and the features they carry."""
    problems: list[Problem] = []
    sets = raw.get("permission_sets") or []
    names = Counter(ps.name.casefold() for ps in doc.permission_sets)
    claimed: dict[str, str] = {}
    catch_all = []
    for i, ps in enumerate(doc.permission_sets):
        where = at.item(sets, i)
        if names[ps.name.casefold()] > 1:
            problems.append(
                Problem(
                    "error",
                    f"permission set {ps.name!r} is declared more than once",
                    where,
                    codes.MANIFEST_REFERENCE,
                )
            )
        if not ps.features:
            catch_all.append(ps.name)
        for j, feature in enumerate(ps.features):
            feature_at = at.item(sets[i]["features"], j)
            if feature not in doc.features:
                known = ", ".join(doc.features)
                message = (
                    f"permission set {ps.name!r} names feature {feature!r}, which is not declared ({known})"
                )
                problems.append(Problem("error", message, feature_at, codes.MANIFEST_REFERENCE))
            elif feature in claimed and claimed[feature] != ps.name:
                message = f"feature {feature!r} is already carried by permission set {claimed[feature]!r}"
                problems.append(Problem("error", message, feature_at, codes.MANIFEST_REFERENCE))
            claimed.setdefault(feature, ps.name)
    if len(catch_all) > 1:
        message = (
            f"only one permission set may leave out `features:` (carry the rest); got {', '.join(catch_all)}"
        )
        problems.append(Problem("error", message, at.key(raw, "permission_sets"), codes.MANIFEST_REFERENCE))
    return problems


class _Naming:
    """Permission names as written -> API names, with a warning for each label or variant used."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.problems: list[Problem] = []

    def __call__(self, written: str, where: Position) -> str:
        found = self.catalog.find_permission(written)
        if found is None or found.name == written:
            return written  # unknown names are validate_manifest's to report, with suggestions
        what = "label" if written.casefold() == found.label.casefold() else "name"
        message = f"{what} {written!r} used; the API name is {found.name}"
        self.problems.append(Problem("warning", message, where, codes.PERMISSION_LABEL))
        return found.name


def _default_catalog() -> Catalog:
    """The bundled catalog (loaded once and cached by leastforce.catalog)."""
    from leastforce.catalog import load_catalog

    return load_catalog()


def _plain(node: Any) -> Any:
    """The ruamel tree as plain dict/list/str/int/float/bool/None for pydantic's strict mode."""
    if isinstance(node, dict):
        return {_plain(k) if not isinstance(k, tuple) else k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool):
        return bool(node)
    for kind in (str, int, float):
        if isinstance(node, kind):
            return kind(node)
    return node


def _in_order(problems: list[Problem] | tuple[Problem, ...]) -> tuple[Problem, ...]:
    """Problems by file, line, column; each once."""
    unique = dict.fromkeys(problems)
    return tuple(sorted(unique, key=lambda p: (p.position.file, p.position.line, p.position.column)))

"""Storage hints (`Filter`s) derived from the top-level AND of a WHERE clause.

Hints only narrow what storage returns; the engine re-checks every row, so a hint may be broader
than the condition but never narrower. Besides `field = value` / `field IN (...)` / semi-joins on the
queried object, a one-hop parent condition such as `Assignee.Username = 'x'` is turned into
`AssigneeId IN (<ids of matching users>)` so storage can use the lookup index instead of a scan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from leastforce.emulator.soql.resolve import Resolved
from leastforce.emulator.soql.source import Filter
from leastforce.emulator.soql.syntax import Comparison, Literal, LiteralKind, SubQuery
from leastforce.emulator.soql.values import Kind, id18, kind_of, normaliser

if TYPE_CHECKING:
    from leastforce.emulator.soql.where import WhereCompiler

MAX_HINT_VALUES = 10_000  # beyond this a hint costs storage more than it saves
_UNHINTED = (Kind.DATE, Kind.DATETIME, Kind.MULTIPICKLIST, Kind.BOOLEAN)


def storage_hints(compiler: WhereCompiler, conjuncts: list[Comparison]) -> list[Filter]:
    """Hints for the comparisons ANDed at the top of a WHERE clause."""
    hints = []
    for cmp in conjuncts:
        hint = _hint(compiler, cmp)
        if hint is not None and len(hint.values) <= MAX_HINT_VALUES:
            hints.append(hint)
    return hints


def _hint(compiler: WhereCompiler, cmp: Comparison) -> Filter | None:
    if cmp.op not in ("=", "IN"):
        return None
    resolved = compiler.resolver.resolve(compiler.sobject, cmp.field, compiler.alias)
    kind = kind_of(resolved.field.type)
    if kind in _UNHINTED:
        return None
    if isinstance(cmp.value, SubQuery):
        if resolved.steps:
            return None
        return Filter(resolved.field.name, "IN", compiler.semi_join_values(cmp))
    literals = cmp.value if isinstance(cmp.value, tuple) else (cmp.value,)
    if any(lit.kind in (LiteralKind.NULL, LiteralKind.DATE_LITERAL) for lit in literals):
        return None
    op = "=" if isinstance(cmp.value, Literal) else "IN"
    values = tuple(id18(str(lit.value)) if kind is Kind.ID else lit.value for lit in literals)
    own = Filter(resolved.field.name, op, values, case_insensitive=kind is Kind.STRING)
    if not resolved.steps:
        return own
    if len(resolved.steps) == 1 and len(resolved.steps[0].targets) == 1:
        return _parent_hint(compiler, resolved, own, literals)
    return None


def _parent_hint(
    compiler: WhereCompiler, resolved: Resolved, own: Filter, literals: tuple[Literal, ...]
) -> Filter | None:
    """`fk IN (ids of parents matching own)`; the parents found go into the parent cache."""
    step = resolved.steps[0]
    target = step.targets[0]
    keys = {compiler.coerce(lit, resolved) for lit in literals}
    norm = normaliser(kind_of(resolved.field.type))
    name = resolved.field.name
    ids: list[Any] = []
    for row in compiler.resolver.source.rows(target, [own]):
        value = row.get(name)
        if value is None or (norm(value) if norm else value) not in keys:
            continue
        ids.append(row.get("Id"))
        compiler.resolver.cache.remember(step.targets, target, row)
        if len(ids) > MAX_HINT_VALUES:
            return None
    return Filter(step.fk, "IN", tuple(ids))

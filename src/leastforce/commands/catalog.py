"""`leastforce catalog`: what leastforce knows about Salesforce permissions, objects and licenses."""

from __future__ import annotations

import sys
from typing import Any

import click

from leastforce.catalog import (
    Catalog,
    License,
    Risk,
    StandardObject,
    StandardProfile,
    UserPermission,
    load_catalog,
)
from leastforce.errors import InputError
from leastforce.render.json import success_envelope, write_json
from leastforce.render.json.catalog import Kind, catalog_list_output, catalog_show_output


@click.group(name="catalog")
def command() -> None:
    """Salesforce's permission facts that leastforce ships, each with its source."""


@command.command(name="show")
@click.argument("name", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the sf-style JSON envelope.")
def show(name: tuple[str, ...], as_json: bool) -> None:
    """What the catalog knows about a permission (API name or label), object, license or profile."""
    text = " ".join(name)
    catalog = load_catalog()
    found = _find(catalog, text)
    if found is None:
        hints = catalog.suggest_permissions(text)
        hint = f" (did you mean {', '.join(hints)}?)" if hints else ""
        raise InputError(f"unknown permission, object, license or profile {text!r}{hint}")
    kind, value = found
    if as_json:
        write_json(success_envelope(catalog_show_output(catalog, kind, value)))
        return
    click.echo(_describe(catalog, kind, value))


def _find(catalog: Catalog, text: str) -> tuple[Kind, Any] | None:
    perm = catalog.find_permission(text)
    if perm:
        return "permission", perm
    finders: tuple[tuple[Kind, Any], ...] = (
        ("object", catalog.find_object),
        ("license", catalog.find_license),
        ("profile", catalog.find_profile),
    )
    for kind, finder in finders:
        value = finder(text)
        if value:
            return kind, value
    return None


def _describe(catalog: Catalog, kind: Kind, value: Any) -> str:
    if isinstance(value, UserPermission):
        lines = _describe_permission(catalog, value)
    elif isinstance(value, StandardObject):
        lines = _describe_object(value)
    elif isinstance(value, License):
        lines = _describe_license(value)
    else:
        lines = _describe_profile(value)
    lines.append("sources:")
    sources = catalog_show_output(catalog, kind, value).sources
    lines += [f"  - {s.title}" + (f" <{s.url}>" if s.url else "") for s in sources]
    return "\n".join(lines)


def _describe_permission(catalog: Catalog, perm: UserPermission) -> list[str]:
    where = " > ".join(p for p in (perm.section, perm.subsection) if p) or "unknown"
    lines = [
        f"{perm.name}  ({perm.label})",
        f"  field:      {perm.field_name}",
        f"  setup:      {where}",
        f"  risk:       {perm.risk.value if perm.risk else 'unrated'}"
        + (f": {perm.risk_reason}" if perm.risk else ""),
    ]
    if not perm.baseline:
        lines.append(f"  since API:  {perm.since_api or 'unknown'} (not in the v64.0 describe)")
    if not perm.verified:
        lines.append("  UNVERIFIED: no primary source for this API name or label")
    required = sorted(catalog.required_permissions(perm.name))
    lines.append(f"  requires:   {', '.join(required) if required else 'nothing known'}")
    for obj, rights in catalog.required_object_rights(perm.name).items():
        lines.append(f"  requires:   {obj}: {', '.join(sorted(r.key for r in rights))}")
    return lines


def _describe_object(obj: StandardObject) -> list[str]:
    fls = sum(1 for f in obj.fields.values() if f.permissionable)
    return [
        f"{obj.name}  ({obj.label} / {obj.plural_label})",
        f"  object permissions: {'yes' if obj.permissionable else 'no'}",
        f"  fields: {len(obj.fields)} ({fls} take field-level security)",
        *([f"  note: {obj.note}"] if obj.note else []),
    ]


def _describe_license(lic: License) -> list[str]:
    return [
        f"{lic.name}  ({lic.kind.value} license, developer name {lic.developer_name or 'unknown'})",
        f"  standard objects on its own: {'yes' if lic.standard_objects else 'no'}",
        *([f"  denied: {', '.join(sorted(lic.denied_permissions))}"] if lic.denied_permissions else []),
        *([f"  note: {lic.note}"] if lic.note else []),
    ]


def _describe_profile(profile: StandardProfile) -> list[str]:
    return [
        f"{profile.name}  (license {profile.user_license}{', API only' if profile.api_only else ''})",
        f"  user permissions ({len(profile.user_permissions)}): {', '.join(sorted(profile.user_permissions))}",
        f"  objects with access: {len(profile.objects)}",
        *([f"  note: {profile.note}"] if profile.note else []),
    ]


@command.command(name="list")
@click.option("--risk", type=click.Choice([r.value for r in Risk]), help="Only permissions of this tier.")
@click.option(
    "--section", help='Only permissions in this Setup section, e.g. "System Permissions" or "Users".'
)
@click.option("--json", "as_json", is_flag=True, help="Print the sf-style JSON envelope.")
def list_(risk: str | None, section: str | None, as_json: bool) -> None:
    """List the user permissions of the catalog (name, label, Setup section, risk)."""
    perms = _select(load_catalog(), risk, section)
    if as_json:
        write_json(success_envelope(catalog_list_output(perms)))
        return
    _print_table(perms)


def _select(catalog: Catalog, risk: str | None, section: str | None) -> list[UserPermission]:
    perms = list(catalog.permissions.values())
    if risk:
        perms = [p for p in perms if p.risk is Risk(risk)]
    if section:
        key = section.strip().casefold()
        perms = [p for p in perms if key in (p.section.casefold(), p.subsection.casefold())]
    return sorted(perms, key=lambda p: (-(p.risk.rank if p.risk else 0), p.name))


def _print_table(perms: list[UserPermission]) -> None:
    if not sys.stdout.isatty():
        for p in perms:
            where = " > ".join(x for x in (p.section, p.subsection) if x)
            click.echo("\t".join((p.name, p.label, where, p.risk.value if p.risk else "")))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("API name", "Label", "Setup section", "Risk")
    for p in perms:
        where = " > ".join(x for x in (p.section, p.subsection) if x)
        table.add_row(p.name, p.label, where, p.risk.value if p.risk else "")
    Console().print(table)

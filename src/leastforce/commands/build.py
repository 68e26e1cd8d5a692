"""`leastforce build MANIFEST -o DIR`: write deployable SFDX metadata for the integration user.

Writes the permission sets leastforce manages (dependencies closed, ``any:`` resolved to the least risky
alternative), one permission set per role that needs custom access, the cloned profile when the manifest
defines one, ``manifest/package.xml`` and ``sfdx-project.json``. Refuses to write anything when the manifest
has errors (exit 2, each at file:line). Optional features are left out unless asked for: least privilege.
"""

from __future__ import annotations

from pathlib import Path

import click

from leastforce.catalog import Catalog, load_catalog
from leastforce.commands._manifest import load_checked
from leastforce.desired import DesiredSetup, desired_setup
from leastforce.errors import InputError, display_path
from leastforce.manifest import Manifest
from leastforce.render.json import success_envelope, write_json
from leastforce.render.json.manifest import BuildOutput, ChoiceOutput
from leastforce.render.sfdx import metadata_gaps, render_project
from leastforce.values.model import PermissionSet
from leastforce.values.visible import visible_lines


def compute(
    manifest: Manifest, catalog: Catalog, features: tuple[str, ...], with_optional: bool
) -> tuple[DesiredSetup, tuple[PermissionSet, ...]]:
    """The integration user's setup and the roles' permission sets; InputError for an unknown feature."""
    try:
        setup = desired_setup(manifest, catalog, features=features, with_optional=with_optional)
    except KeyError as exc:
        raise InputError(str(exc.args[0]) if exc.args else "unknown feature") from None
    role_sets = tuple(
        ps
        for role in manifest.roles
        for ps in desired_setup(manifest, catalog, role=role.name).permission_sets
    )
    return setup, role_sets


@click.command(name="build")
@click.argument("manifest", type=click.Path(dir_okay=False))
@click.option(
    "-o", "--output-dir", required=True, type=click.Path(file_okay=False), help="Project directory."
)
@click.option(
    "--with-optional/--no-optional",
    default=False,
    show_default=True,
    help="Include every optional feature (default: only required ones and those named with --feature).",
)
@click.option("--feature", "features", multiple=True, metavar="NAME", help="Include this optional feature.")
@click.option("--json", "as_json", is_flag=True, help="Print the sf-style JSON envelope.")
def command(
    manifest: str, output_dir: str, with_optional: bool, features: tuple[str, ...], as_json: bool
) -> None:
    """Write an SFDX project (permission sets, profile, package.xml) for MANIFEST into DIR."""
    catalog = load_catalog()
    loaded, warnings = load_checked(manifest, catalog)
    setup, role_sets = compute(loaded, catalog, features, with_optional)
    files = render_project(setup, role_sets)
    root = Path(output_dir)
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
    result = _result(loaded, setup, role_sets, root, files)
    messages = [str(w) for w in warnings]
    if as_json:
        write_json(success_envelope(result, warnings=messages))
        return
    for message in messages:
        click.echo(visible_lines(message), err=True)
    click.echo(visible_lines(_text(result)))


def _result(
    manifest: Manifest,
    setup: DesiredSetup,
    role_sets: tuple[PermissionSet, ...],
    root: Path,
    files: dict[str, str],
) -> BuildOutput:
    skipped = [f.name for f in manifest.features if f.name not in setup.features]
    gaps = metadata_gaps(setup, role_sets)
    notes = list(setup.notes)
    if setup.profile is not None:
        notes.append(
            f"profile {setup.profile.name!r}: a deploy creates it from Minimum Access - Salesforce, not as a clone "
            f"of {setup.profile.based_on!r}; clone it in Setup first if you need the base profile's other settings"
        )
    for name, entities in gaps.items():
        notes.append(f"{name}: grant by hand (metadata cannot carry it): {', '.join(entities)}")
    return BuildOutput(
        integration=setup.integration,
        output_dir=display_path(root),
        files=tuple(files),
        features=tuple(setup.features),
        skipped_optional_features=tuple(skipped),
        permission_sets=tuple(ps.name for ps in setup.permission_sets),
        role_permission_sets=tuple(ps.name for ps in role_sets),
        profile=setup.profile.name if setup.profile else None,
        choices=tuple(
            ChoiceOutput(feature=c.feature, chosen=c.chosen_text, rejected=tuple(c.rejected), reason=c.reason)
            for c in setup.choices
        ),
        notes=tuple(notes),
        deploy=f"sf project deploy start --manifest {display_path(root / 'manifest' / 'package.xml')}",
    )


def _text(result: BuildOutput) -> str:
    lines = [f"Wrote {len(result.files)} files to {result.output_dir}:"]
    lines += [f"  {path}" for path in result.files]
    lines.append(f"Features: {', '.join(result.features) or 'none'}")
    if result.skipped_optional_features:
        names = ", ".join(result.skipped_optional_features)
        lines.append(f"Left out optional features: {names} (add with --feature NAME or --with-optional)")
    for choice in result.choices:
        rejected = " / ".join(choice.rejected)
        lines.append(f"Chose {choice.chosen} over {rejected} for {choice.feature}: {choice.reason}")
    lines += [f"Note: {note}" for note in result.notes]
    lines.append(
        f"Deploy: (cd {result.output_dir} && sf project deploy start --manifest manifest/package.xml)"
    )
    return "\n".join(lines)

"""``leastforce validate MANIFEST...``: check manifests against the format and the catalog.

Every problem (errors and warnings) goes to stdout as ``file:line:col: severity: message``, like a
compiler or linter, then one summary line per file. Exit 0 when no manifest has an error (warnings
allowed), 2 when any has. ``--json`` prints the sf envelope instead: ``status`` is the exit code and
``result`` holds ``valid``, ``manifests[]`` and ``problems[]`` (file, line, column, severity, message).
``--format sarif`` prints a SARIF 2.1.0 log instead (for code scanning), or writes it to ``-o FILE`` and
prints the text as usual.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from leastforce.commands._sarif import check_sarif_options, sarif_options
from leastforce.errors import ManifestError, Problem, display_path
from leastforce.manifest import load_manifest, validate_manifest
from leastforce.render.json import success_envelope, write_json
from leastforce.render.json.manifest import ManifestOutput, validate_output
from leastforce.values.visible import visible_lines


@dataclass(frozen=True)
class Checked:
    """One manifest's outcome: its integration name ("" when it did not load) and problems."""

    path: str
    integration: str
    features: tuple[str, ...]
    problems: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def check(path: Path, catalog: Any) -> Checked:
    """Load and validate one manifest; never raises for a bad manifest."""
    try:
        loaded = load_manifest(path, catalog)
    except ManifestError as exc:
        return Checked(display_path(path), "", (), exc.problems)
    problems = loaded.warnings + validate_manifest(loaded.manifest, catalog)
    ordered = tuple(sorted(dict.fromkeys(problems), key=lambda p: (p.position.line, p.position.column)))
    names = tuple(f.name for f in loaded.manifest.features)
    return Checked(loaded.manifest.path, loaded.manifest.integration, names, ordered)


def _summary(item: Checked) -> str:
    errors = sum(p.severity == "error" for p in item.problems)
    warnings = len(item.problems) - errors
    if errors:
        return f"{item.path}: invalid ({errors} error(s), {warnings} warning(s))"
    return f"{item.path}: valid: {item.integration}, features {', '.join(item.features)}" + (
        f" ({warnings} warning(s))" if warnings else ""
    )


@click.command()
@click.argument("manifests", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the sf-style JSON envelope.")
@sarif_options
@click.pass_context
def command(
    ctx: click.Context, manifests: tuple[Path, ...], as_json: bool, fmt: str, output: Path | None
) -> None:
    """Check MANIFEST files: format, names, licenses and access rules.

    Prints every problem as file:line:col: severity: message. Exit 0 when all are valid
    (warnings allowed), 2 when any has an error.
    """
    from leastforce.catalog import load_catalog

    check_sarif_options(fmt, output, as_json)
    catalog = load_catalog()
    results = [check(path, catalog) for path in manifests]
    code = 0 if all(r.valid for r in results) else 2
    if fmt == "sarif" and _write_sarif(results, output):
        ctx.exit(code)
    if as_json:
        result = validate_output(
            code == 0,
            [
                ManifestOutput(path=r.path, valid=r.valid, integration=r.integration, features=r.features)
                for r in results
            ],
            [p for r in results for p in r.problems],
        )
        write_json(success_envelope(result, status=code))
    else:
        for item in results:
            for problem in item.problems:
                click.echo(visible_lines(str(problem)))
            click.echo(visible_lines(_summary(item)))
        if output is not None:
            click.echo(f"SARIF log: {display_path(output)}")
    ctx.exit(code)


def _write_sarif(results: list[Checked], output: Path | None) -> bool:
    """Write the SARIF log to ``output``, or to stdout (True: nothing else to print)."""
    from leastforce.render.sarif import dumps, validate_sarif

    text = dumps(validate_sarif((p for r in results for p in r.problems), source_root=_cwd_uri()))
    if output is None:
        click.echo(text, nl=False)
        return True
    output.write_text(text, encoding="utf-8")
    return False


def _cwd_uri() -> str:
    return Path.cwd().as_uri() + "/"

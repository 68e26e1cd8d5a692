"""`leastforce guide MANIFEST`: write the admin's click-by-click setup guide (Markdown or HTML).

Every permission appears with its Setup label, API name and the vendor's reason; optional features are
documented and marked; the guide ends with the `leastforce verify` command that checks the result.
"""

from __future__ import annotations

from pathlib import Path

import click

from leastforce.catalog import load_catalog
from leastforce.commands._manifest import load_checked
from leastforce.errors import display_path
from leastforce.render.guide.model import guide_model
from leastforce.render.guide.render import GuideFormat, render_guide
from leastforce.render.json import success_envelope, write_json
from leastforce.render.json.manifest import GuideOutput
from leastforce.values.visible import visible_lines


@click.command(name="guide")
@click.argument("manifest", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in GuideFormat]),
    default=GuideFormat.MARKDOWN.value,
    show_default=True,
    help="Markdown, or one self-contained HTML page.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.option(
    "--with-optional",
    is_flag=True,
    help="Treat optional features as wanted (default: document them, marked optional).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the sf-style JSON envelope (guide text in result)."
)
def command(manifest: str, fmt: str, output: str | None, with_optional: bool, as_json: bool) -> None:
    """Write the setup guide for MANIFEST: every step, every permission with its reason."""
    catalog = load_catalog()
    loaded, warnings = load_checked(manifest, catalog)
    text = render_guide(guide_model(loaded, catalog, with_optional=with_optional), GuideFormat(fmt))
    messages = [str(w) for w in warnings]
    if output:
        Path(output).write_text(text, encoding="utf-8", newline="\n")
    if as_json:
        result = GuideOutput(
            format=fmt, output=display_path(output) if output else None, guide=None if output else text
        )
        write_json(success_envelope(result, warnings=messages))
        return
    for message in messages:
        click.echo(visible_lines(message), err=True)
    if output:
        click.echo(f"Wrote the {fmt} guide to {display_path(output)}")
    else:
        click.echo(text, nl=False)

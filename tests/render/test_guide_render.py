"""`leastforce guide`: whole-file golden guides, escaping, step order and the CLI.

Golden files live in tests/golden/guide/. After an intended change to the guide, regenerate them with

    LEASTFORCE_REGEN_GOLDEN=1 .venv/bin/pytest tests/test_guide_render.py

and review the diff (git diff tests/golden/guide) before committing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from leastforce.catalog import load_catalog
from leastforce.cli import main
from leastforce.manifest import load_manifest
from leastforce.render.guide.model import guide_model
from leastforce.render.guide.render import GuideFormat, md_cell, md_code, md_text, render_guide
from support.paths import ROOT

GOLDEN = ROOT / "tests" / "golden" / "guide"
REGEN = os.environ.get("LEASTFORCE_REGEN_GOLDEN") == "1"


def guide_text(name: str, fmt: GuideFormat = GuideFormat.MARKDOWN, **options: bool) -> str:
    catalog = load_catalog()
    # A relative path, as a vendor would run it from the repository root: the guide quotes it.
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        manifest = load_manifest(f"examples/{name}.yaml", catalog).manifest
    finally:
        os.chdir(cwd)
    return render_guide(guide_model(manifest, catalog, **options), fmt)


@pytest.mark.parametrize(
    ("name", "fmt", "golden"),
    [
        ("upflow", GuideFormat.MARKDOWN, "upflow.md"),
        ("elements", GuideFormat.MARKDOWN, "elements.md"),
        ("upflow", GuideFormat.HTML, "upflow.html"),
    ],
)
def test_golden(name: str, fmt: GuideFormat, golden: str) -> None:
    text = guide_text(name, fmt)
    path = GOLDEN / golden
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing {path}; run with LEASTFORCE_REGEN_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_steps_in_order_and_every_permission_with_its_reason() -> None:
    text = guide_text("upflow")
    titles = re.findall(r"^## Step \d+\. (.+)$", text, flags=re.M)
    assert titles == [
        "Create the permission set `Upflow Permissions`",
        "Create the profile `Upflow API Profile`",
        "Create the integration user",
        "Assign the permission set licenses",
        "Assign the permission sets",
        "Connect Upflow",
        "Verify it",
    ]
    assert "- [ ] **API Enabled** (`ApiEnabled`): Upflow connects to Salesforce through the API" in text
    assert "**Approve Uninstalled Connected Apps** (`CanApproveUninstalledApps`)" in text
    assert "*Optional (feature export):* Edit" in text
    assert "leastforce verify examples/upflow.yaml --org <alias> --user <username>" in text
    assert "leastforce apply examples/upflow.yaml --org <alias>" in text
    assert "### OAUTH_APPROVAL_ERROR_GENERIC" in text


def test_with_optional_drops_the_optional_marks() -> None:
    text = guide_text("upflow", with_optional=True)
    assert "Optional (feature export)" not in text
    assert "| Read, Create, Edit, View All Records, View All Fields |" not in text  # no Create asked
    assert "Read, Edit, View All Records, View All Fields" in text
    assert "--with-optional" in text


def test_dependencies_are_listed_as_kept() -> None:
    text = guide_text("elements")
    deps = text.split("**Dependencies.**", 1)[1].split("\n## ", 1)[0]
    assert "- **Modify All Data** (`ModifyAllData`), needed by Author Apex" in deps
    assert "ModifyAllData" not in text.split("**Dependencies.**", 1)[0].split("**System Permissions.**")[1]


def test_roles_credentials_and_choices() -> None:
    text = guide_text("eventspark-flock")
    assert "## Step 1. Install the package `EventSpark`" in text  # the package first
    assert "## Step 5. Access for other people" in text
    assert "### pusher: Any user who pushes event data to Flock." in text
    assert "The token lasts **30 days**" in text
    ticketing = guide_text("ticketing")
    assert "this guide uses ManageRemoteAccess" in ticketing


def test_the_package_is_installed_first_by_someone_who_may() -> None:
    for fmt in (GuideFormat.MARKDOWN, GuideFormat.HTML):
        text = guide_text("elements", fmt)
        install = text.index("Install the package")
        assert install < text.index("Create the permission set")
        assert "Download AppExchange Packages" in text and "5.0" in text[install:]
        assert "https://appexchange.salesforce.com/" in text[install:]
        assert "created in step 2" in text  # the set steps come after the package's


def test_html_is_self_contained() -> None:
    html = guide_text("elements", GuideFormat.HTML)
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)=["'](https?:)?//(?!help\.salesforce)""", html)
    assert "@media print" in html and "<link" not in html


def test_manifest_text_is_escaped(tmp_path: Path) -> None:
    evil = "<script>alert(1)</script>"
    manifest = tmp_path / "evil.yaml"
    manifest.write_text(
        "manifest: 1\n"
        f"integration: 'Evil {evil}'\n"
        f"summary: '{evil} & more'\n"
        "features:\n"
        "  f:\n"
        f"    summary: '{evil}'\n"
        "    requires:\n"
        f"      - {{permission: ApiEnabled, why: '{evil}'}}\n"
        "troubleshooting:\n"
        f"  - {{error: '{evil}', cause: c, fix: f}}\n"
    )
    catalog = load_catalog()
    loaded = load_manifest(manifest, catalog).manifest
    html = render_guide(guide_model(loaded, catalog), GuideFormat.HTML)
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    markdown = render_guide(guide_model(loaded, catalog), GuideFormat.MARKDOWN)
    # Inside code spans the text is literal (CommonMark never renders HTML there); outside it is escaped.
    outside_code = re.sub(r"`[^`\n]*`", "", markdown)
    assert "<script>" not in outside_code and "\\<script\\>" in outside_code


@pytest.mark.parametrize(
    ("func", "value", "expected"),
    [
        (md_cell, "a | b\nc <i>", "a \\| b c \\<i\\>"),
        (md_code, "plain", "`plain`"),
        (md_code, "a`b", "``a`b``"),
        (md_text, "<b>*x*</b>", "\\<b\\>\\*x\\*\\</b\\>"),
        (md_text, "# not a heading", "\\# not a heading"),
    ],
)
def test_markdown_escapes(func, value: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert func(value) == expected


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_cli_writes_the_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "guide.html"
    code, out, _ = run(
        capsys, "guide", str(ROOT / "examples/upflow.yaml"), "--format", "html", "-o", str(target)
    )
    assert code == 0 and "Wrote the html guide" in out
    assert target.read_text().startswith("<!DOCTYPE html>")
    code, out, _ = run(capsys, "guide", str(ROOT / "examples/upflow.yaml"))
    assert code == 0 and out.startswith("# Upflow: set up the Salesforce integration user")


def test_cli_refuses_an_invalid_manifest(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "manifest: 1\nintegration: X\nfeatures:\n  f:\n    requires:\n      - {object: Nope__x, access: [fly]}\n"
    )
    code, out, err = run(capsys, "guide", str(bad))
    assert code == 2 and "bad.yaml:6" in err and out == ""


@pytest.mark.parametrize(
    "name", ["eventspark-flock", "elements", "analytics-platform", "ticketing", "upflow"]
)
@pytest.mark.parametrize("fmt", list(GuideFormat))
def test_every_permission_appears_with_label_and_api_name(name: str, fmt: GuideFormat) -> None:
    from leastforce.desired import desired_setup

    catalog = load_catalog()
    manifest = load_manifest(ROOT / "examples" / f"{name}.yaml", catalog).manifest
    text = render_guide(guide_model(manifest, catalog, with_optional=True), fmt)
    setups = [desired_setup(manifest, catalog)] + [
        desired_setup(manifest, catalog, role=r.name) for r in manifest.roles
    ]
    for setup in setups:
        for ps in setup.permission_sets:
            assert ps.name in text
            for perm in ps.user_permissions:
                label = catalog.permissions[perm].label if perm in catalog.permissions else perm
                escaped = label.replace("&", "&amp;") if fmt is GuideFormat.HTML else label
                assert f"`{perm}`" in text or f"<code>{perm}</code>" in text, perm
                assert escaped in text, label
            for obj in ps.objects:
                assert f"`{obj}`" in text or f"<code>{obj}</code>" in text, obj
        for package in setup.package_permission_sets:
            assert package in text
    for trouble in manifest.troubleshooting:
        assert trouble.error.split()[0] in text

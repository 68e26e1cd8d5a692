"""Output that cannot be hijacked: text from an org or a manifest never reaches a terminal or a file raw.

A profile named ``Sync API ESC[2J ESC[H ESC[32m All integrations OK ESC[8m`` cleared the admin's terminal in
audit, explain, verify and doctor; an OSC window-title sequence in a manifest's integration reached validate,
plan, guide.md and guide.html. Every renderer now goes through values/visible.py, and manifests refuse
such characters outright (code hostile-text).
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text

from leastforce.cli import main
from leastforce.render.json import write_json
from leastforce.render.text.plan import render as render_plan
from leastforce.render.text.verify import to_string
from leastforce.values.visible import hostile_character, json_safe, visible, visible_html, visible_lines
from support.org_setup import Admin

CLEAR = "Sync API \x1b[2J\x1b[H\x1b[32mAll integrations OK, 0 findings\x1b[8m"
OSC = "Upflow\x1b]0;owned\x07"
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\u200b", "\ufeff", "\r")

MANIFEST = textwrap.dedent(
    """\
    manifest: 1
    integration: Acme
    summary: Acme reads accounts.
    user: {license: Salesforce, profile: Minimum Access - Salesforce}
    permission_sets:
      - {name: Acme_Sync, label: Acme Sync}
    features:
      sync:
        summary: Read accounts
        requires:
          - {permission: ApiEnabled, why: the API}
    """
)


def assert_clean(text: str) -> None:
    found = [char for char in RAW if char in text]
    assert not found, f"raw {found!r} reached the output: {text!r}"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\x1b[2Jb", "a\\x1b[2Jb"),
        ("t\x1b]0;owned\x07", "t\\x1b]0;owned\\x07"),
        ("x\u202eevil\u202c", "x<U+202E>evil<U+202C>"),
        ("Standard\u200bUser", "Standard<U+200B>User"),
        ("\u2066iso\u2069", "<U+2066>iso<U+2069>"),
        ("c1\x9b2J", "c1<U+009B>2J"),
        ("line\nforged\rover\ttab", "line\\nforged\\rover\\ttab"),
        ("bom\ufeffdel\x7f", "bom<U+FEFF>del<U+007F>"),
        ("日本語 ✓ 😀 <b>&", "日本語 ✓ 😀 <b>&"),
    ],
)
def test_visible_shows_every_hostile_character(raw: str, shown: str) -> None:
    assert visible(raw) == shown
    assert_clean(visible(raw))


def test_visible_lines_keeps_only_line_feeds_and_html_form_is_markup_safe() -> None:
    assert visible_lines("a\nb\x1b\r") == "a\nb\\x1b\\r"
    assert visible_html("<p>\u202e\tx\n</p>") == "<p>&lt;U+202E&gt;\tx\n</p>"
    assert hostile_character("tab\tand\nline", allow_lines=True) is None
    assert hostile_character("tab\tx") == (3, "\\t")
    assert hostile_character("Std\u200bUser", allow_lines=True) == (3, "<U+200B>")


def test_rich_renderers_keep_their_colours_and_show_org_text_visibly() -> None:
    line = Text("  ").append("✓", style="green").append(f" {CLEAR}").append(f" ({OSC})", style="dim")
    coloured = to_string([line], color=True, width=100)
    assert "\x1b[32m✓\x1b[0m" in coloured, "the renderer's own colours stay"
    # rich itself drops BEL, BS, VT, FF and CR from a Text; the sanitiser shows the rest
    assert "\\x1b[2J" in coloured and "\\x1b]0;owned" in coloured
    assert coloured.count("\x1b") == 4, coloured  # green on, reset, dim on, reset: nothing from the data
    plain = to_string([line], color=False, width=100)
    assert_clean(plain)
    assert "All integrations OK" in plain


def test_plan_text_shows_org_and_manifest_text_visibly() -> None:
    from leastforce.planning.changes import Action, Change, ChangeSet, Step

    change = Change(
        step=Step.PERMISSION_SET,
        action=Action.CREATE,
        sobject="PermissionSet",
        key=OSC,
        setup=f"create permission set {OSC}",
        values={"Label": OSC},
    )
    changes = ChangeSet(integration=CLEAR, username="u@x", changes=(change,), matches=(), findings=())
    for color in (True, False):
        text = render_plan(changes, color=color)
        assert "\\x1b]0;owned\\x07" in text and "\\x1b[2J" in text
        assert "\x07" not in text and "\x1b]" not in text and "\x1b[2J" not in text


def test_json_keeps_values_but_escapes_bidi_and_invisible(capsys: pytest.CaptureFixture[str]) -> None:
    value = f"{CLEAR} x\u202eevil\u202c Std\u200bUser \x9b"
    write_json({"status": 0, "result": {"name": value}})
    out = capsys.readouterr().out
    assert_clean(out)
    assert json.loads(out)["result"]["name"] == value, "the same JSON value"
    assert json_safe('"a\u2028b"') == '"a\\u2028b"'
    assert json_safe('"a\x7fb"') == '"a\\u007fb"', "DEL is ASCII: the all-ASCII shortcut must not skip it"
    assert json_safe('"plain"') == '"plain"'


@pytest.mark.parametrize(
    "line",
    [
        f"integration: {json.dumps(OSC)}",
        'integration: "Acme\\u202eevil"',
        'integration: "Standard\\u200bUser"',
        'integration: "Acme\\e[2J"',
    ],
)
@pytest.mark.parametrize("command", ["validate", "guide", "build"])
def test_manifests_refuse_control_bidi_and_invisible_characters(
    line: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MANIFEST.replace("integration: Acme", line))
    extra = ["-o", str(tmp_path / "out")] if command != "validate" else []
    with pytest.raises(SystemExit) as done:
        main([command, str(path), *extra])
    captured = capsys.readouterr()
    assert done.value.code == 2
    assert f"{path.name}:2:14:" in captured.out + captured.err
    assert "invisible or control character" in captured.out + captured.err
    assert_clean(captured.out + captured.err)
    assert not (tmp_path / "out").exists()
    with pytest.raises(SystemExit):
        main(["validate", str(path), "--json"])
    body = json.loads(capsys.readouterr().out)
    assert [p["line"] for p in body["result"]["problems"]] == [2]
    with pytest.raises(SystemExit):
        main(["validate", str(path), "--format", "sarif"])
    sarif = json.loads(capsys.readouterr().out)
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"hostile-text"}


def test_a_label_with_a_bidi_override_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MANIFEST.replace("label: Acme Sync", 'label: "Acme \\u202eSync"'))
    with pytest.raises(SystemExit) as done:
        main(["validate", str(path)])
    assert done.value.code == 2 and "m.yaml:6:" in capsys.readouterr().out


def test_the_guide_renderer_shows_text_visibly_whatever_reaches_it() -> None:
    """Defence in depth: were a hostile string to pass the manifest, the guide still shows it visibly."""
    from dataclasses import replace

    from leastforce.catalog import load_catalog
    from leastforce.manifest import load_manifest
    from leastforce.render.guide.model import guide_model
    from leastforce.render.guide.render import GuideFormat, render_guide
    from support.paths import EXAMPLES

    loaded = load_manifest(sorted(EXAMPLES.glob("*.yaml"))[0])
    manifest = replace(loaded.manifest, integration=OSC, summary=CLEAR)
    for fmt in GuideFormat:
        text = render_guide(guide_model(manifest, load_catalog(), with_optional=True), fmt)
        assert_clean(text)
        assert "owned" in text and "All integrations OK" in text


@pytest.fixture
def hostile_profile_org(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """A user on a custom profile named CLEAR + OSC (rich strips CSI when not a terminal, not OSC),
    holding a permission set labelled OSC."""
    monkeypatch.setenv("SF_ACCESS_TOKEN", emulator.admin_token)
    monkeypatch.setenv("SF_CA_BUNDLE", emulator.ca_bundle)
    monkeypatch.setenv("LEASTFORCE_ORG", emulator.instance_url)
    admin = Admin.of(emulator)
    base = admin.client.query("SELECT UserLicenseId FROM Profile WHERE Name = 'Minimum Access - Salesforce'")
    profile = admin.create(
        "Profile", Name=CLEAR + OSC, UserLicenseId=base[0]["UserLicenseId"], PermissionsApiEnabled=True
    )
    username = "hostile@acme.example"
    admin.create(
        "User",
        Username=username,
        LastName=OSC,
        Email=username,
        Alias="hostile",
        ProfileId=profile,
        TimeZoneSidKey="Europe/Paris",
        LocaleSidKey="en_US",
        EmailEncodingKey="UTF-8",
        LanguageLocaleKey="en_US",
    )
    user = admin.id_of(f"SELECT Id FROM User WHERE Username = '{username}'")
    ps = admin.permission_set("Hostile_Set", permissions=["ModifyAllData"])
    admin.update("PermissionSet", ps, Label=OSC)
    admin.assign(user, set_id=ps)
    return username


def test_org_text_never_reaches_the_terminal_raw(
    hostile_profile_org: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "acme.yaml"
    manifest.write_text(MANIFEST)
    html = tmp_path / "audit.html"
    user = hostile_profile_org
    runs = [
        ["verify", str(manifest), "--user", user],
        ["explain", "--user", user, "ApiEnabled"],
        ["explain", "--user", user, "ModifyAllData"],
        ["audit", "--manifest", str(manifest), "--user", user, "--html", str(html)],
        ["audit"],
        ["doctor", "--user", user],
        ["plan", str(manifest), "--user", user],
    ]
    seen = ""
    for args in runs:
        with pytest.raises(SystemExit):
            main(args)
        captured = capsys.readouterr()
        assert "internal error" not in captured.err, (args, captured.err)
        assert_clean(captured.out + captured.err)
        seen += captured.out + captured.err
    assert "\\x1b[2J" in seen and "\\x1b]0;owned" in seen, "the hostile profile name is shown, visibly"
    page = html.read_text()
    assert_clean(page)
    assert "&lt;U+001B&gt;[2J" in page or "\\x1b[2J" in page
    assert os.stat(html).st_mode & 0o777 == 0o600

"""Every YAML example in docs/manifest.md loads (wrapped into a minimal manifest where it is a fragment)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from leastforce.catalog import load_catalog
from leastforce.manifest import load_manifest
from support.paths import ROOT

DOC = ROOT / "docs" / "manifest.md"
BASE = {"manifest": 1, "integration": "Doc", "summary": "s"}
FEATURE = {
    "sync": {"summary": "s", "requires": [{"permission": "ApiEnabled", "why": "api"}]},
    "export": {"summary": "s", "requires": [{"permission": "ApiEnabled", "why": "api"}]},
}


def _blocks() -> list[str]:
    found = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    return [b for b in found if "{...}" not in b and not b.lstrip().startswith("# yaml-language-server")]


@pytest.mark.parametrize("block", _blocks(), ids=lambda b: b.split(":", 1)[0].strip())
def test_documented_example_loads(block: str, tmp_path: Path) -> None:
    data = YAML(typ="safe").load(block)
    if "requires" in data:
        data = {"features": {"sync": {"summary": "s", "requires": data["requires"]}}}
    doc = {**BASE, "features": FEATURE, **data}
    out = io.StringIO()
    YAML(typ="safe").dump(doc, out)
    path = tmp_path / "m.yaml"
    path.write_text(out.getvalue())
    load_manifest(path, load_catalog())  # raises ManifestError with positions if the doc is wrong


def test_every_key_is_documented() -> None:
    from leastforce.manifest.locate import _known_keys

    text = DOC.read_text()
    missing = [key for key in _known_keys() if f"`{key}`" not in text and f"{key}:" not in text]
    assert missing == []

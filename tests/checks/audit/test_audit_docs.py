"""docs/audit.md embeds the rules and diagnoses tables generated from the data files: keep them in sync."""

from __future__ import annotations

import re

from leastforce.render.text.audit import rules_table
from leastforce.render.text.doctor import diagnoses_table
from support.paths import ROOT

DOC = ROOT / "docs" / "audit.md"


def _section(name: str) -> str:
    found = re.search(rf"<!-- {name}:begin[^>]*-->\n(.*?)<!-- {name}:end -->", DOC.read_text(), re.S)
    assert found, name
    return found.group(1)


def test_rules_table_matches_the_data_file():
    assert _section("rules") == rules_table()


def test_diagnoses_table_matches_the_data_file():
    assert _section("diagnoses") == diagnoses_table()

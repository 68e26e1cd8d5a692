"""Where the tests find their data: always relative to this checkout, never at an absolute path."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
EXAMPLES = ROOT / "examples"
DOCS = ROOT / "docs"
# ../shared beside the checkout: the seeds, the reference describes and the corpus of real metadata.
SHARED = ROOT.parent / "shared"

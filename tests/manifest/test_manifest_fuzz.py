"""Property tests: whatever the bytes or the YAML structure, load_manifest returns a LoadResult or raises
ManifestError with positioned problems; never any other exception."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from leastforce.catalog import load_catalog
from leastforce.errors import ManifestError
from leastforce.manifest import LoadResult, load_manifest
from support.paths import ROOT

EXAMPLE = ROOT / "examples" / "upflow.yaml"
KEYS = [
    "manifest",
    "integration",
    "summary",
    "features",
    "requires",
    "why",
    "permission",
    "object",
    "access",
    "any",
    "all",
    "user",
    "license",
    "profile",
    "permission_sets",
    "name",
    "sync",
    "optional",
    "fields",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["read", "edit", "ApiEnabled", "Account", "Manage Flow", "Salesforce"]),
)
structures = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), inner, max_size=5),
    ),
    max_leaves=30,
)


def _outcome(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.yaml"
        path.write_bytes(data)
        try:
            result = load_manifest(path, load_catalog())
        except ManifestError as exc:
            assert exc.problems
            assert all(p.position.file == str(path) for p in exc.problems)
            assert all(p.severity in ("error", "warning") for p in exc.problems)
            return
        assert isinstance(result, LoadResult)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    _outcome(data)


@settings(max_examples=200, deadline=None)
@given(structures)
def test_random_yaml_structures(value: object) -> None:
    out = io.StringIO()
    YAML(typ="safe").dump({"manifest": 1, "integration": "X", "summary": "s", "features": value}, out)
    _outcome(out.getvalue().encode())


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_example(data: st.DataObject) -> None:
    lines = EXAMPLE.read_text().splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["drop", "dup", "indent", "dedent", "garble"]))
        if action == "drop":
            del lines[i]
        elif action == "dup":
            lines.insert(i, lines[i])
        elif action == "indent":
            lines[i] = "  " + lines[i]
        elif action == "dedent":
            lines[i] = lines[i].lstrip()
        else:
            lines[i] = data.draw(st.text(max_size=30)) + "\n"
        if not lines:
            break
    _outcome("".join(lines).encode("utf-8", errors="surrogatepass"))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), structures, max_size=8))
def test_random_top_level_documents(value: dict[str, object]) -> None:
    out = io.StringIO()
    YAML(typ="safe").dump(value, out)
    _outcome(out.getvalue().encode())

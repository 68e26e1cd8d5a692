"""Write a manifest with some object access removed, each removal noted as a YAML comment, the rest of
the file (comments, order, other keys) as it was (ruamel.yaml round trip)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from leastforce.manifest.yamlread import read_yaml

# keep(object, access keys) -> the access keys to keep (() removes the requirement)
KeepAccess = Callable[[str, tuple[str, ...]], tuple[str, ...]]


def trimmed_manifest(path: str | Path, keep: KeepAccess, reason: str) -> tuple[str, tuple[str, ...]]:
    """(the new YAML text, one line per removal). Only ``object:`` requirements directly under a
    feature's ``requires:`` are trimmed; a feature left with nothing is removed."""
    data = read_yaml(path, str(path))
    removed: list[str] = []
    features = data.get("features") if isinstance(data, CommentedMap) else None
    if not isinstance(features, CommentedMap):
        features = CommentedMap()
    for name in list(features):
        feature = features[name]
        requires = feature.get("requires") if isinstance(feature, CommentedMap) else None
        if not isinstance(requires, CommentedSeq):
            continue
        for index in reversed(range(len(requires))):
            item = requires[index]
            if not isinstance(item, CommentedMap) or "object" not in item:
                continue
            keys = tuple(str(k) for k in (item.get("access") or ()))
            kept = keep(str(item["object"]), keys)
            gone = [k for k in keys if k not in kept]
            if not gone:
                continue
            note = f"observe: removed {item['object']} {', '.join(gone)} from {name} ({reason})"
            removed.append(note)
            if kept:
                item["access"] = CommentedSeq(kept)
                item["access"].fa.set_flow_style()
                item.yaml_set_start_comment(note, indent=6)
            else:
                del requires[index]
                _comment_on(feature, "requires", note)
        if not requires:
            del features[name]
            removed.append(f"observe: removed feature {name}: nothing left in it")
    out = io.StringIO()
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 110
    header = "".join(f"# {line}\n" for line in removed)
    yaml.dump(data, out)
    return header + out.getvalue(), tuple(removed)


def _comment_on(mapping: CommentedMap, key: str, note: str) -> None:
    mapping.yaml_set_comment_before_after_key(key, before=note, indent=4)

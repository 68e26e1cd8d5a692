"""An ``Adoption`` as a manifest file: ``render(adoption) -> str``.

Written with ruamel.yaml so the file can carry comments: the risky grants to question first at the top
(riskiest first), the sets the user is assigned, what the manifest cannot state, and on ``api_only`` where
it comes from. The output is deterministic (every list sorted by the adopt layer, no timestamp).

Text from the org is data: identities (profile, license, set and object names) are written exactly, as
YAML scalars that ruamel quotes when needed, so a name can never become YAML structure; free text (every
``why``, every comment) goes through values.visible first, so a newline or an escape in a label stays on
its line, shown as ``\\n``.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from leastforce.adopt.model import AdoptedPackage, AdoptedUser, Adoption, Entry, Feature, Left, RiskyGrant
from leastforce.values.visible import visible

UNKNOWN_VERSION = "0.0"  # min_version is required: any installed version passes, with a TODO to set it
MODELINE = "yaml-language-server: $schema=https://leastforce.dev/schema/manifest-1.schema.json"


def render(adoption: Adoption) -> str:
    """The manifest text, comments included."""
    doc = CommentedMap()
    doc["manifest"] = 1
    doc["integration"] = visible(adoption.integration)
    doc["summary"] = visible(
        f"The effective access of {adoption.user.username} as adopted; every why is a TODO to replace "
        "with the integration's reason, or remove the requirement."
    )
    if adoption.packages:
        doc["packages"] = CommentedSeq(_package(p) for p in adoption.packages)
    doc["user"] = _user(adoption.user)
    doc["features"] = CommentedMap((f.name, _feature(f)) for f in adoption.features)
    doc.yaml_set_start_comment("\n".join(_header(adoption)))
    yaml = YAML()
    yaml.width = 4096  # one requirement per line: no folding of long reasons
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def _flow(items: tuple[str, ...]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _user(user: AdoptedUser) -> CommentedMap:
    out = CommentedMap()
    out["username"] = user.username
    if user.license:
        out["license"] = user.license
    if user.profile:
        out["profile"] = user.profile
    if user.permission_set_licenses:
        out["permission_set_licenses"] = _flow(user.permission_set_licenses)
    for key, found in (("api_only", user.api_only), ("password_never_expires", user.password_never_expires)):
        if found:
            out[key] = True
            out.yaml_add_eol_comment(visible(f"TODO: granted by {'; '.join(found)}"), key)
    return out


def _package(package: AdoptedPackage) -> CommentedMap:
    """A ``packages:`` entry (manifest/schema_packages.py): min_version the installed version; the install
    link is not in the org, so it is left for the admin (TODO comment)."""
    out = CommentedMap()
    out["name"] = package.name
    out["namespace"] = package.namespace
    out["min_version"] = DoubleQuotedScalarString(package.version or UNKNOWN_VERSION)
    if package.version is None:
        state = "not installed" if package.installed is False else "the installed version is unknown"
        out.yaml_add_eol_comment(visible(f"TODO: {state}; set the lowest version that works"), "min_version")
    out["install_url"] = ""
    out.yaml_add_eol_comment("TODO: the AppExchange listing or installation URL", "install_url")
    out["why"] = visible(f"TODO (names of namespace {package.namespace} are used below)")
    if package.permission_sets:
        sets = CommentedSeq()
        for name, label in package.permission_sets:
            item = CommentedMap([("name", name), ("label", label)])
            item.fa.set_flow_style()
            sets.append(item)
        out["provides"] = CommentedMap([("permission_sets", sets)])
    return out


def _feature(feature: Feature) -> CommentedMap:
    out = CommentedMap()
    out["summary"] = visible(feature.summary)
    out["requires"] = CommentedSeq(_entry(e) for e in feature.entries)
    return out


def _entry(entry: Entry) -> CommentedMap:
    out = CommentedMap()
    out[entry.key] = entry.name
    if entry.access:
        out["access"] = _flow(entry.access)
    out["why"] = visible(entry.why)
    return out


def _header(adoption: Adoption) -> list[str]:
    lines = [
        MODELINE,
        f"Adopted by `leastforce adopt` from the effective access of {visible(adoption.user.username)}.",
        "Every `why: TODO` says where the right comes from today: replace it with the reason, or remove it.",
        "`leastforce validate` warns on every TODO (why-todo); `leastforce verify` on this user passes.",
        "",
    ]
    lines += _section(
        "Risky grants to question first (catalog risk tiers, riskiest first):", adoption.risky, _risky
    )
    assigned = [f"{a.kind} {a.name}" + (f" ({a.label})" if a.label else "") for a in adoption.assigned]
    lines += _section("Permission sets and groups assigned:", assigned, str)
    lines += _section("Held but not stated below (the manifest cannot state them):", adoption.left_out, _left)
    return [visible(line) for line in lines]


def _section(title: str, items: Any, line: Any) -> list[str]:
    if not items:
        return []
    return [title, *(f"  {line(item)}" for item in items), ""]


def _risky(item: RiskyGrant) -> str:
    return f"{item.risk.value:<8}  {item.what}: {'; '.join(item.sources)}"


def _left(item: Left) -> str:
    where = f" ({'; '.join(item.sources)})" if item.sources else ""
    return f"{item.what}: {item.reason}{where}"

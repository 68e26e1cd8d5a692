"""Regenerate the catalog's generated data files from the v64.0 reference describes.

    .venv/bin/python tools/gen_catalog.py [--reference ../shared/reference]

Writes src/leastforce/catalog/data/permissions.json (every boolean ``Permissions*`` field of PermissionSet:
API name without the prefix, and label) and objects.json (the standard objects' fields, with the derived
``permissionable`` flag and, when false, ``not_permissionable_reason``). Hand-curated facts (sections,
risk, dependencies, newer permissions, plural labels, licenses, profiles) live in the YAML files beside
them and are not touched.
"""

from __future__ import annotations

import argparse
import html
import json
from pathlib import Path
from xml.etree import ElementTree

from leastforce.catalog.fields import NoFieldSecurity, field_security_exemption

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "leastforce" / "catalog" / "data"
# ../shared beside the checkout (never an absolute path): the reference describes and the corpus.
SHARED = ROOT.parent / "shared"
REFERENCE = SHARED / "reference"
# A real retrieved System Administrator profile (Admin.profile), source id corpus-sdr-admin-profile.
ADMIN_PROFILE = (
    SHARED
    / "corpus"
    / "forcedotcom__source-deploy-retrieve"
    / "test"
    / "snapshot"
    / "sampleProjects"
    / "customTranslationProject"
    / "originalMdapi"
    / "profiles"
    / "Admin.profile"
)
# Objects of the User describe worth shipping (User is not in standard-objects-v64.json).
EXTRA_OBJECTS = ("User",)


def exemption(field: dict) -> NoFieldSecurity | None:
    """Why FLS does not apply to a field (system, owner, compound, required), or None when it does.

    The v64.0 reference has no ``permissionable`` property, so it is derived: see
    leastforce.catalog.fields.field_security_exemption.
    """
    createable = field.get("createable", False)
    return field_security_exemption(field["name"], field["type"], field["nillable"], createable)


def admin_permissions(path: Path) -> list[str]:
    """The enabled <userPermissions> of a profile file, sorted."""
    tree = ElementTree.parse(path)
    ns = {"md": "http://soap.sforce.com/2006/04/metadata"}
    names = [
        (perm.findtext("md:name", namespaces=ns) or "").strip()
        for perm in tree.getroot().findall("md:userPermissions", ns)
        if (perm.findtext("md:enabled", namespaces=ns) or "").strip().lower() == "true"
    ]
    return sorted(n for n in names if n)


def permissions(describes: dict) -> list[dict]:
    fields = describes["sobjects"]["PermissionSet"]["fields"]
    return [
        {"name": f["name"].removeprefix("Permissions"), "label": html.unescape(f["label"])}
        for f in fields
        if f["name"].startswith("Permissions") and f["type"] == "boolean"
    ]


def object_fields(describe: dict) -> list[dict]:
    return [
        {
            "name": f["name"],
            "label": html.unescape(f["label"]),
            "type": f["type"],
            "nillable": f["nillable"],
            "permissionable": exemption(f) is None,
            "not_permissionable_reason": reason.name.lower() if (reason := exemption(f)) else None,
        }
        for f in describe["fields"]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    parser.add_argument("--admin-profile", type=Path, default=ADMIN_PROFILE)
    args = parser.parse_args()
    setup = json.loads((args.reference / "sobject-fields-v64.json").read_text())
    standard = json.loads((args.reference / "standard-objects-v64.json").read_text())
    perms = permissions(setup)
    objects = {
        name: {"label": o["label"], "fields": object_fields(o)} for name, o in standard["sobjects"].items()
    }
    for name in EXTRA_OBJECTS:
        described = setup["sobjects"][name]
        objects[name] = {"label": described["label"], "fields": object_fields(described)}
    write(
        DATA / "permissions.json", {"source": "netcoreforce-v64", "api_version": "64.0", "permissions": perms}
    )
    write(DATA / "objects.json", {"source": "netcoreforce-v64", "api_version": "64.0", "objects": objects})
    admin = admin_permissions(args.admin_profile)
    write(
        DATA / "system_administrator.json", {"source": "corpus-sdr-admin-profile", "user_permissions": admin}
    )
    print(f"{len(perms)} permissions, {len(objects)} objects, {len(admin)} System Administrator permissions")


def write(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n")


if __name__ == "__main__":
    main()

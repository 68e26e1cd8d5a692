"""Regenerate the catalog's generated data files from the v64.0 reference describes.

    .venv/bin/python tools/gen_catalog.py [--reference /work/shared/reference]

Writes src/leastforce/catalog/data/permissions.json (every boolean ``Permissions*`` field of PermissionSet:
API name without the prefix, and label) and objects.json (the standard objects' fields, with the derived
``permissionable`` flag). Hand-curated facts (sections, risk, dependencies, newer permissions, plural labels,
licenses, profiles) live in the YAML files beside them and are not touched.
"""

from __future__ import annotations

import argparse
import html
import json
from pathlib import Path
from xml.etree import ElementTree

DATA = Path(__file__).resolve().parent.parent / "src" / "leastforce" / "catalog" / "data"

# No FieldPermissions rows exist for these: always readable (system fields) or always readable and
# writable (OwnerId). https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_fieldpermissions.htm
SYSTEM_FIELDS = frozenset(
    {
        "Id",
        "CreatedById",
        "CreatedDate",
        "IsDeleted",
        "LastModifiedById",
        "LastModifiedDate",
        "SystemModstamp",
        "OwnerId",
    }
)
# Compound fields are not permissionable themselves; their components are.
COMPOUND_TYPES = frozenset({"address", "location"})
# A real retrieved System Administrator profile (Admin.profile), source id corpus-sdr-admin-profile.
ADMIN_PROFILE = Path(
    "/work/shared/corpus/forcedotcom__source-deploy-retrieve/test/snapshot/sampleProjects/"
    "customTranslationProject/originalMdapi/profiles/Admin.profile"
)
# Objects of the User describe worth shipping (User is not in standard-objects-v64.json).
EXTRA_OBJECTS = ("User",)


def is_permissionable(field: dict) -> bool:
    """FLS applies unless the field is a system field, compound, or universally required.

    The v64.0 reference has no ``permissionable`` property, so derive it: a field that is not nillable,
    is createable and is not a boolean (booleans are never nillable but take FLS) is required on every
    record, and required fields take no field permissions (Metadata API: "required fields' permissions
    can't be retrieved or deployed").
    """
    if field["name"] in SYSTEM_FIELDS or field["type"] in COMPOUND_TYPES:
        return False
    required = not field["nillable"] and field.get("createable", False) and field["type"] != "boolean"
    return not required


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
            "permissionable": is_permissionable(f),
        }
        for f in describe["fields"]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=Path("/work/shared/reference"))
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

"""Diff a managed permission set's setup entity access (Apex classes and pages, custom permissions,
connected apps) against the manifest. Pure.

Access is a SetupEntityAccess row (ParentId = the set, SetupEntityId = the entity); its SetupEntityType
follows from the Id. Rows are created or deleted, never updated.
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_setupentityaccess.htm
External credential principals (ExternalCredentialParameter) are not written: plan notes them for Setup.
"""

from __future__ import annotations

from leastforce.planning.changes import Action, Change, CurrentOrg, Finding, FindingKind, Step
from leastforce.planning.sets import Diff, Parent
from leastforce.values.model import PermissionSet, SetupEntity, SetupEntityType, frozen_map

# Entity types apply writes, with their Setup page under a permission set.
MANAGED_TYPES = {
    SetupEntityType.APEX_CLASS: "Apex Class Access",
    SetupEntityType.APEX_PAGE: "Visualforce Page Access",
    SetupEntityType.CUSTOM_PERMISSION: "Custom Permissions",
    SetupEntityType.CONNECTED_APP: "Assigned Connected Apps",
}


def entity_changes(
    wanted: PermissionSet, parent: Parent, current: CurrentOrg, diff: Diff, findings: list[Finding]
) -> None:
    """Create the missing access rows; on an existing managed set, delete rows beyond the manifest."""
    have = dict(current.entity_rows.get(parent.record_id, {})) if parent.record_id else {}
    wanted_ids: set[str] = set()
    for entity in sorted(wanted.setup_entities, key=lambda e: (e.type.value, e.name)):
        page = MANAGED_TYPES.get(entity.type)
        if page is None:
            findings.append(_not_applied(wanted, entity))
            continue
        entity_id = current.entity_ids.get(entity, "")
        if not entity_id:
            findings.append(
                Finding(
                    FindingKind.BLOCKER,
                    entity.name,
                    f"{entity.type.value} {entity.name!r} is not in this org",
                )
            )
            continue
        wanted_ids.add(entity_id)
        where = f"{parent.title}, {page} > {entity.name}"
        if entity_id in have:
            diff.matches.append(f"{where}: enabled")
            continue
        values, refs = parent.fields()
        diff.changes.append(
            Change(
                Step.ROWS_GROW,
                Action.CREATE,
                "SetupEntityAccess",
                f"{parent.title}/{entity.type.value}:{entity.name}",
                f"{where}: enable",
                frozen_map({**values, "SetupEntityId": entity_id}),
                frozen_map(refs),
            )
        )
    for entity_id, row_id in sorted(have.items()):
        if entity_id not in wanted_ids:
            diff.changes.append(
                Change(
                    Step.ROWS_SHRINK,
                    Action.DELETE,
                    "SetupEntityAccess",
                    f"{parent.title}/{entity_id}",
                    f"{parent.title}: remove access to setup entity {entity_id} (not in the manifest)",
                    record_id=row_id,
                    before=frozen_map({"ParentId": parent.record_id, "SetupEntityId": entity_id}),
                )
            )


def _not_applied(wanted: PermissionSet, entity: SetupEntity) -> Finding:
    return Finding(
        FindingKind.NOTE,
        f"{entity.type.value}:{entity.name}",
        f"not applied by leastforce: in Setup > Permission Sets > {wanted.label or wanted.name}, grant access "
        f"to {entity.type.value} {entity.name}",
    )

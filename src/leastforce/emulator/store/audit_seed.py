"""A fresh org's rows in the objects audit tools read: a few Setup Audit Trail entries, the Health Check
score and the org's security settings. VerificationHistory and SourceMember start empty (no identity
verification has happened; source tracking is off in a production org).

Values follow the Object Reference's examples where it gives one (SetupAuditTrail: Action PermSetCreate
with Display "Created permission set MAD: with user license Salesforce",
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_setupaudittrail.htm);
the other values (the Health Check score, the Section names) are UNVERIFIED.
"""

from __future__ import annotations

from leastforce.emulator.store.txn import Txn

_AUDIT_TRAIL = (
    ("PermSetCreate", "Manage Users", "Created permission set Sales_Ops: with user license Salesforce"),
    (
        "changedUserEmail",
        "Manage Users",
        "Changed Org Admin's email from admin@example.com to admin@emulator.local",
    ),
    ("PermSetAssign", "Manage Users", "Permission set Sales_Ops: assigned to user Org Admin (admin)"),
)


def seed_audit_objects(txn: Txn) -> None:
    """Insert the audit rows of a fresh org (called once, by ``seed_org``)."""
    for action, section, display in _AUDIT_TRAIL:
        txn.insert("SetupAuditTrail", {"Action": action, "Section": section, "Display": display})
    txn.insert("SecurityHealthCheck", {"DurableId": "SecurityHealthCheck", "Score": "61"})
    txn.insert("SecuritySettings", {"DurableId": "Security", "FullName": "Security"})

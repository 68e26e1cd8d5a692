"""Salesforce record Ids: 3-character key prefix + 12 characters, plus the 3-character case-safe suffix.

The suffix algorithm (each 5-character chunk -> a bitmask of its upper-case letters -> one of
``A..Z0..5``) is Salesforce's, as documented for CASESAFEID:
https://help.salesforce.com/s/articleView?id=000385585 and widely reimplemented (simple-salesforce tests).

Key prefixes: sources per line. "fishofprey": http://www.fishofprey.com/2011/09/obscure-salesforce-object-key-prefixes.html;
"corpus": ids seen in /work/shared/corpus/rest (real REST responses); "rest": seen in
REST URLs of real orgs quoted in public repositories (e.g. ".../sobjects/ObjectPermissions/1103h00001wg5TMAAY",
".../sobjects/PermissionSetLicenseAssign/2LA0m0000005pOSGAY", ".../sobjects/UserLicense/1003h0000014mJTAAY").
UNVERIFIED ones are marked.
"""

from __future__ import annotations

import re

_SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ID_RE = re.compile(r"^[0-9A-Za-z]{15}(?:[0-9A-Z]{3})?$")
# Two "instance" characters after the key prefix, as real ids carry a pod code ("0PS2s...").
INSTANCE = "Lf"

KEY_PREFIXES: dict[str, str] = {
    # setup objects
    "User": "005",  # corpus, fishofprey
    "Profile": "00e",  # fishofprey
    "PermissionSet": "0PS",  # corpus
    "PermissionSetAssignment": "0Pa",  # corpus
    "PermissionSetGroup": "0PG",  # corpus (cumulusci psa_query_with_psg)
    "PermissionSetGroupComponent": "0PH",  # UNVERIFIED
    "PermissionSetLicense": "0PL",  # CumulusCI test fixtures (0PL000000000000); UNVERIFIED
    "PermissionSetLicenseAssign": "2LA",  # rest
    "MutingPermissionSet": "0QM",  # UNVERIFIED
    "ObjectPermissions": "110",  # rest
    "FieldPermissions": "01k",  # UNVERIFIED (commonly seen)
    "SetupEntityAccess": "0J0",  # UNVERIFIED (commonly seen)
    "PermissionSetTabSetting": "01P",  # UNVERIFIED
    "UserLicense": "100",  # rest
    "Organization": "00D",  # fishofprey
    "ConnectedApplication": "0H4",  # UNVERIFIED (commonly seen)
    "OauthToken": "0CQ",  # UNVERIFIED
    "LoginHistory": "0Ya",  # fishofprey
    "UserLogin": "0Yw",  # as a real org's UserLogin ids start (issue 15); no stored source: UNVERIFIED
    "CustomPermission": "0CP",  # UNVERIFIED (commonly seen)
    "ApexClass": "01p",  # fishofprey
    "NamedCredential": "0XA",  # UNVERIFIED
    "UserRole": "00E",  # fishofprey
    "Group": "00G",  # fishofprey
    "GroupMember": "011",  # fishofprey
    "EntityDefinition": "000",  # not a real record type: describe shows no keyPrefix (UNVERIFIED)
    "PermissionDependency": "2Pd",  # UNVERIFIED
    "SetupAuditTrail": "0Ym",  # UNVERIFIED (commonly seen)
    "VerificationHistory": "0XV",  # UNVERIFIED
    "SecurityHealthCheck": "0Dt",  # UNVERIFIED
    "SecuritySettings": "0Du",  # UNVERIFIED
    "SourceMember": "0MZ",  # UNVERIFIED (commonly seen)
    "EventLogFile": "0AT",  # REST guide example id 0ATD000000000pyOAA (dome_event_log_file_blob.htm)
    # Tooling API package objects: "Starts with 033" / "Starts with 04t" (InstalledSubscriberPackage reference)
    "SubscriberPackage": "033",
    "SubscriberPackageVersion": "04t",
    "InstalledSubscriberPackage": "0A3",  # UNVERIFIED
    # standard objects (fishofprey unless marked)
    "Account": "001",
    "Asset": "02i",
    "Attachment": "00P",
    "Campaign": "701",
    "CampaignMember": "00v",
    "Case": "500",
    "CaseComment": "00a",
    "Contact": "003",
    "ContentDocument": "069",  # UNVERIFIED
    "ContentVersion": "068",  # UNVERIFIED
    "Contract": "800",
    "Dashboard": "01Z",
    "Document": "015",
    "EmailMessage": "02s",  # UNVERIFIED
    "Event": "00U",
    "FeedItem": "0D5",  # UNVERIFIED
    "Folder": "00l",
    "Individual": "0PK",  # UNVERIFIED
    "Lead": "00Q",
    "Note": "002",
    "Opportunity": "006",
    "OpportunityContactRole": "00K",
    "OpportunityLineItem": "00k",
    "Order": "801",  # UNVERIFIED
    "OrderItem": "802",  # UNVERIFIED
    "Pricebook2": "01s",  # UNVERIFIED
    "PricebookEntry": "01u",  # UNVERIFIED
    "Product2": "01t",  # UNVERIFIED
    "Report": "00O",  # UNVERIFIED
    "Solution": "501",  # UNVERIFIED
    "Task": "00T",  # UNVERIFIED
    "Topic": "0TO",  # UNVERIFIED
}


def key_prefix(sobject: str) -> str:
    """The key prefix for ``sobject``; a stable made-up one (``a0`` + letter) for unknown objects."""
    prefix = KEY_PREFIXES.get(sobject)
    if prefix is None:
        prefix = "a0" + _BASE62[sum(map(ord, sobject)) % 62]
    return prefix


def suffix(id15: str) -> str:
    """The 3-character case-safe suffix of a 15-character Id."""
    out = []
    for chunk in range(3):
        bits = 0
        for pos, char in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << pos
        out.append(_SUFFIX_CHARS[bits])
    return "".join(out)


def make_id(prefix: str, number: int) -> str:
    """The 18-character Id for record ``number`` of a key prefix (prefix + instance + base62 number)."""
    body = ""
    for _ in range(10):
        number, rem = divmod(number, 62)
        body = _BASE62[rem] + body
    id15 = prefix + INSTANCE + body
    return id15 + suffix(id15)


def to18(value: str) -> str | None:
    """The 18-character form of a 15- or 18-character Id; None when ``value`` is not an Id.

    An 18-character value whose suffix does not match its first 15 characters is not an Id.
    """
    if not isinstance(value, str) or not _ID_RE.match(value):
        return None
    id15 = value[:15]
    full = id15 + suffix(id15)
    if len(value) == 18 and value[15:].upper() != full[15:]:
        return None
    return full


def prefix_of(value: str) -> str:
    """The key prefix (first 3 characters) of an Id."""
    return value[:3]


def sobject_for_prefix(prefix: str) -> str | None:
    """The sObject whose key prefix is ``prefix``, if known."""
    for name, known in KEY_PREFIXES.items():
        if known == prefix:
            return name
    return None

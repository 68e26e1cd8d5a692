"""Stable ids for the kinds of manifest problem (``Problem.code``), each with a one-line description.

The ids are what SARIF output (render/sarif.py) reports as rule ids, so code scanning UIs can group and
track problems across runs: rename one only with a reason, and add a new kind here with its description.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

GENERIC = "manifest"  # the default of errors.Problem.code
FILE_UNREADABLE = "file-unreadable"
YAML_INVALID = "yaml-invalid"
MANIFEST_FORMAT = "manifest-format"
MANIFEST_REFERENCE = "manifest-reference"
PERMISSION_LABEL = "permission-label"
UNKNOWN_PERMISSION = "unknown-permission"
PERMISSION_DEPENDENCY = "permission-dependency"
UNKNOWN_OBJECT = "unknown-object"
OBJECT_API_NAME = "object-api-name"
OBJECT_NOT_PERMISSIONABLE = "object-not-permissionable"
UNKNOWN_FIELD = "unknown-field"
FIELD_NOT_PERMISSIONABLE = "field-not-permissionable"
IMPLIED_ACCESS = "implied-access"
SINGLE_ANY = "single-any"
FEATURE_USER_CONFLICT = "feature-user-conflict"
UNKNOWN_LICENSE = "unknown-license"
LICENSE_MISPLACED = "license-misplaced"
LICENSE_CONFLICT = "license-conflict"
LICENSE_CAPACITY = "license-capacity"
UNKNOWN_PROFILE = "unknown-profile"
UNCOVERED_FEATURE = "uncovered-feature"
CREDENTIAL_RENEWAL = "credential-renewal"
RIGHT_SOURCE = "right-source"
NEGATION_CONFLICT = "negation-conflict"
HOSTILE_TEXT = "hostile-text"
UNKNOWN_NAMESPACE = "unknown-namespace"
WHY_TODO = "why-todo"
APP_RUN_AS = "app-run-as"
APP_PREAUTHORIZATION = "app-preauthorization"
APP_FLOW = "app-flow"

DESCRIPTIONS: Mapping[str, str] = MappingProxyType(
    {
        GENERIC: "A problem in a manifest",
        FILE_UNREADABLE: "The manifest file cannot be read as UTF-8 text",
        YAML_INVALID: "Invalid YAML, or YAML a manifest refuses (aliases, tags, duplicate keys, deep nesting)",
        MANIFEST_FORMAT: "The manifest does not follow the manifest format (keys, types, values)",
        MANIFEST_REFERENCE: "Names within the manifest disagree (permission sets and the features they carry)",
        PERMISSION_LABEL: "A user permission written by its label or a variant instead of its API name",
        UNKNOWN_PERMISSION: "A user permission that Salesforce does not have",
        PERMISSION_DEPENDENCY: "A permission that brings other permissions or object access with it",
        UNKNOWN_OBJECT: "An object that is not in leastforce's catalog of standard objects",
        OBJECT_API_NAME: "An object named otherwise than by its API name",
        OBJECT_NOT_PERMISSIONABLE: "Object access asked on an object that takes no object permissions",
        UNKNOWN_FIELD: "A field that is not in leastforce's catalog",
        FIELD_NOT_PERMISSIONABLE: "Field access asked on a field that takes no field-level security",
        IMPLIED_ACCESS: "Access that needs other access too (which will be added)",
        SINGLE_ANY: "An `any:` with a single item",
        FEATURE_USER_CONFLICT: "A feature needs a profile or license the manifest's user does not have",
        UNKNOWN_LICENSE: "A license that leastforce does not know",
        LICENSE_MISPLACED: "A user license or permission set license listed in the other's place",
        LICENSE_CONFLICT: "Licenses, profile and permission sets that cannot go together",
        LICENSE_CAPACITY: "Access the user's license cannot hold",
        UNKNOWN_PROFILE: "A profile that is not a standard profile (it must exist in the org)",
        UNCOVERED_FEATURE: "A feature that no permission set carries",
        CREDENTIAL_RENEWAL: "A credential whose token expires without renewal instructions",
        NEGATION_CONFLICT: "A `not:` requirement that the manifest itself grants",
        HOSTILE_TEXT: "A control, bidi or invisible character in a string (it would rewrite a terminal or disguise a name)",
        UNKNOWN_NAMESPACE: "A namespaced name (ns__Name) or package permission set that no declared package provides",
        RIGHT_SOURCE: "A right that must come from the profile (`from: profile`) without a profile to clone",
        WHY_TODO: "A requirement whose `why` is still a TODO (an adopted manifest: say why, or remove it)",
        APP_RUN_AS: "The client credentials flow's Run As user: missing, not API Only, or given for another flow",
        APP_PREAUTHORIZATION: "An admin-approved app that no feature grants to the user's permission set or profile",
        APP_FLOW: "An OAuth flow that Salesforce blocks or is retiring (username-password, device with an uninstalled app)",
    }
)

"""The YAML shape of ``prerequisites:`` (org state the integration needs) and of ``when:`` conditions.

Each item names one kind (``edition``, ``org_setting``, ``field_history``, ``app_visible``,
``api_capacity``) with a ``why``; ``check: manual`` says no API reads it (verify reports it as not
checked, the guide shows the Setup steps); ``when:`` makes it apply only while the org is in that state.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from leastforce.manifest.schema_atoms import API_NAME, FIELD_NAME, Names, Strict, Text, Why

# EntityDefinition.InternalSharingModel / ExternalSharingModel picklist values (Tooling API reference,
# https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_entitydefinition.htm).
SHARING_MODELS = (
    "None",
    "Private",
    "Read",
    "ReadWrite",
    "ReadWriteTransfer",
    "FullAccess",
    "ControlledByParent",
    "ControlledByCampaign",
    "ControlledByLeadOrContact",
)
KINDS = ("edition", "org_setting", "field_history", "app_visible", "api_capacity")
SharingModel = Literal[
    "None",
    "Private",
    "Read",
    "ReadWrite",
    "ReadWriteTransfer",
    "FullAccess",
    "ControlledByParent",
    "ControlledByCampaign",
    "ControlledByLeadOrContact",
]


class _Doc(Strict):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, use_attribute_docstrings=True)


class ConditionDoc(_Doc):
    """Applies only while the org is in this state, e.g. {object: Account, sharing_model: Private}."""

    object: Annotated[str, Field(pattern=API_NAME)]
    """The object whose org-wide default is tested."""
    sharing_model: SharingModel | None = None
    """Its internal org-wide default (EntityDefinition.InternalSharingModel)."""
    external_sharing_model: SharingModel | None = None
    """Its external org-wide default (EntityDefinition.ExternalSharingModel)."""

    @model_validator(mode="after")
    def _one_test(self) -> ConditionDoc:
        if self.sharing_model is None and self.external_sharing_model is None:
            raise PydanticCustomError("condition", "when: needs sharing_model or external_sharing_model")
        return self


class OrgSettingDoc(_Doc):
    """An org setting as Setup names it, and the value the integration needs."""

    name: Text
    """The setting, e.g. Lock sessions to the IP address from which they originated."""
    value: bool | str
    """The value it needs (true / false, or the option's label)."""
    setup: str = ""
    """Where it is in Setup, e.g. Setup > Session Settings."""


class FieldHistoryDoc(_Doc):
    """Field history tracking must be on for this field."""

    field: Annotated[str, Field(pattern=FIELD_NAME)]
    """Object.Field, e.g. Account.Industry."""


class AppVisibleDoc(_Doc):
    """A Lightning app the integration user must see."""

    app: Text
    """The app's API name (DeveloperName) or label."""


class ApiCapacityDoc(_Doc):
    """The org's daily API request allocation."""

    min_daily_requests: Annotated[int, Field(ge=1)]
    """The least DailyApiRequests.Max the integration needs."""


class PrerequisiteDoc(_Doc):
    """Org state the integration needs, with why; exactly one of its kind keys."""

    edition: Names | None = None
    """Editions that work, e.g. [Enterprise, Unlimited, Performance, Developer]."""
    org_setting: OrgSettingDoc | None = None
    field_history: FieldHistoryDoc | None = None
    app_visible: AppVisibleDoc | None = None
    api_capacity: ApiCapacityDoc | None = None
    why: Why
    check: Literal["api", "manual"] = "api"
    """manual: no API reads it; verify reports it as not checked and the guide shows the Setup steps."""
    when: ConditionDoc | None = None
    """Applies only while the org is in this state."""

    @model_validator(mode="after")
    def _one_kind(self) -> PrerequisiteDoc:
        named = [k for k in KINDS if getattr(self, k) is not None]
        if len(named) != 1:
            raise PydanticCustomError(
                "prerequisite_kind",
                "a prerequisite names exactly one of {kinds} (found {found})",
                {"kinds": ", ".join(KINDS), "found": ", ".join(named) or "none"},
            )
        return self

    @property
    def kind(self) -> str:
        return next(k for k in KINDS if getattr(self, k) is not None)

    def payload(self) -> Any:
        return getattr(self, self.kind)

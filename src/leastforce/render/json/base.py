"""The one base of every JSON result: camelCase keys (``apiCalls``, ``permissionSets``), like sf's ``--json``.

Fields are snake_case in Python; ``dump()`` writes them by alias, and ``schemas.py`` generates the JSON
Schema by alias from the same classes, so the schema cannot drift from the output.
https://docs.pydantic.dev/latest/api/config/#pydantic.config.ConfigDict.alias_generator
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

#: Result fields whose objects are keyed by data (Salesforce field API names), not by our names. The
#: contract test skips the camelCase check below them; their schema says ``additionalProperties``.
DATA_KEYED_FIELDS = frozenset({"values", "refs", "before"})


class JsonModel(BaseModel):
    """A frozen result model; keys are camelCase in JSON, never mixed."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="forbid")

    def dump(self) -> dict[str, Any]:
        """Plain JSON values, camelCase keys."""
        return self.model_dump(mode="json", by_alias=True)

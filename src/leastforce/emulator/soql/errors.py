"""SOQL errors, shaped like the REST API's `[{"message", "errorCode"}]` bodies.

Salesforce prefixes positional errors with the offending line, a caret and
``ERROR at Row:r:Column:c`` (1-based), e.g. for INVALID_FIELD (seen in real responses quoted in
https://github.com/forcedotcom/soql-tooling/issues/86 and https://github.com/mautic/mautic/pull/13406)::

    \\nSelect Id, Status, Location, Body from ApexLog\\n                             ^\\n
    ERROR at Row:1:Column:30\\nNo such column 'Body' on entity 'ApexLog'. If you are attempting ...
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """The REST `errorCode` values the SOQL engine produces."""

    MALFORMED_QUERY = "MALFORMED_QUERY"
    INVALID_FIELD = "INVALID_FIELD"
    INVALID_TYPE = "INVALID_TYPE"
    INVALID_QUERY_FILTER_OPERATOR = "INVALID_QUERY_FILTER_OPERATOR"
    NUMBER_OUTSIDE_VALID_RANGE = "NUMBER_OUTSIDE_VALID_RANGE"


class SoqlError(Exception):
    """A query the emulated org refuses; `error_code` and `message` go into the REST error body."""

    def __init__(self, error_code: str | ErrorCode, message: str) -> None:
        code = error_code.value if isinstance(error_code, ErrorCode) else error_code
        super().__init__(f"{code}: {message}")
        self.error_code: str = code
        self.message: str = message


def located(text: str, pos: int, detail: str) -> str:
    """Format `detail` the way Salesforce does for an error at character offset `pos` of `text`."""
    pos = max(0, min(pos, len(text)))
    row = text.count("\n", 0, pos) + 1
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    column = pos - line_start + 1
    return f"\n{line}\n{' ' * (column - 1)}^\nERROR at Row:{row}:Column:{column}\n{detail}"


def malformed(text: str, pos: int, detail: str) -> SoqlError:
    """A MALFORMED_QUERY error located at `pos`; parse errors read "unexpected token: '('" as in
    https://github.com/jongpie/NebulaLogger/issues/131."""
    return SoqlError(ErrorCode.MALFORMED_QUERY, located(text, pos, detail))


def no_such_column(text: str, pos: int, field: str, sobject: str) -> SoqlError:
    """INVALID_FIELD for an unknown field (message text from real responses, see module docstring)."""
    detail = (
        f"No such column '{field}' on entity '{sobject}'. If you are attempting to use a custom field, "
        "be sure to append the '__c' after the custom field name. Please reference your WSDL or the "
        "describe call for the appropriate names."
    )
    return SoqlError(ErrorCode.INVALID_FIELD, located(text, pos, detail))


def unknown_relationship(text: str, pos: int, name: str, where: str = "field path") -> SoqlError:
    """INVALID_FIELD for an unknown parent relationship (message seen in
    https://github.com/jamessimone/apex-rollup/issues/709); `where` is "FROM part of query call"
    for an unknown child relationship (UNVERIFIED wording and code for that case)."""
    detail = (
        f"Didn't understand relationship '{name}' in {where}. If you are attempting to use a custom "
        "relationship, be sure to append the '__r' after the custom relationship name. Please reference "
        "your WSDL or the describe call for the appropriate names."
    )
    code = ErrorCode.INVALID_FIELD if where == "field path" else ErrorCode.INVALID_TYPE
    return SoqlError(code, located(text, pos, detail))

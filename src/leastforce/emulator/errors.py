"""The emulator's one error: a Salesforce REST API error with its HTTP status.

REST error bodies are ``[{"message": ..., "errorCode": ..., "fields": [...]}]``; collection
SaveResults carry the same values as ``{"statusCode", "message", "fields"}``.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
"""

from __future__ import annotations

from typing import Any

# Errors about the request itself (a query, a path) carry no "fields" key, unlike a refused write:
# GET /query?q=invalid -> [{"message":"unexpected token: 'invalid'","errorCode":"MALFORMED_QUERY"}] on a real
# org (jesperkristensen/node-salesforce-connection, salesforce-test.js), and an unknown record or resource ->
# [{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}] (errorCode first), as
# quoted from real responses in many clients' tests (e.g. simple-salesforce users, sf-functions-python).
_REQUEST_ERRORS = frozenset(
    {
        "MALFORMED_QUERY",
        "INVALID_FIELD",
        "INVALID_TYPE",
        "INVALID_QUERY_FILTER_OPERATOR",
        "NUMBER_OUTSIDE_VALID_RANGE",
        "INVALID_QUERY_LOCATOR",
    }
)


class ApiError(Exception):
    """A request Salesforce would refuse: HTTP ``status``, ``error_code`` (e.g. ``DUPLICATE_VALUE``),
    the exact ``message`` and the ``fields`` it concerns."""

    def __init__(self, status: int, error_code: str, message: str, fields: tuple[str, ...] = ()) -> None:
        super().__init__(f"{error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.fields = tuple(fields)

    def to_rest(self) -> list[dict[str, Any]]:
        """The REST error body."""
        if self.error_code == "NOT_FOUND" and not self.fields:
            return [{"errorCode": self.error_code, "message": self.message}]
        if self.error_code in _REQUEST_ERRORS and not self.fields:
            return [{"message": self.message, "errorCode": self.error_code}]
        return [{"message": self.message, "errorCode": self.error_code, "fields": list(self.fields)}]

    def to_save_error(self) -> dict[str, Any]:
        """One entry of a SaveResult's ``errors`` list."""
        return {"statusCode": self.error_code, "message": self.message, "fields": list(self.fields)}

    def __reduce__(self) -> tuple[Any, ...]:
        return (ApiError, (self.status, self.error_code, self.message, self.fields))


def not_found(message: str = "The requested resource does not exist") -> ApiError:
    """404 NOT_FOUND, as for GET /sobjects/X/<unknown id>."""
    return ApiError(404, "NOT_FOUND", message)


def invalid_type(sobject: str) -> ApiError:
    """404 NOT_FOUND for an unknown sObject in a /sobjects/ URL."""
    return ApiError(404, "NOT_FOUND", "The requested resource does not exist")


def malformed_id(sobject: str, value: str, field: str = "Id") -> ApiError:
    """400 MALFORMED_ID for a value that is not a Salesforce Id of the right type.

    Wording as seen in REST responses ("Account ID: id value of incorrect type: 0055...");
    UNVERIFIED for every object.
    """
    return ApiError(400, "MALFORMED_ID", f"{sobject} ID: id value of incorrect type: {value}", (field,))

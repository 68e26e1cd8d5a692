"""One root error per layer. Only the CLI turns these into messages and exit codes.

Exit codes (shared with every command): 0 ok, 1 check failed (something missing / findings),
2 bad input (manifest, metadata, arguments), 3 org or connection error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class LeastforceError(Exception):
    """Root of every error leastforce raises on purpose."""

    exit_code = 2


@dataclass(frozen=True)
class Position:
    """A place in an input file; line and column are 1-based (0 when unknown)."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.file}:{self.line}:{self.column}"
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file


class InputError(LeastforceError):
    """Bad input the user can fix: a file that cannot be read or parsed."""

    def __init__(self, message: str, position: Position | None = None) -> None:
        self.message = message
        self.position = position
        super().__init__(f"{position}: {message}" if position else message)


class ManifestError(InputError):
    """A manifest that cannot be loaded; carries every problem found, each with file:line:col."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        first = problems[0] if problems else Problem("error", "invalid manifest", Position("?"))
        super().__init__(first.message, first.position)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


@dataclass(frozen=True)
class Problem:
    """One validation finding on an input file.

    ``code`` is a stable id for the kind of problem (values/problem_codes.py lists them with a description;
    SARIF output uses it as the rule id); "manifest" is the generic one.
    """

    severity: str  # "error" | "warning"
    message: str
    position: Position
    code: str = "manifest"

    def __str__(self) -> str:
        return f"{self.position}: {self.severity}: {self.message}"


class MetadataError(InputError):
    """Salesforce metadata XML that cannot be parsed."""


class OrgError(LeastforceError):
    """Anything that went wrong talking to an org. Carries Salesforce's error code and a hint."""

    exit_code = 3

    def __init__(self, message: str, *, error_code: str = "", status: int = 0, hint: str = "") -> None:
        self.message = message
        self.error_code = error_code
        self.status = status
        self.hint = hint
        text = f"{error_code}: {message}" if error_code else message
        super().__init__(f"{text} ({hint})" if hint else text)


class AuthError(OrgError):
    """Login or session failures (invalid_grant, INVALID_SESSION_ID ...)."""


class PermissionDenied(OrgError):
    """INSUFFICIENT_ACCESS and friends: the connected user lacks a right."""


class RequestLimitError(OrgError):
    """REQUEST_LIMIT_EXCEEDED: the org's daily API limit is spent."""


class TransientOrgError(OrgError):
    """A failure worth retrying: 5xx, dropped connection, timeout."""


class WriteError(OrgError):
    """A write Salesforce refused (FIELD_INTEGRITY_EXCEPTION, DUPLICATE_VALUE ...)."""


class AnswerLost(OrgError):
    """A write was sent and no answer came back (dropped connection, timeout): it may or may not have
    happened. Never retried blindly (a retried create could make a second record); the caller reads the
    org to find out."""


class ConflictError(OrgError):
    """The row changed since it was read (412 Precondition Failed on If-Unmodified-Since, or a changed
    SystemModstamp): writing would overwrite a change someone else made."""


def display_path(path: Path | str) -> str:
    """A path as the user typed it (relative when under the working directory)."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)

"""SOQL tokenizer: turns query text into `Token`s with character offsets for error messages.

Quoted strings use single quotes with backslash escapes
(https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm):
\\n \\r \\t \\b \\f \\" \\' \\\\ and, for LIKE patterns, \\_ and \\% (in LIKE patterns they stand for a
literal % or _). Date and dateTime values are unquoted (YYYY-MM-DD, YYYY-MM-DDThh:mm:ss[.sss]Z
or +hh:mm/-hh:mm).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum

from leastforce.emulator.soql.errors import malformed


class TokenKind(Enum):
    """Lexical classes of SOQL."""

    IDENT = "ident"
    STRING = "string"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    OP = "op"
    PUNCT = "punct"
    EOF = "eof"


@dataclass(frozen=True)
class Token:
    """One token; `text` is the source spelling, `value` the decoded literal (strings, numbers)."""

    kind: TokenKind
    text: str
    pos: int
    value: object = None
    like: str = ""  # for STRING: the LIKE pattern as a regular expression (% -> .*, _ -> .)

    def is_word(self, *words: str) -> bool:
        """True if this is an identifier spelled as one of `words` (keywords are case-insensitive)."""
        return self.kind is TokenKind.IDENT and self.text.upper() in words


_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?![\w:])")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?![\w])")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPS = ("!=", "<>", "<=", ">=", "=", "<", ">")
_PUNCT = "(),.:"
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def tokenize(text: str) -> list[Token]:
    """All tokens of `text`, ending with an EOF token; raises SoqlError(MALFORMED_QUERY)."""
    tokens: list[Token] = []
    pos, end = 0, len(text)
    while pos < end:
        ch = text[pos]
        if ch.isspace():
            pos += 1
            continue
        token = _next_token(text, pos)
        tokens.append(token)
        pos += len(token.text)
    tokens.append(Token(TokenKind.EOF, "", end))
    return tokens


def _next_token(text: str, pos: int) -> Token:
    ch = text[pos]
    if ch == "'":
        return _string(text, pos)
    for kind, pattern in ((TokenKind.DATETIME, _DATETIME), (TokenKind.DATE, _DATE)):
        match = pattern.match(text, pos)
        if match:
            _check_calendar(text, pos, match.group())
            return Token(kind, match.group(), pos, match.group())
    match = _NUMBER.match(text, pos)
    if match:
        number = match.group()
        value: float | int = float(number) if "." in number else int(number)
        return Token(TokenKind.NUMBER, number, pos, value)
    match = _IDENT.match(text, pos)
    if match:
        return Token(TokenKind.IDENT, match.group(), pos)
    for op in _OPS:
        if text.startswith(op, pos):
            return Token(TokenKind.OP, op, pos)
    if ch in _PUNCT:
        return Token(TokenKind.PUNCT, ch, pos)
    raise malformed(text, pos, f"unexpected token: '{ch}'")


def _check_calendar(text: str, pos: int, value: str) -> None:
    """Refuse impossible dates and times (2026-02-30, 25:00:00) as MALFORMED_QUERY."""
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        # UNVERIFIED wording for an impossible date value.
        raise malformed(text, pos, f"unexpected token: '{value}'") from None


def _string(text: str, start: int) -> Token:
    """A single-quoted string at `start`: `value` is the decoded text, `like` the same text as a
    LIKE regular expression (bare % and _ are wildcards, escaped ones literal)."""
    plain: list[str] = []
    pattern: list[str] = []
    pos = start + 1
    while pos < len(text):
        ch = text[pos]
        if ch == "'":
            raw = text[start : pos + 1]
            return Token(TokenKind.STRING, raw, start, "".join(plain), "".join(pattern))
        if ch == "\\":
            nxt = text[pos + 1 : pos + 2]
            if not (nxt in _ESCAPES or nxt in ("%", "_")):
                # UNVERIFIED wording; Salesforce rejects unknown escapes as MALFORMED_QUERY.
                raise malformed(text, pos, f"Illegal character sequence '\\{nxt}' in string literal.")
            decoded = _ESCAPES.get(nxt, nxt)
            plain.append(decoded)
            pattern.append(re.escape(decoded))
            pos += 2
            continue
        plain.append(ch)
        pattern.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        pos += 1
    # UNVERIFIED wording for an unterminated string.
    raise malformed(text, start, "unexpected token: '''")

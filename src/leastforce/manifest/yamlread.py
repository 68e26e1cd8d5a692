"""Read a manifest file into a YAML tree with positions, refusing anything unsafe or ambiguous.

ruamel.yaml's round-trip loader (YAML 1.2: ``yes`` stays a string) keeps 0-based line/column of every
key and item; we report them 1-based. Before building the tree, one pass over the parser's events
refuses what a manifest never needs and what could hurt: aliases (a "billion laughs" expands
exponentially), custom tags, several documents, duplicate keys (reported all at once) and nesting
deeper than ``MAX_DEPTH``. Files over ``MAX_BYTES`` and bytes that are not UTF-8 are refused first.
Every failure is a ManifestError with file:line:col; nothing here lets a parser exception escape.
"""

from __future__ import annotations

import io
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from ruamel.yaml.reader import ReaderError

from leastforce.errors import ManifestError, Position, Problem
from leastforce.values import problem_codes as codes
from leastforce.values.visible import hostile_character

MAX_BYTES = 256 * 1024  # the five examples are 3-6 KiB; parsing 1 MiB of YAML takes ~15 s
MAX_DEPTH = 32
# Explicit tags that only restate a core YAML type are harmless; anything else is refused.
_CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")
)


@dataclass
class _Frame:
    """One open collection while scanning events (mutable scratch space, never leaves this module)."""

    is_mapping: bool
    expect_key: bool = True
    keys: set[str] = field(default_factory=set)


def read_yaml(path: str | Path, display: str) -> Any:
    """The YAML document in ``path`` as a ruamel round-trip tree (CommentedMap/CommentedSeq/scalars).

    ``display`` is the file name used in messages. Raises ManifestError for every refusal.
    """
    text = _read_text(Path(path), display)
    problems = _scan_events(text, display)
    if problems:
        raise ManifestError(tuple(problems))
    try:
        return YAML(typ="rt").load(text)
    except YAMLError as exc:
        raise ManifestError((_yaml_problem(exc, display, text),)) from None
    except RecursionError:
        raise ManifestError(
            (Problem("error", "the YAML is nested too deeply", Position(display), codes.YAML_INVALID),)
        ) from None


def _read_text(path: Path, display: str) -> str:
    where = Position(display)
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not hang; anything but a regular file is refused
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                kind = "a directory" if path.is_dir() else "not a regular file"
                raise ManifestError(
                    (Problem("error", f"is {kind}, not a manifest file", where, codes.FILE_UNREADABLE),)
                )
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ManifestError((Problem("error", "no such file", where, codes.FILE_UNREADABLE),)) from None
    except IsADirectoryError:
        raise ManifestError(
            (Problem("error", "is a directory, not a manifest file", where, codes.FILE_UNREADABLE),)
        ) from None
    except OSError as exc:
        raise ManifestError(
            (Problem("error", f"cannot read: {exc.strerror or exc}", where, codes.FILE_UNREADABLE),)
        ) from None
    if len(data) > MAX_BYTES:
        message = f"file is larger than {MAX_BYTES // 1024} KiB; a manifest is a few KiB"
        raise ManifestError((Problem("error", message, where, codes.FILE_UNREADABLE),))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError((_decode_problem(data, exc.start, display),)) from None


def _decode_problem(data: bytes, offset: int, display: str) -> Problem:
    """Point at the first byte that is not UTF-8, 1-based line and column (in characters)."""
    before = data[:offset]
    line = before.count(b"\n") + 1
    column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
    message = f"the file is not UTF-8 text (byte 0x{data[offset]:02x}); save it as UTF-8"
    return Problem("error", message, Position(display, line, column), codes.FILE_UNREADABLE)


def _scan_events(text: str, display: str) -> list[Problem]:
    """Refusals found in the event stream (all of them), or the parse error that stopped it."""
    problems: list[Problem] = []
    stack: list[_Frame] = []
    documents = 0
    try:
        for event in YAML(typ="rt").parse(io.StringIO(text)):
            if isinstance(event, DocumentStartEvent):
                documents += 1
                if documents == 2:
                    problems.append(_at(event, display, "a manifest is one YAML document; remove the second"))
            problems.extend(_check_event(event, stack, display))
            # Stop early: enough to fix, and ruamel's scanner slows down quadratically with depth.
            if len(problems) > 50 or len(stack) > MAX_DEPTH:
                break
    except YAMLError as exc:
        problems.append(_yaml_problem(exc, display, text))
    except RecursionError:
        problems.append(
            Problem("error", "the YAML is nested too deeply", Position(display), codes.YAML_INVALID)
        )
    return problems


def _check_event(event: Event, stack: list[_Frame], display: str) -> list[Problem]:
    problems = []
    if isinstance(event, AliasEvent):
        problems.append(
            _at(event, display, "YAML aliases (*name) are not allowed in a manifest; repeat the value")
        )
    if isinstance(event, NodeEvent | CollectionStartEvent):
        tag = getattr(event, "tag", None)
        if tag and tag not in _CORE_TAGS and not (isinstance(event, ScalarEvent) and tag == "!"):
            problems.append(_at(event, display, f"YAML tag {tag} is not allowed in a manifest"))
    if isinstance(event, ScalarEvent):
        problems.extend(_hostile_scalar(event, display))
    parent = stack[-1] if stack else None
    if parent is not None and parent.is_mapping and isinstance(event, NodeEvent):
        if parent.expect_key and isinstance(event, ScalarEvent):
            key = str(event.value)
            if key == "<<" and event.style is None:  # a merge key, with or without an alias
                problems.append(_at(event, display, "YAML merge keys (<<) are not allowed in a manifest"))
            if key in parent.keys:
                problems.append(_at(event, display, f"duplicate key {key!r}"))
            parent.keys.add(key)
        parent.expect_key = not parent.expect_key
    if isinstance(event, MappingStartEvent | SequenceStartEvent):
        stack.append(_Frame(is_mapping=isinstance(event, MappingStartEvent)))
        if len(stack) == MAX_DEPTH + 1:
            problems.append(_at(event, display, f"nesting deeper than {MAX_DEPTH} levels"))
    elif isinstance(event, MappingEndEvent | SequenceEndEvent) and stack:
        stack.pop()
    return problems


def _hostile_scalar(event: ScalarEvent, display: str) -> list[Problem]:
    """A control, bidi or invisible character in a string (written as an escape in a quoted scalar: raw
    ones are refused by the YAML reader): a name or label that looks like another, or that rewrites the
    admin's terminal. Tab and line feed are allowed (block scalars), nothing else (values/visible.py)."""
    value = str(event.value)
    if event.style == ">":  # ruamel marks the folds of a folded scalar with BEL; a raw BEL cannot be written
        value = value.replace("\a", "")
    found = hostile_character(value, allow_lines=True)
    if found is None:
        return []
    message = (
        f"the string holds the invisible or control character {found[1]}: names, labels and text in a "
        "manifest must be plain visible text"
    )
    mark = event.start_mark
    return [Problem("error", message, Position(display, mark.line + 1, mark.column + 1), codes.HOSTILE_TEXT)]


def _at(event: Event, display: str, message: str) -> Problem:
    mark = event.start_mark
    return Problem("error", message, Position(display, mark.line + 1, mark.column + 1), codes.YAML_INVALID)


def _yaml_problem(exc: YAMLError, display: str, text: str) -> Problem:
    """A ruamel error as a Problem at its mark (problem mark first, then context mark)."""
    if isinstance(exc, ReaderError):  # a control character: ruamel gives a character offset
        before = text[: exc.position]
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        message = f"invalid YAML: character #x{exc.character:04x} is not allowed ({exc.reason})"
        return Problem("error", message, Position(display, line, column), codes.YAML_INVALID)
    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        parts = [p for p in (exc.context, exc.problem) if p]
        message = "invalid YAML: " + ("; ".join(str(p) for p in parts) or type(exc).__name__)
        if mark is not None:
            return Problem(
                "error", message, Position(display, mark.line + 1, mark.column + 1), codes.YAML_INVALID
            )
        return Problem("error", message, Position(display), codes.YAML_INVALID)
    text = " ".join(str(exc).split())
    return Problem("error", f"invalid YAML: {text}", Position(display), codes.YAML_INVALID)

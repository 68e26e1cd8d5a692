"""Faults on demand, deterministic for a given seed.

A `FaultPlan` says what should go wrong; a `FaultInjector` draws, call by call, what does go wrong.
Two injectors built from the same plan and fed the same sequence of calls give the same sequence of
faults (one `random.Random(seed)` consumed in a fixed order per call), so a test can replay a failure.

Faults apply to API calls under /services/data (not to OAuth, not to the admin endpoints).
"""

from __future__ import annotations

import enum
import json
import random
import threading
from dataclasses import asdict, dataclass, fields
from typing import Any


class FaultKind(enum.Enum):
    """What the server does instead of (or before) answering normally."""

    NONE = "none"
    DROP = "drop"  # close the connection without an answer
    ERROR_500 = "error_500"  # UNKNOWN_EXCEPTION
    ERROR_503 = "error_503"  # SERVER_UNAVAILABLE
    EXPIRE_SESSION = "expire_session"  # every session is expired, this call gets INVALID_SESSION_ID
    RATE_LIMIT = "rate_limit"  # REQUEST_LIMIT_EXCEEDED
    FAIL_WRITE = "fail_write"  # this write fails with UNKNOWN_EXCEPTION, nothing is written
    LOSE_ANSWER = "lose_answer"  # this write is done, then the connection closes before the answer


@dataclass(frozen=True)
class FaultPlan:
    """What should go wrong. Zero/None everywhere means no faults.

    latency_ms: added to every API call. error_rate: share of calls answered 500 or 503 (half each,
    drawn). drop_rate: share of calls whose connection is closed without an answer.
    expire_session_after: after this many API calls every session expires (once).
    fail_nth_write: the Nth write call (POST/PATCH/PUT/DELETE, 1-based) fails. rate_limit_after: every
    call after this many answers 403 REQUEST_LIMIT_EXCEEDED.
    lose_answer_rate / lose_nth_write: a share of write calls (or the Nth one) is carried out and
    committed, then the connection closes without the answer: the client cannot know the write happened.
    """

    seed: int = 0
    latency_ms: int = 0
    error_rate: float = 0.0
    drop_rate: float = 0.0
    expire_session_after: int | None = None
    fail_nth_write: int | None = None
    rate_limit_after: int | None = None
    lose_answer_rate: float = 0.0
    lose_nth_write: int | None = None

    def __post_init__(self) -> None:
        for name in ("error_rate", "drop_rate", "lose_answer_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if self.error_rate + self.drop_rate + self.lose_answer_rate > 1.0:
            raise ValueError("error_rate + drop_rate + lose_answer_rate must not exceed 1")
        if self.latency_ms < 0:
            raise ValueError("latency_ms must not be negative")

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> FaultPlan:
        """Build from JSON-like data; unknown keys are an error (a typo must not silently do nothing)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"unknown fault setting(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        return cls(**data)

    @classmethod
    def from_json(cls, text: str) -> FaultPlan:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a fault plan is a JSON object")
        return cls.from_mapping(data)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FaultDecision:
    """The outcome for one call: a kind and the latency to add first."""

    kind: FaultKind
    latency_ms: int = 0


class FaultInjector:
    """Draws the fault for each API call in order. Thread-safe; counters are readable for /_emulator/stats."""

    def __init__(self, plan: FaultPlan | None = None) -> None:
        self._lock = threading.Lock()
        self._plan = plan or FaultPlan()
        self._reset_counters()

    def _reset_counters(self) -> None:
        self._rng = random.Random(self._plan.seed)
        self.calls = 0
        self.writes = 0
        self.injected: dict[str, int] = {}
        self._expired = False
        self.history: list[str] = []

    @property
    def plan(self) -> FaultPlan:
        return self._plan

    def set_plan(self, plan: FaultPlan | None) -> None:
        """Replace the plan and restart its sequence (calls and draws counted from zero)."""
        with self._lock:
            self._plan = plan or FaultPlan()
            self._reset_counters()

    def decide(self, *, is_write: bool) -> FaultDecision:
        """The fault for the next API call. Draws exactly two random numbers per call, always."""
        with self._lock:
            plan = self._plan
            self.calls += 1
            if is_write:
                self.writes += 1
            roll, split = self._rng.random(), self._rng.random()
            kind = self._pick(plan, roll, split, is_write)
            if kind is not FaultKind.NONE:
                self.injected[kind.value] = self.injected.get(kind.value, 0) + 1
            self.history.append(kind.value)
            return FaultDecision(kind, plan.latency_ms)

    def _pick(self, plan: FaultPlan, roll: float, split: float, is_write: bool) -> FaultKind:
        if plan.rate_limit_after is not None and self.calls > plan.rate_limit_after:
            return FaultKind.RATE_LIMIT
        if (
            plan.expire_session_after is not None
            and not self._expired
            and self.calls > plan.expire_session_after
        ):
            self._expired = True
            return FaultKind.EXPIRE_SESSION
        if roll < plan.drop_rate:
            return FaultKind.DROP
        if roll < plan.drop_rate + plan.error_rate:
            return FaultKind.ERROR_500 if split < 0.5 else FaultKind.ERROR_503
        lose_until = plan.drop_rate + plan.error_rate + plan.lose_answer_rate
        if is_write and roll < lose_until:
            return FaultKind.LOSE_ANSWER
        if is_write and plan.fail_nth_write is not None and self.writes == plan.fail_nth_write:
            return FaultKind.FAIL_WRITE
        if is_write and plan.lose_nth_write is not None and self.writes == plan.lose_nth_write:
            return FaultKind.LOSE_ANSWER
        return FaultKind.NONE

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "plan": self._plan.to_dict(),
                "calls": self.calls,
                "writes": self.writes,
                "injected": dict(sorted(self.injected.items())),
            }

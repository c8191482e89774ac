"""Clocks and deadlines, passed in so that tests control time and nothing sleeps for real."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

Remaining = Callable[[], float]  # seconds left before the hard deadline


class Clock(Protocol):
    """Wall time (UTC) and a way to wait."""

    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def lambda_remaining(context: Any) -> Remaining:
    """Seconds left in a Lambda invocation, from its context."""
    return lambda: context.get_remaining_time_in_millis() / 1000.0


def budget_remaining(clock: Clock, seconds: float) -> Remaining:
    """Seconds left of a budget that starts now (a local run's --max-seconds)."""
    start = clock.now()
    return lambda: seconds - (clock.now() - start).total_seconds()

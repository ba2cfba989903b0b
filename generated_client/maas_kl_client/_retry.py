"""Retry and poll schedules: exponential backoff with jitter, Retry-After, total deadlines; no I/O."""

from __future__ import annotations

import email.utils
import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry a request that failed for a retryable reason.

    Example: ``RetryPolicy(max_attempts=6, deadline=120.0)``.
    """

    max_attempts: int = 4
    """Attempts in total, the first included; 1 disables retries."""
    initial_delay: float = 0.5
    """Delay before the first retry, in seconds, before jitter."""
    multiplier: float = 2.0
    """Growth of the delay per retry."""
    max_delay: float = 8.0
    """Upper bound of one backoff delay."""
    jitter: float = 0.25
    """Relative spread of each delay (0.25 means +/-25 %), so clients do not retry in lockstep."""
    deadline: float | None = 60.0
    """Total seconds a call may spend across attempts and waits; None means no bound beyond max_attempts."""
    max_retry_after: float = 60.0
    """A Retry-After longer than this is not waited for: the error is raised instead."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            msg = f"max_attempts must be at least 1, got {self.max_attempts}"
            raise ValueError(msg)
        if not 0 <= self.jitter < 1:
            msg = f"jitter must be in [0, 1), got {self.jitter}"
            raise ValueError(msg)

    def backoff(self, retry_number: int, random: Callable[[], float]) -> float:
        """Delay before retry number `retry_number` (1 for the first retry), jittered."""
        base = min(self.max_delay, self.initial_delay * self.multiplier ** (retry_number - 1))
        return max(0.0, base * (1 + self.jitter * (2 * random() - 1)))

    def delay(
        self,
        *,
        attempt: int,
        retry_after: float | None,
        elapsed: float,
        random: Callable[[], float],
    ) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None when the policy says stop."""
        if attempt >= self.max_attempts:
            return None
        if retry_after is not None:
            if retry_after > self.max_retry_after:
                return None
            wait = retry_after
        else:
            wait = self.backoff(attempt, random)
        if self.deadline is not None and elapsed + wait > self.deadline:
            return None
        return wait


@dataclass(frozen=True, slots=True)
class PollSchedule:
    """Intervals between status queries while waiting for a task: start short, grow, cap.

    Example: ``PollSchedule(initial=1.0, multiplier=1.5, maximum=10.0)``.
    """

    initial: float = 2.0
    """First interval, in seconds."""
    multiplier: float = 1.5
    """Growth per poll."""
    maximum: float = 15.0
    """Longest interval."""

    def interval(self, poll_number: int) -> float:
        """Seconds to wait after poll `poll_number` (0 for the first)."""
        return min(self.maximum, self.initial * self.multiplier**poll_number)

    def after(self, poll_number: int, task: object, elapsed: float) -> float:
        """Answer the wait plan: a fixed schedule ignores the task and its age."""
        return self.interval(poll_number)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or HTTP-date), or None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - now
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)

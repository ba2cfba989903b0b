"""Clocks the simulation reads time from, so tests move time instead of sleeping."""

from __future__ import annotations

import time


class Clock:
    """Wall-clock time plus an offset that the control API and tests can advance."""

    def __init__(self) -> None:
        self._offset = 0.0

    def now(self) -> float:
        """Seconds since the epoch, as the simulation sees them."""
        return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        """Move simulated time forward by `seconds` (never back); returns the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward; pass seconds >= 0")
        self._offset += seconds
        return self.now()


class ManualClock(Clock):
    """A clock that moves only when told: the deterministic mode for tests."""

    def __init__(self, start: float = 1_722_769_557.708) -> None:
        super().__init__()
        self._now = start

    def now(self) -> float:
        """Return the frozen simulated time."""
        return self._now

    def advance(self, seconds: float) -> float:
        """Move time forward by `seconds`; returns the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward; pass seconds >= 0")
        self._now += seconds
        return self._now

    # The shape of an injectable client clock (monotonic, time, sleep, asleep), so an SDK under
    # test can share this clock: each of its sleeps moves the simulation instead of waiting.
    def monotonic(self) -> float:
        """Return simulated time; it never goes backwards."""
        return self._now

    def time(self) -> float:
        """Return simulated Unix time."""
        return self._now

    def sleep(self, seconds: float) -> None:
        """Advance instead of blocking."""
        self.advance(max(seconds, 0.0))

    async def asleep(self, seconds: float) -> None:
        """Advance instead of suspending."""
        self.advance(max(seconds, 0.0))

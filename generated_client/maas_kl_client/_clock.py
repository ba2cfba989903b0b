"""Time as an injected dependency, so retries and waits are testable without sleeping."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """What the SDK needs from time: a monotonic reading, wall time for Retry-After dates, and sleeping."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin; never goes backwards."""
        ...

    def time(self) -> float:
        """Wall-clock Unix time, only used to read HTTP-date Retry-After values."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block the calling thread."""
        ...

    async def asleep(self, seconds: float) -> None:
        """Suspend the calling task."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """Read time.monotonic."""
        return time.monotonic()

    def time(self) -> float:
        """Read time.time."""
        return time.time()

    def sleep(self, seconds: float) -> None:
        """Call time.sleep."""
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        """Call asyncio.sleep."""
        import asyncio  # noqa: PLC0415 - loaded by the async client, never by a sync one

        await asyncio.sleep(seconds)

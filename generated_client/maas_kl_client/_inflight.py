"""Requests a plan started (`Start`) and has not collected yet: asyncio tasks for AsyncMaasKL, answers for MaasKL.

The async driver overlaps a batch's requests on its event loop; the sync driver (its unasync twin)
calls `start` with the answer already in hand, so a sync batch still sends one request at a time
(decision S17).
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from ._clock import Clock
from ._plans import Answered, Outcome

if TYPE_CHECKING:
    import asyncio  # each AsyncRequests method imports it: a sync client, which makes Requests, never loads it


class AsyncRequests:
    """Started requests as tasks on the running loop; `collect` returns those answered, or waits for one."""

    overlapping = True
    """A batch may have several requests in flight, so it ramps its creates up (decision S17)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._tasks: dict[asyncio.Task[Outcome], int] = {}

    def start(self, ticket: int, answer: Coroutine[Any, Any, Outcome]) -> None:
        """Let `answer` (one request and its outcome) run on the loop while the plan goes on."""
        import asyncio  # noqa: PLC0415 - loaded already by the async client's loop

        self._tasks[asyncio.ensure_future(answer)] = ticket

    async def collect(self, seconds: float | None) -> Answered:
        """Return the answered requests; with none yet, wait for the first, or `seconds` on the client's clock."""
        import asyncio  # noqa: PLC0415 - loaded already by the async client's loop

        if not self._tasks:
            if seconds:
                await self._clock.asleep(seconds)
            return []
        if not any(task.done() for task in self._tasks):
            await asyncio.sleep(0)  # an answer needing no I/O (in-process transport) comes before any timer
        if not any(task.done() for task in self._tasks):
            waiting: set[asyncio.Future[Any]] = set(self._tasks)
            timer = None if seconds is None else asyncio.ensure_future(self._clock.asleep(seconds))
            try:
                await asyncio.wait(waiting if timer is None else {*waiting, timer}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                if timer is not None:
                    timer.cancel()
        answered = [task for task in self._tasks if task.done()]
        return [(self._tasks.pop(task), task.result()) for task in answered]

    async def aclose(self) -> None:
        """Cancel what is still in flight (the batch was stopped) and wait until each has let go of its connection."""
        import asyncio  # noqa: PLC0415 - loaded already by the async client's loop

        tasks, self._tasks = list(self._tasks), {}
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class Requests:
    """The sync twin: `start` gets the answer itself (the request already went), so `collect` never waits for one."""

    overlapping = False
    """One request at a time: a batch keeps to one create in flight while it learns the limit (decision S11)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._answered: Answered = []

    def start(self, ticket: int, answer: Outcome) -> None:
        """Keep an answer the driver already has until the plan collects it."""
        self._answered.append((ticket, answer))

    def collect(self, seconds: float | None) -> Answered:
        """Return the kept answers; with none, sleep `seconds` on the client's clock."""
        answered, self._answered = self._answered, []
        if not answered and seconds:
            self._clock.sleep(seconds)
        return answered

    def close(self) -> None:
        """Drop kept answers (the batch was stopped)."""
        self._answered = []

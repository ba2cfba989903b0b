"""The async download writes a MiB in a worker thread while the next one is read (issue 22, downloads)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any, cast

from maas_kl_client._download import AsyncPartWriter, PartFile


class SlowPart:
    """A part file whose writes wait until the test lets them finish."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Event()
        self.written: list[bytes] = []

    def write(self, chunks: Sequence[bytes]) -> None:
        """Record the chunks once released."""
        self.started.set()
        assert self.release.wait(10)
        self.written.extend(chunks)


def test_a_write_runs_while_the_caller_goes_on_and_drain_waits_for_it() -> None:
    async def scenario() -> None:
        part = SlowPart()
        writer = AsyncPartWriter(cast(PartFile, cast(Any, part)))
        await writer.write([b"a", b"b"])  # returns with the write still in its thread
        assert await asyncio.to_thread(part.started.wait, 10)
        assert part.written == []
        part.release.set()
        await writer.drain()
        assert part.written == [b"a", b"b"]

    asyncio.run(scenario())


def test_the_next_write_waits_for_the_one_before_so_order_holds() -> None:
    async def scenario() -> None:
        part = SlowPart()
        part.release.set()
        writer = AsyncPartWriter(cast(PartFile, cast(Any, part)))
        for n in range(5):
            await writer.write([bytes([n])])
        await writer.drain()
        assert part.written == [bytes([n]) for n in range(5)]

    asyncio.run(scenario())

"""make bench-batch: the async client.batch of 40 jobs against asyncio.gather of create_and_wait, 150 ms away.

A served mock (a subprocess, so its latency is real wall time) answers every API request after
`--latency fixed:150` and runs each task for 8 s (1 s submitted, 7 s processing), with room for
all 40 at once. Each side gets a fresh client (so neither inherits the other's learned poll
schedule) and the same 40 text2video jobs; the mock's `/_mock/stats` request counter, read
before and after, gives each side's requests. It prints both wall times, the ratio, the request
counts and whether the issue's target (at most 1.1x, no more requests) is met; and, outside the
target, the batch again with a journal (`maas-kl batch` keeps one), whose fsync'd writes cost.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from maas_kl_client import AsyncMaasKL
from maas_kl_mock import MockServer

from bench.targets import record

TARGET = 1.1
"""Issue 22: the batch within 1.1x of asyncio.gather's wall time, with no more requests."""


@dataclass(frozen=True)
class Run:
    """One side's wall time, requests sent, and how many of its jobs succeeded."""

    name: str
    seconds: float
    requests: int
    succeeded: int


def jobs(count: int) -> list[tuple[str, dict[str, str]]]:
    """The same text2video job, numbered: one kind, so both sides learn the same poll schedule."""
    return [("text2video", {"prompt": f"bench batch job {i}"}) for i in range(count)]


def client_for(mock: MockServer) -> AsyncMaasKL:
    """A fresh async client on the served mock (no learned durations carried over)."""
    return AsyncMaasKL(api_key=mock.token or "mock-token", endpoint_path=mock.endpoint_path, base_url=mock.base_url)


async def via_batch(mock: MockServer, count: int) -> int:
    """client.batch with its defaults (the limit learned, not given); returns the jobs that succeeded."""
    async with client_for(mock) as client:
        results = await client.batch(jobs(count))
    return sum(1 for r in results if r.task is not None and r.error is None)


async def via_batch_with_journal(mock: MockServer, count: int) -> int:
    """client.batch keeping a journal (as `maas-kl batch` does): each status change an fsync'd file write."""
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as folder:
        async with client_for(mock) as client:
            results = await client.batch(jobs(count), journal=Path(folder) / "run.jsonl")
    return sum(1 for r in results if r.task is not None and r.error is None)


async def via_gather(mock: MockServer, count: int) -> int:
    """asyncio.gather of one create_and_wait per job: the naive baseline the issue names."""
    async with client_for(mock) as client:
        tasks = await asyncio.gather(
            *(client.text2video.create_and_wait(prompt=body["prompt"]) for _, body in jobs(count))
        )
    return sum(1 for t in tasks if str(t.task_status) == "succeed")


def measure(
    name: str, mock: MockServer, side: Callable[[MockServer, int], Coroutine[Any, Any, int]], count: int
) -> Run:
    """Run one side once; its requests are the mock's counter difference."""
    before = int(mock.control.stats()["requests"])
    started = time.perf_counter()
    succeeded = asyncio.run(side(mock, count))
    seconds = time.perf_counter() - started
    requests = int(mock.control.stats()["requests"]) - before - 1  # the `before` stats call itself counts
    return Run(name, seconds, requests, succeeded)


def main(argv: list[str] | None = None) -> int:
    """Serve the mock, run gather then batch, print the comparison; exit 0 whether the target is met or not."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--submitted-seconds", type=float, default=1.0)
    parser.add_argument("--processing-seconds", type=float, default=7.0)
    args = parser.parse_args(argv)
    flags = [
        "--latency", f"fixed:{args.latency_ms}",
        "--submitted-seconds", str(args.submitted_seconds),
        "--processing-seconds", str(args.processing_seconds),
        "--concurrency", str(args.jobs),
    ]  # fmt: skip
    print(f"mock: maas-kl-mock serve {' '.join(flags)}; {args.jobs} text2video jobs", flush=True)
    with MockServer(*flags) as mock:
        gather = measure("asyncio.gather(create_and_wait)", mock, via_gather, args.jobs)
        batch = measure("client.batch", mock, via_batch, args.jobs)
        journaled = measure("client.batch, journal=PATH", mock, via_batch_with_journal, args.jobs)
    for run in (gather, batch, journaled):
        done = f"{run.succeeded}/{args.jobs} succeeded"
        print(f"  {run.name:34} {run.seconds:6.2f} s  {run.requests:4d} requests  {done}")
    ratio = batch.seconds / gather.seconds
    met = ratio <= TARGET and batch.requests <= gather.requests and batch.succeeded == args.jobs
    print(f"  requests: batch {batch.requests} vs gather {gather.requests}")
    print(f"  with a journal: {journaled.seconds / gather.seconds:.2f}x gather (not part of the target)")
    verdict = "met" if met else "missed"
    record(  # the issue-22 table (bench/targets.py); this bench's own verdict stays its last line
        {"batch_vs_gather": ratio, "batch_requests_vs_gather": batch.requests / max(gather.requests, 1)},
        "make bench-batch",
    )
    print(f"target: async batch of {args.jobs} vs asyncio.gather ≤ {TARGET}× — {ratio:.2f} {verdict}")  # noqa: RUF001
    return 0


if __name__ == "__main__":
    sys.exit(main())

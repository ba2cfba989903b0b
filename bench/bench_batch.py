"""`make bench-batch`: 40 jobs on a gateway 150 ms away, async `client.batch` vs `asyncio.gather` of `create_and_wait`.

The mock runs as its own process with `--latency fixed:150` (every answer 150 ms late) and
8-second tasks; both sides use one AsyncMaasKL with the SDK's defaults and the same 40 text2video
jobs, and take turns round after round. The figures are each side's median wall time and the
requests the mock counted; the ratios go to the issue-22 target table (bench/targets.py).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from maas_kl_client import AsyncMaasKL
from maas_kl_mock import MockServer

from bench.targets import record

TOKEN = "bench-token"
FLAGS = ("--latency", "fixed:150", "--submitted-seconds", "2", "--processing-seconds", "6", "--concurrency", "100")


def prompts(count: int) -> list[str]:
    """`count` prompts, one per job."""
    return [f"A dog running on the grass, take {i}" for i in range(count)]


def jobs(count: int) -> list[tuple[str, dict[str, str]]]:
    """`count` text2video jobs, each its own prompt."""
    return [("text2video", {"prompt": prompt}) for prompt in prompts(count)]


async def with_batch(client: AsyncMaasKL, count: int) -> int:
    """Run the jobs as one client.batch; return how many succeeded."""
    results = await client.batch(jobs(count))
    return sum(1 for r in results if r.error is None)


async def with_gather(client: AsyncMaasKL, count: int) -> int:
    """Run the jobs as asyncio.gather of create_and_wait; return how many succeeded."""
    tasks = await asyncio.gather(*(client.text2video.create_and_wait(prompt=prompt) for prompt in prompts(count)))
    return len(tasks)


async def one(mock: MockServer, side: str, count: int) -> dict[str, Any]:
    """Time one side once and count the requests the mock saw for it."""
    before = mock.control.stats()["requests"]
    async with AsyncMaasKL(api_key=TOKEN, endpoint_path="default", base_url=mock.base_url) as client:
        started = time.perf_counter()
        done = await (with_batch if side == "batch" else with_gather)(client, count)
        seconds = time.perf_counter() - started
    requests = mock.control.stats()["requests"] - before - 1  # less the stats call that read `before`
    return {"seconds": seconds, "requests": requests, "succeeded": done}


def main() -> int:
    """Run the rounds, print the medians and record the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs: dict[str, list[dict[str, Any]]] = {"batch": [], "gather": []}
    with MockServer("--token", TOKEN, "--log-level", "error", *FLAGS) as mock:
        for round_ in range(args.rounds):
            for side in ("batch", "gather") if round_ % 2 == 0 else ("gather", "batch"):
                runs[side].append(asyncio.run(one(mock, side, args.jobs)))
    print(f"{args.jobs} jobs, mock {' '.join(FLAGS)}; medians of {args.rounds} rounds")
    print(f"{'side':<28} {'seconds':>8} {'requests':>9} {'succeeded':>10}")
    medians: dict[str, dict[str, float]] = {}
    for side, each in runs.items():
        medians[side] = {key: statistics.median(r[key] for r in each) for key in ("seconds", "requests", "succeeded")}
        name = "client.batch" if side == "batch" else "gather(create_and_wait)"
        m = medians[side]
        print(f"{name:<28} {m['seconds']:>8.2f} {m['requests']:>9.0f} {m['succeeded']:>10.0f}")
    record(
        {
            "batch_vs_gather": medians["batch"]["seconds"] / medians["gather"]["seconds"],
            "batch_requests_vs_gather": medians["batch"]["requests"] / medians["gather"]["requests"],
        },
        "make bench-batch",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

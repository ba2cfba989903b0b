"""make bench-wait: the SDK's default poll schedule against a fixed 5 s poll, on the mock's simulated time.

Tasks take about 30 s to 10 min (log-normal, longer for `pro` and for 10 s videos); 100 are in
flight at once through client.batch. For each schedule it prints requests per task and the
median and p95 delay between a task finishing (the mock's own finish time) and the caller
knowing (the batch reporting its result), and the ratios against the fixed poll.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass

import httpx
from maas_kl_client import JobUpdate, MaasKL, PollSchedule
from maas_kl_mock import InProcessMock, Lifecycle, ManualClock, MockConfig

FIXED = PollSchedule(initial=5.0, multiplier=1.0, maximum=5.0)
LIFECYCLE = Lifecycle(submitted_seconds=5.0, processing_seconds=80.0, spread=0.3, scale=(("pro", 2.2), ("10", 1.7)))


@dataclass(frozen=True)
class Outcome:
    """What one schedule cost and how late it knew."""

    name: str
    tasks: int
    requests_per_task: float
    median_delay: float
    p95_delay: float


def jobs(count: int) -> list[tuple[str, dict[str, str]]]:
    """A mix of modes and durations, so each kind has its own typical time."""
    out = []
    for i in range(count):
        mode = "pro" if i % 3 == 0 else "std"
        duration = "10" if i % 4 == 0 else "5"
        out.append(("text2video", {"prompt": f"bench {i}", "mode": mode, "duration": duration}))
    return out


def run(name: str, poll: PollSchedule | None, count: int, in_flight: int, seed: int) -> Outcome:
    """One batch of `count` tasks with `in_flight` at once, on a fresh mock and a fresh client."""
    clock = ManualClock()
    config = MockConfig(concurrency_limit=10 * in_flight, lifecycle=LIFECYCLE, seed=seed, record_calls=None)
    mock = InProcessMock(config, clock)
    known: dict[str, float] = {}

    def note(update: JobUpdate) -> None:
        if update.result is not None and update.result.task_id is not None:
            known[update.result.task_id] = clock.now()

    http = httpx.Client(transport=mock.transport())
    with MaasKL(
        api_key="bench", endpoint_path="default", base_url="http://127.0.0.1:4010", http_client=http, clock=clock,
        poll=poll,
    ) as client:  # fmt: skip
        client.batch(jobs(count), max_in_flight=in_flight, on_update=note)
    tasks = mock.core.store.tasks()
    delays = sorted(known[t.task_id] - t.finished_at for t in tasks)
    requests = len(mock.calls)
    return Outcome(
        name,
        len(tasks),
        requests / len(tasks),
        statistics.median(delays),
        delays[int(0.95 * (len(delays) - 1))],
    )


def main(argv: list[str] | None = None) -> int:
    """Run both schedules on the same tasks and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=500)
    parser.add_argument("--in-flight", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    fixed = run("fixed 5 s poll", FIXED, args.tasks, args.in_flight, args.seed)
    smart = run("SDK default", None, args.tasks, args.in_flight, args.seed)
    print(f"{args.tasks} tasks, {args.in_flight} in flight, durations 30 s-10 min log-normal by mode and duration")
    print(f"{'schedule':<16} {'requests/task':>14} {'median delay s':>15} {'p95 delay s':>12}")
    for o in (fixed, smart):
        print(f"{o.name:<16} {o.requests_per_task:>14.2f} {o.median_delay:>15.2f} {o.p95_delay:>12.2f}")
    print(
        f"ratio default/fixed: requests {smart.requests_per_task / fixed.requests_per_task:.2f}, "
        f"median delay {smart.median_delay / fixed.median_delay:.2f}, p95 delay {smart.p95_delay / fixed.p95_delay:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

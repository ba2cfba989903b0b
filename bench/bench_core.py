"""`make bench-core`: MockCore.handle in process, per request kind; medians of blocks, against a bare baseline.

The baseline is the cheapest request the core answers (GET /_mock/health would be routed too, so the
baseline is building the MockRequest and calling a no-op), measured in the same run, so the ratios
compare across machines and across changes to the core.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import orjson
from maas_kl_mock import ManualClock, MockConfig, MockCore, MockRequest

AUTH = {"authorization": "Bearer bench-token", "content-type": "application/json"}
CREATE = orjson.dumps({"model_name": "kling-v1", "prompt": "A dog running on the grass"})
API = "/v1/ai/bench/kling/videos/text2video"


def _body_of(response: Any) -> int:
    """Bytes a face would send: the streamed chunks of a video, else the body."""
    delivery = getattr(response, "delivery", None)
    chunks = delivery.chunks if delivery is not None else getattr(response, "chunks", None)
    return sum(len(c) for c in chunks) if chunks is not None else len(response.body)


def cases(core: MockCore, clock: ManualClock) -> dict[str, Callable[[], int]]:
    """One callable per request kind, each answering one request through `core.handle`."""
    created = orjson.loads(core.handle(MockRequest("POST", API, AUTH, CREATE)).body)["data"]["task_id"]
    clock.advance(10)
    found = orjson.loads(core.handle(MockRequest("GET", f"{API}/{created}", AUTH)).body)
    url = urlsplit(found["data"]["task_result"]["videos"][0]["url"])

    def create() -> int:
        return _body_of(core.handle(MockRequest("POST", API, AUTH, CREATE)))

    def query() -> int:
        return _body_of(core.handle(MockRequest("GET", f"{API}/{created}", AUTH)))

    def control() -> int:
        return _body_of(core.handle(MockRequest("GET", "/_mock/clock", {})))

    def video() -> int:
        return _body_of(core.handle(MockRequest("GET", url.path, {}, query=url.query)))

    def baseline() -> int:
        return len(MockRequest("GET", "/", {}).path)

    return {"baseline": baseline, "create": create, "query": query, "control": control, "video": video}


def main() -> None:
    """Print the median microseconds per request of each kind, and its ratio to the baseline."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--blocks", type=int, default=15)
    parser.add_argument("--per-block", type=int, default=2000)
    args = parser.parse_args()
    clock = ManualClock()
    core = MockCore(MockConfig(concurrency_limit=10**9, record_calls=100, max_tasks=10**7), clock)
    medians: dict[str, float] = {}
    for name, call in cases(core, clock).items():
        times = []
        for _ in range(args.blocks):
            start = time.perf_counter()
            for _ in range(args.per_block):
                call()
            times.append((time.perf_counter() - start) / args.per_block * 1e6)
        medians[name] = statistics.median(times)
    base = medians["baseline"]
    print(f"{'request':<10}{'median µs':>12}{'x baseline':>12}")
    for name, value in medians.items():
        print(f"{name:<10}{value:>12.2f}{value / base:>12.1f}")
    core.close()


if __name__ == "__main__":
    main()

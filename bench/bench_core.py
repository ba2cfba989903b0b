"""`make bench-core`: MockCore.handle in process per request kind (create, query, control, video file).

With `--against REF` the core of that git ref (e.g. `main`) is loaded beside this one and the two
take turns block by block in the same process, so a busy machine slows both alike; the table
quotes each side's median microseconds per request and the ratio this/REF.
"""

from __future__ import annotations

import argparse
import importlib
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import maas_kl_mock
import orjson

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "mock_server/src/maas_kl_mock"

AUTH = {"authorization": "Bearer bench-token", "content-type": "application/json"}
CREATE = orjson.dumps({"model_name": "kling-v1", "prompt": "A dog running on the grass"})
API = "/v1/ai/bench/kling/videos/text2video"


def _body_of(response: Any) -> int:
    """Bytes a face would send: the streamed chunks of a video, else the body."""
    chunks = response.delivery.chunks if hasattr(response, "delivery") else response.chunks
    return sum(len(c) for c in chunks) if chunks is not None else len(response.body)


def cases(mock: ModuleType) -> dict[str, Callable[[], int]]:
    """One callable per request kind, each answering one request through a fresh core of package `mock`."""
    MockRequest = mock.MockRequest  # noqa: N806  (the class, from whichever version is measured)
    clock = mock.ManualClock()
    core = mock.MockCore(mock.MockConfig(concurrency_limit=10**9, record_calls=100, max_tasks=10**7), clock)
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

    return {"create": create, "query": query, "control": control, "video": video}


def load_ref(ref: str, into: Path) -> ModuleType:
    """Import the mock package as it is at git `ref`, under the name `maas_kl_mock_ref`."""
    archive = subprocess.run(["git", "archive", ref, PACKAGE], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / PACKAGE).rename(into / "maas_kl_mock_ref")
    sys.path.insert(0, str(into))
    return importlib.import_module("maas_kl_mock_ref")


def measure(
    sides: dict[str, dict[str, Callable[[], int]]], blocks: int, per_block: int
) -> dict[str, dict[str, list[float]]]:
    """CPU microseconds per request of each block, for each side and kind; the sides take turns block by block."""
    times: dict[str, dict[str, list[float]]] = {side: {kind: [] for kind in calls} for side, calls in sides.items()}
    kinds = next(iter(sides.values()))
    order = list(sides.items())
    for _ in range(blocks):
        order.reverse()  # A B, then B A: neither side always runs on a warmer cache
        for kind in kinds:
            for side, calls in order:
                call = calls[kind]
                start = time.process_time()
                for _ in range(per_block):
                    call()
                times[side][kind].append((time.process_time() - start) / per_block * 1e6)
    return times


def main() -> None:
    """Print the median microseconds per request of each kind, and the ratio to `--against` when given."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--blocks", type=int, default=15)
    parser.add_argument("--per-block", type=int, default=1000)
    parser.add_argument("--against", metavar="REF", help="a git ref whose core runs beside this one, e.g. main")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sides = {"this": cases(maas_kl_mock)}
        if args.against:
            sides[args.against] = cases(load_ref(args.against, Path(tmp)))
        times = measure(sides, args.blocks, args.per_block)
    names = list(sides)
    header = "".join(f"{name + ' µs':>14}" for name in names)
    print(f"median of {args.blocks} blocks of {args.per_block} requests, CPU time; ratio: median of the blocks' ratios")
    print(f"{'request':<10}{header}" + (f"{'this/' + names[1]:>14}" if len(names) > 1 else ""))
    for kind in times["this"]:
        row = "".join(f"{statistics.median(times[name][kind]):>14.2f}" for name in names)
        if len(names) > 1:  # each block's ratio compares two runs made moments apart
            pairs = zip(times["this"][kind], times[names[1]][kind], strict=True)
            row += f"{statistics.median(a / b for a, b in pairs):>14.3f}"
        print(f"{kind:<10}{row}")


if __name__ == "__main__":
    main()

"""In-process cost of the mock's validate stage: `MockCore.handle` for a valid and an invalid create (F6).

Medians of interleaved blocks; the valid create is the baseline the invalid one is compared against. Run it
from another worktree's environment (`cd ../main && uv run python <this file>`) for a before/after pair.
"""

from __future__ import annotations

import importlib
import statistics
import time

import orjson
from maas_kl_mock import MockConfig, MockCore, MockRequest

BLOCKS, CALLS = 15, 200
HEADERS = {"authorization": "Bearer bench", "content-type": "application/json"}
PATH = "/v1/ai/x/kling/videos/image2video"
VALID = orjson.dumps({"image": "https://example.com/a.png", "prompt": "a dog"})
INVALID = orjson.dumps(
    {"image": "https://example.com/a.png", "camera_control": {"type": "simple", "config": {"pan": 1, "zoom": 2}}}
)


def block(core: MockCore, body: bytes) -> float:
    """Microseconds per call over one block."""
    start = time.perf_counter()
    for _ in range(CALLS):
        core.handle(MockRequest("POST", PATH, HEADERS, body))
    return (time.perf_counter() - start) / CALLS * 1e6


def main() -> None:
    """Print the medians and the invalid/valid ratio."""
    core = MockCore(MockConfig(concurrency_limit=10**9, record_calls=1))
    assert core.handle(MockRequest("POST", PATH, HEADERS, VALID)).status == 200
    assert core.handle(MockRequest("POST", PATH, HEADERS, INVALID)).status == 400
    valid: list[float] = []
    invalid: list[float] = []
    for _ in range(BLOCKS):
        valid.append(block(core, VALID))
        invalid.append(block(core, INVALID))
    v, i = statistics.median(valid), statistics.median(invalid)
    print(f"valid create   {v:8.1f} µs (median of {BLOCKS} blocks of {CALLS})")
    print(f"invalid create {i:8.1f} µs  ratio {i / v:.2f}x the valid create")
    validators(core)
    core.close()


def validators(core: MockCore) -> None:
    """The alternative F6 weighed: the shared interpreter as the accept path instead of jsonschema-rs."""
    validator = getattr(importlib.import_module("maas_kl_specfacts"), "Validator", None)
    if validator is None:  # a mock from before the shared validator (F6's "before" run)
        return
    spec = core.spec
    pointer = spec.operation("create_image2video_task").request_schema or ""
    fast, ours = spec.validator(pointer), validator(spec.pointer(pointer), spec.document)
    body = orjson.loads(VALID)
    rs: list[float] = []
    py: list[float] = []
    for _ in range(BLOCKS):
        start = time.perf_counter()
        for _ in range(CALLS):
            fast.is_valid(body)
        rs.append((time.perf_counter() - start) / CALLS * 1e6)
        start = time.perf_counter()
        for _ in range(CALLS):
            ours.violations(body)
        py.append((time.perf_counter() - start) / CALLS * 1e6)
    r, p = statistics.median(rs), statistics.median(py)
    print(f"accept a valid body: jsonschema-rs {r:.1f} µs, specfacts {p:.1f} µs ({p / r:.1f}x)")


if __name__ == "__main__":
    main()

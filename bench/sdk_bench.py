"""SDK overhead: a query through MaasKL against the same query with raw httpx, plus import time.

Both sides use one httpx.Client over the same MockTransport and canned response, run
interleaved in blocks so drift hits both alike; the figures are medians of per-call times.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

import httpx
from maas_kl_client import MaasKL

BLOCKS = 30
CALLS_PER_BLOCK = 200
IMPORT_RUNS = 7
TARGET_RATIO = 1.2
TARGET_IMPORT_MS = 150.0

BODY = json.dumps(
    {
        "code": 0,
        "message": "SUCCEED",
        "request_id": "5c2e8f4a-6a4e-4f57-bd54-0a4d9f1d2b11",
        "data": {
            "task_id": "859830423409475642",
            "task_status": "succeed",
            "task_status_msg": "",
            "task_info": {"task_id": "859830423409475642", "external_task_id": "my-job-0001"},
            "task_result": {
                "videos": [
                    {
                        "id": "2ab6b4a6-0a7f-4a43-9d3c-0c2b7c9d7e01",
                        "url": "https://p1.a.kwimgs.com/bs2/upload-ylab-stunt/special-effect/output.mp4",
                        "duration": "5.1",
                    }
                ]
            },
            "created_at": 1722769557708,
            "updated_at": 1722769617708,
        },
    }
).encode()


def handler(_request: httpx.Request) -> httpx.Response:
    """Answer every request with the same canned success envelope."""
    return httpx.Response(200, content=BODY, headers={"Content-Type": "application/json"})


def per_call(fn: object, calls: int) -> float:
    """Mean seconds per call over one block."""
    assert callable(fn)
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def import_time(module: str) -> float:
    """Median seconds to import `module` in a fresh interpreter."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    runs = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(IMPORT_RUNS)
    ]
    return statistics.median(runs)


def main() -> None:
    """Run the interleaved comparison and print medians and the ratio."""
    transport = httpx.MockTransport(handler)
    raw_http = httpx.Client(transport=transport)
    sdk_http = httpx.Client(transport=transport)
    client = MaasKL(api_key="bench-key", endpoint_path="bench", http_client=sdk_http)
    url = f"{client.base_url}/videos/text2video/859830423409475642"
    headers = {"Authorization": "Bearer bench-key", "Accept": "application/json"}

    def raw() -> None:
        response = raw_http.get(url, headers=headers)
        response.raise_for_status()
        response.json()["data"]

    def sdk() -> None:
        client.text2video.get("859830423409475642")

    for fn in (raw, sdk):  # warm up connection pools and caches
        per_call(fn, CALLS_PER_BLOCK)
    raw_times: list[float] = []
    sdk_times: list[float] = []
    for block in range(BLOCKS):
        order = (raw, sdk) if block % 2 == 0 else (sdk, raw)
        for fn in order:
            (raw_times if fn is raw else sdk_times).append(per_call(fn, CALLS_PER_BLOCK))
    raw_median, sdk_median = statistics.median(raw_times), statistics.median(sdk_times)
    ratio = sdk_median / raw_median
    httpx_import = import_time("httpx")
    sdk_import = import_time("maas_kl_client")
    print(f"query, {BLOCKS} interleaved blocks of {CALLS_PER_BLOCK} calls, median per call:")
    print(f"  raw httpx        {raw_median * 1e6:8.1f} us")
    print(f"  maas_kl_client   {sdk_median * 1e6:8.1f} us")
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(f"  ratio            {ratio:8.2f} x   ({verdict} the {TARGET_RATIO} x target)")
    print(f"import time, median of {IMPORT_RUNS} fresh interpreters:")
    print(f"  import httpx          {httpx_import * 1e3:6.1f} ms")
    verdict = "within" if sdk_import * 1e3 <= TARGET_IMPORT_MS else "OVER"
    target = f"{verdict} the {TARGET_IMPORT_MS:g} ms target"
    print(f"  import maas_kl_client {sdk_import * 1e3:6.1f} ms (httpx included; {target})")
    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

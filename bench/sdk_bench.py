"""SDK overhead: a query through MaasKL against the same query with raw httpx, plus start-up in a clean venv.

Both sides of the query use one httpx.Client over the same MockTransport and canned response, run
interleaved in blocks so drift hits both alike; the figures are medians of per-call times.

Start-up is measured where users meet it, not in the development environment (whose httpx
imports its own command line): the three wheels are built with `uv build`, installed into a
fresh `uv venv` (the SDK with its `cli` extra), and each import or command runs in fresh
interpreters, interleaved, the figure being the median.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from maas_kl_client import MaasKL

from bench.targets import record

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = 30
CALLS_PER_BLOCK = 200
IMPORT_RUNS = 15

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


def clean_venv(where: Path) -> Path:
    """Build the three wheels and install them (the SDK with `cli`) into a fresh venv; return its python."""
    uv = shutil.which("uv") or "uv"
    wheels = where / "wheels"
    subprocess.run([uv, "build", "--wheel", "--all-packages", "-q", "-o", str(wheels)], cwd=ROOT, check=True)
    subprocess.run([uv, "venv", "-q", str(where / "venv")], check=True)
    python = where / "venv" / "bin" / "python"
    sdk = next(wheels.glob("maas_kl_client-*.whl"))
    install = [uv, "pip", "install", "-q", "--python", str(python), *map(str, wheels.glob("*.whl")), f"{sdk}[cli]"]
    if subprocess.run([*install, "--offline"], check=False, capture_output=True).returncode != 0:
        subprocess.run(install, check=True)  # not in uv's cache yet: fetch httpx, attrs and rich once
    return python


def import_seconds(python: Path, statement: str) -> float:
    """Seconds `statement` takes in a fresh interpreter, interpreter start-up excluded."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    return float(subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout)


def process_seconds(command: list[str]) -> float:
    """Wall seconds of one whole process, interpreter start-up included."""
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return time.perf_counter() - started


def start_up(python: Path) -> dict[str, float]:
    """Median seconds of each start-up case over IMPORT_RUNS interleaved rounds."""
    script = python.parent / "maas-kl"
    cases: dict[str, Callable[[], float]] = {
        "import httpx": lambda: import_seconds(python, "import httpx"),
        "import maas_kl_client": lambda: import_seconds(python, "import maas_kl_client"),
        "from maas_kl_client import MaasKL": lambda: import_seconds(python, "from maas_kl_client import MaasKL"),
        "python -c 'import httpx'": lambda: process_seconds([str(python), "-c", "import httpx"]),
        "maas-kl --version": lambda: process_seconds([str(script), "--version"]),
    }
    runs: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(IMPORT_RUNS):
        for name, case in cases.items():
            runs[name].append(case())
    return {name: statistics.median(values) for name, values in runs.items()}


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
    print(f"query, {BLOCKS} interleaved blocks of {CALLS_PER_BLOCK} calls, median per call:")
    print(f"  raw httpx        {raw_median * 1e6:8.1f} us")
    print(f"  maas_kl_client   {sdk_median * 1e6:8.1f} us")
    print(f"  ratio            {ratio:8.2f} x")
    with tempfile.TemporaryDirectory(prefix="bench-sdk-") as scratch:
        times = start_up(clean_venv(Path(scratch)))
    print(f"start-up in a clean venv from the wheels, median of {IMPORT_RUNS} fresh interpreters:")
    for name, seconds in times.items():
        print(f"  {name:<36} {seconds * 1e3:7.1f} ms")
    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    httpx_import = times["import httpx"]
    record(
        {
            "sdk_query_vs_httpx": ratio,
            "sdk_import_vs_httpx": times["import maas_kl_client"] / httpx_import,
            "sdk_client_import_vs_httpx": times["from maas_kl_client import MaasKL"] / httpx_import,
            "cli_version_vs_httpx": times["maas-kl --version"] / times["python -c 'import httpx'"],
        },
        "make bench-sdk",
    )


if __name__ == "__main__":
    main()

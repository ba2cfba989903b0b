"""`make bench-load`: the mock under sustained concurrent creates and queries for 60 s, from other processes.

Two autocannon processes (bench_mock.py's machinery) hit the mock subprocess at once, one creating
tasks and one querying; this script samples the mock's RSS every few seconds meanwhile. The store
is bounded (--max-tasks), so once it is full every create evicts the oldest task and RSS must stay
flat. Writes reports/bench-load.json.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.bench_mock import CREATE_BODY, ROOT, TOKEN, autocannon, start_mock


def rss_mb(pid: int) -> float:
    """Current resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def report(
    args: argparse.Namespace, results: dict[str, Any], samples: list[tuple[float, float, int]], stats: dict[str, Any]
) -> None:
    """Print throughput, latency, errors and RSS over time."""
    full = [rss for (_, rss, tasks) in samples if tasks >= args.max_tasks]
    total = sum(r["requests"] for r in results.values())
    failed = results["create"]["non_2xx"] + sum(r["errors"] for r in results.values())
    print(
        f"bench-load: {args.duration} s, 2 x autocannon x {args.connections} connections, store bound {args.max_tasks}"
    )
    for name, r in results.items():
        print(
            f"  {name:6}  {r['req_per_s']:8.0f} req/s  p50 {r['p50_ms']} ms  p99 {r['p99_ms']} ms  "
            f"non-2xx {r['non_2xx']}  errors {r['errors']}"
        )
    print(
        f"  error rate (create non-2xx, socket errors, timeouts): {failed / max(total, 1):.4%} of {total} requests; "
        f"mock internal errors {stats['internal_errors']}; query 404s while the pinned task was evicted: "
        f"{results['query']['non_2xx'] / max(results['query']['requests'], 1):.1%}"
    )
    print("  RSS over time (s, MB, tasks held): " + ", ".join(f"{t}s {m}MB {n}" for t, m, n in samples))
    if len(full) >= 2:
        print(f"  RSS once the store was full: {min(full)}-{max(full)} MB (growth {max(full) - full[0]:+.1f} MB)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32, help="per load generator")
    parser.add_argument("--max-tasks", type=int, default=20_000, help="the mock's store bound (retention)")
    args = parser.parse_args()
    mock = start_mock("--max-tasks", str(args.max_tasks))
    base, pid = mock.base_url, mock.pid
    assert pid is not None
    try:
        api = f"{base}/v1/ai/default/kling/videos/text2video"
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        # The query load reads a task by external_task_id; the create load evicts it from the bounded
        # store within seconds, so the sampler re-creates it whenever it is gone (that 404 share is the
        # bound at work, reported apart from errors).
        pinned = json.dumps({**json.loads(CREATE_BODY), "external_task_id": "bench-load-pinned"}).encode()
        httpx.post(api, headers=headers, content=pinned, timeout=10)
        task_id = "bench-load-pinned"
        results: dict[str, Any] = {}

        def load(name: str, url: str, method: str, body: str | None) -> None:
            results[name] = autocannon(url, method, args.connections, args.duration, body)

        threads = [
            threading.Thread(target=load, args=("create", api, "POST", CREATE_BODY)),
            threading.Thread(target=load, args=("query", f"{api}/{task_id}", "GET", None)),
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        samples: list[tuple[float, float, int]] = []
        next_sample = 0.0
        with httpx.Client(headers=headers, timeout=10) as http:
            while any(t.is_alive() for t in threads):
                if http.get(f"{api}/{task_id}").status_code == 404:
                    http.post(api, content=pinned)
                if time.monotonic() >= next_sample:
                    tasks = http.get(f"{base}/_mock/stats").json()["tasks"]
                    samples.append((round(time.monotonic() - started, 1), round(rss_mb(pid), 1), tasks))
                    next_sample = time.monotonic() + 5
                time.sleep(0.05)
        for t in threads:
            t.join()
        stats = httpx.get(f"{base}/_mock/stats", timeout=10).json()
    finally:
        mock.stop()
    report(args, results, samples, stats)
    out = ROOT / "reports" / "bench-load.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"results": results, "rss_samples": samples, "stats": stats}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

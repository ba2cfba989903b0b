"""`make bench-mock`: the mock against Prism and a bare ASGI app, same load generator, same settings.

Prints one table of ratios and writes the raw figures to reports/bench-mock.json.

Fairness: every server gets the same connections, duration, headers and body; each measurement
follows a warm-up of its own; the servers take turns, round after round, and the table quotes
medians over the rounds. Where `taskset` exists, every server runs on CPU 1 and autocannon on
CPU 0, so the load generator never steals the server's core. The bare ASGI app runs on the same
uvicorn settings and protocol class as the mock (bench/bare_asgi.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from maas_kl_mock import MockServer

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NODE_BIN = ROOT / "bench" / "node_modules" / ".bin"
SPEC = ROOT / "openapi" / "maas_kl.yaml"
TOKEN = "bench-token"
CREATE_BODY = json.dumps({"model_name": "kling-v1", "prompt": "A dog running on the grass"})
SERVERS = ("mock", "prism", "bare")
WARM_UP_S = 2
# (server CPUs, load generator CPUs) when the machine has two or more and taskset exists.
PINNING = ("1", "0") if shutil.which("taskset") and (os.cpu_count() or 1) >= 2 else None


def pinned(command: list[str], cpus: str) -> list[str]:
    """`command` restricted to `cpus` when pinning is on."""
    return ["taskset", "-c", cpus, *command] if PINNING else command


def node_package_version(name: str) -> str:
    """The installed version of an npm package under bench/node_modules."""
    manifest = ROOT / "bench" / "node_modules" / name / "package.json"
    return str(json.loads(manifest.read_text())["version"])


def load_average() -> list[float]:
    """1, 5 and 15 minute load averages: how busy the machine was around a measurement."""
    return [round(x, 2) for x in os.getloadavg()]


def free_port() -> int:
    """A free port for Prism and the bare app, which cannot bind port 0 and say which they got."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url}: not ready after {timeout}s")


def tree_hwm_kb(pid: int) -> int:
    """Peak RSS (VmHWM) of a process and its children, in kB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for each in pids:
        status = Path(f"/proc/{each}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
    return total


def autocannon(url: str, method: str, connections: int, duration: int, body: str | None) -> dict[str, Any]:
    command = [str(NODE_BIN / "autocannon"), "--json", "-c", str(connections), "-d", str(duration), "-m", method]
    command += ["-H", f"Authorization=Bearer {TOKEN}", "-H", "Content-Type=application/json"]
    if body is not None:
        command += ["-b", body]
    command = pinned([*command, url], PINNING[1] if PINNING else "")
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    raw = json.loads(out)
    non2xx = raw.get("non2xx", 0)
    return {
        "req_per_s": raw["requests"]["average"],
        "p50_ms": raw["latency"]["p50"],
        "p99_ms": raw["latency"]["p99"],
        "requests": raw["requests"]["total"],
        "non_2xx": non2xx,
        "errors": raw.get("errors", 0) + raw.get("timeouts", 0),
    }


def start(name: str, port: int) -> subprocess.Popen[bytes]:
    """Start Prism or the bare app on `port` (neither can announce a port it chose; the mock uses MockServer)."""
    if name == "prism":
        command = [str(NODE_BIN / "prism"), "mock", str(SPEC), "--port", str(port), "--host", "127.0.0.1"]
    else:
        command = [sys.executable, str(ROOT / "bench" / "bare_asgi.py"), str(port)]
    command = pinned(command, PINNING[0] if PINNING else "")
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_mock(*flags: str) -> MockServer:
    """Start the mock on a port it picks itself, pinned to the server CPUs like the others."""
    mock = MockServer("--token", TOKEN, "--concurrency", "1000000000", "--log-level", "error", *flags).start()
    if PINNING and mock.pid is not None:
        os.sched_setaffinity(mock.pid, {int(cpu) for cpu in PINNING[0].split(",")})
    return mock


@contextlib.contextmanager
def serving(name: str) -> Iterator[tuple[str, int]]:
    """Run one server; yield its origin and process id; stop it afterwards."""
    if name == "mock":
        with start_mock() as mock:
            assert mock.pid is not None
            yield mock.base_url, mock.pid
        return
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start(name, port)
    try:
        wait_ready(f"{base}/", proc)
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def bench_server(name: str, connections: int, duration: int) -> dict[str, Any]:
    """One round for one server: warm-up and create load, then warm-up and query load."""
    with serving(name) as (base, pid):
        api = f"{base}/v1/ai/default/kling/videos" if name == "mock" else f"{base}/videos"
        create_url = f"{api}/text2video" if name != "bare" else f"{base}/create"
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        result: dict[str, Any] = {"load_before": load_average()}
        autocannon(create_url, "POST", connections, WARM_UP_S, CREATE_BODY)  # warm-up (JIT, caches, a full store)
        result["create"] = autocannon(create_url, "POST", connections, duration, CREATE_BODY)
        # Created after the create load, so the bounded store still holds it during the query load.
        created = httpx.post(create_url, headers=headers, content=CREATE_BODY.encode(), timeout=10)
        created.raise_for_status()
        task_id = created.json()["data"]["task_id"] if name == "mock" else "859830423409475642"
        query_url = f"{api}/text2video/{task_id}" if name != "bare" else f"{base}/query"
        autocannon(query_url, "GET", connections, WARM_UP_S, None)
        result["query"] = autocannon(query_url, "GET", connections, duration, None)
        result["peak_rss_mb"] = round(tree_hwm_kb(pid) / 1024, 1)
        result["load_after"] = load_average()
        if name == "mock":
            result["stats"] = httpx.get(f"{base}/_mock/stats").json() | {"tenants": "..."}
        return result


@contextlib.contextmanager
def proxied(upstream: str) -> Iterator[tuple[str, int]]:
    """Run `maas-kl-mock proxy --upstream` on a port it picks; yield its origin and pid (read off its start-up line)."""
    command = [sys.executable, "-m", "maas_kl_mock", "proxy", "--upstream", upstream, "--port", "0"]
    proc = subprocess.Popen(pinned(command, PINNING[0] if PINNING else ""), stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if "listening on " not in line:
            raise RuntimeError(f"maas-kl-mock proxy did not start: {line!r}")
        yield line.split("listening on ", 1)[1].split()[0], proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if proc.stdout is not None:
            proc.stdout.close()


def bench_proxy(connections: int, duration: int, rounds: int) -> dict[str, Any]:
    """Query and create load on one mock, directly and through the proxy in turns: the proxy's overhead, one run."""
    runs: dict[str, list[dict[str, Any]]] = {"direct": [], "proxy": []}
    with start_mock() as mock, proxied(mock.base_url) as (proxy_base, _):
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        path = "/v1/ai/default/kling/videos/text2video"
        for _ in range(rounds):
            for name, base in (("direct", mock.base_url), ("proxy", proxy_base)):
                result: dict[str, Any] = {"load_before": load_average()}
                autocannon(f"{base}{path}", "POST", connections, WARM_UP_S, CREATE_BODY)
                result["create"] = autocannon(f"{base}{path}", "POST", connections, duration, CREATE_BODY)
                created = httpx.post(f"{base}{path}", headers=headers, content=CREATE_BODY.encode(), timeout=10)
                created.raise_for_status()
                query = f"{base}{path}/{created.json()['data']['task_id']}"
                autocannon(query, "GET", connections, WARM_UP_S, None)
                result["query"] = autocannon(query, "GET", connections, duration, None)
                result["peak_rss_mb"] = 0.0
                runs[name].append(result)
        violations = httpx.get(f"{proxy_base}/_mock/violations").json()["count"]
    return {"direct": median_of(runs["direct"]), "proxy": median_of(runs["proxy"]), "violations": violations}


def median_of(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of every figure over the rounds (each figure on its own), plus the peak RSS over all."""
    summary: dict[str, Any] = {}
    for op in ("create", "query"):
        keys = rounds[0][op].keys()
        summary[op] = {key: statistics.median(r[op][key] for r in rounds) for key in keys}
    summary["peak_rss_mb"] = max(r["peak_rss_mb"] for r in rounds)
    return summary


def memory_series(total: int = 200_000, step: int = 20_000) -> list[dict[str, float]]:
    """RSS while one core creates `total` tasks in process (the store keeps at most 20,000).

    The store is full after 20,000 tasks, so "flat" compares 100,000 with 200,000, not with the fill-up.
    """
    code = f"""
import json, resource
from maas_kl_mock import MockCore, MockConfig, MockRequest
core = MockCore(MockConfig(concurrency_limit=10**9))
headers = {{"authorization": "Bearer t", "content-type": "application/json"}}
body = {CREATE_BODY!r}.encode()
series = []
for n in range(1, {total} + 1):
    r = core.handle(MockRequest("POST", "/v1/ai/x/kling/videos/text2video", headers, body))
    assert r.status == 200, r.body
    if n % {step} == 0:
        rss = int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0])
        series.append({{"tasks_created": n, "tasks_held": len(core.store), "rss_mb": round(rss / 1024, 1),
                        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}})
print(json.dumps(series))
"""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return json.loads(out)  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per server; the table quotes medians")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "bench-mock.json")
    parser.add_argument("--only-proxy", action="store_true", help="measure only the proxy's overhead over the mock")
    args = parser.parse_args()
    if args.only_proxy:
        return report_proxy(bench_proxy(args.connections, args.duration, args.rounds), args)
    load_at_start = load_average()
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in SERVERS}
    for _ in range(args.rounds):  # servers take turns, so a change in background load hits all of them
        for name in SERVERS:
            rounds[name].append(bench_server(name, args.connections, args.duration))
    results = {name: median_of(runs) for name, runs in rounds.items()}
    load_at_end = load_average()
    series = memory_series()
    mock, prism, bare = results["mock"], results["prism"], results["bare"]
    ratios = {
        "create_throughput_vs_prism": mock["create"]["req_per_s"] / prism["create"]["req_per_s"],
        "query_throughput_vs_prism": mock["query"]["req_per_s"] / prism["query"]["req_per_s"],
        "create_p99_vs_prism": mock["create"]["p99_ms"] / max(prism["create"]["p99_ms"], 1e-9),
        "query_p99_vs_prism": mock["query"]["p99_ms"] / max(prism["query"]["p99_ms"], 1e-9),
        "create_throughput_vs_bare": mock["create"]["req_per_s"] / bare["create"]["req_per_s"],
        "query_throughput_vs_bare": mock["query"]["req_per_s"] / bare["query"]["req_per_s"],
    }
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "settings": {
            "connections": args.connections,
            "duration_s": args.duration,
            "warm_up_s": WARM_UP_S,
            "rounds": args.rounds,
            "load_generator": f"autocannon {node_package_version('autocannon')}",
            "prism": node_package_version("@stoplight/prism-cli"),
            "pinning": {"server_cpus": PINNING[0], "load_generator_cpus": PINNING[1]} if PINNING else None,
        },
        "load_average": {"start": load_at_start, "end": load_at_end},
        "results": results,
        "rounds": rounds,
        "ratios": ratios,
        "memory_100k_tasks": series,
        "bench_process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    pinning = f"server on CPU {PINNING[0]}, autocannon on CPU {PINNING[1]}" if PINNING else "no CPU pinning"
    print(
        f"medians of {args.rounds} rounds x {args.duration}s, {args.connections} connections, {pinning}; "
        f"load average {load_at_start[0]} at start, {load_at_end[0]} at end"
    )
    print(f"{'server':<8} {'op':<7} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>8} {'peak RSS MB':>12}")
    for name, result in results.items():
        for op in ("create", "query"):
            r = result[op]
            print(
                f"{name:<8} {op:<7} {r['req_per_s']:>9.0f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} "
                f"{r['non_2xx']:>8} {result['peak_rss_mb']:>12.1f}"
            )
    targets = {
        "create_throughput_vs_prism": (">=", 6.0),
        "query_throughput_vs_prism": (">=", 6.0),
        "create_p99_vs_prism": ("<=", 1 / 6),
        "query_p99_vs_prism": ("<=", 1 / 6),
        "create_throughput_vs_bare": (">=", 0.4),
        "query_throughput_vs_bare": (">=", 0.4),
    }
    print(f"\n{'ratio':<28} {'value':>7} {'target':>9}  met")
    for key, value in ratios.items():
        op, bound = targets[key]
        met = value >= bound if op == ">=" else value <= bound
        print(f"{key:<28} {value:>7.2f} {op} {bound:>6.2f}  {'yes' if met else 'NO'}")
    report_proxy(bench_proxy(args.connections, args.duration, args.rounds), args)
    first = series[0]
    middle = next(point for point in series if point["tasks_created"] >= len(series) * first["tasks_created"] // 2)
    last = series[-1]
    print(
        f"\nmemory: RSS {first['rss_mb']} MB after {first['tasks_created']:,} tasks (store filling), "
        f"{middle['rss_mb']} MB after {middle['tasks_created']:,}, {last['rss_mb']} MB after "
        f"{last['tasks_created']:,} (store holds {last['tasks_held']:,}; growth over the second half "
        f"{last['rss_mb'] - middle['rss_mb']:+.1f} MB); raw figures in {args.out}"
    )
    return 0


def report_proxy(result: dict[str, Any], args: argparse.Namespace) -> int:
    """Print the proxy's overhead as ratios over direct calls to the same mock, and add it to the JSON report."""
    direct, proxy = result["direct"], result["proxy"]
    ratios = {
        "proxy_create_p50_vs_direct": proxy["create"]["p50_ms"] / max(direct["create"]["p50_ms"], 1e-9),
        "proxy_query_p50_vs_direct": proxy["query"]["p50_ms"] / max(direct["query"]["p50_ms"], 1e-9),
        "direct_create_throughput_vs_proxy": direct["create"]["req_per_s"] / proxy["create"]["req_per_s"],
        "direct_query_throughput_vs_proxy": direct["query"]["req_per_s"] / proxy["query"]["req_per_s"],
    }
    existing = json.loads(args.out.read_text()) if args.out.exists() and not args.only_proxy else {}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    existing["proxy"] = {**result, "ratios": ratios, "load_average_end": load_average()}
    args.out.write_text(json.dumps(existing, indent=2) + "\n")
    print(
        f"\nproxy overhead (maas-kl-mock proxy in front of the mock vs the mock directly, same run, medians of "
        f"{args.rounds} rounds x {args.duration}s, {args.connections} connections; {result['violations']} violations)"
    )
    print(f"{'path':<8} {'op':<7} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>8}")
    for name in ("direct", "proxy"):
        for op in ("create", "query"):
            r = result[name][op]
            print(f"{name:<8} {op:<7} {r['req_per_s']:>9.0f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['non_2xx']:>8}")
    for key, value in ratios.items():
        print(f"{key:<36} {value:>7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`make bench-mock`: the mock against Prism and a bare ASGI app, same load generator, same settings.

Prints one table of ratios and writes the raw figures to reports/bench-mock.json. Beside the
in-memory mock it measures the mock with its SQLite `--state` store, the mock holding 1k and 100k
tasks (in memory and SQLite; filled in process by bench/prefilled_mock.py before it listens), and
`maas-kl-mock proxy` beside Prism's validating proxy (`prism proxy <spec> <mock> --errors`), both in
front of the same mock. Every issue-22 target it covers is printed by bench/targets.py, met or missed.

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
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from maas_kl_mock import MockServer

from bench.targets import record

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NODE_BIN = ROOT / "bench" / "node_modules" / ".bin"
SPEC = ROOT / "openapi" / "maas_kl.yaml"
TOKEN = "bench-token"
CREATE_BODY = json.dumps({"model_name": "kling-v1", "prompt": "A dog running on the grass"})
SERVERS = ("mock", "sqlite", "prism", "bare")
FILL_LEVELS = (1_000, 100_000)
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
    if name in ("mock", "sqlite"):
        with tempfile.TemporaryDirectory(prefix="bench-mock-") as scratch:
            flags = ("--state", str(Path(scratch) / "state.db")) if name == "sqlite" else ()
            with start_mock(*flags) as mock:
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
        api = f"{base}/v1/ai/default/kling/videos" if name != "prism" else f"{base}/videos"
        create_url = f"{api}/text2video" if name != "bare" else f"{base}/create"
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        result: dict[str, Any] = {"load_before": load_average()}
        autocannon(create_url, "POST", connections, WARM_UP_S, CREATE_BODY)  # warm-up (JIT, caches, a full store)
        result["create"] = autocannon(create_url, "POST", connections, duration, CREATE_BODY)
        # Created after the create load, so the bounded store still holds it during the query load.
        created = httpx.post(create_url, headers=headers, content=CREATE_BODY.encode(), timeout=10)
        created.raise_for_status()
        task_id = created.json()["data"]["task_id"] if name != "prism" else "859830423409475642"
        query_url = f"{api}/text2video/{task_id}" if name != "bare" else f"{base}/query"
        autocannon(query_url, "GET", connections, WARM_UP_S, None)
        result["query"] = autocannon(query_url, "GET", connections, duration, None)
        result["peak_rss_mb"] = round(tree_hwm_kb(pid) / 1024, 1)
        result["load_after"] = load_average()
        if name in ("mock", "sqlite"):
            result["stats"] = httpx.get(f"{base}/_mock/stats").json() | {"tenants": "..."}
        return result


def bench_filled(store: str, tasks: int, connections: int, duration: int) -> dict[str, Any]:
    """One round on a mock that holds `tasks` tasks before the load starts (bench/prefilled_mock.py fills it)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="bench-fill-") as scratch:
        flags = ["--port", str(port), "--token", TOKEN, "--concurrency", "1000000000", "--log-level", "error"]
        flags += ["--max-tasks", str(10 * max(FILL_LEVELS))]
        if store == "sqlite":
            flags += ["--state", str(Path(scratch) / "state.db")]
        command = pinned(
            [sys.executable, str(ROOT / "bench" / "prefilled_mock.py"), str(tasks), *flags],
            PINNING[0] if PINNING else "",
        )
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_ready(f"{base}/_mock/health", proc, timeout=600)
            api = f"{base}/v1/ai/default/kling/videos/text2video"
            headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
            held = httpx.get(f"{base}/_mock/stats").json()
            result: dict[str, Any] = {"load_before": load_average(), "stats_before": held | {"tenants": "..."}}
            autocannon(api, "POST", connections, WARM_UP_S, CREATE_BODY)
            result["create"] = autocannon(api, "POST", connections, duration, CREATE_BODY)
            created = httpx.post(api, headers=headers, content=CREATE_BODY.encode(), timeout=10)
            created.raise_for_status()
            query = f"{api}/{created.json()['data']['task_id']}"
            autocannon(query, "GET", connections, WARM_UP_S, None)
            result["query"] = autocannon(query, "GET", connections, duration, None)
            result["peak_rss_mb"] = round(tree_hwm_kb(proc.pid) / 1024, 1)
            return result
        finally:
            proc.terminate()
            proc.wait(timeout=60)


def start_prism_proxy(upstream: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start `prism proxy <spec> <upstream> --errors` on a free port, pinned like the servers; return it and its URL."""
    port = free_port()
    command = [str(NODE_BIN / "prism"), "proxy", str(SPEC), upstream, "--errors", "--port", str(port)]
    command = pinned([*command, "--host", "127.0.0.1"], PINNING[0] if PINNING else "")
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, f"http://127.0.0.1:{port}"


def start_proxy(upstream: str) -> MockServer:
    """Start `maas-kl-mock proxy --upstream` on a port it picks, pinned to the server CPUs with the mock it fronts."""
    proxy = MockServer("--upstream", upstream, "--log-level", "error", command="proxy").start()
    if PINNING and proxy.pid is not None:
        os.sched_setaffinity(proxy.pid, {int(cpu) for cpu in PINNING[0].split(",")})
    return proxy


def bench_proxy(connections: int, duration: int, rounds: int) -> dict[str, Any]:
    """Query and create load on one mock, directly and through the proxy in turns: the proxy's overhead, one run."""
    runs: dict[str, list[dict[str, Any]]] = {"direct": [], "proxy": [], "prism-proxy": []}
    with start_mock() as mock, start_proxy(mock.base_url) as proxy:
        proxy_base = proxy.base_url
        prism, prism_base = start_prism_proxy(f"{mock.base_url}/v1/ai/default/kling")
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        path = "/v1/ai/default/kling/videos/text2video"
        try:
            wait_ready(f"{prism_base}/", prism)
            paths = (
                ("direct", mock.base_url, path),
                ("proxy", proxy_base, path),
                ("prism-proxy", prism_base, "/videos/text2video"),  # Prism matches the spec's paths under its server
            )
            for _ in range(rounds):
                for name, base, api in paths:
                    runs[name].append(proxy_round(f"{base}{api}", headers, connections, duration))
        finally:
            prism.terminate()
            prism.wait(timeout=20)
        violations = httpx.get(f"{proxy_base}/_mock/violations").json()["count"]
    return {name: median_of(each) for name, each in runs.items()} | {"violations": violations}


def proxy_round(url: str, headers: dict[str, str], connections: int, duration: int) -> dict[str, Any]:
    """Create load then query load on one path to the mock (direct, or through a proxy)."""
    result: dict[str, Any] = {"load_before": load_average()}
    autocannon(url, "POST", connections, WARM_UP_S, CREATE_BODY)
    result["create"] = autocannon(url, "POST", connections, duration, CREATE_BODY)
    created = httpx.post(url, headers=headers, content=CREATE_BODY.encode(), timeout=10)
    created.raise_for_status()
    query = f"{url}/{created.json()['data']['task_id']}"
    autocannon(query, "GET", connections, WARM_UP_S, None)
    result["query"] = autocannon(query, "GET", connections, duration, None)
    result["peak_rss_mb"] = 0.0
    return result


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
    parser.add_argument("--only-fill", action="store_true", help="measure only throughput against stored tasks")
    args = parser.parse_args()
    if args.only_proxy:
        return report_proxy(bench_proxy(args.connections, args.duration, args.rounds), args)
    if args.only_fill:
        return report_fill(bench_fill(args.connections, args.duration, args.rounds), args)
    load_at_start = load_average()
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in SERVERS}
    for _ in range(args.rounds):  # servers take turns, so a change in background load hits all of them
        for name in SERVERS:
            rounds[name].append(bench_server(name, args.connections, args.duration))
    results = {name: median_of(runs) for name, runs in rounds.items()}
    load_at_end = load_average()
    series = memory_series()
    mock, sqlite, prism, bare = results["mock"], results["sqlite"], results["prism"], results["bare"]
    ratios = {
        "create_throughput_vs_prism": mock["create"]["req_per_s"] / prism["create"]["req_per_s"],
        "query_throughput_vs_prism": mock["query"]["req_per_s"] / prism["query"]["req_per_s"],
        "create_p99_vs_prism": mock["create"]["p99_ms"] / max(prism["create"]["p99_ms"], 1e-9),
        "query_p99_vs_prism": mock["query"]["p99_ms"] / max(prism["query"]["p99_ms"], 1e-9),
        "create_throughput_vs_bare": mock["create"]["req_per_s"] / bare["create"]["req_per_s"],
        "query_throughput_vs_bare": mock["query"]["req_per_s"] / bare["query"]["req_per_s"],
        "sqlite_create_throughput_vs_memory": sqlite["create"]["req_per_s"] / mock["create"]["req_per_s"],
        "sqlite_query_throughput_vs_memory": sqlite["query"]["req_per_s"] / mock["query"]["req_per_s"],
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
    record(
        {
            "mock_create_vs_prism": ratios["create_throughput_vs_prism"],
            "mock_query_vs_prism": ratios["query_throughput_vs_prism"],
            "mock_create_vs_bare": ratios["create_throughput_vs_bare"],
            "mock_query_vs_bare": ratios["query_throughput_vs_bare"],
            "mock_create_p99_vs_prism": ratios["create_p99_vs_prism"],
            "mock_query_p99_vs_prism": ratios["query_p99_vs_prism"],
            "sqlite_create_vs_memory": ratios["sqlite_create_throughput_vs_memory"],
            "sqlite_query_vs_memory": ratios["sqlite_query_throughput_vs_memory"],
        },
        "make bench-mock",
    )
    report_proxy(bench_proxy(args.connections, args.duration, args.rounds), args)
    report_fill(bench_fill(args.connections, args.duration, args.rounds), args)
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
    """Print the proxies' overhead as ratios over direct calls to the same mock, and add it to the JSON report."""
    direct, proxy, prism = result["direct"], result["proxy"], result["prism-proxy"]
    ratios = {
        "proxy_create_p50_vs_direct": proxy["create"]["p50_ms"] / max(direct["create"]["p50_ms"], 1e-9),
        "proxy_query_p50_vs_direct": proxy["query"]["p50_ms"] / max(direct["query"]["p50_ms"], 1e-9),
        "proxy_create_vs_prism_proxy": proxy["create"]["req_per_s"] / prism["create"]["req_per_s"],
        "proxy_query_vs_prism_proxy": proxy["query"]["req_per_s"] / prism["query"]["req_per_s"],
    }
    _add_to_report(args, "proxy", {**result, "ratios": ratios, "load_average_end": load_average()})
    print(
        f"\nproxies in front of one mock (maas-kl-mock proxy; prism proxy --errors) vs the mock directly, same run, "
        f"medians of {args.rounds} rounds x {args.duration}s, {args.connections} connections; "
        f"{result['violations']} violations"
    )
    print(f"{'path':<12} {'op':<7} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>8}")
    for name in ("direct", "proxy", "prism-proxy"):
        for op in ("create", "query"):
            r = result[name][op]
            print(
                f"{name:<12} {op:<7} {r['req_per_s']:>9.0f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['non_2xx']:>8}"
            )
    record(ratios, "make bench-mock (proxies)")
    return 0


def bench_fill(connections: int, duration: int, rounds: int) -> dict[str, Any]:
    """Throughput on a mock holding 1k and 100k tasks, in memory and in SQLite; the cases take turns each round."""
    runs: dict[str, list[dict[str, Any]]] = {f"{store} {n}": [] for store in ("memory", "sqlite") for n in FILL_LEVELS}
    for _ in range(rounds):
        for store in ("memory", "sqlite"):
            for tasks in FILL_LEVELS:
                runs[f"{store} {tasks}"].append(bench_filled(store, tasks, connections, duration))
    return {name: median_of(each) for name, each in runs.items()}


def report_fill(result: dict[str, Any], args: argparse.Namespace) -> int:
    """Print throughput against stored tasks and whether it stays flat from 1k to 100k."""
    low, high = FILL_LEVELS
    ratios = {
        f"{store}_{op}_100k_vs_1k": result[f"{store} {high}"][op]["req_per_s"]
        / result[f"{store} {low}"][op]["req_per_s"]
        for store in ("memory", "sqlite")
        for op in ("create", "query")
    }
    _add_to_report(args, "fill", {**result, "ratios": ratios})
    print(f"\nstored tasks before the load (medians of {args.rounds} rounds x {args.duration}s)")
    print(f"{'store':<16} {'op':<7} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>8}")
    for name, each in result.items():
        for op in ("create", "query"):
            r = each[op]
            print(
                f"{name:<16} {op:<7} {r['req_per_s']:>9.0f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['non_2xx']:>8}"
            )
    record(ratios, "make bench-mock (stored tasks)")
    return 0


def _add_to_report(args: argparse.Namespace, key: str, value: dict[str, Any]) -> None:
    existing = json.loads(args.out.read_text()) if args.out.exists() else {}
    existing[key] = value
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(existing, indent=2) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())

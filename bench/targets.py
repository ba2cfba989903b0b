"""Issue 22's targets, one table for every benchmark: each figure as a ratio taken in one run, with "met" or "missed".

Each benchmark calls `record(...)` with the ratios it measured; they are kept in
reports/bench-targets.json (one entry per target, the latest run's), and `python -m bench.targets`
(the last step of `make bench`) prints every target, "not measured" where no run recorded it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STORE = ROOT / "reports" / "bench-targets.json"


@dataclass(frozen=True, slots=True)
class Target:
    """A bound on one ratio: `at_least` (the figure must reach it) or not (the figure must stay under it)."""

    what: str
    bound: float
    at_least: bool
    bench: str

    def met(self, value: float) -> bool:
        """Whether `value` keeps the bound."""
        return value >= self.bound if self.at_least else value <= self.bound

    @property
    def shown(self) -> str:
        """The bound as the table prints it."""
        return f"{'>=' if self.at_least else '<='} {self.bound:g}"


TARGETS: dict[str, Target] = {
    "mock_create_vs_prism": Target("mock create throughput / Prism's", 10, True, "bench-mock"),
    "mock_query_vs_prism": Target("mock query throughput / Prism's", 10, True, "bench-mock"),
    "mock_create_vs_bare": Target("mock create throughput / bare ASGI's", 0.6, True, "bench-mock"),
    "mock_query_vs_bare": Target("mock query throughput / bare ASGI's", 0.6, True, "bench-mock"),
    # "p99 no worse than today's ratio": main's mock p99 / Prism p99 before issue 22, per op, as
    # `make bench-mock` measured it (bench/README.md); one run's figure, so a noisy machine can miss it.
    "mock_create_p99_vs_prism": Target("mock create p99 / Prism's (bound: main's)", 0.14, False, "bench-mock"),
    "mock_query_p99_vs_prism": Target("mock query p99 / Prism's (bound: main's)", 0.15, False, "bench-mock"),
    "sqlite_create_vs_memory": Target("--state SQLite create throughput / in memory", 0.5, True, "bench-mock"),
    "sqlite_query_vs_memory": Target("--state SQLite query throughput / in memory", 0.5, True, "bench-mock"),
    "memory_create_100k_vs_1k": Target("in memory, create throughput 100k stored / 1k", 0.9, True, "bench-mock"),
    "memory_query_100k_vs_1k": Target("in memory, query throughput 100k stored / 1k", 0.9, True, "bench-mock"),
    "sqlite_create_100k_vs_1k": Target("SQLite, create throughput 100k stored / 1k", 0.9, True, "bench-mock"),
    "sqlite_query_100k_vs_1k": Target("SQLite, query throughput 100k stored / 1k", 0.9, True, "bench-mock"),
    "proxy_create_p50_vs_direct": Target("our proxy create p50 / the mock's direct", 2, False, "bench-mock"),
    "proxy_query_p50_vs_direct": Target("our proxy query p50 / the mock's direct", 2, False, "bench-mock"),
    "proxy_create_vs_prism_proxy": Target("our proxy create throughput / prism proxy --errors'", 1, True, "bench-mock"),
    "proxy_query_vs_prism_proxy": Target("our proxy query throughput / prism proxy --errors'", 1, True, "bench-mock"),
    "sdk_import_vs_httpx": Target("import maas_kl_client / import httpx (clean venv)", 1.3, False, "bench-sdk"),
    "sdk_client_import_vs_httpx": Target(
        "from maas_kl_client import MaasKL / import httpx (clean venv)", 1.3, False, "bench-sdk"
    ),
    "cli_version_vs_httpx": Target("maas-kl --version / import httpx (clean venv)", 1.5, False, "bench-sdk"),
    "sdk_query_vs_httpx": Target("SDK query time / raw httpx's", 1.15, False, "bench-sdk"),
    "download_sync_vs_curl": Target("download_video throughput / curl's, 20 MB", 0.9, True, "bench-video"),
    "download_async_vs_curl": Target("async download_video throughput / curl's, 20 MB", 0.8, True, "bench-video"),
    "batch_vs_gather": Target("async batch of 40 / gather of create_and_wait", 1.1, False, "bench-batch"),
    "batch_requests_vs_gather": Target("requests: client.batch / asyncio.gather", 1, False, "bench-batch"),
}


def record(figures: dict[str, float], note: str) -> None:
    """Keep this run's ratios (replacing earlier ones of the same targets) and print them with their verdicts."""
    unknown = set(figures) - set(TARGETS)
    if unknown:
        raise KeyError(f"not targets of issue 22: {sorted(unknown)}")
    kept = json.loads(STORE.read_text()) if STORE.exists() else {}
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for key, value in figures.items():
        kept[key] = {"value": value, "at": stamp, "note": note}
    STORE.parent.mkdir(parents=True, exist_ok=True)
    STORE.write_text(json.dumps(kept, indent=2, sort_keys=True) + "\n")
    print()
    print_table({key: kept[key] for key in figures})


def print_table(kept: dict[str, dict[str, object]], *, every: bool = False) -> None:
    """Print one line per target: the figure, its bound and met/missed ("not measured" without a figure)."""
    print(f"{'issue 22 target':<66} {'ratio':>7} {'bound':>8}  verdict")
    for key, target in TARGETS.items():
        entry = kept.get(key)
        if entry is None and not every:
            continue
        if entry is None:
            print(f"{target.what:<66} {'-':>7} {target.shown:>8}  not measured ({target.bench})")
            continue
        value = float(entry["value"])  # type: ignore[arg-type]
        verdict = "met" if target.met(value) else "missed"
        print(f"{target.what:<66} {value:>7.2f} {target.shown:>8}  {verdict}")


def main() -> int:
    """Print every target with the latest recorded figure."""
    kept = json.loads(STORE.read_text()) if STORE.exists() else {}
    print_table(kept, every=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

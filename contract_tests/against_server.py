"""`make contract`: the schemathesis CLI against any server, with a guard against creating paid work by surprise.

    python -m contract_tests.against_server [--allow-create] [--max-creates N] [--max-examples N]

Reads BASE_URL, MAAS_KL_API_KEY and MAAS_KL_ENDPOINT_PATH (default `default`). Without a base URL
or a key it prints why it skipped and exits 0. Against a host that is not loopback it excludes
every create (POST) unless `--allow-create` or MAAS_KL_CONTRACT_ALLOW_CREATE=1 is given, and then
caps the creates actually sent at `--max-creates` (the `before_call` hook in checks.py refuses
the rest). The JUnit report goes to reports/contract-junit.xml.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
CONFIG = Path(__file__).with_name("schemathesis.toml")
SPEC = ROOT / "openapi" / "maas_kl.yaml"
ALLOW_ENV = "MAAS_KL_CONTRACT_ALLOW_CREATE"
MAX_CREATES_ENV = "MAAS_KL_CONTRACT_MAX_CREATES"
DEFAULT_MAX_CREATES = 10


@dataclass(frozen=True)
class Plan:
    """What a run will do: the command and environment, or why it is skipped."""

    command: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    skip: str | None = None


def is_loopback(host: str) -> bool:
    """Tell whether `host` is localhost or a loopback address: runs there cost nothing."""
    if host.lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse the command line (every option also documented in contract_tests/README.md)."""
    parser = argparse.ArgumentParser(prog="make contract", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--allow-create", action="store_true", help=f"allow creates on a non-loopback host ({ALLOW_ENV}=1)"
    )
    parser.add_argument(
        "--max-creates", type=int, default=None, help=f"creates sent at most (default {DEFAULT_MAX_CREATES})"
    )
    parser.add_argument("--max-examples", type=int, default=None, help="examples per operation and phase")
    parser.add_argument("--reports", type=Path, default=ROOT / "reports", help="report directory (default reports/)")
    return parser.parse_args(list(argv))


def plan(argv: Sequence[str], env: Mapping[str, str]) -> Plan:
    """Decide the run from arguments and environment; does no I/O, so the gating is testable offline."""
    args = parse_args(argv)
    base_url = env.get("BASE_URL", "").strip().rstrip("/")
    key = env.get("MAAS_KL_API_KEY", "")
    if not base_url or not key:
        missing = " and ".join(name for name, value in (("BASE_URL", base_url), ("MAAS_KL_API_KEY", key)) if not value)
        return Plan(
            skip=f"contract: skipped, {missing} not set. Run `make contract BASE_URL=https://host "
            "MAAS_KL_API_KEY=... [MAAS_KL_ENDPOINT_PATH=...]`; see contract_tests/README.md."
        )
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return Plan(skip=f"contract: BASE_URL must be an http(s) origin such as https://host, got {base_url!r}")
    endpoint = env.get("MAAS_KL_ENDPOINT_PATH") or "default"
    url = f"{base_url}/v1/ai/{quote(endpoint, safe='')}/kling"
    loopback = is_loopback(parts.hostname)
    allow = args.allow_create or env.get(ALLOW_ENV, "") in {"1", "true", "yes"}
    reports = args.reports
    command = [
        *_st(),
        "--config-file",
        str(CONFIG),
        "run",
        str(SPEC),
        "--url",
        url,
        "--report",
        "junit",
        "--report-junit-path",
        str(reports / "contract-junit.xml"),
    ]
    if args.max_examples is not None:
        command += ["--max-examples", str(args.max_examples)]
    child_env = {k: v for k, v in env.items() if k != MAX_CREATES_ENV}
    child_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    notes = [f"contract: {url} ({'loopback' if loopback else 'remote'})"]
    if not loopback and not allow:
        command += ["--exclude-method", "POST"]
        notes.append(f"contract: creates excluded on a remote host; pass --allow-create or {ALLOW_ENV}=1 to run them")
    elif not loopback or args.max_creates is not None:
        cap = args.max_creates if args.max_creates is not None else DEFAULT_MAX_CREATES
        child_env[MAX_CREATES_ENV] = str(cap)
        notes.append(f"contract: at most {cap} creates will be sent")
    return Plan(command=command, env=child_env, notes=notes)


def _st() -> list[str]:
    found = shutil.which("st", path=str(Path(sys.executable).parent)) or shutil.which("st")
    return [found] if found else [sys.executable, "-m", "schemathesis.cli"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the plan; exit 0 when skipped, else the CLI's own exit status."""
    decided = plan(sys.argv[1:] if argv is None else argv, os.environ)
    if decided.skip is not None:
        print(decided.skip)
        return 0
    for note in decided.notes:
        print(note)
    Path(decided.command[decided.command.index("--report-junit-path") + 1]).parent.mkdir(parents=True, exist_ok=True)
    return subprocess.run(decided.command, env=decided.env, check=False).returncode  # noqa: S603  (our own argv)


if __name__ == "__main__":
    raise SystemExit(main())

"""`make contract`: the schemathesis CLI against any server, with a guard against creating paid work by surprise.

    python -m contract_tests.against_server [--allow-create] [--max-creates N] [--max-examples N]

Reads BASE_URL, MAAS_KL_API_KEY and MAAS_KL_ENDPOINT_PATH (default `default`). Without a base URL
or a key it prints why it skipped and exits 0. Against a host that is not loopback it excludes
every create (POST) unless `--allow-create` or MAAS_KL_CONTRACT_ALLOW_CREATE=1 is given, and then
caps the creates actually sent at `--max-creates`: the `before_call` hook in checks.py counts every
create about to leave and skips the rest, so a capped run is green when nothing else is wrong. A
capped run turns the examples and coverage phases off for creates (schemathesis can skip a case only
in the fuzzing and stateful phases). The JUnit report goes to reports/contract-junit.xml; the
counts of creates sent and skipped are printed at the end and added to it.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

from contract_tests import coverage
from contract_tests.spec_facts import creates

ROOT = Path(__file__).resolve().parent.parent
CONFIG = Path(__file__).with_name("schemathesis.toml")
SPEC = ROOT / "openapi" / "maas_kl.yaml"
ALLOW_ENV = "MAAS_KL_CONTRACT_ALLOW_CREATE"
MAX_CREATES_ENV = "MAAS_KL_CONTRACT_MAX_CREATES"
LEDGER_ENV = "MAAS_KL_CONTRACT_CREATE_LEDGER"
DEFAULT_MAX_CREATES = 10
CREATE_OPERATIONS = tuple(creates())  # every family's create, read from the spec
# Appended to schemathesis.toml for a capped run: examples and coverage cannot skip a case, so a create
# past the cap there would be an error; fuzzing and stateful skip it (checks.SKIPPABLE_PHASES).
CAPPED_OPERATIONS = f"""
[[operations]]
include-operation-id = {json.dumps(list(CREATE_OPERATIONS))}

[operations.phases.examples]
enabled = false

[operations.phases.coverage]
enabled = false
"""
CAP_TESTCASE = "make contract create cap"
OBSERVATIONS = "contract-observations.jsonl"  # every exchange the run sent, for the coverage report


@dataclass(frozen=True)
class Plan:
    """What a run will do: the command and environment, or why it is skipped."""

    command: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    skip: str | None = None
    config_text: str | None = None
    ledger: Path | None = None
    required: bool = False  # --require-server: a skip is a failure (a CI job whose secrets went missing)
    baseline: Path | None = None  # --coverage-baseline: an earlier run's contract-coverage.json


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
    parser.add_argument(
        "--require-server", action="store_true", help="exit 2 instead of skipping when BASE_URL or the key is missing"
    )
    parser.add_argument(
        "--coverage-baseline",
        type=Path,
        default=None,
        help="an earlier run's contract-coverage.json: exit 1 when a row it exercised is not exercised now",
    )
    return parser.parse_args(list(argv))


def plan(argv: Sequence[str], env: Mapping[str, str]) -> Plan:
    """Decide the run from arguments and environment; reads only schemathesis.toml: testable offline."""
    args = parse_args(argv)
    base_url = env.get("BASE_URL", "").strip().rstrip("/")
    key = env.get("MAAS_KL_API_KEY", "")
    if not base_url or not key:
        missing = " and ".join(name for name, value in (("BASE_URL", base_url), ("MAAS_KL_API_KEY", key)) if not value)
        return Plan(
            required=args.require_server,
            skip=f"contract: skipped, {missing} not set. Run `make contract BASE_URL=https://host "
            "MAAS_KL_API_KEY=... [MAAS_KL_ENDPOINT_PATH=...]`; see contract_tests/README.md.",
        )
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return Plan(
            required=args.require_server,
            skip=f"contract: BASE_URL must be an http(s) origin such as https://host, got {base_url!r}",
        )
    endpoint = env.get("MAAS_KL_ENDPOINT_PATH") or "default"
    url = f"{base_url}/v1/ai/{quote(endpoint, safe='')}/kling"
    loopback = is_loopback(parts.hostname)
    allow = args.allow_create or env.get(ALLOW_ENV, "") in {"1", "true", "yes"}
    reports = args.reports
    excluded = not loopback and not allow
    capped = not excluded and (not loopback or args.max_creates is not None)
    # A capped run gets its own config file, written beside the reports: never schemathesis.toml itself.
    config = reports / "contract-schemathesis.toml" if capped else CONFIG
    command = [
        *_st(),
        "--config-file",
        str(config),
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
    child_env = {k: v for k, v in env.items() if k not in {MAX_CREATES_ENV, LEDGER_ENV}}
    child_env[coverage.OBSERVATIONS_ENV] = str(reports / OBSERVATIONS)
    child_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    notes = [f"contract: {url} ({'loopback' if loopback else 'remote'})"]
    if excluded:
        command += ["--exclude-method", "POST"]
        notes.append(f"contract: creates excluded on a remote host; pass --allow-create or {ALLOW_ENV}=1 to run them")
    elif capped:
        cap = args.max_creates if args.max_creates is not None else DEFAULT_MAX_CREATES
        ledger = reports / "contract-creates.json"
        child_env[MAX_CREATES_ENV] = str(cap)
        child_env[LEDGER_ENV] = str(ledger)
        notes.append(
            f"contract: at most {cap} creates will be sent; creates are tested in the fuzzing and stateful "
            "phases only, and any create past the cap is skipped"
        )
        return Plan(
            command=command,
            env=child_env,
            notes=notes,
            config_text=CONFIG.read_text(encoding="utf-8") + CAPPED_OPERATIONS,
            ledger=ledger,
            baseline=args.coverage_baseline,
        )
    return Plan(command=command, env=child_env, notes=notes, baseline=args.coverage_baseline)


def _st() -> list[str]:
    found = shutil.which("st", path=str(Path(sys.executable).parent)) or shutil.which("st")
    return [found] if found else [sys.executable, "-m", "schemathesis.cli"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the plan; exit 0 when skipped, else the CLI's own exit status."""
    decided = plan(sys.argv[1:] if argv is None else argv, os.environ)
    if decided.skip is not None:
        print(decided.skip)
        return 2 if decided.required else 0
    for note in decided.notes:
        print(note)
    junit = Path(decided.command[decided.command.index("--report-junit-path") + 1])
    junit.parent.mkdir(parents=True, exist_ok=True)
    if decided.config_text is not None:
        Path(decided.command[decided.command.index("--config-file") + 1]).write_text(
            decided.config_text, encoding="utf-8"
        )
    if decided.ledger is not None:
        decided.ledger.unlink(missing_ok=True)
    observations = Path(decided.env[coverage.OBSERVATIONS_ENV])
    observations.unlink(missing_ok=True)
    code = subprocess.run(decided.command, env=decided.env, check=False).returncode  # noqa: S603  (our own argv)
    if decided.ledger is not None:
        code = settle_capped_run(code, decided.ledger, junit)
    baseline = json.loads(decided.baseline.read_text(encoding="utf-8")) if decided.baseline else None
    lost = report_coverage(observations, junit.parent, baseline)
    if lost and code == 0:
        print(f"contract: coverage drift: {len(lost)} rows the baseline run exercised are not exercised now")
        return 1
    return code


def report_coverage(observations: Path, reports: Path, baseline: dict[str, object] | None = None) -> list[str]:
    """Write and print what the run exercised; return the rows a baseline report saw and this run did not."""
    exchanges = coverage.load_observations(observations)
    rows = coverage.measure(exchanges, mock=False)
    run = coverage.Run("make contract", mock=False, exchanges=len(exchanges))
    written = coverage.write_reports(rows, run, reports, "contract-coverage")
    print(coverage.render_table(rows, run, written))
    lost = coverage.lost_since(baseline, rows) if baseline is not None else []
    for key in lost:
        print(f"contract:   no longer exercised: {key}")
    return lost


def settle_capped_run(code: int, ledger: Path, junit: Path) -> int:
    """Report the creates sent and skipped, record the skips in the JUnit report, and judge the run by it.

    A skip raised during Hypothesis's shrinking marks a scenario skipped even when an earlier case
    failed a check; the failure is still in the report, so a report with failures or errors fails the run.
    """
    counts = json.loads(ledger.read_text(encoding="utf-8")) if ledger.exists() else {}
    sent, skipped = int(counts.get("sent", 0)), list(counts.get("skipped", []))
    cap = counts.get("cap", "?")
    print(f"contract: creates sent: {sent} (cap {cap}); create cases skipped because of the cap: {len(skipped)}")
    for where in skipped:
        print(f"contract:   skipped {where}")
    if not junit.exists():
        return code
    tree = ElementTree.parse(junit)  # noqa: S314  (our own report, written by schemathesis a moment ago)
    suites = tree.getroot()
    if skipped:
        _add_cap_testcase(suites, sent, skipped)
        tree.write(junit, encoding="utf-8", xml_declaration=True)
    troubles = int(suites.get("failures", "0")) + int(suites.get("errors", "0"))
    if code == 0 and troubles:
        print(f"contract: the JUnit report holds {troubles} failing or erroring test cases; failing the run")
        return 1
    return code


def _add_cap_testcase(suites: ElementTree.Element, sent: int, skipped: list[str]) -> None:
    """Add one skipped test case that says how many creates the cap held back, and bump the counts."""
    message = f"{len(skipped)} create cases skipped after {sent} creates were sent (--max-creates)"
    for suite in suites.iter("testsuite"):
        case = ElementTree.SubElement(suite, "testcase", {"name": CAP_TESTCASE, "time": "0.000000"})
        ElementTree.SubElement(case, "skipped", {"type": "skipped", "message": message}).text = "\n".join(skipped)
    for element in (suites, *suites.iter("testsuite")):
        for attribute in ("tests", "skipped"):
            element.set(attribute, str(int(element.get(attribute, "0")) + 1))


if __name__ == "__main__":
    raise SystemExit(main())

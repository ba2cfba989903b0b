"""`make contract-recorded DIR=...`: judge every exchange of a recording against the spec and the project's checks.

Contract coverage of the real service from traffic already paid for: each recorded request and
answer goes through the mock's conformance checks (schemas, business-code table, capability map,
envelopes) and the suite's own schemathesis checks on envelopes and request ids; each flow is
checked as a whole (one task, statuses only move forward, the video is the MP4 it claims to be).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import orjson
import requests
from maas_kl_mock._spec import load_spec
from maas_kl_mock.cassettes.format import VIDEO, CassetteError, Flow, body_bytes, load_flows
from maas_kl_mock.proxy.conformance import Conformance
from schemathesis import Response

from contract_tests import coverage
from contract_tests.checks import STATE, error_envelope_matches_table, request_id_unique
from contract_tests.spec_facts import facts

JSON = Any
_PROJECT_CHECKS = (error_envelope_matches_table, request_id_unique)


@dataclass(frozen=True, slots=True)
class Finding:
    """One failed check: where in the recording, and what."""

    flow: str
    seq: int | str
    check: str
    message: str

    def __str__(self) -> str:
        return f"FAIL {self.flow} #{self.seq} [{self.check}] {self.message}"


ROOT = Path(__file__).resolve().parent.parent


def observed(directory: Path) -> list[coverage.Exchange]:
    """Every API exchange of a recording, as the coverage report reads it (video fetches are not API calls)."""
    found = []
    for flow in load_flows(directory):
        for exchange in flow.exchanges:
            if exchange.get("kind") == VIDEO:
                continue
            request, answer = exchange["request"], exchange["response"]
            headers = {str(k).lower(): str(v) for k, v in (request.get("headers") or {}).items()}
            found.append(
                coverage.Exchange(
                    source="recorded",
                    method=str(request.get("method", "")).upper(),
                    path=str(request.get("path", "")),
                    prefer=headers.get("prefer", ""),
                    request=request.get("json"),
                    status=int(answer["status"]) if isinstance(answer.get("status"), int) else None,
                    response=answer.get("json"),
                )
            )
    return found


def check_directory(directory: Path) -> tuple[int, list[Finding]]:
    """Return how many exchanges were checked and every finding, for all flows of a cassette directory."""
    STATE.reset()
    conformance = Conformance(load_spec())
    findings: list[Finding] = []
    checked = 0
    for flow in load_flows(directory):
        for exchange in flow.exchanges:
            checked += 1
            if exchange.get("kind") == VIDEO:
                findings.extend(_video(directory, flow, exchange))
            else:
                findings.extend(_exchange(conformance, flow, exchange))
        findings.extend(_flow(flow))
    return checked, findings


def _exchange(conformance: Conformance, flow: Flow, exchange: dict[str, JSON]) -> list[Finding]:
    seq = exchange.get("seq", "?")
    request, answer = exchange["request"], exchange["response"]
    found: list[Finding] = []
    op, params, unknown = conformance.operation(str(request.get("method")), str(request.get("path")))
    violations = [unknown] if unknown is not None else []
    if op is not None:
        violations = conformance.check_request(op, params, body_bytes(request))
    status = int(answer.get("status", 0))
    content_type = str(answer.get("headers", {}).get("content-type", "application/json"))
    violations += conformance.check_response(op, status, content_type, body_bytes(answer))
    for v in violations:
        found.append(Finding(flow.name, seq, f"spec:{v.rule}", f"{v.direction} {v.pointer or '(body)'}: {v.message}"))
    response = _as_schemathesis(status, content_type, body_bytes(answer))
    for check in _PROJECT_CHECKS:
        try:
            check(cast("Any", None), response, cast("Any", None))
        except AssertionError as error:
            found.append(Finding(flow.name, seq, check.__name__, str(error)[:300]))
    return found


def _as_schemathesis(status: int, content_type: str, body: bytes) -> Response:
    prepared = requests.Request("GET", "http://recorded.invalid/").prepare()
    headers = {"content-type": [content_type]}
    return Response(status, headers, body, prepared, elapsed=0.0, verify=True)


def _order() -> dict[str, int]:
    """Where a task may go next, by the spec's lifecycle; a status it does not know is judged by the schema check."""
    statuses = facts().statuses
    return {statuses.initial: 0, statuses.running: 1, statuses.succeeded: 2, statuses.failed: 2}


def _flow(flow: Flow) -> list[Finding]:
    """Whole-flow checks: one task id throughout, statuses never go back, a finished task stays finished."""
    found: list[Finding] = []
    order = _order()
    task_ids: set[str] = set()
    rank = -1
    last = None
    for exchange in flow.exchanges:
        body = exchange["response"].get("json")
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict) or exchange["response"].get("status") != 200:
            continue
        if isinstance(data.get("task_id"), str):
            task_ids.add(data["task_id"])
        status = data.get("task_status")
        if status in order:
            if order[status] < rank or (rank == 2 and status != last):
                found.append(
                    Finding(
                        flow.name, exchange.get("seq", "?"), "flow:status-order", f"{last} was followed by {status}"
                    )
                )
            rank, last = max(rank, order[status]), status
    if len(task_ids) > 1:
        found.append(Finding(flow.name, "-", "flow:one-task", f"answers name several task ids: {sorted(task_ids)}"))
    return found


def _video(directory: Path, flow: Flow, exchange: dict[str, JSON]) -> list[Finding]:
    answer = exchange["response"]
    seq = exchange.get("seq", "?")
    if answer.get("status") != 200:
        return [Finding(flow.name, seq, "video:fetched", f"the video fetch answered {answer.get('status')}")]
    try:
        data = (directory / str(answer.get("file"))).read_bytes()
    except OSError as exc:
        return [Finding(flow.name, seq, "video:file", f"cannot read the recorded bytes: {exc}")]
    found = []
    if hashlib.sha256(data).hexdigest() != answer.get("sha256"):
        found.append(Finding(flow.name, seq, "video:sha256", "the bytes on disk are not the ones recorded"))
    if data[4:8] != b"ftyp":
        found.append(Finding(flow.name, seq, "video:mp4", f"not an MP4 (no ftyp box): starts {data[:12]!r}"))
    return found


def main(argv: list[str] | None = None) -> int:
    """Check the directory given on the command line; exit 1 when any check failed."""
    parser = argparse.ArgumentParser(prog="make contract-recorded DIR=...", description=__doc__)
    parser.add_argument("directory", type=Path, help="a cassette directory written by `maas-kl-mock proxy --record`")
    parser.add_argument("--reports", type=Path, default=ROOT / "reports", help="where the coverage report goes")
    args = parser.parse_args(argv)
    try:
        checked, findings = check_directory(args.directory)
        exchanges = observed(args.directory)
    except (CassetteError, orjson.JSONDecodeError) as exc:
        parser.error(str(exc))
    rows = coverage.measure(exchanges, mock=False)
    run = coverage.Run("make contract-recorded", mock=False, exchanges=len(exchanges))
    written = coverage.write_reports(rows, run, args.reports, "contract-recorded-coverage")
    for finding in findings:
        print(finding)
    flows = len(list(args.directory.glob("*.json")))
    verdict = "FAILED" if findings else "passed"
    print(f"contract-recorded {verdict}: {checked} exchanges in {flows} flows, {len(findings)} findings")
    print(coverage.render_table(rows, run, written))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())

"""Project checks for schemathesis, and the two built-in checks adapted to the service's documented behaviour.

Importing this module registers the project checks with schemathesis (the CLI loads it through
`hooks` in `schemathesis.toml`; the pytest suite imports it). Each is `(ctx, response, case)` and
raises AssertionError (or the built-in's own failure) with what was wrong.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

import schemathesis
from maas_kl_client._preflight import check_capabilities
from schemathesis import Case, CheckContext, Response
from schemathesis.core.control import SkipTest
from schemathesis.openapi.checks import RejectedPositiveData, UnsupportedMethodResponse
from schemathesis.specs.openapi.checks import positive_data_acceptance, unsupported_method

from contract_tests.coverage import RECORDER, Exchange, json_or_none
from contract_tests.spec_facts import code, creates, error_statuses

JSON = Any
OTHER_KEY_ENV = "MAAS_KL_CONTRACT_OTHER_API_KEY"
CREATES = creates()


class RunState:
    """What the checks remember across one run: request ids seen, external ids already used."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.request_ids: set[str] = set()
        self.external_ids: set[str] = set()

    def reset(self) -> None:
        """Forget everything (a new run against a fresh server)."""
        with self._lock:
            self.request_ids.clear()
            self.external_ids.clear()

    def first_sighting(self, request_id: str) -> bool:
        """Record `request_id`; False when it was seen before."""
        with self._lock:
            if request_id in self.request_ids:
                return False
            self.request_ids.add(request_id)
            return True


STATE = RunState()


def _json(response: Response) -> JSON:
    if "json" not in (response.headers.get("content-type") or [""])[0]:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _operation_id(case: Case[Any]) -> str | None:
    definition = getattr(case.operation, "definition", None)
    raw = getattr(definition, "raw", None)
    return raw.get("operationId") if isinstance(raw, dict) else None


@schemathesis.check
def error_envelope_matches_table(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Check the envelope: code 0 on 200; errors are {code, message, request_id}, no data, status per the table."""
    body = _json(response)
    if not isinstance(body, dict):
        if response.status_code >= 400:
            raise AssertionError(
                f"HTTP {response.status_code} without a JSON error envelope: {response.content[:120]!r}"
            )
        return None
    if response.status_code == 200:
        if body.get("code") != 0:
            raise AssertionError(f"HTTP 200 must carry code 0, got code {body.get('code')!r}")
        return None
    missing = [key for key in ("code", "message", "request_id") if key not in body]
    if missing:
        raise AssertionError(f"HTTP {response.status_code} error envelope lacks {missing}: {body}")
    if "data" in body:
        raise AssertionError(f"HTTP {response.status_code} error envelope must not carry data: {body}")
    code = body["code"]
    table = error_statuses()
    if code not in table:
        raise AssertionError(f"HTTP {response.status_code} carries code {code!r}, which the reference table lacks")
    if table[code] != response.status_code:
        raise AssertionError(
            f"code {code} belongs with HTTP {table[code]} in the reference table, "
            f"but came with HTTP {response.status_code}"
        )
    return None


@schemathesis.check
def request_id_unique(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """No two answers of one run share a request_id: support traces one request by it."""
    body = _json(response)
    if not isinstance(body, dict) or "request_id" not in body:
        return None
    request_id = body["request_id"]
    if not isinstance(request_id, str) or not request_id:
        raise AssertionError(f"request_id must be a non-empty string, got {request_id!r}")
    if not STATE.first_sighting(request_id):
        raise AssertionError(f"request_id {request_id!r} was already used by an earlier response of this run")
    return None


@schemathesis.check
def task_visible_only_to_own_tenant(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Check that a created task is `not_found` for another tenant, by task_id and by external_task_id."""
    other_key = os.environ.get(OTHER_KEY_ENV)
    query_id = CREATES.get(_operation_id(case) or "")
    body = _json(response)
    if query_id is None or response.status_code != 200 or not isinstance(body, dict):
        return None
    data = body.get("data") or {}
    sent = case.body if isinstance(case.body, dict) else {}
    external_id = sent.get("external_task_id")
    if isinstance(external_id, str):
        STATE.external_ids.add(external_id)
    if not other_key:
        return None
    query = case.operation.schema.find_operation_by_id(query_id)
    ids = [data.get("task_id"), *([external_id] if isinstance(external_id, str) else [])]
    for task_id in ids:
        # schemathesis puts path parameters in the URL as they are; an external_task_id such as "?" must be encoded.
        probe = query.Case(path_parameters={"id": quote(str(task_id), safe="")})
        seen = probe.call(headers={"Authorization": f"Bearer {other_key}"})
        seen_body = _json(seen)
        seen_code = seen_body.get("code") if isinstance(seen_body, dict) else None
        hidden = code("not_found")
        if (seen.status_code, seen_code) != (hidden.status, hidden.code):
            raise AssertionError(
                f"task {task_id!r} created by one tenant answered {seen.status_code} / code {seen_code} to another "
                f"tenant's key; expected {hidden.status} / {hidden.code}"
            )
    return None


@schemathesis.check
def positive_data_acceptance_with_capabilities(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Run the built-in positive_data_acceptance, except for refusals the spec documents beyond JSON Schema.

    A schema-valid body may still break `x-capability-map` (D10) or reuse an `external_task_id`
    of this tenant (M3): both are `invalid_value` by the spec. Such a refusal is accepted only when the
    SDK's own reading of the capability map (a separate implementation from the mock's) also
    refuses the body, or the external id was accepted earlier in this run. Anything else fails.
    """
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        body = _json(response)
        operation = _operation_id(case) or ""
        sent = case.body if isinstance(case.body, dict) else {}
        invalid = code("invalid_value")
        if response.status_code == invalid.status and isinstance(body, dict) and body.get("code") == invalid.code:
            if check_capabilities(operation, sent):
                return None
            if sent.get("external_task_id") in STATE.external_ids:
                return None
        raise


@schemathesis.check
def unsupported_method_per_service(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Run the built-in unsupported_method, but accept the service's documented `invalid_method` with Allow.

    The code table documents `invalid_method` (a 404, M1), not 405; the built-in
    check expects 405. Every other outcome is judged by the built-in check unchanged.
    """
    try:
        return unsupported_method(ctx, response, case)
    except UnsupportedMethodResponse:
        body = _json(response)
        allow = (response.headers.get("allow") or [""])[0]
        documented = case.operation.method.upper()
        wrong_method = code("invalid_method")
        if (
            response.status_code == wrong_method.status
            and isinstance(body, dict)
            and body.get("code") == wrong_method.code
            and documented in {m.strip().upper() for m in allow.split(",")}
        ):
            return None
        raise


PROJECT_CHECKS = [
    error_envelope_matches_table,
    request_id_unique,
    task_visible_only_to_own_tenant,
    positive_data_acceptance_with_capabilities,
    unsupported_method_per_service,
]
REPLACED_BUILTINS = [positive_data_acceptance, unsupported_method]


MAX_CREATES_ENV = "MAAS_KL_CONTRACT_MAX_CREATES"
LEDGER_ENV = "MAAS_KL_CONTRACT_CREATE_LEDGER"
# schemathesis turns its SkipTest into a skipped scenario only in the Hypothesis-driven phases; in
# examples and coverage it would crash the worker, so a capped run turns those phases off for creates.
SKIPPABLE_PHASES = frozenset({"fuzzing", "stateful"})


class CreateCapReached(RuntimeError):  # noqa: N818  (reads as the refusal it is)
    """Raised instead of sending a create past the cap in a phase that cannot skip it (a Hook Error)."""


class CreateBudget:
    """Counts creates about to leave; past the cap, skips the case (or refuses it where skipping is impossible).

    The cap comes from MAAS_KL_CONTRACT_MAX_CREATES. When MAAS_KL_CONTRACT_CREATE_LEDGER names a file,
    the counts are written there after every change, for `make contract` to report.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sent = 0
        self.skipped: list[str] = []

    def spend(self, operation_id: str | None, label: str = "", phase: str | None = None) -> None:
        """Allow one more create; past the cap raise SkipTest (fuzzing, stateful) or CreateCapReached."""
        cap = os.environ.get(MAX_CREATES_ENV)
        if cap is None or operation_id not in CREATES:
            return
        with self._lock:
            if self.sent < int(cap):
                self.sent += 1
                self._write(int(cap))
                return
            if phase in SKIPPABLE_PHASES:
                self.skipped.append(f"{label} [{phase}]")
                self._write(int(cap))
                raise SkipTest(
                    f"create cap of {cap} spent ({MAX_CREATES_ENV}): this create was not sent; raise "
                    "--max-creates if the account can afford more"
                )
        raise CreateCapReached(
            f"refusing create number {self.sent + 1} in the {phase} phase: the cap is {cap} ({MAX_CREATES_ENV}) "
            "and this phase cannot skip a case; run capped through `make contract`, which turns the examples "
            "and coverage phases off for creates"
        )

    def _write(self, cap: int) -> None:
        path = os.environ.get(LEDGER_ENV)
        if not path:
            return
        ledger = Path(path)
        staged = ledger.with_name(ledger.name + ".tmp")
        staged.write_text(json.dumps({"cap": cap, "sent": self.sent, "skipped": self.skipped}), encoding="utf-8")
        staged.replace(ledger)


BUDGET = CreateBudget()


def _phase(case: Case[Any]) -> str | None:
    phase = getattr(getattr(case.meta, "phase", None), "name", None)
    return None if phase is None else str(getattr(phase, "value", phase))


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: Case[Any], kwargs: dict[str, Any]) -> None:
    """Enforce the create cap before any request leaves: every create, in every phase, passes here."""
    BUDGET.spend(_operation_id(case), case.operation.label, _phase(case))


@schemathesis.hook
def after_call(context: schemathesis.HookContext, case: Case[Any], response: Response) -> None:
    """Record every exchange for the coverage report (contract_tests/coverage.py), in every phase."""
    headers: dict[str, Any] = dict(case.headers or {})
    prefer = next((str(v) for k, v in headers.items() if k.lower() == "prefer"), "")
    RECORDER.record(
        Exchange(
            source="schemathesis",
            method=case.method.upper(),
            path=case.formatted_path,
            prefer=prefer,
            request=case.body if isinstance(case.body, dict | list | str | int | float) else None,
            status=response.status_code,
            response=json_or_none(response.content, (response.headers.get("content-type") or [""])[0]),
        )
    )

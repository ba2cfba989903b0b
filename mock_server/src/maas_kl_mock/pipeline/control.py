"""The control API under /_mock/: tasks, reset, clock, faults and stats, for tests that run out of process.

It is a route of the core's router like any spec operation; it sees the core only through the
`Controlled` protocol, so this module never imports the core.
A tenant is shown by its label (`tenant_label`), never its token: a developer may point a real key at the mock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol
from urllib.parse import parse_qs

import orjson
from maas_kl_specfacts import TaskStatuses

from .._errors import ApiError
from .._http import Call, MockRequest, MockResponse
from ..state.clock import Clock
from ..state.store import TaskStore
from .auth import tenant_label
from .faults import FaultInjector, FaultPlan

JSON = Any
CONTROL_PREFIX = "/_mock/"
# Beyond this, times in milliseconds stop fitting the spec's int64 and floats lose whole seconds.
MAX_ADVANCE = 100 * 365 * 86_400


class Controlled(Protocol):
    """What the control API reads and changes of a mock core."""

    clock: Clock
    store: TaskStore
    statuses: TaskStatuses
    faults: FaultInjector
    requests_total: int
    internal_errors: int

    @property
    def calls(self) -> Iterable[Call]:
        """The calls kept for inspection, oldest first."""
        ...

    def reset(self) -> None:
        """Forget tasks, calls and fault counts."""


class ControlApi:
    """Answers the control endpoints; unknown ones get the envelope with the list of endpoints."""

    def __init__(self, core: Controlled) -> None:
        self.core = core
        self._endpoints: dict[tuple[str, str], Callable[[MockRequest], JSON]] = {
            ("GET", "health"): lambda _: {"status": "ok"},
            ("GET", "tasks"): self._tasks,
            ("GET", "stats"): lambda _: stats(self.core),
            ("POST", "reset"): self._reset,
            ("GET", "clock"): lambda _: {"now": self.core.clock.now()},
            ("POST", "clock/advance"): self._advance,
            ("GET", "faults"): lambda _: {
                "plan": self.core.faults.plan.to_json(),
                "injected": dict(self.core.faults.injected),
            },
            ("PUT", "faults"): self._set_faults,
            ("POST", "faults"): self._set_faults,
            ("GET", "calls"): self._calls,
        }

    def serve(self, request: MockRequest) -> MockResponse:
        """Answer one control request."""
        name = request.path.removeprefix(CONTROL_PREFIX).rstrip("/")
        endpoint = self._endpoints.get((request.method, name))
        if endpoint is None:
            raise ApiError(
                "not_found",
                f"No such control endpoint: {request.method} /_mock/{name[:80]}. Known: GET health, "
                "GET tasks[?tenant=], GET stats, POST reset, GET clock, POST clock/advance, GET/PUT faults, "
                "GET calls[?limit=]",
            )
        return MockResponse(200, orjson.dumps(endpoint(request)))

    def _tasks(self, request: MockRequest) -> JSON:
        asked = parse_qs(request.query).get("tenant", [None])[0]
        tenant = _tenant_key(self.core, asked) if asked is not None else None
        now = self.core.clock.now()
        tasks = [_task_json(t, now, self.core.statuses) for t in self.core.store.tasks(tenant)]
        return {"count": len(tasks), "tasks": tasks}

    def _reset(self, _: MockRequest) -> JSON:
        self.core.reset()
        return {"reset": True}

    def _advance(self, request: MockRequest) -> JSON:
        seconds = _body(request).get("seconds")
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 0 <= seconds <= MAX_ADVANCE:
            raise ApiError(
                "invalid_value",
                f'Invalid key or value: send {{"seconds": N}} with 0 <= N <= {MAX_ADVANCE} (100 years per call)',
            )
        return {"now": self.core.clock.advance(float(seconds))}

    def _set_faults(self, request: MockRequest) -> JSON:
        faults = self.core.faults
        try:
            faults.plan = FaultPlan.from_json(_body(request), faults.plan)
        except (ValueError, TypeError) as exc:
            raise ApiError("invalid_value", f"Invalid key or value: {exc}") from None
        return {"plan": faults.plan.to_json()}

    def _calls(self, request: MockRequest) -> JSON:
        text = parse_qs(request.query).get("limit", [""])[0]
        limit = int(text) if text.isascii() and text.isdigit() and int(text) > 0 else 100  # "²" is a digit to str
        calls = list(self.core.calls)[-limit:]
        return {
            "count": len(calls),
            "calls": [
                {
                    "method": c.request.method,
                    "path": c.request.path,
                    "operation_id": c.operation_id,
                    "tenant": tenant_label(c.tenant) if c.tenant is not None else None,
                    "status": c.response.status,
                    "range": c.request.headers.get("range"),  # shows a download resuming
                    "drop": c.response.delivery.drop.value if c.response.delivery.drop else None,
                }
                for c in calls
            ],
        }


def stats(core: Controlled) -> dict[str, JSON]:
    """Count the chaos test checks: tasks per tenant, requests, faults injected."""
    now = core.clock.now()
    tenants = {
        tenant_label(name): {"tasks": count, "unfinished": core.store.unfinished(name, now)}
        for name, count in core.store.tenants().items()
    }
    return {
        "tasks": len(core.store),
        "created_total": core.store.created_total,
        "evicted_total": core.store.evicted_total,
        "tenants": tenants,
        "requests": core.requests_total,
        "faults": dict(core.faults.injected),
        "internal_errors": core.internal_errors,
        "now": now,
    }


def _tenant_key(core: Controlled, asked: str) -> str:
    """Return the stored tenant `?tenant=` names, given as its token or as the label the control API shows."""
    tenants = core.store.tenants()
    if asked in tenants:
        return asked
    return next((token for token in tenants if tenant_label(token) == asked), asked)


def _task_json(task: Any, now: float, statuses: TaskStatuses) -> dict[str, JSON]:
    return {
        "task_id": task.task_id,
        "tenant": tenant_label(task.tenant),
        "kind": task.kind,  # the family name the SDK, the CLI and the spec's tags use
        "external_task_id": task.external_task_id,
        "status": task.status(now, statuses),
        "model": task.model,
        "mode": task.mode,
        "created_at": int(task.created_at * 1000),
        "video_id": task.video.id if task.video else None,
        "parent_video_id": task.parent.id if task.parent else None,
    }


def _body(request: MockRequest) -> dict[str, JSON]:
    if not request.body:
        return {}
    try:
        body = orjson.loads(request.body)
    except orjson.JSONDecodeError:
        raise ApiError(
            "invalid_request", "Invalid request parameters: the control API takes a JSON object body"
        ) from None
    if not isinstance(body, dict):
        raise ApiError("invalid_request", "Invalid request parameters: the control API takes a JSON object body")
    return body

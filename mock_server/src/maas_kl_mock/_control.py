"""The control API under /_mock/: tasks, reset, clock, faults and stats, for tests that run out of process.

A tenant is shown by its label (`tenant_label`), never its token: a developer may point a real key at the mock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import orjson

from ._auth import tenant_label
from ._errors import ApiError
from ._faults import FaultPlan
from ._http import MockRequest, MockResponse

if TYPE_CHECKING:
    from ._core import MockCore

JSON = Any
# Beyond this, times in milliseconds stop fitting the spec's int64 and floats lose whole seconds.
MAX_ADVANCE = 100 * 365 * 86_400


def handle_control(core: MockCore, request: MockRequest) -> MockResponse:  # noqa: PLR0911  (one return per endpoint)
    """Answer one control request; unknown ones get the envelope with the list of endpoints."""
    name = request.path.removeprefix("/_mock/").rstrip("/")
    method = request.method
    query = parse_qs(request.query)
    key = (method, name)
    if key == ("GET", "health"):
        return _json({"status": "ok"})
    if key == ("GET", "tasks"):
        asked = query.get("tenant", [None])[0]
        tenant = _tenant_key(core, asked) if asked is not None else None
        now = core.clock.now()
        tasks = [_task_json(t, now) for t in core.store.tasks(tenant)]
        return _json({"count": len(tasks), "tasks": tasks})
    if key == ("GET", "stats"):
        return _json(stats(core))
    if key == ("POST", "reset"):
        core.reset()
        return _json({"reset": True})
    if key == ("GET", "clock"):
        return _json({"now": core.clock.now()})
    if key == ("POST", "clock/advance"):
        seconds = _body(request).get("seconds")
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 0 <= seconds <= MAX_ADVANCE:
            raise ApiError(
                "invalid_value",
                f'Invalid key or value: send {{"seconds": N}} with 0 <= N <= {MAX_ADVANCE} (100 years per call)',
            )
        return _json({"now": core.clock.advance(float(seconds))})
    if key == ("GET", "faults"):
        return _json({"plan": core.faults.plan.to_json(), "injected": dict(core.faults.injected)})
    if key in (("PUT", "faults"), ("POST", "faults")):
        try:
            core.faults.plan = FaultPlan.from_json(_body(request), core.faults.plan)
        except (ValueError, TypeError) as exc:
            raise ApiError("invalid_value", f"Invalid key or value: {exc}") from None
        return _json({"plan": core.faults.plan.to_json()})
    if key == ("GET", "calls"):
        text = query.get("limit", [""])[0]
        limit = int(text) if text.isascii() and text.isdigit() and int(text) > 0 else 100  # "²" is a digit to str
        calls = list(core.calls)[-limit:]
        return _json(
            {
                "count": len(calls),
                "calls": [
                    {
                        "method": c.request.method,
                        "path": c.request.path,
                        "operation_id": c.operation_id,
                        "tenant": tenant_label(c.tenant) if c.tenant is not None else None,
                        "status": c.response.status,
                        "range": c.request.headers.get("range"),  # shows a download resuming
                        "drop": c.response.drop.value if c.response.drop else None,
                    }
                    for c in calls
                ],
            }
        )
    raise ApiError(
        "not_found",
        f"No such control endpoint: {method} /_mock/{name[:80]}. Known: GET health, GET tasks[?tenant=], GET stats, "
        "POST reset, GET clock, POST clock/advance, GET/PUT faults, GET calls[?limit=]",
    )


def stats(core: MockCore) -> dict[str, JSON]:
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


def _tenant_key(core: MockCore, asked: str) -> str:
    """Return the stored tenant `?tenant=` names, given as its token or as the label the control API shows."""
    tenants = core.store.tenants()
    if asked in tenants:
        return asked
    return next((token for token in tenants if tenant_label(token) == asked), asked)


def _task_json(task: Any, now: float) -> dict[str, JSON]:
    return {
        "task_id": task.task_id,
        "tenant": tenant_label(task.tenant),
        "kind": task.kind,  # the family name the SDK, the CLI and the spec's tags use
        "external_task_id": task.external_task_id,
        "status": task.status(now),
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


def _json(data: JSON) -> MockResponse:
    return MockResponse(200, orjson.dumps(data))

"""The control API under /_mock/: tasks, calls, reset, clock, faults and stats, and the inspector that shows them.

It is a route of the core's router like any spec operation; it sees the core only through the
`Controlled` protocol, so this module never imports the core. Who may call it (Host, Origin,
content type, token) is decided before the core by the served faces (M-CONTROL).
A tenant is shown by its label (`tenant_label`), never its token: a developer may point a real key at the mock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol
from urllib.parse import parse_qs

import orjson
from maas_kl_specfacts import TaskStatuses

from .. import inspector
from .._errors import ApiError
from .._http import MockRequest, MockResponse
from .._spec import Spec
from ..media.video import FILES_PREFIX, VideoSigner
from ..state.clock import Clock, ManualClock
from ..state.store import TaskStore
from ..state.task import Task
from .auth import tenant_label
from .calls import Call, CallLog, mask_header, mask_query, mask_text
from .faults import DOWNLOAD_CUT, FAULT_KINDS, FaultInjector, FaultPlan
from .files import VideoFiles

JSON = Any
CONTROL_PREFIX = "/_mock/"
# Beyond this, times in milliseconds stop fitting the spec's int64 and floats lose whole seconds.
MAX_ADVANCE = 100 * 365 * 86_400
_LIST_LIMIT = 500  # tasks or calls one listing returns unless `?limit=` asks for another count
_VIDEO_PREFIX = "videos/"


class Controlled(Protocol):
    """What the control API reads and changes of a mock core."""

    clock: Clock
    store: TaskStore
    statuses: TaskStatuses
    faults: FaultInjector
    spec: Spec
    signer: VideoSigner
    files: VideoFiles
    requests_total: int
    internal_errors: int

    @property
    def calls(self) -> CallLog:
        """The calls kept for inspection, oldest first."""
        ...

    @property
    def replayer(self) -> object | None:
        """The replayer when the mock serves a recording."""
        ...

    def reset(self) -> None:
        """Forget tasks, calls and fault counts."""


class ControlApi:
    """Answers the control endpoints; unknown ones get the envelope with the list of endpoints."""

    def __init__(self, core: Controlled) -> None:
        self.core = core
        self._endpoints: dict[tuple[str, str], Callable[[MockRequest], JSON]] = {
            ("GET", "health"): lambda _: {"status": "ok"},
            ("GET", "meta"): self._meta,
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
        if endpoint is not None:
            return MockResponse(200, orjson.dumps(endpoint(request)))
        if request.method in ("GET", "HEAD"):
            if name == "ui" or name.startswith("ui/"):
                return inspector.serve(request.path)
            if name.startswith("tasks/"):
                return MockResponse(200, orjson.dumps(self._task(name.removeprefix("tasks/"))))
            if name.startswith("calls/"):
                return MockResponse(200, orjson.dumps(call_detail(self.core.calls, name.removeprefix("calls/"))))
            if name.startswith(_VIDEO_PREFIX):
                return self._video(request, name.removeprefix(_VIDEO_PREFIX))
        raise ApiError(
            "not_found",
            f"No such control endpoint: {request.method} /_mock/{name[:80]}. Known: GET health, GET meta, "
            "GET tasks[?tenant=&family=&status=&limit=], GET tasks/ID, GET stats, POST reset, GET clock, "
            "POST clock/advance, GET/PUT faults, GET calls[?limit=&since=], GET calls/N, GET videos/ID.mp4, "
            "GET ui/ (the inspector)",
        )

    def _meta(self, _: MockRequest) -> JSON:
        """Tell the inspector what it needs to draw its filters: the spec's statuses and families, the fault kinds."""
        statuses = self.core.statuses
        return {
            "kind": "replay" if self.core.replayer is not None else "mock",
            "views": ["tasks", "calls", "controls"],
            "statuses": list(statuses.values),  # in the spec's order
            "families": sorted(self.core.spec.facts.families),
            "fault_kinds": [*FAULT_KINDS, DOWNLOAD_CUT],
            "clock": {"now": self.core.clock.now(), "manual": isinstance(self.core.clock, ManualClock)},
            "tenants": sorted(tenant_label(t) for t in self.core.store.tenants()),
        }

    def _tasks(self, request: MockRequest) -> JSON:
        query = parse_qs(request.query)
        asked = query.get("tenant", [None])[0]
        tenant = _tenant_key(self.core, asked) if asked else None
        family = query.get("family", [""])[0]
        status = query.get("status", [""])[0]
        now = self.core.clock.now()
        statuses = self.core.statuses
        tasks = [
            t
            for t in self.core.store.tasks(tenant)
            if (not family or t.kind == family) and (not status or t.status(now, statuses) == status)
        ]
        shown = [_task_json(t, now, statuses) for t in tasks[-_limit(query, _LIST_LIMIT) :]]
        return {"count": len(tasks), "now": now, "tasks": shown}

    def _task(self, task_id: str) -> JSON:
        """One task as the inspector shows it: timeline, request, the calls that touched it, extensions, video."""
        core = self.core
        task = next((t for t in core.store.tasks() if t.task_id == task_id), None)
        if task is None:
            raise ApiError("not_found", f"Resource not found: no task {task_id[:80]!r} is held by the mock")
        now = core.clock.now()
        shown = _task_json(task, now, core.statuses)
        calls = [c for c in core.calls if _touches(c, task)]
        create = next((c for c in calls if c.request.method == "POST"), None)
        shown["request"] = _body_json(create.request.body) if create is not None else None
        shown["calls"] = [call_json(c) for c in calls]
        shown["faults"] = [{"seq": c.seq, "fault": c.fault, "status": c.response.status} for c in calls if c.fault]
        if task.parent is not None:
            found = core.store.video(task.parent.id)
            shown["source_task_id"] = found[0].task_id if found is not None else None
        children = [t.task_id for t in core.store.tasks(task.tenant) if task.video and t.parent == task.video]
        shown["extended_by"] = children
        return shown

    def _video(self, request: MockRequest, name: str) -> MockResponse:
        """Serve a task's video to the inspector: the file route's answer, without any fault, signed here."""
        video_id = name.removesuffix(".mp4")
        found = self.core.store.video(video_id)
        if found is None or not name.endswith(".mp4"):
            raise ApiError("not_found", "Video not found: no task of the mock produced it")
        task, _ = found
        headers = {k: v for k, v in request.headers.items() if k != "authorization"}
        signed = f"sig={self.core.signer.signature(task.tenant, video_id)}"
        inner = MockRequest(request.method, f"{FILES_PREFIX}{video_id}.mp4", headers, b"", signed, request.base_url)
        return self.core.files.serve(inner)

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
        return calls_json(self.core.calls, request.query)


def calls_json(log: CallLog, query_text: str) -> JSON:
    """List the call log, oldest first: the last `?limit=` calls, only those after `?since=N` when given."""
    query = parse_qs(query_text)
    since = _number(query.get("since", [""])[0])
    calls: Iterable[Call] = log
    if since is not None:
        calls = [c for c in log if c.seq > since]
    kept = list(calls)[-_limit(query, 100) :]
    return {"count": len(kept), "total": log.total, "bytes": log.bytes, "calls": [call_json(c) for c in kept]}


def call_json(call: Call) -> JSON:
    """One call as the control API lists it: no body, no key, no URL signature."""
    request, response = call.request, call.response
    return {
        "seq": call.seq,
        "at": int(call.at * 1000),
        "method": request.method,
        "path": request.path,
        "query": request.query,
        "operation_id": call.operation_id,
        "tenant": call.tenant,
        "status": response.status,
        "code": call.business_code(),
        "latency_ms": round(call.latency * 1000, 3),
        "fault": call.fault,
        "prefer": request.headers.get("prefer"),
        "range": request.headers.get("range"),  # shows a download resuming
        "drop": response.delivery.drop.value if response.delivery.drop else None,
        "recorded": call.recorded,
        "violations": list(call.violations),
        "request_bytes": call.request_size,
        "response_bytes": call.response_size,
    }


def call_detail(log: CallLog, text: str) -> JSON:
    """One call with its headers and body excerpts, credentials and signatures masked."""
    seq = _number(text)
    call = log.find(seq) if seq is not None else None
    if call is None:
        raise ApiError("not_found", f"Resource not found: call {text[:40]!r} is not (or no longer) in the call log")
    request, response = call.request, call.response
    return {
        **call_json(call),
        "request": {"headers": request.headers, "body": _body_json(request.body), "too_large": request.body_too_large},
        "response": {
            "headers": [[k, mask_header(k.lower(), v)] for k, v in response.headers],
            "content_type": response.content_type,
            "body": _body_json(response.body),
        },
    }


def _body_json(body: bytes) -> JSON:
    """Show a kept body as the control API does: its JSON, else its text, else a note; URL signatures masked."""
    if not body:
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return {"binary_bytes": len(body)}
    text = mask_text(text)
    try:
        return {"json": orjson.loads(text)}
    except orjson.JSONDecodeError:
        return {"text": text}


def _touches(call: Call, task: Task) -> bool:
    """Whether `call` created or queried `task` (by id, or by the external id a lost create carried)."""
    if call.operation_id is None or call.tenant != tenant_label(task.tenant):
        return False
    last = call.request.path.rsplit("/", 1)[-1]
    if last in (task.task_id, task.external_task_id):
        return True
    if call.request.method != "POST":
        return False
    if f'"{task.task_id}"'.encode() in call.response.body:
        return call.business_code() == 0 and _created_id(call) == task.task_id
    return task.external_task_id is not None and f'"{task.external_task_id}"'.encode() in call.request.body


def _created_id(call: Call) -> str | None:
    try:
        data = call.json().get("data")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return data.get("task_id") if isinstance(data, dict) else None


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
        "calls_kept": len(core.calls),
        "calls_bytes": core.calls.bytes,
        "now": now,
    }


def _tenant_key(core: Controlled, asked: str) -> str:
    """Return the stored tenant `?tenant=` names, given as its token or as the label the control API shows."""
    tenants = core.store.tenants()
    if asked in tenants:
        return asked
    return next((token for token in tenants if tenant_label(token) == asked), asked)


def _task_json(task: Task, now: float, statuses: TaskStatuses) -> dict[str, JSON]:
    status = task.status(now, statuses)
    return {
        "task_id": task.task_id,
        "tenant": tenant_label(task.tenant),
        "kind": task.kind,  # the family name the SDK, the CLI and the spec's tags use
        "external_task_id": task.external_task_id,
        "status": status,
        "task_status_msg": task.fails_with if status == statuses.failed else "",
        "model": task.model,
        "mode": task.mode,
        "created_at": int(task.created_at * 1000),
        "timeline": _timeline(task, now, statuses),
        "video_id": task.video.id if task.video else None,
        "video": (
            {"id": task.video.id, "duration": task.video.duration, "url": f"{CONTROL_PREFIX}videos/{task.video.id}.mp4"}
            if task.visible_video(now) is not None and task.video is not None
            else None
        ),
        "parent_video_id": task.parent.id if task.parent else None,
    }


def _timeline(task: Task, now: float, statuses: TaskStatuses) -> list[dict[str, JSON]]:
    """List the statuses the task went through on the mock's clock, each with when it began and how long it lasted."""
    final = statuses.failed if task.fails_with is not None else statuses.succeeded
    steps = [(statuses.initial, task.created_at), (statuses.running, task.processing_at), (final, task.finished_at)]
    shown = []
    for index, (status, start) in enumerate(steps):
        if start > now:
            break
        end = steps[index + 1][1] if index + 1 < len(steps) else None
        ongoing = end is None or end > now
        shown.append(
            {
                "status": status,
                "at": int(start * 1000),
                "seconds": None if end is None else round((min(end, now) if ongoing else end) - start, 3),
                "ongoing": end is not None and ongoing,
            }
        )
    return shown


def _limit(query: dict[str, list[str]], default: int) -> int:
    number = _number(query.get("limit", [""])[0])
    return number if number is not None and number > 0 else default


def _number(text: str) -> int | None:
    """Read a decimal count, or None: "²" is a digit to str.isdigit() but not to int(); 5,000 digits are no count."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


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


__all__ = ["CONTROL_PREFIX", "ControlApi", "Controlled", "call_detail", "call_json", "calls_json", "mask_query"]

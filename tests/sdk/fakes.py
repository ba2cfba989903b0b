"""A small stateful stand-in for the MaaS_KL service, a fake clock, and client builders for SDK tests."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from maas_kl_client import AsyncMaasKL, MaasKL, RetryPolicy

API_KEY = "sk-test-secret-0123456789"
ENDPOINT = "acct"
ROOT = f"https://genaiapi.cloudsway.net/v1/ai/{ENDPOINT}/kling"


@dataclass
class FakeClock:
    """A clock whose sleeps only move its own hands, and record how long they were."""

    now: float = 1000.0
    wall: float = 1_700_000_000.0
    sleeps: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.wall + self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def envelope(data: dict[str, Any], request_id: str = "req-ok") -> dict[str, Any]:
    return {"code": 0, "message": "SUCCEED", "request_id": request_id, "data": data}


def error_response(
    status: int, code: int, message: str = "error", headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(
        status, json={"code": code, "message": message, "request_id": f"req-{code}"}, headers=headers or {}
    )


# Fault names: what the service does to one request. "*_after_store" faults happen after the task was stored.
FAULTS_AFTER_STORE = ("timeout", "reset", "http500", "http503", "http504_5002", "malformed")


@dataclass
class FakeService:
    """Stores tasks like MaaS_KL: creates are not idempotent, external_task_id is unique per user."""

    post_faults: list[str] = field(default_factory=list)
    get_faults: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    fail_message: str = "Failure to pass the risk control system"
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    ids: Any = field(default_factory=lambda: itertools.count(859830423409475642))

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("authorization") != f"Bearer {API_KEY}":
            return error_response(401, 1002, "Authorization is invalid")
        path = request.url.path.removeprefix(f"/v1/ai/{ENDPOINT}/kling")
        if request.method == "POST":
            return self._create(request, path)
        return self._query(request, path)

    def _fault_before(self, faults: list[str], request: httpx.Request) -> httpx.Response | None:
        if not faults:
            return None
        fault = faults[0]
        if fault == "http429_1303":
            faults.pop(0)
            return error_response(429, 1303, "Concurrent task limit exceeded", {"Retry-After": "3"})
        if fault == "connect":
            faults.pop(0)
            raise httpx.ConnectError("connection refused", request=request)
        return None

    def _fault_after(self, faults: list[str], request: httpx.Request) -> httpx.Response | None:
        if not faults:
            return None
        fault = faults.pop(0)
        if fault == "timeout":
            raise httpx.ReadTimeout("read timed out", request=request)
        if fault == "reset":
            raise httpx.RemoteProtocolError("peer closed connection", request=request)
        if fault == "http500":
            return error_response(500, 5000, "Internal server error")
        if fault == "http503":
            return error_response(503, 5001, "Service unavailable")
        if fault == "http504_5002":
            return error_response(504, 5002, "Server timeout")
        if fault == "malformed":
            return httpx.Response(200, content=b'{"code": 0, "data": {"task_')
        msg = f"unknown fault {fault}"
        raise AssertionError(msg)

    def _create(self, request: httpx.Request, path: str) -> httpx.Response:
        kind = path.removeprefix("/videos/")
        early = self._fault_before(self.post_faults, request)
        if early is not None:
            return early
        body = json.loads(request.content)
        external = body.get("external_task_id")
        if external is not None and any(t["ext"] == external for t in self.tasks.values()):
            return error_response(400, 1201, "external_task_id already exists")
        task_id = str(next(self.ids))
        self.tasks[task_id] = {"kind": kind, "ext": external, "body": body, "polls": 0}
        late = self._fault_after(self.post_faults, request)
        if late is not None:
            return late
        return httpx.Response(200, json=envelope(self._data(task_id, "submitted")))

    def _query(self, request: httpx.Request, path: str) -> httpx.Response:
        early = self._fault_before(self.get_faults, request)
        if early is not None:
            return early
        kind, _, ident = path.removeprefix("/videos/").partition("/")
        found = [tid for tid, t in self.tasks.items() if t["kind"] == kind and ident in {tid, t["ext"]}]
        late = self._fault_after(self.get_faults, request)
        if late is not None:
            return late
        if not found:
            return error_response(404, 1203, "Task not found")
        task = self.tasks[found[0]]
        status = self.statuses[min(task["polls"], len(self.statuses) - 1)] if self.statuses else "processing"
        task["polls"] += 1
        return httpx.Response(200, json=envelope(self._data(found[0], status)))

    def _data(self, task_id: str, status: str) -> dict[str, Any]:
        task = self.tasks[task_id]
        data: dict[str, Any] = {
            "task_id": task_id,
            "task_status": status,
            "created_at": 1722769557708,
            "updated_at": 1722769557708,
            "task_info": {"external_task_id": task["ext"]} if task["ext"] else {},
        }
        if status == "succeed":
            data["task_result"] = {
                "videos": [{"id": "v-1", "url": f"https://cdn.example.com/{task_id}.mp4", "duration": "5.1"}]
            }
        if status == "failed":
            data["task_status_msg"] = self.fail_message
            data["task_result"] = {}
        return data

    def count(self) -> int:
        return len(self.tasks)


FAST = RetryPolicy(max_attempts=5, initial_delay=1.0, multiplier=2.0, max_delay=8.0, jitter=0.0, deadline=120.0)


def sync_client(
    handler: Callable[[httpx.Request], httpx.Response],
    clock: FakeClock | None = None,
    **options: Any,
) -> MaasKL:
    options.setdefault("retry", FAST)
    return MaasKL(
        api_key=options.pop("api_key", API_KEY),
        endpoint_path=ENDPOINT,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        clock=clock or FakeClock(),
        random=lambda: 0.5,
        **options,
    )


def async_client(
    handler: Callable[[httpx.Request], httpx.Response],
    clock: FakeClock | None = None,
    **options: Any,
) -> AsyncMaasKL:
    options.setdefault("retry", FAST)
    return AsyncMaasKL(
        api_key=API_KEY,
        endpoint_path=ENDPOINT,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        clock=clock or FakeClock(),
        random=lambda: 0.5,
        **options,
    )

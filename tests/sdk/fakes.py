"""What the SDK drivers need in tests: the in-process mock behind scripted transport faults, a clock, clients."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from maas_kl_client import AsyncMaasKL, MaasKL, RetryPolicy
from maas_kl_mock import InProcessMock, ManualClock, MockConfig

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


# Fault names: what the transport does to one request. "*_after_store" faults strike after the mock answered.
FAULTS_AFTER_STORE = ("timeout", "reset", "http500", "http503", "http504_5002", "malformed")


def _fault_before(fault: str, request: httpx.Request) -> httpx.Response | None:
    if fault == "http429_1303":
        return error_response(429, 1303, "Concurrent task limit exceeded", {"Retry-After": "3"})
    if fault == "connect":
        raise httpx.ConnectError("connection refused", request=request)
    return None


def _fault_after(fault: str, request: httpx.Request) -> httpx.Response:
    if fault == "timeout":
        raise httpx.ReadTimeout("read timed out", request=request)
    if fault == "reset":
        raise httpx.RemoteProtocolError("peer closed connection", request=request)
    answers = {"http500": (500, 5000), "http503": (503, 5001), "http504_5002": (504, 5002)}
    if fault in answers:
        return error_response(*answers[fault])
    if fault == "malformed":
        return httpx.Response(200, content=b'{"code": 0, "data": {"task_')
    msg = f"unknown fault {fault}"
    raise AssertionError(msg)


@dataclass
class MockService:
    """The in-process mock (the real service model) behind scripted transport faults, one per POST or GET."""

    post_faults: list[str] = field(default_factory=list)
    get_faults: list[str] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    clock: ManualClock = field(default_factory=ManualClock)
    mock: InProcessMock = field(init=False)

    def __post_init__(self) -> None:
        self.mock = InProcessMock(MockConfig(check_responses=True), self.clock, endpoint_path=ENDPOINT)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        faults = self.post_faults if request.method == "POST" else self.get_faults
        fault = faults.pop(0) if faults else None
        early = None if fault is None else _fault_before(fault, request)
        if early is not None:
            return early
        response = self.mock.handler(request)
        if fault is None or fault in {"http429_1303", "connect"}:
            return response
        return _fault_after(fault, request)

    def ids(self) -> set[str]:
        """Every task_id the mock stored."""
        return {task.task_id for task in self.mock.core.store.tasks()}

    def count(self) -> int:
        return len(self.mock.core.store)


@dataclass
class Statuses:
    """One scripted task: a create answers `submitted`, each query the next of `statuses` (the last repeats).

    The mock's lifecycle runs on time; tests of what the drivers do with each status script them here.
    """

    statuses: list[str] = field(default_factory=lambda: ["processing"])
    fail_message: str = "Failure to pass the risk control system"
    requests: list[httpx.Request] = field(default_factory=list)
    polls: int = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "POST":
            return httpx.Response(200, json=envelope(self._data("859830423409475642", "submitted")))
        status = self.statuses[min(self.polls, len(self.statuses) - 1)]
        self.polls += 1
        return httpx.Response(200, json=envelope(self._data(request.url.path.rpartition("/")[2], status)))

    def _data(self, task_id: str, status: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "task_id": task_id,
            "task_status": status,
            "created_at": 1722769557708,
            "updated_at": 1722769557708,
            "task_info": {},
        }
        if status == "succeed":
            data["task_result"] = {
                "videos": [{"id": "v-1", "url": f"https://cdn.example.com/{task_id}.mp4", "duration": "5.1"}]
            }
        if status == "failed":
            data["task_status_msg"] = self.fail_message
            data["task_result"] = {}
        return data


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

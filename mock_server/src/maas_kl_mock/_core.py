"""MockCore: the synchronous pipeline route → authenticate → validate → capability rules → simulate → respond."""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import orjson

from . import _cdn
from ._auth import Authenticator
from ._capability import CapabilityMap
from ._clock import Clock
from ._errors import ApiError
from ._faults import Fault, FaultInjector, FaultPlan
from ._http import Drop, MockRequest, MockResponse
from ._media import MediaCache, VideoShape, spec_default_ratio
from ._prefer import Preferences
from ._replay import REPLAY_PREFIX, Replayer
from ._respond import Responder
from ._router import Route, Router
from ._simulate import Lifecycle, Simulator
from ._spec import Operation, load_spec
from ._store import MemoryTaskStore, TaskStore
from ._task import Task
from ._validation import RequestValidator
from ._video import FILES_PREFIX, VideoSigner

JSON = Any
log = logging.getLogger("maas_kl_mock")
CONTROL_PREFIX = "/_mock/"
_ERROR_SCHEMA = "#/components/schemas/ErrorResponse"
# Fault kinds name an HTTP status; the code served is the x-business-codes row of that name.
_FAULT_CODES = {"429": "concurrency_limited", "500": "internal_error", "503": "unavailable", "504": "timeout"}
_RETRY_AFTER_FAULTS = frozenset({"concurrency_limited", "unavailable"})


@dataclass(frozen=True, slots=True)
class MockConfig:
    """Everything a mock server can be told at start-up; the CLI and the fixture build one."""

    spec_path: Path | None = None
    tokens: frozenset[str] | None = None  # None: any well-formed Bearer token is its own tenant
    endpoint_paths: frozenset[str] | None = None  # None: any endpointPath segment
    capability_rules: bool = True
    concurrency_limit: int = 10
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    max_tasks: int = 20_000
    faults: FaultPlan = field(default_factory=FaultPlan)
    max_body_bytes: int = 20 * 1024 * 1024  # a 10 MB image is 13,981,016 Base64 characters
    seed: int | None = None
    check_responses: bool = False  # validate every response against the spec (tests turn it on)
    record_calls: int | None = 1_000  # how many calls to keep for inspection; None keeps all
    control_api: bool = True
    state_path: Path | None = None  # None: tasks live in memory; a path: in that SQLite file, across restarts
    video_size_kb: int | None = None  # pad each video file to this size (a `free` box), e.g. 20480 for 20 MB
    video_cache_mb: int = 64  # generated videos kept in memory (padding is never stored)
    replay: Path | None = None  # a cassette directory `proxy --record` wrote: serve its flows
    replay_fallback: str = "error"  # an unmatched request under replay: "error" (404) or "simulate"


@dataclass(frozen=True, slots=True)
class Call:
    """One request and the answer the core gave, for assertions."""

    request: MockRequest
    response: MockResponse
    operation_id: str | None
    tenant: str | None

    def json(self) -> JSON:
        """Return the response body, parsed."""
        return orjson.loads(self.response.body)


class ResponseInvalid(AssertionError):  # noqa: N818  (reads as the assertion it is)
    """The mock produced a body its own spec forbids: a bug in the mock, raised only with check_responses."""


def open_store(config: MockConfig, retention_seconds: float) -> TaskStore:
    """Open the store `config` asks for: in memory by default, the SQLite state file with `state_path`."""
    if config.state_path is None:
        return MemoryTaskStore(config.max_tasks, retention_seconds)
    from ._sqlite_store import SqliteTaskStore  # noqa: PLC0415  (only persistent mocks need sqlite3)

    return SqliteTaskStore(config.state_path, config.max_tasks, retention_seconds)


class MockCore:
    """One simulated MaaS_KL service. `handle` maps a MockRequest to a MockResponse and never raises.

    >>> core = MockCore(MockConfig())
    >>> core.handle(MockRequest("GET", "/_mock/health", {})).status
    200
    """

    def __init__(self, config: MockConfig | None = None, clock: Clock | None = None) -> None:
        self.config = config = config or MockConfig()
        self.clock = clock or Clock()
        self.spec = load_spec(config.spec_path)
        self.router = Router(self.spec, config.endpoint_paths)
        self.auth = Authenticator(config.tokens)
        self.validator = RequestValidator(self.spec, config.max_body_bytes)
        self.capabilities = CapabilityMap(self.spec.capability_map, enabled=config.capability_rules)
        self.store = open_store(config, self.capabilities.retention_days * 86_400)
        self.signer = VideoSigner(self.store.signing_secret())
        self.responder = Responder(self.spec, self.signer)
        self.simulator = Simulator(
            self.store,
            self.clock,
            self.capabilities,
            self.spec.facts,
            lifecycle=config.lifecycle,
            concurrency_limit=config.concurrency_limit,
            failure_message=self.responder.failure_message,
            seed=config.seed,
            default_ratio=spec_default_ratio(self.spec.document),
        )
        self.media = MediaCache(config.video_cache_mb * 1024 * 1024, config.video_size_kb)
        self.faults = FaultInjector(config.faults)
        self.calls: deque[Call] = deque(maxlen=config.record_calls)
        self.replayer: Replayer | None = None
        if config.replay is not None:
            self.replayer = Replayer(Path(config.replay), config.replay_fallback, self.clock, self.spec.facts)
        self.requests_total = 0
        self.internal_errors = 0
        self.closed = False

    def close(self) -> None:
        """Close the store (a SQLite state file is committed and closed); idempotent."""
        if not self.closed:
            self.closed = True
            self.store.close()

    def reset(self) -> None:
        """Forget tasks, calls and fault counts; keep the configuration and the fault plan."""
        self.store.clear()
        self.calls.clear()
        self.faults.reset()
        if self.replayer is not None:
            self.replayer.reset()
        self.requests_total = 0
        self.internal_errors = 0

    def handle(self, request: MockRequest) -> MockResponse:
        """Run the pipeline for one request; every refusal is the error envelope."""
        self.requests_total += 1
        operation: Operation | None = None
        tenant: str | None = None
        delay = 0.0
        try:
            if request.path.startswith(CONTROL_PREFIX) and self.config.control_api:
                from ._control import handle_control  # noqa: PLC0415  (control API is optional)

                response = handle_control(self, request)
            elif request.path.startswith(FILES_PREFIX):
                response = self._file(request)
            elif self.replayer is not None and request.path.startswith(REPLAY_PREFIX):
                response = self.replayer.video(request)
            else:
                route = self.router.match(request.method, request.path)
                operation = route.operation
                prefs = Preferences.parse(request.headers.get("prefer"))
                tenant = self.auth.tenant(request.headers.get("authorization"))
                delay = self.faults.latency()
                replayed = self.replayer.answer(route, request, tenant) if self.replayer is not None else None
                response = replayed if replayed is not None else self._operation(request, route, tenant, prefs)
        except ApiError as error:
            response = self.responder.error(error)
        except Exception:  # a bug in the mock: answer the envelope, never a traceback, and count it
            log.exception("maas-kl-mock failed on %s %s", request.method, request.path[:200])
            self.internal_errors += 1
            response = self.responder.error(
                ApiError("internal_error", "Internal server error in the mock; see its log")
            )
        response.delay = delay
        if self.config.check_responses:
            try:
                self._check(operation, response)
            except ResponseInvalid:
                self.internal_errors += 1  # so /_mock/stats shows it to tests that run out of process
                raise
        self.calls.append(Call(request, response, operation.operation_id if operation else None, tenant))
        return response

    def _operation(self, request: MockRequest, route: Route, tenant: str, prefs: Preferences) -> MockResponse:
        op, params = route.operation, route.params
        faults = self.faults
        now = self.clock.now()
        wait = faults.over_rate_limit(tenant, now)
        if wait is not None:
            raise ApiError(
                "rate_limited",
                f"Request rate limit exceeded: slow down and retry after {wait}s",
                headers=[("Retry-After", str(wait))],
            )
        is_create = self.simulator.is_create(op.operation_id)
        fault = faults.draw(is_create)
        if fault is not None and not fault.after:
            return self._fault(fault, None)
        try:
            body = self.validator.validate(request, route)
            if body is not None:
                self.capabilities.check_or_refuse(op.operation_id, body)
            if (
                prefs.example is not None
                or (prefs.code is not None and prefs.code != 200)
                or not self.simulator.serves(op.operation_id)
            ):  # Prism-style: an operation outside every task family answers its documented example
                response = self.responder.example(op, prefs.code or 200, prefs.example)
            elif is_create:
                task = self.simulator.create(op.operation_id, tenant, body or {}, prefs.scenario)
                response = self._task(op, task, request)
            else:
                response = self._task(op, self.simulator.query(op.operation_id, tenant, params["id"]), request)
        except ApiError as error:
            if fault is None:
                raise
            response = self.responder.error(error)  # the fault still strikes this answer
        if prefs.scenario == "lost-response" and is_create:  # only a create's answer is lost, so lookups recover
            response.drop = Drop.RESET
        if fault is not None:
            response = self._fault(fault, response)
        return response

    def _task(self, op: Operation, task: Task, request: MockRequest) -> MockResponse:
        return self.responder.task(op, task, self.clock.now(), request.base_url)

    def _fault(self, fault: Fault, done: MockResponse | None) -> MockResponse:
        if fault.kind == "reset":
            return MockResponse(500, b"", drop=Drop.RESET)
        if fault.kind == "truncate" and done is not None:
            done.drop = Drop.TRUNCATE
            return done
        name = _FAULT_CODES.get(fault.kind, "internal_error")
        retry = [("Retry-After", str(self.faults.plan.retry_after))] if name in _RETRY_AFTER_FAULTS else []
        return self.responder.error(ApiError(name, headers=retry))

    def _file(self, request: MockRequest) -> MockResponse:
        not_found = ApiError(
            "not_found", "Video not found: the URL is wrong, belongs to another API key, or has expired"
        )
        if request.method not in ("GET", "HEAD"):
            raise ApiError(
                "invalid_method",
                f"Invalid request method: use GET or HEAD on {FILES_PREFIX}...",
                headers=[("Allow", "GET, HEAD")],
            )
        name = request.path[len(FILES_PREFIX) :]
        if not name.endswith(".mp4") or "/" in name:
            raise not_found
        video_id = name[: -len(".mp4")]
        found = self.store.video(video_id)
        signature = parse_qs(request.query).get("sig", [""])[0]
        if found is None:
            raise not_found
        task, video = found
        now = self.clock.now()
        if not self.signer.verify(task.tenant, video_id, signature) or task.visible_video(now) is None:
            raise not_found
        if now - task.finished_at > self.capabilities.retention_days * 86_400:
            raise not_found
        # Like a CDN the file route needs no key; but a key of another tenant must not open it.
        try:
            caller = self.auth.tenant(request.headers.get("authorization"))
        except ApiError:
            caller = task.tenant
        if caller != task.tenant:
            raise not_found
        prefs = Preferences.parse(request.headers.get("prefer"))
        file = self.media.get(VideoShape(video.id, video.duration, video.ratio))
        answer = _cdn.answer(request.method, request.headers, _cdn.Resource(file.size, file.etag, task.finished_at))
        # HEAD, 304 and 416 announce their length without a body; a GET streams its slice of the file.
        response = MockResponse(answer.status, b"", answer.headers, content_type="video/mp4")
        response.content_length = answer.length
        if request.method == "HEAD" or answer.stop <= answer.start:
            return response
        cut = self.faults.download_cut(answer.start, answer.stop, file.size)
        if prefs.scenario == "download-cut":
            cut = answer.start + (answer.stop - answer.start) // 2
        response.chunks = file.chunks(answer.start, answer.stop if cut is None else cut)
        response.drop = None if cut is None else Drop.TRUNCATE
        return response

    def _check(self, operation: Operation | None, response: MockResponse) -> None:
        if response.content_type != "application/json" or response.drop is Drop.RESET:
            return
        body = orjson.loads(response.body)
        if operation is None:
            pointer = None if response.status == 200 else _ERROR_SCHEMA
        else:
            pointer = operation.response_schemas.get(response.status)
            if pointer is None:
                raise ResponseInvalid(
                    f"{operation.operation_id} answered {response.status}, which the spec does not declare"
                )
        if pointer is None:
            return
        errors = list(self.spec.validator(pointer).iter_errors(body))
        if errors:
            raise ResponseInvalid(f"response {response.status} breaks {pointer}: {errors[0].message[:300]}")

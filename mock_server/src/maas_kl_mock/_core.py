"""MockCore: the request pipeline, each stage a component with one job.

route → authenticate → faults( validate → capability rules → simulate/replay/example ) → respond.
The control API and the video files are routes of the same router; the faults stage wraps the
stages that answer, and the faces (ASGI, in-process) deliver each frozen response as its
`Delivery` says.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ._errors import ApiError
from ._http import Drop, MockRequest, MockResponse
from ._spec import Operation, load_spec
from .cassettes.replay import REPLAY_PREFIX, Replayer
from .media.mp4 import MediaCache, spec_default_ratio
from .media.video import FILES_PREFIX, VideoSigner
from .pipeline.auth import Authenticator
from .pipeline.calls import Call, CallLog
from .pipeline.capability import CapabilityMap
from .pipeline.control import CONTROL_PREFIX, ControlApi
from .pipeline.fault_stage import FaultStage
from .pipeline.faults import FaultInjector, FaultPlan
from .pipeline.files import VideoFiles
from .pipeline.prefer import Preferences
from .pipeline.produce import Producer
from .pipeline.respond import Responder
from .pipeline.router import Mount, Route, Router
from .pipeline.simulate import Lifecycle, Simulator
from .pipeline.validation import RequestValidator
from .state.clock import Clock
from .state.store import MemoryTaskStore, TaskStore

JSON = Any
log = logging.getLogger("maas_kl_mock")
_ERROR_SCHEMA = "#/components/schemas/ErrorResponse"
__all__ = ["CONTROL_PREFIX", "Call", "MockConfig", "MockCore", "ResponseInvalid", "open_store"]


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
    record_calls: int | None = 1_000  # how many calls to keep for inspection; None: as many as the byte budget holds
    record_call_bytes: int = 8 * 1024 * 1024  # what the kept calls may hold: excerpts of bodies, never whole uploads
    control_api: bool = True
    state_path: Path | None = None  # None: tasks live in memory; a path: in that SQLite file, across restarts
    video_size_kb: int | None = None  # pad each video file to this size (a `free` box), e.g. 20480 for 20 MB
    video_cache_mb: int = 64  # generated videos kept in memory (padding is never stored)
    replay: Path | None = None  # a cassette directory `proxy --record` wrote: serve its flows
    replay_fallback: str = "error"  # an unmatched request under replay: "error" (404) or "simulate"


class ResponseInvalid(AssertionError):  # noqa: N818  (reads as the assertion it is)
    """The mock produced a body its own spec forbids: a bug in the mock, raised only with check_responses."""


def open_store(config: MockConfig, retention_seconds: float) -> TaskStore:
    """Open the store `config` asks for: in memory by default, the SQLite state file with `state_path`."""
    if config.state_path is None:
        return MemoryTaskStore(config.max_tasks, retention_seconds)
    from .state.sqlite_store import SqliteTaskStore  # noqa: PLC0415  (only persistent mocks need sqlite3)

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
        self.statuses = self.spec.facts.statuses
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
        self.fault_stage = FaultStage(self.faults, self.responder)
        self.producer = Producer(self.simulator, self.responder, self.clock)
        self.files = VideoFiles(
            self.store,
            self.signer,
            self.auth,
            self.media,
            clock=self.clock,
            retention_seconds=self.capabilities.retention_days * 86_400,
        )
        self.calls = CallLog(config.record_calls, config.record_call_bytes)
        self.replayer: Replayer | None = None
        if config.replay is not None:
            self.replayer = Replayer(Path(config.replay), config.replay_fallback, self.clock, self.spec.facts)
        # Routes outside the spec, tried before its operations, in this order.
        if config.control_api:
            self.router.mount(CONTROL_PREFIX, "control", ControlApi(self).serve)
        self.router.mount(FILES_PREFIX, "files", self.fault_stage.files(self.files.serve))
        if self.replayer is not None:
            self.router.mount(REPLAY_PREFIX, "replay-files", self.replayer.video)
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
        started = time.perf_counter()
        self.fault_stage.struck = None
        operation: Operation | None = None
        tenant: str | None = None
        logged = True
        try:
            route = self.router.resolve(request.method, request.path)
            if isinstance(route, Mount):
                # The inspector polls the control API's reads: logging them would bury the calls it shows.
                logged = route.name != "control" or request.method not in ("GET", "HEAD")
                response = route.serve(request)
            else:
                operation = route.operation
                prefs = Preferences.parse(request.headers.get("prefer"))
                tenant = self.auth.tenant(request.headers.get("authorization"))
                response = self._operation(request, route, tenant, prefs)
        except ApiError as error:
            response = self.responder.error(error)
        except Exception:  # a bug in the mock: answer the envelope, never a traceback, and count it
            log.exception("maas-kl-mock failed on %s %s", request.method, request.path[:200])
            self.internal_errors += 1
            response = self.responder.error(
                ApiError("internal_error", "Internal server error in the mock; see its log")
            )
        if self.config.check_responses:
            try:
                self._check(operation, response)
            except ResponseInvalid:
                self.internal_errors += 1  # so /_mock/stats shows it to tests that run out of process
                raise
        if logged:
            self.calls.append(
                Call(
                    request,
                    response,
                    operation.operation_id if operation else None,
                    tenant,
                    at=self.clock.now(),
                    latency=time.perf_counter() - started,
                    fault=self.fault_stage.struck,
                )
            )
        return response

    def _operation(self, request: MockRequest, route: Route, tenant: str, prefs: Preferences) -> MockResponse:
        """Answer from the recording when replaying, else validate → capability → produce inside the fault stage."""
        if self.replayer is not None:
            replayed = self.replayer.answer(route, request, tenant)
            if replayed is not None:
                return self.fault_stage.delayed(replayed)

        is_create = self.simulator.is_create(route.operation.operation_id)

        def inner() -> MockResponse:  # validate → capability rules → produce: the stages the fault stage wraps
            body = self.validator.validate(request, route)
            if body is not None:
                self.capabilities.check_or_refuse(route.operation.operation_id, body)
            return self.producer.produce(route, tenant, body, prefs, request.base_url, is_create=is_create)

        return self.fault_stage.operation(tenant, is_create, prefs.scenario, inner, self.clock.now())

    def _check(self, operation: Operation | None, response: MockResponse) -> None:
        if response.content_type != "application/json" or response.delivery.drop is Drop.RESET:
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

"""What MaasKL and AsyncMaasKL share: settings, request building, bounded body reading and error mapping."""

from __future__ import annotations

import asyncio
import enum
import logging
import random as _random
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Literal, get_args

import httpx
from maas_kl_specfacts import snake

from . import _batch, _logs, _plans, _preflight, _waits
from ._clock import Clock, SystemClock
from ._config import DEFAULT_TIMEOUT, DEFAULT_WAIT_TIMEOUT, Secret, as_timeout, origin, resolve
from ._envelope import CODES, parse_envelope
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    MaasKLError,
    MalformedResponseError,
    RateLimitError,
)
from ._retry import PollSchedule, RetryPolicy
from ._spec_data import OPERATIONS, TaskKind
from ._task import Envelope, Task
from .types import Unset

logger = _logs.logger
_logs.configure()

KINDS: tuple[str, ...] = get_args(TaskKind)
OnUpdate = Callable[[Task], object]
OnEvent = Callable[[Any], object]
Timeout = float | httpx.Timeout | None


class NotGiven:
    """The default of an optional argument the caller left out; None can then stay a value of its own."""

    __slots__ = ()

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()

INTERRUPTS = (KeyboardInterrupt, asyncio.CancelledError)
"""What stops a running plan from outside; drivers throw it into the plan so a batch can say how to resume."""

# Errors raised before a single byte left: the server cannot have acted on the request.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def new_external_task_id() -> str:
    """Make a fresh recovery key for a create: unique, opaque, well under the 256-character bound."""
    return f"maaskl-{uuid.uuid4().hex}"


def _plain(value: Any) -> Any:
    """JSON-ready form of a field value: models to dicts, enums to their values, UNSET/None dropped."""
    if hasattr(value, "to_dict"):
        return _plain(value.to_dict())
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items() if v is not None and not isinstance(v, Unset | NotGiven)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def build_body(body: Any, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Merge a request model or mapping with keyword fields into the JSON body."""
    merged: dict[str, Any] = dict(_plain(body)) if body is not None else {}
    merged.update(_plain(dict(fields)))
    return merged


def _transport_error(exc: httpx.TransportError) -> APIConnectionError:
    sent = not isinstance(exc, _NOT_SENT)
    what = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"The request timed out ({what}); pass a larger timeout= if the network is slow.", request_sent=sent
        )
    return APIConnectionError(
        f"The request could not be completed ({what}: {exc}); check the network and base_url.", request_sent=sent
    )


MAX_RESPONSE_BYTES = 16 * 1024 * 1024
"""Largest API answer read: an envelope is a few kB, so anything near this is a broken or hostile peer."""


class BodyReader:
    """Collects an API answer's chunks, bounded in size and in total time, not only per chunk.

    httpx's read timeout restarts with every chunk, so a peer dripping a byte at a time would keep
    a call alive for ever; the whole body must arrive within the read timeout.
    """

    def __init__(self, response: httpx.Response, timeout: httpx.Timeout, now: Callable[[], float]) -> None:
        self._response = response
        self._chunks: list[bytes] = []
        self._size = 0
        self._now = now
        total = timeout.read
        self._deadline = None if total is None else now() + total
        self._total = total

    def add(self, chunk: bytes) -> None:
        """Take one chunk; raise a typed error once the body is too large or too slow."""
        self._size += len(chunk)
        if self._size > MAX_RESPONSE_BYTES:
            raise MalformedResponseError(
                f"The service sent more than {MAX_RESPONSE_BYTES} bytes for one API answer; it was cut off",
                status_code=self._response.status_code,
                code=None,
                request_id=None,
            )
        if self._deadline is not None and self._now() > self._deadline:
            raise APITimeoutError(
                f"The answer did not arrive within {self._total:g} s in total (the body trickled in); "
                "pass a larger timeout= if the network is slow.",
                request_sent=True,
            )
        self._chunks.append(chunk)

    @property
    def content(self) -> bytes:
        """The body read so far."""
        return b"".join(self._chunks)


MIN_REDACTED_KEY_LENGTH = 8
"""Shorter keys are no secret (guessable in seconds) and would mask ordinary words: "API ***ey"."""


def _scrub(error: MaasKLError, secret: str) -> MaasKLError:
    """Mask the API key wherever a server or library echoed it into an error's message or request id."""
    if len(secret) < MIN_REDACTED_KEY_LENGTH or not isinstance(error, APIError):
        return error
    if secret in error.message or (error.request_id and secret in error.request_id):
        error.message = error.message.replace(secret, "***")
        error.request_id = error.request_id and error.request_id.replace(secret, "***")
        error.args = (str(error),)
    return error


class _Core:
    """Settings and request building shared by the sync and async clients."""

    def __init__(  # noqa: PLR0913 - the documented configuration surface
        self,
        api_key: str | None,
        endpoint_path: str | None,
        base_url: str | None,
        *,
        timeout: Timeout,
        max_retries: int | None,
        retry: RetryPolicy | None,
        poll: PollSchedule | None,
        preflight: bool,
        allow_insecure_http: bool,
        clock: Clock | None,
        random: Callable[[], float] | None,
        external_id_factory: Callable[[], str] | None,
        on_event: OnEvent | None = None,
    ) -> None:
        settings = resolve(
            api_key=api_key, endpoint_path=endpoint_path, base_url=base_url, allow_insecure_http=allow_insecure_http
        )
        self._settings = settings
        # Kept wrapped, so the key shows in no repr of the client's state.
        self._bearer = Secret(f"Bearer {settings.api_key.reveal()}")
        self._origin = origin(settings.api_root)
        self.timeout = as_timeout(timeout, DEFAULT_TIMEOUT)
        policy = retry or RetryPolicy()
        if max_retries is not None:
            policy = RetryPolicy(**{**_fields(policy), "max_attempts": max_retries + 1})
        self.retry = policy
        self.poll = poll
        """A fixed schedule for every wait, or None: learn from this client's finished tasks (_waits)."""
        self.durations = _waits.DurationModel()
        self._keys: dict[str, _waits.Key] = {}
        self.preflight = preflight
        self._clock: Clock = clock or SystemClock()
        self._random = random or _random.random
        self._new_id = external_id_factory or new_external_task_id
        self.on_event = on_event
        """Called with every event of every call (a request sent, a response, a retry, a poll...); may be async."""

    @property
    def base_url(self) -> str:
        """The API root every path is appended to, e.g. https://genaiapi.cloudsway.net/v1/ai/XXX/kling."""
        return self._settings.api_root

    def __repr__(self) -> str:
        settings = self._settings
        return f"{type(self).__name__}(base_url={settings.base_url!r}, endpoint_path={settings.endpoint_path!r})"

    def _context(self, retry: RetryPolicy | None) -> _plans.Context:
        return _plans.Context(retry=retry or self.retry, now=self._clock.monotonic, random=self._random)

    def _operation(self, kind: str) -> Mapping[str, Any]:
        if kind not in OPERATIONS:
            msg = f"Unknown task kind {kind!r}; use one of {', '.join(KINDS)}."
            raise ValueError(msg)
        op: Mapping[str, Any] = OPERATIONS[kind]
        return op

    def _create_plan(  # noqa: PLR0913
        self,
        kind: str,
        body: dict[str, Any],
        *,
        preflight: bool | None,
        retry: RetryPolicy | None,
        defer: _plans.Defer | None = None,
        maybe_sent: bool = False,
    ) -> _plans.Plan[Task]:
        op = self._operation(kind)
        recoverable = bool(op["external_task_id"])
        if recoverable and body.get("external_task_id") is None:
            body["external_task_id"] = self._new_id()
        if self.preflight if preflight is None else preflight:
            _preflight.validate(op["create_operation"], body)
        plan = _plans.create(
            kind=kind,
            create_path=op["create_path"],
            get_path=op["get_path"],
            body=body,
            recoverable=recoverable,
            ctx=self._context(retry),
            defer=defer or _plans.never,
            maybe_sent=maybe_sent,
        )
        return self._remember(_waits.key_of(kind, body), plan)

    def _remember(self, key: _waits.Key, plan: _plans.Plan[Task]) -> _plans.Plan[Task]:
        """Note which kind of task a create made, so waiting on it uses that kind's durations."""
        task = yield from plan
        if len(self._keys) >= MAX_REMEMBERED:
            self._keys.pop(next(iter(self._keys)))
        self._keys[task.task_id] = key
        return task

    def _get_plan(self, kind: str, task_id: str, retry: RetryPolicy | None) -> _plans.Plan[dict[str, Any]]:
        path = _plans.task_path(self._operation(kind)["get_path"], task_id)
        return _plans.query(path, self._context(retry))

    def _wait_plan(  # noqa: PLR0913
        self,
        kind: str,
        task_id: str,
        *,
        timeout: float | None,
        poll: PollSchedule | None,
        retry: RetryPolicy | None,
        defer: _plans.Defer | None = None,
        first: Task | None = None,
    ) -> _plans.Plan[Task]:
        key = self._keys.get(task_id, (kind, "", ""))
        schedule = poll or self.poll or _waits.LearnedSchedule(self.durations, key)
        plan = _plans.wait(
            get_path=self._operation(kind)["get_path"],
            task_id=task_id,
            timeout=DEFAULT_WAIT_TIMEOUT if timeout is None else timeout,
            schedule=schedule,
            ctx=self._context(retry),
            wall=self._clock.time,
            defer=defer or _plans.never,
            first=first,
        )
        return self._learn(key, plan)

    def _learn(self, key: _waits.Key, plan: _plans.Plan[Task]) -> _plans.Plan[Task]:
        """Feed a succeeded task's duration, by the service's timestamps, to the default poll schedule."""
        task = yield from plan
        self.durations.observe(key, (task.updated_at - task.created_at) / 1000)
        return task

    def _batch_plan(
        self,
        jobs: Any,
        *,
        max_in_flight: int | None,
        resume: Any,
        timeout: float | None,
        retry: RetryPolicy | None,
    ) -> _batch.BatchPlan:
        def prepare(job: _batch.Job) -> tuple[str, dict[str, Any], bool]:
            kind = family_kind(job.family)
            body = build_body(job.request, {})
            recoverable = bool(self._operation(kind)["external_task_id"])
            if recoverable and body.get("external_task_id") is None:
                body["external_task_id"] = self._new_id()  # known before the send, so a stop can name it
            return kind, body, recoverable

        def create(kind: str, body: dict[str, Any], maybe_sent: bool) -> _plans.Plan[Task]:
            return self._create_plan(kind, body, preflight=None, retry=retry, defer=_is_429, maybe_sent=maybe_sent)

        def wait(kind: str, task_id: str, first: Task | None) -> _plans.Plan[Task]:
            return self._wait_plan(kind, task_id, timeout=timeout, poll=None, retry=retry, defer=_is_429, first=first)

        steps = _batch.Steps(prepare=prepare, create=create, wait=wait, is_account_full=is_account_full)
        return _batch.run(jobs, steps=steps, ctx=self._context(retry), max_in_flight=max_in_flight, resume=resume or ())

    def _request(self, action: _plans.Send, timeout: Timeout, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        return http.build_request(
            action.method,
            self._settings.api_root + action.path,
            json=action.json,
            headers={"Authorization": self._bearer.reveal(), "Accept": "application/json"},
            timeout=as_timeout(timeout, self.timeout),
        )

    def _parse(self, response: httpx.Response, content: bytes) -> Envelope:
        try:
            data = parse_envelope(response.status_code, response.headers, content, self._clock.time())
        except MaasKLError as error:
            raise _scrub(error, self._settings.api_key.reveal()) from None
        data.response = response
        return data

    def _listeners(self, watch: OnEvent | None) -> tuple[OnEvent, ...]:
        """Who sees a call's events: the client's on_event, the call's, and the MAAS_KL_LOG logger when on."""
        found = tuple(f for f in (self.on_event, watch) if f is not None)
        return (*found, _logs.log_event) if logger.isEnabledFor(logging.INFO) else found

    def _derive(
        self,
        *,
        timeout: Timeout | NotGiven,
        max_retries: int | None,
        retry: RetryPolicy | None,
        poll: PollSchedule | None,
        preflight: bool | None,
    ) -> None:
        """Apply with_options' changes to this (freshly copied) client."""
        if not isinstance(timeout, NotGiven):
            self.timeout = as_timeout(timeout, DEFAULT_TIMEOUT)
        if retry is not None:
            self.retry = retry
        if max_retries is not None:
            self.retry = RetryPolicy(**{**_fields(self.retry), "max_attempts": max_retries + 1})
        if poll is not None:
            self.poll = poll
        if preflight is not None:
            self.preflight = preflight

    def _authorized(self, url: httpx.URL) -> bool:
        return origin(url) == self._origin


MAX_REMEMBERED = 10_000
"""Task ids whose kind, mode and duration the client keeps for its poll schedule (oldest dropped first)."""


def _is_429(error: MaasKLError) -> bool:
    return isinstance(error, RateLimitError)


ACCOUNT_FULL_CODES = frozenset({CODES.named("concurrency_limited").code})
"""Business codes that mean "the account's concurrent tasks are at its limit" (the spec's `concurrency_limited` row)."""


def family_kind(family: str) -> str:
    """Map a batch job's family name to its task kind, spelled as the spec's tags are ("video-extend": video_extend)."""
    kind = snake(family)
    if kind not in OPERATIONS:
        msg = f"Unknown family {family!r}; use one of {', '.join(sorted(OPERATIONS))}."
        raise ValueError(msg)
    return kind


def is_account_full(error: MaasKLError) -> bool:
    """Whether a 429 says the account's concurrency limit is reached, not that requests come too fast."""
    return isinstance(error, RateLimitError) and error.code in ACCOUNT_FULL_CODES


def _received(action: _plans.Send, outcome: Any, elapsed: float) -> _plans.ResponseReceived:
    """Describe what a Send produced (an Envelope, or the typed error) as a ResponseReceived event."""
    error: MaasKLError | None = outcome if isinstance(outcome, MaasKLError) else None
    if isinstance(outcome, APIError):
        status, request_id = outcome.status_code, outcome.request_id
    elif error is not None:
        status, request_id = None, None
    else:
        response = getattr(outcome, "response", None)
        status = response.status_code if response is not None else None
        request_id = getattr(outcome, "request_id", None)
    return _plans.ResponseReceived(action.method, action.path, status, request_id, error, elapsed)


def _fields(policy: RetryPolicy) -> dict[str, Any]:
    return {name: getattr(policy, name) for name in policy.__slots__}

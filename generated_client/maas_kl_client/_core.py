"""What MaasKL and AsyncMaasKL share: settings, request building, bounded body reading and error mapping."""

from __future__ import annotations

import enum
import logging
import random as _random
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Literal, get_args

import httpx

from . import _logs, _plans, _preflight
from ._clock import Clock, SystemClock
from ._config import DEFAULT_TIMEOUT, DEFAULT_WAIT_TIMEOUT, Secret, as_timeout, origin, resolve
from ._envelope import parse_envelope
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    MaasKLError,
    MalformedResponseError,
)
from ._retry import PollSchedule, RetryPolicy
from ._spec_data import OPERATIONS, TaskKind
from ._task import Envelope, Task
from .types import Unset

logger = _logs.logger
_logs.configure()

KINDS: tuple[str, ...] = get_args(TaskKind)
OnUpdate = Callable[[Task], object]
Timeout = float | httpx.Timeout | None


class NotGiven:
    """The default of an optional argument the caller left out; None can then stay a value of its own."""

    __slots__ = ()

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()

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

    def __init__(self, response: httpx.Response, timeout: httpx.Timeout) -> None:
        self._response = response
        self._chunks: list[bytes] = []
        self._size = 0
        total = timeout.read
        self._deadline = None if total is None else time.monotonic() + total
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
        if self._deadline is not None and time.monotonic() > self._deadline:
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
        self.poll = poll or PollSchedule()
        self.preflight = preflight
        self._clock: Clock = clock or SystemClock()
        self._random = random or _random.random
        self._new_id = external_id_factory or new_external_task_id

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

    def _create_plan(
        self, kind: str, body: dict[str, Any], *, preflight: bool | None, retry: RetryPolicy | None
    ) -> _plans.Plan:
        op = self._operation(kind)
        recoverable = bool(op["external_task_id"])
        if recoverable and body.get("external_task_id") is None:
            body["external_task_id"] = self._new_id()
        if self.preflight if preflight is None else preflight:
            _preflight.validate(op["create_operation"], body)
        return _plans.create(
            kind=kind,
            create_path=op["create_path"],
            get_path=op["get_path"],
            body=body,
            recoverable=recoverable,
            ctx=self._context(retry),
        )

    def _get_plan(self, kind: str, task_id: str, retry: RetryPolicy | None) -> _plans.Plan:
        path = _plans.task_path(self._operation(kind)["get_path"], task_id)
        return _plans.query(path, self._context(retry))

    def _wait_plan(  # noqa: PLR0913
        self,
        kind: str,
        task_id: str,
        *,
        timeout: float | None,
        poll: PollSchedule | None,
        on_update: OnUpdate | None,
        retry: RetryPolicy | None,
    ) -> _plans.Plan:
        return _plans.wait(
            get_path=self._operation(kind)["get_path"],
            task_id=task_id,
            timeout=DEFAULT_WAIT_TIMEOUT if timeout is None else timeout,
            schedule=poll or self.poll,
            on_update=on_update,
            ctx=self._context(retry),
        )

    def _request(self, action: _plans.Send, timeout: Timeout, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        return http.build_request(
            action.method,
            self._settings.api_root + action.path,
            json=action.json,
            headers={"Authorization": self._bearer.reveal(), "Accept": "application/json"},
            timeout=as_timeout(timeout, self.timeout),
        )

    def _parse(self, response: httpx.Response, content: bytes) -> Envelope:
        request = response.request
        try:
            data = parse_envelope(response.status_code, response.headers, content, self._clock.time())
        except MaasKLError as error:
            scrubbed = _scrub(error, self._settings.api_key.reveal())
            if logger.isEnabledFor(logging.INFO):
                logger.info("%s %s -> %s", request.method, _logs.redact_url(request.url), scrubbed)
            raise scrubbed from None
        data.response = response
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "%s %s -> HTTP %s, request_id %s",
                request.method,
                _logs.redact_url(request.url),
                response.status_code,
                data.request_id,
            )
        return data

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


def _fields(policy: RetryPolicy) -> dict[str, Any]:
    return {name: getattr(policy, name) for name in policy.__slots__}

"""The state both clients share: their settings, and the plans (create, get, wait, batch) they build from them.

The drivers (`_async/client.py` and its sync twin) run these plans; what they make of an answer
is in `_answers`, the arguments' types in `_arguments`.
"""

from __future__ import annotations

import logging
import random as _random
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, get_args

import httpx

from . import _logs, _plans, _waits
from ._answers import scrub
from ._arguments import NotGiven, OnEvent, Timeout
from ._bodies import build_body, new_external_task_id
from ._clock import Clock, SystemClock
from ._config import DEFAULT_TIMEOUT, DEFAULT_WAIT_TIMEOUT, Secret, as_timeout, origin, resolve
from ._envelope import parse_envelope
from ._errors import MaasKLError
from ._retry import PollSchedule, RetryPolicy
from ._spec_data import OPERATIONS, TaskKind
from ._task import Envelope, Task

if TYPE_CHECKING:
    from . import _batch

KINDS: tuple[str, ...] = get_args(TaskKind)


class _Core:
    """A client's settings and the plans built from them, shared by the sync and async clients."""

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
        _logs.configure()  # MAAS_KL_LOG is read here, when a client is built, not on import
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
        self._default_ctx: _plans.Context | None = None
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
        """Return the plans' context; the client's own (immutable) one is built once per retry policy, not per call."""
        policy = retry or self.retry
        ctx = self._default_ctx
        if ctx is None or ctx.retry is not policy:
            ctx = _plans.Context(retry=policy, now=self._clock.monotonic, random=self._random)
            if policy is self.retry:
                self._default_ctx = ctx
        return ctx

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
            from . import _preflight  # noqa: PLC0415 - the schema interpreter loads with the first checked create

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
        op = OPERATIONS.get(kind) or self._operation(kind)  # a known kind without the check's extra call
        path = _plans.task_path(op["get_path"], task_id)
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

    def _batch_plan(  # noqa: PLR0913 - batch()'s options, passed on
        self,
        jobs: Any,
        *,
        max_in_flight: int | None,
        resume: Any,
        timeout: float | None,
        retry: RetryPolicy | None,
        preflight: bool | None = None,
        skip_invalid: bool = False,
        overlapping: bool = False,
    ) -> _batch.BatchPlan:
        from . import _batch, _preflight  # noqa: PLC0415 - only a batch loads the batch runner
        from ._batch_spec import family_kind, is_account_full, is_rate_limited  # noqa: PLC0415

        check = self.preflight if preflight is None else preflight

        def prepare(job: _batch.Job) -> tuple[str, dict[str, Any], bool]:
            kind = family_kind(job.family)
            body = build_body(job.request, {})
            op = self._operation(kind)
            if check:  # every job is checked before the first create (the batch prepares them all first)
                _preflight.validate(op["create_operation"], body)
            recoverable = bool(op["external_task_id"])
            if recoverable and body.get("external_task_id") is None:
                body["external_task_id"] = self._new_id()  # known before the send, so a stop can name it
            return kind, body, recoverable

        def create(kind: str, body: dict[str, Any], maybe_sent: bool) -> _plans.Plan[Task]:
            return self._create_plan(
                kind, body, preflight=False, retry=retry, defer=is_rate_limited, maybe_sent=maybe_sent
            )

        def wait(kind: str, task_id: str, first: Task | None) -> _plans.Plan[Task]:
            return self._wait_plan(
                kind, task_id, timeout=timeout, poll=None, retry=retry, defer=is_rate_limited, first=first
            )

        steps = _batch.Steps(prepare=prepare, create=create, wait=wait, is_account_full=is_account_full)
        return _batch.run(
            jobs,
            steps=steps,
            ctx=self._context(retry),
            max_in_flight=max_in_flight,
            resume=resume or (),
            skip_invalid=skip_invalid,
            overlapping=overlapping,
        )

    def _request(
        self, action: _plans.Send, timeout: httpx.Timeout, http: httpx.Client | httpx.AsyncClient
    ) -> httpx.Request:
        return http.build_request(
            action.method,
            self._settings.api_root + action.path,
            json=action.json,
            headers={"Authorization": self._bearer.reveal(), "Accept": "application/json"},
            timeout=timeout,
        )

    def _parse(self, response: httpx.Response, content: bytes) -> Envelope:
        try:
            data = parse_envelope(response.status_code, response.headers, content, self._clock.time)
        except MaasKLError as error:
            raise scrub(error, self._settings.api_key.reveal()) from None
        data.response = response
        return data

    def _listeners(self, watch: OnEvent | None) -> tuple[OnEvent, ...]:
        """Who sees a call's events: the client's on_event, the call's, and the MAAS_KL_LOG logger when on."""
        mine = self.on_event
        if mine is None:
            found: tuple[OnEvent, ...] = () if watch is None else (watch,)
        else:
            found = (mine,) if watch is None else (mine, watch)
        return (*found, _logs.log_event) if _logs.logger.isEnabledFor(logging.INFO) else found

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


def _fields(policy: RetryPolicy) -> dict[str, Any]:
    return {name: getattr(policy, name) for name in policy.__slots__}

"""The request protocols (query, exactly-once create, wait) as sans-I/O generators.

A plan yields `Send` and `Sleep` actions and receives each action's outcome: the envelope's
`data` or the MaasKLError it raised. The sync and async clients drive the same plans, so retry,
recovery and wait logic exist once and are tested without a network or a real clock.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ._envelope import may_have_created
from ._errors import (
    APIConnectionError,
    APIError,
    CreateOutcomeUnknown,
    InvalidRequestError,
    MaasKLError,
    MalformedResponseError,
    NotFoundError,
    TaskFailed,
    TaskTimeout,
)
from ._retry import PollSchedule, RetryPolicy
from ._task import Task
from .models.task_status import TaskStatus


@dataclass(frozen=True, slots=True)
class Send:
    """Send one HTTP request to the API and report the envelope's data or the typed error."""

    method: str
    path: str
    json: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait before the next action."""

    seconds: float


Outcome = dict[str, Any] | MaasKLError
Plan = Generator[Send | Sleep, Any, Any]


@dataclass(frozen=True, slots=True)
class Context:
    """What a plan needs besides the request: the policy, the clock reading and the jitter source."""

    retry: RetryPolicy
    now: Callable[[], float]
    random: Callable[[], float]


def is_retryable(error: MaasKLError) -> bool:
    """Whether sending the same request again may succeed."""
    if isinstance(error, APIError):
        return error.retryable
    return isinstance(error, APIConnectionError)


def _retry_after(error: MaasKLError) -> float | None:
    return error.retry_after if isinstance(error, APIError) else None


def query(path: str, ctx: Context, deadline: float | None = None) -> Plan:
    """GET `path`, retrying retryable failures within the policy; returns the envelope's data."""
    started = ctx.now()
    attempt = 0
    while True:
        attempt += 1
        outcome: Outcome = yield Send("GET", path)
        if not isinstance(outcome, MaasKLError):
            return outcome
        if not is_retryable(outcome):
            raise outcome
        wait = ctx.retry.delay(
            attempt=attempt, retry_after=_retry_after(outcome), elapsed=ctx.now() - started, random=ctx.random
        )
        if wait is None or (deadline is not None and ctx.now() + wait > deadline):
            raise outcome
        yield Sleep(wait)


def outcome_unknown(error: MaasKLError) -> bool:
    """Whether a create that failed this way may still have produced a task on the server."""
    if isinstance(error, APIConnectionError):
        return error.request_sent
    # A garbled 200 can follow a stored task; for error envelopes the spec's x-business-codes says.
    if isinstance(error, MalformedResponseError):
        return True
    return isinstance(error, APIError) and may_have_created(error.status_code, error.code)


def task_path(template: str, task_id: str) -> str:
    """Fill the `{id}` of a query path, escaped so an id cannot change the path."""
    segment = quote(task_id, safe="")
    if segment in {".", ".."}:  # a bare dot segment would be folded away by URL normalisation
        segment = segment.replace(".", "%2E")
    return template.replace("{id}", segment)


def _recover(get_path: str, external_task_id: str, ctx: Context, deadline: float | None) -> Plan:
    """Find out whether a create with an unknown outcome stored its task; returns the data or None."""
    try:
        data = yield from query(task_path(get_path, external_task_id), ctx, deadline)
    except NotFoundError:
        return None
    return data


def _recover_or_unknown(  # noqa: PLR0913 - the lookup and what to say when it fails
    kind: str, get_path: str, external_task_id: str, outcome: MaasKLError, *, ctx: Context, deadline: float | None
) -> Plan:
    """Run _recover; any failed lookup becomes CreateOutcomeUnknown naming the id (S8), never a bare error."""
    try:
        found = yield from _recover(get_path, external_task_id, ctx, deadline)
    except MaasKLError as lookup_error:
        how = "kept failing" if is_retryable(lookup_error) else "was refused"
        raise CreateOutcomeUnknown(
            f"The {kind} create may have produced a task ({outcome}), and querying external_task_id "
            f"{external_task_id!r} {how} ({lookup_error}). Query it later with "
            f"get({external_task_id!r}) before creating it again.",
            kind=kind,
            external_task_id=external_task_id,
        ) from outcome
    return found


def create(  # noqa: PLR0913 - one protocol, its branches and parameters are its inputs
    *,
    kind: str,
    create_path: str,
    get_path: str,
    body: dict[str, Any],
    recoverable: bool,
    ctx: Context,
) -> Plan:
    """POST a create so that it produces at most one task, and return the task's data.

    With an `external_task_id` in `body` (`recoverable`), an unknown outcome is resolved by
    querying that id before any resend. Without one (video extension), an unknown outcome raises
    CreateOutcomeUnknown instead of risking a second paid task.
    """
    started = ctx.now()
    deadline = None if ctx.retry.deadline is None else started + ctx.retry.deadline
    external_task_id = body.get("external_task_id") if recoverable else None
    attempt = 0
    was_unknown = False
    while True:
        attempt += 1
        outcome: Outcome = yield Send("POST", create_path, body)
        if not isinstance(outcome, MaasKLError):
            return outcome
        if outcome_unknown(outcome):
            if external_task_id is None:
                raise CreateOutcomeUnknown(
                    f"The {kind} create may or may not have produced a task ({outcome}). This request has no "
                    "external_task_id to look it up by, so it was not resent, to avoid paying twice. Check the "
                    "MaaS_KL console for a new task on this video before creating it again.",
                    kind=kind,
                    external_task_id=None,
                ) from outcome
            was_unknown = True
            wait = ctx.retry.delay(
                attempt=attempt, retry_after=_retry_after(outcome), elapsed=ctx.now() - started, random=ctx.random
            )
            if wait is not None:
                yield Sleep(wait)
            found = yield from _recover_or_unknown(
                kind, get_path, external_task_id, outcome, ctx=ctx, deadline=deadline
            )
            if found is not None:
                return found
            if wait is None:
                raise outcome  # not created, and the policy allows no more attempts
            continue  # confirmed not created: sending again cannot duplicate
        if was_unknown and isinstance(outcome, InvalidRequestError) and external_task_id is not None:
            # A resend refused after an unknown outcome may be refused because the first one landed
            # late (external_task_id is unique per user): look once more before reporting it.
            found = yield from _recover_or_unknown(
                kind, get_path, external_task_id, outcome, ctx=ctx, deadline=deadline
            )
            if found is not None:
                return found
        if not is_retryable(outcome):
            raise outcome
        wait = ctx.retry.delay(
            attempt=attempt, retry_after=_retry_after(outcome), elapsed=ctx.now() - started, random=ctx.random
        )
        if wait is None:
            raise outcome
        yield Sleep(wait)


TERMINAL_FAILED = TaskStatus.FAILED
TERMINAL_SUCCEED = TaskStatus.SUCCEED


def wait(  # noqa: PLR0913 - one protocol, its parameters are its inputs
    *,
    get_path: str,
    task_id: str,
    timeout: float,
    schedule: PollSchedule,
    on_update: Callable[[Task], object] | None,
    ctx: Context,
) -> Plan:
    """Poll a task until it succeeds (return it), fails (TaskFailed) or the timeout passes (TaskTimeout)."""
    deadline = ctx.now() + timeout
    path = task_path(get_path, task_id)
    last: Task | None = None
    poll = 0
    while True:
        data = yield from query(path, ctx, deadline)
        last = Task.from_data(data)
        if on_update is not None:
            on_update(last)
        if last.task_status == TERMINAL_SUCCEED:
            return last
        if last.task_status == TERMINAL_FAILED:
            raise TaskFailed(last)
        remaining = deadline - ctx.now()
        if remaining <= 0:
            raise TaskTimeout(last, task_id=task_id, timeout=timeout)
        yield Sleep(min(schedule.interval(poll), remaining))
        poll += 1

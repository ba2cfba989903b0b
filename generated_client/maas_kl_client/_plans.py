"""The request protocols (query, exactly-once create, wait) as sans-I/O generators.

A plan yields `Send` and `Sleep` actions and receives each action's outcome: the envelope's
`data` or the MaasKLError it raised. The sync and async clients drive the same plans, so retry,
recovery and wait logic exist once and are tested without a network or a real clock. Every retry,
recovery lookup and poll runs in one loop, `repeat`, whose steps end each attempt with Done or Again.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar
from urllib.parse import quote

from ._envelope import may_have_created
from ._errors import (
    APIConnectionError,
    APIError,
    CreateOutcomeUnknown,
    DownloadError,
    InvalidRequestError,
    MaasKLError,
    MalformedResponseError,
    NotFoundError,
    TaskFailed,
    TaskTimeout,
)
from ._retry import RetryPolicy
from ._task import Task
from .models.task_status import TaskStatus


@dataclass(slots=True)  # not frozen: a frozen __init__ costs every request about 0.4 us (decision Q5)
class Send:
    """Send one HTTP request to the API and report the envelope's data or the typed error."""

    method: str
    path: str
    json: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait before the next action."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Start:
    """Send `send` without waiting for its answer, which a later Collect returns under `ticket` (a batch's job)."""

    ticket: int
    send: Send


@dataclass(frozen=True, slots=True)
class Collect:
    """Wait until started requests are answered or `seconds` pass (None: no bound); receive (ticket, outcome) pairs."""

    seconds: float | None


@dataclass(frozen=True, slots=True)
class RetryScheduled:
    """A request failed for a retryable `reason`; it is sent again after `delay` seconds (attempt `attempt`)."""

    reason: MaasKLError
    delay: float
    attempt: int


@dataclass(frozen=True, slots=True)
class RecoveryLookup:
    """A create's outcome is unknown (`reason`), so its task is looked up by `external_task_id` before any resend."""

    external_task_id: str
    reason: MaasKLError


@dataclass(frozen=True, slots=True)
class TaskCreated:
    """A create produced `task` (found again by a recovery lookup when `recovered`)."""

    task: Task
    recovered: bool


@dataclass(frozen=True, slots=True)
class TaskUpdated:
    """A poll read `task`; the last one of a wait has a terminal status."""

    task: Task


@dataclass(frozen=True, slots=True)
class PollScheduled:
    """The next status query of `task_id` goes out after `delay` seconds."""

    task_id: str
    delay: float


@dataclass(frozen=True, slots=True)
class RequestSent:
    """The driver sent `method path` (attempt by attempt); reported by the drivers, not by the plans."""

    method: str
    path: str


@dataclass(frozen=True, slots=True)
class ResponseReceived:
    """An answer to `method path` came after `elapsed` seconds: its HTTP status, request id and error, if any."""

    method: str
    path: str
    status_code: int | None
    request_id: str | None
    error: MaasKLError | None
    elapsed: float


Event = RetryScheduled | RecoveryLookup | TaskCreated | TaskUpdated | PollScheduled
"""What a plan reports while it runs; drivers hand each event to the caller's callback and resume the plan."""

ClientEvent = Event | RequestSent | ResponseReceived
"""Everything an `on_event` callback receives: the plans' events and the drivers' request and response events."""

Action = Send | Sleep | Event
if TYPE_CHECKING:
    INTERRUPTS: tuple[type[BaseException], ...]
    """What stops a running plan from outside; drivers throw it into the plan so a batch can say how to resume."""
Outcome = dict[str, Any] | MaasKLError
Answered = list[tuple[int, Outcome]]
"""What a Collect receives: each answered Start's ticket and outcome, in the order they were started."""
T = TypeVar("T")
Plan = Generator[Action, Any, T]
"""A protocol that returns T: it yields actions, receives each Send's outcome (None for Sleep and events)."""


class Schedule(Protocol):
    """When to poll next: a PollSchedule (fixed growth) or the client's LearnedSchedule (durations seen so far)."""

    def after(self, poll_number: int, task: Task, elapsed: float) -> float:
        """Seconds to wait after poll `poll_number` read `task`, `elapsed` seconds after it was created."""
        ...


@dataclass(frozen=True, slots=True)
class Context:
    """What a plan needs besides the request: the policy, the clock reading and the jitter source."""

    retry: RetryPolicy
    now: Callable[[], float]
    random: Callable[[], float]


def is_retryable(error: MaasKLError) -> bool:
    """Whether sending the same request again may succeed (a download error says so itself)."""
    if isinstance(error, APIConnectionError):
        return True
    return isinstance(error, APIError | DownloadError) and error.retryable


def _retry_after(error: MaasKLError) -> float | None:
    return error.retry_after if isinstance(error, APIError) else None


Defer = Callable[[MaasKLError], bool]
"""Which failures a plan hands straight to its driver instead of retrying (the batch runner's 429s)."""


def never(_: MaasKLError) -> bool:
    """Defer no failure: the plan retries by its policy alone (the default outside a batch)."""
    return False


@dataclass(slots=True)  # not frozen, as Send (decision Q5)
class Done(Generic[T]):
    """A step's last word: the repeated plan returns `value`."""

    value: T


@dataclass(frozen=True, slots=True)
class Again:
    """Run the step once more: report `event`, sleep `delay` seconds (None: go at once), then count an attempt."""

    delay: float | None = None
    event: Event | None = None


@dataclass(slots=True, init=False)
class Tries:
    """One repeated step's budget: its attempt number, when the policy's count started, and an absolute deadline."""

    ctx: Context
    deadline: float | None
    attempt: int
    started: float

    def __init__(self, ctx: Context, deadline: float | None = None, attempt: int = 0) -> None:
        # Written out, not generated with a __post_init__: every request of every plan builds one.
        self.ctx, self.deadline, self.attempt, self.started = ctx, deadline, attempt, ctx.now()

    def progress(self) -> None:
        """Restart the policy's count of attempts and time: the step got further than ever before."""
        self.attempt, self.started = 0, self.ctx.now()

    def backoff(self, error: MaasKLError) -> float | None:
        """Apply the one retry rule: seconds before the next attempt, or None when the policy or deadline says stop."""
        ctx = self.ctx
        wait = ctx.retry.delay(
            attempt=max(self.attempt, 1), retry_after=_retry_after(error), elapsed=ctx.now() - self.started,
            random=ctx.random,
        )  # fmt: skip
        if wait is None or (self.deadline is not None and ctx.now() + wait > self.deadline):
            return None
        return wait

    def retry(self, error: MaasKLError, defer: Defer = never, *, report: bool = True) -> Again:
        """Answer a failed attempt: Again after the policy's delay (reported as RetryScheduled), or raise `error`."""
        if not is_retryable(error) or defer(error):
            raise error
        wait = self.backoff(error)
        if wait is None:
            raise error
        return Again(wait, RetryScheduled(error, wait, self.attempt) if report else None)


Verdict = Done[T] | Again
Step = Callable[[Tries], Generator[Any, Any, Verdict[T]]]
"""One attempt of a repeated plan: it yields its own actions and ends with Done or Again (or raises)."""


def repeat(step: Step[T], tries: Tries) -> Generator[Any, Any, T]:
    """Run `step` until Done, reporting, sleeping and counting each Again: the one retry, recovery and poll loop.

    Query, exactly-once create, wait and download are each a step given to this loop; only here do
    plans sleep between attempts.
    """
    while True:
        tries.attempt += 1
        verdict = yield from step(tries)
        if isinstance(verdict, Done):
            return verdict.value
        if verdict.event is not None:
            yield verdict.event
        if verdict.delay is not None:
            yield Sleep(verdict.delay)


def send(action: Send, defer: Defer = never) -> Step[dict[str, Any]]:
    """Make the step of a plain request: its data is Done, a failure is retried by the policy."""

    def attempt(tries: Tries) -> Plan[Verdict[dict[str, Any]]]:
        outcome: Outcome = yield action
        if isinstance(outcome, MaasKLError):
            return tries.retry(outcome, defer)
        return Done(outcome)

    return attempt


def query(path: str, ctx: Context, deadline: float | None = None, defer: Defer = never) -> Plan[dict[str, Any]]:
    """GET `path`, retrying retryable failures within the policy; returns the envelope's data.

    It hands back the repeat loop itself (no generator of its own around it): a query is the SDK's
    most frequent call, and each layer of `yield from` costs every action a hop.
    """
    return repeat(send(Send("GET", path), defer), Tries(ctx, deadline))


def outcome_unknown(error: MaasKLError) -> bool:
    """Whether a create that failed this way may still have produced a task on the server."""
    if isinstance(error, APIConnectionError):
        return error.request_sent
    # A garbled 200 can follow a stored task; for error envelopes the spec's x-business-codes says.
    if isinstance(error, MalformedResponseError):
        return True
    return isinstance(error, APIError) and may_have_created(error.status_code, error.code)


_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
"""What `quote(..., safe="")` leaves as it is: an id made only of these needs no quoting (the usual case)."""


def task_path(template: str, task_id: str) -> str:
    """Fill the `{id}` of a query path, escaped so an id cannot change the path."""
    segment = task_id if _UNRESERVED.issuperset(task_id) else quote(task_id, safe="")
    if segment in {".", ".."}:  # a bare dot segment would be folded away by URL normalisation
        segment = segment.replace(".", "%2E")
    return template.replace("{id}", segment)


def _recover(get_path: str, external_task_id: str, ctx: Context, deadline: float | None) -> Plan[dict[str, Any] | None]:
    """Find out whether a create with an unknown outcome stored its task; returns the data or None."""
    try:
        data = yield from query(task_path(get_path, external_task_id), ctx, deadline)
    except NotFoundError:
        return None
    return data


def _recover_or_unknown(  # noqa: PLR0913 - the lookup and what to say when it fails
    kind: str, get_path: str, external_task_id: str, outcome: MaasKLError, *, ctx: Context, deadline: float | None
) -> Plan[dict[str, Any] | None]:
    """Run _recover; any failed lookup becomes CreateOutcomeUnknown naming the id (S8), never a bare error."""
    yield RecoveryLookup(external_task_id, outcome)
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
    defer: Defer = never,
    maybe_sent: bool = False,
) -> Plan[Task]:
    """POST a create so that it produces at most one task, and return the task.

    With an `external_task_id` in `body` (`recoverable`), an unknown outcome is resolved by
    querying that id before any resend. Without one (video extension), an unknown outcome raises
    CreateOutcomeUnknown instead of risking a second paid task. `maybe_sent` says an earlier run of
    this same create had an unknown outcome, so a refusal of the resend is checked by lookup too.
    """
    data = yield from _create(
        kind, create_path=create_path, get_path=get_path, body=body, recoverable=recoverable, ctx=ctx, defer=defer,
        was_unknown=maybe_sent,
    )  # fmt: skip
    task = Task.from_data(data[0])
    yield TaskCreated(task, recovered=data[1])
    return task


def _create(  # noqa: PLR0913 - one protocol, its branches and parameters are its inputs
    kind: str,
    *,
    create_path: str,
    get_path: str,
    body: dict[str, Any],
    recoverable: bool,
    ctx: Context,
    defer: Defer,
    was_unknown: bool,
) -> Plan[tuple[dict[str, Any], bool]]:
    started = ctx.now()
    deadline = None if ctx.retry.deadline is None else started + ctx.retry.deadline
    external_task_id = body.get("external_task_id") if recoverable else None
    unknown: tuple[MaasKLError, bool] | None = None  # the last send's unknown outcome, and whether it was the last try

    def lookup(outcome: MaasKLError) -> Plan[Done[tuple[dict[str, Any], bool]] | None]:
        assert external_task_id is not None  # only recoverable creates look up
        found = yield from _recover_or_unknown(kind, get_path, external_task_id, outcome, ctx=ctx, deadline=deadline)
        return None if found is None else Done((found, True))

    def attempt(tries: Tries) -> Plan[Verdict[tuple[dict[str, Any], bool]]]:
        nonlocal unknown, was_unknown
        if unknown is not None:  # the last send may have created the task: look it up before any resend
            (outcome, last), unknown = unknown, None
            found = yield from lookup(outcome)
            if found is not None:
                return found
            if last:
                raise outcome  # not created, and the policy allows no more attempts
        outcome = yield Send("POST", create_path, body)
        if not isinstance(outcome, MaasKLError):
            return Done((outcome, False))
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
            wait = tries.backoff(outcome)
            unknown = (outcome, wait is None)
            return Again() if wait is None else Again(wait, RetryScheduled(outcome, wait, tries.attempt))
        if was_unknown and isinstance(outcome, InvalidRequestError) and external_task_id is not None:
            # A resend refused after an unknown outcome may be refused because the first one landed
            # late (external_task_id is unique per user): look once more before reporting it.
            found = yield from lookup(outcome)
            if found is not None:
                return found
        return tries.retry(outcome, defer)

    return (yield from repeat(attempt, Tries(ctx)))


TERMINAL_FAILED = TaskStatus.FAILED
TERMINAL_SUCCEED = TaskStatus.SUCCEED


def wait(  # noqa: PLR0913 - one protocol, its parameters are its inputs
    *,
    get_path: str,
    task_id: str,
    timeout: float,
    schedule: Schedule,
    ctx: Context,
    wall: Callable[[], float] | None = None,
    defer: Defer = never,
    first: Task | None = None,
) -> Plan[Task]:
    """Poll a task until it succeeds (return it), fails (TaskFailed) or the timeout passes (TaskTimeout).

    `wall` reads Unix time, to tell the schedule how long ago the service created the task; `first`
    is the task as a create just returned it, which saves the first query.
    """
    started = ctx.now()
    deadline = started + timeout
    path = task_path(get_path, task_id)
    known = first

    def poll(tries: Tries) -> Plan[Verdict[Task]]:
        nonlocal known
        if known is None:
            data = yield from query(path, ctx, deadline, defer)
            last = Task.from_data(data)
        else:
            last, known = known, None
        yield TaskUpdated(last)
        if last.task_status == TERMINAL_SUCCEED:
            return Done(last)
        if last.task_status == TERMINAL_FAILED:
            raise TaskFailed(last)
        remaining = deadline - ctx.now()
        if remaining <= 0:
            raise TaskTimeout(last, task_id=task_id, timeout=timeout)
        elapsed = task_age(last, wall) if wall is not None else ctx.now() - started
        delay = min(schedule.after(tries.attempt - 1, last, elapsed), remaining)
        return Again(delay, PollScheduled(task_id, delay))

    return (yield from repeat(poll, Tries(ctx)))


def task_age(task: Task, wall: Callable[[], float]) -> float:
    """Seconds since the service created `task`, by its `created_at` (Unix ms)."""
    return max(0.0, wall() - task.created_at / 1000)


def __getattr__(name: str) -> Any:
    """Build INTERRUPTS on first use: only a handled exception reads it, so a sync program never loads asyncio."""
    if name != "INTERRUPTS":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import asyncio  # noqa: PLC0415 - a sync client never needs it otherwise

    interrupts = (KeyboardInterrupt, asyncio.CancelledError)
    globals()["INTERRUPTS"] = interrupts
    return interrupts

"""Many jobs at once as one sans-I/O plan: bounded by the account's concurrency, paced by Retry-After.

Every job is prepared and checked (shape, family, preflight) before the first create: bad jobs
stop the batch with InvalidJobs, naming each, and nothing is sent; with `skip_invalid` they end
as their own errors and the rest run.

The batch interleaves each job's create and wait plans on one timeline. A job's create starts only
while fewer than the limit of its tasks are unfinished; with no limit given, the first
"account full" answer teaches it (the tasks then in flight), and the job waits for a slot
instead of spending retries. Any other 429 holds every request until its Retry-After, so the
polls of all jobs share one budget. Creates keep their external_task_id across re-sends, so a
job is created at most once, also across an interruption and a resume.
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections import deque
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from ._errors import CreateOutcomeUnknown, MaasKLError, PreflightError, RateLimitError
from ._plans import (
    Action,
    Answered,
    Collect,
    Context,
    Event,
    Outcome,
    Plan,
    RecoveryLookup,
    Send,
    Sleep,
    Start,
    outcome_unknown,
)
from ._task import Task
from .models.task_status import TaskStatus

_TERMINAL = frozenset({TaskStatus.SUCCEED, TaskStatus.FAILED})
MAX_DEFERRALS = 50
"""How often one job may be sent back to wait (slot or Retry-After) before its last 429 is its result."""


@dataclass(frozen=True, slots=True)
class Job:
    """One unit of a batch: a task family's name ("text2video") and its request, as a model or a mapping."""

    family: str
    request: Any = None
    problem: str | None = None
    """Why the job cannot be sent, found by whoever built it (a command line reading a file); checked with the rest."""

    @classmethod
    def of(cls, item: Job | tuple[str, Any] | Mapping[str, Any]) -> Job:
        """Accept a Job, a (family, request) pair, or a mapping holding "family" beside the request's fields."""
        if isinstance(item, Job):
            return item
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            return cls(item[0], item[1])
        if isinstance(item, Mapping) and isinstance(item.get("family"), str):
            return cls(str(item["family"]), {k: v for k, v in item.items() if k != "family"})
        msg = f"A batch job must be a Job, a (family, request) pair or a mapping with a 'family' key; got {item!r:.80}"
        raise TypeError(msg)


@dataclass(frozen=True, slots=True)
class JobResult:
    """How one job ended: its final `task` or the typed `error` that stopped it; ids for resuming it."""

    index: int
    job: Job
    task: Task | None = None
    error: MaasKLError | None = None
    task_id: str | None = None
    external_task_id: str | None = None
    files: tuple[Path, ...] = ()
    """The videos `download_to=` saved for this job."""

    @property
    def sent(self) -> bool:
        """Whether the job's create may have reached the service (resume waits on its ids instead of creating)."""
        return self.task_id is not None or self.external_task_id is not None

    @property
    def finished(self) -> bool:
        """Whether the job reached an end: a terminal task or an error."""
        return self.task is not None or self.error is not None


@dataclass(frozen=True, slots=True)
class JobSending:
    """A job's create is about to be sent for the first time; a journal records its recovery key before it goes."""

    family: str
    external_task_id: str | None


@dataclass(frozen=True, slots=True)
class JobUpdate:
    """What the batch reports to `on_update`: job `index` had `event`, or ended with `result`."""

    index: int
    job: Job
    event: Event | JobSending | None = None
    result: JobResult | None = None


class InvalidJob(MaasKLError, ValueError):  # noqa: N818 - reads as what the job is
    """A batch job is malformed: not a job, an unknown family, or a problem its builder found; it was not sent."""


class InvalidJobs(MaasKLError, ValueError):  # noqa: N818 - reads as what the batch has
    """Some jobs of a batch are invalid, so nothing was sent; `problems` holds (job index, error) for each."""

    def __init__(self, problems: list[tuple[int, MaasKLError]], total: int) -> None:
        self.problems = problems
        self.total = total
        shown = "; ".join(f"job {index}: {one_line(error)}" for index, error in problems[:5])
        more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        super().__init__(
            f"{len(problems)} of {total} jobs are invalid, so nothing was sent: {shown}{more}. Fix them, or pass "
            "skip_invalid=True to run the others and record these as their errors."
        )


def one_line(error: BaseException) -> str:
    """Say an error in one line: its type and message, line breaks folded, no closing full stop."""
    return f"{type(error).__name__}: {' '.join(str(error).split()).rstrip('.')}"


class BatchInterrupted(MaasKLError):  # noqa: N818 - reads as what happened to the batch
    """The batch was stopped (Ctrl-C, cancellation); `results` says per job what was done and how to resume."""

    def __init__(self, results: list[JobResult]) -> None:
        self.results = results
        sent = [r for r in results if r.sent and not r.finished]
        untouched = sum(1 for r in results if not r.sent and not r.finished)
        super().__init__(
            f"The batch was interrupted: {sum(r.finished for r in results)} jobs finished, {len(sent)} were sent "
            f"and are still running, {untouched} were not sent. Call batch(jobs, resume=error.results) to finish "
            "it without creating anything twice."
        )


@dataclass(frozen=True, slots=True)
class Steps:
    """How the batch builds one job's plans; the client supplies them (family lookup, preflight, schedule)."""

    prepare: Callable[[Job], tuple[str, dict[str, Any], bool]]
    """Job -> (family, JSON body with its external_task_id filled in, whether creates are recoverable)."""
    create: Callable[[str, dict[str, Any], bool], Plan[Task]]
    """(family, body, maybe_sent) -> the create plan, deferring 429s."""
    wait: Callable[[str, str, Task | None], Plan[Task]]
    """(family, task_id or external_task_id, the task as created if known) -> the wait plan, deferring 429s."""
    is_account_full: Callable[[MaasKLError], bool]
    """Whether a 429 says the account's concurrency limit is reached (rather than "too fast")."""


@dataclass
class _Job:
    index: int
    job: Job
    family: str = ""
    body: dict[str, Any] = field(default_factory=dict)
    recoverable: bool = False
    task_id: str | None = None
    external_task_id: str | None = None
    maybe_sent: bool = False
    plan: Plan[Task] | None = None
    waiting: bool = False
    reply: Any = None
    deferrals: int = 0
    announced: bool = False
    refused: bool = False  # refused once as concurrency_limited: sent again only below the tasks the account then held
    result: JobResult | None = None

    def finish(self, task: Task | None, error: MaasKLError | None) -> JobResult:
        self.result = JobResult(self.index, self.job, task, error, self.task_id, self.external_task_id)
        self.plan = None
        return self.result


def _resume_state(state: _Job, previous: JobResult) -> None:
    if previous.finished:
        state.result = replace(previous, index=state.index, job=state.job)
        return
    state.task_id, state.external_task_id = previous.task_id, previous.external_task_id
    state.maybe_sent = previous.sent


BatchPlan = Generator["Action | Start | Collect | JobUpdate", Any, list[JobResult]]
"""The batch as one plan: the requests (started, then collected) and sleeps of all its jobs, and a JobUpdate per
event or result."""


def run(  # noqa: PLR0912, PLR0913, PLR0915 - one scheduler loop; its branches are the states of a job
    jobs: Iterable[Job | tuple[str, Any] | Mapping[str, Any]],
    *,
    steps: Steps,
    ctx: Context,
    max_in_flight: int | None,
    resume: Iterable[JobResult] = (),
    skip_invalid: bool = False,
    overlapping: bool = False,
) -> BatchPlan:
    """Run every job to one result, in input order; raises BatchInterrupted when stopped part-way.

    Every job is prepared first; any invalid one raises InvalidJobs before anything is sent, unless
    `skip_invalid`, when each ends at once with its own error (reported as a JobUpdate). Each job's
    request is started (`Start`) and its answer collected later (`Collect`), so a driver that
    `overlapping` may have one request of every job in flight; while the limit is unknown, its
    creates then ramp up, one more in flight for each create answered (slow start).
    """
    if max_in_flight is not None and max_in_flight < 1:
        msg = f"max_in_flight must be at least 1 (or None to learn the account's limit), got {max_in_flight}"
        raise ValueError(msg)
    states, problems = _prepared(jobs, steps, resume)
    if problems and not skip_invalid:
        raise InvalidJobs([(state.index, error) for state, error in problems], len(states))
    for state, error in problems:
        yield JobUpdate(state.index, state.job, result=state.finish(None, error))
    limit = max_in_flight
    queue: deque[_Job] = deque()
    timeline: list[tuple[float, int, _Job]] = []
    order = itertools.count()
    in_flight: set[int] = set()
    sent: dict[int, tuple[_Job, Send, bool]] = {}  # requests started, by job: the job, the request, maybe_sent before
    window = 1  # creates in flight while the limit is unknown; grows by one per create answered when overlapping
    hold_until = 0.0
    for state in states:
        if state.result is not None:
            continue
        if state.recoverable:
            if state.external_task_id is not None:
                state.body["external_task_id"] = state.external_task_id
            state.external_task_id = state.body.get("external_task_id")
        if state.task_id is not None:
            state.plan, state.waiting = steps.wait(state.family, state.task_id, None), True
            in_flight.add(state.index)
            heapq.heappush(timeline, (0.0, next(order), state))
        elif state.maybe_sent and not state.recoverable:
            state.finish(None, _unresumable(state))
        else:
            queue.append(state)

    def park(state: _Job, at: float) -> None:
        heapq.heappush(timeline, (at, next(order), state))

    floor: int | None = None  # tasks held at the last concurrency_limited refusal: a refused job waits below it
    since_refusal = 0
    ghosts = 0  # jobs that ended in an error while their task may still be running on the account

    def end(state: _Job, task: Task | None, error: MaasKLError | None) -> JobResult:
        nonlocal limit, since_refusal, ghosts
        in_flight.discard(state.index)
        if error is not None and state.maybe_sent and (task is None or task.task_status not in _TERMINAL):
            ghosts += 1
        if max_in_flight is None and limit is not None:
            # A learned limit may be low (someone else's tasks, a stray concurrency refusal): after a limit's worth of
            # tasks ended without a refusal, allow one more; only never-refused jobs probe it.
            since_refusal += 1
            if since_refusal >= limit:
                limit, since_refusal = limit + 1, 0
        return state.finish(task, error)

    def answered(state: _Job, action: Send, before: bool, outcome: Outcome) -> None:
        if action.method == "POST" and isinstance(outcome, MaasKLError) and not outcome_unknown(outcome):
            state.maybe_sent = before  # refused or never sent: this attempt made nothing
        state.reply = outcome
        park(state, ctx.now())

    try:
        while True:
            now = ctx.now()
            while (
                queue
                and (limit is None or len(in_flight) < limit)
                and not (limit is None and _creating(states, in_flight) >= window)
            ):
                admitted = _admissible(queue, len(in_flight), None if floor is None else floor - ghosts)
                if admitted is None:
                    break
                state = admitted
                queue.remove(state)
                state.plan = steps.create(state.family, state.body, state.maybe_sent)
                state.waiting = False
                in_flight.add(state.index)
                park(state, now)
            if not timeline and not sent:
                if queue:  # every slot is taken by a task that cannot end: cannot happen with in_flight empty
                    msg = "batch stalled with jobs queued and nothing in flight"
                    raise AssertionError(msg)
                break
            wake = max(timeline[0][0], hold_until) if timeline else None
            if wake is None or wake > now:
                if not sent:
                    assert wake is not None
                    yield Sleep(wake - now)
                    continue
                replies: Answered = yield Collect(None if wake is None else wake - now)
                for ticket, outcome in replies:
                    answered(*sent.pop(ticket), outcome)
                continue
            _, _, state = heapq.heappop(timeline)
            plan = state.plan
            assert plan is not None
            try:
                action: Action = plan.send(state.reply)
                state.reply = None
                while not isinstance(action, Send | Sleep):
                    if isinstance(action, RecoveryLookup):
                        state.maybe_sent = True
                    yield JobUpdate(state.index, state.job, event=action)
                    action = plan.send(None)
                if isinstance(action, Sleep):
                    park(state, ctx.now() + action.seconds)
                    continue
                before = state.maybe_sent
                if action.method == "POST" and not before and not state.announced:
                    state.announced = True  # the journal writes the recovery key before the first send
                    yield JobUpdate(state.index, state.job, event=JobSending(state.family, state.external_task_id))
                if action.method == "POST":
                    state.maybe_sent = True  # from here a stop must report the create as possibly made
                sent[state.index] = (state, action, before)
                yield Start(state.index, action)
            except StopIteration as done:
                task: Task = done.value
                state.reply = None
                if not state.waiting:
                    state.task_id = task.task_id
                    state.plan, state.waiting = steps.wait(state.family, task.task_id, task), True
                    if overlapping and limit is None:
                        window += 1  # a create went through: one more may be in flight (doubles per round trip)
                    park(state, ctx.now())
                else:
                    yield JobUpdate(state.index, state.job, result=end(state, task, None))
            except RateLimitError as error:
                state.reply = None
                state.deferrals += 1
                if state.deferrals > MAX_DEFERRALS:
                    yield JobUpdate(state.index, state.job, result=end(state, None, error))
                    continue
                if not state.waiting and steps.is_account_full(error) and len(in_flight) > 1:
                    # The account holds as many tasks as this batch has in flight besides this job.
                    in_flight.discard(state.index)
                    limit = len(in_flight) if max_in_flight is None else min(max_in_flight, len(in_flight))
                    floor, since_refusal, state.refused = len(in_flight), 0, True
                    state.plan = None
                    queue.appendleft(state)
                    continue
                pause = error.retry_after
                if pause is None:
                    pause = ctx.retry.backoff(min(state.deferrals, 8), ctx.random)
                hold_until = max(hold_until, ctx.now() + pause)
                if state.waiting:
                    state.plan = steps.wait(state.family, state.task_id or "", None)
                else:
                    state.plan = steps.create(state.family, state.body, state.maybe_sent)
                park(state, ctx.now())
            except MaasKLError as error:
                state.reply = None
                yield JobUpdate(state.index, state.job, result=end(state, getattr(error, "task", None), error))
    except BaseException as stop:
        if isinstance(stop, GeneratorExit | Exception):
            raise  # closed by its driver, or a bug: nothing to resume from
        # KeyboardInterrupt or asyncio's CancelledError, thrown in by the driver.
        for state in states:
            if state.plan is not None:
                state.plan.close()
        raise BatchInterrupted([_partial(s) for s in states]) from stop
    return [s.result or _partial(s) for s in states]


def _prepared(
    jobs: Iterable[Job | tuple[str, Any] | Mapping[str, Any]], steps: Steps, resume: Iterable[JobResult]
) -> tuple[list[_Job], list[tuple[_Job, MaasKLError]]]:
    """Build and check every job before anything is sent; return the jobs and the invalid ones with their errors."""
    states: list[_Job] = []
    shape: dict[int, MaasKLError] = {}
    for index, item in enumerate(jobs):
        try:
            job = Job.of(item)
        except TypeError as error:
            job, shape[index] = Job("", item), InvalidJob(str(error))
        states.append(_Job(index, job))
    for previous in resume:
        if 0 <= previous.index < len(states):
            _resume_state(states[previous.index], previous)
    problems: list[tuple[_Job, MaasKLError]] = []
    for state in states:
        if state.result is None:
            found = shape.get(state.index) or _check(state, steps)
            if found is not None:
                problems.append((state, found))
    return states, problems


def _check(state: _Job, steps: Steps) -> MaasKLError | None:
    """Prepare one job (family, body, preflight); return why it cannot be sent, or None."""
    if state.job.problem is not None:
        return InvalidJob(state.job.problem)
    try:
        state.family, state.body, state.recoverable = steps.prepare(state.job)
    except MaasKLError as refused:
        return refused
    except (TypeError, ValueError) as refused:
        return InvalidJob(str(refused))
    return None


def _admissible(queue: deque[_Job], in_flight: int, floor: int | None) -> _Job | None:
    """Pick the next job in order, except that a job refused once waits until the account surely has room."""
    for state in queue:
        if not state.refused or floor is None or in_flight < floor or in_flight == 0:
            return state
    return None


def _creating(states: list[_Job], in_flight: set[int]) -> int:
    """Count the jobs whose create is under way: while the limit is unknown, a refusal then teaches it."""
    return sum(1 for i in in_flight if states[i].plan is not None and not states[i].waiting)


def _partial(state: _Job) -> JobResult:
    if state.result is not None:
        return state.result
    external = state.external_task_id if state.maybe_sent else None
    return JobResult(state.index, state.job, None, None, state.task_id, external)


def _unresumable(state: _Job) -> CreateOutcomeUnknown:
    return CreateOutcomeUnknown(
        f"Job {state.index} ({state.family}) was interrupted while its create was in flight, and this family has no "
        "external_task_id to look it up by; check the MaaS_KL console before creating it again.",
        kind=state.family,
        external_task_id=None,
    )


_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def video_file_name(video_id: str, url: str) -> str:
    """Name a video's file in a folder by its id (a proxy's or a replay's URL names say nothing); else by its URL."""
    suffix = PurePosixPath(urlsplit(url).path).suffix or ".mp4"
    name = f"{video_id}{suffix}"
    if _SAFE_NAME.fullmatch(name) and ".." not in name:
        return name
    return PurePosixPath(urlsplit(url).path).name or f"video{suffix}"


def status_of(result: JobResult) -> str:
    """One word for a result: the task's status, "invalid" (checked, not sent), "error", "running" or "pending"."""
    if result.task is not None and result.error is None:
        return str(result.task.task_status)
    if result.error is not None:
        failed = result.task is not None and result.task.task_status == TaskStatus.FAILED
        if failed:
            return TaskStatus.FAILED.value
        refused = isinstance(result.error, InvalidJob | PreflightError) and result.task_id is None
        return "invalid" if refused else "error"
    return "running" if result.sent else "pending"

"""The sans-I/O plans driven directly: scripted outcomes in, actions and events out, no client or network."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import httpx
import pytest
from maas_kl_client import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    CreateOutcomeUnknown,
    InvalidRequestError,
    MalformedResponseError,
    NotFoundError,
    PollSchedule,
    RateLimitError,
    RetryPolicy,
    ServerError,
    Task,
    TaskFailed,
    TaskTimeout,
)
from maas_kl_client._answers import BodyReader
from maas_kl_client._plans import (
    Again,
    Context,
    Done,
    PollScheduled,
    RecoveryLookup,
    RetryScheduled,
    Send,
    Sleep,
    TaskCreated,
    TaskUpdated,
    Tries,
    create,
    query,
    repeat,
    wait,
)
from maas_kl_client._waits import AdaptiveSchedule, DurationModel

NOW = 1_000.0


class Script:
    """Feeds a plan one scripted outcome per Send; Sleep moves a fake clock; events are recorded."""

    def __init__(self, outcomes: list[Any]) -> None:
        self.outcomes = list(outcomes)
        self.now = NOW
        self.actions: list[Any] = []

    def ctx(self, policy: RetryPolicy | None = None) -> Context:
        return Context(retry=policy or RetryPolicy(jitter=0.0), now=lambda: self.now, random=lambda: 0.5)

    def run(self, plan: Generator[Any, Any, Any]) -> Any:
        reply: Any = None
        try:
            while True:
                action = plan.send(reply)
                self.actions.append(action)
                reply = None
                if isinstance(action, Sleep):
                    self.now += action.seconds
                elif isinstance(action, Send):
                    reply = self.outcomes.pop(0)
        except StopIteration as done:
            return done.value

    def of(self, kind: type) -> list[Any]:
        return [a for a in self.actions if isinstance(a, kind)]


def server_error() -> ServerError:
    return ServerError("boom", status_code=500, code=5000, request_id="r")


def task(status: str, task_id: str = "1", created_ms: int = int(NOW * 1000)) -> dict[str, Any]:
    return {"task_id": task_id, "task_status": status, "created_at": created_ms, "updated_at": created_ms}


def test_repeat_counts_attempts_and_sleeps_only_for_again_with_a_delay() -> None:
    script = Script([])
    seen: list[int] = []

    def step(tries: Tries) -> Generator[Any, Any, Any]:
        seen.append(tries.attempt)
        if tries.attempt == 1:
            return Again()  # at once: counted, not slept
        if tries.attempt == 2:
            return Again(3.0, PollScheduled("1", 3.0))
        yield Send("GET", "/x")
        return Done("ok")

    script.outcomes = [{}]
    assert script.run(repeat(step, Tries(script.ctx()))) == "ok"
    assert seen == [1, 2, 3]
    assert [type(a) for a in script.actions] == [PollScheduled, Sleep, Send]


def test_tries_stop_at_the_policy_and_count_again_after_progress() -> None:
    script = Script([])
    tries = Tries(script.ctx(RetryPolicy(max_attempts=2, jitter=0.0)))
    tries.attempt = 1
    assert tries.retry(server_error()).delay == 0.5
    tries.attempt = 2
    with pytest.raises(ServerError):
        tries.retry(server_error())
    script.now += 100
    tries.progress()  # a download that got further: the budget starts over
    tries.attempt = 1
    assert tries.backoff(server_error()) == 0.5
    assert tries.started == script.now


def test_tries_never_retry_what_cannot_succeed_or_what_the_driver_takes() -> None:
    tries = Tries(Script([]).ctx())
    tries.attempt = 1
    denied = AuthenticationError("no", status_code=401, code=1002, request_id="r")
    with pytest.raises(AuthenticationError):
        tries.retry(denied)
    with pytest.raises(ServerError):
        tries.retry(server_error(), defer=lambda _: True)
    assert tries.retry(server_error(), report=False).event is None


def test_query_retries_then_returns_and_reports_each_retry() -> None:
    script = Script([server_error(), server_error(), {"ok": 1}])
    assert script.run(query("/t/1", script.ctx())) == {"ok": 1}
    retries = script.of(RetryScheduled)
    assert [(r.attempt, r.delay) for r in retries] == [(1, 0.5), (2, 1.0)]
    assert [s.seconds for s in script.of(Sleep)] == [0.5, 1.0]


def test_query_honours_retry_after_and_gives_up_past_the_deadline() -> None:
    limited = RateLimitError("slow down", status_code=429, code=1302, request_id="r", retry_after=7.0)
    script = Script([limited, {"ok": 1}])
    script.run(query("/t/1", script.ctx()))
    assert script.of(Sleep)[0].seconds == 7.0
    script = Script([limited])
    with pytest.raises(RateLimitError):
        script.run(query("/t/1", script.ctx(), deadline=NOW + 5))
    assert script.of(Sleep) == []


def test_query_hands_deferred_errors_to_its_driver_untried() -> None:
    limited = RateLimitError("full", status_code=429, code=1303, request_id="r")
    script = Script([limited])
    with pytest.raises(RateLimitError):
        script.run(query("/t/1", script.ctx(), defer=lambda e: isinstance(e, RateLimitError)))
    assert len(script.of(Send)) == 1


def create_plan(script: Script, body: dict[str, Any], *, recoverable: bool = True, maybe_sent: bool = False) -> Any:
    return create(
        kind="text2video", create_path="/c", get_path="/c/{id}", body=body, recoverable=recoverable,
        ctx=script.ctx(), maybe_sent=maybe_sent,
    )  # fmt: skip


def test_create_after_an_unknown_outcome_looks_up_before_resending() -> None:
    script = Script([server_error(), task("submitted", "9")])
    created = script.run(create_plan(script, {"prompt": "p", "external_task_id": "e1"}))
    assert created.task_id == "9"
    sends = script.of(Send)
    assert [(s.method, s.path) for s in sends] == [("POST", "/c"), ("GET", "/c/e1")]
    assert script.of(RecoveryLookup)[0].external_task_id == "e1"
    assert script.of(TaskCreated)[0].recovered


def test_create_resends_only_after_the_lookup_says_not_created() -> None:
    missing = NotFoundError("no", status_code=404, code=1203, request_id="r")
    script = Script([server_error(), missing, task("submitted", "5")])
    script.run(create_plan(script, {"prompt": "p", "external_task_id": "e1"}))
    assert [s.method for s in script.of(Send)] == ["POST", "GET", "POST"]
    assert not script.of(TaskCreated)[0].recovered


def test_create_without_external_id_never_resends_an_unknown_outcome() -> None:
    sent = APIConnectionError("reset", request_sent=True)
    script = Script([sent])
    with pytest.raises(CreateOutcomeUnknown):
        script.run(create_plan(script, {"video_id": "v"}, recoverable=False))
    assert len(script.of(Send)) == 1


def test_a_resumed_create_checks_a_refusal_by_lookup() -> None:
    duplicate = InvalidRequestError("used", status_code=400, code=1201, request_id="r")
    script = Script([duplicate, task("processing", "3")])
    created = script.run(create_plan(script, {"prompt": "p", "external_task_id": "e1"}, maybe_sent=True))
    assert created.task_id == "3"


def test_create_resends_after_a_lost_create_that_stored_nothing() -> None:
    lost = APITimeoutError("lost", request_sent=True)
    missing = NotFoundError("no", status_code=404, code=1203, request_id="r")
    script = Script([lost, missing, task("submitted", "7")])
    created = script.run(create_plan(script, {"prompt": "p", "external_task_id": "e1"}))
    assert created.task_id == "7"
    assert [s.method for s in script.of(Send)] == ["POST", "GET", "POST"]
    assert [type(a) for a in script.actions[:4]] == [Send, RetryScheduled, Sleep, RecoveryLookup]


@pytest.mark.parametrize(
    "fault",
    [
        server_error(),
        APITimeoutError("lost", request_sent=True),
        APIConnectionError("reset", request_sent=True),
        MalformedResponseError("garbled", status_code=200, code=None, request_id=None),
    ],
    ids=["5000", "timeout", "reset", "malformed"],
)
def test_create_recovers_when_the_lookup_fails_the_same_way_first(fault: Exception) -> None:
    script = Script([fault, fault, task("submitted", "8")])
    created = script.run(create_plan(script, {"prompt": "p", "external_task_id": "e1"}))
    assert created.task_id == "8"
    assert [s.method for s in script.of(Send)] == ["POST", "GET", "GET"]


def test_create_finds_a_late_landing_task_after_its_resend_is_refused() -> None:
    lost = APITimeoutError("lost", request_sent=True)
    missing = NotFoundError("no", status_code=404, code=1203, request_id="r")
    duplicate = InvalidRequestError("used", status_code=400, code=1201, request_id="r")
    script = Script([lost, missing, duplicate, task("submitted", "42")])
    created = script.run(create_plan(script, {"prompt": "p", "external_task_id": "e1"}))
    assert created.task_id == "42"
    assert [s.method for s in script.of(Send)] == ["POST", "GET", "POST", "GET"]


def test_create_names_the_id_when_a_lookup_keeps_failing_or_is_refused() -> None:
    lost = APITimeoutError("lost", request_sent=True)
    script = Script([lost] + [server_error()] * 10)
    policy = RetryPolicy(max_attempts=3, jitter=0.0)
    plan = create(
        kind="text2video", create_path="/c", get_path="/c/{id}", body={"external_task_id": "job-9"},
        recoverable=True, ctx=script.ctx(policy),
    )  # fmt: skip
    with pytest.raises(CreateOutcomeUnknown, match="kept failing") as caught:
        script.run(plan)
    assert caught.value.external_task_id == "job-9"
    assert "get('job-9')" in str(caught.value)
    denied = AuthenticationError("expired", status_code=401, code=1004, request_id="r")
    missing = NotFoundError("no", status_code=404, code=1203, request_id="r")
    duplicate = InvalidRequestError("used", status_code=400, code=1201, request_id="r")
    for outcomes in ([lost, denied], [lost, missing, duplicate, *[server_error()] * 10]):
        script = Script(outcomes)
        with pytest.raises(CreateOutcomeUnknown) as caught:
            script.run(create_plan(script, {"prompt": "p", "external_task_id": "job-7"}))
        assert caught.value.external_task_id == "job-7"


def test_create_raises_the_last_failure_when_the_policy_allows_no_resend() -> None:
    script = Script([server_error(), NotFoundError("no", status_code=404, code=1203, request_id="r")])
    plan = create(
        kind="text2video", create_path="/c", get_path="/c/{id}", body={"external_task_id": "e"}, recoverable=True,
        ctx=script.ctx(RetryPolicy(max_attempts=1)),
    )  # fmt: skip
    with pytest.raises(ServerError):
        script.run(plan)
    assert [s.method for s in script.of(Send)] == ["POST", "GET"]


def test_create_retries_a_429_with_retry_after_and_gives_up_when_exhausted() -> None:
    full = RateLimitError("full", status_code=429, code=1303, request_id="r", retry_after=3.0)
    script = Script([full, full, task("submitted")])
    script.run(create_plan(script, {"prompt": "p", "external_task_id": "e"}))
    assert [s.seconds for s in script.of(Sleep)] == [3.0, 3.0]
    assert script.of(RecoveryLookup) == []  # a 429 never created anything: no lookup
    script = Script([full] * 3)
    plan = create(
        kind="text2video", create_path="/c", get_path="/c/{id}", body={}, recoverable=False,
        ctx=script.ctx(RetryPolicy(max_attempts=2, jitter=0.0)),
    )  # fmt: skip
    with pytest.raises(RateLimitError):
        script.run(plan)
    assert len(script.of(Send)) == 2


def test_wait_reports_every_poll_and_its_schedule() -> None:
    script = Script([task("submitted"), task("processing"), task("succeed")])
    schedule = PollSchedule(initial=2.0, multiplier=2.0, maximum=3.0)
    done = script.run(wait(get_path="/c/{id}", task_id="1", timeout=60, schedule=schedule, ctx=script.ctx()))
    assert str(done.task_status) == "succeed"
    assert [str(e.task.task_status) for e in script.of(TaskUpdated)] == ["submitted", "processing", "succeed"]
    assert [e.delay for e in script.of(PollScheduled)] == [2.0, 3.0]


def test_wait_starts_from_the_created_task_without_a_query() -> None:
    script = Script([task("succeed")])
    first = Task.from_data(task("submitted"))
    plan = wait(get_path="/c/{id}", task_id="1", timeout=60, schedule=PollSchedule(), ctx=script.ctx(), first=first)
    script.run(plan)
    assert len(script.of(Send)) == 1


def test_wait_raises_failed_and_timeout() -> None:
    script = Script([task("failed")])
    with pytest.raises(TaskFailed):
        script.run(wait(get_path="/c/{id}", task_id="1", timeout=60, schedule=PollSchedule(), ctx=script.ctx()))
    script = Script([task("processing")] * 10)
    with pytest.raises(TaskTimeout):
        script.run(wait(get_path="/c/{id}", task_id="1", timeout=5, schedule=PollSchedule(), ctx=script.ctx()))
    assert script.now - NOW == pytest.approx(5.0)


def test_adaptive_schedule_sleeps_to_the_learned_start_then_polls_densely() -> None:
    model = DurationModel()
    key = ("text2video", "std", "5")
    unknown = model.schedule(key)
    assert unknown.probe
    for seconds in (100, 110, 95, 105, 120, 90):
        model.observe(key, seconds)
    learned = model.schedule(key)
    assert not learned.probe
    assert 40 < learned.start < 95
    t = Task.from_data(task("submitted"))
    assert learned.after(0, t, 0.0) == pytest.approx(learned.start)
    assert learned.after(5, t, learned.start + 1) == learned.dense
    probing = AdaptiveSchedule(start=60.0)
    assert probing.after(0, t, 8.0) == 8.0  # gaps as long as the age while the kind is unknown


def test_wait_tells_the_schedule_the_task_age_by_its_created_at() -> None:
    seen: list[float] = []

    class Recording:
        def after(self, poll_number: int, task: Any, elapsed: float) -> float:
            seen.append(elapsed)
            return 1.0

    script = Script([task("processing", created_ms=int((NOW - 30) * 1000)), task("succeed")])
    script.run(
        wait(
            get_path="/c/{id}", task_id="1", timeout=60, schedule=Recording(), ctx=script.ctx(), wall=lambda: script.now
        )
    )
    assert seen == [pytest.approx(30.0)]


def test_body_reader_takes_its_deadline_from_the_injected_clock() -> None:
    now = [100.0]
    reader = BodyReader(httpx.Response(200), httpx.Timeout(2.0), lambda: now[0])
    reader.add(b"{")
    now[0] += 1.9
    reader.add(b'"a"')
    now[0] += 0.2
    with pytest.raises(APITimeoutError, match="within 2 s in total"):
        reader.add(b"}")
    assert reader.content == b'{"a"'

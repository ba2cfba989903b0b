"""The sans-I/O plans driven directly: scripted outcomes in, actions and events out, no client or network."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import httpx
import pytest
from maas_kl_client import (
    APIConnectionError,
    APITimeoutError,
    CreateOutcomeUnknown,
    InvalidRequestError,
    NotFoundError,
    PollSchedule,
    RateLimitError,
    RetryPolicy,
    ServerError,
    Task,
    TaskFailed,
    TaskTimeout,
)
from maas_kl_client._core import BodyReader
from maas_kl_client._plans import (
    Context,
    PollScheduled,
    RecoveryLookup,
    RetryScheduled,
    Send,
    Sleep,
    TaskCreated,
    TaskUpdated,
    create,
    query,
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

"""The batch plan alone, driven by a scripted driver: which requests it starts together, round trip by round trip."""

from __future__ import annotations

from typing import Any

from maas_kl_client import RetryPolicy
from maas_kl_client._batch import Job, JobSending, JobUpdate, Steps, run
from maas_kl_client._errors import MaasKLError
from maas_kl_client._plans import Collect, Context, Plan, Send, Sleep, Start
from maas_kl_client._task import Task


def steps() -> Steps:
    """A create is one POST, a wait one GET that finds the task done: each job is two round trips."""

    def prepare(job: Job) -> tuple[str, dict[str, Any], bool]:
        return "text2video", {**job.request, "external_task_id": f"key-{job.request['n']}"}, True

    def create(kind: str, body: dict[str, Any], maybe_sent: bool) -> Plan[Task]:
        data = yield Send("POST", "/create", body)
        if isinstance(data, MaasKLError):
            raise data
        return Task.from_data(data)

    def wait(kind: str, task_id: str, first: Task | None) -> Plan[Task]:
        data = yield Send("GET", f"/tasks/{task_id}")
        if isinstance(data, MaasKLError):
            raise data
        return Task.from_data(data)

    return Steps(prepare=prepare, create=create, wait=wait, is_account_full=lambda _: False)


def creates_per_round(count: int, **options: Any) -> list[int]:
    """Drive a batch whose every request is answered at the next Collect; count the POSTs each round started."""
    jobs = [Job("text2video", {"prompt": f"p{n}", "n": n}) for n in range(count)]
    ctx = Context(retry=RetryPolicy(), now=lambda: 0.0, random=lambda: 0.5)
    plan = run(jobs, steps=steps(), ctx=ctx, **options)
    started: list[tuple[int, Send]] = []
    announced: set[int] = set()
    rounds: list[int] = []
    reply: Any = None
    try:
        action = next(plan)
        while True:
            reply = None
            if isinstance(action, JobUpdate) and isinstance(action.event, JobSending):
                announced.add(action.index)
            elif isinstance(action, Start):
                if action.send.method == "POST":
                    assert action.ticket in announced  # the journal heard of it before it was started
                started.append((action.ticket, action.send))
            elif isinstance(action, Collect):
                rounds.append(sum(1 for _, send in started if send.method == "POST"))
                reply = [(ticket, answer(ticket, send)) for ticket, send in started]
                started = []
            else:
                assert not isinstance(action, Send | Sleep)  # a batch starts its requests, never sends inline
            action = plan.send(reply)
    except StopIteration as done:
        results = done.value
    assert all(r.task is not None and r.error is None for r in results)
    return rounds


def answer(ticket: int, send: Send) -> dict[str, Any]:
    status = "submitted" if send.method == "POST" else "succeed"
    return {"task_id": f"task-{ticket}", "task_status": status, "created_at": 0, "updated_at": 1000}


def test_while_the_limit_is_unknown_creates_double_per_round_trip_when_overlapping() -> None:
    assert creates_per_round(15, max_in_flight=None, overlapping=True) == [1, 2, 4, 8, 0]


def test_without_overlap_one_create_is_under_way_at_a_time() -> None:
    assert creates_per_round(5, max_in_flight=None, overlapping=False) == [1, 1, 1, 1, 1, 0]


def test_a_given_limit_starts_that_many_creates_at_once() -> None:
    assert creates_per_round(8, max_in_flight=4, overlapping=True) == [4, 0, 4, 0]

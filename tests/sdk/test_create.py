"""Exactly-once creates: every fault after the service stored the task still leaves exactly one task."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from maas_kl_client import (
    APIConnectionError,
    CreateOutcomeUnknown,
    InvalidRequestError,
    MalformedResponseError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    task_external_id,
)

from .fakes import FAULTS_AFTER_STORE, FakeClock, FakeService, async_client, sync_client


@pytest.mark.parametrize("fault", FAULTS_AFTER_STORE)
@pytest.mark.parametrize("kind", ["text2video", "image2video"])
def test_fault_after_store_yields_exactly_one_task(fault: str, kind: str) -> None:
    service = FakeService(post_faults=[fault])
    client = sync_client(service.handler)
    fields = {"prompt": "A dog"} if kind == "text2video" else {"image": "https://example.com/a.png"}
    task = client.resource(kind).create_from(fields)
    assert service.count() == 1
    assert task.task_id in service.tasks
    posts = [r for r in service.requests if r.method == "POST"]
    assert len(posts) == 1  # recovered by query, never resent
    assert service.requests[1].url.path.endswith(task_external_id(task) or "?")


@pytest.mark.parametrize("fault", FAULTS_AFTER_STORE)
def test_fault_after_store_async(fault: str) -> None:
    service = FakeService(post_faults=[fault])

    async def run() -> None:
        async with async_client(service.handler) as client:
            await client.text2video.create(prompt="A dog")

    asyncio.run(run())
    assert service.count() == 1


@pytest.mark.parametrize("fault", FAULTS_AFTER_STORE)
def test_every_fault_twice_in_a_row_still_one_task(fault: str) -> None:
    # The create is lost, then the first recovery query fails the same way.
    service = FakeService(post_faults=[fault], get_faults=[fault])
    task = sync_client(service.handler).text2video.create(prompt="A dog")
    assert service.count() == 1
    assert task.task_id in service.tasks


def test_unknown_outcome_not_stored_is_resent_once() -> None:
    # Timeout with nothing stored: the query says 1203, so sending again is safe.
    service = FakeService()
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and calls["n"] == 0:
            calls["n"] += 1
            raise httpx.ReadTimeout("lost", request=request)
        return service.handler(request)

    task = sync_client(handler).text2video.create(prompt="A dog")
    assert service.count() == 1
    assert task.task_id in service.tasks
    methods = [r.method for r in service.requests]
    assert methods == ["GET", "POST"]


def test_rate_limit_before_store_is_retried_with_retry_after() -> None:
    service = FakeService(post_faults=["http429_1303", "http429_1303"])
    clock = FakeClock()
    sync_client(service.handler, clock).text2video.create(prompt="A dog")
    assert service.count() == 1
    assert clock.sleeps == [3.0, 3.0]
    assert [r.method for r in service.requests] == ["POST", "POST", "POST"]


def test_caller_external_task_id_is_kept_and_sdk_assigns_one_otherwise() -> None:
    service = FakeService()
    client = sync_client(service.handler, external_id_factory=lambda: "sdk-made-1")
    mine = client.text2video.create(prompt="A", external_task_id="my-job-0001")
    theirs = client.text2video.create(prompt="B")
    assert task_external_id(mine) == "my-job-0001"
    assert task_external_id(theirs) == "sdk-made-1"
    sent = [json.loads(r.content)["external_task_id"] for r in service.requests]
    assert sent == ["my-job-0001", "sdk-made-1"]


def test_late_landing_create_is_found_after_a_refused_resend() -> None:
    # The first POST times out and is not visible yet; the resend is refused as a duplicate
    # external_task_id, because the first landed meanwhile. The SDK looks again and finds it.
    service = FakeService()
    state = {"posts": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            state["posts"] += 1
            if state["posts"] == 1:
                raise httpx.ReadTimeout("lost", request=request)
            if state["posts"] == 2:  # the first create lands now, just before the resend
                body = json.loads(request.content)
                service.tasks["42"] = {"kind": "text2video", "ext": body["external_task_id"], "body": body, "polls": 0}
        return service.handler(request)

    task = sync_client(handler).text2video.create(prompt="A dog")
    assert task.task_id == "42"
    assert service.count() == 1


@pytest.mark.parametrize("fault", FAULTS_AFTER_STORE)
def test_extension_with_unknown_outcome_is_not_resent(fault: str) -> None:
    service = FakeService(post_faults=[fault])
    with pytest.raises(CreateOutcomeUnknown, match="not resent") as caught:
        sync_client(service.handler).video_extend.create(video_id="51bc9fb8-8068-44af-9e35-121212")
    assert caught.value.external_task_id is None
    assert caught.value.kind == "video_extend"
    assert isinstance(caught.value.__cause__, ServerError | APIConnectionError | MalformedResponseError)
    assert service.count() == 1
    assert [r.method for r in service.requests] == ["POST"]
    assert "external_task_id" not in json.loads(service.requests[0].content)


@pytest.mark.parametrize("fault", ["http429_1303", "connect"])
def test_extension_definitely_not_created_is_retried(fault: str) -> None:
    service = FakeService(post_faults=[fault])
    sync_client(service.handler).video_extend.create(video_id="v1", prompt="more")
    assert service.count() == 1
    assert [r.method for r in service.requests] == ["POST", "POST"]


def test_recovery_that_keeps_failing_raises_create_outcome_unknown_with_the_id() -> None:
    service = FakeService(post_faults=["timeout"], get_faults=["http500"] * 10)
    with pytest.raises(CreateOutcomeUnknown) as caught:
        sync_client(service.handler, retry=RetryPolicy(max_attempts=3, jitter=0.0)).text2video.create(
            prompt="A", external_task_id="job-9"
        )
    assert caught.value.external_task_id == "job-9"
    assert "get('job-9')" in str(caught.value)
    assert service.count() == 1


def test_failing_lookup_after_a_refused_resend_is_create_outcome_unknown() -> None:
    # Unknown outcome, lookup says 1203, the resend is refused as a duplicate (the first landed late),
    # and the second lookup keeps failing: that must name the id, not surface as a bare ServerError.
    state = {"posts": 0, "gets": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            state["posts"] += 1
            if state["posts"] == 1:
                raise httpx.ReadTimeout("lost", request=request)
            return httpx.Response(400, json={"code": 1201, "message": "external_task_id already used"})
        state["gets"] += 1
        if state["gets"] == 1:
            return httpx.Response(404, json={"code": 1203, "message": "not found"})
        return httpx.Response(500, json={"code": 5000, "message": "boom"})

    client = sync_client(handler, retry=RetryPolicy(max_attempts=3, jitter=0.0))
    with pytest.raises(CreateOutcomeUnknown) as caught:
        client.text2video.create(prompt="A", external_task_id="job-7")
    assert caught.value.external_task_id == "job-7"


def test_refused_lookup_after_unknown_outcome_is_create_outcome_unknown() -> None:
    # S8: only CreateOutcomeUnknown may leave a create's outcome open. A lookup refused outright
    # (here 401, the key revoked mid-flight) must not surface as a bare AuthenticationError.
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            raise httpx.ReadTimeout("lost", request=request)
        return httpx.Response(401, json={"code": 1004, "message": "Token has expired", "request_id": "r"})

    with pytest.raises(CreateOutcomeUnknown, match="was refused") as caught:
        sync_client(handler).text2video.create(prompt="A", external_task_id="job-8")
    assert caught.value.external_task_id == "job-8"
    assert isinstance(caught.value.__cause__, APIConnectionError)


def test_invalid_request_is_raised_without_retry() -> None:
    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400, json={"code": 1201, "message": "camera_control is only supported ...", "request_id": "r"}
        )

    with pytest.raises(InvalidRequestError, match="camera_control"):
        sync_client(handler).text2video.create(prompt="A", preflight=False)


def test_rate_limit_exhausted_is_raised() -> None:
    service = FakeService(post_faults=["http429_1303"] * 10)
    with pytest.raises(RateLimitError):
        sync_client(service.handler, retry=RetryPolicy(max_attempts=2, jitter=0.0)).text2video.create(prompt="A")
    assert service.count() == 0

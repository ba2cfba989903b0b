"""Exactly-once creates through the clients: every fault after the mock stored the task still leaves one task.

The protocol's branches (lookup before resend, late landings, failing lookups) are driven directly
in test_plans.py; here the real drivers turn transport faults into the outcomes the plan reads.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from maas_kl_client import (
    APIConnectionError,
    CreateOutcomeUnknown,
    InvalidRequestError,
    MaasKL,
    MalformedResponseError,
    RateLimitError,
    RetryPolicy,
    ServerError,
)

from .fakes import FAULTS_AFTER_STORE, FakeClock, MockService, async_client, sync_client


@pytest.mark.parametrize("fault", FAULTS_AFTER_STORE)
@pytest.mark.parametrize("kind", ["text2video", "image2video"])
def test_fault_after_store_yields_exactly_one_task(fault: str, kind: str) -> None:
    service = MockService(post_faults=[fault])
    client = sync_client(service.handler)
    fields = {"prompt": "A dog"} if kind == "text2video" else {"image": "https://example.com/a.png"}
    task = client.resource(kind).create_from(fields)
    assert service.count() == 1
    assert task.task_id in service.ids()
    posts = [r for r in service.requests if r.method == "POST"]
    assert len(posts) == 1  # recovered by query, never resent
    assert service.requests[1].url.path.endswith(task.external_task_id or "?")


@pytest.mark.parametrize("fault", FAULTS_AFTER_STORE)
def test_fault_after_store_async(fault: str) -> None:
    service = MockService(post_faults=[fault])

    async def run() -> None:
        async with async_client(service.handler) as client:
            await client.text2video.create(prompt="A dog")

    asyncio.run(run())
    assert service.count() == 1


@pytest.mark.parametrize("fault", FAULTS_AFTER_STORE)
def test_every_fault_twice_in_a_row_still_one_task(fault: str) -> None:
    # The create is lost, then the first recovery query fails the same way.
    service = MockService(post_faults=[fault], get_faults=[fault])
    task = sync_client(service.handler).text2video.create(prompt="A dog")
    assert service.count() == 1
    assert task.task_id in service.ids()


def test_rate_limit_before_store_is_retried_with_retry_after() -> None:
    service = MockService(post_faults=["http429_1303", "http429_1303"])
    clock = FakeClock()
    sync_client(service.handler, clock).text2video.create(prompt="A dog")
    assert service.count() == 1
    assert clock.sleeps == [3.0, 3.0]
    assert [r.method for r in service.requests] == ["POST", "POST", "POST"]


def test_caller_external_task_id_is_kept_and_sdk_assigns_one_otherwise() -> None:
    service = MockService()
    client = sync_client(service.handler, external_id_factory=lambda: "sdk-made-1")
    mine = client.text2video.create(prompt="A", external_task_id="my-job-0001")
    theirs = client.text2video.create(prompt="B")
    assert mine.external_task_id == "my-job-0001"
    assert theirs.external_task_id == "sdk-made-1"
    sent = [json.loads(r.content)["external_task_id"] for r in service.requests]
    assert sent == ["my-job-0001", "sdk-made-1"]


def finished_video(service: MockService, client: MaasKL) -> str:
    """A video the mock can extend: create a task, let an hour of simulated time pass, read its video id."""
    task = client.text2video.create(prompt="A dog")
    service.clock.advance(3600)
    return client.text2video.get(task.task_id).videos[0].id


@pytest.mark.parametrize("fault", FAULTS_AFTER_STORE)
def test_extension_with_unknown_outcome_is_not_resent(fault: str) -> None:
    service = MockService()
    client = sync_client(service.handler)
    video_id = finished_video(service, client)
    service.requests.clear()
    service.post_faults.append(fault)
    with pytest.raises(CreateOutcomeUnknown, match="not resent") as caught:
        client.video_extend.create(video_id=video_id)
    assert caught.value.external_task_id is None
    assert caught.value.kind == "video_extend"
    assert isinstance(caught.value.__cause__, ServerError | APIConnectionError | MalformedResponseError)
    assert service.count() == 2  # the parent and the one extension
    assert [r.method for r in service.requests] == ["POST"]
    assert "external_task_id" not in json.loads(service.requests[0].content)


@pytest.mark.parametrize("fault", ["http429_1303", "connect"])
def test_extension_definitely_not_created_is_retried(fault: str) -> None:
    service = MockService()
    client = sync_client(service.handler)
    video_id = finished_video(service, client)
    service.requests.clear()
    service.post_faults.append(fault)
    client.video_extend.create(video_id=video_id, prompt="more")
    assert service.count() == 2
    assert [r.method for r in service.requests] == ["POST", "POST"]


def test_recovery_that_keeps_failing_raises_create_outcome_unknown_with_the_id() -> None:
    service = MockService(post_faults=["timeout"], get_faults=["http500"] * 10)
    with pytest.raises(CreateOutcomeUnknown) as caught:
        sync_client(service.handler, retry=RetryPolicy(max_attempts=3, jitter=0.0)).text2video.create(
            prompt="A", external_task_id="job-9"
        )
    assert caught.value.external_task_id == "job-9"
    assert "get('job-9')" in str(caught.value)
    assert service.count() == 1


def test_invalid_request_is_raised_without_retry() -> None:
    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400, json={"code": 1201, "message": "camera_control is only supported ...", "request_id": "r"}
        )

    with pytest.raises(InvalidRequestError, match="camera_control"):
        sync_client(handler).text2video.create(prompt="A", preflight=False)


def test_rate_limit_exhausted_is_raised() -> None:
    service = MockService(post_faults=["http429_1303"] * 10)
    with pytest.raises(RateLimitError):
        sync_client(service.handler, retry=RetryPolicy(max_attempts=2, jitter=0.0)).text2video.create(prompt="A")
    assert service.count() == 0

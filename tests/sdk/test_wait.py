"""Waiting for tasks: success with progress, failure with its reason, timeout, unknown statuses."""

from __future__ import annotations

import asyncio

import pytest
from maas_kl_client import PollSchedule, Task, TaskFailed, TaskStatus, TaskTimeout

from .fakes import FakeClock, Statuses, async_client, sync_client

SCHEDULE = PollSchedule(initial=2.0, multiplier=2.0, maximum=5.0)


def test_create_and_wait_reports_every_update_and_returns_the_video() -> None:
    service = Statuses(["submitted", "queued", "processing", "succeed"])
    clock = FakeClock()
    seen: list[str] = []
    client = sync_client(service.handler, clock, poll=SCHEDULE)
    task = client.text2video.create_and_wait(prompt="A dog", on_update=lambda t: seen.append(str(t.task_status)))
    assert task.task_status == TaskStatus.SUCCEED
    assert seen == ["submitted", "submitted", "queued", "processing", "succeed"]
    assert clock.sleeps == [2.0, 4.0, 5.0]
    assert task.videos[0].url.endswith(".mp4")


def test_failed_task_raises_task_failed_with_its_message() -> None:
    service = Statuses(["processing", "failed"])
    client = sync_client(service.handler, poll=SCHEDULE)
    with pytest.raises(TaskFailed, match="risk control") as caught:
        client.text2video.create_and_wait(prompt="A dog")
    assert caught.value.task_status_msg == "Failure to pass the risk control system"
    assert caught.value.task.task_status == TaskStatus.FAILED


def test_timeout_raises_task_timeout_and_never_waits_past_the_deadline() -> None:
    service = Statuses(["processing"])
    clock = FakeClock()
    client = sync_client(service.handler, clock, poll=SCHEDULE)
    created = client.text2video.create(prompt="A dog")
    start = clock.now
    with pytest.raises(TaskTimeout, match="still processing after 12 s") as caught:
        client.wait_for_task("text2video", created.task_id, timeout=12)
    assert clock.now - start == pytest.approx(12.0)
    assert clock.sleeps == [2.0, 4.0, 5.0, 1.0]
    assert caught.value.task is not None
    assert caught.value.task_id == created.task_id


def test_unknown_status_keeps_waiting() -> None:
    service = Statuses(["queued", "rendering", "succeed"])
    client = sync_client(service.handler, poll=SCHEDULE)
    created = client.image2video.create(image="https://example.com/a.png")
    updates: list[Task] = []
    task = client.image2video.wait(created.task_id, on_update=updates.append)
    assert [u.task_status.is_known for u in updates] == [False, False, True]
    assert task.task_status == TaskStatus.SUCCEED


def test_async_wait_paths() -> None:
    service = Statuses(["processing", "succeed"])
    failing = Statuses(["failed"])

    async def run() -> None:
        async with async_client(service.handler, poll=SCHEDULE) as client:
            task = await client.text2video.create_and_wait(prompt="A dog", timeout=60)
            assert task.task_status == TaskStatus.SUCCEED
        async with async_client(failing.handler, poll=SCHEDULE) as client:
            with pytest.raises(TaskFailed):
                await client.text2video.create_and_wait(prompt="A dog")
        stuck = Statuses(["processing"])
        async with async_client(stuck.handler, poll=SCHEDULE) as client:
            created = await client.video_extend.create(video_id="v1")
            with pytest.raises(TaskTimeout):
                await client.video_extend.wait(created.task_id, timeout=3)

    asyncio.run(run())


def test_unknown_kind_is_refused() -> None:
    client = sync_client(Statuses().handler)
    with pytest.raises(ValueError, match="Unknown task kind 'text2image'"):
        client.wait_for_task("text2image", "1")

"""client.batch on the in-process mock with a manual clock: limits, faults, exactly-once, interruption."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
import orjson
import pytest
from maas_kl_client import (
    AsyncMaasKL,
    BatchInterrupted,
    InvalidJobs,
    Job,
    JobResult,
    JobUpdate,
    MaasKL,
    PreflightError,
    RetryPolicy,
)
from maas_kl_client._batch import status_of
from maas_kl_mock import Lifecycle
from maas_kl_mock.pytest_plugin import MockFixture

BASE = "http://127.0.0.1:4010"
LIMIT = 3
AFTER_STORE_FAULTS = ["500", "503", "504", "reset", "truncate"]


def sync_client(mock: MockFixture) -> MaasKL:
    http = httpx.Client(transport=mock.transport())
    return MaasKL(
        api_key="test-key", endpoint_path="default", base_url=BASE, http_client=http, clock=mock.clock,
        random=lambda: 0.5,  # no jitter: the run is the same every time
    )  # fmt: skip


def source_videos(client: MaasKL, mock: MockFixture, count: int) -> list[str]:
    """Succeeded V1 videos to extend, made before the faults are switched on."""
    tasks = [client.text2video.create(prompt=f"source {i}", model_name="kling-v1") for i in range(count)]
    mock.finish_all()
    return [client.text2video.get(t.task_id).videos[0].id for t in tasks]


def sixty_jobs(videos: list[str]) -> list[Any]:
    jobs: list[Any] = []
    for i in range(60):
        if i % 3 == 0:
            jobs.append(("text2video", {"prompt": f"job {i}"}))
        elif i % 3 == 1:
            jobs.append(Job("image2video", {"image": f"https://example.com/{i}.png", "prompt": f"job {i}"}))
        else:
            jobs.append({"family": "video_extend", "video_id": videos[i % len(videos)], "prompt": f"job {i}"})
    return jobs


def concurrency_at_creates(mock: MockFixture, tasks: list[Any]) -> int:
    """The mock's own count of unfinished tasks at each create, the created one included; the largest."""
    return max(sum(1 for o in tasks if o.created_at <= t.created_at < o.finished_at) for t in tasks)


def account_full_answers(mock: MockFixture) -> Counter[str]:
    """1303 refusals per create body (its prompt names the job)."""
    return Counter(
        orjson.loads(c.request.body)["prompt"]
        for c in mock.calls
        if c.request.method == "POST" and c.response.status == 429 and c.json().get("code") == 1303
    )


def check_exactly_once(results: list[JobResult], created: list[Any]) -> None:
    external = Counter(t.external_task_id for t in created if t.external_task_id is not None)
    assert max(external.values()) == 1  # no text or image job produced two tasks
    task_ids = [r.task_id for r in results if r.task_id is not None]
    assert len(task_ids) == len(set(task_ids))
    assert {t.task_id for t in created} >= set(task_ids)
    stray = {t.task_id for t in created} - set(task_ids)
    # A task no result names can only come from an extension whose create outcome stayed unknown.
    unknown = sum(1 for r in results if r.error is not None and type(r.error).__name__ == "CreateOutcomeUnknown")
    assert len(stray) <= unknown


@pytest.mark.maas_kl_mock(concurrency_limit=LIMIT, record_calls=None)
def test_sixty_jobs_under_faults_and_limits_end_once_each(maas_kl_mock: MockFixture) -> None:
    mock = maas_kl_mock
    with sync_client(mock) as client:
        videos = source_videos(client, mock, LIMIT)
        seeded = {t.task_id for t in mock.store.tasks()}
        mock.set_faults(rate=0.2, seed=7, kinds=AFTER_STORE_FAULTS, after_store=0.5, rate_limit="4/1", retry_after=1)
        updates: list[JobUpdate] = []
        results = client.batch(sixty_jobs(videos), on_update=updates.append)

    assert [r.index for r in results] == list(range(60))
    assert all(r.finished for r in results)
    assert sum(1 for u in updates if u.result is not None) == 60  # exactly one result per job reported
    created = [t for t in mock.store.tasks() if t.task_id not in seeded]
    check_exactly_once(results, created)
    assert concurrency_at_creates(mock, created) <= LIMIT
    assert max(account_full_answers(mock).values(), default=0) <= 1
    assert Counter(c.json().get("code") for c in mock.calls if c.response.status == 429)[1302] > 0  # the limit bit
    assert mock.faults.injected  # faults did strike
    succeeded = [r for r in results if r.task is not None and str(r.task.task_status) == "succeed"]
    assert len(succeeded) >= 50  # the faults cost retries, not jobs (extensions may stay unknown)


@pytest.mark.maas_kl_mock(concurrency_limit=LIMIT, record_calls=None)
def test_learned_limit_costs_at_most_one_refusal_per_job(maas_kl_mock: MockFixture) -> None:
    with sync_client(maas_kl_mock) as client:
        results = client.batch(
            [("text2video", {"prompt": f"p{i}"}) for i in range(12)], retry=RetryPolicy(max_attempts=1)
        )
    assert all(r.task is not None and r.error is None for r in results)  # no retries needed to wait for slots
    refusals = account_full_answers(maas_kl_mock)
    assert refusals  # the limit was learned from a refusal ...
    assert max(refusals.values()) == 1  # ... and no job met a second one (later ones probe for more room)
    assert sum(refusals.values()) <= 4
    assert concurrency_at_creates(maas_kl_mock, maas_kl_mock.store.tasks()) <= LIMIT


@pytest.mark.maas_kl_mock(concurrency_limit=10, record_calls=None)
def test_max_in_flight_bounds_unfinished_tasks(maas_kl_mock: MockFixture) -> None:
    with sync_client(maas_kl_mock) as client:
        client.batch([("image2video", {"image": "https://example.com/a.png"})] * 9, max_in_flight=2)
    assert concurrency_at_creates(maas_kl_mock, maas_kl_mock.store.tasks()) <= 2
    assert not account_full_answers(maas_kl_mock)


@pytest.mark.maas_kl_mock(concurrency_limit=LIMIT, record_calls=None)
def test_interrupted_batch_resumes_without_creating_twice(maas_kl_mock: MockFixture) -> None:
    mock = maas_kl_mock
    jobs = [("text2video", {"prompt": f"p{i}"}) for i in range(10)]
    mock.set_faults(rate=0.2, seed=3, kinds=AFTER_STORE_FAULTS, after_store=1.0)
    sent_before_stop: list[int] = []

    def stop_after_three(update: JobUpdate) -> None:
        if update.result is not None:
            sent_before_stop.append(update.index)
            if len(sent_before_stop) == 3:
                raise KeyboardInterrupt

    with sync_client(mock) as client:
        with pytest.raises(BatchInterrupted, match="resume=") as caught:
            client.batch(jobs, on_update=stop_after_three)
        partial = caught.value.results
        running = [r for r in partial if r.sent and not r.finished]
        untouched = [r for r in partial if not r.sent]
        assert running  # the stop came with tasks in flight ...
        assert untouched  # ... and jobs never sent
        assert all(r.external_task_id is not None for r in running)
        stored_at_stop = len(mock.store.tasks())
        assert stored_at_stop < len(jobs)  # un-sent jobs sent nothing
        results = client.batch(jobs, resume=partial)
    assert all(r.task is not None and str(r.task.task_status) == "succeed" for r in results)
    tasks = mock.store.tasks()
    assert len(tasks) == len(jobs)
    assert sorted(r.task_id for r in results if r.task_id) == sorted(t.task_id for t in tasks)


def test_jobs_are_checked_before_anything_is_sent(maas_kl_mock: MockFixture) -> None:
    jobs = [("text2video", {"prompt": "ok"}), ("text2audio", {"prompt": "x"}), ("text2video", {"duration": "7"})]
    jobs += [("text2video", {"prompt": "fine"}), "not a job"]  # type: ignore[list-item]
    with sync_client(maas_kl_mock) as client, pytest.raises(InvalidJobs) as refused:
        client.batch(jobs)
    assert [index for index, _ in refused.value.problems] == [1, 2, 4]
    assert "Unknown family 'text2audio'" in str(refused.value.problems[0][1])
    assert isinstance(refused.value.problems[1][1], PreflightError)
    assert "job 2: PreflightError" in str(refused.value)
    assert not maas_kl_mock.calls  # nothing sent, not even the valid job before the bad one


def test_skip_invalid_records_bad_jobs_and_runs_the_rest(maas_kl_mock: MockFixture) -> None:
    with sync_client(maas_kl_mock) as client:
        results = client.batch([("text2audio", {"prompt": "x"}), ("text2video", {"prompt": "ok"})], skip_invalid=True)
    assert "Unknown family 'text2audio'" in str(results[0].error)
    assert status_of(results[0]) == "invalid"
    assert results[0].task is None
    assert not results[0].sent
    assert results[1].task is not None


@pytest.mark.maas_kl_mock(
    concurrency_limit=4, lifecycle=Lifecycle(processing_seconds=60.0, spread=0.3, scale=(("pro", 2.0),))
)
def test_async_batch_downloads_each_video_and_awaits_callbacks(maas_kl_mock: MockFixture, tmp_path: Any) -> None:
    seen: list[int] = []

    async def note(update: JobUpdate) -> None:
        await asyncio.sleep(0)
        if update.result is not None:
            seen.append(update.index)

    async def run() -> list[JobResult]:
        http = httpx.AsyncClient(transport=maas_kl_mock.async_transport())
        async with AsyncMaasKL(
            api_key="k", endpoint_path="default", base_url=BASE, http_client=http, clock=maas_kl_mock.clock
        ) as client:
            jobs = [("text2video", {"prompt": f"p{i}", "mode": "pro" if i % 2 else "std"}) for i in range(6)]
            return await client.batch(jobs, on_update=note, download_to=tmp_path)

    results = asyncio.run(run())
    assert sorted(seen) == list(range(6))
    assert all(r.task is not None for r in results)
    assert len(list(tmp_path.iterdir())) == 6

"""The async client.batch overlaps its jobs' requests on the event loop, within its limit, creating each job once."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from maas_kl_client import AsyncMaasKL, BatchInterrupted, JobResult, MaasKL
from maas_kl_mock.pytest_plugin import MockFixture

BASE = "http://127.0.0.1:4010"


class InFlight(httpx.AsyncBaseTransport):
    """The in-process mock behind a network that takes a few loop turns per request; counts requests in flight."""

    def __init__(self, mock: MockFixture, journal: Path | None = None) -> None:
        self.inner = mock.async_transport()
        self.journal = journal
        self.now = 0
        self.peak = 0
        self.creates: Counter[str] = Counter()
        self.unjournaled: list[str] = []
        self.on_create: Any = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            if request.method == "POST":
                key = str(orjson.loads(request.content).get("external_task_id"))
                self.creates[key] += 1
                if self.journal is not None and key not in self.journal.read_text():
                    self.unjournaled.append(key)  # sent before the journal held its recovery key
                if self.on_create is not None:
                    self.on_create()
            for _ in range(3):  # a round trip: other requests may start meanwhile
                await asyncio.sleep(0)
            return await self.inner.handle_async_request(request)
        finally:
            self.now -= 1


def jobs(count: int) -> list[tuple[str, dict[str, str]]]:
    return [("text2video", {"prompt": f"job {i}"}) for i in range(count)]


def run_async(mock: MockFixture, transport: InFlight, count: int, **options: Any) -> list[JobResult]:
    async def go() -> list[JobResult]:
        http = httpx.AsyncClient(transport=transport)
        async with AsyncMaasKL(
            api_key="k", endpoint_path="default", base_url=BASE, http_client=http, clock=mock.clock, random=lambda: 0.5
        ) as client:
            return await client.batch(jobs(count), **options)

    return asyncio.run(go())


def check_once_each(results: list[JobResult], transport: InFlight, mock: MockFixture, count: int) -> None:
    assert [r.index for r in results] == list(range(count))
    assert all(r.task is not None and r.error is None and str(r.task.task_status) == "succeed" for r in results)
    made = Counter(t.external_task_id for t in mock.store.tasks())
    assert len(made) == count
    assert set(made.values()) == {1}  # one task per job
    assert sorted(str(r.task_id) for r in results) == sorted(t.task_id for t in mock.store.tasks())
    assert {r.external_task_id for r in results} == set(made) == set(transport.creates)


@pytest.mark.maas_kl_mock(concurrency_limit=20, record_calls=None)
def test_async_batch_has_several_requests_in_flight_never_more_than_its_limit(
    maas_kl_mock: MockFixture, tmp_path: Path
) -> None:
    journal = tmp_path / "run.jsonl"
    transport = InFlight(maas_kl_mock, journal)
    results = run_async(maas_kl_mock, transport, 12, max_in_flight=4, journal=journal)
    assert 1 < transport.peak <= 4  # overlapped, within max_in_flight (a job has one request at a time)
    check_once_each(results, transport, maas_kl_mock, 12)
    assert set(transport.creates.values()) == {1}  # and one POST each: no limit met, nothing re-sent
    assert not transport.unjournaled  # every recovery key was on disk before its create left


@pytest.mark.maas_kl_mock(concurrency_limit=20, record_calls=None)
def test_async_batch_ramps_its_creates_up_while_the_limit_is_unknown(maas_kl_mock: MockFixture) -> None:
    transport = InFlight(maas_kl_mock)
    results = run_async(maas_kl_mock, transport, 16)
    assert transport.peak > 2  # more than the one create (and one poll) the sync batch allows
    check_once_each(results, transport, maas_kl_mock, 16)
    assert set(transport.creates.values()) == {1}


@pytest.mark.maas_kl_mock(concurrency_limit=3, record_calls=None)
def test_async_batch_learns_the_limit_with_creates_in_flight(maas_kl_mock: MockFixture) -> None:
    transport = InFlight(maas_kl_mock)
    results = run_async(maas_kl_mock, transport, 12)
    check_once_each(results, transport, maas_kl_mock, 12)
    refusals = Counter(
        orjson.loads(c.request.body)["prompt"]
        for c in maas_kl_mock.calls
        if c.request.method == "POST" and c.response.status == 429 and c.json().get("code") == 1303
    )
    assert refusals  # the limit was learned from refusals ...
    assert max(refusals.values()) == 1  # ... and each job met at most one
    tasks = maas_kl_mock.store.tasks()
    assert max(sum(1 for o in tasks if o.created_at <= t.created_at < o.finished_at) for t in tasks) <= 3


@pytest.mark.maas_kl_mock(concurrency_limit=20, record_calls=None)
def test_cancelled_async_batch_with_requests_in_flight_resumes_without_creating_twice(
    maas_kl_mock: MockFixture,
) -> None:
    transport = InFlight(maas_kl_mock)

    async def go() -> tuple[list[JobResult], list[JobResult]]:
        http = httpx.AsyncClient(transport=transport)
        async with AsyncMaasKL(
            api_key="k", endpoint_path="default", base_url=BASE, http_client=http, clock=maas_kl_mock.clock
        ) as client:
            running = asyncio.ensure_future(client.batch(jobs(10), max_in_flight=6))
            transport.on_create = lambda: len(transport.creates) == 5 and running.cancel()
            with pytest.raises(BatchInterrupted) as caught:
                await running
            transport.on_create = None
            partial = caught.value.results
            return partial, await client.batch(jobs(10), resume=partial)

    partial, results = asyncio.run(go())
    assert any(r.sent and not r.finished for r in partial)  # stopped with creates or polls in flight
    assert any(not r.sent for r in partial)
    check_once_each(results, transport, maas_kl_mock, 10)


@pytest.mark.maas_kl_mock(concurrency_limit=20, record_calls=None)
def test_sync_batch_creates_each_job_once_through_start_and_collect(maas_kl_mock: MockFixture) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        return maas_kl_mock.transport().handle_request(request)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    with MaasKL(api_key="k", endpoint_path="default", base_url=BASE, http_client=http, clock=maas_kl_mock.clock) as c:
        results = c.batch(jobs(6))
    assert all(r.task is not None and r.error is None for r in results)
    assert seen.count("POST") == 6

"""Backoff schedules, jitter, Retry-After and deadlines, with an injected clock: nothing sleeps."""

from __future__ import annotations

import email.utils

import httpx
import pytest
from maas_kl_client import RateLimitError, RetryPolicy, ServerError

from .fakes import FakeClock, MockService, envelope, error_response, sync_client


def _flaky(failures: list[httpx.Response]) -> tuple[list[httpx.Request], object]:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if failures:
            return failures.pop(0)
        return httpx.Response(
            200, json=envelope({"task_id": "1", "task_status": "processing", "created_at": 1, "updated_at": 1})
        )

    return calls, handler


def test_exponential_backoff_schedule_without_jitter() -> None:
    clock = FakeClock()
    calls, handler = _flaky([error_response(500, 5000)] * 4)
    task = sync_client(handler, clock).text2video.get("1")  # type: ignore[arg-type]
    assert task.task_id == "1"
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0]
    assert len(calls) == 5


def test_jitter_spreads_each_delay_within_its_band() -> None:
    policy = RetryPolicy(initial_delay=1.0, multiplier=2.0, max_delay=8.0, jitter=0.25)
    assert policy.backoff(1, lambda: 0.0) == 0.75
    assert policy.backoff(1, lambda: 0.999999) == pytest.approx(1.25, abs=1e-5)
    assert policy.backoff(3, lambda: 0.5) == 4.0
    assert policy.backoff(10, lambda: 0.5) == 8.0  # capped


def test_retry_after_seconds_is_honoured_over_backoff() -> None:
    clock = FakeClock()
    calls, handler = _flaky([error_response(429, 1302, headers={"Retry-After": "7"})])
    sync_client(handler, clock).text2video.get("1")  # type: ignore[arg-type]
    assert clock.sleeps == [7.0]
    assert len(calls) == 2


def test_retry_after_http_date_is_honoured() -> None:
    clock = FakeClock()
    when = email.utils.formatdate(clock.time() + 12, usegmt=True)
    _calls, handler = _flaky([error_response(503, 5001, headers={"Retry-After": when})])
    sync_client(handler, clock).text2video.get("1")  # type: ignore[arg-type]
    assert clock.sleeps == [pytest.approx(12.0, abs=1.0)]


def test_retry_after_longer_than_the_cap_raises_instead_of_waiting() -> None:
    clock = FakeClock()
    calls, handler = _flaky([error_response(429, 1303, headers={"Retry-After": "3600"})])
    with pytest.raises(RateLimitError) as caught:
        sync_client(handler, clock).text2video.get("1")  # type: ignore[arg-type]
    assert caught.value.retry_after == 3600
    assert clock.sleeps == []
    assert len(calls) == 1


def test_total_deadline_stops_retrying() -> None:
    clock = FakeClock()
    calls, handler = _flaky([error_response(500, 5000)] * 10)
    policy = RetryPolicy(max_attempts=10, initial_delay=1.0, jitter=0.0, deadline=5.0)
    with pytest.raises(ServerError):
        sync_client(handler, clock, retry=policy).text2video.get("1")  # type: ignore[arg-type]
    # 1 + 2 = 3 s spent; the next wait (4 s) would end past the 5 s deadline.
    assert clock.sleeps == [1.0, 2.0]
    assert len(calls) == 3


def test_max_retries_zero_means_one_attempt() -> None:
    calls, handler = _flaky([error_response(500, 5000)])
    with pytest.raises(ServerError):
        sync_client(handler, max_retries=0).text2video.get("1")  # type: ignore[arg-type]
    assert len(calls) == 1


def test_non_retryable_errors_are_not_retried() -> None:
    service = MockService()
    clock = FakeClock()
    with pytest.raises(Exception, match="Task not found"):
        sync_client(service.handler, clock).text2video.get("missing")
    assert clock.sleeps == []
    assert len(service.requests) == 1


def test_connection_errors_and_timeouts_are_retried_for_queries() -> None:
    service = MockService()
    clock = FakeClock()
    client = sync_client(service.handler, clock)
    created = client.text2video.create(prompt="A dog")
    service.get_faults += ["connect", "timeout", "reset"]
    task = client.text2video.get(created.task_id)
    assert task.task_id == created.task_id
    assert clock.sleeps == [1.0, 2.0, 4.0]


HTTP_DATE = "Wed, 21 Oct 2015 07:28:00 GMT"  # 1445412480 in Unix seconds
HTTP_DATE_EPOCH = 1_445_412_480.0


@pytest.mark.parametrize(
    ("value", "now", "expected"),
    [
        ("0", 0.0, 0.0),
        ("2.5", 0.0, 2.5),
        ("-3", 0.0, 0.0),
        ("soon", 0.0, None),
        (None, 0.0, None),
        (HTTP_DATE, HTTP_DATE_EPOCH - 30, 30.0),  # the spec's other form (D26): a date 30 s ahead
        (HTTP_DATE, HTTP_DATE_EPOCH + 5, 0.0),  # a date already past means now
    ],
)
def test_parse_retry_after(value: str | None, now: float, expected: float | None) -> None:
    from maas_kl_client._retry import parse_retry_after  # noqa: PLC0415 - internal helper under test

    assert parse_retry_after(value, now) == expected


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="jitter"):
        RetryPolicy(jitter=1.5)

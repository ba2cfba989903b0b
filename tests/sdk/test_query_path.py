"""The query path's shortcuts (issue 22: SDK overhead) keep its behaviour: ids, envelopes, policies, events."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from maas_kl_client import APIError, RetryPolicy, ServerError
from maas_kl_client._plans import RequestSent, ResponseReceived, task_path

from .fakes import FakeClock, async_client, envelope, error_response, sync_client

TASK = {"task_id": "1", "task_status": "succeed", "created_at": 1, "updated_at": 2}


def test_task_path_quotes_exactly_what_quote_would_change() -> None:
    for point in range(0x2FF):
        char = chr(point)
        expected = quote(char, safe="") if char != "." else "%2E"
        assert task_path("/t/{id}", char) == f"/t/{expected}", repr(char)
    assert task_path("/t/{id}", "my-job_0001.v2~x") == "/t/my-job_0001.v2~x"
    assert task_path("/t/{id}", "..") == "/t/%2E%2E"


def test_a_get_sends_an_odd_id_escaped_and_a_plain_id_as_it_is() -> None:
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.raw_path.decode())
        return httpx.Response(200, json=envelope(TASK))

    client = sync_client(handler)
    client.text2video.get("a/b c?")
    client.text2video.get("my-job_0001")
    assert [p.rsplit("/", 1)[1] for p in paths] == ["a%2Fb%20c%3F", "my-job_0001"]


@pytest.mark.parametrize("code", [False, 0.0, "0", None])
def test_only_an_integer_zero_code_is_a_success(code: Any) -> None:
    body = {"code": code, "message": "odd", "request_id": "req-1", "data": TASK}
    client = sync_client(lambda _: httpx.Response(200, json=body))
    with pytest.raises(APIError):
        client.text2video.get("1")


def test_a_retry_policy_set_after_a_query_governs_the_next_one() -> None:
    failures = [error_response(500, 5000)] * 3

    def handler(_: httpx.Request) -> httpx.Response:
        return failures.pop(0) if failures else httpx.Response(200, json=envelope(TASK))

    clock = FakeClock()
    client = sync_client(handler, clock, retry=RetryPolicy(max_attempts=1))
    with pytest.raises(ServerError):
        client.text2video.get("1")
    client.retry = RetryPolicy(max_attempts=3, initial_delay=1.0, jitter=0.0)
    assert client.text2video.get("1").task_id == "1"
    assert clock.sleeps == [1.0, 2.0]
    assert client.with_options(max_retries=0).retry.max_attempts == 1


def test_a_query_tells_its_listeners_even_when_the_client_has_none() -> None:
    events: list[object] = []
    client = sync_client(lambda _: httpx.Response(200, json=envelope(TASK)))
    client.text2video.get("1")  # no listener: nothing to hear
    client.text2video.get("1", on_event=events.append)
    assert [type(e) for e in events] == [RequestSent, ResponseReceived]


def test_an_async_query_answers_without_listeners_and_with_them() -> None:
    events: list[object] = []

    async def run() -> tuple[str, str]:
        async with async_client(lambda _: httpx.Response(200, json=envelope(TASK))) as client:
            quiet = await client.text2video.get("1")
            heard = await client.text2video.get("1", on_event=events.append)
            return quiet.task_status, heard.task_status

    assert asyncio.run(run()) == ("succeed", "succeed")
    assert [type(e) for e in events] == [RequestSent, ResponseReceived]

"""What the Stainless SDKs have, through the public API on the mock: plain results, raw responses,
derived clients, events, logging from the environment, and aclose()."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
from maas_kl_client import (
    AsyncMaasKL,
    CreateOutcomeUnknown,
    MaasKL,
    NotFoundError,
    RawResponse,
    RetryPolicy,
    Task,
    TaskStatus,
    Video,
)
from maas_kl_client._plans import (
    PollScheduled,
    RecoveryLookup,
    RequestSent,
    ResponseReceived,
    RetryScheduled,
    TaskCreated,
    TaskUpdated,
)
from maas_kl_client.models import Text2VideoRequest
from maas_kl_mock.pytest_plugin import MockFixture

KEY = "sk-test-0123456789abcdef"


def client_on(mock: MockFixture, **options: Any) -> MaasKL:
    http = httpx.Client(transport=mock.transport(), **options.pop("http_options", {}))
    return MaasKL(
        api_key=KEY,
        endpoint_path="default",
        base_url="http://127.0.0.1:4010",
        http_client=http,
        clock=mock.clock,
        **options,
    )


def async_client_on(mock: MockFixture, **options: Any) -> AsyncMaasKL:
    http = httpx.AsyncClient(transport=mock.async_transport())
    return AsyncMaasKL(
        api_key=KEY,
        endpoint_path="default",
        base_url="http://127.0.0.1:4010",
        http_client=http,
        clock=mock.clock,
        **options,
    )


def test_a_task_reads_plainly_with_its_request_id(maas_kl_mock: MockFixture) -> None:
    with client_on(maas_kl_mock) as client:
        created = client.text2video.create(prompt="A dog", external_task_id="job-1")
        assert created.videos == []  # a list, empty while running
        assert created.external_task_id == "job-1"
        assert created.request_id
        assert created.status_message in {None, ""}
        done = client.text2video.wait(created.task_id)
    assert isinstance(done, Task)
    assert done.task_status == TaskStatus.SUCCEED
    assert isinstance(done.videos[0], Video)
    assert done.videos[0].url.startswith("http")
    assert done.request_id
    assert done.request_id != created.request_id
    assert done.to_dict()["task_id"] == done.task_id


def test_an_absent_external_task_id_is_none(maas_kl_mock: MockFixture) -> None:
    with client_on(maas_kl_mock) as client:
        parent = client.text2video.create_and_wait(prompt="A dog")
        extension = client.video_extend.create(video_id=parent.videos[0].id)
    assert extension.external_task_id is None


def test_errors_keep_the_request_id(maas_kl_mock: MockFixture) -> None:
    with client_on(maas_kl_mock) as client, pytest.raises(NotFoundError) as caught:
        client.text2video.get("no-such-task")
    assert caught.value.request_id


def test_the_model_and_mapping_forms_still_work(maas_kl_mock: MockFixture) -> None:
    with client_on(maas_kl_mock) as client:
        by_model = client.text2video.create(Text2VideoRequest(prompt="A dog"))
        by_mapping = client.text2video.create({"prompt": "A cat"}, duration="10")
        by_resource = client.resource("text2video").create_from({"prompt": "A bird"})
    assert {by_model.task_status, by_mapping.task_status, by_resource.task_status} <= set(TaskStatus)
    bodies = [json.loads(c.request.body) for c in maas_kl_mock.calls if c.request.method == "POST"]
    assert [b.get("prompt") for b in bodies] == ["A dog", "A cat", "A bird"]
    assert bodies[1]["duration"] == "10"


def test_raw_responses_show_status_headers_request_id_and_parse(maas_kl_mock: MockFixture) -> None:
    with client_on(maas_kl_mock) as client:
        raw = client.text2video.with_raw_response.create(prompt="A dog")
        assert isinstance(raw, RawResponse)
        assert raw.status_code == 200
        assert raw.headers["content-type"].startswith("application/json")
        assert raw.request_id
        assert raw.http_request.method == "POST"
        assert raw.http_request.url.path.endswith("/videos/text2video")
        task = raw.parse()
        assert isinstance(task, Task)
        assert task.request_id == raw.request_id
        fetched = client.text2video.with_raw_response.get(task.task_id)
        assert fetched.http_request.method == "GET"
        assert fetched.parse().task_id == task.task_id
        assert KEY not in repr(fetched)
        assert KEY not in repr(fetched.http_request.headers)


def test_with_options_derives_a_client_sharing_the_pool(maas_kl_mock: MockFixture) -> None:
    client = client_on(maas_kl_mock)
    derived = client.with_options(timeout=123, max_retries=0, preflight=False)
    assert derived._http is client._http  # the same connection pool
    assert derived.timeout.read == 123
    assert derived.retry.max_attempts == 1
    assert client.retry.max_attempts != 1  # the original keeps its settings
    assert derived.text2video._client is derived
    # preflight is off on the derived client only: a too-long prompt reaches the mock (and its 400).
    with pytest.raises(Exception, match="prompt") as caught:
        derived.text2video.create(prompt="x" * 3000)
    assert type(caught.value).__name__ == "InvalidRequestError"
    client.close()


def test_closing_a_derived_client_leaves_the_shared_pool_open() -> None:
    client = MaasKL(api_key=KEY, endpoint_path="default")
    derived = client.with_options(max_retries=1)
    derived.close()
    assert not client._http.is_closed
    client.close()
    assert client._http.is_closed


def test_events_per_client_and_per_call(maas_kl_mock: MockFixture) -> None:
    seen: list[object] = []
    mine: list[object] = []
    with client_on(maas_kl_mock, on_event=seen.append) as client:
        task = client.text2video.create_and_wait(prompt="A dog", on_event=mine.append)
        client.text2video.get(task.task_id)
    kinds = [type(e) for e in seen]
    assert kinds[:3] == [RequestSent, ResponseReceived, TaskCreated]
    assert TaskUpdated in kinds
    assert PollScheduled in kinds
    assert mine == seen[: len(mine)]  # the call's callback saw its own events, the client's saw all
    assert kinds[len(mine) :] == [RequestSent, ResponseReceived]  # the later get, seen by the client only
    answered = [e for e in seen if isinstance(e, ResponseReceived)]
    assert all(e.status_code == 200 and e.request_id for e in answered)


def test_events_report_retries_and_recovery_lookups(maas_kl_mock: MockFixture) -> None:
    seen: list[object] = []
    http_options = {"headers": {"Prefer": "code=503"}}
    with (
        client_on(
            maas_kl_mock, on_event=seen.append, http_options=http_options, retry=RetryPolicy(max_attempts=2)
        ) as client,
        pytest.raises(CreateOutcomeUnknown),
    ):  # every answer is a 503, the lookups' too
        client.text2video.create(prompt="A dog")
    retries = [e for e in seen if isinstance(e, RetryScheduled)]
    lookups = [e for e in seen if isinstance(e, RecoveryLookup)]
    assert retries
    assert retries[0].delay >= 0
    assert type(retries[0].reason).__name__ == "ServerError"
    assert lookups
    assert lookups[0].external_task_id.startswith("maaskl-")


def test_async_client_accepts_async_callbacks_and_acloses(maas_kl_mock: MockFixture) -> None:
    seen: list[str] = []

    async def on_event(event: object) -> None:
        await asyncio.sleep(0)
        seen.append(type(event).__name__)

    async def main() -> AsyncMaasKL:
        async with async_client_on(maas_kl_mock, on_event=on_event) as client:
            task = await client.text2video.create_and_wait(prompt="A dog")
            assert task.videos
            raw = await client.text2video.with_raw_response.get(task.task_id)
            assert raw.parse().videos == task.videos
        owned = AsyncMaasKL(api_key=KEY, endpoint_path="default")
        await owned.aclose()
        return owned

    owned = asyncio.run(main())
    assert owned._http.is_closed
    assert {"RequestSent", "ResponseReceived", "TaskCreated", "TaskUpdated"} <= set(seen)


def test_maas_kl_log_logs_without_the_key_or_url_signatures(maas_kl_mock: MockFixture, tmp_path: Path) -> None:
    """MAAS_KL_LOG=info|debug logs each call's events; neither the key nor a URL signature shows."""
    # MAAS_KL_LOG is read when the first client is built: each level runs in a fresh interpreter.
    del maas_kl_mock
    code = (
        "import httpx\n"
        "from maas_kl_client import MaasKL\n"
        "from maas_kl_mock import InProcessMock\n"
        "http = httpx.Client(transport=InProcessMock().transport())\n"
        f"c = MaasKL(api_key={KEY!r}, endpoint_path='default', base_url='http://127.0.0.1:4010', http_client=http)\n"
        "t = c.text2video.create(prompt='A dog')\n"
        "import maas_kl_client._logs as logs\n"
        "logs.logger.info('video %s', logs.redact_url('http://h/v.mp4?sig=SECRETSIG&exp=1'))\n"
        "logging = __import__('logging'); logging.getLogger('httpx').info('HTTP Request: GET %s', httpx.URL('http://h/v.mp4?sig=SECRETSIG'))\n"
    )
    for level, expected in (("info", "ResponseReceived"), ("debug", "RequestSent")):
        done = subprocess.run(
            [sys.executable, "-c", code],
            env={"MAAS_KL_LOG": level, "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp_path,
        )
        assert expected in done.stderr, done.stderr
        assert "sig=***" in done.stderr
        assert "SECRETSIG" not in done.stderr
        assert KEY not in done.stderr
    quiet = subprocess.run(
        [sys.executable, "-c", code], env={"PATH": ""}, capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert "ResponseReceived" not in quiet.stderr


def test_logging_is_silent_by_default() -> None:
    assert logging.getLogger("maas_kl_client").level in {logging.NOTSET, logging.WARNING}


def test_an_unknown_log_level_says_so_once() -> None:
    from maas_kl_client._logs import LogSettingWarning, configure  # noqa: PLC0415 - the module under test

    with pytest.warns(LogSettingWarning, match="MAAS_KL_LOG='verbose' is not a log level; use info or debug"):
        configure({"MAAS_KL_LOG": "verbose"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        configure({"MAAS_KL_LOG": "verbose"})  # once is enough
        configure({"MAAS_KL_LOG": ""})

"""Pickled SDK objects carry no key: tasks, their envelopes, TaskFailed and batch results (issue 24, point 6)."""

from __future__ import annotations

import pickle

import httpx
import pytest
from maas_kl_client import (
    APIConnectionError,
    CreateOutcomeUnknown,
    DownloadError,
    MaasKL,
    MaasKLError,
    PreflightError,
    TaskFailed,
    TaskTimeout,
)
from maas_kl_mock.pytest_plugin import MockFixture

KEY = "sk-pickle-secret-0123456789"


def _client(mock: MockFixture, *, prefer: str | None = None) -> MaasKL:
    headers = {"Prefer": prefer} if prefer else {}
    http = httpx.Client(transport=mock.transport(), headers=headers)
    return MaasKL(
        api_key=KEY, endpoint_path="default", base_url="http://127.0.0.1:4010", http_client=http, clock=mock.clock
    )


def _assert_keyless(value: object) -> None:
    data = pickle.dumps(value)
    assert KEY.encode() not in data
    pickle.loads(data)  # and it still round-trips


def test_a_pickled_task_and_its_envelope_hold_no_key(maas_kl_mock: MockFixture) -> None:
    with _client(maas_kl_mock) as client:
        task = client.text2video.create_and_wait(prompt="A dog")
    assert task.envelope.response is not None  # the live object keeps the response, for debugging
    _assert_keyless(task)
    _assert_keyless(task.envelope)
    copy = pickle.loads(pickle.dumps(task))
    assert copy == task
    assert copy.envelope.request_id == task.envelope.request_id
    assert copy.envelope.response is None


def test_a_pickled_task_failed_holds_no_key(maas_kl_mock: MockFixture) -> None:
    with _client(maas_kl_mock, prefer="scenario=fail") as client, pytest.raises(TaskFailed) as caught:
        client.text2video.create_and_wait(prompt="A dog")
    _assert_keyless(caught.value)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert copy.task_id == caught.value.task_id
    assert str(copy) == str(caught.value)


def test_pickled_batch_results_hold_no_key(maas_kl_mock: MockFixture) -> None:
    with _client(maas_kl_mock) as client:
        results = client.batch([("text2video", {"prompt": "A dog"}), ("text2video", {"prompt": "A cat"})])
    assert all(result.task is not None for result in results)
    _assert_keyless(results)


@pytest.mark.parametrize(
    "error",
    [
        APIConnectionError("connection refused", request_sent=False),
        CreateOutcomeUnknown("lost", kind="text2video", external_task_id="ext-1"),
        PreflightError([("prompt", "required")]),
        DownloadError("cut", retryable=True),
        TaskTimeout(None, task_id="t-1", timeout=3.0),
    ],
    ids=lambda error: type(error).__name__,
)
def test_every_error_with_keyword_fields_round_trips(error: MaasKLError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.__dict__ == error.__dict__


def test_a_pickled_raw_response_keeps_the_answer_and_drops_the_key(maas_kl_mock: MockFixture) -> None:
    with _client(maas_kl_mock) as client:
        raw = client.text2video.with_raw_response.create(prompt="A dog")
    assert raw.http_request.headers["authorization"] == f"Bearer {KEY}"
    _assert_keyless(raw)
    copy = pickle.loads(pickle.dumps(raw))
    assert (copy.status_code, copy.request_id) == (raw.status_code, raw.request_id)
    assert copy.parse() == raw.parse()
    assert copy.http_request.url == raw.http_request.url
    assert "authorization" not in copy.http_request.headers

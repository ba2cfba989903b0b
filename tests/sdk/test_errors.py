"""Every business code and HTTP failure raises the documented exception class, with its fields."""

from __future__ import annotations

import pickle

import httpx
import maas_kl_client as sdk
import pytest
from maas_kl_client import MaasKLError

from .fakes import FakeClock, error_response, sync_client

# The reference table (shared/reference/api-facts.md): status, code, class, retryable.
TABLE = [
    (401, 1000, sdk.AuthenticationError, False),
    (401, 1001, sdk.AuthenticationError, False),
    (401, 1002, sdk.AuthenticationError, False),
    (401, 1003, sdk.AuthenticationError, False),
    (401, 1004, sdk.AuthenticationError, False),
    (429, 1100, sdk.AccountError, False),
    (429, 1101, sdk.AccountError, False),
    (429, 1102, sdk.AccountError, False),
    (403, 1103, sdk.PermissionDeniedError, False),
    (400, 1200, sdk.InvalidRequestError, False),
    (400, 1201, sdk.InvalidRequestError, False),
    (404, 1202, sdk.NotFoundError, False),
    (404, 1203, sdk.NotFoundError, False),
    (400, 1300, sdk.ContentPolicyError, False),
    (400, 1301, sdk.ContentPolicyError, False),
    (429, 1302, sdk.RateLimitError, True),
    (429, 1303, sdk.RateLimitError, True),
    (429, 1304, sdk.PermissionDeniedError, False),
    (500, 5000, sdk.ServerError, True),
    (503, 5001, sdk.ServerError, True),
    (504, 5002, sdk.ServerError, True),
]


@pytest.mark.parametrize(("status", "code", "cls", "retryable"), TABLE)
def test_each_code_raises_its_class(status: int, code: int, cls: type[sdk.APIError], retryable: bool) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return error_response(status, code, f"message {code}")

    clock = FakeClock()
    client = sync_client(handler, clock)
    with pytest.raises(cls) as caught:
        client.text2video.get("859830423409475642")
    error = caught.value
    assert type(error) is cls
    assert (error.status_code, error.code, error.message, error.request_id) == (
        status,
        code,
        f"message {code}",
        f"req-{code}",
    )
    assert error.retryable is retryable
    assert len(calls) == (5 if retryable else 1)  # retryable ones exhaust FAST's 5 attempts
    assert f"code {code}" in str(error)
    assert f"req-{code}" in str(error)


def test_api_error_pickles_with_its_fields() -> None:
    error = sdk.RateLimitError("slow down", status_code=429, code=1302, request_id="r", retry_after=2.0)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.retryable, copy.retry_after, str(copy)) == (1302, True, 2.0, str(error))


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, sdk.InvalidRequestError),
        (401, sdk.AuthenticationError),
        (403, sdk.PermissionDeniedError),
        (404, sdk.NotFoundError),
        (429, sdk.RateLimitError),
        (502, sdk.ServerError),
        (418, sdk.APIError),
    ],
)
def test_unknown_code_falls_back_on_http_status(status: int, cls: type[sdk.APIError]) -> None:
    client = sync_client(lambda _r: error_response(status, 9999), retry=sdk.RetryPolicy(max_attempts=1))
    with pytest.raises(cls) as caught:
        client.text2video.get("1")
    assert type(caught.value) is cls


def test_html_gateway_page_is_a_server_error() -> None:
    client = sync_client(
        lambda _r: httpx.Response(502, text="<html>Bad gateway</html>"), retry=sdk.RetryPolicy(max_attempts=1)
    )
    with pytest.raises(sdk.ServerError, match="without a JSON error envelope") as caught:
        client.text2video.get("1")
    assert caught.value.status_code == 502
    assert caught.value.code is None


def test_non_zero_code_on_http_200_is_an_error() -> None:
    client = sync_client(lambda _r: error_response(200, 1203, "Task not found"))
    with pytest.raises(sdk.NotFoundError):
        client.text2video.get("1")


@pytest.mark.parametrize(
    "body",
    [b'{"code": 0, "data": {"task_', b"[1, 2]", b'{"code": 0, "message": "ok", "request_id": "r"}', b""],
)
def test_malformed_success_body_is_typed(body: bytes) -> None:
    client = sync_client(lambda _r: httpx.Response(200, content=body), retry=sdk.RetryPolicy(max_attempts=1))
    with pytest.raises(sdk.MalformedResponseError):
        client.text2video.get("1")


def test_connection_errors_and_timeouts_are_typed() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(sdk.APIConnectionError) as refused:
        sync_client(refuse).text2video.get("1")
    assert not isinstance(refused.value, sdk.APITimeoutError)
    assert refused.value.request_sent is False
    with pytest.raises(sdk.APITimeoutError, match="timeout=") as timed_out:
        sync_client(slow).text2video.get("1")
    assert timed_out.value.request_sent is True


def test_every_error_is_a_maaskl_error() -> None:
    for name in sdk.__all__:
        obj = getattr(sdk, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, MaasKLError), name

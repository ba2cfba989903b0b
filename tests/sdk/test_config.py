"""Configuration from arguments or environment, timeouts, the Bearer header, and no secret leaks."""

from __future__ import annotations

import logging

import httpx
import pytest
from maas_kl_client import DEFAULT_TIMEOUT, APIError, ConfigurationError, MaasKL

from .fakes import API_KEY, ENDPOINT, MockService, error_response, sync_client


def test_environment_supplies_what_arguments_leave_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAAS_KL_API_KEY", API_KEY)
    monkeypatch.setenv("MAAS_KL_ENDPOINT_PATH", "team-7")
    monkeypatch.setenv("MAAS_KL_BASE_URL", "http://127.0.0.1:4010/")
    with MaasKL() as client:
        assert client.base_url == "http://127.0.0.1:4010/v1/ai/team-7/kling"
    monkeypatch.delenv("MAAS_KL_BASE_URL")
    with MaasKL(endpoint_path="other") as client:
        assert client.base_url == "https://genaiapi.cloudsway.net/v1/ai/other/kling"  # the spec's server


@pytest.mark.parametrize(
    ("env", "match"), [({}, "MAAS_KL_API_KEY"), ({"MAAS_KL_API_KEY": "k"}, "MAAS_KL_ENDPOINT_PATH")]
)
def test_missing_settings_say_what_to_set(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], match: str) -> None:
    for name in ("MAAS_KL_API_KEY", "MAAS_KL_ENDPOINT_PATH", "MAAS_KL_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=match):
        MaasKL()


@pytest.mark.parametrize("url", ["http://api.example.com", "http://10.0.0.5:4010"])
def test_plain_http_to_a_remote_host_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="allow_insecure_http=True") as caught:
        MaasKL(api_key=API_KEY, endpoint_path=ENDPOINT, base_url=url)
    assert API_KEY not in str(caught.value)
    MaasKL(api_key=API_KEY, endpoint_path=ENDPOINT, base_url=url, allow_insecure_http=True).close()


@pytest.mark.parametrize(
    "url", ["http://localhost:4010", "http://127.0.0.1:4010", "http://[::1]:4010", "https://x.example"]
)
def test_loopback_and_https_are_allowed(url: str) -> None:
    MaasKL(api_key=API_KEY, endpoint_path=ENDPOINT, base_url=url).close()


def test_bearer_is_sent_even_with_an_injected_client_that_sets_its_own() -> None:
    seen: list[httpx.Request] = []
    service = MockService()

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return service.handler(request)

    injected = httpx.Client(transport=httpx.MockTransport(handler), headers={"Authorization": "Bearer wrong"})
    client = MaasKL(api_key=API_KEY, endpoint_path=ENDPOINT, http_client=injected)
    client.text2video.create(prompt="p")
    assert seen[0].headers["authorization"] == f"Bearer {API_KEY}"
    assert str(seen[0].url) == "https://genaiapi.cloudsway.net/v1/ai/acct/kling/videos/text2video"
    client.close()
    assert not injected.is_closed  # the caller's client stays theirs


def test_default_timeouts_are_finite_and_overridable() -> None:
    seen: list[dict[str, float | None]] = []
    service = MockService()

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return service.handler(request)

    client = sync_client(handler)
    client.text2video.create(prompt="p")
    assert seen[-1] == {"connect": 5.0, "read": 60.0, "write": 60.0, "pool": 60.0}
    assert DEFAULT_TIMEOUT.connect == 5.0
    task = client.text2video.create(prompt="p", timeout=httpx.Timeout(9.0, connect=1.0))
    assert seen[-1] == {"connect": 1.0, "read": 9.0, "write": 9.0, "pool": 9.0}
    client.text2video.get(task.task_id, timeout=2.5)
    assert seen[-1] == {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}
    per_client = sync_client(handler, timeout=30)
    per_client.text2video.get(task.task_id)
    assert seen[-1]["read"] == 30.0


def test_path_ids_cannot_escape_the_query_path() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return error_response(404, 1203)

    with pytest.raises(Exception, match="1203"):
        sync_client(handler).text2video.get("../../admin?x=1")
    assert seen[0].url.raw_path == b"/v1/ai/acct/kling/videos/text2video/..%2F..%2Fadmin%3Fx%3D1"


def test_the_key_never_leaks(caplog: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        # A hostile or buggy gateway echoing the Authorization header into its message.
        return error_response(401, 1002, f"bad header {request.headers['authorization']}")

    caplog.set_level(logging.DEBUG)
    client = sync_client(handler)
    assert API_KEY not in repr(client)
    assert API_KEY not in repr(vars(client))
    with pytest.raises(Exception) as caught:  # noqa: PT011 - the class is checked elsewhere
        client.text2video.get("1")
    assert API_KEY not in str(caught.value)
    assert API_KEY not in repr(caught.value)
    assert "***" in str(caught.value)
    assert API_KEY not in caplog.text
    assert caplog.records  # the SDK did log the request line, without the key


@pytest.mark.parametrize(
    ("key", "echoed", "shown"),
    [
        # A realistic key is masked wherever it appears, even glued to other text.
        (API_KEY, f"bad header Bearer {API_KEY}", "bad header Bearer ***"),
        (API_KEY, f"token=x{API_KEY}y, again {API_KEY}.", "token=x***y, again ***."),
        ("abcdefgh", "API key abcdefgh is invalid", "API key *** is invalid"),  # 8 characters: the minimum
        # Keys too short to be secrets are left alone, so ordinary words are not mangled.
        ("k", "API key k is invalid", "API key k is invalid"),
        ("abcdefg", "API key abcdefg is invalid", "API key abcdefg is invalid"),
    ],
)
def test_echoed_keys_are_masked_without_mangling_the_message(key: str, echoed: str, shown: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return error_response(401, 1002, echoed)

    with pytest.raises(APIError) as caught:
        sync_client(handler, api_key=key).text2video.get("1")
    assert caught.value.message == shown
    assert str(caught.value).startswith(shown)


def test_a_key_echoed_as_the_request_id_is_masked() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"code": 1002, "message": "denied", "request_id": f"req-{API_KEY}"})

    with pytest.raises(APIError) as caught:
        sync_client(handler).text2video.get("1")
    assert caught.value.request_id == "req-***"
    assert API_KEY not in str(caught.value)
    assert API_KEY not in repr(caught.value)

"""The proxy keeps every caller's credentials at home (issue 24, points 1, 8, 10 and 11).

A fake gateway and a fake video host on loopback log what reaches them; the proxy runs as
`maas-kl-mock proxy --record`, as a user starts it.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from maas_kl_mock import MockServer

from .hosts import VIDEO_BYTES, ApiHost, VideoHost

KEY = "sk-proxy-caller-key-0123456789"
OTHER_KEY = "sk-proxy-second-caller-9876543210"
CREATE = "/v1/ai/default/kling/videos/text2video"
QUERY = "/v1/ai/default/kling/videos/text2video/t-1"
CREDENTIALS = {"authorization": f"Bearer {KEY}", "x-api-key": KEY, "cookie": "caller-session=abc123"}


Hosts = tuple[ApiHost, VideoHost, MockServer, Path]


@pytest.fixture
def hosts(tmp_path: Path) -> Iterator[Hosts]:
    cassettes = tmp_path / "cassettes"
    with (
        VideoHost() as video,
        ApiHost(video.base_url) as api,
        MockServer("--upstream", api.base_url, "--record", str(cassettes), command="proxy") as proxy,
    ):
        yield api, video, proxy, cassettes


def _create(proxy: MockServer, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{proxy.base_url}{CREATE}", headers=headers, json={"prompt": "A dog"})


def test_the_video_host_never_gets_the_callers_key_or_cookies(hosts: Hosts) -> None:
    api, video, proxy, _ = hosts
    created = _create(proxy, CREDENTIALS)
    assert created.status_code == 200
    assert api.seen[-1][2]["authorization"] == f"Bearer {KEY}"  # the API itself gets the key, as before
    url = created.json()["data"]["task_result"]["videos"][0]["url"]
    assert url.startswith(f"{proxy.base_url}/files/proxy/")
    fetched = httpx.get(url, headers={**CREDENTIALS, "range": "bytes=0-9", "if-none-match": '"x"'})
    assert fetched.status_code == 206
    assert fetched.content == VIDEO_BYTES[:10]
    (method, path, seen), *_ = video.seen
    assert (method, path) == ("GET", "/v-1.mp4?sig=abc")
    assert not {"authorization", "x-api-key", "cookie", "range", "if-none-match"} & set(seen)
    assert KEY not in repr(seen)


def test_only_urls_the_proxy_rewrote_are_fetched(hosts: Hosts) -> None:
    _, video, proxy, _ = hosts
    _create(proxy, CREDENTIALS)
    for path in ("/files/proxy/unknown.mp4", "/files/proxy/..%2F..%2Fetc%2Fpasswd", "/files/proxy/http://evil/"):
        answer = httpx.get(f"{proxy.base_url}{path}", headers=CREDENTIALS)
        assert answer.status_code == 404
        assert answer.json()["code"] != 0
    assert video.seen == []


def test_an_upstream_cookie_is_never_sent_for_another_caller(hosts: Hosts) -> None:
    api, _, proxy, _ = hosts
    first = _create(proxy, {"authorization": f"Bearer {KEY}"})
    assert "session=for-whoever-called-first" in first.headers.get("set-cookie", "")  # the caller's own answer
    httpx.get(f"{proxy.base_url}{QUERY}", headers={"authorization": f"Bearer {OTHER_KEY}"})
    assert [seen.get("cookie") for _, _, seen in api.seen] == [None, None]


def test_hop_by_hop_and_connection_named_headers_stop_at_the_proxy_both_ways(
    hosts: Hosts,
) -> None:
    api, _, proxy, _ = hosts
    answer = httpx.get(
        f"{proxy.base_url}{QUERY}",
        headers={"authorization": f"Bearer {KEY}", "connection": "keep-alive, x-caller-hop", "x-caller-hop": "1"},
    )
    sent = api.seen[-1][2]
    assert "x-caller-hop" not in sent
    assert "x-upstream-hop" not in answer.headers
    assert "keep-alive" not in answer.headers
    assert len(answer.headers.get_list("date")) == 1
    assert answer.headers["date"] != "Mon, 07 Dec 2026 00:00:00 GMT"  # the proxy's own Date, once
    assert "fake-gateway" not in answer.headers.get("server", "")


def test_recordings_hold_no_echoed_key_and_no_url_credentials(hosts: Hosts) -> None:
    _, _, proxy, cassettes = hosts
    created = _create(proxy, {"x-api-key": KEY, "authorization": f"Bearer {KEY}"})
    httpx.get(created.json()["data"]["task_result"]["videos"][0]["url"])
    text = "\n".join(path.read_text(encoding="utf-8") for path in sorted(cassettes.glob("*.json")))
    assert "done for key" in text
    assert KEY not in text
    assert "hunter2" not in text
    assert "agent:" not in text


def _raw(proxy: MockServer, request: bytes) -> bytes:
    host, port = proxy.base_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
            if b"\r\n\r\n" in received and b"}" in received:
                break
    return received


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        b"OPTIONS * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        b"GET /v1 HTTP/1.1\r\nHost: localhost\r\nNot a header\r\n\r\n",
    ],
    ids=["get-star", "options-star", "unparsable"],
)
def test_the_proxys_own_refusals_are_the_api_envelope(hosts: Hosts, request_bytes: bytes) -> None:
    api, _, proxy, _ = hosts
    answer = _raw(proxy, request_bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"content-type: application/json" in head.lower()
    assert b'"code":' in body
    assert b'"request_id":' in body
    assert api.seen == []
    assert "Traceback" not in proxy.logs()

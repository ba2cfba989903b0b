"""End to end: the real console script on a free loopback port, queried over HTTP (curl where present)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from maas_kl_mock import MockServer, MockServerError, tenant_label


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    # The document's examples send "Bearer XXX": this server takes any key, as --any-token says.
    flags = ["--any-token", "--submitted-seconds", "0.05", "--processing-seconds", "0.1", "--check-responses"]
    with MockServer(*flags) as mock:  # --check-responses: a response the spec forbids shows up in internal_errors
        assert "Bearer" in mock.logs()  # the human start-up line is still printed
        yield mock.base_url
    assert "Traceback" not in mock.logs(), mock.logs()


# The document's three curl examples, with the host and path adjusted and their bodies closed into JSON.
DOCUMENT_CURLS = [
    ("text2video", '{ "model_name":"kling-v1",\n"prompt":"A dog running on the grass"}'),
    (
        "image2video",
        '{ "model_name":"kling-v1",\n"image":"https://pic1.zhimg.com/v2-0cbb2efa5a55f2e716eebe2d6a6eef67_r.jpg?source=12a79843",\n'
        '"prompt":"Nezha practicing martial arts"}',
    ),
]


def curl(url: str, data: str) -> dict[str, object]:
    if shutil.which("curl") is None:
        response = httpx.post(
            url, headers={"Authorization": "Bearer XXX", "Content-Type": "application/json"}, content=data
        )
        return response.json()  # type: ignore[no-any-return]
    out = subprocess.run(
        [
            "curl",
            "-sS",
            "--location",
            url,
            "--header",
            "Authorization: Bearer XXX",
            "--header",
            "Content-Type: application/json",
            "--data",
            data,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout
    return json.loads(out)  # type: ignore[no-any-return]


def test_document_curl_examples_work(server: str) -> None:
    api = f"{server}/v1/ai/XXX/kling/videos"
    video_id = ""
    for kind, data in DOCUMENT_CURLS:
        created = curl(f"{api}/{kind}", data)
        assert created["code"] == 0, created
        task_id = created["data"]["task_id"]  # type: ignore[index]
        for _ in range(100):
            task = httpx.get(f"{api}/{kind}/{task_id}", headers={"Authorization": "Bearer XXX"}).json()["data"]
            if task["task_status"] == "succeed":
                break
            httpx.post(f"{server}/_mock/clock/advance", json={"seconds": 0.05})
        assert task["task_status"] == "succeed"
        video = task["task_result"]["videos"][0]
        assert video["url"].startswith(f"{server}/files/videos/")
        mp4 = httpx.get(video["url"])
        assert (mp4.status_code, mp4.headers["content-type"], mp4.content[4:8]) == (200, "video/mp4", b"ftyp")
        head = httpx.head(video["url"])  # uvicorn sends no body for HEAD; the length must still be the GET's
        assert (head.status_code, head.headers["content-length"], head.content) == (200, str(len(mp4.content)), b"")
        video_id = video["id"]
    # The third curl example extends a video; the mock only extends its own, so the id is adjusted too.
    extended = curl(f"{api}/video-extend", json.dumps({"video_id": video_id, "prompt": "Nezha pulls out a spear"}))
    assert extended["code"] == 0, extended


def test_errors_are_envelopes_over_http(server: str) -> None:
    api = f"{server}/v1/ai/XXX/kling/videos"
    wrong = httpx.delete(f"{api}/text2video")
    assert (wrong.status_code, wrong.json()["code"], wrong.headers["allow"]) == (404, 1202, "POST")
    assert httpx.get(f"{server}/nowhere").json()["code"] == 1203
    bad = httpx.post(f"{api}/text2video", headers={"Authorization": "Bearer XXX"}, content=b"\xff")
    assert (bad.status_code, bad.json()["code"]) == (400, 1200)
    missing = httpx.post(f"{api}/text2video", json={"prompt": "x"})
    assert (missing.status_code, missing.json()["code"]) == (401, 1001)


def test_connection_faults_over_http(server: str) -> None:
    api = f"{server}/v1/ai/XXX/kling/videos"
    headers = {"Authorization": "Bearer faults", "Prefer": "scenario=lost-response"}
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        httpx.post(f"{api}/text2video", headers=headers, json={"prompt": "x", "external_task_id": "lost"})
    recovered = httpx.get(f"{api}/text2video/lost", headers={"Authorization": "Bearer faults"}).json()
    assert recovered["code"] == 0, "the task was stored before the connection dropped"
    httpx.put(f"{server}/_mock/faults", json={"rate": 1.0, "kinds": ["truncate"]})
    try:
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"{api}/text2video/lost", headers={"Authorization": "Bearer faults"})
    finally:
        httpx.put(f"{server}/_mock/faults", json={"rate": 0.0})
    stats = httpx.get(f"{server}/_mock/stats").json()
    assert stats["tenants"][tenant_label("faults")]["tasks"] == 1
    assert "faults" not in stats["tenants"]
    assert stats["internal_errors"] == 0


def test_the_default_server_knows_its_keys_as_the_real_service_does() -> None:
    """`make mock` answers an unknown key 401 / 1002, so `make contract` against it sees the real behaviour."""
    with MockServer() as mock:
        api = f"{mock.api_base_url}/videos/text2video"
        assert mock.token == "mock-token"
        unknown = httpx.post(api, headers={"Authorization": "Bearer someone-else"}, json={"prompt": "x"})
        assert (unknown.status_code, unknown.json()["code"]) == (401, 1002)
        assert httpx.post(api, headers=mock.headers, json={"prompt": "x"}).json()["code"] == 0


def test_any_token_is_an_opt_in_and_cannot_be_mixed_with_token() -> None:
    with MockServer("--any-token") as mock:
        api = f"{mock.api_base_url}/videos/text2video"
        assert httpx.post(api, headers={"Authorization": "Bearer anyone"}, json={"prompt": "x"}).json()["code"] == 0
    with pytest.raises(MockServerError, match="--any-token accepts every key"):
        MockServer("--any-token", "--token", "k").start()


def test_mock_server_stops_its_whole_process_group_and_keeps_its_log() -> None:
    mock = MockServer().start()
    pid = mock.pid
    assert pid is not None
    assert mock.alive()
    mock.stop()
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)
    assert "listening on" in mock.logs()
    mock.stop()  # twice is fine


def test_mock_server_is_an_async_context_manager() -> None:
    async def run() -> dict[str, object]:
        async with MockServer() as mock:
            async with httpx.AsyncClient(base_url=mock.api_base_url, headers=mock.headers) as client:
                created = (await client.post("/videos/text2video", json={"prompt": "x"})).json()
            return {"code": created["code"], "tasks": len(mock.control.tasks())}

    assert asyncio.run(run()) == {"code": 0, "tasks": 1}


def test_mock_server_restarts_on_the_same_port_after_a_kill(tmp_path: Path) -> None:
    mock = MockServer("--state", str(tmp_path / "state.db")).start()
    try:
        httpx.post(f"{mock.api_base_url}/videos/text2video", headers=mock.headers, json={"prompt": "x"})
        base = mock.base_url
        mock.kill()
        assert not mock.alive()
        mock.start()
        assert mock.base_url == base
        assert len(mock.control.tasks()) == 1
    finally:
        mock.stop()


def test_a_server_that_cannot_start_says_why() -> None:
    with pytest.raises(MockServerError, match="exited with 2"):
        MockServer("--concurrency", "many").start()


@pytest.mark.maas_kl_mock(concurrency_limit=1)
def test_the_server_fixture_takes_the_marker(maas_kl_mock_server: MockServer) -> None:
    api, headers = f"{maas_kl_mock_server.api_base_url}/videos/text2video", {"Authorization": "Bearer fixture-key"}
    assert httpx.post(api, headers=headers, json={"prompt": "x"}).json()["code"] == 0
    assert httpx.post(api, headers=headers, json={"prompt": "y"}).json()["code"] == 1303
    assert maas_kl_mock_server.control.stats()["internal_errors"] == 0


@pytest.mark.maas_kl_mock(concurrency_limit=1)
def test_the_server_fixture_starts_each_test_with_no_tasks(maas_kl_mock_server: MockServer) -> None:
    assert maas_kl_mock_server.control.tasks() == []


def test_serve_on_a_port_in_use_says_to_choose_another() -> None:
    with MockServer() as running:
        port = str(urlsplit(running.base_url).port)
        done = subprocess.run(
            [sys.executable, "-m", "maas_kl_mock", "serve", "--port", port, "--any-token"],
            capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
    assert done.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in done.stderr
    assert "pass --port N for another port, or --port 0 for a free one" in done.stderr
    assert "Errno" not in done.stderr
    assert "Traceback" not in done.stderr

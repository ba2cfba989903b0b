"""End to end: the real console script on a free loopback port, queried over HTTP (curl where present)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from maas_kl_mock import tenant_label

SCRIPT = Path(sys.executable).parent / "maas-kl-mock"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("mock") / "stderr.log"
    command = [str(SCRIPT), "serve", "--port", str(port), "--submitted-seconds", "0.05", "--processing-seconds", "0.1"]
    command.append("--check-responses")  # a response the spec forbids shows up in internal_errors
    with (
        log.open("w") as errors,
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True) as proc,
    ):
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()  # the start-up line is printed once the socket listens
            assert f"http://127.0.0.1:{port}" in line, (line, log.read_text())
            assert "Bearer" in line
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    assert "Traceback" not in log.read_text(), log.read_text()


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

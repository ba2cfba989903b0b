"""Byte ranges on recorded videos: replays answer with the CDN rules; the recording proxy fetches whole files."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from maas_kl_mock import ManualClock, MockConfig, MockServer
from maas_kl_mock.pytest_plugin import MockFixture

from .flows import KEY, LIFECYCLE, client, record

AUTH = {"Authorization": f"Bearer {KEY}"}
PROMPT = {"prompt": "A dog running on the grass"}


@pytest.fixture(scope="module")
def cassettes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three flows recorded through `maas-kl-mock proxy --record` from a `serve` upstream."""
    directory = tmp_path_factory.mktemp("ranged-cassettes")
    record(directory)
    return directory


class _CutFirstVideo(httpx.BaseTransport):
    """Cut the first video transfer halfway, as a dropped connection would; log each video request's Range."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.videos: list[tuple[str | None, int]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if not request.url.path.startswith("/files/replay/"):
            return response
        self.videos.append((request.headers.get("range"), response.status_code))
        if len(self.videos) > 1:
            return response
        body = response.read()
        return httpx.Response(response.status_code, headers=response.headers, stream=_Half(body), request=request)


class _Half(httpx.SyncByteStream):
    def __init__(self, body: bytes) -> None:
        self.body = body

    def __iter__(self) -> Iterator[bytes]:
        yield self.body[: len(self.body) // 2]
        raise httpx.ReadError("connection cut halfway")


def _video_url(http: httpx.Client, query: str, clock_of: MockServer) -> str:
    """Query until the task succeeds (a replay walks its recorded statuses one query at a time)."""
    for _ in range(20):
        clock_of.control.advance(60)
        data = http.get(query).json().get("data") or {}
        if data.get("task_status") == "succeed":
            return str(data["task_result"]["videos"][0]["url"])
    raise AssertionError(f"{query} never succeeded")


def test_sdk_download_resumes_against_a_replay(cassettes: Path, tmp_path: Path) -> None:
    mock = MockFixture(MockConfig(record_calls=None, replay=cassettes), ManualClock())
    cutting = _CutFirstVideo(mock.transport())
    http = httpx.Client(transport=cutting)
    with client("http://127.0.0.1:4010", "default", http_client=http, clock=mock.clock) as sdk:
        done = sdk.text2video.create_and_wait(prompt=PROMPT["prompt"], timeout=120)
        path = sdk.download_video(done.videos[0].url, tmp_path / "v.mp4")
    flow = json.loads(next(cassettes.glob("*-create_text2video_task.json")).read_text(encoding="utf-8"))
    video = next(e for e in flow["exchanges"] if e["kind"] == "video")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == video["response"]["sha256"]
    half = video["response"]["length"] // 2
    assert cutting.videos == [(None, 200), (f"bytes={half}-", 206)]  # resumed where the cut left it


def test_a_standalone_replay_answers_ranges_and_conditions(cassettes: Path) -> None:
    with MockServer("--replay", str(cassettes), "--token", KEY) as replay, httpx.Client(headers=AUTH) as http:
        api = replay.api_base_url
        task_id = http.post(f"{api}/videos/text2video", json=PROMPT).json()["data"]["task_id"]
        url = _video_url(http, f"{api}/videos/text2video/{task_id}", replay)
        whole = http.get(url)
        part = http.get(url, headers={"Range": "bytes=100-199"})
        tail = http.get(url, headers={"Range": "bytes=-10"})
        beyond = http.get(url, headers={"Range": f"bytes={len(whole.content)}-"})
        etag = whole.headers["etag"]
        unchanged = http.get(url, headers={"If-None-Match": etag})
        stale = http.get(url, headers={"Range": "bytes=0-9", "If-Range": '"another-version"'})
        head = http.head(url)
        post = http.post(url)
    size = len(whole.content)
    assert (whole.status_code, whole.headers["accept-ranges"]) == (200, "bytes")
    assert (part.status_code, part.content) == (206, whole.content[100:200])
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    assert (tail.status_code, tail.content) == (206, whole.content[-10:])
    assert (beyond.status_code, beyond.headers["content-range"]) == (416, f"bytes */{size}")
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert (stale.status_code, stale.content) == (200, whole.content)  # If-Range failed: the whole file
    assert (head.status_code, head.content, head.headers["content-length"]) == (200, b"", str(size))
    assert (post.status_code, post.json()["code"], post.headers["allow"]) == (404, 1202, "GET, HEAD")  # the API's code


def test_the_recording_proxy_fetches_whole_files_and_serves_the_range(tmp_path: Path) -> None:
    with (
        MockServer("--token", KEY, *LIFECYCLE) as upstream,
        MockServer("--upstream", upstream.base_url, "--record", str(tmp_path), command="proxy") as proxy,
        httpx.Client(headers=AUTH) as http,
    ):
        api = proxy.api_base_url
        task_id = http.post(f"{api}/videos/text2video", json=PROMPT).json()["data"]["task_id"]
        url = _video_url(http, f"{api}/videos/text2video/{task_id}", upstream)
        assert url.startswith(proxy.base_url)
        part = http.get(url, headers={"Range": "bytes=10-19"})  # the first fetch asks for a range
        whole = http.get(url)
        unchanged = http.get(url, headers={"If-None-Match": whole.headers["etag"]})
        upstream_fetches = [c for c in upstream.control.calls() if c["path"].startswith("/files/")]
    assert (part.status_code, part.content) == (206, whole.content[10:20])
    assert part.headers["content-range"] == f"bytes 10-19/{len(whole.content)}"
    assert unchanged.status_code == 304
    assert len(upstream_fetches) == 1  # fetched whole, once
    (mp4,) = tmp_path.glob("*.mp4")
    assert mp4.read_bytes() == whole.content

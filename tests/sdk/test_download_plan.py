"""Resumable downloads: the sans-I/O plan, and download_video against the mock cutting the connection."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from maas_kl_client import (
    AsyncMaasKL,
    DownloadError,
    DownloadProgress,
    MaasKL,
    RetryPolicy,
    _download,
    _download_plan,
    _plans,
)
from maas_kl_mock import FaultPlan, InProcessMock, ManualClock, MockConfig, MockServer

from .fakes import FakeClock, sync_client

URL = "https://cdn.example.com/v/abc.mp4"
FILE = bytes(range(256)) * 40  # 10,240 bytes


def context(max_attempts: int = 4) -> _plans.Context:
    return _plans.Context(RetryPolicy(max_attempts=max_attempts, jitter=0.0), lambda: 0.0, lambda: 0.5)


def opened(status: int, **headers: str) -> _download_plan.Opened:
    return _download_plan.Opened(status, {k.replace("_", "-"): v for k, v in headers.items()})


def cut() -> DownloadError:
    return DownloadError("cut", retryable=True)


class Script:
    """Drives a plan with scripted outcomes and records the actions it yielded."""

    def __init__(self, plan: _download_plan.Plan) -> None:
        self.plan = plan
        self.actions: list[Any] = [next(plan)]

    def send(self, outcome: Any) -> Any:
        action = self.plan.send(outcome)
        self.actions.append(action)
        return action

    def finish(self, outcome: Any) -> _download_plan.Complete:
        with pytest.raises(StopIteration) as done:
            self.plan.send(outcome)
        result: _download_plan.Complete = done.value.value
        return result


def test_a_cut_transfer_resumes_with_range_and_if_range() -> None:
    script = Script(_download_plan.download(URL, context()))
    assert script.actions[0] == _download_plan.Open(httpx.URL(URL), {})
    assert script.send(opened(200, content_length="1000", etag='"v1"')) == _download_plan.Stream(0, 1000)
    assert isinstance(script.send(_download_plan.Streamed(300, cut())), _plans.Sleep)
    resume = script.send(None)
    assert resume == _download_plan.Open(httpx.URL(URL), {"Range": "bytes=300-", "If-Range": '"v1"'})
    stream = script.send(opened(206, content_range="bytes 300-999/1000", etag='"v1"', content_length="700"))
    assert stream == _download_plan.Stream(300, 1000)
    assert script.finish(_download_plan.Streamed(700)) == _download_plan.Complete(1000, '"v1"')


def test_a_server_that_ignores_range_makes_it_start_over() -> None:
    script = Script(_download_plan.download(URL, context()))
    script.send(opened(200, content_length="1000", etag='"v1"'))
    script.send(_download_plan.Streamed(300, cut()))
    script.send(None)
    assert script.send(opened(200, content_length="1000", etag='"v1"')) == _download_plan.Stream(0, 1000)
    assert script.finish(_download_plan.Streamed(1000)) == _download_plan.Complete(1000, '"v1"')


def test_a_changed_file_starts_over() -> None:
    script = Script(_download_plan.download(URL, context()))
    script.send(opened(200, content_length="1000", etag='"v1"'))
    script.send(_download_plan.Streamed(300, cut()))
    script.send(None)
    # A 206 for another version of the file (a server that does not honour If-Range): never glued on.
    again = script.send(opened(206, content_range="bytes 300-999/1000", etag='"v2"'))
    assert again == _download_plan.Open(httpx.URL(URL), {})
    assert script.send(opened(200, content_length="1200", etag='"v2"')) == _download_plan.Stream(0, 1200)
    assert script.finish(_download_plan.Streamed(1200)) == _download_plan.Complete(1200, '"v2"')


def test_without_an_etag_a_cut_download_starts_over() -> None:
    script = Script(_download_plan.download(URL, context()))
    script.send(opened(200, content_length="1000"))
    script.send(_download_plan.Streamed(300, cut()))
    assert script.send(None) == _download_plan.Open(httpx.URL(URL), {})


def test_a_416_for_a_file_we_already_hold_completes() -> None:
    script = Script(_download_plan.download(URL, context()))
    script.send(opened(200, content_length="1000", etag='"v1"'))
    script.send(_download_plan.Streamed(1000, cut()))  # every byte came, then the connection dropped
    script.send(None)
    assert script.finish(opened(416, content_range="bytes */1000")) == _download_plan.Complete(1000, '"v1"')


def test_retries_count_from_the_last_progress_and_stop_without_it() -> None:
    script = Script(_download_plan.download(URL, context(max_attempts=2)))
    script.send(opened(200, content_length="1000", etag='"v1"'))
    for offset in (100, 200, 300):  # each attempt makes progress: never runs out
        assert isinstance(script.send(_download_plan.Streamed(100, cut())), _plans.Sleep)
        assert script.send(None).headers["Range"] == f"bytes={offset}-"
        script.send(opened(206, content_range=f"bytes {offset}-999/1000", etag='"v1"'))
    assert isinstance(script.send(_download_plan.Streamed(0, cut())), _plans.Sleep)
    script.send(None)
    script.send(opened(206, content_range="bytes 300-999/1000", etag='"v1"'))
    with pytest.raises(DownloadError, match="cut"):
        script.send(_download_plan.Streamed(0, cut()))  # two attempts without progress: the policy is spent


def test_too_many_bytes_is_an_error() -> None:
    script = Script(_download_plan.download(URL, context()))
    script.send(opened(200, content_length="1000", etag='"v1"'))
    with pytest.raises(DownloadError, match="announced as 1000"):
        script.send(_download_plan.Streamed(1001))


def test_redirects_are_followed_within_the_plan() -> None:
    script = Script(_download_plan.download(URL, context()))
    moved = script.send(opened(302, location="https://cdn2.example.com/x.mp4"))
    assert moved == _download_plan.Open(httpx.URL("https://cdn2.example.com/x.mp4"), {})


# --- download_video against the mock ----------------------------------------------------------------


def mock_and_video(plan: FaultPlan, size_kb: int | None = None) -> tuple[InProcessMock, str]:
    clock = ManualClock()
    mock = InProcessMock(MockConfig(faults=plan, video_size_kb=size_kb), clock, base_url="http://127.0.0.1:4010")
    http = httpx.Client(transport=mock.transport())
    with MaasKL(api_key="k", endpoint_path="default", base_url=mock.base_url, http_client=http, clock=clock) as client:
        task = client.text2video.create_and_wait(prompt="A dog")
    return mock, task.videos[0].url


def sync_sdk(mock: InProcessMock) -> MaasKL:
    http = httpx.Client(transport=mock.transport())
    return MaasKL(api_key="k", endpoint_path="default", base_url=mock.base_url, http_client=http, clock=FakeClock())


def video_calls(mock: InProcessMock) -> list[tuple[str | None, str | None, int]]:
    return [
        (call.request.headers.get("range"), call.request.headers.get("if-range"), call.response.status)
        for call in mock.calls
        if call.request.path.startswith("/files/")
    ]


def test_download_cut_at_30_and_70_percent_completes_identical_using_ranges(tmp_path: Path) -> None:
    mock, url = mock_and_video(FaultPlan(download_cut=(0.3, 0.7)), size_kb=512)
    progress: list[DownloadProgress] = []
    with sync_sdk(mock) as client:
        path = client.download_video(url, tmp_path / "cut.mp4", on_progress=progress.append)
    mock.core.faults.plan = FaultPlan()
    with sync_sdk(mock) as client:
        clean = client.download_video(url, tmp_path / "clean.mp4")
    assert path.read_bytes() == clean.read_bytes()
    size = len(clean.read_bytes())
    assert size == 512 * 1024
    calls = video_calls(mock)
    etag = mock.calls[-1].response.header("etag")
    assert calls == [
        (None, None, 200),
        (f"bytes={int(size * 0.3)}-", etag, 206),
        (f"bytes={int(size * 0.7)}-", etag, 206),
        (None, None, 200),  # the clean download
    ]
    assert mock.core.faults.injected["download-cut"] == 2
    assert progress[-1].received == progress[-1].total == size
    assert all(p.total == size for p in progress)
    assert "sig=" not in progress[0].url, "a signed URL's query is a credential"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean.mp4", "cut.mp4"]


def test_async_download_resumes_and_writes_off_the_event_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mock, url = mock_and_video(FaultPlan(download_cut=(0.5,)), size_kb=3 * 1024)
    writers: set[str] = set()
    write = _download.PartFile.write

    def spy(self: _download.PartFile, chunks: Sequence[bytes]) -> None:
        writers.add(threading.current_thread().name)
        write(self, chunks)

    monkeypatch.setattr(_download.PartFile, "write", spy)

    async def run() -> tuple[Path, int]:
        ticks = 0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0)

        http = httpx.AsyncClient(transport=mock.async_transport())
        async with AsyncMaasKL(
            api_key="k", endpoint_path="default", base_url=mock.base_url, http_client=http, clock=FakeClock()
        ) as client:
            task = asyncio.create_task(ticker())
            path = await client.download_video(url, tmp_path)
            done.set()
            await task
        return path, ticks

    path, ticks = asyncio.run(run())
    assert len(path.read_bytes()) == 3 * 1024 * 1024
    assert threading.main_thread().name not in writers, "file writes run in a worker thread"
    assert ticks > 0
    assert [status for _, _, status in video_calls(mock)] == [200, 206]


def test_a_server_ignoring_range_still_gives_the_whole_file(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    class Cut(httpx.SyncByteStream):
        def __iter__(self) -> Any:
            yield FILE[:4000]
            raise httpx.RemoteProtocolError("peer closed connection")

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        headers = {"Content-Length": str(len(FILE)), "ETag": '"x"'}
        if len(seen) == 1:
            return httpx.Response(200, stream=Cut(), headers=headers)
        return httpx.Response(200, content=FILE, headers=headers)  # Range ignored: the whole file again

    path = sync_client(handler).download_video(URL, tmp_path / "v.mp4")
    assert path.read_bytes() == FILE
    assert seen[1].headers["range"] == "bytes=4000-"
    assert seen[1].headers["if-range"] == '"x"'


def test_a_cut_without_retries_still_leaves_no_file(tmp_path: Path) -> None:
    mock, url = mock_and_video(FaultPlan(download_cut=(0.3,)))
    with sync_sdk(mock) as client, pytest.raises(DownloadError, match="nothing was written"):
        client.download_video(url, tmp_path / "v.mp4", retry=RetryPolicy(max_attempts=1))
    assert list(tmp_path.iterdir()) == []


def test_resume_over_real_sockets_against_the_standalone_mock(tmp_path: Path) -> None:
    args = ["--submitted-seconds", "0", "--processing-seconds", "0", "--video-size-kb", "1024"]
    with MockServer(*args, "--download-cut", "0.3,0.7") as server:
        settings: dict[str, Any] = {"api_key": server.token, "endpoint_path": "default", "base_url": server.base_url}
        with MaasKL(**settings) as client:
            url = client.text2video.create_and_wait(prompt="A dog").videos[0].url
            cut = client.download_video(url, tmp_path / "sync.mp4")

        async def async_download() -> Path:
            async with AsyncMaasKL(**settings) as aclient:
                return await aclient.download_video(url, tmp_path / "async.mp4")

        async_cut = asyncio.run(async_download())
        calls = httpx.get(f"{server.base_url}/_mock/calls").json()["calls"]
        httpx.put(f"{server.base_url}/_mock/faults", json={"download_cut": []})
        whole = httpx.get(url).content
    assert len(whole) == 1024 * 1024
    assert cut.read_bytes() == whole
    assert async_cut.read_bytes() == whole
    downloads = [(c["status"], c["range"], c["drop"]) for c in calls if c["path"].startswith("/files/")]
    size = len(whole)
    resumed = [
        (200, None, "truncate"),
        (206, f"bytes={int(size * 0.3)}-", "truncate"),
        (206, f"bytes={int(size * 0.7)}-", None),
    ]
    assert downloads == resumed * 2


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="the write-back hint is Linux's posix_fadvise")
def test_a_resumed_download_asks_for_write_back_of_every_byte_as_it_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fsync before the rename stays, but the file goes to disk during the transfer (issue 22)."""
    mock, url = mock_and_video(FaultPlan(download_cut=(0.5,)), size_kb=3 * 1024)
    hinted: list[tuple[int, int]] = []
    advise = os.posix_fadvise

    def spy(fd: int, offset: int, length: int, advice: int) -> None:
        assert advice == os.POSIX_FADV_DONTNEED
        hinted.append((offset, length))
        advise(fd, offset, length, advice)

    monkeypatch.setattr(os, "posix_fadvise", spy)
    with sync_sdk(mock) as client:
        path = client.download_video(url, tmp_path)
    size = path.stat().st_size
    assert size == 3 * 1024 * 1024
    assert len(hinted) >= 3, "one hint per MiB written, not one at the end"
    covered = 0  # the hints follow the writes: each starts where the last ended, or where the resume restarted
    for offset, length in hinted:
        assert offset <= covered, hinted
        covered = max(covered, offset + length)
    assert covered == size

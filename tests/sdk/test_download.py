"""Downloads are atomic: a complete file appears at once, or nothing does."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from maas_kl_client import DownloadError, RetryPolicy
from maas_kl_client._download import destination

from .fakes import API_KEY, ROOT, async_client, sync_client

VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64


class CutStream(httpx.SyncByteStream):
    """Sends half the body, then drops the connection."""

    def __iter__(self) -> Iterator[bytes]:
        yield VIDEO[: len(VIDEO) // 2]
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


def _no_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_download_writes_the_whole_file(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=VIDEO, headers={"Content-Length": str(len(VIDEO))})

    path = sync_client(handler).download_video("https://cdn.example.com/v/abc.mp4?sig=secret", tmp_path)
    assert path == tmp_path / "abc.mp4"
    assert path.read_bytes() == VIDEO
    assert _no_leftovers(tmp_path) == ["abc.mp4"]
    assert "authorization" not in seen[0].headers  # a CDN never sees the key


def test_short_body_leaves_no_file(tmp_path: Path) -> None:
    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=VIDEO[:100], headers={"Content-Length": str(len(VIDEO))})

    client = sync_client(handler, retry=RetryPolicy(max_attempts=2, jitter=0.0))
    with pytest.raises(DownloadError, match="announced") as caught:
        client.download_video("https://cdn.example.com/v/abc.mp4?sig=secret", tmp_path / "out.mp4")
    assert "secret" not in str(caught.value)
    assert _no_leftovers(tmp_path) == []


def test_dropped_connection_leaves_no_file_then_retry_succeeds(tmp_path: Path) -> None:
    attempts = {"n": 0}

    def handler(_request: httpx.Request) -> httpx.Response:
        attempts["n"] += 1
        if attempts["n"] == 1:
            return httpx.Response(200, stream=CutStream(), headers={"Content-Length": str(len(VIDEO))})
        return httpx.Response(200, content=VIDEO)

    target = tmp_path / "out.mp4"
    target.write_bytes(b"previous complete file")
    client = sync_client(handler)
    assert client.download_video("https://cdn.example.com/x.mp4", target, overwrite=True) == target
    assert target.read_bytes() == VIDEO
    assert _no_leftovers(tmp_path) == ["out.mp4"]


def test_dropped_connection_without_retries_keeps_the_old_file(tmp_path: Path) -> None:
    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=CutStream(), headers={"Content-Length": str(len(VIDEO))})

    target = tmp_path / "out.mp4"
    target.write_bytes(b"previous complete file")
    with pytest.raises(DownloadError, match="nothing was written"):
        sync_client(handler, max_retries=0).download_video("https://cdn.example.com/x.mp4", target, overwrite=True)
    assert target.read_bytes() == b"previous complete file"
    assert _no_leftovers(tmp_path) == ["out.mp4"]


def test_expired_url_is_a_clear_error(tmp_path: Path) -> None:
    client = sync_client(lambda _r: httpx.Response(404, text="gone"))
    with pytest.raises(DownloadError, match=r"HTTP 404.*query the task again"):
        client.download_video("https://cdn.example.com/x.mp4", tmp_path / "x.mp4")
    assert _no_leftovers(tmp_path) == []


def test_redirect_to_another_host_drops_the_bearer_token(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "genaiapi.cloudsway.net":
            return httpx.Response(302, headers={"Location": "https://evil.example.net/steal.mp4"})
        return httpx.Response(200, content=VIDEO)

    sync_client(handler).download_video(f"{ROOT}/files/v.mp4", tmp_path / "v.mp4")
    assert seen[0].headers["authorization"] == f"Bearer {API_KEY}"  # the API's own origin
    assert seen[1].url.host == "evil.example.net"
    assert "authorization" not in seen[1].headers


def test_api_requests_never_follow_redirects() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(307, headers={"Location": "https://evil.example.net/v"})

    with pytest.raises(Exception, match="HTTP 307"):
        sync_client(handler).text2video.get("1")
    assert [r.url.host for r in seen] == ["genaiapi.cloudsway.net"]


def test_async_download_is_atomic(tmp_path: Path) -> None:
    def good(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=VIDEO)

    def short(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=VIDEO[:10], headers={"Content-Length": str(len(VIDEO))})

    async def run() -> None:
        async with async_client(good) as client:
            path = await client.download_video("https://cdn.example.com/a.mp4", tmp_path)
            assert path.read_bytes() == VIDEO
        async with async_client(short, max_retries=0) as client:
            with pytest.raises(DownloadError):
                await client.download_video("https://cdn.example.com/b.mp4", tmp_path)

    asyncio.run(run())
    assert _no_leftovers(tmp_path) == ["a.mp4"]


@pytest.mark.parametrize("url", ["https://cdn.example.com/v/..", "https://cdn.example.com/", "https://cdn.example.com"])
def test_a_url_without_a_usable_file_name_lands_inside_the_folder(tmp_path: Path, url: str) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    path = sync_client(lambda _r: httpx.Response(200, content=VIDEO)).download_video(url, folder)
    assert path == folder / "video.mp4"
    assert path.read_bytes() == VIDEO
    assert _no_leftovers(tmp_path) == ["out"]


def test_no_frame_of_a_download_traceback_holds_the_key(tmp_path: Path) -> None:
    # Tracebacks that print locals (rich's show_locals, pytest -l) must not show the key.
    client = sync_client(lambda _r: httpx.Response(500, text="down"), max_retries=0)
    with pytest.raises(DownloadError) as caught:
        client.download_video(f"{ROOT}/files/v.mp4", tmp_path / "v.mp4")
    frames = [entry.frame.f_locals for entry in caught.traceback]
    assert len(frames) >= 2
    assert all(API_KEY not in repr(local) for local in frames)


def test_a_path_with_a_trailing_slash_is_a_folder_created_on_write(tmp_path: Path) -> None:
    url = "https://cdn.example.com/videos/abc.mp4?sig=1"
    assert destination(url, f"{tmp_path}/out/") == tmp_path / "out" / "abc.mp4"
    assert destination(url, tmp_path / "out.mp4") == tmp_path / "out.mp4"
    (tmp_path / "existing").mkdir()
    assert destination(url, tmp_path / "existing") == tmp_path / "existing" / "abc.mp4"

"""The video route as a CDN: ranges (206/416), validators (304), If-Range, HEAD, and the download-cut fault."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import httpx
import pytest
from maas_kl_mock import FaultPlan, InProcessMock, ManualClock, MockConfig, create_app
from maas_kl_mock.faces.asgi import ConnectionDropped
from maas_kl_mock.media.cdn import Resource, answer, byte_range, http_date

FILE = Resource(size=1000, etag='"abc"', modified=1_700_000_000.0)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", range(0, 100)),
        ("bytes=900-", range(900, 1000)),
        ("bytes=-100", range(900, 1000)),
        ("bytes=-5000", range(0, 1000)),
        ("bytes=990-5000", range(990, 1000)),
        ("bytes=1000-", range(0)),
        ("bytes=-0", range(0)),
        ("bytes=5-1", None),
        ("items=0-1", None),
        ("bytes=0-1,5-9", None),
        ("bytes=-", None),
    ],
)
def test_byte_range(header: str, expected: object) -> None:
    assert byte_range(header, FILE.size) == expected


def test_answers() -> None:
    full = answer("GET", {}, FILE)
    assert (full.status, full.start, full.stop, full.length) == (200, 0, 1000, 1000)
    assert ("Accept-Ranges", "bytes") in full.headers
    assert ("ETag", '"abc"') in full.headers
    assert ("Last-Modified", http_date(FILE.modified)) in full.headers
    part = answer("GET", {"range": "bytes=10-19"}, FILE)
    assert (part.status, part.start, part.stop, part.length) == (206, 10, 20, 10)
    assert ("Content-Range", "bytes 10-19/1000") in part.headers
    beyond = answer("GET", {"range": "bytes=1000-"}, FILE)
    assert (beyond.status, beyond.length) == (416, 0)
    assert ("Content-Range", "bytes */1000") in beyond.headers
    assert answer("GET", {"if-none-match": '"abc"'}, FILE).status == 304
    assert answer("GET", {"if-none-match": 'W/"abc", "x"'}, FILE).status == 304
    assert answer("GET", {"if-none-match": "*"}, FILE).status == 304
    assert answer("GET", {"if-none-match": '"other"'}, FILE).status == 200
    assert answer("GET", {"if-modified-since": http_date(FILE.modified)}, FILE).status == 304
    assert answer("GET", {"if-modified-since": http_date(FILE.modified - 60)}, FILE).status == 200
    assert answer("GET", {"range": "bytes=10-", "if-range": '"abc"'}, FILE).status == 206
    assert answer("GET", {"range": "bytes=10-", "if-range": '"changed"'}, FILE).status == 200
    assert answer("GET", {"range": "bytes=10-", "if-range": 'W/"abc"'}, FILE).status == 200, "If-Range is strong"
    assert answer("GET", {"range": "bytes=10-", "if-range": http_date(FILE.modified)}, FILE).status == 206
    head = answer("HEAD", {}, FILE)
    assert (head.status, head.length) == (200, 1000)


def video_url(mock: InProcessMock, client: httpx.Client) -> str:
    created = client.post("/videos/text2video", json={"prompt": "A dog"}).json()
    mock.core.clock.advance(10)
    task = client.get(f"/videos/text2video/{created['data']['task_id']}").json()
    return str(task["data"]["task_result"]["videos"][0]["url"])


def test_range_requests_through_the_inprocess_mock() -> None:
    mock = InProcessMock(MockConfig(check_responses=True), ManualClock())
    with mock.client() as client:
        url = video_url(mock, client)
        whole = client.get(url)
        assert whole.status_code == 200
        size = len(whole.content)
        assert int(whole.headers["content-length"]) == size
        etag = whole.headers["etag"]
        part = client.get(url, headers={"Range": "bytes=100-", "If-Range": etag})
        assert part.status_code == 206
        assert part.headers["content-range"] == f"bytes 100-{size - 1}/{size}"
        assert part.content == whole.content[100:]
        tail = client.get(url, headers={"Range": "bytes=-10"})
        assert tail.content == whole.content[-10:]
        unsatisfiable = client.get(url, headers={"Range": f"bytes={size}-"})
        assert unsatisfiable.status_code == 416
        assert unsatisfiable.headers["content-range"] == f"bytes */{size}"
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(url, headers={"If-None-Match": etag}).content == b""
        stale = client.get(url, headers={"Range": "bytes=100-", "If-Range": '"an-older-file"'})
        assert (stale.status_code, stale.content) == (200, whole.content)
        head = client.head(url)
        assert (head.status_code, head.content, head.headers["content-length"]) == (200, b"", str(size))
        assert head.headers["etag"] == etag


def test_download_cut_fault_drops_at_each_cut_point_and_a_resume_gets_past_it() -> None:
    mock = InProcessMock(MockConfig(faults=FaultPlan(download_cut=(0.3, 0.7))), ManualClock())
    with mock.client() as client:
        url = video_url(mock, client)
        size = int(client.head(url).headers["content-length"])
        received = b""
        for _ in range(3):
            headers = {"Range": f"bytes={len(received)}-"} if received else {}
            with client.stream("GET", url, headers=headers) as response:
                try:
                    for chunk in response.iter_raw():
                        received += chunk
                except httpx.RemoteProtocolError:
                    continue
            break
        assert len(received) == size
        assert mock.core.faults.injected["download-cut"] == 2
    mock.core.faults.plan = FaultPlan()
    with mock.client() as client:
        assert client.get(url).content == received


def test_prefer_download_cut_drops_one_request_halfway() -> None:
    mock = InProcessMock(MockConfig(), ManualClock())
    with mock.client() as client:
        url = video_url(mock, client)
        with client.stream("GET", url, headers={"Prefer": "scenario=download-cut"}) as response:
            assert response.status_code == 200
            with pytest.raises(httpx.RemoteProtocolError):
                response.read()
        assert 0 < response.num_bytes_downloaded < int(response.headers["content-length"])


def test_asgi_app_streams_ranges_and_cuts() -> None:
    app = create_app(MockConfig())

    async def flow() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            api = "/v1/ai/X/kling/videos/text2video"
            auth = {"Authorization": "Bearer t"}
            created = (await client.post(api, json={"prompt": "x"}, headers=auth)).json()
            app.core.clock.advance(10)
            task = (await client.get(f"{api}/{created['data']['task_id']}", headers=auth)).json()
            url = urlsplit(task["data"]["task_result"]["videos"][0]["url"])
            path = f"{url.path}?{url.query}"
            whole = await client.get(path)
            part = await client.get(path, headers={"Range": "bytes=5-9"})
            assert (part.status_code, part.content) == (206, whole.content[5:10])
            with pytest.raises(ConnectionDropped):
                await client.get(path, headers={"Prefer": "scenario=download-cut"})

    asyncio.run(flow())

"""The proxy's video cache, and what it remembers of rewritten URLs, stay within bounds (issue 24)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
from maas_kl_mock.proxy.app import ProxyApp, ProxyConfig

CREATE = "/v1/ai/default/kling/videos/text2video"
KEY = {"authorization": "Bearer sk-memory-test-key"}


class Upstream:
    """A gateway whose every create finishes with its own video, and a video host that counts fetches."""

    def __init__(self, video_size: int) -> None:
        self.video_size = video_size
        self.created = 0
        self.fetches: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        """Answer the API or the video host."""
        if request.url.host == "cdn.example":
            self.fetches.append(request.url.path)
            return httpx.Response(200, content=b"v" * self.video_size, headers={"content-type": "video/mp4"})
        self.created += 1
        video = {"id": f"v-{self.created}", "url": f"https://cdn.example/v-{self.created}.mp4", "duration": "5"}
        data = {
            "task_id": f"t-{self.created}",
            "task_status": "succeed",
            "task_status_msg": "",
            "created_at": 1,
            "updated_at": 1,
            "task_result": {"videos": [video]},
        }
        body = {"code": 0, "message": "SUCCEED", "request_id": "r", "data": data}
        return httpx.Response(200, content=json.dumps(body).encode(), headers={"content-type": "application/json"})


async def _run(proxy: ProxyApp, upstream: Upstream, videos: int) -> list[str]:
    urls: list[str] = []
    transport = httpx.ASGITransport(app=proxy)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as caller:
        for _ in range(videos):
            created = await caller.post(CREATE, headers=KEY, json={"prompt": "A dog"})
            url = created.json()["data"]["task_result"]["videos"][0]["url"]
            fetched = await caller.get(url)
            assert fetched.status_code == 200
            assert len(fetched.content) == upstream.video_size
            urls.append(url)
        again = await caller.get(urls[0])  # evicted from the cache: fetched again, still served
        assert again.status_code == 200
        assert len(again.content) == upstream.video_size
    return urls


def test_fetched_videos_stay_within_the_cache_budget_and_are_recorded_once(tmp_path: Path) -> None:
    upstream = Upstream(video_size=100_000)
    config = ProxyConfig(upstream="http://gateway.example", record=tmp_path, video_cache_bytes=250_000)
    proxy = ProxyApp(config, transport=httpx.MockTransport(upstream))
    asyncio.run(_run(proxy, upstream, videos=6))
    assert proxy._fetched_bytes <= 250_000
    assert len(proxy._fetched) == 2
    assert upstream.fetches.count("/v-1.mp4") == 2  # the evicted first video came back from upstream
    assert len(list(tmp_path.glob("*.mp4"))) == 6  # ... and was not recorded a second time


def test_a_video_larger_than_the_limit_is_refused_with_the_envelope(tmp_path: Path) -> None:
    upstream = Upstream(video_size=50_000)
    config = ProxyConfig(upstream="http://gateway.example", record=tmp_path, max_video_bytes=10_000)
    proxy = ProxyApp(config, transport=httpx.MockTransport(upstream))

    async def scenario() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=proxy), base_url="http://127.0.0.1") as caller:
            created = await caller.post(CREATE, headers=KEY, json={"prompt": "A dog"})
            return await caller.get(created.json()["data"]["task_result"]["videos"][0]["url"])

    refused = asyncio.run(scenario())
    assert refused.status_code >= 500
    assert "larger than 10000 bytes" in refused.json()["message"]
    assert proxy._fetched_bytes == 0


def test_the_oldest_rewritten_urls_are_forgotten_beyond_the_bound(tmp_path: Path) -> None:
    upstream = Upstream(video_size=1_000)
    config = ProxyConfig(upstream="http://gateway.example", record=tmp_path, max_video_urls=3)
    proxy = ProxyApp(config, transport=httpx.MockTransport(upstream))

    async def scenario() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=proxy), base_url="http://127.0.0.1") as caller:
            urls = []
            for _ in range(5):
                created = await caller.post(CREATE, headers=KEY, json={"prompt": "A dog"})
                urls.append(created.json()["data"]["task_result"]["videos"][0]["url"])
            return [await caller.get(url) for url in urls]

    answers = asyncio.run(scenario())
    assert [a.status_code for a in answers] == [404, 404, 200, 200, 200]
    assert len(proxy._videos) == len(proxy._tokens) == 3

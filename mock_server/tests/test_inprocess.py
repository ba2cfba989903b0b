import asyncio
from typing import Any

import httpx
import orjson
import pytest
import respx
from maas_kl_mock import FaultPlan, InProcessMock, ManualClock, MockConfig, create_app
from maas_kl_mock.faces.asgi import ConnectionDropped, MockApp


def test_sync_client_runs_a_whole_flow() -> None:
    mock = InProcessMock(MockConfig(check_responses=True), ManualClock())
    with mock.client() as client:
        created = client.post("/videos/text2video", json={"prompt": "A dog", "external_task_id": "j"}).json()
        assert created["data"]["task_status"] == "submitted"
        mock.core.clock.advance(5)
        video = client.get("/videos/text2video/j").json()["data"]["task_result"]["videos"][0]
        assert video["url"].startswith("http://maas-kl-mock.test/files/videos/")
        download = client.get(video["url"], headers={"Authorization": ""})
    assert download.status_code == 200
    assert download.headers["content-type"] == "video/mp4"
    assert download.content[4:8] == b"ftyp"


def test_async_client_runs_a_whole_flow() -> None:
    mock = InProcessMock(MockConfig(check_responses=True), ManualClock())

    async def flow() -> str:
        async with mock.async_client() as client:
            created = (await client.post("/videos/image2video", json={"image": "https://x.test/a.png"})).json()
            mock.core.clock.advance(5)
            queried = await client.get(f"/videos/image2video/{created['data']['task_id']}")
            return str(queried.json()["data"]["task_status"])

    assert asyncio.run(flow()) == "succeed"


def test_drops_become_httpx_transport_errors() -> None:
    mock = InProcessMock(MockConfig(faults=FaultPlan(rate=1.0, kinds={"reset": 1.0}, after_store=1.0)))
    with mock.client() as client, pytest.raises(httpx.ReadError):
        client.post("/videos/text2video", json={"prompt": "x"})
    assert len(mock.core.store) == 1
    mock.core.faults.plan = FaultPlan(rate=1.0, kinds={"truncate": 1.0})
    with mock.client() as client, pytest.raises(httpx.RemoteProtocolError):
        client.get("/videos/text2video/x")


def test_respx_router_serves_the_mock_to_code_with_its_own_client() -> None:
    mock = InProcessMock(base_url="https://genaiapi.cloudsway.net")
    with mock.respx_router() as router:
        response = httpx.post(
            "https://genaiapi.cloudsway.net/v1/ai/XXX/kling/videos/text2video",
            headers={"Authorization": "Bearer XXX"},
            json={"model_name": "kling-v1", "prompt": "A dog running on the grass"},
        )
        assert router.routes["maas_kl_mock"].call_count == 1
    assert response.json()["code"] == 0
    assert isinstance(router, respx.MockRouter)


def test_asgi_app_serves_httpx_asgi_transport() -> None:
    app = create_app(MockConfig(check_responses=True))

    async def flow() -> tuple[int, int, str]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            ok = await client.post(
                "/v1/ai/x/kling/videos/text2video", headers={"Authorization": "Bearer t"}, json={"prompt": "x"}
            )
            wrong = await client.delete("/v1/ai/x/kling/videos/text2video")
            return ok.status_code, wrong.status_code, wrong.headers["allow"]

    assert asyncio.run(flow()) == (200, 404, "POST")


def test_asgi_app_without_reset_support_raises_to_close() -> None:
    app = create_app(MockConfig(faults=FaultPlan(rate=1.0, kinds={"reset": 1.0})))

    async def flow() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            await client.get("/v1/ai/x/kling/videos/text2video/1", headers={"Authorization": "Bearer t"})

    with pytest.raises(ConnectionDropped):
        asyncio.run(flow())


SLASHED = {"prompt": "A dog", "external_task_id": "job/1"}


def test_an_id_with_a_slash_is_found_through_the_inprocess_transport() -> None:
    mock = InProcessMock(MockConfig(check_responses=True), ManualClock())
    with mock.client() as client:
        assert client.post("/videos/text2video", json=SLASHED).status_code == 200
        found = client.get("/videos/text2video/job%2F1")
        unencoded = client.get("/videos/text2video/job/1")
        other_tenant = client.get("/videos/text2video/job%2F1", headers={"Authorization": "Bearer someone-else"})
    assert found.status_code == 200, found.text
    assert found.json()["data"]["task_info"]["external_task_id"] == "job/1"
    assert (unencoded.status_code, unencoded.json()["code"]) == (404, 1203)
    assert (other_tenant.status_code, other_tenant.json()["code"]) == (404, 1203)


def test_an_id_with_a_slash_is_found_through_the_asgi_app() -> None:
    app = create_app(MockConfig(check_responses=True))
    auth = {"Authorization": "Bearer t"}

    async def flow() -> tuple[int, str, int]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as client:
            await client.post("/v1/ai/x/kling/videos/text2video", headers=auth, json=SLASHED)
            found = await client.get("/v1/ai/x/kling/videos/text2video/job%2F1", headers=auth)
            traversal = await client.get("/v1/ai/x/kling/videos/text2video/%2e%2e%2Ftext2video", headers=auth)
            return found.status_code, found.json()["data"]["task_info"]["external_task_id"], traversal.status_code

    assert asyncio.run(flow()) == (200, "job/1", 404)


def test_asgi_app_without_raw_path_routes_the_decoded_path() -> None:
    """A server that gives no `raw_path`: its decoded path is re-encoded, so a literal `%` is not decoded twice."""
    app = create_app(MockConfig(check_responses=True))
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    async def flow() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as client:
            body = {"prompt": "x", "external_task_id": "50%25 off"}
            await client.post("/v1/ai/x/kling/videos/text2video", headers={"Authorization": "Bearer t"}, json=body)
        path = "/v1/ai/x/kling/videos/text2video/50%25 off"
        headers = [(b"authorization", b"Bearer t")]
        await app({"type": "http", "method": "GET", "path": path, "headers": headers}, receive, send)

    asyncio.run(flow())
    assert sent[0]["status"] == 200, sent
    assert orjson.loads(sent[1]["body"])["data"]["task_info"]["external_task_id"] == "50%25 off"


def _video_url(client: httpx.Client, mock: InProcessMock) -> str:
    created = client.post("/videos/text2video", json={"prompt": "A dog"}).json()["data"]["task_id"]
    mock.core.clock.advance(5)
    return str(client.get(f"/videos/text2video/{created}").json()["data"]["task_result"]["videos"][0]["url"])


def test_head_on_a_video_gives_the_get_length_and_no_body() -> None:
    mock = InProcessMock(MockConfig(check_responses=True), ManualClock())
    with mock.client() as client:
        url = _video_url(client, mock)
        got = client.get(url)
        head = client.head(url)
        post = client.post(url)
    assert (head.status_code, head.headers["content-type"], head.content) == (200, "video/mp4", b"")
    assert head.headers["content-length"] == str(len(got.content)) != "0"
    assert (post.status_code, post.json()["code"], post.headers["allow"]) == (404, 1202, "GET, HEAD")


def test_head_on_a_video_through_the_asgi_app() -> None:
    mock = InProcessMock(MockConfig(check_responses=True), ManualClock())
    with mock.client() as client:
        url = _video_url(client, mock)
    app = MockApp(mock.core)

    async def flow() -> tuple[int, str, bytes, str]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
            head = await client.head(url)
            get = await client.get(url)
        return head.status_code, head.headers["content-length"], head.content, str(len(get.content))

    status, length, content, get_length = asyncio.run(flow())
    assert (status, length, content) == (200, get_length, b"")

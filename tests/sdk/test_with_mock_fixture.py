"""The README's recipe: application code on the SDK, tested offline with the `maas_kl_mock` fixture."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from maas_kl_client import AsyncMaasKL, MaasKL, TaskFailed
from maas_kl_mock.pytest_plugin import MockFixture


def test_readme_recipe(maas_kl_mock: MockFixture, tmp_path: Path) -> None:
    http = httpx.Client(transport=maas_kl_mock.transport())
    with MaasKL(
        api_key="test-key",
        endpoint_path="default",
        base_url="http://127.0.0.1:4010",
        http_client=http,
        clock=maas_kl_mock.clock,
    ) as client:
        task = client.text2video.create_and_wait(prompt="A dog")  # polls on simulated time: no sleeping
        path = client.download_video(task.videos[0].url, tmp_path)
    assert path.read_bytes()[4:8] == b"ftyp"
    assert len(maas_kl_mock.store) == 1


def test_failed_task_raises_task_failed_on_simulated_time(maas_kl_mock: MockFixture) -> None:
    started = maas_kl_mock.clock.now()
    http = httpx.Client(transport=maas_kl_mock.transport(), headers={"Prefer": "scenario=fail"})
    with (
        MaasKL(
            api_key="k",
            endpoint_path="default",
            base_url="http://127.0.0.1:4010",
            http_client=http,
            clock=maas_kl_mock.clock,
        ) as client,
        pytest.raises(TaskFailed) as caught,
    ):
        client.text2video.create_and_wait(prompt="A dog")
    assert caught.value.task_status_msg
    assert maas_kl_mock.clock.now() > started  # the waiter's sleeps moved the simulation


def test_async_client_shares_the_clock(maas_kl_mock: MockFixture) -> None:
    async def run() -> str:
        http = httpx.AsyncClient(transport=maas_kl_mock.async_transport())
        async with AsyncMaasKL(
            api_key="k",
            endpoint_path="default",
            base_url="http://127.0.0.1:4010",
            http_client=http,
            clock=maas_kl_mock.clock,
        ) as client:
            task = await client.image2video.create_and_wait(image="https://example.com/frame.png")
            return str(task.task_status)

    assert asyncio.run(run()) == "succeed"


def test_sdk_gets_a_task_whose_external_id_holds_a_slash(maas_kl_mock: MockFixture) -> None:
    """The SDK sends `job%2F1`; the mock routes on the raw path, so the id comes back whole."""
    http = httpx.Client(transport=maas_kl_mock.transport())
    base = "http://127.0.0.1:4010"
    clock = maas_kl_mock.clock
    with MaasKL(api_key="k", endpoint_path="default", base_url=base, http_client=http, clock=clock) as client:
        created = client.text2video.create(prompt="A dog", external_task_id="job/1")
        by_external = client.text2video.get("job/1")
    assert by_external.task_id == created.task_id
    assert by_external.to_dict()["task_info"]["external_task_id"] == "job/1"


@pytest.mark.parametrize("external_task_id", [".", "..", "a/../b"])
def test_sdk_gets_a_task_whose_external_id_is_made_of_dots(maas_kl_mock: MockFixture, external_task_id: str) -> None:
    http = httpx.Client(transport=maas_kl_mock.transport())
    with MaasKL(
        api_key="test-key", endpoint_path="default", base_url="http://127.0.0.1:4010", http_client=http
    ) as client:
        created = client.text2video.create(prompt="A dog", external_task_id=external_task_id)
        assert client.text2video.get(external_task_id).task_id == created.task_id

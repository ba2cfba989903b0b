"""The fixture replays a committed cassette: `@pytest.mark.maas_kl_mock(replay="tests/cassettes/...")`.

The cassette was recorded with `python -m tests.proxy.flows tests/cassettes/three-families`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from maas_kl_client import NotFoundError
from maas_kl_mock import ManualClock, MockConfig, MockServer
from maas_kl_mock.pytest_plugin import MockFixture

from .flows import client, run_flows

CASSETTE = Path(__file__).resolve().parents[1] / "cassettes" / "three-families"


def _recorded(operation: str) -> dict[str, Any]:
    """What the cassette says of one flow: its task id, distinct status sequence and video digest."""
    flow = next(json.loads(p.read_text()) for p in sorted(CASSETTE.glob("*.json")) if operation in p.name)
    statuses: list[str] = []
    for exchange in flow["exchanges"]:
        data = (exchange["response"].get("json") or {}).get("data") or {}
        status = data.get("task_status")
        if status and (not statuses or statuses[-1] != status):
            statuses.append(status)
    video = next(e for e in flow["exchanges"] if e["kind"] == "video")
    return {
        "task_id": flow["exchanges"][0]["response"]["json"]["data"]["task_id"],
        "statuses": tuple(statuses),
        "video_sha256": video["response"]["sha256"],
    }


@pytest.mark.maas_kl_mock(replay="tests/cassettes/three-families")
def test_fixture_replays_the_recorded_flows(maas_kl_mock: MockFixture, tmp_path: Path) -> None:
    http = httpx.Client(transport=maas_kl_mock.transport())
    with client("http://127.0.0.1:4010", "default", http_client=http, clock=maas_kl_mock.clock) as sdk:
        seen = run_flows(sdk, tmp_path)
    for family, operation in (
        ("text2video", "create_text2video_task"),
        ("image2video", "create_image2video_task"),
        ("video_extend", "create_video_extend_task"),
    ):
        recorded = _recorded(operation)
        assert seen[family].task_id == recorded["task_id"]
        assert seen[family].statuses == recorded["statuses"]
        assert seen[family].video_sha256 == recorded["video_sha256"]
    assert len(maas_kl_mock.store) == 0  # nothing was simulated


@pytest.mark.maas_kl_mock(replay="tests/cassettes/three-families")
def test_fixture_replay_refuses_an_unrecorded_create(maas_kl_mock: MockFixture) -> None:
    with maas_kl_mock.client() as http:
        answer = http.post("/videos/image2video", json={"image": "https://example.com/other.png"})
    assert (answer.status_code, answer.json()["code"]) == (404, 1203)
    assert "0002-create_image2video_task" in answer.json()["message"]
    assert "/image" in answer.json()["message"]


@pytest.mark.maas_kl_mock(replay="tests/cassettes/three-families")
def test_server_fixture_replays_too(maas_kl_mock_server: MockServer) -> None:
    body = {"prompt": "A dog running on the grass"}
    answer = httpx.post(
        f"{maas_kl_mock_server.api_base_url}/videos/text2video", json=body, headers={"Authorization": "Bearer k"}
    )
    assert answer.json()["data"]["task_id"] == _recorded("create_text2video_task")["task_id"]


def test_the_readme_replay_recipe_passes() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    [block] = [b for b in re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL) if "def test_replayed_flow(" in b]
    namespace: dict[str, Any] = {}
    exec(block, namespace)
    recipe = namespace["test_replayed_flow"]
    [marker] = recipe.pytestmark
    root = Path(__file__).resolve().parents[2]
    config = MockConfig(check_responses=True, record_calls=None, replay=root / marker.kwargs["replay"])
    recipe(MockFixture(config, ManualClock()))


@pytest.mark.maas_kl_mock(replay="tests/cassettes/three-families")
def test_an_unrecorded_create_through_the_sdk_says_nothing_of_video_retention(maas_kl_mock: MockFixture) -> None:
    http = httpx.Client(transport=maas_kl_mock.transport())
    sdk = client("http://127.0.0.1:4010", "default", http_client=http, clock=maas_kl_mock.clock)
    with sdk, pytest.raises(NotFoundError) as missed:
        sdk.image2video.create(image="https://example.com/other.png")
    assert "no recorded exchange matches" in str(missed.value)
    assert "days after generation" not in str(missed.value)  # a replay miss is not an expired video

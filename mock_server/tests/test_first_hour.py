"""What a new user met with the mock's per-request controls and its control API (issue 16, points 3, 4, 11)."""

from __future__ import annotations

import orjson
from maas_kl_mock import Drop
from mock_harness import API, Harness

LOST = {"Prefer": "scenario=lost-response"}


def test_lost_response_drops_only_a_creates_answer_not_a_query() -> None:
    mock = Harness()
    created = mock.send("POST", f"{API}/text2video", {"prompt": "x", "external_task_id": "e1"}, headers=LOST)
    assert created.delivery.drop is Drop.RESET
    found = mock.send("GET", f"{API}/text2video/e1", headers=LOST)
    assert found.delivery.drop is None
    assert (found.status, orjson.loads(found.body)["code"]) == (200, 0)


def test_an_example_of_another_operation_says_where_it_applies_and_what_to_use() -> None:
    mock = Harness()
    refused = mock.send("POST", f"{API}/text2video", {"prompt": "x"}, headers={"Prefer": "example=failed"})
    message = orjson.loads(refused.body)["message"]
    assert refused.status == 400
    assert "is not an example of create_text2video_task's 200" in message
    assert "(its examples: example=document)" in message  # a name to send, not a verb to puzzle over
    assert "example=failed is one of get_text2video_task's" in message
    assert "Prefer: scenario=fail" in message
    failed = mock.send("GET", f"{API}/text2video/123", headers={"Prefer": "example=failed"})
    assert orjson.loads(failed.body)["data"]["task_status"] == "failed"


def test_control_api_names_task_families_as_the_sdk_and_cli_do() -> None:
    mock = Harness()
    first = orjson.loads(mock.send("POST", f"{API}/text2video", {"prompt": "x"}).body)["data"]["task_id"]
    mock.clock.advance(60)
    video = orjson.loads(mock.send("GET", f"{API}/text2video/{first}").body)["data"]["task_result"]["videos"][0]
    extended = mock.send("POST", f"{API}/video-extend", {"video_id": video["id"]})
    assert orjson.loads(extended.body)["code"] == 0, extended.body
    tasks = orjson.loads(mock.send("GET", "/_mock/tasks", token=None).body)["tasks"]
    assert sorted(t["kind"] for t in tasks) == ["text2video", "video_extend"]  # the SDK's and the CLI's names

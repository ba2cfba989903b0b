import random
import uuid
from urllib.parse import urlsplit

import pytest
from maas_kl_mock import Lifecycle
from maas_kl_mock.pipeline.simulate import uuid4_text
from mock_harness import API, Harness, body


def test_lifecycle_follows_the_clock(harness: Harness) -> None:
    created = harness.create(body={"prompt": "x", "external_task_id": "job-1"})["data"]
    assert created["task_status"] == "submitted"
    assert created["task_info"] == {"external_task_id": "job-1"}
    assert harness.query("text2video", "job-1")["data"]["task_status"] == "submitted"
    harness.clock.advance(1.0)
    assert harness.query("text2video", created["task_id"])["data"]["task_status"] == "processing"
    harness.clock.advance(3.0)
    done = harness.query("text2video", "job-1")["data"]
    assert done["task_status"] == "succeed"
    assert done["updated_at"] == created["created_at"] + 4000
    [video] = done["task_result"]["videos"]
    assert video["duration"] == "5.1"
    assert video["url"].startswith("http://127.0.0.1:4010/files/videos/")


def test_tasks_belong_to_their_tenant(harness: Harness) -> None:
    task = harness.create(body={"prompt": "x", "external_task_id": "mine"})["data"]
    for key in (task["task_id"], "mine"):
        other = harness.send("GET", f"{API}/text2video/{key}", token="tenant-b")
        missing = harness.send("GET", f"{API}/text2video/does-not-exist", token="tenant-b")
        assert (other.status, body(other)["code"]) == (missing.status, body(missing)["code"]) == (404, 1203)
        assert body(other)["message"] == body(missing)["message"]


def test_a_task_is_only_found_on_its_own_kind(harness: Harness) -> None:
    task = harness.create()["data"]
    assert harness.query("image2video", task["task_id"])["code"] == 1203


def test_external_task_id_is_unique_per_tenant(harness: Harness) -> None:
    assert harness.create(body={"prompt": "x", "external_task_id": "dup"})["code"] == 0
    again = harness.send("POST", f"{API}/image2video", {"image": "abc", "external_task_id": "dup"})
    assert (again.status, body(again)["code"]) == (400, 1201)
    assert "already used" in body(again)["message"]
    assert harness.create(body={"prompt": "x", "external_task_id": "dup"}, token="tenant-b")["code"] == 0


def test_failed_scenario_is_200_code_0_status_failed(harness: Harness) -> None:
    task = harness.create(headers={"prefer": "scenario=fail"})["data"]
    harness.clock.advance(10)
    response = harness.send("GET", f"{API}/text2video/{task['task_id']}")
    data = body(response)
    assert (response.status, data["code"], data["data"]["task_status"]) == (200, 0, "failed")
    assert data["data"]["task_status_msg"] == "Failure to pass the risk control system"
    assert data["data"]["task_result"] == {}


def test_slow_scenario_stretches_the_lifecycle(harness: Harness) -> None:
    task = harness.create(headers={"prefer": "scenario=slow"})["data"]
    harness.clock.advance(5)
    assert harness.query("text2video", task["task_id"])["data"]["task_status"] == "submitted"
    harness.clock.advance(40)
    assert harness.query("text2video", task["task_id"])["data"]["task_status"] == "succeed"


def test_concurrency_limit_is_429_1303_until_a_task_finishes() -> None:
    harness = Harness(concurrency_limit=2)
    assert harness.create()["code"] == 0
    assert harness.create()["code"] == 0
    refused = harness.send("POST", f"{API}/text2video", {"prompt": "x"})
    assert (refused.status, body(refused)["code"]) == (429, 1303)
    assert refused.header("Retry-After") is not None
    assert harness.create(token="tenant-b")["code"] == 0, "the limit is per tenant"
    harness.clock.advance(4)
    assert harness.create()["code"] == 0


def _succeeded_video(harness: Harness, **create: object) -> dict[str, str]:
    task = harness.create(body={"prompt": "x", **create})["data"]
    harness.clock.advance(4)
    return harness.query("text2video", task["task_id"])["data"]["task_result"]["videos"][0]  # type: ignore[no-any-return]


def test_extension_adds_5_seconds_and_fills_parent_video(harness: Harness) -> None:
    video = _succeeded_video(harness, model_name="kling-v1")
    task = harness.create("video-extend", {"video_id": video["id"], "prompt": "more"})["data"]
    assert "task_info" not in task or "external_task_id" not in task["task_info"]
    harness.clock.advance(4)
    done = harness.query("video-extend", task["task_id"])["data"]
    assert done["task_info"]["parent_video"] == video
    assert done["task_result"]["videos"][0]["duration"] == "10.1"
    assert done["task_result"]["videos"][0]["id"] != video["id"]


def test_extension_needs_the_same_tenants_finished_video(harness: Harness) -> None:
    assert harness.create("video-extend", {"video_id": "no-such-video"})["code"] == 1203
    video = _succeeded_video(harness)
    assert harness.create("video-extend", {"video_id": video["id"]}, token="tenant-b")["code"] == 1203
    assert harness.create("video-extend", {"video_id": video["id"]})["code"] == 0


def test_extension_only_for_extendable_models(harness: Harness) -> None:
    video = _succeeded_video(harness, model_name="MaaS_KL_V1.6")
    refused = harness.create("video-extend", {"video_id": video["id"]})
    assert refused["code"] == 1201
    assert "only videos of MaaS_KL_V1 can be extended" in refused["message"]


def test_extension_stops_at_180_seconds() -> None:
    harness = Harness(concurrency_limit=100)
    video = _succeeded_video(harness)
    steps = 0
    while True:
        created = harness.create("video-extend", {"video_id": video["id"]})
        if created["code"] != 0:
            break
        harness.clock.advance(4)
        video = harness.query("video-extend", created["data"]["task_id"])["data"]["task_result"]["videos"][0]
        steps += 1
    assert float(video["duration"]) <= 180
    assert float(video["duration"]) + 5 > 180
    assert steps == 34
    assert "cannot exceed 180s" in created["message"]


def test_videos_expire_after_30_days(harness: Harness) -> None:
    video = _succeeded_video(harness)
    url = urlsplit(video["url"])
    assert harness.send("GET", url.path, query=url.query, token=None).status == 200
    harness.clock.advance(31 * 86_400)
    assert harness.send("GET", url.path, query=url.query, token=None).status == 404
    assert harness.create("video-extend", {"video_id": video["id"]})["code"] == 1203


def test_video_download_does_not_leak_across_tenants(harness: Harness) -> None:
    video = _succeeded_video(harness)
    url = urlsplit(video["url"])
    assert harness.send("GET", url.path, query=url.query, token="tenant-b").status == 404
    assert harness.send("GET", url.path, query="sig=0000", token=None).status == 404
    assert harness.send("GET", url.path, token=None).status == 404
    assert harness.send("GET", "/files/videos/../../etc/passwd", token=None).status == 404
    owner = harness.send("GET", url.path, query=url.query)
    assert owner.status == 200
    assert owner.content_type == "video/mp4"


@pytest.mark.parametrize("seconds", [0.0, 0.5])
def test_lifecycle_durations_are_configurable(seconds: float) -> None:
    harness = Harness(lifecycle=Lifecycle(submitted_seconds=seconds, processing_seconds=seconds))
    task = harness.create()["data"]
    harness.clock.advance(2 * seconds)
    assert harness.query("text2video", task["task_id"])["data"]["task_status"] == "succeed"


def test_video_ids_are_the_uuid4_text_of_the_seeded_bits() -> None:
    rng = random.Random(7)
    samples = [0, 2**128 - 1, *(rng.getrandbits(128) for _ in range(1_000))]
    for bits in samples:
        assert uuid4_text(bits) == str(uuid.UUID(int=bits, version=4))

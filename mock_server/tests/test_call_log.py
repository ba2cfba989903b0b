"""The call log (issue 24, point 2): what a debugger needs, key-free excerpts, a byte budget as well as a count."""

from __future__ import annotations

import orjson
from maas_kl_mock import MockConfig, MockRequest, MockResponse, tenant_label
from maas_kl_mock.pipeline.calls import EXCERPT_BYTES, Call, CallLog, excerpt
from mock_harness import API, Harness, body

BIG = 19 * 1024 * 1024  # the review's 19 MB POSTs


def test_twenty_large_posts_leave_the_log_within_its_budget() -> None:
    budget = 1024 * 1024
    harness = Harness(record_call_bytes=budget, max_body_bytes=20 * 1024 * 1024)
    image = "A" * BIG
    for n in range(20):
        sent = orjson.dumps({"prompt": "a dog", "image": image, "n": n})
        harness.send("POST", f"/anything/{n}", raw=sent, token=None)
        harness.send("POST", f"{API}/image2video", raw=sent)
    log = harness.core.calls
    kept = sum(len(c.request.body) + len(c.response.body) for c in log)
    assert len(log) == 40
    assert log.bytes <= budget
    assert kept < 40 * (EXCERPT_BYTES + 1024), kept  # excerpts, never the 19 MB bodies
    cut = orjson.loads(log[-1].request.body)  # still JSON: the long string is cut, its length noted
    assert cut["prompt"] == "a dog"
    assert cut["n"] == 19
    assert cut["image"].endswith(f"({BIG} bytes)")
    assert log[-1].request_size > BIG


def test_the_byte_budget_forgets_the_oldest_calls() -> None:
    log = CallLog(max_calls=None, max_bytes=20_000)
    for n in range(100):
        log.append(Call(MockRequest("POST", f"/{n}", {}, b"x" * 4_000), MockResponse(200, b"{}"), None, None))
    assert log.bytes <= 20_000
    assert [c.seq for c in log][-1] == 100
    assert len(log) < 10
    assert log.find(100) is log[-1]
    assert log.find(1) is None


def test_a_flood_of_small_objects_is_not_parsed_into_the_log() -> None:
    flood = b"[" + b"{}," * 3_000_000 + b"{}]"
    kept = excerpt(flood)
    assert len(kept) < 200
    assert orjson.loads(kept).startswith(f"{len(flood)} bytes of JSON")


def test_binary_bodies_are_not_kept_and_text_is_cut() -> None:
    assert excerpt(bytes(range(256)) * 100) == b""
    text = excerpt(b"hello " * 5_000)
    assert text.endswith(b"(30000 bytes)")
    assert len(text) < 1_100


def test_small_bodies_are_kept_as_sent(harness: Harness) -> None:
    harness.create(body={"prompt": "A dog", "external_task_id": "e1"})
    [call] = list(harness.core.calls)
    assert orjson.loads(call.request.body) == {"prompt": "A dog", "external_task_id": "e1"}
    assert call.json()["code"] == 0
    assert call.business_code() == 0


def test_credentials_and_signatures_are_masked_when_read(harness: Harness) -> None:
    harness.send("GET", f"{API}/text2video/1", headers={"x-api-key": "sk-secret-123456", "cookie": "s=secret-cookie"})
    harness.send("GET", "/files/videos/x.mp4", query="sig=0123456789abcdef&keep=1", token=None)
    first, second = harness.core.calls
    assert first.request.headers["authorization"] == f"Bearer {tenant_label('tenant-a')}"
    assert "secret" not in repr(first) + str(first.request.headers)
    assert first.tenant == tenant_label("tenant-a")
    assert second.request.query == "sig=***&keep=1"
    listed = body(harness.send("GET", "/_mock/calls", token=None))
    shown = orjson.dumps(listed).decode()
    assert "tenant-a" not in shown
    assert "0123456789abcdef" not in shown
    detail = body(harness.send("GET", "/_mock/calls/1", token=None))
    assert "sk-secret" not in orjson.dumps(detail).decode()


def test_each_call_says_what_struck_it_and_when() -> None:
    harness = Harness(faults=MockConfig().faults.from_json({"rate": 1.0, "kinds": ["503"], "seed": 1}))
    harness.create()
    harness.clock.advance(7)
    harness.send("GET", f"{API}/text2video/1", headers={"prefer": "code=429"})
    calls = body(harness.send("GET", "/_mock/calls", token=None))["calls"]
    assert [(c["status"], c["code"], c["fault"]) for c in calls] == [(503, 5001, "503"), (503, 5001, "503")]
    assert calls[1]["at"] - calls[0]["at"] == 7000  # the mock's clock, in milliseconds
    assert calls[1]["prefer"] == "code=429"
    assert all(c["latency_ms"] >= 0 for c in calls)


def test_control_reads_stay_out_of_the_log_and_writes_go_in(harness: Harness) -> None:
    harness.send("GET", "/_mock/tasks", token=None)
    harness.send("POST", "/_mock/clock/advance", {"seconds": 1}, token=None)
    assert [c.request.path for c in harness.core.calls] == ["/_mock/clock/advance"]


def test_since_returns_only_newer_calls(harness: Harness) -> None:
    for _ in range(3):
        harness.create()
    newer = body(harness.send("GET", "/_mock/calls", token=None, query="since=2"))
    assert [c["seq"] for c in newer["calls"]] == [3]
    assert newer["total"] == 3


def test_task_detail_shows_timeline_request_calls_and_extensions() -> None:
    harness = Harness(capability_rules=False)
    created = harness.create(body={"prompt": "<script>alert(1)</script>", "external_task_id": "t-1"})["data"]
    harness.clock.advance(0.5)
    mid = body(harness.send("GET", f"/_mock/tasks/{created['task_id']}", token=None))
    assert [s["status"] for s in mid["timeline"]] == ["submitted"]
    assert mid["timeline"][0]["ongoing"]
    harness.clock.advance(60)
    harness.query("text2video", created["task_id"])
    done = body(harness.send("GET", f"/_mock/tasks/{created['task_id']}", token=None))
    assert [s["status"] for s in done["timeline"]] == ["submitted", "processing", "succeed"]
    assert done["timeline"][0]["seconds"] == 1.0
    assert done["request"] == {"json": {"prompt": "<script>alert(1)</script>", "external_task_id": "t-1"}}
    assert [c["operation_id"] for c in done["calls"]] == ["create_text2video_task", "get_text2video_task"]
    extension = harness.create("video-extend", body={"video_id": done["video"]["id"]})["data"]
    source = body(harness.send("GET", f"/_mock/tasks/{created['task_id']}", token=None))
    assert source["extended_by"] == [extension["task_id"]]
    child = body(harness.send("GET", f"/_mock/tasks/{extension['task_id']}", token=None))
    assert child["source_task_id"] == created["task_id"]
    filtered = body(harness.send("GET", "/_mock/tasks", token=None, query="family=text2video&status=succeed"))
    assert [t["task_id"] for t in filtered["tasks"]] == [created["task_id"]]


def test_a_failed_task_shows_its_message(harness: Harness) -> None:
    created = harness.create(headers={"prefer": "scenario=fail"})["data"]
    harness.clock.advance(60)
    task = body(harness.send("GET", f"/_mock/tasks/{created['task_id']}", token=None))
    assert task["status"] == "failed"
    assert task["task_status_msg"]
    assert task["timeline"][-1]["status"] == "failed"
    assert task["video"] is None


def test_meta_reads_statuses_and_families_from_the_spec(harness: Harness) -> None:
    meta = body(harness.send("GET", "/_mock/meta", token=None))
    spec = harness.core.spec.facts
    assert meta["statuses"] == list(spec.statuses.values)
    assert meta["families"] == sorted(spec.families)
    assert meta["views"] == ["tasks", "calls", "controls"]


def test_the_video_route_serves_a_tasks_file_without_its_signature(harness: Harness) -> None:
    created = harness.create()["data"]
    harness.clock.advance(60)
    task = body(harness.send("GET", f"/_mock/tasks/{created['task_id']}", token=None))
    url = task["video"]["url"]
    assert "sig=" not in url
    video = harness.send("GET", url, token=None, headers={"range": "bytes=0-7"})
    assert video.status == 206
    assert b"".join(video.delivery.streamed())[4:8] == b"ftyp"


def test_a_fault_that_struck_after_the_store_shows_on_the_task() -> None:
    plan = MockConfig().faults.from_json({"rate": 1.0, "kinds": ["500"], "after_store": 1.0, "seed": 2})
    harness = Harness(faults=plan)
    refused = harness.send("POST", f"{API}/text2video", {"prompt": "A dog", "external_task_id": "lost-1"})
    assert refused.status == 500  # the answer was lost, but the task was stored
    [task] = body(harness.send("GET", "/_mock/tasks", token=None))["tasks"]
    detail = body(harness.send("GET", f"/_mock/tasks/{task['task_id']}", token=None))
    assert detail["faults"] == [{"seq": 1, "fault": "500 (after store)", "status": 500}]
    assert detail["request"] == {"json": {"prompt": "A dog", "external_task_id": "lost-1"}}

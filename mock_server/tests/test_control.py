import orjson
from mock_harness import API, Harness, body


def test_control_api_lists_counts_resets_and_moves_time(harness: Harness) -> None:
    harness.create(body={"prompt": "x", "external_task_id": "a"})
    harness.create(token="tenant-b")
    listed = body(harness.send("GET", "/_mock/tasks", token=None))
    assert listed["count"] == 2
    assert {t["tenant"] for t in listed["tasks"]} == {"tenant-a", "tenant-b"}
    only_a = body(harness.send("GET", "/_mock/tasks", token=None, query="tenant=tenant-a"))
    assert [t["external_task_id"] for t in only_a["tasks"]] == ["a"]
    stats = body(harness.send("GET", "/_mock/stats", token=None))
    assert stats["tenants"] == {"tenant-a": {"tasks": 1, "unfinished": 1}, "tenant-b": {"tasks": 1, "unfinished": 1}}
    moved = body(harness.send("POST", "/_mock/clock/advance", {"seconds": 10}, token=None))
    assert moved["now"] == harness.clock.now()
    assert body(harness.send("GET", "/_mock/tasks", token=None))["tasks"][0]["status"] == "succeed"
    assert body(harness.send("POST", "/_mock/reset", token=None)) == {"reset": True}
    assert body(harness.send("GET", "/_mock/tasks", token=None))["count"] == 0


def test_control_api_sets_faults(harness: Harness) -> None:
    plan = {"rate": 1.0, "kinds": ["503"], "seed": 3, "latency": "uniform:1-2", "rate_limit": "5/1"}
    shown = body(harness.send("PUT", "/_mock/faults", raw=orjson.dumps(plan), token=None))["plan"]
    assert shown["kinds"] == {"503": 1.0}
    assert shown["rate_limit"] == "5/1"
    assert harness.send("GET", f"{API}/text2video/x").status == 503
    assert body(harness.send("GET", "/_mock/faults", token=None))["injected"] == {"503": 1}
    refused = harness.send("PUT", "/_mock/faults", {"rate": 5}, token=None)
    assert (refused.status, body(refused)["code"]) == (400, 1201)
    refused = harness.send("PUT", "/_mock/faults", {"colour": "red"}, token=None)
    assert "unknown fault settings" in body(refused)["message"]


def test_control_api_errors_are_envelopes(harness: Harness) -> None:
    unknown = harness.send("GET", "/_mock/nope", token=None)
    assert (unknown.status, body(unknown)["code"]) == (404, 1203)
    bad = harness.send("POST", "/_mock/clock/advance", {"seconds": -1}, token=None)
    assert (bad.status, body(bad)["code"]) == (400, 1201)
    bad = harness.send("POST", "/_mock/clock/advance", raw=b"{", token=None)
    assert (bad.status, body(bad)["code"]) == (400, 1200)


def test_calls_are_recorded(harness: Harness) -> None:
    harness.create()
    calls = body(harness.send("GET", "/_mock/calls", token=None))["calls"]
    assert calls[0]["operation_id"] == "create_text2video_task"
    assert calls[0]["tenant"] == "tenant-a"


def test_control_api_can_be_disabled() -> None:
    harness = Harness(control_api=False)
    assert harness.send("GET", "/_mock/tasks", token=None).status == 404


def test_control_inputs_that_once_made_500s_are_envelopes(harness: Harness) -> None:
    # "²" is a digit to str.isdigit() but not to int(): it used to raise inside the core.
    calls = harness.send("GET", "/_mock/calls", token=None, query="limit=%C2%B2")
    assert (calls.status, body(calls)["count"]) == (200, 0)
    # An advance past int64 milliseconds made the next task's created_at overflow.
    huge = harness.send("POST", "/_mock/clock/advance", {"seconds": 1e308}, token=None)
    assert (huge.status, body(huge)["code"]) == (400, 1201)
    assert "100 years" in body(huge)["message"]
    assert harness.create()["code"] == 0
    refused = harness.send("PUT", "/_mock/faults", {"retry_after": -5}, token=None)
    assert (refused.status, body(refused)["code"]) == (400, 1201)
    assert "retry_after" in body(refused)["message"]
    assert harness.core.internal_errors == 0

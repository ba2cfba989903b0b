import orjson
import pytest
from maas_kl_mock import MockConfig, tenant_label
from maas_kl_mock._cli import startup_line
from mock_harness import API, Harness, body

A, B = tenant_label("tenant-a"), tenant_label("tenant-b")


def test_control_api_lists_counts_resets_and_moves_time(harness: Harness) -> None:
    harness.create(body={"prompt": "x", "external_task_id": "a"})
    harness.create(token="tenant-b")
    listed = body(harness.send("GET", "/_mock/tasks", token=None))
    assert listed["count"] == 2
    assert {t["tenant"] for t in listed["tasks"]} == {A, B}
    only_a = body(harness.send("GET", "/_mock/tasks", token=None, query="tenant=tenant-a"))
    assert [t["external_task_id"] for t in only_a["tasks"]] == ["a"]
    stats = body(harness.send("GET", "/_mock/stats", token=None))
    assert stats["tenants"] == {A: {"tasks": 1, "unfinished": 1}, B: {"tasks": 1, "unfinished": 1}}
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


def test_control_api_sets_download_cuts(harness: Harness) -> None:
    plan = {"download_cut": [0.7, 0.3], "download_cut_rate": 0.5}
    shown = body(harness.send("PUT", "/_mock/faults", raw=orjson.dumps(plan), token=None))["plan"]
    assert (shown["download_cut"], shown["download_cut_rate"]) == ([0.3, 0.7], 0.5)
    refused = harness.send("PUT", "/_mock/faults", {"download_cut": [1.0]}, token=None)
    assert (refused.status, body(refused)["code"]) == (400, 1201)


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
    assert calls[0]["tenant"] == A


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


KEY = "sk-live-0123456789abcdef0123456789abcdef"  # what a real API key pointed at the mock looks like


def test_control_api_never_shows_a_token() -> None:
    harness = Harness()
    harness.create(token=KEY)
    harness.send("GET", f"{API}/text2video/nope", token=KEY)
    shown = b"".join(
        harness.send("GET", f"/_mock/{name}", token=None).body for name in ("tasks", "stats", "calls", "faults")
    )
    assert KEY.encode() not in shown
    assert KEY[4:20].encode() not in shown  # not even a part of it past the 4-character prefix
    assert shown.count(tenant_label(KEY).encode()) == 4  # tasks, stats, and both calls


@pytest.mark.parametrize("asked", [KEY, tenant_label(KEY)])
def test_tenant_filter_takes_the_token_or_its_label(asked: str) -> None:
    harness = Harness()
    harness.create(token=KEY, body={"prompt": "x", "external_task_id": "mine"})
    harness.create(token="tenant-b", body={"prompt": "x", "external_task_id": "theirs"})
    listed = body(harness.send("GET", "/_mock/tasks", token=None, query=f"tenant={asked}"))
    assert [t["external_task_id"] for t in listed["tasks"]] == ["mine"]


def test_labels_are_stable_distinct_and_show_at_most_a_quarter() -> None:
    assert tenant_label(KEY) == tenant_label(KEY)
    assert tenant_label(KEY).startswith("sk-l...")
    assert len({tenant_label(f"key-{n}") for n in range(2000)}) == 2000
    assert tenant_label("abc").startswith("...")  # a short token shows no characters at all


def test_startup_line_names_the_demo_token_but_never_a_configured_one() -> None:
    default = startup_line("http://127.0.0.1:4010", MockConfig())
    assert "Bearer mock-token" in default
    configured = startup_line("http://127.0.0.1:4010", MockConfig(tokens=frozenset({KEY, "other-key-1234"})))
    assert KEY not in configured
    assert "other-key-1234" not in configured
    assert "one of the 2 --token keys" in configured
    assert tenant_label(KEY) in configured
